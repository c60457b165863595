"""Reads of orders, refunds and carts, always scoped to who asks."""

from dataclasses import dataclass
from decimal import Decimal

from django.core.files.storage import default_storage
from django.db.models import (
    Count,
    DecimalField,
    F,
    OuterRef,
    Prefetch,
    QuerySet,
    Subquery,
    Sum,
)

from fenxiao import db
from fenxiao.catalog.models import Product, ProductImage
from fenxiao.money import ZERO
from fenxiao.orders.errors import OrderNotFound, RefundNotFound
from fenxiao.orders.models import CartItem, Order, OrderDiscount, OrderLine, Refund, RefundLine


def _parts() -> tuple:
    return Prefetch("lines", queryset=OrderLine.objects.order_by("pk")), "discounts"


def _orders() -> QuerySet:
    return Order.objects.prefetch_related(*_parts())


def orders_all(*, status: str | None = None) -> QuerySet:
    return _orders().filter(status=status) if status else _orders()


def orders_of(*, buyer, status: str | None = None) -> QuerySet:
    qs = _orders().filter(buyer=buyer)
    return qs.filter(status=status) if status else qs


def order_of(*, buyer, order_id: int) -> Order:
    where = "orders_order.id = %s AND orders_order.buyer_id = %s"
    order = db.read_one(Order, where, [order_id, buyer.pk])
    if order is None:
        raise OrderNotFound()
    db.read_children(order, "lines")
    db.read_children(order, "discounts")
    return order


def order_any(*, order_id: int) -> Order:
    order = _orders().filter(pk=order_id).first()
    if order is None:
        raise OrderNotFound()
    return order


def refunds_of_order(*, order: Order) -> QuerySet:
    return Refund.objects.filter(order=order).prefetch_related(
        Prefetch("lines", queryset=RefundLine.objects.order_by("pk"))
    )


def refund_any(*, refund_id: int) -> Refund:
    refund = Refund.objects.prefetch_related("lines").filter(pk=refund_id).first()
    if refund is None:
        raise RefundNotFound()
    return refund


@dataclass(frozen=True)
class CartLine:
    id: int
    sku_id: int
    product_id: int
    name: str
    image: str | None
    specs: dict
    price: Decimal
    quantity: int
    stock: int
    available: bool
    # why a line cannot be bought now: "" | "已下架" | "已售罄" | "库存不足"
    unavailable_reason: str
    selected: bool


@dataclass(frozen=True)
class Cart:
    items: list[CartLine]
    count: int  # lines in the cart
    selected_count: int  # selected lines that can be bought
    selected_quantity: int  # units in those lines
    selected_total: Decimal  # what those lines cost now


def _unavailable_reason(item: CartItem) -> str:
    sku = item.sku
    if not sku.is_active or sku.product.status != Product.Status.ON_SHELF:
        return "已下架"
    if sku.stock <= 0:
        return "已售罄"
    if sku.stock < item.quantity:
        return "库存不足"
    return ""


def cart_of(*, user) -> Cart:
    """The buyer's cart at today's prices and stock, newest line first, in two queries."""
    items = (
        CartItem.objects.filter(user=user)
        .select_related("sku__product")
        .prefetch_related(
            Prefetch("sku__product__images", queryset=ProductImage.objects.order_by("sort", "id"))
        )
        .order_by("-id")
    )
    lines = []
    for item in items:
        product = item.sku.product
        images = list(product.images.all())
        reason = _unavailable_reason(item)
        lines.append(
            CartLine(
                id=item.pk,
                sku_id=item.sku_id,
                product_id=product.pk,
                name=product.name,
                image=default_storage.url(images[0].image.name) if images else None,
                specs=item.sku.specs,
                price=item.sku.price,
                quantity=item.quantity,
                stock=item.sku.stock,
                available=not reason,
                unavailable_reason=reason,
                selected=item.selected,
            )
        )
    chosen = [line for line in lines if line.selected and line.available]
    return Cart(
        items=lines,
        count=len(lines),
        selected_count=len(chosen),
        selected_quantity=sum(line.quantity for line in chosen),
        selected_total=sum((line.price * line.quantity for line in chosen), ZERO),
    )


@dataclass(frozen=True)
class DiscountSales:
    order_count: int  # paid orders that got the discount
    paid_total: Decimal  # what they paid, less what was refunded


def discount_sales(*, kind: str, source_ids) -> dict[int, DiscountSales]:
    """The sales a promotion or coupon brought, per source id (absent: none yet)."""
    rows = (
        OrderDiscount.objects.filter(
            kind=kind, source_id__in=list(source_ids), order__paid_at__isnull=False
        )
        .values_list("source_id", "order_id", "order__total", "order__refunded_amount")
        .distinct()
    )
    sales: dict[int, DiscountSales] = {}
    for source_id, _, total, refunded in rows:  # added in Python: exact on SQLite too
        before = sales.get(source_id, DiscountSales(0, ZERO))
        sales[source_id] = DiscountSales(
            before.order_count + 1, before.paid_total + total - refunded
        )
    return sales


def with_discount_sales(qs: QuerySet, *, kind: str) -> QuerySet:
    """Promotions (or coupons) annotated with `sold_orders` and `sold_total` (the database's
    sum: pass it through money.round_sum_to_fen before showing it)."""
    paid = OrderDiscount.objects.filter(
        kind=kind, source_id=OuterRef("pk"), order__paid_at__isnull=False
    ).values("source_id")
    orders = paid.annotate(n=Count("order_id", distinct=True)).values("n")
    total = paid.annotate(
        t=Sum(F("order__total") - F("order__refunded_amount"), output_field=DecimalField())
    ).values("t")
    return qs.annotate(sold_orders=Subquery(orders), sold_total=Subquery(total))
