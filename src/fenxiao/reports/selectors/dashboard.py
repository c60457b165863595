"""数据概况: sales, orders, buyers, new users and distributors, commission and payouts over a
period, each beside the previous period of the same length, and daily series for the charts.

Every query covers both periods at once with conditional aggregates: ten queries whatever the
range or the number of rows."""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Q, Sum

from fenxiao.accounts.models import User
from fenxiao.distribution.models import Commission, Distributor
from fenxiao.orders.models import Order, Refund
from fenxiao.payouts.models import Withdrawal
from fenxiao.reports.periods import Period, as_date, bucket
from fenxiao.reports.selectors.common import (
    came_through_link,
    change,
    money,
    ratio,
    report_queries,
    within,
)


@dataclass(frozen=True)
class Figure:
    key: str
    label: str
    kind: str  # money, count, percent
    now: Decimal | int | None
    before: Decimal | int | None
    help: str = ""

    @property
    def change(self) -> Decimal | None:
        return change(self.now, self.before)


@dataclass(frozen=True)
class Dashboard:
    period: Period
    previous: Period
    figures: list[Figure]
    series: dict  # for the charts: dates and one list per figure, JSON-ready

    def figure(self, key: str) -> Figure:
        return next(f for f in self.figures if f.key == key)


def _both(field: str, now: Period, before: Period, **more) -> tuple[Q, Q]:
    return within(field, now) & Q(**more), within(field, before) & Q(**more)


def _orders(now: Period, before: Period) -> dict:
    q_now, q_before = _both("paid_at", now, before)
    found = Order.objects.filter(paid_at__gte=before.start, paid_at__lt=now.end).aggregate(
        sales_now=Sum("total", filter=q_now),
        sales_before=Sum("total", filter=q_before),
        orders_now=Count("pk", filter=q_now),
        orders_before=Count("pk", filter=q_before),
        buyers_now=Count("buyer_id", filter=q_now, distinct=True),
        buyers_before=Count("buyer_id", filter=q_before, distinct=True),
    )
    return found


def _refunds(now: Period, before: Period) -> dict:
    q_now, q_before = _both("refunded_at", now, before)
    return Refund.objects.filter(
        status=Refund.Status.REFUNDED, refunded_at__gte=before.start, refunded_at__lt=now.end
    ).aggregate(
        refunded_now=Sum("amount", filter=q_now), refunded_before=Sum("amount", filter=q_before)
    )


def _users(now: Period, before: Period) -> dict:
    q_now, q_before = _both("date_joined", now, before)
    return (
        User.objects.filter(is_staff=False, date_joined__gte=before.start, date_joined__lt=now.end)
        .annotate(via_link=came_through_link())
        .aggregate(
            users_now=Count("pk", filter=q_now),
            users_before=Count("pk", filter=q_before),
            linked_now=Count("pk", filter=q_now & Q(via_link=True)),
            linked_before=Count("pk", filter=q_before & Q(via_link=True)),
        )
    )


def _distributors(now: Period, before: Period) -> dict:
    q_now, q_before = _both("activated_at", now, before)
    return Distributor.objects.filter(
        activated_at__gte=before.start, activated_at__lt=now.end
    ).aggregate(
        distributors_now=Count("pk", filter=q_now),
        distributors_before=Count("pk", filter=q_before),
    )


def _commissions(now: Period, before: Period) -> dict:
    created_now, created_before = _both("created_at", now, before)
    settled_now, settled_before = _both("settled_at", now, before, status=Commission.Status.SETTLED)
    span = Q(created_at__gte=before.start, created_at__lt=now.end)
    span |= Q(settled_at__gte=before.start, settled_at__lt=now.end)
    return Commission.objects.filter(span).aggregate(
        created_now=Sum("original_amount", filter=created_now),
        created_before=Sum("original_amount", filter=created_before),
        settled_now=Sum("amount", filter=settled_now),
        settled_before=Sum("amount", filter=settled_before),
    )


def _withdrawn(now: Period, before: Period) -> dict:
    q_now, q_before = _both("paid_at", now, before)
    return Withdrawal.objects.filter(
        status=Withdrawal.Status.PAID, paid_at__gte=before.start, paid_at__lt=now.end
    ).aggregate(
        withdrawn_now=Sum("amount", filter=q_now), withdrawn_before=Sum("amount", filter=q_before)
    )


def _by_day(queryset, field: str, period: Period, **sums) -> dict:
    rows = (
        queryset.filter(within(field, period))
        .annotate(day=bucket(field))
        .values("day")
        .annotate(**sums)
        .order_by()
    )
    return {as_date(row.pop("day")): row for row in rows}


def _series(period: Period) -> dict:
    orders = _by_day(Order.objects.all(), "paid_at", period, sales=Sum("total"), orders=Count("pk"))
    refunds = _by_day(
        Refund.objects.filter(status=Refund.Status.REFUNDED),
        "refunded_at",
        period,
        refunded=Sum("amount"),
    )
    users = _by_day(
        User.objects.filter(is_staff=False).annotate(via_link=came_through_link()),
        "date_joined",
        period,
        users=Count("pk"),
        linked=Count("pk", filter=Q(via_link=True)),
    )
    commissions = _by_day(
        Commission.objects.all(), "created_at", period, commission=Sum("original_amount")
    )
    days = period.dates()

    def column(found: dict, key: str, as_money: bool = False) -> list:
        values = [found.get(day, {}).get(key) or 0 for day in days]
        return [str(money(v)) for v in values] if as_money else values

    sales = [money(found) for found in (orders.get(d, {}).get("sales") for d in days)]
    refunded = [money(found) for found in (refunds.get(d, {}).get("refunded") for d in days)]
    return {
        "dates": [f"{d:%m-%d}" for d in days],
        "sales": [str(v) for v in sales],
        "refunded": [str(v) for v in refunded],
        "net": [str(s - r) for s, r in zip(sales, refunded, strict=True)],
        "orders": column(orders, "orders"),
        "users": column(users, "users"),
        "linked": column(users, "linked"),
        "commission": column(commissions, "commission", as_money=True),
    }


def dashboard(period: Period) -> Dashboard:
    with report_queries():
        before = period.previous()
        found = {
            **_orders(period, before),
            **_refunds(period, before),
            **_users(period, before),
            **_distributors(period, before),
            **_commissions(period, before),
            **_withdrawn(period, before),
        }
        figures: list[Figure] = []
        for when in ("now", "before"):
            paid = money(found[f"sales_{when}"])
            refunded = money(found[f"refunded_{when}"])
            orders = found[f"orders_{when}"]
            created = money(found[f"created_{when}"])
            found[f"paid_{when}"] = paid
            found[f"refunded_{when}"] = refunded
            found[f"net_{when}"] = paid - refunded
            found[f"aov_{when}"] = money(paid / orders) if orders else None
            found[f"created_{when}"] = created
            found[f"settled_{when}"] = money(found[f"settled_{when}"])
            found[f"withdrawn_{when}"] = money(found[f"withdrawn_{when}"])
            found[f"share_{when}"] = ratio(created, paid)
        for key, label, kind, help_text in FIGURES:
            figures.append(
                Figure(key, label, kind, found[f"{key}_now"], found[f"{key}_before"], help_text)
            )
        return Dashboard(period=period, previous=before, figures=figures, series=_series(period))


# (key, label, kind, help) in the order the page shows them
FIGURES = [
    ("paid", "支付金额", "money", "期间内支付成功的订单实付金额（含运费）"),
    ("refunded", "退款金额", "money", "期间内退款成功的金额，按退款时间计，不论订单何时支付"),
    ("net", "净销售额", "money", "支付金额 − 退款金额"),
    ("orders", "支付订单数", "count", "期间内支付成功的订单；未支付即取消的订单不计"),
    ("buyers", "支付买家数", "count", "期间内有支付订单的买家（去重）"),
    ("aov", "客单价", "money", "支付金额 ÷ 支付订单数"),
    ("users", "新增用户", "count", "期间内注册的用户（不含员工）"),
    ("linked", "经分享链接新增", "count", "新用户中，注册后 24 小时内有分享链接访问记录的人数"),
    ("distributors", "新增分销商", "count", "期间内成为分销商（审核通过或自动生效）的人数"),
    ("created", "产生佣金", "money", "期间内支付的订单产生的佣金（退款前的原佣金）"),
    ("settled", "结算佣金", "money", "期间内结算为可提现的佣金"),
    ("withdrawn", "提现打款", "money", "期间内已打款的提现金额（含手续费与代扣税）"),
    ("share", "佣金占比", "percent", "产生佣金 ÷ 支付金额"),
]
