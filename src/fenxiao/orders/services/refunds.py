"""After-sales: refund requests by line and quantity, staff review, completion."""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from fenxiao.accounts.models import User
from fenxiao.catalog.models import StockMove
from fenxiao.catalog.services import products_count_sales, stock_release
from fenxiao.marketing import points
from fenxiao.money import ZERO, truncate_to_fen
from fenxiao.orders import locks
from fenxiao.orders.errors import (
    OrderNotFound,
    OrderStateError,
    RefundInvalid,
    RefundNotFound,
    RefundStateError,
)
from fenxiao.orders.models import Order, OrderLine, Refund, RefundLine
from fenxiao.orders.numbers import insert_numbered

REFUNDABLE = {Order.Status.PAID, Order.Status.SHIPPED, Order.Status.COMPLETED}
# refunds that hold on to a line's quantity: open ones and done ones
HOLDING = [Refund.Status.REQUESTED, Refund.Status.APPROVED, Refund.Status.REFUNDED]


@dataclass(frozen=True)
class RefundLineRequest:
    line_id: int
    quantity: int


def _held(line: OrderLine) -> tuple[int, Decimal]:
    # summed in Python: SQLite adds decimals as floats, and the cents must add up exactly
    held = RefundLine.objects.filter(line=line, refund__status__in=HOLDING)
    rows = list(held.values_list("quantity", "amount"))
    return sum(q for q, _ in rows), sum((a for _, a in rows), ZERO)


def points_share(line: OrderLine, quantity: int) -> Decimal:
    """The part of the line's points value that `quantity` more refunded units carry, counted
    cumulatively so the line's last unit takes the remainder."""
    before = line.refunded_quantity
    upto = truncate_to_fen(line.points_amount * (before + quantity) / line.quantity)
    return upto - truncate_to_fen(line.points_amount * before / line.quantity)


def refund_amount_for(line: OrderLine, quantity: int) -> Decimal:
    """Pro rata of what the line paid; the last units take the remainder, so cents add up."""
    held_qty, held_amount = _held(line)
    if quantity == line.quantity - held_qty:
        return line.amount - held_amount
    return truncate_to_fen(line.amount * quantity / line.quantity)


@transaction.atomic
def refund_request(
    *, order_id: int, buyer: User, lines: list[RefundLineRequest], reason: str
) -> Refund:
    order = locks.order_for_update(order_id)
    if order is None or order.buyer_id != buyer.pk:
        raise OrderNotFound()
    if order.status not in REFUNDABLE:
        raise OrderStateError("该订单当前状态不能申请售后")
    if not lines:
        raise RefundInvalid("请选择要退款的商品")
    by_id = {line.pk: line for line in locks.lines_for_update(order)}
    merged: dict[int, int] = {}
    for item in lines:
        if item.line_id not in by_id:
            raise RefundInvalid(f"订单中没有该商品行: {item.line_id}")
        if item.quantity < 1:
            raise RefundInvalid("退款数量至少为 1")
        merged[item.line_id] = merged.get(item.line_id, 0) + item.quantity
    refund = insert_numbered(Refund(order=order, reason=reason, amount=ZERO), "R")
    total = ZERO
    units_left = 0  # units of the order no refund holds once this one is made
    for line in by_id.values():
        held_qty, _ = _held(line)
        quantity = merged.get(line.pk, 0)
        if quantity > line.quantity - held_qty:
            raise RefundInvalid(f"{line.product_name} 最多还可退 {line.quantity - held_qty} 件")
        units_left += line.quantity - held_qty - quantity
        if quantity:
            amount = refund_amount_for(line, quantity)
            RefundLine.objects.create(refund=refund, line=line, quantity=quantity, amount=amount)
            total += amount
    refund.freight = freight_returned(order, units_left=units_left)
    refund.amount = total + refund.freight
    refund.save(update_fields=["amount", "freight"])
    return refund


def freight_returned(order: Order, *, units_left: int) -> Decimal:
    """The freight comes back with the last units of an order that was not shipped: nothing
    travelled, as real malls do. Once shipped, the freight was spent and stays paid."""
    if units_left or order.status != Order.Status.PAID:
        return ZERO
    return order.shipping_fee


def _locked_refund(refund_id: int) -> Refund:
    refund = Refund.objects.filter(pk=refund_id).only("order_id").first()
    if refund is None:
        raise RefundNotFound()
    locks.order_for_update(refund.order_id)  # order first, then refund: one lock order
    return locks.refund_for_update(refund_id)


@transaction.atomic
def refund_reject(*, refund_id: int, staff: User, reason: str, now=None) -> Refund:
    refund = _locked_refund(refund_id)
    if refund.status != Refund.Status.REQUESTED:
        raise RefundStateError("只有待审核的售后单可以拒绝")
    refund.status = Refund.Status.REJECTED
    refund.reject_reason = reason
    refund.reviewed_by = staff
    refund.reviewed_at = now or timezone.now()
    refund.save(update_fields=["status", "reject_reason", "reviewed_by", "reviewed_at"])
    return refund


@transaction.atomic
def refund_mark_approved(
    *, refund_id: int, staff: User | None, return_stock: bool = True, now=None
) -> Refund:
    """Staff approval; payments then refunds the money through the provider."""
    refund = _locked_refund(refund_id)
    if refund.status != Refund.Status.REQUESTED:
        raise RefundStateError("只有待审核的售后单可以同意")
    refund.status = Refund.Status.APPROVED
    refund.return_stock = return_stock
    refund.reviewed_by = staff
    refund.reviewed_at = now or timezone.now()
    refund.save(update_fields=["status", "return_stock", "reviewed_by", "reviewed_at"])
    return refund


def refund_complete(*, refund: Refund, now: datetime) -> bool:
    """Money is back with the buyer: called by payments in its transaction, refund locked.

    Updates the lines, the order total refunded, stock (when goods come back) and sales.
    """
    if refund.status != Refund.Status.APPROVED:
        return False
    order = locks.order_for_update(refund.order_id)
    refund.status = Refund.Status.REFUNDED
    refund.refunded_at = now
    refund.save(update_fields=["status", "refunded_at"])
    # the lines are added up in Python under their row locks, not with F(): SQLite would add
    # the decimals as floats and 1.34 + 1.35 would break the refunded <= amount constraint
    lines = {line.pk: line for line in locks.lines_for_update(order)}
    sold: dict[int, int] = {}
    returned: dict[int, int] = {}
    points_value = ZERO
    for item in refund.lines.order_by("line__sku_id"):
        line = lines[item.line_id]
        points_value += points_share(line, item.quantity)
        line.refunded_quantity += item.quantity
        line.refunded_amount += item.amount
        line.save(update_fields=["refunded_quantity", "refunded_amount"])
        sold[line.product_id] = sold.get(line.product_id, 0) - item.quantity
        returned[line.sku_id] = returned.get(line.sku_id, 0) + item.quantity
    if order.paid_at is not None:  # an order paid too late never counted as sales
        products_count_sales(quantities=sold)
    if refund.return_stock:
        stock_release(
            quantities=returned,
            kind=StockMove.Kind.REFUND,
            order_number=order.number,
            reason=f"售后单 {refund.number}",
        )
    order.refunded_amount += refund.amount
    fields = ["refunded_amount"]
    if all(line.refunded_quantity == line.quantity for line in lines.values()):
        order.status = Order.Status.REFUNDED
        fields.append("status")
    order.save(update_fields=fields)
    # points accounts come after SKUs in the lock order
    points.points_return_for_refund(
        order_number=order.number,
        refund_number=refund.number,
        points_value=points_value,
        refunded_amount=refund.amount,
        now=now,
    )
    return True


def refund_for_unpayable_order(*, order_id: int, now: datetime) -> Refund:
    """A payment confirmed for an order that is no longer payable (cancelled on timeout):
    an approved full refund, stock untouched (it was released on cancel). Called by payments
    inside its transaction."""
    order = locks.order_for_update(order_id)
    refund = insert_numbered(
        Refund(
            order=order,
            reason="订单已取消，自动退款",
            amount=order.total,
            freight=order.shipping_fee,
            status=Refund.Status.APPROVED,
            return_stock=False,
            reviewed_at=now,
        ),
        "R",
        now=now,
    )
    RefundLine.objects.bulk_create(
        RefundLine(refund=refund, line=line, quantity=line.quantity, amount=line.amount)
        for line in locks.lines_for_update(order)
    )
    return refund
