"""Stock changes only as an adjustment or under a version check (issue 7, defect 3), and
every change is in the SKU's stock history."""

from decimal import Decimal

import pytest

from fenxiao.accounts.services import staff_create
from fenxiao.catalog.models import Product, Sku, StockMove
from fenxiao.catalog.selectors import stock_differences
from fenxiao.cli import main as fenxiao
from tests.asserts import assert_error
from tests.catalog.factories import SkuFactory
from tests.conftest import ADDRESS

pytestmark = pytest.mark.django_db


def sell(api, sku, quantity: int) -> None:
    body = {"lines": [{"sku_id": sku.pk, "quantity": quantity}], "address": ADDRESS}
    assert api.post("/orders", body).status_code == 201


def staff_read(staff_api, product_id: int) -> dict:
    """The SKUs as the staff's edit page reads them, by id."""
    r = staff_api.get(f"/admin/products/{product_id}")
    assert r.status_code == 200, r.content
    return {s["id"]: s for s in r.json()["skus"]}


def everything() -> tuple:
    return (
        list(Product.objects.values()),
        list(Sku.objects.order_by("pk").values()),
        list(StockMove.objects.order_by("pk").values()),
    )


def history(sku) -> list[tuple]:
    rows = StockMove.objects.filter(sku=sku).order_by("id")
    return list(rows.values_list("kind", "delta", "stock_after"))


# the regression


def test_a_price_edit_echoing_a_stale_stock_no_longer_resets_it(staff_api, buyer_api):
    # given stock 20, read by staff, then 5 units sold (15 left)
    sku = SkuFactory(stock=20)
    read = staff_read(staff_api, sku.product_id)[sku.pk]
    sell(buyer_api, sku, 5)
    before = everything()

    # when staff save a new price with the stock they read
    r = staff_api.patch(
        f"/admin/products/{sku.product_id}",
        {"skus": [{"id": sku.pk, "price": "199.00", "stock": read["stock"]}]},
    )

    # then: 409, the stock stays 15, and nothing of the PATCH is written (price included)
    body = assert_error(r, 409, "stock_conflict")
    assert "刷新" in body["message"]
    assert everything() == before
    sku.refresh_from_db()
    assert sku.stock == 15


def test_a_stale_version_with_an_absolute_stock_is_a_409_and_writes_nothing(staff_api, buyer_api):
    sku = SkuFactory(stock=20)
    read = staff_read(staff_api, sku.product_id)[sku.pk]
    sell(buyer_api, sku, 5)
    before = everything()

    r = staff_api.patch(
        f"/admin/products/{sku.product_id}",
        {
            "name": "改了名字",
            "skus": [
                {
                    "id": sku.pk,
                    "price": "199.00",
                    "stock": 30,
                    "stock_version": read["stock_version"],
                }
            ],
        },
    )

    assert_error(r, 409, "stock_conflict")
    assert everything() == before


def test_a_price_only_patch_leaves_the_stock_alone(staff_api, buyer_api):
    sku = SkuFactory(stock=20)
    sell(buyer_api, sku, 5)

    r = staff_api.patch(
        f"/admin/products/{sku.product_id}", {"skus": [{"id": sku.pk, "price": "199.00"}]}
    )

    assert r.status_code == 200, r.content
    assert r.json()["skus"][0]["price"] == "199.00"
    assert r.json()["skus"][0]["stock"] == 15
    assert history(sku) == [("initial", 20, 20), ("order", -5, 15)]


def test_echoing_the_current_stock_is_harmless(staff_api):
    sku = SkuFactory(stock=20)
    read = staff_read(staff_api, sku.product_id)[sku.pk]

    r = staff_api.patch(
        f"/admin/products/{sku.product_id}",
        {"skus": [{"id": sku.pk, "price": "9.90", "stock": read["stock"]}]},
    )

    assert r.status_code == 200, r.content
    sku.refresh_from_db()
    assert (sku.price, sku.stock, sku.stock_version) == (Decimal("9.90"), 20, read["stock_version"])
    assert history(sku) == [("initial", 20, 20)]


# the ways to change stock


def test_an_absolute_stock_with_the_current_version_is_a_count(staff_api, staff, buyer_api):
    sku = SkuFactory(stock=20)
    sell(buyer_api, sku, 5)
    read = staff_read(staff_api, sku.product_id)[sku.pk]

    r = staff_api.patch(
        f"/admin/products/{sku.product_id}",
        {
            "skus": [
                {
                    "id": sku.pk,
                    "price": "10",
                    "stock": 12,
                    "stock_version": read["stock_version"],
                    "stock_reason": "月末盘点",
                }
            ]
        },
    )

    assert r.status_code == 200, r.content
    out = r.json()["skus"][0]
    assert out["stock"] == 12 and out["stock_version"] == read["stock_version"] + 1
    move = StockMove.objects.filter(sku=sku).first()  # newest first
    assert (move.kind, move.delta, move.stock_after, move.reason) == ("set", -3, 12, "月末盘点")
    assert move.staff == staff


def test_a_delta_in_a_patch_is_an_adjustment_on_the_current_stock(staff_api, buyer_api):
    sku = SkuFactory(stock=20)
    staff_read(staff_api, sku.product_id)
    sell(buyer_api, sku, 5)  # after the read: the adjustment applies to what is there now

    r = staff_api.patch(
        f"/admin/products/{sku.product_id}",
        {"skus": [{"id": sku.pk, "price": "10", "stock_delta": 10, "stock_reason": "到货 10 件"}]},
    )

    assert r.status_code == 200, r.content
    assert r.json()["skus"][0]["stock"] == 25
    assert history(sku)[-1] == ("adjust", 10, 25)
    assert StockMove.objects.filter(sku=sku).first().reason == "到货 10 件"


@pytest.mark.parametrize(
    "sku_in, status, code",
    [
        ({"stock_delta": -21, "stock_reason": "报损"}, 409, "stock_below_zero"),
        ({"stock_delta": 5}, 400, "stock_invalid"),  # no reason
        ({"stock_delta": 5, "stock_reason": "  "}, 400, "stock_invalid"),
        ({"stock_delta": 5, "stock_reason": "x" * 101}, 400, "invalid_input"),
        ({"stock_delta": 0, "stock_reason": "无"}, 400, "stock_invalid"),
        ({"stock_delta": 5, "stock_reason": "到货", "stock": 25}, 400, "stock_invalid"),
        ({"stock_version": 0}, 400, "stock_invalid"),  # a version without a stock
        ({"stock": 5}, 409, "stock_conflict"),
        ({"stock": 5, "stock_version": 99}, 409, "stock_conflict"),
        ({"stock_delta": 1.5, "stock_reason": "到货"}, 400, "invalid_input"),
    ],
)
def test_bad_stock_changes_are_refused_and_write_nothing(staff_api, sku_in, status, code):
    sku = SkuFactory(stock=20)
    before = everything()

    r = staff_api.patch(
        f"/admin/products/{sku.product_id}",
        {"tagline": "新推荐语", "skus": [{"id": sku.pk, "price": "1.00", **sku_in}]},
    )

    assert_error(r, status, code)
    assert everything() == before


def test_a_new_sku_in_a_patch_needs_a_stock_and_records_it_as_initial(staff_api):
    sku = SkuFactory(stock=20)
    url = f"/admin/products/{sku.product_id}"
    before = everything()

    assert_error(staff_api.patch(url, {"skus": [{"price": "5"}]}), 400, "product_invalid")
    assert everything() == before

    r = staff_api.patch(url, {"skus": [{"id": sku.pk, "price": "5"}, {"price": "6", "stock": 8}]})

    assert r.status_code == 200, r.content
    new = Sku.objects.exclude(pk=sku.pk).get()
    assert history(new) == [("initial", 8, 8)]


def test_a_product_created_through_the_api_has_its_initial_moves(staff_api, staff):
    r = staff_api.post(
        "/admin/products",
        {"name": "保温杯", "skus": [{"price": "59", "stock": 3}, {"price": "69", "stock": 0}]},
    )

    assert r.status_code == 201, r.content
    skus = r.json()["skus"]
    assert [s["stock_version"] for s in skus] == [0, 0]
    assert history(Sku.objects.get(pk=skus[0]["id"])) == [("initial", 3, 3)]
    assert StockMove.objects.get().staff == staff
    assert stock_differences() == []


def test_the_public_detail_keeps_its_shape(anon):
    sku = SkuFactory(stock=4)

    public = anon.get(f"/products/{sku.product_id}").json()

    assert set(public["skus"][0]) == {"id", "code", "specs", "price", "stock"}


# the stock endpoint and the history


def test_staff_adjust_a_sku_and_read_its_history_newest_first(staff_api, staff, buyer_api):
    sku = SkuFactory(stock=10)
    sell(buyer_api, sku, 2)

    r = staff_api.post(f"/admin/skus/{sku.pk}/stock", {"delta": 5, "reason": "补货"})
    assert r.status_code == 200, r.content
    assert (r.json()["stock"], r.json()["stock_version"]) == (13, 2)
    r = staff_api.post(f"/admin/skus/{sku.pk}/stock", {"delta": -3, "reason": "样品损坏"})
    assert r.json()["stock"] == 10

    page = staff_api.get(f"/admin/skus/{sku.pk}/stock-moves")
    assert page.status_code == 200, page.content
    items = page.json()["items"]
    assert page.json()["count"] == 4
    assert [(m["kind"], m["delta"], m["stock_after"]) for m in items] == [
        ("adjust", -3, 10),
        ("adjust", 5, 13),
        ("order", -2, 8),
        ("initial", 10, 10),
    ]
    assert items[0]["kind_label"] == "调整" and items[0]["reason"] == "样品损坏"
    assert items[0]["staff_id"] == staff.pk
    assert items[2]["order_number"] and items[2]["staff_id"] is None
    assert sum(m["delta"] for m in items) == 10
    second = staff_api.get(f"/admin/skus/{sku.pk}/stock-moves", {"page": 2, "page_size": 3})
    assert [m["kind"] for m in second.json()["items"]] == ["initial"]


def test_the_stock_endpoint_refuses_going_below_zero(staff_api):
    sku = SkuFactory(stock=2)

    r = staff_api.post(f"/admin/skus/{sku.pk}/stock", {"delta": -3, "reason": "报损"})

    body = assert_error(r, 409, "stock_below_zero")
    assert "当前库存 2" in body["message"]
    sku.refresh_from_db()
    assert sku.stock == 2 and StockMove.objects.filter(sku=sku).count() == 1


@pytest.mark.parametrize(
    "body",
    [
        {"delta": 1},
        {"delta": 1, "reason": ""},
        {"delta": 1, "reason": "x" * 101},
        {"delta": "1", "reason": "到货"},
        {"delta": 10_000_001, "reason": "到货"},
        {"delta": 0, "reason": "到货"},
    ],
)
def test_the_stock_endpoint_validates_its_input(staff_api, body):
    sku = SkuFactory(stock=2)
    before = everything()

    r = staff_api.post(f"/admin/skus/{sku.pk}/stock", body)

    assert 400 <= r.status_code < 500 and set(r.json()) >= {"code", "message"}
    assert everything() == before


def test_unknown_skus_are_404(staff_api):
    assert_error(staff_api.post("/admin/skus/999999/stock", {"delta": 1, "reason": "x"}), 404)
    assert_error(staff_api.get("/admin/skus/999999/stock-moves"), 404, "sku_not_found")
    assert_error(staff_api.get(f"/admin/skus/{2**63}/stock-moves"), 400)


def test_service_staff_see_the_history_but_cannot_adjust(make_api):
    sku = SkuFactory(stock=2)
    service = make_api(staff_create(phone="13800000301", password="svc-pass-123", role="service"))

    assert service.get(f"/admin/skus/{sku.pk}/stock-moves").status_code == 200
    r = service.post(f"/admin/skus/{sku.pk}/stock", {"delta": 5, "reason": "补货"})
    assert_error(r, 403, "forbidden")
    sku.refresh_from_db()
    assert sku.stock == 2


# reconcile


def test_stock_differences_reports_a_stock_written_around_the_services():
    kept, touched = SkuFactory(stock=5), SkuFactory(stock=5)
    assert stock_differences() == []

    Sku.objects.filter(pk=touched.pk).update(stock=7)

    problems = stock_differences()
    assert len(problems) == 1 and f"sku {touched.pk}" in problems[0]
    assert f"sku {kept.pk}:" not in problems[0]


def test_fenxiao_reconcile_fails_on_a_stock_written_around_the_services(capsys):
    touched = SkuFactory(stock=5)
    assert fenxiao(["reconcile"]) == 0
    Sku.objects.filter(pk=touched.pk).update(stock=7)
    assert fenxiao(["reconcile"]) == 1
    assert f"sku {touched.pk}: stock 7 != stock moves 5" in capsys.readouterr().out
