"""Demo orders in every state, each walked there through the real services: placed with stock
reserved, paid with the sandbox's signed WeChat-style notification, shipped, confirmed, and
after-sales requests approved (refunded through the sandbox) or rejected."""

import random
from collections import Counter

from fenxiao.accounts.models import User
from fenxiao.catalog.models import Product, Sku
from fenxiao.money import to_integer_fen
from fenxiao.orders.models import Order, Refund
from fenxiao.orders.services import (
    order_cancel,
    order_confirm,
    order_place,
    order_ship,
    refund_reject,
    refund_request,
)
from fenxiao.orders.services.orders import LineRequest
from fenxiao.orders.services.refunds import RefundLineRequest
from fenxiao.payments import providers
from fenxiao.payments.services import notification_handle, payment_start, refund_approve

CARRIERS = ["顺丰速运", "中通快递", "圆通速递", "韵达快递", "京东物流", "EMS"]
NOTES = ["", "", "", "请尽快发货，谢谢", "送人的，麻烦不要放发票", "工作日白天送货"]

# how many orders end in each scenario; see `_walk` for what each one means
SCENARIOS = [
    ("pending_payment", 5),
    ("cancelled_by_buyer", 2),
    ("cancelled_timeout", 1),
    ("paid", 7),
    ("shipped", 7),
    ("completed", 10),
    ("refund_requested_paid", 1),
    ("refund_requested_shipped", 1),
    ("refund_requested_completed", 1),
    ("refund_rejected", 1),
    ("refunded_full_before_shipping", 1),
    ("refunded_full_after_receipt", 1),
    ("refunded_partial_quantity", 1),
    ("refunded_partial_line", 1),
    ("refunded_without_return", 1),
]


class OrderMaker:
    def __init__(self, *, buyers: list[User], staff: dict[str, User], products: list[Product]):
        self.rng = random.Random("fenxiao-demo-orders")
        self.buyers = buyers
        self.staff = staff
        self.skus = list(
            Sku.objects.filter(
                product__in=[p for p in products if p.status == Product.Status.ON_SHELF],
                is_active=True,
            ).order_by("pk")
        )
        self.stock = {sku.pk: sku.stock for sku in self.skus}
        self.sandbox = providers.get("sandbox")

    # the steps
    def place(self, buyer: User, *, lines: int = 0, units: int = 1) -> Order:
        lines = lines or self.rng.choice([1, 1, 1, 2, 2, 3])
        available = [s for s in self.skus if self.stock[s.pk] >= 10]
        wanted = []
        for sku in self.rng.sample(available, lines):
            quantity = max(units, self.rng.choice([1, 1, 1, 2, 3]))
            self.stock[sku.pk] -= quantity
            wanted.append(LineRequest(sku_id=sku.pk, quantity=quantity))
        address = buyer.addresses.first()
        order, _ = order_place(
            buyer=buyer,
            lines=wanted,
            address={
                "name": address.name,
                "phone": address.phone,
                "province": address.province,
                "city": address.city,
                "district": address.district,
                "detail": address.detail,
            },
            note=self.rng.choice(NOTES),
        )
        return order

    def pay(self, order: Order) -> None:
        """The buyer pays: the sandbox signs a notification that goes through verification."""
        payment, _ = payment_start(order_id=order.pk, buyer=order.buyer, provider_name="sandbox")
        headers, body = self.sandbox.payment_notification(
            out_trade_no=payment.out_trade_no,
            amount_cents=to_integer_fen(payment.amount),
            payer_openid=order.buyer.openid or "",
        )
        notification_handle(provider_name="sandbox", headers=headers, body=body)

    def ship(self, order: Order) -> None:
        carrier = self.rng.choice(CARRIERS)
        tracking_no = (
            f"{'SF' if carrier == '顺丰速运' else 'YT'}{self.rng.randrange(10**11, 10**12)}"
        )
        order_ship(order_id=order.pk, carrier=carrier, tracking_no=tracking_no)

    def request_refund(self, order: Order, reason: str, *, part: str = "all") -> Refund:
        lines = list(order.lines.order_by("pk"))
        if part == "one_unit":
            wanted = [RefundLineRequest(line_id=lines[0].pk, quantity=1)]
        elif part == "one_line":
            wanted = [RefundLineRequest(line_id=lines[0].pk, quantity=lines[0].quantity)]
        else:
            wanted = [RefundLineRequest(line_id=ln.pk, quantity=ln.quantity) for ln in lines]
        return refund_request(order_id=order.pk, buyer=order.buyer, lines=wanted, reason=reason)

    # the scenarios
    def walk(self, scenario: str, buyer: User) -> Order:
        lines, units = {
            "refunded_partial_quantity": (1, 2),
            "refunded_partial_line": (2, 1),
        }.get(scenario, (0, 1))
        order = self.place(buyer, lines=lines, units=units)
        if scenario == "pending_payment":
            return order
        if scenario.startswith("cancelled"):
            reason = "超时未支付" if scenario == "cancelled_timeout" else "买家取消"
            order_cancel(order_id=order.pk, reason=reason)
            return order
        self.pay(order)
        if scenario in ("refund_requested_paid", "refunded_full_before_shipping"):
            refund = self.request_refund(order, "拍错了，还没发货请帮我取消")
            if scenario == "refunded_full_before_shipping":
                refund_approve(refund_id=refund.pk, staff=self.staff["service"])
            return order
        if scenario == "paid":
            return order
        self.ship(order)
        if scenario == "refund_requested_shipped":
            self.request_refund(order, "快递太慢了，不想要了", part="one_line")
        if scenario == "refunded_without_return":
            refund = self.request_refund(order, "收到时外包装破损，商品有划痕")
            # goods damaged in transit are not resold: money back, stock stays as it is
            refund_approve(refund_id=refund.pk, staff=self.staff["service"], return_stock=False)
        if scenario in ("shipped", "refund_requested_shipped", "refunded_without_return"):
            return order
        order_confirm(order_id=order.pk, buyer=order.buyer)
        if scenario == "refund_requested_completed":
            self.request_refund(order, "尺码不合适，申请退货", part="one_unit")
        elif scenario == "refund_rejected":
            refund = self.request_refund(order, "不想要了")
            refund_reject(
                refund_id=refund.pk,
                staff=self.staff["service"],
                reason="商品已拆封使用，不符合七天无理由退货条件",
            )
        elif scenario == "refunded_full_after_receipt":
            refund = self.request_refund(order, "七天无理由退货")
            refund_approve(refund_id=refund.pk, staff=self.staff["finance"])
        elif scenario == "refunded_partial_quantity":
            refund = self.request_refund(order, "买多了，退一件", part="one_unit")
            refund_approve(refund_id=refund.pk, staff=self.staff["finance"])
        elif scenario == "refunded_partial_line":
            refund = self.request_refund(order, "其中一件颜色不喜欢", part="one_line")
            refund_approve(refund_id=refund.pk, staff=self.staff["finance"])
        return order


def load_orders(*, buyers: list[User], staff: dict[str, User], products: list[Product]) -> Counter:
    """Place and walk every scenario; returns how many orders ended in each order status."""
    maker = OrderMaker(buyers=buyers, staff=staff, products=products)
    statuses: Counter = Counter()
    n = 0
    for scenario, count in SCENARIOS:
        for _ in range(count):
            order = maker.walk(scenario, buyers[n % len(buyers)])
            n += 1
            order.refresh_from_db(fields=["status"])
            statuses[order.status] += 1
    return statuses
