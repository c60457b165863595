"""The plan's automatic approval limit (auto_approve_below, yuan, 0 = off): in GET/PUT, kept
when a client leaves it out, validated in Chinese, audited, in the import and the console."""

import json

import pytest
from django.urls import reverse

from fenxiao.cli import main as fenxiao
from fenxiao.distribution.models import Plan, PlanChange
from fenxiao.distribution.services.plan import plan_as_dict, plan_get
from tests.console.conftest import rate_rows
from tests.orders.flows import assert_error

pytestmark = pytest.mark.django_db

PLAN_URL = "/admin/distribution/plan"
PLAN_PAGE = reverse("admin:distribution_plan_change", args=[1])


def current() -> dict:
    return plan_as_dict(plan_get())


def test_a_new_plan_approves_nothing_automatically(staff_api):
    assert staff_api.get(PLAN_URL).json()["auto_approve_below"] == "0.00"


def test_put_sets_it_and_a_put_without_it_keeps_it(staff, staff_api):
    r = staff_api.put(PLAN_URL, {**current(), "auto_approve_below": "200"})
    assert (r.status_code, r.json()["auto_approve_below"]) == (200, "200.00")

    older = {k: v for k, v in current().items() if k != "auto_approve_below"}
    r = staff_api.put(PLAN_URL, {**older, "freeze_days": 3})

    assert r.status_code == 200, r.content
    assert (r.json()["freeze_days"], r.json()["auto_approve_below"]) == (3, "200.00")
    first, second = PlanChange.objects.order_by("pk")
    assert (first.before["auto_approve_below"], first.after["auto_approve_below"]) == (
        "0.00",
        "200.00",
    )
    assert first.changed_by == staff
    assert second.after["auto_approve_below"] == "200.00"


@pytest.mark.parametrize("value", ["-1", "1.001", "abc", None, 1.5, "1e12"])
def test_bad_limits_are_a_400_in_chinese_and_change_nothing(staff_api, value):
    before = current()
    body = assert_error(
        staff_api.put(PLAN_URL, {**before, "auto_approve_below": value}), 400, "plan_invalid"
    )
    assert "自动审核金额上限" in body["message"]
    assert current() == before
    assert not PlanChange.objects.exists()


def test_import_sets_it(tmp_path, capsys):
    path = tmp_path / "plan.json"
    path.write_text(json.dumps({**current(), "auto_approve_below": "50.5"}), encoding="utf-8")
    assert fenxiao(["plan", "--import", str(path)]) == 0
    assert json.loads(capsys.readouterr().out)["auto_approve_below"] == "50.50"
    assert PlanChange.objects.get().source == "import"


def plan_form(**changes) -> dict:
    form = {k: v for k, v in {**current(), **changes}.items() if k != "self_purchase"}
    form.update(rate_rows(form.pop("rates")))  # a row per level, as the page posts
    return form


def test_console_plan_page_sets_it_and_records_it(client, staff):
    client.force_login(staff)
    assert "自动审核金额上限" in client.get(PLAN_PAGE).content.decode()

    r = client.post(PLAN_PAGE, plan_form(auto_approve_below="100"), follow=True)

    assert r.status_code == 200
    assert Plan.objects.get().auto_approve_below == 100
    history = r.content.decode().split('id="plan-history"')[1]
    assert "自动审核金额上限：0.00 → 100.00" in history


def test_console_refuses_a_negative_limit(client, staff):
    client.force_login(staff)
    r = client.post(PLAN_PAGE, plan_form(auto_approve_below="-5"))
    assert "自动审核金额上限须为非负金额" in r.content.decode()
    assert Plan.objects.get().auto_approve_below == 0
