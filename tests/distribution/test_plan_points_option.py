"""The plan's points_count_for_commission switch (default off: points are a discount): in
GET/PUT, kept when a client leaves it out, validated in Chinese, audited, in the console."""

import pytest
from django.urls import reverse

from fenxiao.distribution.models import Plan, PlanChange
from fenxiao.distribution.services.plan import plan_as_dict, plan_get
from tests.console.conftest import rate_rows
from tests.orders.flows import assert_error

pytestmark = pytest.mark.django_db

PLAN_URL = "/admin/distribution/plan"
PLAN_PAGE = reverse("admin:distribution_plan_change", args=[1])
FIELD = "points_count_for_commission"


def current() -> dict:
    return plan_as_dict(plan_get())


def test_off_by_default(staff_api):
    assert staff_api.get(PLAN_URL).json()[FIELD] is False


def test_put_sets_it_audited_and_a_put_without_it_keeps_it(staff, staff_api):
    r = staff_api.put(PLAN_URL, {**current(), FIELD: True})
    assert (r.status_code, r.json()[FIELD]) == (200, True)

    older = {k: v for k, v in current().items() if k != FIELD}
    r = staff_api.put(PLAN_URL, {**older, "freeze_days": 3})

    assert r.status_code == 200, r.content
    assert r.json()[FIELD] is True
    first = PlanChange.objects.order_by("pk").first()
    assert (first.before[FIELD], first.after[FIELD], first.changed_by) == (False, True, staff)


@pytest.mark.parametrize("value", ["yes", 1, None])
def test_not_a_boolean_is_a_400_in_chinese_and_changes_nothing(staff_api, value):
    before = current()
    body = assert_error(staff_api.put(PLAN_URL, {**before, FIELD: value}), 400, "plan_invalid")
    assert "须为 true 或 false" in body["message"]
    assert current() == before
    assert not PlanChange.objects.exists()


def test_console_plan_page_sets_it_and_records_it(client, staff):
    client.force_login(staff)
    form = {k: v for k, v in current().items() if k not in ("self_purchase", FIELD)}
    form.update(rate_rows(form.pop("rates")))  # a row per level, as the page posts

    r = client.post(PLAN_PAGE, {**form, FIELD: "on"}, follow=True)

    assert r.status_code == 200
    assert Plan.objects.get().points_count_for_commission is True
    history = r.content.decode().split('id="plan-history"')[1]
    assert "积分抵扣部分计入佣金基数：关 → 开" in history
