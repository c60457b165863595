"""Row locks of payouts. In the project's lock order (`fenxiao.accounts.locks`) withdrawals
come after commissions and before ledger accounts; a withdrawal request locks the
distributor row first (distribution's lock), which serialises one person's requests. A
withdrawal's transfer bills are locked right after the withdrawal itself."""

from fenxiao.payouts.models import PayoutTransfer, Withdrawal


def withdrawal_for_update(withdrawal_id: int) -> Withdrawal | None:
    return Withdrawal.objects.select_for_update().filter(pk=withdrawal_id).first()


def transfer_for_update(out_bill_no: str) -> PayoutTransfer | None:
    """Take the withdrawal's lock first."""
    return PayoutTransfer.objects.select_for_update().filter(out_bill_no=out_bill_no).first()
