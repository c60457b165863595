"""Small steps of the buyer's and the merchant's journey through the API, shared by tests."""

import re

from tests.conftest import ADDRESS


def place(api, sku, quantity: int = 1, **extra) -> dict:
    """Place an order of `quantity` × `sku` and return its JSON (asserting 201)."""
    r = api.post(
        "/orders",
        {"lines": [{"sku_id": sku.pk, "quantity": quantity}], "address": ADDRESS, **extra},
    )
    assert r.status_code == 201, r.content
    return r.json()


def start_payment(api, order_id: int) -> dict:
    r = api.post(f"/orders/{order_id}/pay", {})
    assert r.status_code == 200, r.content
    return r.json()


def pay(api, order_id: int) -> dict:
    """Pay an order through the sandbox; returns the /complete answer (with the notification)."""
    payment = start_payment(api, order_id)
    r = api.post(f"/payments/sandbox/{payment['payment_id']}/complete")
    assert r.status_code == 200, r.content
    return r.json()


def ship(staff_api, order_id: int) -> dict:
    r = staff_api.post(
        f"/admin/orders/{order_id}/ship", {"carrier": "顺丰速运", "tracking_no": "SF1234567890"}
    )
    assert r.status_code == 200, r.content
    return r.json()


def request_refund(api, order: dict, quantities: list[int], reason: str = "不想要了") -> dict:
    """Ask for a refund of `quantities[i]` units of the order's i-th line (0 = skip)."""
    lines = [
        {"line_id": line["id"], "quantity": q}
        for line, q in zip(order["lines"], quantities, strict=False)
        if q
    ]
    r = api.post(f"/orders/{order['id']}/refunds", {"lines": lines, "reason": reason})
    assert r.status_code == 201, r.content
    return r.json()


def approve(staff_api, refund_id: int, **payload) -> dict:
    r = staff_api.post(f"/admin/refunds/{refund_id}/approve", payload)
    assert r.status_code == 200, r.content
    return r.json()


def assert_error(response, status: int, code: str | None = None) -> dict:
    """A 4xx answer in the contract's shape {code, message}, the message in Chinese."""
    assert response.status_code == status, (response.status_code, response.content)
    body = response.json()
    assert isinstance(body.get("code"), str) and body["code"], body
    assert isinstance(body.get("message"), str) and body["message"], body
    assert re.search(r"[\u4e00-\u9fff]", body["message"]), body  # shown to users: Chinese
    if code is not None:
        assert body["code"] == code, body
    return body
