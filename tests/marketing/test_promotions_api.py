"""Staff 满减 promotions through the API: creation with checked tiers, pause / resume / end,
and the sales each one brought."""

from decimal import Decimal

import pytest

from fenxiao.marketing.models import Promotion
from tests.catalog.factories import CategoryFactory, SkuFactory
from tests.conftest import ADDRESS
from tests.orders.flows import pay

D = Decimal
pytestmark = pytest.mark.django_db


def body(**changes) -> dict:
    return {
        "name": "满200减20",
        "kind": "full_reduction",
        "tiers": [{"threshold": "100", "amount": "10"}, {"threshold": "200", "amount": "30"}],
        "scope": "all",
        **changes,
    }


def test_staff_create_a_promotion_in_the_issues_shape(staff_api):
    category = CategoryFactory()
    r = staff_api.post(
        "/admin/promotions",
        body(
            scope={"category_ids": [category.pk]},
            starts_at="2026-01-01T00:00:00+08:00",
            ends_at="2026-12-31T00:00:00+08:00",
            stack_with_coupon=False,
        ),
    )
    assert r.status_code == 201, r.content
    made = r.json()
    assert made["tiers"] == [
        {"threshold": "100.00", "amount": "10.00"},
        {"threshold": "200.00", "amount": "30.00"},
    ]
    assert (made["scope"], made["category_ids"], made["status"]) == (
        "categories",
        [category.pk],
        "active",
    )
    assert made["stack_with_coupon"] is False and made["order_count"] == 0


@pytest.mark.parametrize(
    ("tiers", "message"),
    [
        ([], "至少设置一个"),
        ([{"threshold": "100", "amount": "100"}], "须小于门槛"),
        ([{"threshold": "100", "amount": "0"}], "须大于 0"),
        ([{"threshold": "100", "amount": "-5"}], "须大于 0"),
        (
            [{"threshold": "200", "amount": "30"}, {"threshold": "100", "amount": "10"}],
            "高于上一档",
        ),
        (
            [{"threshold": "100", "amount": "10"}, {"threshold": "100", "amount": "20"}],
            "高于上一档",
        ),
        ([{"threshold": "100.001", "amount": "10"}], "须为金额"),
        ([{"threshold": "abc", "amount": "10"}], "须为金额"),
    ],
)
def test_bad_tiers_are_refused_in_chinese_and_nothing_is_made(staff_api, tiers, message):
    r = staff_api.post("/admin/promotions", body(tiers=tiers))
    assert r.status_code == 400, r.content
    assert r.json()["code"] == "promotion_invalid" and message in r.json()["message"]
    assert not Promotion.objects.exists()


@pytest.mark.parametrize(
    ("changes", "status", "message"),
    [
        ({"scope": {"category_ids": [999999]}}, 400, "分类不存在"),
        ({"scope": {"product_ids": []}}, 400, "商品"),
        ({"scope": {"category_ids": [1], "product_ids": [1]}}, 400, "只能选一种"),
        ({"scope": "some"}, 400, "适用范围"),
        ({"scope": {}}, 400, "适用范围"),
        (
            {"starts_at": "2026-02-01T00:00:00+08:00", "ends_at": "2026-01-01T00:00:00+08:00"},
            400,
            "结束时间",
        ),
        ({"kind": "gift"}, 400, "kind"),
        ({"name": "  "}, 400, "name"),
    ],
)
def test_a_bad_scope_window_or_name_is_refused(staff_api, changes, status, message):
    r = staff_api.post("/admin/promotions", body(**changes))
    assert r.status_code == status, r.content
    assert message in r.json()["message"]
    assert not Promotion.objects.exists()


def test_pause_resume_and_end_move_the_status_once(staff_api):
    made = staff_api.post("/admin/promotions", body()).json()
    base = f"/admin/promotions/{made['id']}"
    assert staff_api.post(f"{base}/pause").json()["status"] == "paused"
    r = staff_api.post(f"{base}/pause")
    assert r.status_code == 409 and "暂停" in r.json()["message"]
    assert staff_api.post(f"{base}/resume").json()["status"] == "active"
    assert staff_api.post(f"{base}/end").json()["status"] == "ended"
    r = staff_api.post(f"{base}/resume")
    assert r.status_code == 409
    assert staff_api.post("/admin/promotions/999999/end").status_code == 404


def test_buyers_cannot_manage_promotions(buyer_api):
    assert buyer_api.post("/admin/promotions", body()).status_code in (401, 403)
    assert buyer_api.get("/admin/promotions").status_code in (401, 403)


def test_the_list_shows_the_sales_each_promotion_brought(staff_api, buyer_api):
    # given a promotion and two orders that got it, one of them paid
    made = staff_api.post("/admin/promotions", body()).json()
    sku = SkuFactory(price=D("150.00"), stock=10)
    order = {"lines": [{"sku_id": sku.pk, "quantity": 1}], "address": ADDRESS}
    paid = buyer_api.post("/orders", order).json()
    buyer_api.post("/orders", order)
    pay(buyer_api, paid["id"])
    # and an order below every tier
    cheap = SkuFactory(price=D("50.00"))
    buyer_api.post("/orders", {"lines": [{"sku_id": cheap.pk, "quantity": 1}], "address": ADDRESS})

    listed = staff_api.get("/admin/promotions").json()

    assert listed["count"] == 1
    assert [(p["id"], p["order_count"], p["paid_total"]) for p in listed["items"]] == [
        (made["id"], 1, "140.00")
    ]


def test_the_list_is_paged_newest_first_and_filtered_by_status(staff_api):
    # given five promotions, the oldest one ended
    made = [staff_api.post("/admin/promotions", body(name=f"满减{i}")).json() for i in range(5)]
    staff_api.post(f"/admin/promotions/{made[0]['id']}/end")

    # when staff read the second page of two
    page = staff_api.get("/admin/promotions?page=2&page_size=2").json()

    # then the count is of all five and the page holds the third and second newest
    assert (page["count"], page["page"], page["page_size"]) == (5, 2, 2)
    assert [p["id"] for p in page["items"]] == [made[2]["id"], made[1]["id"]]
    ended = staff_api.get("/admin/promotions?status=ended").json()
    assert (ended["count"], [p["id"] for p in ended["items"]]) == (1, [made[0]["id"]])
    assert staff_api.get("/admin/promotions?page=4&page_size=2").json()["items"] == []
