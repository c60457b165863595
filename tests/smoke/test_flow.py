"""One buyer's whole journey through the API, end to end."""

from decimal import Decimal

import pytest

from fenxiao.accounts.services import staff_create
from fenxiao.catalog.services import product_create

pytestmark = pytest.mark.django_db

ADDRESS = {
    "name": "张三",
    "phone": "13900000000",
    "province": "广东省",
    "city": "深圳市",
    "district": "南山区",
    "detail": "科技园 1 号",
}


def test_buy_pay_ship_confirm_refund(anon, make_api):
    product = product_create(
        name="智能手环",
        tagline="实时监测心率，运动好帮手",
        status="on_shelf",
        skus=[{"price": "299.90", "stock": 5}],
    )
    sku = product.skus.get()
    r = anon.post("/auth/register", {"phone": "13900000001", "password": "secret-pass-1"})
    assert r.status_code == 201, r.content
    buyer = anon.__class__(r.json()["token"])

    r = buyer.post(
        "/orders",
        {"lines": [{"sku_id": sku.pk, "quantity": 2}], "address": ADDRESS, "request_id": "r1"},
    )
    assert r.status_code == 201, r.content
    order = r.json()
    assert order["total"] == "599.80"
    r = buyer.post(f"/orders/{order['id']}/pay", {})
    assert r.status_code == 200, r.content
    r = buyer.post(f"/payments/sandbox/{r.json()['payment_id']}/complete")
    assert r.status_code == 200, r.content
    assert r.json()["order_status"] == "paid"

    staff = make_api(staff_create(phone="13800000009", password="staff-pass-1"))
    r = staff.post(f"/admin/orders/{order['id']}/ship", {"carrier": "顺丰", "tracking_no": "SF1"})
    assert r.status_code == 200, r.content
    r = buyer.post(
        f"/orders/{order['id']}/refunds",
        {"lines": [{"line_id": order["lines"][0]["id"], "quantity": 1}], "reason": "不想要了"},
    )
    assert r.status_code == 201, r.content
    refund = r.json()
    assert refund["amount"] == "299.90"
    r = staff.post(f"/admin/refunds/{refund['id']}/approve", {})
    assert r.status_code == 200, r.content
    assert r.json()["status"] == "refunded"
    sku.refresh_from_db()
    assert sku.stock == 4
    assert buyer.get(f"/orders/{order['id']}").json()["refunded_amount"] == "299.90"
    assert Decimal(buyer.get("/products", {"q": "手环"}).json()["items"][0]["price"]) == Decimal(
        "299.90"
    )
