"""The console's freight template pages: rules edited as inline rows, errors that say what is
wrong, deletion refused while products use the template."""

from decimal import Decimal

import pytest
from django.urls import reverse

from fenxiao.catalog.models import FreightTemplate, Product
from fenxiao.catalog.services import freight_template_save

pytestmark = pytest.mark.django_db

ADD = reverse("admin:catalog_freighttemplate_add")


def page(rules: list[dict], **template) -> dict:
    data = {
        "name": "普通快递",
        "first_units": "1",
        "first_fee": "10.00",
        "additional_units": "1",
        "additional_fee": "5.00",
        "free_above": "",
        "no_delivery": "",
        "rules-TOTAL_FORMS": str(len(rules)),
        "rules-INITIAL_FORMS": "0",
        "rules-MIN_NUM_FORMS": "0",
        "rules-MAX_NUM_FORMS": "1000",
        **template,
    }
    for i, rule in enumerate(rules):
        data |= {f"rules-{i}-{field}": value for field, value in rule.items()}
    return data


def rule(provinces: str, first_fee="20.00", additional_fee="15.00") -> dict:
    return {
        "provinces": provinces,
        "first_units": "1",
        "first_fee": first_fee,
        "additional_units": "1",
        "additional_fee": additional_fee,
    }


def test_create_a_template_with_inline_rules(console):
    r = console.get(ADD)
    assert r.status_code == 200
    html = r.content.decode()
    assert "指定地区运费" in html and "不配送地区" in html and "满额包邮" in html

    r = console.post(
        ADD,
        page(
            [rule("新疆、西藏"), rule("内蒙古，青海", first_fee="15.00")],
            no_delivery="香港 澳门",
            free_above="99.00",
        ),
    )

    assert r.status_code == 302, r.context and r.context["errors"]
    template = FreightTemplate.objects.get(name="普通快递")
    assert template.free_above == Decimal("99.00")
    assert template.no_delivery == ["香港特别行政区", "澳门特别行政区"]
    assert [(x.provinces, x.first_fee) for x in template.rules.all()] == [
        (["新疆维吾尔自治区", "西藏自治区"], Decimal("20.00")),
        (["内蒙古自治区", "青海省"], Decimal("15.00")),
    ]
    listing = console.get(reverse("admin:catalog_freighttemplate_changelist")).content.decode()
    assert "首 1 件 ¥10.00，续 1 件 ¥5.00" in listing


def test_edit_replaces_the_rules(console):
    template = freight_template_save(
        name="普通快递",
        first_units=1,
        first_fee=Decimal("10"),
        additional_units=1,
        additional_fee=Decimal("5"),
        rules=[
            {
                "provinces": ["新疆"],
                "first_units": 1,
                "first_fee": Decimal("20"),
                "additional_units": 1,
                "additional_fee": Decimal("15"),
            }
        ],
    )
    url = reverse("admin:catalog_freighttemplate_change", args=[template.pk])
    existing = template.rules.get()
    data = page([rule("新疆、甘肃", first_fee="30.00")])
    data |= {"rules-INITIAL_FORMS": "1", "rules-0-id": str(existing.pk)}
    data["rules-0-template"] = str(template.pk)

    r = console.post(url, data)

    assert r.status_code == 302, r.context and r.context["errors"]
    assert [(x.provinces, x.first_fee) for x in template.rules.all()] == [
        (["新疆维吾尔自治区", "甘肃省"], Decimal("30.00"))
    ]


@pytest.mark.parametrize(
    ("rules", "template", "message"),
    [
        ([rule("火星")], {}, "“火星”不是省级地区名称"),
        ([rule("新疆", first_fee="-1")], {}, "运费不能为负数"),
        ([], {"additional_fee": "-0.50"}, "运费不能为负数"),
        ([], {"free_above": "0"}, "满额包邮金额须大于 0，不包邮请留空"),
        ([rule("新疆"), rule("新疆维吾尔自治区")], {}, "同时出现在第 1 条和第 2 条"),
        ([rule("西藏")], {"no_delivery": "西藏"}, "西藏自治区 已设为不配送"),
        ([], {"no_delivery": "广东、广东省"}, "广东省 重复填写"),
    ],
)
def test_bad_rows_are_shown_with_what_is_wrong_and_nothing_is_saved(
    console, rules, template, message
):
    r = console.post(ADD, page(rules, **template))

    assert r.status_code == 200
    assert message in r.content.decode()
    assert not FreightTemplate.objects.exists()


def test_delete_is_refused_while_products_use_it(console, shop):
    template = freight_template_save(
        name="普通快递",
        first_units=1,
        first_fee=Decimal("10"),
        additional_units=1,
        additional_fee=Decimal("5"),
    )
    Product.objects.filter(pk=shop.band.pk).update(freight_template=template)
    url = reverse("admin:catalog_freighttemplate_delete", args=[template.pk])

    r = console.post(url, {"post": "yes"})

    assert r.status_code == 200
    assert shop.band.name in r.content.decode()
    assert FreightTemplate.objects.filter(pk=template.pk).exists()


def test_the_product_page_chooses_a_template(console, shop):
    r = console.get(reverse("admin:catalog_product_change", args=[shop.band.pk]))
    assert 'name="freight_template"' in r.content.decode()
