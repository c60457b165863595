"""排行榜: the distributors who brought the most sales, earned the most commission and gained
the most new team members, and the products most sold and most shared. One query per list."""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Sum

from fenxiao.distribution.models import BindingEvent, Commission, OrderBeneficiary
from fenxiao.orders.models import OrderLine
from fenxiao.reports.periods import Period
from fenxiao.reports.selectors.common import money, report_queries, within

TOP = 10


@dataclass(frozen=True)
class DistributorRow:
    user_id: int
    name: str
    phone: str
    value: Decimal | int
    extra: Decimal | int | None = None


@dataclass(frozen=True)
class ProductRow:
    product_id: int
    name: str
    value: Decimal | int
    extra: Decimal | int | None = None


@dataclass(frozen=True)
class Rankings:
    period: Period
    by_sales: list[DistributorRow]  # extra: orders
    by_commission: list[DistributorRow]  # extra: commission lines
    by_team: list[DistributorRow]  # extra: none
    products_by_sales: list[ProductRow]  # extra: units
    products_by_shares: list[ProductRow]  # extra: distributors who shared


def _name(row: dict, prefix: str) -> str:
    return row[f"{prefix}__nickname"] or row[f"{prefix}__phone"] or f"用户{row[f'{prefix}_id']}"


def _distributors(rows, prefix: str, value: str, extra: str | None, as_money: bool):
    return [
        DistributorRow(
            user_id=row[f"{prefix}_id"],
            name=_name(row, prefix),
            phone=row[f"{prefix}__phone"] or "",
            value=money(row[value]) if as_money else row[value],
            extra=row[extra] if extra else None,
        )
        for row in rows
    ]


def _by_sales(period: Period) -> list[DistributorRow]:
    """Paid orders whose level-1 beneficiary was the distributor (a self-purchase included):
    what they paid, with shipping, before refunds."""
    rows = (
        OrderBeneficiary.objects.filter(within("order__paid_at", period), level=1, active=True)
        .values("user_id", "user__nickname", "user__phone")
        .annotate(sales=Sum("order__total"), orders=Count("order_id"))
        .order_by("-sales", "user_id")[:TOP]
    )
    return _distributors(rows, "user", "sales", "orders", as_money=True)


def _by_commission(period: Period) -> list[DistributorRow]:
    """Commission (after refunds) on the orders paid in the period, every level."""
    rows = (
        Commission.objects.filter(within("created_at", period))
        .values("beneficiary_id", "beneficiary__nickname", "beneficiary__phone")
        .annotate(amount=Sum("amount"), lines=Count("pk"))
        .order_by("-amount", "beneficiary_id")[:TOP]
    )
    return _distributors(rows, "beneficiary", "amount", "lines", as_money=True)


def _by_team(period: Period) -> list[DistributorRow]:
    """Users bound (or re-bound) to the distributor in the period: direct members."""
    rows = (
        BindingEvent.objects.filter(
            within("at", period), kind__in=[BindingEvent.Kind.BIND, BindingEvent.Kind.REBIND]
        )
        .values("inviter_id", "inviter__nickname", "inviter__phone")
        .annotate(members=Count("user_id", distinct=True))
        .order_by("-members", "inviter_id")[:TOP]
    )
    return _distributors(rows, "inviter", "members", None, as_money=False)


def _products_by_sales(period: Period) -> list[ProductRow]:
    rows = (
        OrderLine.objects.filter(within("order__paid_at", period))
        .values("product_id", "product__name")
        .annotate(sales=Sum("amount"), units=Sum("quantity"))
        .order_by("-sales", "product_id")[:TOP]
    )
    return [
        ProductRow(r["product_id"], r["product__name"], money(r["sales"]), r["units"]) for r in rows
    ]


def _products_by_shares(period: Period) -> list[ProductRow]:
    """Visits through a distributor's share of the product, and how many distributors."""
    rows = (
        BindingEvent.objects.filter(
            within("at", period), kind=BindingEvent.Kind.VISIT, product__isnull=False
        )
        .values("product_id", "product__name")
        .annotate(visits=Count("pk"), sharers=Count("inviter_id", distinct=True))
        .order_by("-visits", "product_id")[:TOP]
    )
    return [
        ProductRow(r["product_id"], r["product__name"], r["visits"], r["sharers"]) for r in rows
    ]


def rankings(period: Period) -> Rankings:
    with report_queries():
        return Rankings(
            period=period,
            by_sales=_by_sales(period),
            by_commission=_by_commission(period),
            by_team=_by_team(period),
            products_by_sales=_products_by_sales(period),
            products_by_shares=_products_by_shares(period),
        )
