"""The withdrawal's state changes that move money (pay, return) and its audit events. Callers
hold the withdrawal's row lock (`locked`), taken before any ledger account."""

from fenxiao.accounts.models import User
from fenxiao.ledger import services as ledger
from fenxiao.payouts import errors, locks
from fenxiao.payouts.models import Withdrawal, WithdrawalEvent
from fenxiao.payouts.selectors import KIND_PAID, KIND_RETURN

Status = Withdrawal.Status


def event(
    withdrawal: Withdrawal, *, actor: User | None, action: str, before: str, note: str, now
) -> None:
    WithdrawalEvent.objects.create(
        withdrawal=withdrawal,
        actor=actor,
        action=action,
        from_status=before,
        to_status=withdrawal.status,
        note=note[:200],
        created_at=now,
    )


def locked(withdrawal_id: int, *, user: User | None = None) -> Withdrawal:
    withdrawal = locks.withdrawal_for_update(withdrawal_id)
    if withdrawal is None or (user is not None and withdrawal.user_id != user.pk):
        raise errors.WithdrawalNotFound()
    return withdrawal


def require(withdrawal: Withdrawal, *allowed: str) -> None:
    if withdrawal.status not in allowed:
        raise errors.WithdrawalState(
            f"提现 #{withdrawal.pk} 当前状态为「{withdrawal.get_status_display()}」，不能执行此操作"
        )


def return_money(withdrawal: Withdrawal, *, status: str, actor, action: str, reason: str, now):
    """rejected / failed / cancelled: withdrawing → available, once."""
    before = withdrawal.status
    user_id = withdrawal.user_id
    withdrawal.status = status
    withdrawal.reason = reason[:200]
    if actor is not None and action != "cancel":
        withdrawal.reviewed_by, withdrawal.reviewed_at = actor, now
    withdrawal.save(update_fields=["status", "reason", "reviewed_by", "reviewed_at"])
    event(withdrawal, actor=actor, action=action, before=before, note=reason, now=now)
    ledger.post(
        kind=KIND_RETURN,
        source_id=str(withdrawal.pk),
        legs=[
            (ledger.user_key(user_id, "withdrawing"), -withdrawal.amount),
            (ledger.user_key(user_id, "available"), withdrawal.amount),
        ],
        memo=f"提现退回 #{withdrawal.pk}（{withdrawal.get_status_display()}）",
        now=now,
    )
    return withdrawal


def pay(withdrawal: Withdrawal, *, actor, reference: str, now) -> Withdrawal:
    """paid: withdrawing → payout_clearing (net), tax_payable (tax), fees (fee)."""
    before = withdrawal.status
    withdrawal.status = Status.PAID
    withdrawal.paid_reference = reference[:64]
    withdrawal.paid_at = now
    withdrawal.save(update_fields=["status", "paid_reference", "paid_at"])
    event(withdrawal, actor=actor, action="pay", before=before, note=reference, now=now)
    ledger.post(
        kind=KIND_PAID,
        source_id=str(withdrawal.pk),
        legs=[
            (ledger.user_key(withdrawal.user_id, "withdrawing"), -withdrawal.amount),
            (ledger.platform_key("payout_clearing"), withdrawal.net),
            (ledger.platform_key("tax_payable"), withdrawal.tax),
            (ledger.platform_key("fees"), withdrawal.fee),
        ],
        memo=f"提现打款 #{withdrawal.pk}",
        now=now,
    )
    return withdrawal
