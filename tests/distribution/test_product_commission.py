"""A product's own commission rates: GET/PUT /admin/products/{id}/commission, validated as
the plan's rates are; the inline on the console's product page; and the commissions of an
order reading every line's override in one query."""

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from fenxiao.accounts.services import staff_create
from fenxiao.distribution.admin.rates import RatesField
from fenxiao.distribution.models import Commission, Plan, ProductCommission
from fenxiao.distribution.services import grades
from fenxiao.distribution.services.commissions import commissions_create_for_order
from fenxiao.distribution.services.plan import plan_with_overrides
from fenxiao.orders.models import Order
from tests.catalog.factories import SkuFactory
from tests.console.conftest import rate_rows
from tests.distribution.flows import D, buyer_under, chain, place
from tests.orders.flows import assert_error

pytestmark = pytest.mark.django_db

STAFF_PASSWORD = "staff-pass-123"


def url(product_id: int) -> str:
    return f"/admin/products/{product_id}/commission"


# the API


def test_put_get_and_clear_a_products_rates(staff_api, sku):
    # given: no override
    assert staff_api.get(url(sku.product_id)).json() == {
        "product_id": sku.product_id,
        "rates": None,
    }

    # when: staff set the product's own rates
    rates = [{"level": 1, "percent": "20"}, {"level": 2, "fixed": "3.5"}]
    r = staff_api.put(url(sku.product_id), {"rates": rates})

    # then: stored as the plan stores rates, and read back
    assert r.status_code == 200, r.content
    stored = [{"level": 1, "percent": "20"}, {"level": 2, "fixed": "3.5"}]
    assert r.json() == {"product_id": sku.product_id, "rates": stored}
    assert staff_api.get(url(sku.product_id)).json()["rates"] == stored
    assert ProductCommission.objects.get(product_id=sku.product_id).rates == stored

    # null and {} clear it: the product follows grade and plan again
    for cleared in (None, {}):
        staff_api.put(url(sku.product_id), {"rates": rates})
        r = staff_api.request(
            "put", url(sku.product_id), data="null" if cleared is None else cleared
        )
        assert r.status_code == 200, r.content
        assert r.json()["rates"] is None
        assert not ProductCommission.objects.filter(product_id=sku.product_id).exists()


@pytest.mark.parametrize(
    "body, status, code",
    [
        ({"rates": [{"level": 3, "percent": "5"}]}, 400, "plan_levels_exceeded"),  # plan: 2
        ({"rates": [{"level": 4, "percent": "5"}]}, 400, "plan_levels_exceeded"),
        (
            {"rates": [{"level": 1, "percent": "40"}, {"level": 2, "percent": "20"}]},
            400,
            "plan_share_exceeded",
        ),
        ({"rates": [{"level": 1, "percent": "5", "fixed": "1"}]}, 400, "plan_invalid"),
        ({"rates": [{"level": 1, "percent": "-1"}]}, 400, "plan_invalid"),
        ({"rates": [{"level": 1, "fixed": "1.234"}]}, 400, "plan_invalid"),
        ({"rates": [{"level": 1, "percent": 5.5}]}, 400, "plan_invalid"),
        ({"rates": {"level": 1}}, 400, "plan_invalid"),
        ({"rate": []}, 400, "plan_invalid"),
    ],
)
def test_rates_are_validated_as_the_plans_are(staff_api, sku, body, status, code):
    grades.product_commission_set(product_id=sku.product_id, rates=[{"level": 1, "fixed": "1"}])
    response = assert_error(staff_api.put(url(sku.product_id), body), status, code)
    assert response["message"]
    # nothing changed
    assert ProductCommission.objects.get(product_id=sku.product_id).rates == [
        {"level": 1, "fixed": "1"}
    ]


@override_settings(MAX_LEVELS=1)
def test_the_deployments_max_levels_holds_below_the_plans(staff_api, sku):
    body = {"rates": [{"level": 2, "percent": "5"}]}
    assert_error(staff_api.put(url(sku.product_id), body), 400, "plan_levels_exceeded")


def test_an_unknown_product_is_a_404(staff_api):
    assert_error(staff_api.get(url(999_999)), 404, "product_not_found")
    assert_error(staff_api.put(url(999_999), {"rates": []}), 404, "product_not_found")


def test_view_permission_reads_change_permission_writes(make_api, buyer_api, sku):
    viewer = staff_create(phone="13700000009", password=STAFF_PASSWORD, role="service")
    api = make_api(viewer)
    assert_error(api.get(url(sku.product_id)), 403)

    viewer.user_permissions.add(Permission.objects.get(codename="view_productcommission"))
    api = make_api(type(viewer).objects.get(pk=viewer.pk))  # a fresh permission cache
    assert api.get(url(sku.product_id)).status_code == 200
    assert_error(api.put(url(sku.product_id), {"rates": []}), 403)
    assert_error(buyer_api.get(url(sku.product_id)), 403)


# the console: the rates on the product page


def change_form_data(response) -> dict:
    """What a browser would post back from an admin change page, unchanged."""
    data = {}

    def add(form):
        for name in form.fields:
            value = form[name].value()  # already as the widget shows it
            if value is None or value is False:
                continue
            if isinstance(form.fields[name], RatesField):  # posted as a row per level
                data.update(rate_rows(value, name=form.add_prefix(name)))
                continue
            data[form.add_prefix(name)] = value

    add(response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        add(formset.management_form)
        for form in formset.forms:
            add(form)
    return data


@pytest.fixture
def console(client):
    client.force_login(staff_create(phone="13700000001", password=STAFF_PASSWORD, role="owner"))
    return client


def product_page(product_id: int) -> str:
    return reverse("admin:catalog_product_change", args=[product_id])


def test_rates_are_edited_on_the_product_page(console, sku):
    page = product_page(sku.product_id)
    r = console.get(page)
    assert "商品独立佣金" in r.content.decode()
    data = change_form_data(r)
    field = "commission-0-rates"
    assert f"{field}_1_value" in r.content.decode()

    # an invalid rate is a form error in Chinese, and nothing is saved
    data.update(rate_rows([{"level": 1, "percent": "80"}], name=field))
    r = console.post(page, data)
    assert r.status_code == 200
    assert "超过佣金上限" in r.content.decode()
    assert not ProductCommission.objects.exists()
    assert 'value="80"' in r.content.decode()  # what was typed is still there
    # the plan has two levels: a third is refused
    three = {**data, **rate_rows([{"level": 3, "percent": "5"}], name=field)}
    assert "超出分销层级" in console.post(page, three).content.decode()

    # a valid one is saved through the service
    data.update(rate_rows([{"level": 1, "fixed": "5"}], name=field))
    r = console.post(page, data)
    assert r.status_code == 302, r.context and r.context["errors"]
    assert ProductCommission.objects.get(product_id=sku.product_id).rates == [
        {"level": 1, "fixed": "5"}
    ]

    # deleting the inline removes the override
    data = change_form_data(console.get(page))
    assert (data[f"{field}_1_value"], data[f"{field}_1_unit"]) == ("5", "fixed")
    data["commission-0-DELETE"] = "on"
    assert console.post(page, data).status_code == 302
    assert not ProductCommission.objects.exists()


def test_saving_a_product_without_touching_the_rates_keeps_them(console, sku):
    grades.product_commission_set(product_id=sku.product_id, rates=[{"level": 1, "fixed": "2"}])
    page = product_page(sku.product_id)
    data = change_form_data(console.get(page))
    data["name"] = "改了名字"
    assert console.post(page, data).status_code == 302
    assert ProductCommission.objects.get(product_id=sku.product_id).rates == [
        {"level": 1, "fixed": "2"}
    ]


# commissions read every line's override in one query, and write every line's rows and
# ledger postings in the same few statements as a single line's

ORDER_QUERIES = 10  # lines, the plan with the lines' overrides, chain snapshot (the buyer's row
# read and written in one statement, the upline with its distributors and their grades in one
# recursive query), the rows, their transactions, the accounts (the users' locked in the same
# statement), entries, balances


def reads_outside_the_ledger(captured) -> list[str]:
    return [
        q["sql"]
        for q in captured.captured_queries
        if q["sql"].startswith("SELECT") and '"ledger_' not in q["sql"].split("WHERE")[0]
    ]


def test_commissions_of_a_multi_line_order_read_the_overrides_once(django_assert_num_queries):
    # given: two levels of distributors, four products, three with their own rates
    skus = [SkuFactory(price=D("100.00"), stock=10) for _ in range(4)]
    for sku in skus[:3]:
        grades.product_commission_set(product_id=sku.product_id, rates=[{"level": 1, "fixed": "2"}])
    _, parent = chain(2)
    # the first order opens the distributors' ledger accounts: not what is measured
    commissions_create_for_order(order=place(buyer_under(parent), (skus[0], 1)), now=timezone.now())

    # read back, as payment reads it: placement hands back its lines already in hand
    one_line = Order.objects.get(pk=place(buyer_under(parent), (skus[0], 1)).pk)
    with CaptureQueriesContext(connection) as single:
        commissions_create_for_order(order=one_line, now=timezone.now())
    order = Order.objects.get(pk=place(buyer_under(parent), *[(sku, 1) for sku in skus]).pk)

    # when
    with django_assert_num_queries(ORDER_QUERIES) as captured:
        created = commissions_create_for_order(order=order, now=timezone.now())

    # then: one query for every line's override (with the plan), and no read repeated per line
    overrides = [q for q in captured if "distribution_productcommission" in q["sql"]]
    assert len(overrides) == 1
    assert len(reads_outside_the_ledger(captured)) == len(reads_outside_the_ledger(single))
    assert len(captured) == len(single)  # 8 commissions cost what 2 did
    assert len(created) == 8  # 4 lines × 2 levels
    level_one = {c.line.sku_id: c.amount for c in Commission.objects.filter(order=order, level=1)}
    assert level_one == {
        skus[0].pk: D("2.00"),
        skus[1].pk: D("2.00"),
        skus[2].pk: D("2.00"),
        skus[3].pk: D("15.00"),  # no override: the plan's 15%
    }


def test_with_no_plan_saved_the_default_is_made_and_the_overrides_still_read(sku):
    grades.product_commission_set(product_id=sku.product_id, rates=[{"level": 1, "fixed": "3"}])
    Plan.objects.all().delete()

    plan, overrides = plan_with_overrides([sku.product_id, sku.product_id + 1000])

    assert plan.pk == 1 and Plan.objects.get().rates == plan.rates
    assert overrides == {sku.product_id: [{"level": 1, "fixed": "3"}]}
    assert plan_with_overrides([])[1] == {}
