"""Freight template writes: a template with its per-province rules, saved and deleted whole."""

from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import ProtectedError

from fenxiao.catalog.errors import (
    FreightTemplateInUse,
    FreightTemplateInvalid,
    FreightTemplateNotFound,
)
from fenxiao.catalog.models import FreightRule, FreightTemplate
from fenxiao.catalog.provinces import province_canonical

CHARGE_FIELDS = ("first_units", "first_fee", "additional_units", "additional_fee")


def provinces_clean(names: list[str], where: str) -> list[str]:
    """Full province names, once each; an unknown or repeated name is refused, named."""
    cleaned: list[str] = []
    for name in names:
        province = province_canonical(name)
        if province is None:
            raise FreightTemplateInvalid(f"{where}：“{name}”不是省级地区名称，如 广东省、北京市")
        if province in cleaned:
            raise FreightTemplateInvalid(f"{where}：{province} 重复填写")
        cleaned.append(province)
    return cleaned


def rules_check(*, rules: list[list[str]], no_delivery: list[str]) -> None:
    """A province is priced by at most one rule and is not both priced and undelivered."""
    seen: dict[str, int] = {}
    for index, provinces in enumerate(rules, start=1):
        if not provinces:
            raise FreightTemplateInvalid(f"第 {index} 条指定地区运费：请至少选择一个地区")
        for province in provinces:
            if province in seen:
                raise FreightTemplateInvalid(
                    f"{province} 同时出现在第 {seen[province]} 条和第 {index} 条指定地区运费中"
                )
            if province in no_delivery:
                raise FreightTemplateInvalid(f"{province} 已设为不配送，不能再设置运费")
            seen[province] = index


def _charge_check(charge: dict, where: str) -> None:
    if charge["first_units"] < 1 or charge["additional_units"] < 1:
        raise FreightTemplateInvalid(f"{where}：首件和续件数量须至少为 1 件")
    if charge["first_fee"] < 0 or charge["additional_fee"] < 0:
        raise FreightTemplateInvalid(f"{where}：运费不能为负数")


@transaction.atomic
def freight_template_save(
    *,
    template_id: int | None = None,
    name: str,
    first_units: int,
    first_fee: Decimal,
    additional_units: int,
    additional_fee: Decimal,
    free_above: Decimal | None = None,
    no_delivery: list[str] = (),
    rules: list[dict] = (),
) -> FreightTemplate:
    """Create a template, or replace one (`template_id`) with its rules."""
    default = {
        "first_units": first_units,
        "first_fee": first_fee,
        "additional_units": additional_units,
        "additional_fee": additional_fee,
    }
    _charge_check(default, "默认运费")
    if free_above is not None and free_above <= 0:
        raise FreightTemplateInvalid("满额包邮金额须大于 0，不包邮请留空")
    undelivered = provinces_clean(list(no_delivery), "不配送地区")
    priced = []
    for index, rule in enumerate(rules, start=1):
        where = f"第 {index} 条指定地区运费"
        _charge_check(rule, where)
        priced.append(provinces_clean(list(rule["provinces"]), where))
    rules_check(rules=priced, no_delivery=undelivered)
    if template_id is None:
        template = FreightTemplate()
    else:
        template = FreightTemplate.objects.select_for_update().filter(pk=template_id).first()
        if template is None:
            raise FreightTemplateNotFound()
    if FreightTemplate.objects.filter(name=name).exclude(pk=template.pk).exists():
        raise FreightTemplateInvalid(f"已有名为“{name}”的运费模板")
    template.name = name
    template.free_above = free_above
    template.no_delivery = undelivered
    for field, value in default.items():
        setattr(template, field, value)
    try:
        with transaction.atomic():
            template.save()
    except IntegrityError as exc:  # the same name saved at the same moment
        raise FreightTemplateInvalid(f"已有名为“{name}”的运费模板") from exc
    template.rules.all().delete()
    FreightRule.objects.bulk_create(
        FreightRule(
            template=template,
            provinces=provinces,
            sort=index,
            **{field: rule[field] for field in CHARGE_FIELDS},
        )
        for index, (rule, provinces) in enumerate(zip(rules, priced, strict=True))
    )
    return template


@transaction.atomic
def freight_template_delete(*, template_id: int) -> None:
    template = FreightTemplate.objects.filter(pk=template_id).first()
    if template is None:
        raise FreightTemplateNotFound()
    used = list(template.products.values_list("name", flat=True)[:3])
    if used:
        raise FreightTemplateInUse(
            f"运费模板“{template.name}”正被商品使用（{'、'.join(used)}），请先为这些商品更换模板"
        )
    try:
        with transaction.atomic():
            template.delete()
    except ProtectedError as exc:  # a product chose it meanwhile
        raise FreightTemplateInUse() from exc
