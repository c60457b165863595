"""The API contract of DESIGN.md is published in the OpenAPI document and the docs page."""

import pytest

pytestmark = pytest.mark.django_db

CONTRACT = [
    ("post", "/auth/register"),
    ("post", "/auth/login"),
    ("post", "/auth/wechat"),
    ("post", "/auth/wechat/phone"),
    ("get", "/products"),
    ("get", "/products/{product_id}"),
    ("post", "/referrals/visit"),
    ("post", "/orders"),
    # issue 10: one pricing step for the preview and the placement
    ("post", "/orders/preview"),
    ("post", "/admin/promotions"),
    ("get", "/admin/promotions"),
    ("post", "/admin/promotions/{promotion_id}/pause"),
    ("post", "/admin/promotions/{promotion_id}/resume"),
    ("post", "/admin/promotions/{promotion_id}/end"),
    ("get", "/orders"),
    ("get", "/orders/{order_id}"),
    ("post", "/orders/{order_id}/pay"),
    ("post", "/payments/sandbox/{payment_id}/complete"),
    ("post", "/payments/notify/{provider}"),
    ("post", "/orders/{order_id}/cancel"),
    ("post", "/orders/{order_id}/confirm"),
    ("post", "/orders/{order_id}/refunds"),
    ("get", "/distributor/me"),
    ("post", "/distributor/apply"),
    ("get", "/distributor/team"),
    ("get", "/distributor/commissions"),
    ("get", "/wallet"),
    ("get", "/wallet/entries"),
    ("get", "/wallet/withdrawals/preview"),
    ("get", "/wallet/withdrawals"),
    ("post", "/wallet/withdrawals"),
    ("post", "/wallet/withdrawals/{withdrawal_id}/cancel"),
    # issue 9: transfers (商家转账) — the sandbox's "user confirms", asking the channel now,
    # and WeChat's transfer notifications
    ("post", "/wallet/withdrawals/{withdrawal_id}/sandbox-confirm"),
    ("post", "/wallet/withdrawals/{withdrawal_id}/refresh"),
    ("post", "/payouts/notify/{provider}"),
    ("get", "/wallet/identity"),
    ("put", "/wallet/identity"),
    ("get", "/admin/withdrawals"),
    ("post", "/admin/withdrawals/{withdrawal_id}/approve"),
    ("post", "/admin/withdrawals/{withdrawal_id}/reject"),
    ("post", "/admin/withdrawals/{withdrawal_id}/mark-paid"),
    ("get", "/admin/distribution/plan"),
    ("put", "/admin/distribution/plan"),
    ("post", "/admin/products"),
    ("patch", "/admin/products/{product_id}"),
    ("delete", "/admin/products/{product_id}"),
    ("post", "/admin/distributors/{distributor_id}/approve"),
    ("post", "/admin/distributors/{distributor_id}/reject"),
    ("post", "/admin/distributors/{distributor_id}/freeze"),
    ("post", "/admin/orders/{order_id}/ship"),
    ("post", "/admin/refunds/{refund_id}/approve"),
    ("post", "/admin/refunds/{refund_id}/reject"),
    # issue 8: what the client's pages need
    ("get", "/shop"),
    ("get", "/cart"),
    ("post", "/cart/items"),
    ("patch", "/cart/items/{item_id}"),
    ("delete", "/cart/items/{item_id}"),
    ("put", "/addresses/{address_id}"),
    ("delete", "/addresses/{address_id}"),
    ("post", "/addresses/{address_id}/default"),
    # issue 8: the distributor centre
    ("get", "/distributor/summary"),
    ("get", "/distributor/poster"),
    # issue 9: what the withdrawal form needs
    ("get", "/wallet/withdrawals/options"),
    # issue 10: coupons
    ("get", "/coupons/available"),
    ("post", "/coupons/{coupon_id}/claim"),
    ("get", "/coupons/{coupon_id}/share"),
    ("get", "/me/coupons"),
    ("post", "/admin/coupons"),
    ("get", "/admin/coupons"),
    ("post", "/admin/coupons/{coupon_id}/issue"),
    ("post", "/admin/coupons/{coupon_id}/pause"),
    ("post", "/admin/coupons/{coupon_id}/resume"),
    ("post", "/admin/coupons/{coupon_id}/end"),
    # issue 10: freight templates
    ("get", "/admin/freight-templates"),
    ("post", "/admin/freight-templates"),
    ("put", "/admin/freight-templates/{template_id}"),
    ("delete", "/admin/freight-templates/{template_id}"),
    # issue 10: points
    ("get", "/me/points"),
]


def test_every_contract_path_is_in_the_openapi_document(client):
    r = client.get("/api/v1/openapi.json")
    assert r.status_code == 200
    paths = r.json()["paths"]
    missing = [(m, p) for m, p in CONTRACT if m not in paths.get("/api/v1" + p, {})]
    assert missing == []


def test_the_docs_page_is_served(client):
    r = client.get("/api/v1/docs")
    assert r.status_code == 200 and b"openapi.json" in r.content
