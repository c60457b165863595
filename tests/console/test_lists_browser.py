"""Every main console list at 1280×800 in a real browser: the money columns are in view without
scrolling sideways; screenshots kept under test-artifacts/console/."""

import os
from decimal import Decimal
from pathlib import Path

import pytest

from fenxiao.ledger import services as ledger
from fenxiao.payouts import services as payouts
from tests.console.conftest import STAFF_PASSWORD, ask_refund
from tests.console.test_browser import CHROMIUM, page  # noqa: F401 (the browser fixture)
from tests.console.test_distribution_admin import network  # noqa: F401 (fixture)

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "console"
VIEWPORT = {"width": 1280, "height": 800}

# list page → the money columns (their header's class) that must be in view
LISTS = {
    "orders": ("/admin/orders/order/", ["total_display", "refunded_display"]),
    "commissions": ("/admin/distribution/commission/", ["amount_display", "base_display"]),
    "distributors": ("/admin/distribution/distributor/", ["balances"]),
    "withdrawals": ("/admin/payouts/withdrawal/", ["amount", "fee", "tax", "net"]),
    "ledger-entries": ("/admin/ledger/entry/", ["amount_display"]),
    "ledger-accounts": ("/admin/ledger/account/", ["balance_display"]),
    "products": ("/admin/catalog/product/", ["price_range"]),
    "stock-moves": ("/admin/catalog/stockmove/", ["delta_signed", "stock_after"]),
}

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        not os.access(CHROMIUM, os.X_OK),
        reason=f"{CHROMIUM} is missing: apt-get install -y chromium (or `make chromium`)",
    ),
]


def test_money_columns_of_every_list_are_in_view_at_1280(
    page,  # noqa: F811
    make_staff,
    network,  # noqa: F811
):
    # given: commissions from two paid orders, a refund asked, a withdrawal waiting
    ask_refund(network.mat_order, 1)
    ledger.post(
        kind="commission_settle",
        source_id="lists-1",
        legs=[
            (ledger.platform_key("commission_expense"), Decimal("-500.00")),
            (ledger.user_key(network.top.pk, "available"), Decimal("500.00")),
        ],
    )
    payouts.withdrawal_request(
        user=network.top, amount="120.00", channel="sandbox", request_id="lists-w1"
    )
    owner = make_staff("owner")

    page.set_viewport_size(VIEWPORT)
    page.goto("/admin/")
    page.fill("#id_username", owner.phone)
    page.fill("#id_password", STAFF_PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_selector("#waiting-on-staff")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "home.png"))

    for name, (url, columns) in LISTS.items():
        page.goto(url)
        page.wait_for_selector("#result_list tbody tr")
        page.screenshot(path=str(ARTIFACTS / f"{name}.png"))
        # the page does not scroll sideways ...
        assert page.evaluate("document.documentElement.scrollWidth") <= VIEWPORT["width"], name
        # ... and the table's visible part (its box may scroll) holds each money column
        results = page.locator("#changelist .results").bounding_box()
        visible_right = min(VIEWPORT["width"], results["x"] + results["width"])
        for column in columns:
            header = page.locator(f"#result_list thead th.column-{column}").bounding_box()
            assert header is not None, (name, column)
            assert header["x"] >= 0 and header["x"] + header["width"] <= visible_right, (
                name,
                column,
                header,
                visible_right,
            )
            assert header["y"] + header["height"] <= VIEWPORT["height"], (name, column)
        # every header in Chinese
        headers = page.locator("#result_list thead th").all_inner_texts()
        assert not [h for h in headers if h.strip().isascii() and h.strip()], (
            name,
            headers,
        )
