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


@pytest.fixture
def document(client):
    return client.get("/api/v1/openapi.json").json()


def operations(document):
    for path, item in document["paths"].items():
        for method, operation in item.items():
            yield f"{method.upper()} {path}", operation


def has_chinese(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def test_every_operation_has_a_chinese_summary(document):
    missing = [name for name, op in operations(document) if not has_chinese(op.get("summary", ""))]
    assert missing == []


def error_codes(document, operation, status: int) -> set[str]:
    """The `code` values an error response of the operation declares, over the shared schema."""
    response = operation["responses"].get(str(status))
    if response is None:
        return set()
    schema = response["content"]["application/json"]["schema"]
    shared, codes = schema["allOf"]
    assert shared == {"$ref": "#/components/schemas/ErrorOut"}
    assert set(document["components"]["schemas"]["ErrorOut"]["required"]) == {"code", "message"}
    for code in codes["properties"]["code"]["enum"]:
        assert f"`{code}`" in response["description"]  # said in words too, with its message
    return set(codes["properties"]["code"]["enum"])


def test_every_operation_documents_its_error_responses(document):
    for name, operation in operations(document):
        secured = {scheme for need in operation.get("security", []) for scheme in need}
        assert "invalid_input" in error_codes(document, operation, 400), name
        assert "not_found" in error_codes(document, operation, 404), name
        if secured - {"OptionalTokenAuth"}:
            assert error_codes(document, operation, 401) == {"unauthorized"}, name
        if "StaffTokenAuth" in secured:
            assert "forbidden" in error_codes(document, operation, 403), name


def test_operations_name_the_domain_errors_they_raise(document):
    place = document["paths"]["/api/v1/orders"]["post"]
    assert {"out_of_stock", "idempotency_conflict"} <= error_codes(document, place, 409)
    assert "sku_unavailable" in error_codes(document, place, 400)
    cancel = document["paths"]["/api/v1/orders/{order_id}/cancel"]["post"]
    assert "invalid_order_state" in error_codes(document, cancel, 409)
    assert "order_not_found" in error_codes(document, cancel, 404)
    plan = document["paths"]["/api/v1/admin/distribution/plan"]["put"]
    assert {"plan_levels_exceeded", "pyramid_rule_refused"} <= error_codes(document, plan, 400)
    notify = document["paths"]["/api/v1/payments/notify/{provider}"]["post"]
    assert {"invalid_signature", "stale_timestamp"} <= error_codes(document, notify, 401)
    withdraw = document["paths"]["/api/v1/wallet/withdrawals"]["post"]
    assert "insufficient_balance" in error_codes(document, withdraw, 409)


def allowed_values(document, schema: dict) -> list | None:
    """The enum of a property schema, through a $ref, `const` or an optional (anyOf ... null)."""
    if "$ref" in schema:
        schema = document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    if "enum" in schema:
        return schema["enum"]
    if "const" in schema:
        return [schema["const"]]
    for choice in schema.get("anyOf", []):
        if choice.get("type") != "null":
            return allowed_values(document, choice)
    return None


def test_every_status_and_kind_lists_its_allowed_values(document):
    open_ended = []
    for name, schema in document["components"]["schemas"].items():
        for prop, definition in schema.get("properties", {}).items():
            if prop.endswith("status") or prop == "kind":
                if not allowed_values(document, definition):
                    open_ended.append(f"{name}.{prop}")
    for name, operation in operations(document):
        for parameter in operation.get("parameters", []):
            if parameter["name"].endswith("status") or parameter["name"] == "kind":
                if not allowed_values(document, parameter["schema"]):
                    open_ended.append(f"{name} ?{parameter['name']}")
    assert open_ended == []
    order = document["components"]["schemas"]["OrderOut"]["properties"]["status"]
    assert set(allowed_values(document, order)) == {
        "pending_payment",
        "paid",
        "shipped",
        "completed",
        "cancelled",
        "refunded",
    }


def test_health_answers_without_a_token_or_the_database(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        r = client.get("/api/v1/health")

    assert r.status_code == 200 and r.json() == {"status": "ok"}


@pytest.mark.django_db
def test_an_id_beyond_a_64_bit_integer_is_not_found_not_a_server_error(client):
    from fenxiao.accounts.services import staff_create, token_issue

    staff = staff_create(phone="13800000008", password="staff-pass-123", role="owner")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token_issue(user=staff)}"}
    huge = 2**64  # found by the fuzzer: the distributor routes answered 500 on SQLite

    for action in ("approve", "freeze", "unfreeze"):
        r = client.post(
            f"/api/v1/admin/distributors/{huge}/{action}", {}, "application/json", **auth
        )
        assert r.status_code == 404, (action, r.content)
    r = client.get(f"/api/v1/admin/products/{huge}/commission", **auth)
    assert r.status_code == 404, r.content
