from datetime import datetime
from decimal import Decimal
from typing import Annotated

from ninja import Schema
from pydantic import Field, StrictBool, StringConstraints

from fenxiao.accounts.schemas import AddressIn, Phone
from fenxiao.api_docs import one_of
from fenxiao.marketing.models import Coupon
from fenxiao.media import MediaUrl
from fenxiao.orders.models import Order, OrderDiscount, Refund
from fenxiao.pagination import PageFilters

OrderStatus = one_of(Order.Status)
RefundStatus = one_of(Refund.Status)
DiscountKind = one_of(OrderDiscount.Kind)
CouponKind = one_of(Coupon.Kind)

Quantity = Annotated[int, Field(ge=1, le=999, strict=True)]
# a database id: above a 64-bit integer the database itself would fail, not just find nothing
Id = Annotated[int, Field(ge=1, le=2**63 - 1, strict=True)]
Points = Annotated[int, Field(ge=0, le=10**9, strict=True)]


class LineIn(Schema):
    sku_id: Id
    quantity: Quantity


class OrderAddressIn(AddressIn):
    # Phone lets "+" and 20 digits through: 21 characters, one more than an order keeps
    phone: Annotated[Phone, StringConstraints(max_length=20)]


class OrderIn(Schema):
    lines: Annotated[list[LineIn], Field(min_length=1, max_length=50)]
    address: OrderAddressIn
    request_id: Annotated[str, StringConstraints(min_length=1, max_length=64)] | None = None
    note: Annotated[str, StringConstraints(max_length=200)] = ""
    # cart lines bought by this order: removed from the cart in the order's transaction
    cart_item_ids: Annotated[list[Id], Field(max_length=100)] | None = None
    coupon_id: Id | None = None  # the buyer's coupon (as returned by claim)
    use_points: Points | None = None


class PreviewIn(Schema):
    lines: Annotated[list[LineIn], Field(min_length=1, max_length=50)]
    address: OrderAddressIn | None = None  # for freight
    coupon_id: Id | None = None
    use_points: Points | None = None


class DiscountOut(Schema):
    kind: DiscountKind
    name: str
    amount: Decimal


class LineOut(Schema):
    id: int
    sku_id: int
    product_id: int
    product_name: str
    sku_specs: dict
    unit_price: Decimal
    quantity: int
    discount: Decimal
    points_amount: Decimal
    amount: Decimal  # what the buyer paid for the line, as paid_amount
    paid_amount: Decimal
    refunded_quantity: int
    refunded_amount: Decimal

    @staticmethod
    def resolve_paid_amount(obj):
        return obj.amount


class AddressOut(Schema):
    name: str
    phone: str
    province: str
    city: str
    district: str
    detail: str


class OrderOut(Schema):
    id: int
    number: str
    status: OrderStatus
    goods_amount: Decimal
    discount_amount: Decimal
    shipping_fee: Decimal
    total: Decimal
    refunded_amount: Decimal
    # the price breakdown, named as in the preview
    items_total: Decimal
    discounts: list[DiscountOut]
    freight: Decimal
    points_used: int
    lines: list[LineOut]
    address: AddressOut
    note: str
    carrier: str
    tracking_no: str
    created_at: datetime
    pay_deadline: datetime
    paid_at: datetime | None
    shipped_at: datetime | None
    completed_at: datetime | None
    cancelled_at: datetime | None

    @staticmethod
    def resolve_address(obj):
        return {k: getattr(obj, f"ship_{k}") for k in AddressOut.model_fields}

    @staticmethod
    def resolve_lines(obj):
        return list(obj.lines.all())

    @staticmethod
    def resolve_items_total(obj):
        return obj.goods_amount

    @staticmethod
    def resolve_freight(obj):
        return obj.shipping_fee

    @staticmethod
    def resolve_discounts(obj):
        return list(obj.discounts.all())


class PreviewLineOut(Schema):
    sku_id: int
    product_id: int
    product_name: str
    sku_specs: dict
    unit_price: Decimal
    quantity: int
    amount: Decimal  # before discounts
    discount: Decimal
    points_amount: Decimal
    paid_amount: Decimal


class UsableCouponOut(Schema):
    id: int  # the buyer's coupon, to send as coupon_id
    name: str
    kind: CouponKind
    threshold: Decimal
    amount_off: Decimal  # what it would take off this order


class PreviewOut(Schema):
    items_total: Decimal
    discounts: list[DiscountOut]
    freight: Decimal
    freight_known: bool  # false: no address given and none saved, freight not counted yet
    points_used: int
    points_balance: int  # the buyer's points (0 while points are off)
    points_usable: int  # the most points this order may take with this coupon
    points_usable_value: Decimal  # what those points take off
    total: Decimal
    lines: list[PreviewLineOut]
    usable_coupons: list[UsableCouponOut]  # best first


class StaffOrderOut(OrderOut):
    buyer_id: int
    cancel_reason: str


class ShipIn(Schema):
    carrier: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=32)]
    tracking_no: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)
    ]


class RefundLineIn(Schema):
    line_id: Id
    quantity: Quantity


class RefundIn(Schema):
    lines: Annotated[list[RefundLineIn], Field(min_length=1, max_length=50)]
    reason: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


class RefundLineOut(Schema):
    line_id: int
    quantity: int
    amount: Decimal


class RefundOut(Schema):
    id: int
    number: str
    order_id: int
    status: RefundStatus
    reason: str
    amount: Decimal
    freight: Decimal  # part of amount: the freight, back with the last units before shipping
    return_stock: bool
    reject_reason: str
    lines: list[RefundLineOut]
    created_at: datetime
    reviewed_at: datetime | None
    refunded_at: datetime | None

    @staticmethod
    def resolve_lines(obj):
        return list(obj.lines.all())


class RefundRejectIn(Schema):
    reason: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


class OrderFilters(PageFilters):
    status: OrderStatus | None = None


class CartAddIn(Schema):
    sku_id: Id
    quantity: Quantity = 1


class CartItemPatch(Schema):
    quantity: Quantity | None = None
    selected: StrictBool | None = None


class CartSelectIn(Schema):
    selected: StrictBool


class CartLineOut(Schema):
    id: int
    sku_id: int
    product_id: int
    name: str
    image: MediaUrl | None
    specs: dict
    price: Decimal
    quantity: int
    stock: int
    available: bool
    unavailable_reason: str
    selected: bool


class CartOut(Schema):
    items: list[CartLineOut]
    count: int
    selected_count: int
    selected_quantity: int
    selected_total: Decimal
