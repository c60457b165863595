"""The console page of 满减 promotions: tiers as rows, errors that say what is wrong, status
actions, the sales brought; and the order page showing its discounts."""

from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from fenxiao.marketing.models import Promotion
from fenxiao.marketing.promotions import PromotionDraft, promotion_create
from tests.catalog.factories import CategoryFactory, ProductFactory, SkuFactory
from tests.conftest import ADDRESS
from tests.orders.flows import pay

pytestmark = pytest.mark.django_db
ADD = reverse("admin:marketing_promotion_add")
LIST = reverse("admin:marketing_promotion_changelist")


@pytest.fixture
def console(client, staff):
    client.force_login(staff)
    return client


def form(**changes) -> dict:
    data = {
        "name": "双十一满减",
        "scope": "all",
        "stack_with_coupon": "on",
        "threshold_1": "100",
        "amount_1": "10",
        "threshold_2": "200",
        "amount_2": "30",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def errors_of(response) -> str:
    assert response.status_code == 200  # the form again, not a redirect
    html = response.content.decode()
    assert "errornote" in html or "errorlist" in html
    return html


def test_the_add_page_edits_tiers_as_rows(console):
    r = console.get(ADD)
    html = r.content.decode()
    assert r.status_code == 200
    assert 'name="threshold_1"' in html and 'name="amount_5"' in html
    assert "第 1 档：满（元）" in html and 'name="tiers"' not in html


def test_staff_create_a_promotion_from_rows(console):
    category = CategoryFactory()
    r = console.post(ADD, form(scope="categories", categories=[category.pk]))
    assert r.status_code == 302, r.content.decode()[-2000:]
    made = Promotion.objects.get()
    assert made.tiers == [
        {"threshold": "100.00", "amount": "10.00"},
        {"threshold": "200.00", "amount": "30.00"},
    ]
    assert (made.scope, made.category_ids, made.stack_with_coupon) == (
        "categories",
        [category.pk],
        True,
    )


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"amount_1": "100"}, "第 1 档的减免金额须小于门槛金额"),
        ({"threshold_2": "50"}, "第 2 档的门槛须高于上一档"),
        ({"amount_2": None}, "第 2 档请同时填写门槛金额和减免金额"),
        (
            {"threshold_1": None, "amount_1": None, "threshold_2": None, "amount_2": None},
            "请至少设置一个满减档位",
        ),
        ({"scope": "products"}, "请选择活动适用的商品"),
    ],
)
def test_the_form_says_what_is_wrong_and_saves_nothing(console, changes, message):
    html = errors_of(console.post(ADD, form(**changes)))
    assert message in html
    assert not Promotion.objects.exists()


def test_an_existing_promotion_shows_its_tiers_and_can_be_changed(console):
    made = promotion_create(
        draft=PromotionDraft(name="满减", tiers=[{"threshold": "99", "amount": "9"}])
    )
    url = reverse("admin:marketing_promotion_change", args=[made.pk])
    assert 'value="99.00"' in console.get(url).content.decode()
    r = console.post(url, form(name="满减", threshold_2=None, amount_2=None, amount_1="15"))
    assert r.status_code == 302
    made.refresh_from_db()
    assert made.tiers == [{"threshold": "100.00", "amount": "15.00"}]


def test_pause_resume_end_actions_and_the_sales_column(console, buyer_api):
    made = promotion_create(
        draft=PromotionDraft(name="满150减10", tiers=[{"threshold": "150", "amount": "10"}])
    )
    sku = SkuFactory(price=Decimal("160.00"))
    order = buyer_api.post(
        "/orders", {"lines": [{"sku_id": sku.pk, "quantity": 1}], "address": ADDRESS}
    ).json()
    pay(buyer_api, order["id"])

    html = console.get(LIST).content.decode()
    assert "满150.00减10.00" in html
    assert '<td class="field-orders_brought">1</td>' in html
    assert '<td class="field-sales_brought">150.00</td>' in html

    def act(action):
        data = {"action": action, "_selected_action": [made.pk], "index": 0}
        r = console.post(LIST, data, follow=True)
        made.refresh_from_db()
        return [str(m) for m in get_messages(r.wsgi_request)]

    assert act("pause") == ["已暂停 1 个活动"] and made.status == "paused"
    assert act("pause") == ["满150减10: 只有进行中的活动可以暂停"]
    assert act("resume") == ["已恢复 1 个活动"] and made.status == "active"
    assert act("end") == ["已结束 1 个活动"] and made.status == "ended"


def test_the_order_page_shows_the_discounts_and_each_lines_share(console, buyer_api):
    promotion_create(
        draft=PromotionDraft(name="满200减20", tiers=[{"threshold": "200", "amount": "20"}])
    )
    product = ProductFactory()
    sku = SkuFactory(product=product, price=Decimal("199.00"))
    other = SkuFactory(price=Decimal("100.90"))
    order = buyer_api.post(
        "/orders",
        {
            "lines": [{"sku_id": sku.pk, "quantity": 1}, {"sku_id": other.pk, "quantity": 1}],
            "address": ADDRESS,
        },
    ).json()

    html = console.get(reverse("admin:orders_order_change", args=[order["id"]])).content.decode()

    assert "优惠明细" in html and "满200减20" in html
    assert "13.27" in html and "185.73" in html and "279.90" in html
