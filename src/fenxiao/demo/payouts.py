"""The demo's withdrawals (提现), one in each state finance meets: waiting for review, rejected,
paid through the sandbox transfer, and approved with the transfer waiting for the distributor
to confirm. Runs after the shop is committed: a transfer bill is sent once its approval commits.
The H5 buyer's own balance is left for whoever tries the demo."""

from decimal import Decimal

from fenxiao.accounts.models import User
from fenxiao.demo import people
from fenxiao.ledger.models import Account
from fenxiao.payouts import selectors, services, transfers

BANK = {"bank_name": "招商银行深圳南山支行", "card_no": "6225880112345678", "holder": "林晓"}


def _richest_distributor() -> User | None:
    account = (
        Account.objects.filter(kind=Account.Kind.AVAILABLE, balance__gte=Decimal("200"))
        .exclude(owner__phone=people.H5_BUYER[0])
        .order_by("-balance", "pk")
        .first()
    )
    return account and User.objects.get(pk=account.owner_id)


def load_payouts(*, staff: dict[str, User]) -> None:
    user = _richest_distributor()
    if user is None:
        return
    finance = staff["finance"]

    def ask(n: int, amount: str, channel: str, account: dict | None = None):
        withdrawal, _ = services.withdrawal_request(
            user=user, amount=amount, channel=channel, request_id=f"demo-{n}", account=account
        )
        return withdrawal

    ask(1, "100.00", "bank", BANK)  # waits for review
    rejected = ask(2, "30.00", "alipay", {"account": "lin***@example.com", "holder": "林晓"})
    services.withdrawal_reject(
        withdrawal_id=rejected.pk, staff=finance, reason="支付宝账户与实名不符，请核对后重新申请"
    )
    paid = ask(3, "50.00", "sandbox")
    approve(paid.pk, finance)
    transfers.sandbox_transfer_confirm(user=user, withdrawal_id=paid.pk)
    approve(ask(4, "20.00", "sandbox").pk, finance)  # the bill waits for the distributor


def approve(withdrawal_id: int, staff: User) -> None:
    """Approve and make sure the bill is sent (a no-op when the commit already sent it; inside
    an outer transaction, as in tests, nothing was sent yet)."""
    services.withdrawal_approve(withdrawal_id=withdrawal_id, staff=staff)
    transfers.transfer_send(transfer_id=selectors.transfer_current(withdrawal_id).pk)


def staff_by_role() -> dict[str, User]:
    return {role: User.objects.get(phone=phone) for role, phone, _ in people.STAFF}
