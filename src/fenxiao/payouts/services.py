"""Every write of payouts: request, cancel, approve, reject, mark paid, fail, and the payee's
identity. Each state change moves money in the ledger and writes its audit event in the same
transaction."""

import hashlib
import json
import logging
from datetime import datetime
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from fenxiao.accounts.models import User
from fenxiao.distribution import locks as distribution_locks
from fenxiao.distribution.errors import NotADistributor
from fenxiao.distribution.models import Distributor
from fenxiao.errors import DomainError
from fenxiao.ledger import selectors as ledger_selectors
from fenxiao.ledger import services as ledger
from fenxiao.money import yuan
from fenxiao.payouts import errors, selectors, transfers
from fenxiao.payouts.identity import id_number_valid
from fenxiao.payouts.models import PayoutIdentity, Withdrawal
from fenxiao.payouts.selectors import ACCOUNT_FIELDS, KIND_REQUEST
from fenxiao.payouts.transitions import event, locked, pay, require, return_money

logger = logging.getLogger(__name__)

Status = Withdrawal.Status
Channel = Withdrawal.Channel
AUTO_APPROVED = "自动审核"


def parse_amount(value) -> Decimal:
    try:
        amount = yuan(value)
    except (ValueError, TypeError) as exc:
        raise errors.InvalidAmount() from exc
    if amount <= 0:
        raise errors.InvalidAmount()
    return amount


def parse_channel(value: str) -> str:
    if value not in Channel.values or value not in settings.PAYOUT_CHANNELS:
        choices = ", ".join(c for c in settings.PAYOUT_CHANNELS if c in Channel.values)
        raise errors.UnknownChannel(f"不支持的提现渠道: {value}（可选 {choices}）")
    return value


def clean_account(channel: str, account: dict | None) -> dict:
    """Only the fields the channel needs, as short trimmed strings, all present."""
    account = account or {}
    cleaned = {}
    for field in ACCOUNT_FIELDS[channel]:
        value = account.get(field)
        if not isinstance(value, str) or not value.strip() or len(value.strip()) > 64:
            raise errors.InvalidAccount(f"收款账户信息不完整：缺少 {field}")
        cleaned[field] = value.strip()
    return cleaned


def fingerprint(*, amount: Decimal, channel: str, account: dict) -> str:
    body = json.dumps(
        {"amount": str(amount), "channel": channel, "account": account},
        sort_keys=True,
        ensure_ascii=False,
    )
    return hashlib.sha256(body.encode()).hexdigest()


def _check_wechat_payee(user: User, *, net: Decimal) -> None:
    """What WeChat would refuse later, said now: the payee's openid, and from ¥2,000 on the
    real name it checks against the WeChat account."""
    if not user.openid:
        raise errors.OpenidRequired()
    if net >= transfers.USER_NAME_FROM and selectors.identity_of(user.pk) is None:
        raise errors.IdentityRequired(
            f"单笔实付 ¥{transfers.USER_NAME_FROM} 及以上的微信提现须先登记真实姓名和身份证号"
        )


def active_distributor_for_update(user_id: int) -> Distributor:
    distributor = distribution_locks.distributor_for_update(user_id)
    if distributor is None or distributor.status != Distributor.Status.ACTIVE:
        raise NotADistributor(selectors.NOT_ACTIVE)
    return distributor


@transaction.atomic
def withdrawal_request(
    *,
    user: User,
    amount,
    channel: str,
    request_id: str,
    account: dict | None = None,
    now: datetime | None = None,
) -> tuple[Withdrawal, bool]:
    """A distributor asks to withdraw: available → withdrawing. Returns (withdrawal, created);
    the same request_id with the same body returns the original, with another body refuses."""
    now = now or timezone.now()
    amount = parse_amount(amount)
    channel = parse_channel(channel)
    account = clean_account(channel, account)
    print_ = fingerprint(amount=amount, channel=channel, account=account)

    # the distributor row serialises one person's requests: limits and tax read consistent sums
    distributor = active_distributor_for_update(user.pk)
    earlier = Withdrawal.objects.filter(user=user, request_id=request_id).first()
    if earlier is not None:
        if earlier.fingerprint != print_:
            raise errors.IdempotencyConflict()
        return earlier, False

    grade = distributor.grade
    if amount < grade.withdraw_min:
        raise errors.BelowMinimum(f"单笔提现不能低于 ¥{grade.withdraw_min}")
    day_amount, day_count = selectors.day_totals(user_id=user.pk, now=now)
    if day_count >= grade.withdraw_daily_count:
        raise errors.DailyCountExceeded(
            f"每天最多提现 {grade.withdraw_daily_count} 次，今日次数已用完，请明天再试"
        )
    if day_amount + amount > grade.withdraw_daily_max:
        left = max(grade.withdraw_daily_max - day_amount, 0)
        raise errors.DailyLimitExceeded(
            f"超过每日提现上限 ¥{grade.withdraw_daily_max}，今日还可提现 ¥{left}"
        )
    mode, _ = selectors.tax_settings()
    if mode != "none" and selectors.identity_of(user.pk) is None:
        raise errors.IdentityRequired()
    quote = selectors.quote(user_id=user.pk, grade=grade, amount=amount, now=now)
    if quote.net <= 0:
        raise errors.AmountTooSmall()
    if channel == Channel.WECHAT:
        _check_wechat_payee(user, net=quote.net)

    available_key = ledger.user_key(user.pk, "available")
    withdrawing_key = ledger.user_key(user.pk, "withdrawing")
    ledger.accounts_lock([available_key, withdrawing_key])
    available = ledger_selectors.balances_of(user.pk)["available"]  # read under the lock
    if available < amount:
        raise errors.InsufficientBalance(f"可提现余额不足：当前可提现 ¥{available}")

    try:
        with transaction.atomic():
            withdrawal = Withdrawal.objects.create(
                user=user,
                amount=amount,
                fee=quote.fee,
                tax=quote.tax,
                net=quote.net,
                channel=channel,
                account=account,
                request_id=request_id,
                fingerprint=print_,
                created_at=now,
            )
    except IntegrityError as exc:  # the distributor lock makes this unreachable; be explicit
        raise errors.IdempotencyConflict() from exc
    event(withdrawal, actor=user, action="request", before="", note="", now=now)
    ledger.post(
        kind=KIND_REQUEST,
        source_id=str(withdrawal.pk),
        legs=[(available_key, -amount), (withdrawing_key, amount)],
        memo=f"提现申请 #{withdrawal.pk}",
        now=now,
    )
    limit = selectors.auto_approve_below()
    if limit > 0 and amount <= limit:
        # after commit: the payout that approval starts must not run under this request's locks
        pk = withdrawal.pk
        transaction.on_commit(lambda: withdrawal_auto_approve(withdrawal_id=pk), robust=True)
    return withdrawal, True


def withdrawal_auto_approve(*, withdrawal_id: int) -> Withdrawal | None:
    """The plan's automatic approval of a small request that has just committed. A refusal
    (say it was cancelled a moment before) rolls back and leaves the withdrawal as it was, for
    staff; other errors are logged by on_commit(robust=True) with the same result."""
    try:
        return withdrawal_approve(withdrawal_id=withdrawal_id, staff=None)
    except DomainError as exc:
        logger.warning("withdrawal %s not auto-approved: %s", withdrawal_id, exc.message)
        return None


@transaction.atomic
def withdrawal_cancel(*, user: User, withdrawal_id: int, now: datetime | None = None) -> Withdrawal:
    """The distributor takes back a request nobody has reviewed yet."""
    now = now or timezone.now()
    withdrawal = locked(withdrawal_id, user=user)
    require(withdrawal, Status.REQUESTED)
    return return_money(
        withdrawal, status=Status.CANCELLED, actor=user, action="cancel", reason="用户取消", now=now
    )


@transaction.atomic
def withdrawal_approve(
    *, withdrawal_id: int, staff: User | None, now: datetime | None = None
) -> Withdrawal:
    """Finance approves. On a transfer channel (wechat, sandbox) the bill is issued once this
    commits and the withdrawal stays approved until the channel reports the bill's end; bank
    and Alipay wait for finance to pay by hand and mark them paid."""
    now = now or timezone.now()
    withdrawal = locked(withdrawal_id)
    require(withdrawal, Status.REQUESTED)
    if withdrawal.channel not in settings.PAYOUT_CHANNELS:
        raise errors.WithdrawalState("该提现渠道已停用，请拒绝后让分销商改用其他渠道")
    withdrawal.status = Status.APPROVED
    withdrawal.reviewed_by, withdrawal.reviewed_at = staff, now
    withdrawal.save(update_fields=["status", "reviewed_by", "reviewed_at"])
    note = "" if staff is not None else AUTO_APPROVED
    event(withdrawal, actor=staff, action="approve", before=Status.REQUESTED, note=note, now=now)
    if withdrawal.channel in Withdrawal.TRANSFER_CHANNELS:
        transfers.transfer_open(withdrawal, attempt=1, now=now)
    return withdrawal


def _refuse_transfer_in_flight(withdrawal: Withdrawal) -> None:
    """An approved transfer withdrawal has a bill at the channel: only its outcome (paid, or
    failed / cancelled with the money back) may end it, or it could be paid twice."""
    if withdrawal.status == Status.APPROVED and withdrawal.channel in Withdrawal.TRANSFER_CHANNELS:
        raise errors.WithdrawalState(
            "已发起转账，须等待用户确认收款；超时未确认会自动撤销并退回余额"
        )


@transaction.atomic
def withdrawal_reject(
    *, withdrawal_id: int, staff: User | None, reason: str, now: datetime | None = None
) -> Withdrawal:
    reason = (reason or "").strip()
    if not reason:
        raise errors.ReasonRequired("请填写拒绝原因")
    now = now or timezone.now()
    withdrawal = locked(withdrawal_id)
    require(withdrawal, Status.REQUESTED, Status.APPROVED)
    _refuse_transfer_in_flight(withdrawal)
    return return_money(
        withdrawal, status=Status.REJECTED, actor=staff, action="reject", reason=reason, now=now
    )


@transaction.atomic
def withdrawal_mark_paid(
    *, withdrawal_id: int, staff: User | None, reference: str, now: datetime | None = None
) -> Withdrawal:
    """Finance paid an approved bank or Alipay withdrawal by hand; `reference` is the bank's."""
    reference = (reference or "").strip()
    if not reference:
        raise errors.ReferenceRequired()
    now = now or timezone.now()
    withdrawal = locked(withdrawal_id)
    require(withdrawal, Status.APPROVED)
    if withdrawal.channel not in Withdrawal.MANUAL_CHANNELS:
        raise errors.WithdrawalState("该渠道的提现由渠道自动打款，不能手工标记")
    return pay(withdrawal, actor=staff, reference=reference, now=now)


@transaction.atomic
def withdrawal_fail(
    *, withdrawal_id: int, staff: User | None, reason: str, now: datetime | None = None
) -> Withdrawal:
    """An approved payout that the channel (or the bank) did not carry out: money back once."""
    now = now or timezone.now()
    withdrawal = locked(withdrawal_id)
    require(withdrawal, Status.APPROVED)
    _refuse_transfer_in_flight(withdrawal)
    return return_money(
        withdrawal,
        status=Status.FAILED,
        actor=staff,
        action="fail",
        reason=(reason or "打款失败").strip(),
        now=now,
    )


@transaction.atomic
def identity_set(*, user: User, real_name: str, id_number: str) -> PayoutIdentity:
    """Entered once; the same details again are accepted, different ones refused."""
    real_name, id_number = real_name.strip(), id_number.strip().upper()
    if not real_name or len(real_name) > 32:
        raise errors.InvalidIdNumber("请填写真实姓名（最多 32 字）", code="invalid_real_name")
    if not id_number_valid(id_number):
        raise errors.InvalidIdNumber("身份证号码无效：须为 18 位且校验位正确")
    try:
        with transaction.atomic():
            return PayoutIdentity.objects.create(
                user=user, real_name=real_name, id_number=id_number
            )
    except IntegrityError:
        current = PayoutIdentity.objects.get(pk=user.pk)
        if (current.real_name, current.id_number) != (real_name, id_number):
            raise errors.IdentityLocked() from None
        return current
