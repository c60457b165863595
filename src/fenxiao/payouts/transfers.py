"""Services of transfer bills (商家转账): open one when a withdrawal on a transfer channel is
approved and send it after commit; apply what the channel reports (the create answer, a
notification, a query) through one path; cancel bills left unconfirmed; issue a new bill only
once a query confirmed WeChat never created the old one."""

import logging
from datetime import datetime
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from pydantic import ValidationError

from fenxiao import db
from fenxiao.accounts.models import User
from fenxiao.errors import DomainError
from fenxiao.money import to_integer_fen
from fenxiao.payments.errors import NotificationMalformed, NotificationMismatch
from fenxiao.payouts import errors, locks, providers, selectors
from fenxiao.payouts.models import PayoutTransfer, TransferNotification, Withdrawal
from fenxiao.payouts.providers.base import NOTIFY_EVENT, Bill
from fenxiao.payouts.schemas import TransferResource
from fenxiao.payouts.transitions import locked, pay, return_money

logger = logging.getLogger(__name__)

Status = Withdrawal.Status
State = PayoutTransfer.State

REMARK = "分销佣金提现"
# WeChat requires the payee's real name from this amount on (and checks it)
USER_NAME_FROM = Decimal("2000.00")


def out_bill_no(withdrawal_id: int, attempt: int) -> str:
    return f"W{withdrawal_id}N{attempt}"


def transfer_open(withdrawal: Withdrawal, *, attempt: int, now: datetime) -> PayoutTransfer:
    """In the caller's transaction, under the withdrawal's lock: the bill's row first (so its
    out_bill_no is ours before WeChat sees it), sent once the transaction commits."""
    transfer = PayoutTransfer.objects.create(
        withdrawal=withdrawal,
        channel=withdrawal.channel,
        attempt=attempt,
        out_bill_no=out_bill_no(withdrawal.pk, attempt),
        amount=withdrawal.net,
        created_at=now,
        updated_at=now,
        confirm_before=now + settings.TRANSFER_CONFIRM_HOURS,
    )
    transaction.on_commit(lambda: transfer_send(transfer_id=transfer.pk), robust=True)
    return transfer


def _lacks_package(transfer: PayoutTransfer) -> bool:
    return transfer.state == State.WAIT_USER_CONFIRM and not transfer.package_info


def transfer_send(*, transfer_id: int) -> PayoutTransfer:
    """Issue the bill, outside any row lock, and apply the answer. Without a clear answer the
    bill stays UNKNOWN for the periodic query to find out. Also sent again, under the same
    out_bill_no, for a waiting bill found by a query: only the create answer has the
    package_info the client needs, and WeChat answers a repeated out_bill_no with the same
    bill."""
    transfer = PayoutTransfer.objects.select_related("withdrawal__user").get(pk=transfer_id)
    if transfer.state != State.UNKNOWN and not _lacks_package(transfer):
        return transfer
    withdrawal = transfer.withdrawal
    identity = selectors.identity_of(withdrawal.user_id)
    named = identity is not None and transfer.amount >= USER_NAME_FROM
    try:
        bill = providers.get(transfer.channel).create_bill(
            out_bill_no=transfer.out_bill_no,
            amount_cents=to_integer_fen(transfer.amount),
            openid=withdrawal.user.openid or "",
            user_name=identity.real_name if named else "",
            remark=REMARK,
        )
    except errors.TransferUnknown as exc:
        logger.warning("transfer %s: %s", transfer.out_bill_no, exc.message)
        PayoutTransfer.objects.filter(pk=transfer.pk, state=State.UNKNOWN).update(
            fail_reason=exc.message[:200]
        )
        return PayoutTransfer.objects.get(pk=transfer.pk)
    return transfer_apply(bill=bill)


@transaction.atomic
def transfer_apply(*, bill: Bill, now: datetime | None = None) -> PayoutTransfer:
    """The one path every report of a bill takes. A final state is final: reported again it
    changes nothing. SUCCESS pays the withdrawal, FAIL and CANCELLED return its money."""
    now = now or timezone.now()
    withdrawal_id = (
        PayoutTransfer.objects.filter(out_bill_no=bill.out_bill_no)
        .values_list("withdrawal_id", flat=True)
        .first()
    )
    if withdrawal_id is None:
        raise errors.TransferMismatch("转账单号不存在")
    withdrawal = locked(withdrawal_id)
    transfer = locks.transfer_for_update(bill.out_bill_no)
    if bill.amount_cents is not None and bill.amount_cents != to_integer_fen(transfer.amount):
        raise errors.TransferMismatch("转账金额与记录不符")
    if transfer.final:
        if transfer.state != bill.state:
            logger.error("transfer %s is %s, reported %s", bill.out_bill_no, transfer.state, bill)
        return transfer
    transfer.state = bill.state
    transfer.transfer_bill_no = bill.transfer_bill_no or transfer.transfer_bill_no
    transfer.package_info = bill.package_info or transfer.package_info
    transfer.fail_reason = bill.fail_reason[:200]
    transfer.updated_at = now
    if transfer.final:
        transfer.finished_at = now
    transfer.save()
    if transfer.final:
        _finish(withdrawal, transfer, now=now)
    return transfer


def _finish(withdrawal: Withdrawal, transfer: PayoutTransfer, *, now: datetime) -> None:
    if withdrawal.status != Status.APPROVED:
        # reject and fail refuse approved transfer withdrawals, so this means a bug
        logger.error(
            "transfer %s %s for %s withdrawal", transfer, transfer.state, withdrawal.status
        )
        return
    if transfer.state == State.SUCCESS:
        pay(withdrawal, actor=None, reference=transfer.transfer_bill_no or str(transfer), now=now)
    elif transfer.state == State.FAIL:
        reason = f"转账失败（{transfer.fail_reason or '未说明原因'}）"
        return_money(
            withdrawal, status=Status.FAILED, actor=None, action="fail", reason=reason, now=now
        )
    elif transfer.state == State.CANCELLED:
        reason = "未在期限内确认收款，转账已撤销"
        return_money(
            withdrawal, status=Status.CANCELLED, actor=None, action="cancel", reason=reason, now=now
        )


@transaction.atomic
def _transfer_not_found(*, transfer: PayoutTransfer, now: datetime) -> PayoutTransfer:
    """A query confirmed WeChat never created this bill: only now may another be issued, up
    to TRANSFER_MAX_ATTEMPTS; then the withdrawal fails and its money goes back."""
    withdrawal = locked(transfer.withdrawal_id)
    transfer = locks.transfer_for_update(transfer.out_bill_no)
    if transfer.state != State.UNKNOWN:
        return transfer
    transfer.state = State.NOT_FOUND
    transfer.updated_at = transfer.finished_at = now
    transfer.save(update_fields=["state", "updated_at", "finished_at"])
    if withdrawal.status != Status.APPROVED:
        return transfer
    if transfer.attempt < settings.TRANSFER_MAX_ATTEMPTS:
        return transfer_open(withdrawal, attempt=transfer.attempt + 1, now=now)
    reason = f"转账 {transfer.attempt} 次均未能发起（{transfer.fail_reason or '渠道无应答'}）"
    return_money(
        withdrawal, status=Status.FAILED, actor=None, action="fail", reason=reason[:200], now=now
    )
    return transfer


def transfer_query(*, transfer: PayoutTransfer, now: datetime | None = None) -> PayoutTransfer:
    """Ask the channel now and apply its answer. NOT_FOUND counts only for a bill old enough
    that its create call cannot still be on the way."""
    now = now or timezone.now()
    bill = providers.get(transfer.channel).query_bill(transfer.out_bill_no)
    if bill is not None:
        transfer = transfer_apply(bill=bill, now=now)
        return transfer_send(transfer_id=transfer.pk) if _lacks_package(transfer) else transfer
    if (
        transfer.state == State.UNKNOWN
        and transfer.created_at <= now - settings.TRANSFER_QUERY_AFTER
    ):
        return _transfer_not_found(transfer=transfer, now=now)
    return transfer


def transfers_query_due(*, now: datetime | None = None) -> int:
    """Periodic: query every bill without a final state not heard of for TRANSFER_QUERY_AFTER
    (a lost notification, a create without answer: then a new attempt if WeChat has none)."""
    now = now or timezone.now()
    due = (
        PayoutTransfer.objects.exclude(state__in=PayoutTransfer.FINAL)
        .filter(updated_at__lte=now - settings.TRANSFER_QUERY_AFTER)
        .order_by("pk")
    )
    changed = 0
    for transfer in due:
        try:
            after = transfer_query(transfer=transfer, now=now)
        except DomainError as exc:  # unreachable, refused, unconfigured: the next run retries
            logger.warning("query of transfer %s failed: %s", transfer, exc.message)
            continue
        changed += after.state != transfer.state or after.pk != transfer.pk
    return changed


def transfers_cancel_expired(*, now: datetime | None = None) -> int:
    """Periodic: cancel bills still waiting for the user after TRANSFER_CONFIRM_HOURS. The
    money goes back once the channel reports CANCELLED (at once, or by notification or
    query); a bill the user confirmed meanwhile is paid instead."""
    now = now or timezone.now()
    expired = PayoutTransfer.objects.filter(
        state=State.WAIT_USER_CONFIRM, confirm_before__lte=now
    ).order_by("pk")
    cancelled = 0
    for transfer in expired:
        try:
            provider = providers.get(transfer.channel)
            try:
                bill = provider.cancel_bill(transfer.out_bill_no)
            except errors.TransferUnknown:
                bill = provider.query_bill(transfer.out_bill_no)  # confirmed meanwhile?
            if bill is not None:
                cancelled += transfer_apply(bill=bill, now=now).state == State.CANCELLED
        except DomainError as exc:
            logger.warning("cancel of transfer %s failed: %s", transfer, exc.message)
    return cancelled


def transfer_notification_handle(
    *, provider_name: str, headers, body: str, now: datetime | None = None
) -> bool:
    """Verify, then apply a MCHTRANSFER.BILL.FINISHED notification once. Forged or stale:
    401; genuine but not a transfer bill we know: 400; the same id again: False, no effect."""
    now = now or timezone.now()
    provider = providers.get(provider_name)
    notification = provider.verify(headers=headers, body=body, now=now)
    if notification.event_type != NOTIFY_EVENT:
        raise NotificationMalformed(f"不支持的通知类型: {notification.event_type}")
    try:
        resource = TransferResource.model_validate(notification.resource)
    except ValidationError as exc:
        fields = ", ".join(".".join(map(str, e["loc"])) or "resource" for e in exc.errors())
        raise NotificationMalformed(f"通知内容格式错误: {fields}") from exc
    if resource.mch_id != provider.mchid:
        raise NotificationMismatch("商户号不符")
    return _notification_apply(
        provider_name=provider.name, notification_id=notification.id, resource=resource, now=now
    )


@transaction.atomic
def _notification_apply(
    *, provider_name: str, notification_id: str, resource: TransferResource, now: datetime
) -> bool:
    if not db.insert_new(
        TransferNotification,
        provider=provider_name,
        notification_id=notification_id,
        out_bill_no=resource.out_bill_no,
        state=resource.state,
        received_at=now,
    ):
        return False
    bill = Bill(
        out_bill_no=resource.out_bill_no,
        state=resource.state,
        transfer_bill_no=resource.transfer_bill_no,
        fail_reason=resource.fail_reason,
        amount_cents=resource.transfer_amount,
    )
    transfer_apply(bill=bill, now=now)
    return True


def withdrawal_transfer_refresh(
    *, withdrawal_id: int, now: datetime | None = None
) -> PayoutTransfer | None:
    """Ask the channel about the withdrawal's current bill now (the distributor's refresh, the
    console's 查询转账结果)."""
    transfer = selectors.transfer_current(withdrawal_id)
    if transfer is None or transfer.final:
        return transfer
    try:
        return transfer_query(transfer=transfer, now=now)
    except errors.TransferUnknown as exc:
        logger.warning("refresh of transfer %s failed: %s", transfer, exc.message)
        raise errors.TransferUnknown() from exc


def sandbox_transfer_confirm(*, user: User, withdrawal_id: int) -> Withdrawal:
    """Play the distributor accepting in WeChat: the sandbox moves its bill to SUCCESS, signs
    the MCHTRANSFER.BILL.FINISHED notification, and it is handled like one over HTTP."""
    withdrawal = selectors.withdrawal_of(user_id=user.pk, withdrawal_id=withdrawal_id)
    if withdrawal is None or withdrawal.channel != Withdrawal.Channel.SANDBOX:
        raise errors.WithdrawalNotFound()
    provider = providers.get("sandbox")
    transfer = selectors.transfer_current(withdrawal.pk)
    delivered = None
    if transfer is not None and transfer.state == State.WAIT_USER_CONFIRM:
        delivered = provider.finish(transfer.out_bill_no)
    if delivered is None:
        raise errors.WithdrawalState("该提现当前没有待确认收款的转账")
    headers, body = delivered
    transfer_notification_handle(provider_name="sandbox", headers=headers, body=body)
    return Withdrawal.objects.get(pk=withdrawal.pk)
