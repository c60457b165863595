"""The plan page in a real browser: the owner edits the level rates as rows, sees the example
commission change as they type, and sees the change recorded."""

import os

import pytest

from fenxiao.distribution.models import Plan, PlanChange
from fenxiao.distribution.services.plan import plan_update
from tests.console.conftest import STAFF_PASSWORD
from tests.console.test_browser import CHROMIUM, page  # noqa: F401 (the browser fixture)
from tests.console.test_distribution_admin import PLAN

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        not os.access(CHROMIUM, os.X_OK),
        reason=f"{CHROMIUM} is missing: apt-get install -y chromium (or `make chromium`)",
    ),
]


def test_owner_edits_the_level_rates_as_rows_and_sees_the_example_change(
    page,  # noqa: F811
    make_staff,
    make_api,
):
    owner = make_staff("owner")
    plan_update(data=PLAN, source="import")  # three levels: 15% / 10% / 5%

    # log in and open 分销方案 from the console
    page.goto("/admin/")
    page.fill("#id_username", owner.phone)
    page.fill("#id_password", STAFF_PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_selector("#today-figures")
    page.goto("/admin/distribution/plan/")
    page.wait_for_selector("#plan_form")
    assert "微信平台规则仅明确允许一级 CPS 返佣" in page.inner_text("#plan-warnings")
    # the rates are rows: a value and a unit per level, with the example on a ¥100 sale
    assert page.input_value("#id_rates_1_value") == "15"
    assert page.input_value("#id_rates_1_unit") == "percent"
    row = "#id_rates tr[data-level='{}'] .rates-example"
    assert page.inner_text(row.format(1)) == "¥15.00"
    assert page.inner_text("#id_rates .rates-total") == "¥30.00"

    # level 1 at 20%: the example changes as it is typed
    page.fill("#id_rates_1_value", "20")
    assert page.inner_text(row.format(1)) == "¥20.00"
    assert page.inner_text("#id_rates .rates-total") == "¥35.00"
    # level 2 as ¥3 per item
    page.fill("#id_rates_2_value", "3")
    page.select_option("#id_rates_2_unit", "fixed")
    assert page.inner_text(row.format(2)) == "¥3.00"
    assert page.inner_text("#id_rates .rates-total") == "¥28.00"
    # two levels: the third row goes away and no longer counts
    page.fill("#id_levels", "2")
    page.dispatch_event("#id_levels", "change")
    assert not page.is_visible("#id_rates_3_value")
    assert page.inner_text("#id_rates .rates-total") == "¥23.00"
    # back to three, then save
    page.fill("#id_levels", "3")
    page.dispatch_event("#id_levels", "change")
    assert page.is_visible("#id_rates_3_value")
    assert page.inner_text("#id_rates .rates-total") == "¥28.00"
    page.click("input[name=_save]")

    # back on the plan page: the message, and the change at the top of the history
    page.wait_for_selector(".messagelist .success")
    assert "已保存并记入变更记录" in page.inner_text(".messagelist")
    assert page.url.endswith("/admin/distribution/plan/1/change/")
    latest = page.inner_text("#plan-history tbody tr:first-child")
    assert "店主" in latest and "商家后台" in latest
    assert "一级 15% · 二级 10% · 三级 5% → 一级 20% · 二级 ¥3/件 · 三级 5%" in latest
    assert page.input_value("#id_rates_1_value") == "20"
    assert page.input_value("#id_rates_2_unit") == "fixed"

    assert Plan.objects.get().rates == [
        {"level": 1, "percent": "20"},
        {"level": 2, "fixed": "3"},
        {"level": 3, "percent": "5"},
    ]
    # and the plan API reads the same rates
    plan_api = make_api(owner).get("/admin/distribution/plan")
    assert plan_api.json()["rates"] == Plan.objects.get().rates
    change = PlanChange.objects.get(source="console")
    assert change.changed_by == owner
