"""Row locks of payouts. In the project's lock order (`fenxiao.accounts.locks`) withdrawals
come after commissions and before ledger accounts; a withdrawal request locks the
distributor row first (distribution's lock), which serialises one person's requests."""

from fenxiao.payouts.models import Withdrawal


def withdrawal_for_update(withdrawal_id: int) -> Withdrawal | None:
    return Withdrawal.objects.select_for_update().filter(pk=withdrawal_id).first()
