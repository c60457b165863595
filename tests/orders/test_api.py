"""The orders API: placing, idempotency, bad input, ownership, the life cycle and after-sales."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils.dateparse import parse_datetime

from fenxiao.accounts.services import staff_create
from fenxiao.catalog.models import Product, Sku
from fenxiao.orders.models import Order, OrderLine, Refund
from fenxiao.payments.models import Payment, ProviderRefund
from tests.accounts.factories import UserFactory
from tests.catalog.factories import SkuFactory
from tests.conftest import ADDRESS
from tests.orders.flows import (
    approve,
    assert_error,
    pay,
    place,
    request_refund,
    ship,
    start_payment,
)

pytestmark = pytest.mark.django_db


def snapshot() -> dict:
    """Everything a rejected request must leave as it was."""
    return {
        "orders": Order.objects.count(),
        "lines": OrderLine.objects.count(),
        "stock": dict(Sku.objects.values_list("pk", "stock")),
        "sales": dict(Product.objects.values_list("pk", "sales")),
        "payments": Payment.objects.count(),
        "refunds": Refund.objects.count(),
        "statuses": dict(Order.objects.values_list("pk", "status")),
    }


@pytest.fixture
def other_api(make_api):
    """A second buyer, who must never see the first one's orders."""
    return make_api(UserFactory())


def order_body(*lines, address=ADDRESS, **extra) -> dict:
    return {"lines": [{"sku_id": s, "quantity": q} for s, q in lines], "address": address, **extra}


# placing an order


def test_place_order_computes_totals_on_the_server_and_reserves_stock(buyer_api, sku):
    # given a second product at ¥19.99
    cheap = SkuFactory(price=Decimal("19.99"), stock=5)
    # when the client sends prices and totals of its own
    r = buyer_api.post(
        "/orders",
        {
            "lines": [
                {"sku_id": sku.pk, "quantity": 2, "price": "0.01"},
                {"sku_id": cheap.pk, "quantity": 3},
            ],
            "address": ADDRESS,
            "total": "0.01",
            "note": "请尽快发货",
        },
    )
    # then they are ignored: the server prices every line
    assert r.status_code == 201, r.content
    order = r.json()
    assert order["status"] == "pending_payment"
    assert order["goods_amount"] == "659.77"
    assert order["total"] == "659.77"
    assert order["refunded_amount"] == "0.00"
    assert order["number"]
    assert order["note"] == "请尽快发货"
    assert order["address"] == ADDRESS
    by_sku = {line["sku_id"]: line for line in order["lines"]}
    assert by_sku[sku.pk]["unit_price"] == "299.90"
    assert by_sku[sku.pk]["amount"] == "599.80"
    assert by_sku[sku.pk]["product_name"] == sku.product.name
    assert by_sku[cheap.pk]["amount"] == "59.97"
    created = parse_datetime(order["created_at"])
    assert parse_datetime(order["pay_deadline"]) - created == pytest.approx(
        timedelta(minutes=30), abs=timedelta(seconds=5)
    )
    # and the stock is reserved at once
    sku.refresh_from_db()
    cheap.refresh_from_db()
    assert (sku.stock, cheap.stock) == (8, 2)


def test_order_keeps_its_prices_when_the_product_changes_later(buyer_api, sku):
    order = place(buyer_api, sku, 1)
    Sku.objects.filter(pk=sku.pk).update(price=Decimal("1.00"))
    again = buyer_api.get(f"/orders/{order['id']}").json()
    assert again["total"] == "299.90"
    assert again["lines"][0]["unit_price"] == "299.90"


def test_the_same_sku_on_two_lines_is_merged(buyer_api, sku):
    r = buyer_api.post("/orders", order_body((sku.pk, 2), (sku.pk, 3)))
    assert r.status_code == 201, r.content
    assert [(ln["sku_id"], ln["quantity"]) for ln in r.json()["lines"]] == [(sku.pk, 5)]
    assert r.json()["total"] == "1499.50"
    sku.refresh_from_db()
    assert sku.stock == 5


def test_the_whole_stock_can_be_bought(buyer_api, sku):
    place(buyer_api, sku, 10)
    sku.refresh_from_db()
    assert sku.stock == 0


def test_place_order_is_idempotent_on_request_id(buyer_api, sku):
    first = buyer_api.post("/orders", order_body((sku.pk, 2), request_id="req-1"))
    second = buyer_api.post("/orders", order_body((sku.pk, 2), request_id="req-1"))
    assert first.status_code == 201, first.content
    assert second.status_code == 200, second.content
    assert second.json()["id"] == first.json()["id"]
    assert second.json()["number"] == first.json()["number"]
    assert Order.objects.count() == 1
    sku.refresh_from_db()
    assert sku.stock == 8  # taken once


@pytest.mark.parametrize(
    "change",
    [
        {"lines": [(None, 5)]},  # another quantity
        {"lines": [(None, 2), ("other", 1)]},  # one more line
        {"address": {**ADDRESS, "detail": "科技园 2 号"}},
        {"note": "请周末送"},
    ],
)
def test_a_request_id_reused_with_other_content_is_a_409_and_changes_nothing(
    buyer_api, sku, change
):
    # given an order placed with request_id "req-1" (issue 7, defect 8: this was a 200)
    other = SkuFactory(stock=5)
    first = buyer_api.post("/orders", order_body((sku.pk, 2), request_id="req-1")).json()
    before = snapshot()
    lines = [(other.pk if s == "other" else sku.pk, q) for s, q in change.get("lines", [])]
    body = order_body(*(lines or [(sku.pk, 2)]), request_id="req-1")
    body |= {k: v for k, v in change.items() if k != "lines"}

    # when the same request_id comes with other content
    retry = buyer_api.post("/orders", body)

    # then it is refused (Stripe's rule) and nothing is written
    assert_error(retry, 409, "idempotency_conflict")
    assert snapshot() == before
    # and the identical request still returns the first order
    again = buyer_api.post("/orders", order_body((sku.pk, 2), request_id="req-1"))
    assert again.status_code == 200 and again.json()["id"] == first["id"]


def test_a_retry_splitting_the_same_quantity_over_two_lines_is_the_same_order(buyer_api, sku):
    first = buyer_api.post("/orders", order_body((sku.pk, 2), request_id="req-1")).json()

    retry = buyer_api.post("/orders", order_body((sku.pk, 1), (sku.pk, 1), request_id="req-1"))

    assert retry.status_code == 200 and retry.json()["id"] == first["id"]
    sku.refresh_from_db()
    assert sku.stock == 8


def test_request_ids_are_per_buyer(buyer_api, other_api, sku):
    mine = buyer_api.post("/orders", order_body((sku.pk, 1), request_id="same"))
    theirs = other_api.post("/orders", order_body((sku.pk, 1), request_id="same"))
    assert (mine.status_code, theirs.status_code) == (201, 201)
    assert mine.json()["id"] != theirs.json()["id"]
    sku.refresh_from_db()
    assert sku.stock == 8


def test_orders_without_request_id_are_separate(buyer_api, sku):
    a, b = place(buyer_api, sku, 1), place(buyer_api, sku, 1)
    assert a["id"] != b["id"] and a["number"] != b["number"]


def test_placing_needs_a_login(anon, sku):
    before = snapshot()
    assert_error(anon.post("/orders", order_body((sku.pk, 1))), 401, "unauthorized")
    assert snapshot() == before


# bad input: a 4xx {code, message} and nothing changed

BAD_QUANTITIES = [0, -1, -999, 1000, 10**6, 10**30, "abc", "2", "", 1.5, 2.0, True, None, [], {}]


@pytest.mark.parametrize("quantity", BAD_QUANTITIES, ids=repr)
def test_bad_quantities_are_refused(buyer_api, sku, quantity):
    before = snapshot()
    r = buyer_api.post("/orders", order_body((sku.pk, quantity)))
    assert_error(r, 400, "invalid_input")
    assert snapshot() == before


@pytest.mark.parametrize("sku_id", [0, -1, "1", 1.0, None, "abc", 2**63, 10**30], ids=repr)
def test_bad_sku_ids_are_refused(buyer_api, sku, sku_id):
    before = snapshot()
    assert_error(buyer_api.post("/orders", order_body((sku_id, 1))), 400, "invalid_input")
    assert snapshot() == before


def test_an_unknown_sku_is_refused(buyer_api, sku):
    before = snapshot()
    r = buyer_api.post("/orders", order_body((sku.pk, 1), (sku.pk + 1000, 1)))
    assert_error(r, 400, "sku_unavailable")
    assert snapshot() == before


@pytest.mark.parametrize(
    "unavailable",
    [
        {"product__status": Product.Status.OFF_SHELF},
        {"product__status": Product.Status.DRAFT},
        {"is_active": False},
    ],
    ids=["off_shelf", "draft", "inactive_sku"],
)
def test_a_product_not_for_sale_is_refused(buyer_api, sku, unavailable):
    hidden = SkuFactory(**unavailable)
    before = snapshot()
    r = buyer_api.post("/orders", order_body((sku.pk, 1), (hidden.pk, 1)))
    assert_error(r, 400, "sku_unavailable")
    assert snapshot() == before


@pytest.mark.parametrize(
    "body",
    [
        {"lines": [], "address": ADDRESS},
        {"address": ADDRESS},
        {"lines": "abc", "address": ADDRESS},
        {"lines": {"sku_id": 1, "quantity": 1}, "address": ADDRESS},
        {"lines": [{"quantity": 1}], "address": ADDRESS},
        {"lines": [{"sku_id": 1}], "address": ADDRESS},
        {"lines": [1, 2], "address": ADDRESS},
        {"lines": [None], "address": ADDRESS},
        {"lines": [{"sku_id": 1, "quantity": 1}]},
        {"lines": [{"sku_id": 1, "quantity": 1}], "address": "深圳市南山区"},
        {"lines": [{"sku_id": 1, "quantity": 1}], "address": None},
        {"lines": [{"sku_id": 1, "quantity": 1}], "address": ADDRESS, "request_id": ""},
        {"lines": [{"sku_id": 1, "quantity": 1}], "address": ADDRESS, "request_id": "x" * 65},
        {"lines": [{"sku_id": 1, "quantity": 1}], "address": ADDRESS, "request_id": 12},
        {"lines": [{"sku_id": 1, "quantity": 1}], "address": ADDRESS, "note": "长" * 201},
        [],
        None,
    ],
    ids=lambda b: repr(b)[:60],
)
def test_malformed_orders_are_refused(buyer_api, sku, body):
    # sku_id 1 may not be the fixture's: point every line at the real sku
    if isinstance(body, dict) and isinstance(body.get("lines"), list):
        body = {
            **body,
            "lines": [
                {**line, "sku_id": sku.pk} if isinstance(line, dict) and "sku_id" in line else line
                for line in body["lines"]
            ],
        }
    before = snapshot()
    assert_error(buyer_api.post("/orders", body), 400, "invalid_input")
    assert snapshot() == before


def test_more_than_fifty_lines_are_refused(buyer_api, sku):
    before = snapshot()
    r = buyer_api.post("/orders", order_body(*[(sku.pk, 1)] * 51))
    assert_error(r, 400, "invalid_input")
    assert snapshot() == before


@pytest.mark.parametrize("field", ["name", "phone", "province", "city", "detail"])
def test_an_address_field_missing_or_blank_is_refused(buyer_api, sku, field):
    before = snapshot()
    missing = {k: v for k, v in ADDRESS.items() if k != field}
    assert_error(buyer_api.post("/orders", order_body((sku.pk, 1), address=missing)), 400)
    blank = {**ADDRESS, field: "   "}
    assert_error(buyer_api.post("/orders", order_body((sku.pk, 1), address=blank)), 400)
    wrong_type = {**ADDRESS, field: ["广东"]}
    assert_error(buyer_api.post("/orders", order_body((sku.pk, 1), address=wrong_type)), 400)
    assert snapshot() == before


@pytest.mark.parametrize(
    "change",
    [
        {"phone": "call me"},
        {"phone": "1234"},
        {"phone": "+" + "1" * 20},  # longer than an order keeps
        {"name": "名" * 33},
        {"province": "省" * 33},
        {"city": "市" * 33},
        {"district": "区" * 33},
        {"detail": "路" * 201},
    ],
    ids=lambda c: f"{next(iter(c))}={len(next(iter(c.values())))}",
)
def test_a_bad_phone_or_an_overlong_address_field_is_refused(buyer_api, sku, change):
    before = snapshot()
    address = {**ADDRESS, **change}
    r = buyer_api.post("/orders", order_body((sku.pk, 1), address=address))
    assert_error(r, 400, "invalid_input")
    assert snapshot() == before


def test_the_longest_valid_address_fits(buyer_api, sku):
    address = {
        "name": "名" * 32,
        "phone": "+" + "8" * 15,  # E.164: at most 15 digits
        "province": "省" * 32,
        "city": "市" * 32,
        "district": "区" * 32,
        "detail": "路" * 200,
    }
    r = buyer_api.post("/orders", order_body((sku.pk, 1), address=address))
    assert r.status_code == 201, r.content
    assert r.json()["address"] == address


@pytest.mark.parametrize("raw", ['"订单"', "42", "", "[1]", "null"])
def test_a_body_that_is_not_a_json_object_is_refused(buyer_api, sku, raw):
    before = snapshot()
    r = buyer_api.client.post(
        "/api/v1/orders", raw, content_type="application/json", headers=buyer_api._headers(None)
    )
    assert_error(r, 400, "invalid_input")
    assert snapshot() == before


def test_a_body_that_is_not_json_is_refused_in_chinese(buyer_api, sku):
    before = snapshot()
    r = buyer_api.client.post(
        "/api/v1/orders",
        "{lines: oops",
        content_type="application/json",
        headers=buyer_api._headers(None),
    )
    assert_error(r, 400, "invalid_json")
    assert snapshot() == before


def test_more_than_the_stock_is_refused(buyer_api, sku):
    before = snapshot()
    assert_error(buyer_api.post("/orders", order_body((sku.pk, 11))), 409, "out_of_stock")
    # two lines of the same sku count together
    r = buyer_api.post("/orders", order_body((sku.pk, 6), (sku.pk, 5)))
    assert_error(r, 409, "out_of_stock")
    assert snapshot() == before


def test_one_short_line_leaves_every_other_line_unreserved(buyer_api, sku):
    # given a second sku with only 1 left, ordered together with the plentiful one
    scarce = SkuFactory(stock=1)
    before = snapshot()
    r = buyer_api.post("/orders", order_body((sku.pk, 3), (scarce.pk, 2)))
    assert_error(r, 409, "out_of_stock")
    assert snapshot() == before


# reading: own orders only


def test_list_shows_only_own_orders(buyer_api, other_api, sku):
    mine = place(buyer_api, sku, 1)
    place(other_api, sku, 1)
    page = buyer_api.get("/orders").json()
    assert page["count"] == 1
    assert [o["id"] for o in page["items"]] == [mine["id"]]
    assert buyer_api.get("/orders", {"status": "paid"}).json()["count"] == 0


def test_another_buyers_order_is_invisible_and_untouchable(buyer_api, other_api, sku):
    # given the buyer's order, paid and with a refund asked for, and one still unpaid
    paid = place(buyer_api, sku, 2)
    pay(buyer_api, paid["id"])
    unpaid = place(buyer_api, sku, 1)
    line_id = paid["lines"][0]["id"]
    request_refund(buyer_api, paid, [1])
    payment = Payment.objects.get(order_id=paid["id"])
    before = snapshot()
    # when someone else tries everything on them, then it is as if they did not exist
    for order_id in (paid["id"], unpaid["id"]):
        assert_error(other_api.get(f"/orders/{order_id}"), 404, "order_not_found")
        assert_error(other_api.get(f"/orders/{order_id}/refunds"), 404, "order_not_found")
        assert_error(other_api.post(f"/orders/{order_id}/cancel"), 404, "order_not_found")
        assert_error(other_api.post(f"/orders/{order_id}/confirm"), 404, "order_not_found")
        assert_error(other_api.post(f"/orders/{order_id}/pay", {}), 404, "order_not_found")
        r = other_api.post(
            f"/orders/{order_id}/refunds",
            {"lines": [{"line_id": line_id, "quantity": 1}], "reason": "试试"},
        )
        assert_error(r, 404, "order_not_found")
    r = other_api.post(f"/payments/sandbox/{payment.pk}/complete")
    assert_error(r, 404, "payment_not_found")
    assert snapshot() == before


@pytest.mark.parametrize("order_id", [987654, 2**63 + 5, 10**30])
def test_unknown_order_ids_are_404(buyer_api, staff_api, order_id):
    for r in (
        buyer_api.get(f"/orders/{order_id}"),
        buyer_api.get(f"/orders/{order_id}/refunds"),
        buyer_api.post(f"/orders/{order_id}/cancel"),
        buyer_api.post(f"/orders/{order_id}/confirm"),
        buyer_api.post(f"/orders/{order_id}/pay", {}),
        staff_api.post(f"/admin/orders/{order_id}/ship", {"carrier": "顺丰", "tracking_no": "1"}),
    ):
        assert_error(r, 404, "order_not_found")
    assert_error(buyer_api.post(f"/payments/sandbox/{order_id}/complete"), 404)
    assert_error(staff_api.post(f"/admin/refunds/{order_id}/approve", {}), 404)


# cancel


def test_cancel_releases_the_stock(buyer_api, sku):
    order = place(buyer_api, sku, 3)
    r = buyer_api.post(f"/orders/{order['id']}/cancel")
    assert r.status_code == 200, r.content
    assert r.json()["status"] == "cancelled"
    assert r.json()["cancelled_at"]
    sku.refresh_from_db()
    assert sku.stock == 10
    # not twice, and a cancelled order cannot be paid
    assert_error(buyer_api.post(f"/orders/{order['id']}/cancel"), 409, "invalid_order_state")
    assert_error(buyer_api.post(f"/orders/{order['id']}/pay", {}), 409, "order_not_payable")
    sku.refresh_from_db()
    assert sku.stock == 10


def test_a_paid_order_cannot_be_cancelled(buyer_api, sku):
    order = place(buyer_api, sku, 2)
    pay(buyer_api, order["id"])
    before = snapshot()
    assert_error(buyer_api.post(f"/orders/{order['id']}/cancel"), 409, "invalid_order_state")
    assert snapshot() == before


def test_cancelling_an_order_with_a_payment_started_keeps_it_unpayable(buyer_api, sku):
    order = place(buyer_api, sku, 1)
    payment = start_payment(buyer_api, order["id"])
    assert buyer_api.post(f"/orders/{order['id']}/cancel").status_code == 200
    assert_error(buyer_api.post(f"/orders/{order['id']}/pay", {}), 409, "order_not_payable")
    assert payment["amount"] == "299.90"


# pay


def test_pay_creates_one_payment_and_reuses_it(buyer_api, sku):
    order = place(buyer_api, sku, 2)
    first = start_payment(buyer_api, order["id"])
    again = start_payment(buyer_api, order["id"])
    assert first["payment_id"] == again["payment_id"]
    assert first["provider"] == "sandbox"
    assert first["amount"] == "599.80"
    assert first["status"] == "created"
    assert first["out_trade_no"] == order["number"]
    assert {"appId", "timeStamp", "nonceStr", "package", "signType", "paySign"} <= set(
        first["params"]
    )
    assert Payment.objects.filter(order_id=order["id"]).count() == 1


def test_pay_with_a_disabled_provider_is_refused(buyer_api, sku):
    order = place(buyer_api, sku, 1)
    before = snapshot()
    r = buyer_api.post(f"/orders/{order['id']}/pay", {"provider": "alipay"})
    assert_error(r, 400, "provider_unavailable")
    assert snapshot() == before


def test_sandbox_complete_marks_the_order_paid_and_counts_sales(buyer_api, sku):
    order = place(buyer_api, sku, 2)
    done = pay(buyer_api, order["id"])
    assert done["status"] == "paid"
    assert done["order_status"] == "paid"
    assert set(done["notification"]) == {"headers", "body"}
    detail = buyer_api.get(f"/orders/{order['id']}").json()
    assert detail["status"] == "paid" and detail["paid_at"]
    assert Product.objects.get(pk=sku.product_id).sales == 2
    # a paid order cannot be paid again
    assert_error(buyer_api.post(f"/orders/{order['id']}/pay", {}), 409, "order_not_payable")
    r = buyer_api.post(f"/payments/sandbox/{done['payment_id']}/complete")
    assert_error(r, 409, "order_not_payable")
    assert Product.objects.get(pk=sku.product_id).sales == 2


# ship and confirm


def test_staff_ship_a_paid_order_once(buyer_api, staff_api, sku):
    order = place(buyer_api, sku, 1)
    pay(buyer_api, order["id"])
    shipped = ship(staff_api, order["id"])
    assert shipped["status"] == "shipped"
    assert (shipped["carrier"], shipped["tracking_no"]) == ("顺丰速运", "SF1234567890")
    assert shipped["shipped_at"]
    r = staff_api.post(
        f"/admin/orders/{order['id']}/ship", {"carrier": "圆通", "tracking_no": "YT1"}
    )
    assert_error(r, 409, "invalid_order_state")
    assert Order.objects.get(pk=order["id"]).tracking_no == "SF1234567890"


def test_an_unpaid_order_cannot_be_shipped(buyer_api, staff_api, sku):
    order = place(buyer_api, sku, 1)
    before = snapshot()
    r = staff_api.post(f"/admin/orders/{order['id']}/ship", {"carrier": "顺丰", "tracking_no": "1"})
    assert_error(r, 409, "invalid_order_state")
    assert snapshot() == before


@pytest.mark.parametrize(
    "body",
    [
        {"carrier": "顺丰"},
        {"tracking_no": "SF1"},
        {"carrier": "  ", "tracking_no": "SF1"},
        {"carrier": "顺丰", "tracking_no": ""},
        {"carrier": "顺丰", "tracking_no": "9" * 65},
        {"carrier": 1, "tracking_no": "SF1"},
    ],
)
def test_ship_needs_carrier_and_tracking_number(buyer_api, staff_api, sku, body):
    order = place(buyer_api, sku, 1)
    pay(buyer_api, order["id"])
    assert_error(staff_api.post(f"/admin/orders/{order['id']}/ship", body), 400, "invalid_input")
    assert Order.objects.get(pk=order["id"]).status == "paid"


def test_only_staff_ship(buyer_api, sku):
    order = place(buyer_api, sku, 1)
    pay(buyer_api, order["id"])
    r = buyer_api.post(f"/admin/orders/{order['id']}/ship", {"carrier": "顺丰", "tracking_no": "1"})
    assert_error(r, 403, "forbidden")
    assert_error(buyer_api.get("/admin/orders"), 403, "forbidden")
    assert Order.objects.get(pk=order["id"]).status == "paid"


def test_staff_see_every_order_and_ship_unknown_ones_is_404(buyer_api, other_api, staff_api, sku):
    place(buyer_api, sku, 1)
    place(other_api, sku, 1)
    assert staff_api.get("/admin/orders").json()["count"] == 2
    r = staff_api.post("/admin/orders/987654/ship", {"carrier": "顺丰", "tracking_no": "1"})
    assert_error(r, 404, "order_not_found")


def test_confirm_receipt_completes_a_shipped_order(buyer_api, staff_api, sku):
    order = place(buyer_api, sku, 1)
    pay(buyer_api, order["id"])
    assert_error(buyer_api.post(f"/orders/{order['id']}/confirm"), 409, "invalid_order_state")
    ship(staff_api, order["id"])
    r = buyer_api.post(f"/orders/{order['id']}/confirm")
    assert r.status_code == 200, r.content
    assert r.json()["status"] == "completed" and r.json()["completed_at"]
    assert_error(buyer_api.post(f"/orders/{order['id']}/confirm"), 409, "invalid_order_state")


def test_an_unpaid_order_cannot_be_confirmed(buyer_api, sku):
    order = place(buyer_api, sku, 1)
    assert_error(buyer_api.post(f"/orders/{order['id']}/confirm"), 409, "invalid_order_state")
    assert Order.objects.get(pk=order["id"]).status == "pending_payment"


# after-sales


@pytest.fixture
def paid3(buyer_api, sku):
    """An order of 3 × sku (¥899.70), paid; stock 7."""
    order = place(buyer_api, sku, 3)
    pay(buyer_api, order["id"])
    return buyer_api.get(f"/orders/{order['id']}").json()


def test_partial_refund_by_line_and_quantity(buyer_api, staff_api, sku, paid3):
    # given a request for 1 of the 3 units
    refund = request_refund(buyer_api, paid3, [1], reason="尺码不合适")
    assert refund["status"] == "requested"
    assert refund["amount"] == "299.90"
    assert refund["reason"] == "尺码不合适"
    assert refund["lines"] == [
        {"line_id": paid3["lines"][0]["id"], "quantity": 1, "amount": "299.90"}
    ]
    # when staff approve it
    done = approve(staff_api, refund["id"])
    # then the money is back before the call returns, and the unit is back in stock
    assert done["status"] == "refunded"
    assert done["refunded_at"] and done["reviewed_at"]
    provider_refund = ProviderRefund.objects.get(refund_id=refund["id"])
    assert provider_refund.status == "success"
    assert provider_refund.amount == Decimal("299.90")
    sku.refresh_from_db()
    assert sku.stock == 8
    assert Product.objects.get(pk=sku.product_id).sales == 2
    order = buyer_api.get(f"/orders/{paid3['id']}").json()
    assert order["status"] == "paid"  # partly refunded orders go on
    assert order["refunded_amount"] == "299.90"
    assert order["lines"][0]["refunded_quantity"] == 1
    assert order["lines"][0]["refunded_amount"] == "299.90"
    listed = buyer_api.get(f"/orders/{paid3['id']}/refunds").json()
    assert [(r["id"], r["status"]) for r in listed] == [(refund["id"], "refunded")]


def test_partial_refunds_add_up_to_the_line_and_end_in_a_refunded_order(
    buyer_api, staff_api, sku, paid3
):
    amounts = []
    for _ in range(3):
        refund = request_refund(buyer_api, paid3, [1])
        amounts.append(Decimal(approve(staff_api, refund["id"])["amount"]))
    assert sum(amounts) == Decimal(paid3["lines"][0]["amount"])
    order = buyer_api.get(f"/orders/{paid3['id']}").json()
    assert order["status"] == "refunded"
    assert order["refunded_amount"] == order["total"] == "899.70"
    sku.refresh_from_db()
    assert sku.stock == 10
    assert Product.objects.get(pk=sku.product_id).sales == 0
    # nothing is left to refund
    r = buyer_api.post(
        f"/orders/{paid3['id']}/refunds",
        {"lines": [{"line_id": paid3["lines"][0]["id"], "quantity": 1}], "reason": "再退"},
    )
    assert_error(r, 409, "invalid_order_state")


def test_a_full_refund_on_a_multi_line_order(buyer_api, staff_api, sku):
    other = SkuFactory(price=Decimal("0.03"), stock=9)
    r = buyer_api.post("/orders", order_body((sku.pk, 1), (other.pk, 3)))
    order = r.json()
    pay(buyer_api, order["id"])
    refund = request_refund(buyer_api, order, [1, 3])
    assert refund["amount"] == "299.99"
    approve(staff_api, refund["id"])
    after = buyer_api.get(f"/orders/{order['id']}").json()
    assert after["status"] == "refunded"
    assert after["refunded_amount"] == after["total"] == "299.99"
    sku.refresh_from_db()
    other.refresh_from_db()
    assert (sku.stock, other.stock) == (10, 9)


def test_a_refund_may_keep_the_goods_out_of_stock(buyer_api, staff_api, sku, paid3):
    refund = request_refund(buyer_api, paid3, [2])
    done = approve(staff_api, refund["id"], return_stock=False)
    assert done["status"] == "refunded"
    assert done["return_stock"] is False
    assert done["amount"] == "599.80"
    sku.refresh_from_db()
    assert sku.stock == 7
    assert buyer_api.get(f"/orders/{paid3['id']}").json()["refunded_amount"] == "599.80"


def test_more_than_bought_cannot_be_refunded(buyer_api, sku, paid3):
    line = paid3["lines"][0]
    before = snapshot()
    for lines in (
        [{"line_id": line["id"], "quantity": 4}],
        [{"line_id": line["id"], "quantity": 2}, {"line_id": line["id"], "quantity": 2}],
    ):
        r = buyer_api.post(f"/orders/{paid3['id']}/refunds", {"lines": lines, "reason": "多退"})
        assert_error(r, 400, "invalid_refund")
    assert snapshot() == before
    # units held by an open request count too
    request_refund(buyer_api, paid3, [2])
    r = buyer_api.post(
        f"/orders/{paid3['id']}/refunds",
        {"lines": [{"line_id": line["id"], "quantity": 2}], "reason": "再退"},
    )
    body = assert_error(r, 400, "invalid_refund")
    assert "1" in body["message"]
    assert Refund.objects.count() == 1


@pytest.mark.parametrize(
    "payload",
    [
        {"lines": [], "reason": "不要了"},
        {"lines": [{"line_id": "1", "quantity": 1}], "reason": "不要了"},
        {"lines": [{"line_id": None, "quantity": 1}], "reason": "不要了"},
        {"lines": [{"line_id": "LINE", "quantity": 0}], "reason": "不要了"},
        {"lines": [{"line_id": "LINE", "quantity": -1}], "reason": "不要了"},
        {"lines": [{"line_id": "LINE", "quantity": "1"}], "reason": "不要了"},
        {"lines": [{"line_id": "LINE", "quantity": 1.5}], "reason": "不要了"},
        {"lines": [{"line_id": "LINE", "quantity": 10**30}], "reason": "不要了"},
        {"lines": [{"line_id": "LINE", "quantity": 1}], "reason": ""},
        {"lines": [{"line_id": "LINE", "quantity": 1}], "reason": "   "},
        {"lines": [{"line_id": "LINE", "quantity": 1}]},
        {"lines": [{"line_id": 2**63, "quantity": 1}], "reason": "不要了"},
        {"lines": [{"line_id": 10**30, "quantity": 1}], "reason": "不要了"},
        {"lines": [{"line_id": -3, "quantity": 1}], "reason": "不要了"},
    ],
    ids=lambda p: repr(p)[:70],
)
def test_malformed_refund_requests_are_refused(buyer_api, sku, paid3, payload):
    line_id = paid3["lines"][0]["id"]
    payload = {
        **payload,
        "lines": [
            {**ln, "line_id": line_id} if ln["line_id"] == "LINE" else ln for ln in payload["lines"]
        ],
    }
    before = snapshot()
    r = buyer_api.post(f"/orders/{paid3['id']}/refunds", payload)
    assert 400 <= r.status_code < 500, (r.status_code, r.content)
    assert_error(r, r.status_code)
    assert snapshot() == before


def test_a_line_of_another_order_cannot_be_refunded(buyer_api, sku, paid3):
    second = place(buyer_api, sku, 1)
    pay(buyer_api, second["id"])
    before = snapshot()
    r = buyer_api.post(
        f"/orders/{paid3['id']}/refunds",
        {"lines": [{"line_id": second["lines"][0]["id"], "quantity": 1}], "reason": "串单"},
    )
    assert_error(r, 400, "invalid_refund")
    assert snapshot() == before


def test_an_unpaid_order_cannot_ask_for_a_refund(buyer_api, sku):
    order = place(buyer_api, sku, 1)
    before = snapshot()
    r = buyer_api.post(
        f"/orders/{order['id']}/refunds",
        {"lines": [{"line_id": order["lines"][0]["id"], "quantity": 1}], "reason": "不要了"},
    )
    assert_error(r, 409, "invalid_order_state")
    assert snapshot() == before


def test_refunds_after_shipping_and_after_completion(buyer_api, staff_api, sku, paid3):
    ship(staff_api, paid3["id"])
    first = approve(staff_api, request_refund(buyer_api, paid3, [1])["id"])
    assert first["status"] == "refunded"
    assert buyer_api.post(f"/orders/{paid3['id']}/confirm").status_code == 200
    second = approve(staff_api, request_refund(buyer_api, paid3, [1])["id"])
    assert second["status"] == "refunded"
    order = buyer_api.get(f"/orders/{paid3['id']}").json()
    assert order["status"] == "completed"
    assert order["refunded_amount"] == "599.80"


def test_staff_reject_with_a_reason_and_the_units_can_be_asked_again(
    buyer_api, staff_api, sku, paid3
):
    refund = request_refund(buyer_api, paid3, [3])
    assert_error(staff_api.post(f"/admin/refunds/{refund['id']}/reject", {}), 400, "invalid_input")
    r = staff_api.post(f"/admin/refunds/{refund['id']}/reject", {"reason": "商品已拆封使用"})
    assert r.status_code == 200, r.content
    assert r.json()["status"] == "rejected"
    assert r.json()["reject_reason"] == "商品已拆封使用"
    # a decided refund is not decided again
    before = snapshot()
    r = staff_api.post(f"/admin/refunds/{refund['id']}/reject", {"reason": "再拒"})
    assert_error(r, 409, "invalid_refund_state")
    assert_error(staff_api.post(f"/admin/refunds/{refund['id']}/approve", {}), 409)
    assert snapshot() == before
    assert not ProviderRefund.objects.exists()
    order = buyer_api.get(f"/orders/{paid3['id']}").json()
    assert order["refunded_amount"] == "0.00" and order["status"] == "paid"
    # the rejected units are free to be asked for again
    assert request_refund(buyer_api, paid3, [3])["amount"] == "899.70"


def test_a_refund_is_approved_once(buyer_api, staff_api, sku, paid3):
    refund = request_refund(buyer_api, paid3, [1])
    approve(staff_api, refund["id"])
    before = snapshot()
    r = staff_api.post(f"/admin/refunds/{refund['id']}/approve", {})
    assert_error(r, 409, "invalid_refund_state")
    assert_error(staff_api.post(f"/admin/refunds/{refund['id']}/reject", {"reason": "x"}), 409)
    assert snapshot() == before
    assert ProviderRefund.objects.count() == 1
    sku.refresh_from_db()
    assert sku.stock == 8


def test_only_staff_review_refunds(buyer_api, sku, paid3):
    refund = request_refund(buyer_api, paid3, [1])
    assert_error(buyer_api.post(f"/admin/refunds/{refund['id']}/approve", {}), 403, "forbidden")
    r = buyer_api.post(f"/admin/refunds/{refund['id']}/reject", {"reason": "x"})
    assert_error(r, 403, "forbidden")
    assert Refund.objects.get(pk=refund["id"]).status == "requested"


def test_reviewing_an_unknown_refund_is_404(staff_api):
    assert_error(staff_api.post("/admin/refunds/987654/approve", {}), 404, "refund_not_found")
    r = staff_api.post("/admin/refunds/987654/reject", {"reason": "x"})
    assert_error(r, 404, "refund_not_found")


def test_staff_roles_decide_who_ships_and_who_reviews_refunds(buyer_api, make_api, sku, paid3):
    # given a customer-service member and an operator
    service = make_api(staff_create(phone="13800000011", password="staff-pass-123", role="service"))
    operator = make_api(
        staff_create(phone="13800000012", password="staff-pass-123", role="operator")
    )
    # customer service reviews refunds but does not ship
    body = {"carrier": "顺丰", "tracking_no": "SF9"}
    assert_error(service.post(f"/admin/orders/{paid3['id']}/ship", body), 403, "forbidden")
    refund = request_refund(buyer_api, paid3, [1])
    assert approve(service, refund["id"])["status"] == "refunded"
    # the operator ships
    assert ship(operator, paid3["id"])["status"] == "shipped"


def _queries(api, path) -> int:
    api.get(path)  # warm up: the token's last use is recorded once
    with CaptureQueriesContext(connection) as ctx:
        assert api.get(path).status_code == 200
    return len(ctx.captured_queries)


def test_order_lists_take_the_same_queries_for_many_orders(buyer_api, staff_api, sku):
    other = SkuFactory(stock=100)
    place(buyer_api, sku, 1)
    few, few_staff = _queries(buyer_api, "/orders"), _queries(staff_api, "/admin/orders")
    for _ in range(8):
        r = buyer_api.post("/orders", order_body((sku.pk, 1), (other.pk, 2)))
        assert r.status_code == 201
    assert buyer_api.get("/orders").json()["count"] == 9
    assert _queries(buyer_api, "/orders") == few
    assert _queries(staff_api, "/admin/orders") == few_staff
    assert few <= 5


@pytest.mark.parametrize("return_stock", ["abc", None, [], 2])
def test_approve_with_a_bad_return_stock_is_refused(buyer_api, staff_api, sku, paid3, return_stock):
    refund = request_refund(buyer_api, paid3, [1])
    before = snapshot()
    r = staff_api.post(f"/admin/refunds/{refund['id']}/approve", {"return_stock": return_stock})
    assert_error(r, 400, "invalid_input")
    assert snapshot() == before
    assert Refund.objects.get(pk=refund["id"]).status == "requested"
