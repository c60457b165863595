"""A small shop for the console tests, built through the services like real use."""

import json
from dataclasses import dataclass

import pytest

from fenxiao.accounts.models import User
from fenxiao.accounts.services import staff_create
from fenxiao.catalog.models import Category, Product, Sku
from fenxiao.catalog.services import category_save, product_create
from fenxiao.demo.images import product_pictures
from fenxiao.money import to_integer_fen
from fenxiao.orders.models import Order, Refund
from fenxiao.orders.services import order_place, refund_request
from fenxiao.orders.services.orders import LineRequest
from fenxiao.orders.services.refunds import RefundLineRequest
from fenxiao.payments import providers
from fenxiao.payments.services import notification_handle, payment_start
from tests.accounts.factories import UserFactory
from tests.conftest import ADDRESS

STAFF_PASSWORD = "console-pass-1"


def rate_rows(rates, name: str = "rates") -> dict:
    """Rates as the rows of the rates form post them: a value and a unit per level."""
    rows = {}
    for item in json.loads(rates) if isinstance(rates, str) and rates else rates or []:
        unit = "fixed" if "fixed" in item else "percent"
        rows[f"{name}_{item['level']}_value"] = item[unit]
        rows[f"{name}_{item['level']}_unit"] = unit
    return rows


@dataclass
class Shop:
    band: Product
    mat: Product
    shirt: Product

    def sku(self, product: Product) -> Sku:
        return product.skus.order_by("pk").first()


@pytest.fixture
def shop(db) -> Shop:
    """Two-level categories and three on-shelf products with pictures and SKUs."""
    digital = category_save(category=Category(name="数码电子"))
    wearables = category_save(category=Category(name="智能穿戴", parent=digital))
    sport = category_save(category=Category(name="运动户外"))
    fitness = category_save(category=Category(name="健身器材", parent=sport))
    clothes = category_save(category=Category(name="服饰"))

    def product(name, category, tagline, points, code, price, key):
        return product_create(
            name=name,
            category_id=category.pk,
            tagline=tagline,
            selling_points=points,
            description="<p>详情</p>",
            status="on_shelf",
            skus=[{"code": code, "specs": {"颜色": "黑色"}, "price": price, "stock": 10}],
            images=product_pictures(key=key, colors=((63, 81, 181), (0, 188, 212)), count=1),
        )

    return Shop(
        band=product(
            "智能运动手环", wearables, "实时监测心率", ["续航 14 天"], "BAND-01", "229.00", "t1"
        ),
        mat=product("加厚瑜伽垫", fitness, "跪撑不硌膝", ["双面防滑"], "MAT-01", "89.00", "t2"),
        shirt=product("纯棉短袖", clothes, "越洗越软", ["重磅面料"], "TEE-01", "79.00", "t3"),
    )


def place(buyer: User, sku: Sku, quantity: int = 1) -> Order:
    order, _ = order_place(
        buyer=buyer, lines=[LineRequest(sku_id=sku.pk, quantity=quantity)], address=ADDRESS
    )
    return order


def pay(order: Order) -> Order:
    """The buyer pays: the sandbox signs a WeChat-style notification, which we verify."""
    payment, _ = payment_start(order_id=order.pk, buyer=order.buyer, provider_name="sandbox")
    headers, body = providers.get("sandbox").payment_notification(
        out_trade_no=payment.out_trade_no, amount_cents=to_integer_fen(payment.amount)
    )
    notification_handle(provider_name="sandbox", headers=headers, body=body)
    order.refresh_from_db()
    return order


def ask_refund(order: Order, quantity: int, reason: str = "不想要了") -> Refund:
    line = order.lines.get()
    return refund_request(
        order_id=order.pk,
        buyer=order.buyer,
        lines=[RefundLineRequest(line_id=line.pk, quantity=quantity)],
        reason=reason,
    )


@pytest.fixture
def shopper(db) -> User:
    return UserFactory(nickname="小鹿")


@pytest.fixture
def make_staff(db):
    def make(role: str) -> User:
        phones = {"owner": "13700000001", "operator": "13700000002"}
        phones |= {"finance": "13700000003", "service": "13700000004"}
        return staff_create(phone=phones[role], password=STAFF_PASSWORD, role=role)

    return make


@pytest.fixture
def console(client, make_staff):
    """A browser session of the shop owner in the console."""
    client.force_login(make_staff("owner"))
    return client
