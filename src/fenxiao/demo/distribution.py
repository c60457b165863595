"""The demo's distribution network (分销): a three-level plan, grades, a tree of distributors
three levels deep (and one deeper, who earns nothing for the top), a product with its own
rate, and commissions in every state.

`load_distribution` runs before any order is placed, so paying the demo's orders creates the
commissions the normal way; `load_history` then moves some completed orders into the past so
their commissions settle, and refunds one settled order so a claw-back shows too.
"""

from datetime import timedelta

from fenxiao.accounts.models import User
from fenxiao.catalog.models import Product
from fenxiao.demo.orders import OrderMaker
from fenxiao.distribution.models import Commission, Grade, ProductCommission
from fenxiao.distribution.services import binding, distributors, grades, plan
from fenxiao.distribution.services.commissions import commissions_settle_due
from fenxiao.ledger.models import Transaction
from fenxiao.orders.models import Order
from fenxiao.orders.services import refund_request
from fenxiao.orders.services.refunds import RefundLineRequest
from fenxiao.payments.models import Payment
from fenxiao.payments.services import refund_approve

PLAN = {
    "mode": "everyone",
    "levels": 3,
    "rates": [
        {"level": 1, "percent": "15"},
        {"level": 2, "percent": "10"},
        {"level": 3, "percent": "5"},
    ],
    "bind_rule": "first_touch",
    "bind_on": "visit",
    "bind_days": 30,
    "self_purchase": False,
    "freeze_days": 7,
    "max_commission_share": "50",
    "threshold_amount": "0",
    "base": "paid",
}
GRADES = [
    dict(
        name="银牌分销商",
        rank=1,
        rates=[{"level": 1, "percent": "18"}],
        upgrade_own_sales=1000,
        withdraw_daily_max=10000,
    ),
    dict(
        name="金牌分销商",
        rank=2,
        rates=[{"level": 1, "percent": "20"}, {"level": 2, "percent": "12"}],
        upgrade_team_sales=5000,
        upgrade_direct_buyers=3,
        withdraw_daily_max=50000,
        privileges={"team_reports": True},
    ),
]
# (child index, parent index) in the buyer list; index 0 is the H5 buyer at the top
TREE = [
    (1, 0),
    (2, 0),
    (3, 1),
    (4, 1),
    (5, 1),
    (6, 2),
    (7, 3),
    (8, 3),
    (9, 6),
    (10, 7),
    (11, 4),
    (12, 5),
]
SOURCES = ["link", "poster", "product"]


def load_distribution(*, staff: dict[str, User], buyers: list[User]) -> None:
    plan.plan_update(data=PLAN, staff=staff["owner"], source="import")
    for fields in GRADES:
        grades.grade_save(grade=Grade(**fields))
    products = list(Product.objects.filter(status=Product.Status.ON_SHELF).order_by("pk")[:2])
    grades.product_commission_set(product_id=products[0].pk, rates=[{"level": 1, "fixed": "5.00"}])
    members = {i: buyers[i] for i in {n for pair in TREE for n in pair}}
    for user in members.values():
        distributors.distributor_ensure(user=user)
    for n, (child, parent) in enumerate(TREE):
        code = members[parent].distributor.referral_code
        binding.referral_visit(
            user=members[child],
            code=code,
            source=SOURCES[n % 3],
            product_id=products[1].pk if n % 3 == 2 else None,
        )
    distributors.distributor_freeze(
        distributor_id=members[12].pk, staff=staff["operator"], note="演示：违规推广，暂停分佣"
    )


def _backdate(order: Order, days: int) -> None:
    """Move an order's history `days` into the past, with its payment and commissions."""
    past = {
        f: getattr(order, f) - timedelta(days=days)
        for f in ("created_at", "pay_deadline", "paid_at", "shipped_at", "completed_at")
    }
    Order.objects.filter(pk=order.pk).update(**past)
    Payment.objects.filter(order=order).update(paid_at=past["paid_at"])
    commissions = Commission.objects.filter(order=order)
    accruals = [str(pk) for pk in commissions.values_list("pk", flat=True)]
    Transaction.objects.filter(kind="commission_accrue", source_id__in=accruals).update(
        created_at=past["paid_at"]
    )
    commissions.update(created_at=past["paid_at"])


def load_history(*, staff: dict[str, User], buyers: list[User]) -> None:
    completed = (
        Order.objects.filter(
            status=Order.Status.COMPLETED, commissions__isnull=False, refunds__isnull=True
        )
        .distinct()
        .order_by("pk")
    )
    aged = list(completed[:5])
    for n, order in enumerate(aged):
        _backdate(order, days=12 + n)
    commissions_settle_due()
    if aged:
        # a late after-sales refund on a settled order claws the commission back
        order = aged[0]
        line = order.lines.order_by("pk").first()
        refund = refund_request(
            order_id=order.pk,
            buyer=order.buyer,
            reason="质量问题，退货",
            lines=[RefundLineRequest(line_id=line.pk, quantity=1)],
        )
        refund_approve(refund_id=refund.pk, staff=staff["finance"])
    # a paid order refunded in full before shipping: its commissions are reversed
    paid = (
        Order.objects.filter(
            status=Order.Status.PAID, commissions__isnull=False, refunds__isnull=True
        )
        .distinct()
        .order_by("-pk")
        .first()
    )
    if paid:
        refund = refund_request(
            order_id=paid.pk,
            buyer=paid.buyer,
            reason="拍错了，申请退款",
            lines=[
                RefundLineRequest(line_id=ln.pk, quantity=ln.quantity)
                for ln in paid.lines.order_by("pk")
            ],
        )
        refund_approve(refund_id=refund.pk, staff=staff["service"])
    # a distributor's customer buys the product with its own fixed rate (¥5 per unit)
    override = ProductCommission.objects.select_related("product").order_by("pk").first()
    maker = OrderMaker(buyers=buyers, staff=staff, products=[override.product])
    maker.pay(maker.place(buyers[TREE[2][0]], lines=1, units=2))
    grades.grades_upgrade_due()
