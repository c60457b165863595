"""The distributor's own page (/distributor/me, /distributor/apply): distribution's profile
composed with payouts' withdrawal totals, above both apps so that distribution never imports
payouts (payouts already depends on distribution)."""

from decimal import Decimal

from ninja import Router, Schema

from fenxiao.api_docs import raises
from fenxiao.distribution import centre
from fenxiao.distribution.api import me_of
from fenxiao.distribution.errors import ApplicationNotAccepted
from fenxiao.distribution.schemas import ApplyIn, MeOut
from fenxiao.distribution.services import distributors
from fenxiao.payouts import selectors as payouts_selectors

router = Router(tags=["distribution"])


class Totals(Schema):
    earned_today: Decimal  # commissions created today (Asia/Shanghai), after refunds
    earned_month: Decimal
    earned_total: Decimal
    withdrawn_total: Decimal  # gross of paid withdrawals
    withdrawing: Decimal  # held by requested and approved withdrawals


class MeWithTotalsOut(MeOut):
    totals: Totals


def me_with_totals(user) -> dict:
    totals = {
        **centre.earnings(user_id=user.pk),
        **payouts_selectors.withdrawal_totals(user_id=user.pk),
    }
    return {**me_of(user), "totals": totals}


@router.get("/distributor/me", response=MeWithTotalsOut, summary="我的分销商信息")
def me(request):
    return me_with_totals(request.auth)


@router.post(
    "/distributor/apply",
    response=MeWithTotalsOut,
    summary="申请成为分销商",
    openapi_extra=raises(ApplicationNotAccepted),
)
def apply(request, payload: ApplyIn):
    distributors.distributor_apply(
        user=request.auth, real_name=payload.real_name, reason=payload.reason
    )
    return me_with_totals(request.auth)
