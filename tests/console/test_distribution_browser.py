"""The plan page in a real browser: the owner changes the level-1 rate and sees it recorded."""

import json
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


def test_owner_changes_the_level_one_rate_and_sees_the_history_entry(page, make_staff):  # noqa: F811
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
    assert json.loads(page.input_value("#id_rates"))[0] == {"level": 1, "percent": "15"}

    # change level 1 to 20% and save
    rates = [
        {"level": 1, "percent": "20"},
        {"level": 2, "percent": "10"},
        {"level": 3, "percent": "5"},
    ]
    page.fill("#id_rates", json.dumps(rates))
    page.click("input[name=_save]")

    # back on the plan page: the message, and the change at the top of the history
    page.wait_for_selector(".messagelist .success")
    assert "已保存并记入变更记录" in page.inner_text(".messagelist")
    assert page.url.endswith("/admin/distribution/plan/1/change/")
    latest = page.inner_text("#plan-history tbody tr:first-child")
    assert "店主" in latest and "商家后台" in latest
    assert "一级 15% · 二级 10% · 三级 5% → 一级 20% · 二级 10% · 三级 5%" in latest
    assert json.loads(page.input_value("#id_rates"))[0] == {"level": 1, "percent": "20"}

    assert Plan.objects.get().rates[0] == {"level": 1, "percent": "20"}
    change = PlanChange.objects.get(source="console")
    assert change.changed_by == owner
