"""Staff freight templates (运费模板): list, create, replace, delete (refused while used)."""

from ninja import Router, Status

from fenxiao.accounts.auth import require_perm
from fenxiao.api_docs import raises
from fenxiao.catalog import selectors, services
from fenxiao.catalog.errors import (
    FreightTemplateInUse,
    FreightTemplateInvalid,
    FreightTemplateNotFound,
)
from fenxiao.catalog.schemas import FreightTemplateIn, FreightTemplateOut, Id
from fenxiao.errors import PermissionDenied

router = Router(tags=["staff: freight"])


def _template_out(template_id: int):
    template = selectors.freight_templates().filter(pk=template_id).first()
    if template is None:
        raise FreightTemplateNotFound()
    return template


def _fields(payload: FreightTemplateIn) -> dict:
    return {**payload.dict(), "rules": [rule.dict() for rule in payload.rules]}


@router.get(
    "/freight-templates",
    response=list[FreightTemplateOut],
    summary="运费模板列表",
    openapi_extra=raises(PermissionDenied),
)
def freight_template_list(request):
    require_perm(request, "catalog.view_freighttemplate")
    return list(selectors.freight_templates())


@router.post(
    "/freight-templates",
    response={201: FreightTemplateOut},
    summary="新建运费模板",
    openapi_extra=raises(FreightTemplateInvalid, PermissionDenied, FreightTemplateNotFound),
)
def freight_template_create(request, payload: FreightTemplateIn):
    require_perm(request, "catalog.add_freighttemplate")
    template = services.freight_template_save(**_fields(payload))
    return Status(201, _template_out(template.pk))


@router.put(
    "/freight-templates/{template_id}",
    response=FreightTemplateOut,
    summary="修改运费模板",
    openapi_extra=raises(FreightTemplateInvalid, PermissionDenied, FreightTemplateNotFound),
)
def freight_template_replace(request, template_id: Id, payload: FreightTemplateIn):
    require_perm(request, "catalog.change_freighttemplate")
    services.freight_template_save(template_id=template_id, **_fields(payload))
    return _template_out(template_id)


@router.delete(
    "/freight-templates/{template_id}",
    response={204: None},
    summary="删除运费模板",
    openapi_extra=raises(PermissionDenied, FreightTemplateNotFound, FreightTemplateInUse),
)
def freight_template_delete(request, template_id: Id):
    require_perm(request, "catalog.delete_freighttemplate")
    services.freight_template_delete(template_id=template_id)
    return Status(204, None)
