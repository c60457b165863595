"""Freight templates: the calculation (catalog.freight.freight_for) and the staff API."""

from decimal import Decimal

import pytest

from fenxiao.catalog.errors import FreightUndeliverable
from fenxiao.catalog.freight import freight_for
from fenxiao.catalog.models import FreightTemplate, Product
from fenxiao.catalog.services import freight_template_save
from tests.catalog.factories import ProductFactory

pytestmark = pytest.mark.django_db

D = Decimal


def template(name="普通快递", first=("1", "10.00"), additional=("1", "5.00"), **kw):
    return freight_template_save(
        name=name,
        first_units=int(first[0]),
        first_fee=D(first[1]),
        additional_units=int(additional[0]),
        additional_fee=D(additional[1]),
        **kw,
    )


def product(freight_template=None) -> Product:
    return ProductFactory(freight_template=freight_template)


def test_first_unit_then_additional_units():
    # given first 1 unit ¥10, then ¥5 per unit
    p = product(template())

    assert freight_for(lines=[(p.pk, 1, D("50.00"))], province="广东省") == D("10.00")
    assert freight_for(lines=[(p.pk, 4, D("200.00"))], province="广东省") == D("25.00")


def test_additional_units_are_charged_per_started_group():
    # first 2 units ¥8, then ¥3 per 2 units (or part of 2)
    p = product(template(first=("2", "8.00"), additional=("2", "3.00")))

    assert freight_for(lines=[(p.pk, 2, D("20"))], province="广东省") == D("8.00")
    assert freight_for(lines=[(p.pk, 3, D("30"))], province="广东省") == D("11.00")
    assert freight_for(lines=[(p.pk, 5, D("50"))], province="广东省") == D("14.00")


def test_lines_of_one_template_are_counted_together():
    t = template()
    a, b = product(t), product(t)

    # one first unit for the template, then 2 additional: 10 + 2 × 5
    lines = [(a.pk, 1, D("9")), (b.pk, 2, D("9"))]
    assert freight_for(lines=lines, province="广东省") == D("20.00")


def test_a_province_rule_replaces_the_default():
    p = product(
        template(
            rules=[
                {
                    "provinces": ["新疆", "西藏自治区"],
                    "first_units": 1,
                    "first_fee": D("20.00"),
                    "additional_units": 1,
                    "additional_fee": D("15.00"),
                }
            ]
        )
    )

    assert freight_for(lines=[(p.pk, 2, D("99"))], province="新疆维吾尔自治区") == D("35.00")
    assert freight_for(lines=[(p.pk, 2, D("99"))], province="西藏") == D("35.00")
    assert freight_for(lines=[(p.pk, 2, D("99"))], province="浙江省") == D("15.00")


def test_free_above_compares_the_paid_amount_of_the_templates_lines():
    t = template(free_above=D("99.00"))
    a, b = product(t), product(t)

    assert freight_for(lines=[(a.pk, 1, D("98.99"))], province="广东省") == D("10.00")
    assert freight_for(lines=[(a.pk, 1, D("49.00")), (b.pk, 1, D("50.00"))], province="广东省") == (
        D("0.00")
    )


def test_products_without_a_template_ship_free():
    p = product()
    assert freight_for(lines=[(p.pk, 3, D("30"))], province="广东省") == D("0.00")


def test_two_templates_worked_example():
    """The module docstring's example: the largest first fee once, every other template's units
    at its additional rate."""
    a = product(template("A", first=("1", "10.00"), additional=("1", "5.00")))
    b = product(template("B", first=("2", "8.00"), additional=("2", "3.00")))

    # A: 10 + 2 × 5 = 20; B: ceil(3 / 2) × 3 = 6
    freight = freight_for(lines=[(a.pk, 3, D("300")), (b.pk, 3, D("30"))], province="广东省")
    assert freight == D("26.00")
    # the order of the lines does not matter
    assert freight_for(lines=[(b.pk, 3, D("30")), (a.pk, 3, D("300"))], province="广东省") == D(
        "26.00"
    )


def test_two_templates_one_free_above_its_amount():
    a = product(template("A", first=("1", "10.00"), additional=("1", "5.00"), free_above=D("100")))
    b = product(template("B", first=("2", "8.00"), additional=("2", "3.00")))

    # A's lines reach ¥100 and ship free; B alone: 8 + ceil(1 / 2) × 3
    freight = freight_for(lines=[(a.pk, 3, D("300")), (b.pk, 3, D("30"))], province="广东省")
    assert freight == D("11.00")


def test_undeliverable_province_raises_a_domain_error_naming_it():
    p = product(template(no_delivery=["新疆", "西藏"]))

    with pytest.raises(FreightUndeliverable) as caught:
        freight_for(lines=[(p.pk, 1, D("9"))], province="新疆")

    assert caught.value.status == 400
    assert "新疆维吾尔自治区" in caught.value.message and p.name in caught.value.message


def test_unknown_or_missing_province_uses_the_default():
    p = product(template(no_delivery=["新疆"]))

    assert freight_for(lines=[(p.pk, 1, D("9"))], province=None) == D("10.00")
    assert freight_for(lines=[(p.pk, 1, D("9"))], province="火星") == D("10.00")


# --- the staff API ---------------------------------------------------------------------------

BODY = {
    "name": "顺丰包邮",
    "first_units": 1,
    "first_fee": "12.00",
    "additional_units": 1,
    "additional_fee": "6.00",
    "free_above": "199.00",
    "no_delivery": ["香港", "澳门"],
    "rules": [
        {
            "provinces": ["新疆", "西藏"],
            "first_units": 1,
            "first_fee": "25.00",
            "additional_units": 1,
            "additional_fee": "20.00",
        }
    ],
}


def test_staff_create_list_and_replace_a_template(staff_api):
    r = staff_api.post("/admin/freight-templates", BODY)
    assert r.status_code == 201, r.content
    created = r.json()
    assert created["no_delivery"] == ["香港特别行政区", "澳门特别行政区"]
    assert created["rules"][0]["provinces"] == ["新疆维吾尔自治区", "西藏自治区"]
    assert created["free_above"] == "199.00" and created["products_count"] == 0

    r = staff_api.put(
        f"/admin/freight-templates/{created['id']}", {**BODY, "rules": [], "free_above": None}
    )
    assert r.status_code == 200, r.content
    assert r.json()["rules"] == [] and r.json()["free_above"] is None

    listed = staff_api.get("/admin/freight-templates").json()
    assert [t["name"] for t in listed] == ["顺丰包邮"]


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"first_fee": "-1.00"}, "first_fee 须不小于 0"),
        ({"rules": [{**BODY["rules"][0], "additional_fee": "-5"}]}, "additional_fee 须不小于 0"),
        ({"first_units": 0}, "first_units 须不小于 1"),
        ({"free_above": "0"}, "free_above 须大于 0"),
        ({"no_delivery": ["广东省", "火星"]}, "“火星”不是省级地区名称"),
        ({"rules": [{**BODY["rules"][0], "provinces": ["新疆", "Guangdong"]}]}, "Guangdong"),
        ({"no_delivery": ["新疆"]}, "新疆维吾尔自治区 已设为不配送"),
        (
            {"rules": [BODY["rules"][0], {**BODY["rules"][0], "provinces": ["西藏自治区"]}]},
            "西藏自治区 同时出现在第 1 条和第 2 条",
        ),
        ({"name": " "}, "name"),
    ],
)
def test_invalid_templates_are_refused_in_chinese_and_nothing_is_saved(staff_api, change, words):
    r = staff_api.post("/admin/freight-templates", {**BODY, **change})

    assert r.status_code == 400, r.content
    assert words in r.json()["message"]
    assert not FreightTemplate.objects.exists()


def test_the_same_name_twice_is_refused(staff_api):
    assert staff_api.post("/admin/freight-templates", BODY).status_code == 201
    r = staff_api.post("/admin/freight-templates", BODY)
    assert r.status_code == 400
    assert r.json()["message"] == "已有名为“顺丰包邮”的运费模板"


def test_product_write_takes_the_template_and_delete_is_refused_while_used(staff_api):
    template_id = staff_api.post("/admin/freight-templates", BODY).json()["id"]
    r = staff_api.post(
        "/admin/products",
        {
            "name": "山地自行车",
            "skus": [{"price": "999.00", "stock": 3}],
            "freight_template_id": template_id,
        },
    )
    assert r.status_code == 201, r.content
    product_id = r.json()["id"]
    assert r.json()["freight_template_id"] == template_id

    r = staff_api.delete(f"/admin/freight-templates/{template_id}")
    assert r.status_code == 409
    assert r.json()["code"] == "freight_template_in_use"
    assert "山地自行车" in r.json()["message"]
    assert FreightTemplate.objects.filter(pk=template_id).exists()

    # the product goes back to free shipping; then the template can go
    r = staff_api.patch(f"/admin/products/{product_id}", {"freight_template_id": None})
    assert r.status_code == 200 and r.json()["freight_template_id"] is None
    assert staff_api.delete(f"/admin/freight-templates/{template_id}").status_code == 204
    assert not FreightTemplate.objects.filter(pk=template_id).exists()


def test_product_write_with_an_unknown_template_is_refused(staff_api):
    r = staff_api.post(
        "/admin/products",
        {"name": "自行车", "skus": [{"price": "9.00", "stock": 3}], "freight_template_id": 999},
    )
    assert r.status_code == 404
    assert r.json()["message"] == "运费模板不存在"
    assert not Product.objects.exists()


def test_freight_templates_need_staff_permission(buyer_api, make_staff_api):
    assert buyer_api.get("/admin/freight-templates").status_code in (401, 403)
    service = make_staff_api("service")
    assert service.post("/admin/freight-templates", BODY).status_code == 403
    assert not FreightTemplate.objects.exists()


@pytest.fixture
def make_staff_api(make_api):
    from fenxiao.accounts.services import staff_create

    def make(role):
        return make_api(staff_create(phone="13800000009", password="staff-pass-123", role=role))

    return make


def test_freight_for_reads_in_three_queries_whatever_the_lines(django_assert_num_queries):
    templates = [template(f"模板{i}", no_delivery=["新疆"]) for i in range(3)]
    lines = [(product(templates[i % 3]).pk, 1, D("10")) for i in range(9)]

    # products, templates, their rules
    with django_assert_num_queries(3):
        freight_for(lines=lines, province="广东省")


def test_templates_given_by_the_caller_spare_the_products_read(django_assert_num_queries):
    shared = template(no_delivery=["西藏"])
    first, second, free = product(shared), product(shared), product()
    lines = [(p.pk, 2, D("10")) for p in (second, first, free)]
    given = {p.pk: p.freight_template_id for p in (first, second, free)}

    with django_assert_num_queries(2):  # the template, its rules
        assert freight_for(lines=lines, province="广东省", templates=given) == D("25.00")
    # refusing, it reads the name of the template's first product
    with pytest.raises(FreightUndeliverable) as caught:
        freight_for(lines=lines, province="西藏", templates=given)
    assert first.name in caught.value.message and second.name not in caught.value.message
