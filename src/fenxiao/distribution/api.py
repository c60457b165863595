"""Distributors' own views (me, team, commissions, wallet), referrals, and staff review."""

from typing import Any

from django.conf import settings
from django.http import HttpResponse
from ninja import Body, Query, Router

from fenxiao.accounts.auth import require_perm
from fenxiao.api_docs import error_responses, raises
from fenxiao.catalog.errors import ProductNotFound
from fenxiao.distribution import centre, links, poster, selectors, stats
from fenxiao.distribution.errors import (
    DistributorFrozen,
    DistributorNotFound,
    DistributorStateError,
    MiniProgramCodeFailed,
    NotADistributor,
    PlanInvalid,
    PlanLevelsExceeded,
    PlanShareExceeded,
    PosterFontMissing,
    PyramidRuleRefused,
    ReferralCodeNotFound,
    ReferralCodePending,
)
from fenxiao.distribution.models import Distributor
from fenxiao.distribution.schemas import (
    Balances,
    CommissionFilters,
    CommissionPage,
    DistributorOut,
    DistributorStatus,
    EntryPage,
    PlanChangeOut,
    PlanOut,
    PosterQuery,
    ProductCommissionOut,
    ReviewIn,
    StatsFilters,
    StatsOut,
    SummaryOut,
    TeamFilters,
    TeamMember,
    VisitIn,
    VisitOut,
)
from fenxiao.distribution.services import binding, distributors, grades, plan
from fenxiao.distribution.services.products import rates_of_override
from fenxiao.errors import PermissionDenied
from fenxiao.ledger import selectors as ledger_selectors
from fenxiao.pagination import PageFilters, paginate

router = Router(tags=["distribution"])
admin_router = Router(tags=["staff: distribution"])


share_url = links.share_url


def _distributor(request) -> selectors.Profile:
    """The caller's profile, which must be a distributor's (a read: nothing is created)."""
    profile = selectors.distributor_profile(user_id=request.auth.pk)
    if not profile.is_distributor:
        raise NotADistributor()
    return profile


@router.post(
    "/referrals/visit",
    response=VisitOut,
    summary="记录推广链接访问（绑定上级）",
    openapi_extra=raises(ReferralCodeNotFound),
)
def referral_visit(request, payload: VisitIn):
    result = binding.referral_visit(
        user=request.auth,
        code=payload.code,
        source="product" if payload.product_id else payload.source,
        product_id=payload.product_id,
    )
    return {"bound": result.bound, "inviter_id": result.inviter_id}


def me_of(user) -> dict:
    """The body of /distributor/me without its totals (fenxiao.distributor_api adds them)."""
    profile = selectors.distributor_profile(user_id=user.pk)
    code = profile.referral_code
    return {
        "id": profile.id,
        "user_id": user.pk,
        "status": profile.status,
        "grade": profile.grade,
        "referral_code": code,
        "share_url": code and share_url(code),
        "inviter_id": selectors.inviter_id_of(user.pk),
        "balances": ledger_selectors.balances_of(user.pk),
        "team_counts": selectors.team_counts(user_id=user.pk),
    }


@router.get(
    "/distributor/team",
    response=list[TeamMember],
    summary="我的团队",
    openapi_extra=raises(NotADistributor),
)
def team(request, filters: Query[TeamFilters]):
    _distributor(request)
    return selectors.team(user_id=request.auth.pk, level=filters.level)


@router.get("/distributor/summary", response=SummaryOut, summary="分销中心概览")
def summary(request):
    """The distributor centre's first screen: earnings, balances, team, grade progress."""
    return centre.distributor_summary(user_id=request.auth.pk)


@router.get(
    "/distributor/stats",
    response=StatsOut,
    summary="我的推广数据",
    openapi_extra=raises(NotADistributor),
)
def distributor_stats(request, filters: Query[StatsFilters]):
    """My figures over the last 7, 30 or 90 days against the period before; the advanced ones
    (by day and by level) when my grade grants them."""
    profile = _distributor(request)
    return stats.distributor_stats(
        user_id=request.auth.pk, days=stats.RANGES[filters.range], grade=profile.grade
    )


PNG = {
    "description": "海报图片 (PNG)",
    "content": {"image/png": {"schema": {"type": "string", "format": "binary"}}},
}


@router.get(
    "/distributor/poster",
    summary="推广海报",
    openapi_extra={
        "responses": {
            200: PNG,
            **error_responses(
                NotADistributor,
                DistributorFrozen,
                ProductNotFound,
                ReferralCodePending,
                MiniProgramCodeFailed,
                PosterFontMissing,
            ),
        }
    },
)
def poster_image(request, filters: Query[PosterQuery]):
    """A PNG poster of an on-shelf product with the caller's QR code (H5 share link) or, when
    the mini-program is configured, its mini-program code. Active distributors only."""
    png = poster.poster_png(user=request.auth, product_id=filters.product_id)
    response = HttpResponse(png, content_type="image/png")
    response["Cache-Control"] = "private, max-age=300"
    return response


@router.get("/distributor/commissions", response=CommissionPage, summary="我的佣金明细")
def commissions(request, filters: Query[CommissionFilters]):
    qs = selectors.commissions_of(user_id=request.auth.pk, status=filters.status)
    return paginate(qs, filters)


@router.get("/wallet", response=Balances, summary="我的钱包余额")
def wallet(request):
    return ledger_selectors.balances_of(request.auth.pk)


@router.get("/wallet/entries", response=EntryPage, summary="钱包流水")
def wallet_entries(request, filters: Query[PageFilters]):
    qs = ledger_selectors.entries_of(user_id=request.auth.pk)
    return paginate(qs, filters)


def plan_out() -> dict:
    current = selectors.plan_current()
    return {
        **plan.plan_as_dict(current),
        "max_levels": settings.MAX_LEVELS,
        "warnings": plan.plan_warnings(current),
        "updated_at": current.updated_at,
    }


@admin_router.get(
    "/distribution/plan",
    response=PlanOut,
    summary="查看分销方案",
    openapi_extra=raises(PermissionDenied),
)
def plan_read(request):
    require_perm(request, "distribution.view_plan")
    return plan_out()


@admin_router.put(
    "/distribution/plan",
    response=PlanOut,
    summary="修改分销方案",
    openapi_extra=raises(
        PlanInvalid, PlanLevelsExceeded, PlanShareExceeded, PyramidRuleRefused, PermissionDenied
    ),
)
def plan_write(request, payload: Body[dict[str, Any]]):
    staff = require_perm(request, "distribution.change_plan")
    plan.plan_update(data=payload, staff=staff, source="api")
    return plan_out()


@admin_router.get(
    "/distribution/plan/history",
    response=list[PlanChangeOut],
    summary="分销方案变更记录",
    openapi_extra=raises(PermissionDenied),
)
def plan_history(request):
    require_perm(request, "distribution.view_plan")
    return selectors.plan_changes(limit=100)


def distributor_out(found: Distributor) -> dict:
    return {
        "id": found.pk,
        "user_id": found.user_id,
        "phone": found.user.phone,
        "nickname": found.user.nickname,
        "status": found.status,
        "grade": found.grade.name,
        "referral_code": found.referral_code,
        "real_name": found.real_name,
        "apply_reason": found.apply_reason,
        "review_note": found.review_note,
        "created_at": found.created_at,
        "activated_at": found.activated_at,
    }


@admin_router.get(
    "/distributors",
    response=list[DistributorOut],
    summary="分销商列表",
    openapi_extra=raises(PermissionDenied),
)
def distributor_list(request, status: DistributorStatus | None = None):
    require_perm(request, "distribution.view_distributor")
    return [distributor_out(d) for d in selectors.distributors_for_staff(status=status, limit=200)]


def _review(request, action, distributor_id: int, **kw) -> dict:
    staff = require_perm(request, "distribution.change_distributor")
    found = action(distributor_id=distributor_id, staff=staff, **kw)
    return distributor_out(Distributor.objects.select_related("user", "grade").get(pk=found.pk))


@admin_router.post(
    "/distributors/{distributor_id}/approve",
    response=DistributorOut,
    summary="通过分销商申请",
    openapi_extra=raises(PermissionDenied, DistributorNotFound, DistributorStateError),
)
def approve(request, distributor_id: int):
    return _review(request, distributors.distributor_approve, distributor_id)


@admin_router.post(
    "/distributors/{distributor_id}/reject",
    response=DistributorOut,
    summary="拒绝分销商申请",
    openapi_extra=raises(PermissionDenied, DistributorNotFound, DistributorStateError),
)
def reject(request, distributor_id: int, payload: Body[ReviewIn] = None):
    return _review(
        request,
        distributors.distributor_reject,
        distributor_id,
        note=payload.note if payload else "",
    )


@admin_router.post(
    "/distributors/{distributor_id}/freeze",
    response=DistributorOut,
    summary="冻结分销商",
    openapi_extra=raises(PermissionDenied, DistributorNotFound, DistributorStateError),
)
def freeze(request, distributor_id: int, payload: Body[ReviewIn] = None):
    return _review(
        request,
        distributors.distributor_freeze,
        distributor_id,
        note=payload.note if payload else "",
    )


@admin_router.post(
    "/distributors/{distributor_id}/unfreeze",
    response=DistributorOut,
    summary="解冻分销商",
    openapi_extra=raises(PermissionDenied, DistributorNotFound, DistributorStateError),
)
def unfreeze(request, distributor_id: int):
    return _review(request, distributors.distributor_unfreeze, distributor_id)


# a product's own commission rates (the product itself is catalog's)


def product_commission_out(product_id: int) -> dict:
    return {"product_id": product_id, "rates": selectors.product_rates(product_id)}


@admin_router.get(
    "/products/{product_id}/commission",
    response=ProductCommissionOut,
    summary="查看商品佣金设置",
    openapi_extra=raises(PermissionDenied, ProductNotFound),
)
def product_commission_read(request, product_id: int):
    require_perm(request, "distribution.view_productcommission")
    if not selectors.product_exists(product_id):
        raise ProductNotFound()
    return product_commission_out(product_id)


@admin_router.put(
    "/products/{product_id}/commission",
    response=ProductCommissionOut,
    summary="修改商品佣金设置",
    openapi_extra=raises(
        PlanInvalid, PlanLevelsExceeded, PlanShareExceeded, PermissionDenied, ProductNotFound
    ),
)
def product_commission_write(request, product_id: int, payload: Body[dict[str, Any] | None] = None):
    require_perm(request, "distribution.change_productcommission")
    grades.product_commission_set(product_id=product_id, rates=rates_of_override(payload))
    return product_commission_out(product_id)
