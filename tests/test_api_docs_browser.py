"""`/api/v1/docs` in a real browser with nothing reachable but the shop: Swagger UI comes from
our own static files, not a CDN."""

import os

import pytest
from django.db import connections

CHROMIUM = "/usr/bin/chromium"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        not os.access(CHROMIUM, os.X_OK),
        reason=f"{CHROMIUM} is missing: apt-get install -y chromium (or `make chromium`)",
    ),
]


def test_docs_list_the_operations_offline(live_server, monkeypatch):
    from playwright.sync_api import sync_playwright

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    off_origin: list[str] = []
    failed: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=["--headless", "--no-sandbox", "--disable-gpu"]
        )
        context = browser.new_context(base_url=live_server.url)

        # the network ends at the shop's origin: anything else fails, as on an offline server
        def leave_origin(route):
            off_origin.append(route.request.url)
            route.abort()

        context.route(lambda url: not url.startswith(live_server.url), leave_origin)
        page = context.new_page()
        page.on("requestfailed", lambda request: failed.append(request.url))
        page.goto("/api/v1/docs")
        page.wait_for_selector(".opblock", timeout=30_000)
        operations = page.locator(".opblock").count()
        paths = page.locator(".opblock-summary-path").all_inner_texts()
        summaries = page.locator(".opblock-summary-description").all_inner_texts()
        browser.close()
        connections.close_all()

    assert operations > 50
    assert "/api/v1/orders" in paths
    assert "下单" in summaries
    assert off_origin == []
    assert failed == []
