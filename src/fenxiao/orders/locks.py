"""Row locks of the orders app, always taken in primary-key order.

Cart lines come right after users in the project's lock order (fenxiao/accounts/locks.py):
cart writes lock the buyer, then their lines; placing an order locks the lines it takes out
of the cart before it reserves any SKU."""

from fenxiao import db
from fenxiao.orders.models import CartItem, Order, OrderLine, Refund


def order_for_update(order_id: int):
    return db.read_one(Order, "orders_order.id = %s", [order_id], lock=True)


def lines_for_update(order: Order):
    return list(OrderLine.objects.select_for_update().filter(order=order).order_by("pk"))


def refund_for_update(refund_id: int):
    return Refund.objects.select_for_update().filter(pk=refund_id).first()


def cart_items_for_update(*, user, item_ids) -> list[CartItem]:
    """A buyer's cart lines among `item_ids`, locked in id order (before any SKU)."""
    qs = CartItem.objects.select_for_update().filter(user=user, pk__in=list(item_ids))
    return list(qs.order_by("pk"))
