"""Service-level steps shared by the distribution tests: plans, distributors, chains, orders
paid through the sandbox's signed notifications, refunds, completion and the ledger checks."""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.db.models import Sum
from django.utils import timezone

from fenxiao.accounts.models import User
from fenxiao.catalog.models import Sku
from fenxiao.cli import main as fenxiao
from fenxiao.distribution.models import Commission, Distributor, Plan
from fenxiao.distribution.services import binding, distributors
from fenxiao.distribution.services.plan import plan_as_dict, plan_get, plan_update
from fenxiao.ledger import selectors as ledger_selectors
from fenxiao.ledger.models import Entry, Transaction
from fenxiao.marketing.models import UserCoupon
from fenxiao.money import to_integer_fen
from fenxiao.orders import services as orders
from fenxiao.orders.models import Order, Refund
from fenxiao.orders.services.orders import LineRequest
from fenxiao.orders.services.refunds import RefundLineRequest
from fenxiao.payments import providers
from fenxiao.payments import services as payments
from tests.accounts.factories import UserFactory
from tests.conftest import ADDRESS
from tests.marketing.factories import UserCouponFactory

D = Decimal


def plan_set(**changes) -> Plan:
    """Change some fields of the plan through the audited service (the rest stays)."""
    data = plan_as_dict(plan_get())
    data.update(changes)
    return plan_update(data=data, source="test")


def make_distributor(*, inviter: User | None = None, **user_fields) -> User:
    """A new user, made an active distributor the way the plan's mode allows (everyone: at
    once; apply: application and staff approval), bound to `inviter` if given."""
    user = UserFactory(**user_fields)
    if inviter is not None:
        bind_to(user, inviter)
    if plan_get().mode == Plan.Mode.APPLY:
        distributors.distributor_apply(user=user)
        distributors.distributor_approve(distributor_id=user.pk)
    else:
        distributors.distributor_ensure(user=user)
    assert Distributor.objects.get(pk=user.pk).status == Distributor.Status.ACTIVE
    return user


def code_of(user: User) -> str:
    return Distributor.objects.get(pk=user.pk).referral_code


def bind_to(user: User, inviter: User, *, now: datetime | None = None) -> bool:
    """The user follows the inviter's link (bind_on=visit binds at once)."""
    result = binding.referral_visit(user=user, code=code_of(inviter), now=now)
    return result.bound


def chain(levels: int) -> list[User]:
    """Distributors top → bottom, each bound to the one before: chain(3) = [L3, L2, L1]."""
    people: list[User] = []
    for _ in range(levels):
        people.append(make_distributor(inviter=people[-1] if people else None))
    return people


def buyer_under(inviter: User | None) -> User:
    buyer = UserFactory()
    if inviter is not None:
        assert bind_to(buyer, inviter)
    return buyer


def coupon_for(buyer: User, amount: Decimal, *, product_ids: list[int] | None = None) -> UserCoupon:
    """A ¥`amount` no-threshold coupon the buyer holds, on every product or only on these."""
    scope = {"coupon__scope_kind": "products", "coupon__product_ids": product_ids}
    return UserCouponFactory(user=buyer, coupon__amount=amount, **(scope if product_ids else {}))


def place(buyer: User, *items: tuple[Sku, int], coupon: UserCoupon | None = None) -> Order:
    """The buyer places an order, with one of their coupons if given: pricing spreads its
    discount over the lines it covers."""
    order, _ = orders.order_place(
        buyer=buyer,
        lines=[LineRequest(sku.pk, qty) for sku, qty in items],
        address=ADDRESS,
        coupon_id=coupon.pk if coupon else None,
    )
    return order


@dataclass
class Delivered:
    headers: dict
    body: str


def pay(order: Order) -> Delivered:
    """The buyer pays in the sandbox; its signed notification goes through the real handler."""
    payment, _ = payments.payment_start(order_id=order.pk, buyer=order.buyer)
    headers, body = providers.get("sandbox").payment_notification(
        out_trade_no=payment.out_trade_no, amount_cents=to_integer_fen(payment.amount)
    )
    payments.notification_handle(provider_name="sandbox", headers=headers, body=body)
    order.refresh_from_db()
    assert order.status == Order.Status.PAID
    return Delivered(headers, body)


def buy(buyer: User, *items: tuple[Sku, int], coupon: UserCoupon | None = None) -> Order:
    order = place(buyer, *items, coupon=coupon)
    pay(order)
    return order


def complete(order: Order, *, at: datetime | None = None) -> Order:
    at = at or timezone.now()
    orders.order_ship(order_id=order.pk, carrier="顺丰速运", tracking_no="SF1", now=at)
    orders.order_confirm(order_id=order.pk, now=at)
    order.refresh_from_db()
    return order


def request_refund(order: Order, quantities: dict[int, int]) -> Refund:
    """quantities: {line id: quantity}."""
    return orders.refund_request(
        order_id=order.pk,
        buyer=order.buyer,
        lines=[RefundLineRequest(line_id, qty) for line_id, qty in quantities.items()],
        reason="不想要了",
    )


def refund(order: Order, quantities: dict[int, int]) -> Refund:
    """Request and approve a refund; the sandbox confirms it at once."""
    asked = request_refund(order, quantities)
    done = payments.refund_approve(refund_id=asked.pk, staff=None)
    assert done.status == Refund.Status.REFUNDED
    return done


def line_of(order: Order, index: int = 0):
    return order.lines.order_by("pk")[index]


def commissions_of(user: User, **filters) -> list[Commission]:
    return list(Commission.objects.filter(beneficiary=user, **filters).order_by("pk"))


def amounts_by_level(order: Order) -> dict[int, Decimal]:
    rows = Commission.objects.filter(order=order).values("level").annotate(s=Sum("amount"))
    return {row["level"]: row["s"] for row in rows}


def balances(user: User) -> dict[str, Decimal]:
    return ledger_selectors.balances_of(user.pk)


def assert_ledger_clean() -> None:
    """Every transaction sums to zero, cached balances match the entries, frozen balances
    match frozen commissions, orders match payments: `fenxiao reconcile` exits 0."""
    sums = Entry.objects.values("transaction_id").annotate(s=Sum("amount"))
    assert all(row["s"] == 0 for row in sums), list(sums.exclude(s=0))
    assert fenxiao(["reconcile"]) == 0


def transactions(kind: str, source_id: str | None = None) -> int:
    qs = Transaction.objects.filter(kind=kind)
    return (qs.filter(source_id=source_id) if source_id else qs).count()
