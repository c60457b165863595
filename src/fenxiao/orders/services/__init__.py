"""Every write of the orders app; `orders` for the life cycle, `refunds` for after-sales,
`cart` for the buyer's cart."""

from fenxiao.orders.services.cart import (
    cart_add,
    cart_item_remove,
    cart_item_update,
    cart_items_take,
    cart_select_all,
)
from fenxiao.orders.services.orders import (
    order_cancel,
    order_confirm,
    order_mark_paid,
    order_place,
    order_preview,
    order_ship,
    orders_auto_confirm,
    orders_cancel_unpaid,
)
from fenxiao.orders.services.refunds import (
    refund_complete,
    refund_for_unpayable_order,
    refund_mark_approved,
    refund_reject,
    refund_request,
)

__all__ = [
    "cart_add",
    "cart_item_remove",
    "cart_item_update",
    "cart_items_take",
    "cart_select_all",
    "order_cancel",
    "order_confirm",
    "order_mark_paid",
    "order_place",
    "order_preview",
    "order_ship",
    "orders_auto_confirm",
    "orders_cancel_unpaid",
    "refund_complete",
    "refund_for_unpayable_order",
    "refund_mark_approved",
    "refund_reject",
    "refund_request",
]
