"""Distributors' withdrawals and identity (/wallet/...), and staff review (/admin/withdrawals)."""

from ninja import Query, Router, Status

from fenxiao.accounts.auth import require_perm
from fenxiao.api_docs import raises
from fenxiao.distribution.errors import NotADistributor
from fenxiao.errors import PermissionDenied
from fenxiao.pagination import PageFilters, paginate
from fenxiao.payments.errors import NotificationMalformed, NotificationMismatch
from fenxiao.payments.notify import refusals
from fenxiao.payouts import errors, selectors, services, transfers
from fenxiao.payouts.errors import (
    AmountTooSmall,
    BelowMinimum,
    ChannelUnavailable,
    DailyCountExceeded,
    DailyLimitExceeded,
    IdempotencyConflict,
    IdentityLocked,
    IdentityRequired,
    InsufficientBalance,
    InvalidAccount,
    InvalidAmount,
    InvalidIdNumber,
    OpenidRequired,
    ReasonRequired,
    ReferenceRequired,
    TransferMismatch,
    TransferUnknown,
    UnknownChannel,
    WithdrawalNotFound,
    WithdrawalState,
)
from fenxiao.payouts.identity import id_number_masked
from fenxiao.payouts.schemas import (
    IdentityIn,
    IdentityOut,
    MarkPaidIn,
    OptionsOut,
    PreviewOut,
    PreviewQuery,
    RejectIn,
    StaffWithdrawalFilters,
    StaffWithdrawalOut,
    StaffWithdrawalPage,
    WithdrawalIn,
    WithdrawalOut,
    WithdrawalPage,
)

router = Router(tags=["payouts"])
admin_router = Router(tags=["staff: payouts"])

CHANGE = "payouts.change_withdrawal"
VIEW = "payouts.view_withdrawal"


@router.get(
    "/wallet/withdrawals/preview",
    response=PreviewOut,
    summary="提现试算（手续费与个税）",
    openapi_extra=raises(InvalidAmount, NotADistributor),
)
def withdrawal_preview(request, filters: Query[PreviewQuery]):
    """What a withdrawal of `amount` would cost (fee, tax) and pay (net); needs no identity."""
    amount = services.parse_amount(filters.amount)
    return selectors.withdrawal_preview(user_id=request.auth.pk, amount=amount).__dict__


@router.get(
    "/wallet/withdrawals/options",
    response=OptionsOut,
    summary="提现方式与限额",
    openapi_extra=raises(NotADistributor),
)
def withdrawal_options(request):
    """What the withdrawal form needs: the shop's channels, identity, the grade's limits,
    balance, and what today already used."""
    limits = selectors.withdrawal_limits(user_id=request.auth.pk)
    return {"channels": selectors.channels_enabled(), **limits}


@router.post(
    "/wallet/withdrawals",
    response={200: WithdrawalOut, 201: WithdrawalOut},
    summary="申请提现",
    openapi_extra=raises(
        AmountTooSmall,
        BelowMinimum,
        InvalidAccount,
        InvalidAmount,
        TransferMismatch,
        UnknownChannel,
        NotADistributor,
        ChannelUnavailable,
        WithdrawalNotFound,
        DailyCountExceeded,
        DailyLimitExceeded,
        IdempotencyConflict,
        IdentityRequired,
        InsufficientBalance,
        OpenidRequired,
        WithdrawalState,
    ),
)
def withdrawal_create(request, payload: WithdrawalIn):
    withdrawal, created = services.withdrawal_request(
        user=request.auth,
        amount=payload.amount,
        channel=payload.channel,
        request_id=payload.request_id,
        account=payload.account,
    )
    withdrawal.refresh_from_db()  # automatic approval may have run after the request committed
    return Status(201 if created else 200, withdrawal)


@router.get("/wallet/withdrawals", response=WithdrawalPage, summary="我的提现记录")
def withdrawal_list(request, filters: Query[PageFilters]):
    return paginate(selectors.withdrawals_of(user_id=request.auth.pk), filters)


@router.get(
    "/wallet/withdrawals/{withdrawal_id}",
    response=WithdrawalOut,
    summary="提现详情",
    openapi_extra=raises(WithdrawalNotFound),
)
def withdrawal_detail(request, withdrawal_id: int):
    withdrawal = selectors.withdrawal_of(user_id=request.auth.pk, withdrawal_id=withdrawal_id)
    if withdrawal is None:
        raise errors.WithdrawalNotFound()
    return withdrawal


@router.post(
    "/wallet/withdrawals/{withdrawal_id}/cancel",
    response=WithdrawalOut,
    summary="撤销提现",
    openapi_extra=raises(WithdrawalNotFound, WithdrawalState),
)
def withdrawal_cancel(request, withdrawal_id: int):
    return services.withdrawal_cancel(user=request.auth, withdrawal_id=withdrawal_id)


@router.post(
    "/wallet/withdrawals/{withdrawal_id}/sandbox-confirm",
    response=WithdrawalOut,
    summary="沙箱转账：模拟用户确认收款",
    openapi_extra=raises(
        NotificationMalformed,
        NotificationMismatch,
        TransferMismatch,
        ChannelUnavailable,
        WithdrawalNotFound,
        WithdrawalState,
    ),
)
def withdrawal_sandbox_confirm(request, withdrawal_id: int):
    """Plays the distributor accepting the transfer in WeChat (sandbox channel only): the
    sandbox signs a MCHTRANSFER.BILL.FINISHED notification and it is handled like one."""
    return transfers.sandbox_transfer_confirm(user=request.auth, withdrawal_id=withdrawal_id)


@router.post(
    "/wallet/withdrawals/{withdrawal_id}/refresh",
    response=WithdrawalOut,
    summary="刷新提现转账状态",
    openapi_extra=raises(TransferMismatch, ChannelUnavailable, WithdrawalNotFound, TransferUnknown),
)
def withdrawal_refresh(request, withdrawal_id: int):
    """Asks the channel about the withdrawal's transfer now (e.g. back from WeChat's page)."""
    withdrawal = selectors.withdrawal_of(user_id=request.auth.pk, withdrawal_id=withdrawal_id)
    if withdrawal is None:
        raise errors.WithdrawalNotFound()
    transfers.withdrawal_transfer_refresh(withdrawal_id=withdrawal.pk)
    return selectors.withdrawal_of(user_id=request.auth.pk, withdrawal_id=withdrawal_id)


@router.post(
    "/payouts/notify/{provider}",
    auth=None,
    response={204: None},
    summary="转账结果通知（微信支付回调）",
    openapi_extra=raises(
        *refusals(),
        NotificationMalformed,
        NotificationMismatch,
        TransferMismatch,
        ChannelUnavailable,
        WithdrawalNotFound,
    ),
)
def transfer_notify(request, provider: str):
    """WeChat Pay (or the sandbox) reports a transfer bill's end here; 204 also for a
    redelivery of one already handled."""
    transfers.transfer_notification_handle(
        provider_name=provider,
        headers=request.headers,
        body=request.body.decode("utf-8", "replace"),
    )
    return Status(204, None)


def identity_out(user_id: int) -> dict:
    mode, _ = selectors.tax_settings()
    identity = selectors.identity_of(user_id)
    return {
        "required": mode != "none",
        "registered": identity is not None,
        "real_name": identity.real_name if identity else "",
        "id_number": id_number_masked(identity.id_number) if identity else "",
    }


@router.get("/wallet/identity", response=IdentityOut, summary="查看实名信息")
def identity_read(request):
    return identity_out(request.auth.pk)


@router.put(
    "/wallet/identity",
    response=IdentityOut,
    summary="填写实名信息",
    openapi_extra=raises(
        InvalidIdNumber,
        InvalidIdNumber("请填写真实姓名（最多 32 字）", code="invalid_real_name"),
        IdentityLocked,
    ),
)
def identity_write(request, payload: IdentityIn):
    services.identity_set(
        user=request.auth, real_name=payload.real_name, id_number=payload.id_number
    )
    return identity_out(request.auth.pk)


@admin_router.get(
    "/withdrawals",
    response=StaffWithdrawalPage,
    summary="提现申请列表",
    openapi_extra=raises(PermissionDenied),
)
def staff_withdrawal_list(request, filters: Query[StaffWithdrawalFilters]):
    require_perm(request, VIEW)
    qs = selectors.withdrawals_for_staff(status=filters.status, channel=filters.channel)
    return paginate(qs, filters)


@admin_router.post(
    "/withdrawals/{withdrawal_id}/approve",
    response=StaffWithdrawalOut,
    summary="通过提现申请",
    openapi_extra=raises(
        TransferMismatch, PermissionDenied, ChannelUnavailable, WithdrawalNotFound, WithdrawalState
    ),
)
def staff_withdrawal_approve(request, withdrawal_id: int):
    staff = require_perm(request, CHANGE)
    return services.withdrawal_approve(withdrawal_id=withdrawal_id, staff=staff)


@admin_router.post(
    "/withdrawals/{withdrawal_id}/reject",
    response=StaffWithdrawalOut,
    summary="拒绝提现申请",
    openapi_extra=raises(ReasonRequired, PermissionDenied, WithdrawalNotFound, WithdrawalState),
)
def staff_withdrawal_reject(request, withdrawal_id: int, payload: RejectIn):
    staff = require_perm(request, CHANGE)
    return services.withdrawal_reject(
        withdrawal_id=withdrawal_id, staff=staff, reason=payload.reason
    )


@admin_router.post(
    "/withdrawals/{withdrawal_id}/mark-paid",
    response=StaffWithdrawalOut,
    summary="标记提现已打款",
    openapi_extra=raises(ReferenceRequired, PermissionDenied, WithdrawalNotFound, WithdrawalState),
)
def staff_withdrawal_mark_paid(request, withdrawal_id: int, payload: MarkPaidIn):
    staff = require_perm(request, CHANGE)
    return services.withdrawal_mark_paid(
        withdrawal_id=withdrawal_id, staff=staff, reference=payload.reference
    )
