"""A two-level chain earns on a real order, paid and refunded through the sandbox."""

from decimal import Decimal

import pytest

from fenxiao.cli import main as fenxiao
from tests.conftest import ADDRESS, Api

pytestmark = pytest.mark.django_db


def register(anon, phone, ref=None):
    r = anon.post("/auth/register", {"phone": phone, "password": "secret-pass-1", "ref": ref})
    assert r.status_code == 201, r.content
    return Api(r.json()["token"]), r.json()["user"]["id"]


def test_two_levels_earn_then_refund_reverses(anon, sku, staff_api):
    top, top_id = register(anon, "13700000001")
    code = top.get("/distributor/me").json()["referral_code"]
    mid, mid_id = register(anon, "13700000002", ref=code)
    mid_code = mid.get("/distributor/me").json()["referral_code"]
    buyer, _ = register(anon, "13700000003", ref=mid_code)
    assert buyer.get("/distributor/me").json()["inviter_id"] == mid_id

    order = buyer.post(
        "/orders", {"lines": [{"sku_id": sku.pk, "quantity": 1}], "address": ADDRESS}
    ).json()
    pay = buyer.post(f"/orders/{order['id']}/pay", {}).json()
    assert buyer.post(f"/payments/sandbox/{pay['payment_id']}/complete").status_code == 200

    # ¥299.90 at 15% / 10%: ¥44.98 and ¥29.99 (truncated to the fen)
    assert mid.get("/wallet").json()["frozen"] == "44.98"
    assert top.get("/wallet").json()["frozen"] == "29.99"
    line = mid.get("/distributor/commissions").json()["items"][0]
    assert (line["level"], line["amount"], line["status"]) == (1, "44.98", "frozen")
    team = top.get("/distributor/team", {"level": 2}).json()
    assert [m["order_count"] for m in team] == [1]

    r = buyer.post(
        f"/orders/{order['id']}/refunds",
        {"lines": [{"line_id": order["lines"][0]["id"], "quantity": 1}], "reason": "不想要了"},
    )
    staff_api.post(f"/admin/refunds/{r.json()['id']}/approve", {})
    assert mid.get("/wallet").json()["frozen"] == "0.00"
    assert mid.get("/distributor/commissions").json()["items"][0]["status"] == "reversed"
    assert fenxiao(["reconcile"]) == 0


def test_settles_after_freeze_days(anon, sku, staff_api):
    top, top_id = register(anon, "13700000011")
    code = top.get("/distributor/me").json()["referral_code"]
    buyer, _ = register(anon, "13700000012", ref=code)
    order = buyer.post(
        "/orders", {"lines": [{"sku_id": sku.pk, "quantity": 2}], "address": ADDRESS}
    ).json()
    pay = buyer.post(f"/orders/{order['id']}/pay", {}).json()
    buyer.post(f"/payments/sandbox/{pay['payment_id']}/complete")
    staff_api.post(f"/admin/orders/{order['id']}/ship", {"carrier": "顺丰", "tracking_no": "1"})
    buyer.post(f"/orders/{order['id']}/confirm")
    assert fenxiao(["run-due"]) == 0
    assert top.get("/wallet").json()["available"] == "0.00"
    from django.utils import timezone

    later = (timezone.now() + timezone.timedelta(days=8)).isoformat()
    assert fenxiao(["run-due", "--at", later]) == 0
    wallet = top.get("/wallet").json()
    assert (wallet["frozen"], wallet["available"]) == ("0.00", "89.97")
    assert Decimal(wallet["available"]) == Decimal("599.80") * Decimal("0.15") // Decimal(
        "0.01"
    ) * Decimal("0.01")
    assert fenxiao(["reconcile"]) == 0
