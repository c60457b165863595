"""Buyers' orders and after-sales requests; staff order list and shipping."""

from ninja import Query, Router, Schema, Status

from fenxiao.accounts.auth import require_perm
from fenxiao.api_docs import raises
from fenxiao.catalog.errors import FreightUndeliverable, OutOfStock, SkuNotFound
from fenxiao.catalog.schemas import Id  # lax: a path parameter arrives as text
from fenxiao.errors import PermissionDenied
from fenxiao.marketing.errors import (
    CouponExpired,
    CouponNotApplicable,
    CouponNotFound,
    CouponUsed,
    PointsDisabled,
    PointsInsufficient,
    PointsInvalid,
)
from fenxiao.orders import selectors, services
from fenxiao.orders.errors import (
    CartFull,
    CartItemNotFound,
    CartQuantityInvalid,
    CartSkuUnavailable,
    IdempotencyConflict,
    InvalidOrder,
    OrderNotFound,
    OrderStateError,
    RefundInvalid,
    RefundNotFound,
    SkuUnavailable,
)
from fenxiao.orders.schemas import (
    CartAddIn,
    CartItemPatch,
    CartOut,
    CartSelectIn,
    OrderFilters,
    OrderIn,
    OrderOut,
    PreviewIn,
    PreviewOut,
    RefundIn,
    RefundOut,
    ShipIn,
    StaffOrderOut,
)
from fenxiao.pagination import paginate

router = Router(tags=["orders"])
admin_router = Router(tags=["staff: orders"])


class OrderPage(Schema):
    count: int
    page: int
    page_size: int
    items: list[OrderOut]


class StaffOrderPage(OrderPage):
    items: list[StaffOrderOut]


@router.post(
    "/orders",
    response={200: OrderOut, 201: OrderOut},
    summary="下单",
    openapi_extra=raises(
        CouponNotApplicable,
        FreightUndeliverable,
        InvalidOrder,
        PointsDisabled,
        PointsInsufficient,
        PointsInvalid,
        SkuUnavailable,
        CartItemNotFound,
        CouponNotFound,
        OrderNotFound,
        CouponExpired,
        CouponUsed,
        IdempotencyConflict,
        OutOfStock,
    ),
)
def order_place(request, payload: OrderIn):
    order, created = services.order_place(
        buyer=request.auth,
        lines=[services.orders.LineRequest(**line.dict()) for line in payload.lines],
        address=payload.address.dict(),
        request_id=payload.request_id,
        note=payload.note,
        cart_item_ids=payload.cart_item_ids,
        coupon_id=payload.coupon_id,
        use_points=payload.use_points,
    )
    if created:  # held as written, as a read gives it (tests/orders/test_pricing.py)
        return Status(201, order)
    return Status(200, selectors.order_of(buyer=request.auth, order_id=order.pk))


@router.post(
    "/orders/preview",
    response=PreviewOut,
    summary="订单试算",
    openapi_extra=raises(
        CouponNotApplicable,
        FreightUndeliverable,
        InvalidOrder,
        PointsDisabled,
        PointsInsufficient,
        PointsInvalid,
        SkuUnavailable,
        CouponNotFound,
        CouponExpired,
        CouponUsed,
    ),
)
def order_preview(request, payload: PreviewIn):
    """What `POST /orders` with the same input would charge, line by line; changes nothing."""
    preview = services.order_preview(
        buyer=request.auth,
        lines=[services.orders.LineRequest(**line.dict()) for line in payload.lines],
        address=payload.address.dict() if payload.address else None,
        coupon_id=payload.coupon_id,
        use_points=payload.use_points,
    )
    return preview_out(preview)


def preview_out(preview) -> dict:
    quote, skus = preview.quote, preview.skus
    lines = [
        {
            "sku_id": sku_id,
            "product_id": skus[sku_id].product_id,
            "product_name": skus[sku_id].product.name,
            "sku_specs": skus[sku_id].specs,
            "unit_price": skus[sku_id].price,
            "quantity": quantity,
            "amount": skus[sku_id].price * quantity,
            "discount": quote.line_discount[sku_id],
            "points_amount": quote.line_points.get(sku_id, 0),
            "paid_amount": quote.line_paid[sku_id],
        }
        for sku_id, quantity in preview.wanted.items()
    ]
    return {
        "items_total": quote.items_total,
        "discounts": [vars(d) for d in quote.discounts],
        "freight": quote.freight,
        "freight_known": preview.freight_known,
        "points_used": quote.points_used,
        "points_balance": preview.points_balance,
        "points_usable": preview.points_usable,
        "points_usable_value": preview.points_usable_value,
        "total": quote.total,
        "lines": lines,
        "usable_coupons": [
            {
                "id": terms.user_coupon_id,
                "name": terms.name,
                "kind": terms.kind,
                "threshold": terms.threshold,
                "amount_off": off,
            }
            for terms, off in preview.usable_coupons
        ],
    }


@router.get("/orders", response=OrderPage, summary="我的订单")
def order_list(request, filters: Query[OrderFilters]):
    qs = selectors.orders_of(buyer=request.auth, status=filters.status)
    return paginate(qs, filters)


@router.get(
    "/orders/{order_id}", response=OrderOut, summary="订单详情", openapi_extra=raises(OrderNotFound)
)
def order_detail(request, order_id: int):
    return selectors.order_of(buyer=request.auth, order_id=order_id)


@router.post(
    "/orders/{order_id}/cancel",
    response=OrderOut,
    summary="取消订单",
    openapi_extra=raises(OrderNotFound, OrderStateError),
)
def order_cancel(request, order_id: int):
    services.order_cancel(order_id=order_id, buyer=request.auth)
    return selectors.order_of(buyer=request.auth, order_id=order_id)


@router.post(
    "/orders/{order_id}/confirm",
    response=OrderOut,
    summary="确认收货",
    openapi_extra=raises(OrderNotFound, OrderStateError),
)
def order_confirm(request, order_id: int):
    services.order_confirm(order_id=order_id, buyer=request.auth)
    return selectors.order_of(buyer=request.auth, order_id=order_id)


@router.post(
    "/orders/{order_id}/refunds",
    response={201: RefundOut},
    summary="申请售后退款",
    openapi_extra=raises(RefundInvalid, OrderNotFound, RefundNotFound, OrderStateError),
)
def refund_request(request, order_id: int, payload: RefundIn):
    refund = services.refund_request(
        order_id=order_id,
        buyer=request.auth,
        lines=[services.refunds.RefundLineRequest(**line.dict()) for line in payload.lines],
        reason=payload.reason,
    )
    return Status(201, selectors.refund_any(refund_id=refund.pk))


@router.get(
    "/orders/{order_id}/refunds",
    response=list[RefundOut],
    summary="订单的售后单",
    openapi_extra=raises(OrderNotFound),
)
def refund_list(request, order_id: int):
    order = selectors.order_of(buyer=request.auth, order_id=order_id)
    return list(selectors.refunds_of_order(order=order))


@router.get("/cart", response=CartOut, summary="查看购物车")
def cart(request):
    return selectors.cart_of(user=request.auth)


@router.patch("/cart", response=CartOut, summary="购物车全选或取消全选")
def cart_select_all(request, payload: CartSelectIn):
    """Select or unselect every line at once (全选)."""
    services.cart_select_all(user=request.auth, selected=payload.selected)
    return selectors.cart_of(user=request.auth)


@router.post(
    "/cart/items",
    response=CartOut,
    summary="加入购物车",
    openapi_extra=raises(
        CartQuantityInvalid, SkuNotFound, CartFull, OutOfStock, CartSkuUnavailable
    ),
)
def cart_add(request, payload: CartAddIn):
    """Add a SKU; a SKU already in the cart gets the quantity added to its line."""
    services.cart_add(user=request.auth, sku_id=payload.sku_id, quantity=payload.quantity)
    return selectors.cart_of(user=request.auth)


@router.patch(
    "/cart/items/{item_id}",
    response=CartOut,
    summary="修改购物车商品",
    openapi_extra=raises(
        CartQuantityInvalid, CartItemNotFound, SkuNotFound, OutOfStock, CartSkuUnavailable
    ),
)
def cart_item_update(request, item_id: Id, payload: CartItemPatch):
    services.cart_item_update(
        user=request.auth, item_id=item_id, quantity=payload.quantity, selected=payload.selected
    )
    return selectors.cart_of(user=request.auth)


@router.delete(
    "/cart/items/{item_id}",
    response=CartOut,
    summary="删除购物车商品",
    openapi_extra=raises(CartItemNotFound),
)
def cart_item_remove(request, item_id: Id):
    services.cart_item_remove(user=request.auth, item_id=item_id)
    return selectors.cart_of(user=request.auth)


@admin_router.get(
    "/orders",
    response=StaffOrderPage,
    summary="订单列表（后台）",
    openapi_extra=raises(PermissionDenied),
)
def staff_order_list(request, filters: Query[OrderFilters]):
    require_perm(request, "orders.view_order")
    qs = selectors.orders_all(status=filters.status)
    return paginate(qs, filters)


@admin_router.get(
    "/orders/{order_id}",
    response=StaffOrderOut,
    summary="订单详情（后台）",
    openapi_extra=raises(PermissionDenied, OrderNotFound),
)
def staff_order_detail(request, order_id: int):
    require_perm(request, "orders.view_order")
    return selectors.order_any(order_id=order_id)


@admin_router.post(
    "/orders/{order_id}/ship",
    response=StaffOrderOut,
    summary="订单发货",
    openapi_extra=raises(PermissionDenied, OrderNotFound, OrderStateError),
)
def order_ship(request, order_id: int, payload: ShipIn):
    require_perm(request, "orders.change_order")
    services.order_ship(order_id=order_id, carrier=payload.carrier, tracking_no=payload.tracking_no)
    return selectors.order_any(order_id=order_id)
