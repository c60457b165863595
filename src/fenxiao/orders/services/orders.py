"""The order life cycle: placement with stock reservation, payment, shipping, completion."""

import hashlib
import json
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone

from fenxiao import db
from fenxiao.accounts.models import User
from fenxiao.catalog import selectors as catalog_selectors
from fenxiao.catalog.models import Sku, StockMove
from fenxiao.catalog.services import products_count_sales, stock_release, stock_reserve
from fenxiao.marketing import points
from fenxiao.marketing.coupons import coupon_lock, coupon_release, coupon_use
from fenxiao.marketing.pricing import price
from fenxiao.marketing.promotions import promotions_active
from fenxiao.marketing.selectors import coupon_terms, coupons_usable
from fenxiao.marketing.terms import CouponTerms, Item, Quote
from fenxiao.money import ZERO
from fenxiao.orders import locks
from fenxiao.orders.errors import (
    IdempotencyConflict,
    InvalidOrder,
    OrderNotFound,
    OrderStateError,
    SkuUnavailable,
)
from fenxiao.orders.models import Order, OrderDiscount, OrderLine
from fenxiao.orders.numbers import insert_numbered
from fenxiao.orders.services.cart import cart_items_take
from fenxiao.orders.services.freight import order_freight, ship_province

Status = Order.Status


@dataclass(frozen=True)
class LineRequest:
    sku_id: int
    quantity: int


def _merge(lines: list[LineRequest]) -> "OrderedDict[int, int]":
    if not lines:
        raise InvalidOrder("订单至少需要一件商品")
    if len(lines) > settings.ORDER_MAX_LINES:
        raise InvalidOrder(f"一个订单最多 {settings.ORDER_MAX_LINES} 种商品")
    wanted: OrderedDict[int, int] = OrderedDict()
    for line in lines:
        if not 1 <= line.quantity <= settings.ORDER_MAX_QUANTITY:
            raise InvalidOrder(f"购买数量须在 1 到 {settings.ORDER_MAX_QUANTITY} 之间")
        wanted[line.sku_id] = wanted.get(line.sku_id, 0) + line.quantity
        if wanted[line.sku_id] > settings.ORDER_MAX_QUANTITY:
            raise InvalidOrder(f"单个商品最多购买 {settings.ORDER_MAX_QUANTITY} 件")
    return wanted


def request_fingerprint(
    *,
    wanted: dict[int, int],
    address: dict,
    note: str,
    coupon_id: int | None = None,
    use_points: int | None = None,
) -> str:
    """sha256 of the canonical request: what makes two requests "the same order"."""
    canonical = {
        "lines": sorted(wanted.items()),
        "address": {k: address[k] for k in sorted(address)},
        "note": note,
    }
    # only when given, so requests without them keep the fingerprints stored before
    if coupon_id:
        canonical["coupon_id"] = coupon_id
    if use_points:
        canonical["use_points"] = use_points
    text = json.dumps(canonical, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def _for_sale(wanted: dict[int, int]) -> dict[int, Sku]:
    skus = catalog_selectors.skus_for_sale(sku_ids=wanted)
    missing = [sku_id for sku_id in wanted if sku_id not in skus]
    if missing:
        raise SkuUnavailable(f"商品不存在或已下架: SKU {missing[0]}")
    return skus


def items_of(wanted: dict[int, int], skus: dict[int, Sku]) -> list[Item]:
    return [
        Item(
            key=sku_id,
            product_id=skus[sku_id].product_id,
            category_id=skus[sku_id].product.category_id,
            unit_price=skus[sku_id].price,
            quantity=quantity,
        )
        for sku_id, quantity in wanted.items()
    ]


def _freight_templates(skus: dict[int, Sku]) -> dict[int, int | None]:
    """Each SKU's product's freight template, from the products read with the SKUs."""
    return {sku.product_id: sku.product.freight_template_id for sku in skus.values()}


def order_quote(
    *,
    buyer: User,
    items: list[Item],
    address: dict | None,
    coupon_id: int | None,
    use_points: int | None,
    now: datetime,
    templates: dict[int, int | None] | None = None,
) -> Quote:
    """Price the items for this buyer: the promotions active now, their coupon and points,
    freight to the address (`templates`: each product's freight template, when its row is at
    hand). The one place orders gather these: the preview shows this quote, the placement
    stores it."""
    promotions, coupon = promotions_active(now), None
    if coupon_id:
        coupon = coupon_terms(buyer_id=buyer.pk, user_coupon_id=coupon_id, now=now)
    terms = points.points_terms(user_id=buyer.pk, requested=use_points)
    # free-above compares what the goods are paid after every discount: price them first
    paid = price(items, promotions=promotions, coupon=coupon, points=terms).line_paid
    freight = order_freight(
        buyer=buyer, items=items, address=address, paid=paid, templates=templates
    )
    return price(items, promotions=promotions, coupon=coupon, points=terms, freight=freight)


@dataclass(frozen=True)
class Preview:
    quote: Quote
    skus: dict[int, Sku]
    wanted: dict[int, int]
    # the buyer's coupons that could apply to these lines, with what each takes off, best first
    usable_coupons: list[tuple[CouponTerms, Decimal]]
    freight_known: bool  # false: no address and no default address, freight shown as 0
    points_balance: int = 0  # 0 while points are off
    points_usable: int = 0  # the most this order may take, and what they are worth
    points_usable_value: Decimal = ZERO


def order_preview(
    *,
    buyer: User,
    lines: list[LineRequest],
    address: dict | None = None,
    coupon_id: int | None = None,
    use_points: int | None = None,
    now: datetime | None = None,
) -> Preview:
    """What the order would cost, without placing it (reads only)."""
    now = now or timezone.now()
    wanted = _merge(lines)
    skus = _for_sale(wanted)
    items = items_of(wanted, skus)

    def quote_with(points_asked: int | None) -> Quote:
        return order_quote(
            buyer=buyer,
            items=items,
            address=address,
            coupon_id=coupon_id,
            use_points=points_asked,
            now=now,
            templates=_freight_templates(skus),
        )

    quote = quote_with(use_points)
    usable = coupons_usable(
        buyer_id=buyer.pk, items=items, promotions=promotions_active(now), now=now
    )
    known = ship_province(buyer=buyer, address=address) is not None
    balance = points.points_balance(user_id=buyer.pk) if points.points_rule().enabled else 0
    # the same order paying with every point it may: what the points switch offers
    most = quote_with(balance) if balance else None
    return Preview(
        quote=quote,
        skus=skus,
        wanted=wanted,
        usable_coupons=usable,
        freight_known=known,
        points_balance=balance,
        points_usable=most.points_used if most else 0,
        points_usable_value=sum(most.line_points.values(), ZERO) if most else ZERO,
    )


def _release_stock(order: Order, reason: str) -> None:
    quantities: dict[int, int] = {}
    for line in order.lines.all():
        quantities[line.sku_id] = quantities.get(line.sku_id, 0) + line.quantity
    stock_release(
        quantities=quantities,
        kind=StockMove.Kind.CANCEL,
        order_number=order.number,
        reason=reason,
    )


@transaction.atomic
def _place(
    *,
    buyer,
    wanted,
    address,
    request_id,
    fingerprint,
    note,
    now,
    cart_item_ids,
    coupon_id,
    use_points,
) -> Order:
    db.set_local(plan_cache_mode=db.KEY_LOOKUPS_PLANNED_ONCE)
    if cart_item_ids:
        # first: cart lines come before SKUs in the lock order, and a wrong id costs nothing
        cart_items_take(user=buyer, item_ids=cart_item_ids)
    skus = _for_sale(wanted)
    quote = order_quote(
        buyer=buyer,
        items=items_of(wanted, skus),
        address=address,
        coupon_id=coupon_id,
        use_points=use_points,
        now=now,
        templates=_freight_templates(skus),
    )
    order = Order(
        buyer=buyer,
        request_id=request_id,
        request_fingerprint=fingerprint,
        goods_amount=quote.items_total,
        discount_amount=quote.items_total - sum(quote.line_paid.values(), ZERO),
        shipping_fee=quote.freight,
        total=quote.total,
        points_used=quote.points_used,
        note=note,
        pay_deadline=now + settings.ORDER_PAY_TIMEOUT,
        **{f"ship_{k}": v for k, v in address.items()},
    )
    insert_numbered(order, now=now)
    stock_reserve(quantities=wanted, order_number=order.number)
    if coupon_id:  # after SKUs in the lock order; one of two orders racing for it wins
        coupon_lock(user_coupon_id=coupon_id, buyer_id=buyer.pk, order_number=order.number, now=now)
    lines = db.insert(
        OrderLine(
            order=order,
            sku=skus[sku_id],
            product=skus[sku_id].product,
            product_name=skus[sku_id].product.name,
            sku_specs=skus[sku_id].specs,
            unit_price=skus[sku_id].price,
            unit_cost=skus[sku_id].cost,
            quantity=quantity,
            discount=quote.line_discount[sku_id],
            points_amount=quote.line_points.get(sku_id, ZERO),
            amount=quote.line_paid[sku_id],
        )
        for sku_id, quantity in wanted.items()
    )
    if quote.points_used:
        # points accounts come after SKUs in the lock order; too few points undo the order
        points.points_spend(
            user_id=buyer.pk,
            points=quote.points_used,
            order_number=order.number,
            value=sum(quote.line_points.values(), ZERO),
            now=now,
        )
    discounts = db.insert(
        OrderDiscount(order=order, kind=d.kind, name=d.name, amount=d.amount, source_id=d.source_id)
        for d in quote.discounts
    )
    # the order as written, with its lines and discounts: its answer needs no read
    db.keep_children(order, "lines", lines)
    db.keep_children(order, "discounts", discounts)
    return order


def order_place(
    *,
    buyer: User,
    lines: list[LineRequest],
    address: dict,
    request_id: str | None = None,
    note: str = "",
    now: datetime | None = None,
    cart_item_ids: list[int] | None = None,
    coupon_id: int | None = None,
    use_points: int | None = None,
) -> tuple[Order, bool]:
    """Place an order. The same request_id from the same buyer with the same content returns
    the first order; with other content it is refused (IdempotencyConflict), as Stripe does.
    `cart_item_ids`: the buyer's cart lines this order buys, removed with the order placed
    (an id that is not the buyer's line refuses the order)."""
    wanted = _merge(lines)
    fingerprint = request_fingerprint(
        wanted=wanted, address=address, note=note, coupon_id=coupon_id, use_points=use_points
    )
    existing = _placed_before(buyer, request_id)
    if existing:
        return _replayed(existing, fingerprint), False
    try:
        order = _place(
            buyer=buyer,
            wanted=wanted,
            address=address,
            request_id=request_id,
            fingerprint=fingerprint,
            note=note,
            now=now or timezone.now(),
            cart_item_ids=cart_item_ids,
            coupon_id=coupon_id,
            use_points=use_points,
        )
    except IntegrityError:
        # a concurrent request with the same request_id won the race
        existing = _placed_before(buyer, request_id)
        if existing is None:
            raise
        return _replayed(existing, fingerprint), False
    return order, True


def _placed_before(buyer: User, request_id: str | None) -> Order | None:
    if not request_id:
        return None
    where = "orders_order.buyer_id = %s AND orders_order.request_id = %s"
    return db.read_one(Order, where, [buyer.pk, request_id])


def _replayed(order: Order, fingerprint: str) -> Order:
    # orders placed before fingerprints were kept have none: they can only be returned
    if order.request_fingerprint and order.request_fingerprint != fingerprint:
        raise IdempotencyConflict()
    return order


def _get_locked(order_id: int, buyer: User | None = None) -> Order:
    order = locks.order_for_update(order_id)
    if order is None or (buyer is not None and order.buyer_id != buyer.pk):
        raise OrderNotFound()
    return order


@transaction.atomic
def order_cancel(
    *, order_id: int, buyer: User | None = None, reason: str = "买家取消", now=None
) -> Order:
    order = _get_locked(order_id, buyer)
    if order.status != Status.PENDING_PAYMENT:
        raise OrderStateError("只有待付款订单可以取消")
    order.status = Status.CANCELLED
    order.cancelled_at = now or timezone.now()
    order.cancel_reason = reason
    order.save(update_fields=["status", "cancelled_at", "cancel_reason"])
    _release_stock(order, reason)
    coupon_release(order_number=order.number)  # cancelled unpaid: the buyer has it back
    points.points_return_for_order(order_number=order.number, now=order.cancelled_at)
    return order


def orders_cancel_unpaid(*, now: datetime | None = None) -> int:
    """Cancel every order whose payment deadline has passed; returns how many."""
    now = now or timezone.now()
    due = Order.objects.filter(status=Status.PENDING_PAYMENT, pay_deadline__lte=now)
    return _each_due(due, lambda pk: order_cancel(order_id=pk, reason="超时未支付", now=now))


def _each_due(due: QuerySet[Order], step: Callable[[int], Order]) -> int:
    """Run `step` on each due order by id; returns how many it moved. An order moved meanwhile
    (paid, cancelled, confirmed) is passed over."""
    moved = 0
    for order_id in due.values_list("pk", flat=True).order_by("pk"):
        try:
            step(order_id)
            moved += 1
        except OrderStateError:
            pass
    return moved


def order_mark_paid(*, order: Order, now: datetime) -> bool:
    """Called by payments inside its transaction, with the order row locked."""
    if order.status != Status.PENDING_PAYMENT:
        return False
    order.status = Status.PAID
    order.paid_at = now
    db.update(order, ["status", "paid_at"])
    db.read_children(order, "lines")  # commissions read them next
    sold: dict[int, int] = {}
    for line in order.lines.all():
        sold[line.product_id] = sold.get(line.product_id, 0) + line.quantity
    products_count_sales(quantities=sold)
    coupon_use(order_number=order.number, order_total=order.total, now=now)
    return True


@transaction.atomic
def order_ship(*, order_id: int, carrier: str, tracking_no: str, now=None) -> Order:
    order = _get_locked(order_id)
    if order.status != Status.PAID:
        raise OrderStateError("只有待发货订单可以发货")
    order.status = Status.SHIPPED
    order.carrier = carrier
    order.tracking_no = tracking_no
    order.shipped_at = now or timezone.now()
    order.save(update_fields=["status", "carrier", "tracking_no", "shipped_at"])
    return order


@transaction.atomic
def order_confirm(*, order_id: int, buyer: User | None = None, now=None) -> Order:
    order = _get_locked(order_id, buyer)
    if order.status != Status.SHIPPED:
        raise OrderStateError("只有已发货订单可以确认收货")
    order.status = Status.COMPLETED
    order.completed_at = now or timezone.now()
    order.save(update_fields=["status", "completed_at"])
    lines = list(order.lines.all())
    points.points_earn_for_order(
        user_id=order.buyer_id,
        order_number=order.number,
        # the goods as paid in cash after the refunds so far; freight is not in line amounts
        paid_amount=sum((line.amount - line.refunded_amount for line in lines), ZERO),
        now=order.completed_at,
    )
    return order


def orders_auto_confirm(*, now: datetime | None = None) -> int:
    """Complete orders shipped AUTO_CONFIRM_DAYS ago; returns how many."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.AUTO_CONFIRM_DAYS)
    due = Order.objects.filter(status=Status.SHIPPED, shipped_at__lte=cutoff)
    return _each_due(due, lambda pk: order_confirm(order_id=pk, now=now))
