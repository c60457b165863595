"""The console in a real browser: Debian chromium driven by Playwright against a live server."""

import os

import pytest
from django.db import connections

from fenxiao.catalog.models import Product
from fenxiao.orders.models import Order
from tests.console.conftest import STAFF_PASSWORD, pay, place
from tests.tofu import TOFU

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        not os.access(CHROMIUM, os.X_OK),
        reason=f"{CHROMIUM} is missing: apt-get install -y chromium (or `make chromium`)",
    ),
]


@pytest.fixture
def page(live_server, monkeypatch):
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop in this thread; the test's own ORM calls
    # (setting up and checking the database) are still plain synchronous code.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        # a merchant's browser in China asks for Chinese
        context = browser.new_context(locale="zh-CN", base_url=live_server.url)
        page = context.new_page()
        page.set_default_timeout(15_000)
        yield page
        browser.close()
        # the ORM calls made while Playwright ran used their own connection: close it, or
        # PostgreSQL refuses to drop the test database at the end
        connections.close_all()


def run_action(page, label: str) -> None:
    page.select_option("select[name=action]", label=label)
    page.click("button[name=index]")


def test_merchant_logs_in_takes_a_product_off_shelf_and_ships_an_order(
    page, make_staff, shop, shopper
):
    make_staff("operator")
    order = pay(place(shopper, shop.sku(shop.band)))

    # log in to the console and see today's figures
    page.goto("/admin/")
    page.fill("#id_username", "13700000002")
    page.fill("#id_password", STAFF_PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_selector("#today-figures")
    assert "今日概况" in page.inner_text("#today-figures")
    assert page.inner_text("#fig-sales") == "¥229.00"
    # the stylesheet came through, so the page is laid out
    header_color = page.eval_on_selector("#header", "e => getComputedStyle(e).backgroundColor")
    assert header_color not in ("", "rgba(0, 0, 0, 0)")

    # put a product off the shelf with the list action
    page.goto("/admin/catalog/product/")
    page.check(f"input[name=_selected_action][value='{shop.mat.pk}']")
    run_action(page, "下架所选商品")
    page.wait_for_selector(".messagelist")
    assert "已下架 1 个商品" in page.inner_text(".messagelist")
    assert Product.objects.get(pk=shop.mat.pk).status == "off_shelf"
    assert Product.objects.get(pk=shop.band.pk).status == "on_shelf"

    # ship the paid order through the intermediate form
    page.goto("/admin/orders/order/?status__exact=paid")
    page.check(f"input[name=_selected_action][value='{order.pk}']")
    run_action(page, "发货（填写快递单号）")
    page.wait_for_selector("#ship-form")
    assert order.number in page.inner_text("#ship-form")
    page.select_option(f"select[name=carrier_{order.pk}]", "京东物流")
    page.fill(f"input[name=tracking_{order.pk}]", "JD0012345678")
    page.click("#ship-form input[type=submit]")
    page.wait_for_selector(".messagelist")
    assert "已发货 1 个订单" in page.inner_text(".messagelist")

    order.refresh_from_db()
    assert (order.status, order.carrier, order.tracking_no) == (
        Order.Status.SHIPPED,
        "京东物流",
        "JD0012345678",
    )


def drawn_as_tofu(page) -> list[str]:
    """What is wrong with the Chinese on the page: tofu, or a check that could not work."""
    rendering = page.evaluate(TOFU)
    found = [] if rendering["checked"] else ["no Chinese characters were checked"]
    if not rendering["boxes"]:
        found.append("the reference (a code point no font has) did not draw a box")
    return found + rendering["tofu"][:10]


def test_console_pages_show_chinese_glyphs_not_boxes(page, make_staff, shop, shopper):
    # a machine without a CJK font draws every Chinese character as a box; `make test` and
    # `make demo` install Debian's fonts-noto-cjk (the Makefile's `fonts` target)
    make_staff("owner")
    pay(place(shopper, shop.sku(shop.band)))
    problems = {}

    page.goto("/admin/login/")
    problems["/admin/login/"] = drawn_as_tofu(page)
    page.fill("#id_username", "13700000001")
    page.fill("#id_password", STAFF_PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_selector("#today-figures")
    for path in ("/admin/", "/admin/catalog/product/", "/admin/orders/order/"):
        page.goto(path)
        problems[path] = drawn_as_tofu(page)

    assert {path: found for path, found in problems.items() if found} == {}
