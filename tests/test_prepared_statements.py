"""On PostgreSQL the server binds parameters and prepares a statement run FENXIAO_DB_PREPARE_AFTER
times on a connection, so a shop's repeated queries are parsed once and, once PostgreSQL finds
a generic plan no dearer, planned once; reports plan each query for their own period, and
product searches for their own term."""

import pytest
from django.conf import settings
from django.db import connection
from django.urls import reverse

from fenxiao import db
from fenxiao.catalog.models import Sku
from fenxiao.reports.periods import preset
from fenxiao.reports.selectors.common import report_queries
from fenxiao.reports.selectors.dashboard import dashboard
from tests.catalog.factories import CategoryFactory, ProductFactory, SkuFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


def prepared() -> list[str]:
    with db.unprepared(), connection.cursor() as cursor:  # not itself prepared in between
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        return [row[0] for row in cursor.fetchall()]


def setting(name: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting(%s)", [name])
        return cursor.fetchone()[0]


def test_a_query_run_often_on_a_connection_is_prepared_by_the_server():
    skus = [SkuFactory() for _ in range(int(settings.DB_PREPARE_AFTER) + 1)]
    read = 'SELECT "catalog_sku"."code" AS "code" FROM "catalog_sku" WHERE "catalog_sku"."id" = $1'

    for sku in skus[:-1]:  # the same statement, other values: run DB_PREPARE_AFTER times
        assert Sku.objects.filter(pk=sku.pk).values_list("code", flat=True).get() == sku.code
    assert not [s for s in prepared() if s.startswith(read)]
    # and once more: now it is prepared
    assert Sku.objects.filter(pk=skus[-1].pk).values_list("code", flat=True).get() == skus[-1].code

    assert len([s for s in prepared() if s.startswith(read)]) == 1, prepared()


@pytest.mark.django_db(transaction=True)  # the report's transaction is the outermost one
def test_reports_plan_each_query_for_their_own_period_and_only_they_do():
    assert setting("plan_cache_mode") == "auto"
    with report_queries():
        # a generic plan, made once for any values, would plan a year's report like a week's
        assert setting("plan_cache_mode") == "force_custom_plan"
        assert setting("jit") == "off"
        assert dashboard(preset("7")).figures
    assert setting("plan_cache_mode") == "auto"


def searched(statements: list[str]) -> list[str]:
    """Statements that look a term up: through the grams table or the pg_trgm index."""
    return [s for s in statements if "catalog_product_grams" in s or "search_text" in s]


def test_product_searches_are_planned_for_their_term_on_both_lists(anon, staff_api, settings):
    # a generic plan made after five-character searches (the trigram index) read the whole
    # index for a two-character term: bench/search.py's 好物, 108 ms against 9
    settings.CATALOG_PAGE_CACHE_SECONDS = 0  # every request runs its statements
    category = CategoryFactory(name="茶具")
    names = ["真丝连衣裙", "保温杯", "好物收纳箱", "紫砂茶壶"]
    for name in names:
        SkuFactory(product=ProductFactory(name=name, category=category))
    runs = int(settings.DB_PREPARE_AFTER) + 3
    hits = {"真丝连衣裙": (1, "真丝连衣裙"), "保温杯": (1, "保温杯")}
    hits |= {"好": (4, "好物收纳箱"), "好物": (4, "好物收纳箱")}

    for q in ["真丝连衣裙"] * runs + ["保温杯"] * runs + ["好"] * runs + ["好物"]:
        body = anon.get("/products", {"q": q}).json()
        # every factory product's tagline is 好物推荐: the name hit first
        assert (body["count"], body["items"][0]["name"]) == hits[q]
        staff = staff_api.get("/admin/products", {"q": q}).json()
        assert [p["name"] for p in staff["items"]] == [p["name"] for p in body["items"]]
    for _ in range(runs):
        assert anon.get("/products", {"category": category.pk}).json()["count"] == 4

    assert searched(prepared()) == []
    assert not [s for s in prepared() if "catalog_category" in s and "parent_id" in s]
    # and the connection prepares again afterwards
    assert connection.connection.prepare_threshold == int(settings.DB_PREPARE_AFTER)


def test_the_console_product_search_is_planned_for_its_term(client, staff):
    SkuFactory(product=ProductFactory(name="真丝连衣裙"))
    staff.is_superuser = True
    staff.save()
    client.force_login(staff)
    changelist = reverse("admin:catalog_product_changelist")

    for _ in range(int(settings.DB_PREPARE_AFTER) + 3):
        r = client.get(changelist, {"q": "真丝连衣裙"})
        assert r.status_code == 200
        assert "真丝连衣裙" in r.content.decode()

    assert searched(prepared()) == []


def test_unprepared_statements_are_neither_prepared_nor_run_prepared():
    skus = [SkuFactory() for _ in range(int(settings.DB_PREPARE_AFTER) + 2)]
    for sku in skus:  # prepared by now
        Sku.objects.filter(pk=sku.pk).values_list("code", flat=True).get()
    before = prepared()

    with db.unprepared():
        assert connection.connection.prepare_threshold is None
        for sku in skus:
            assert Sku.objects.filter(pk=sku.pk).values_list("code", flat=True).get() == sku.code
            assert Sku.objects.filter(pk__in=[sku.pk]).values_list("pk", flat=True).get() == sku.pk

    assert prepared() == before  # the new statement was not prepared
    assert connection.connection.prepare_threshold == int(settings.DB_PREPARE_AFTER)


def test_staff_requests_plan_every_statement_for_its_values(client, staff, staff_api, paid_order):
    # an order status's rows differ by orders of magnitude: a generic plan made for a common
    # status scans every order for a rare one
    staff.is_superuser = True
    staff.save()
    client.force_login(staff)
    orders = reverse("admin:orders_order_changelist")
    before = prepared()

    for status in ["paid"] * (int(settings.DB_PREPARE_AFTER) + 2) + ["cancelled"]:
        page = client.get(orders, {"status__exact": status})
        assert page.status_code == 200
        assert (paid_order["number"] in page.content.decode()) is (status == "paid")
        body = staff_api.get("/admin/orders", {"status": status}).json()
        assert [o["number"] for o in body["items"]] == (
            [paid_order["number"]] if status == "paid" else []
        )

    assert prepared() == before
    assert connection.connection.prepare_threshold == int(settings.DB_PREPARE_AFTER)
