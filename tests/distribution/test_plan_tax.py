"""The plan's tax withholding settings (tax_mode, tax_rate): in GET/PUT, kept when an older
client leaves them out, validated with Chinese messages, audited, in `fenxiao plan --import`
and on the console plan page."""

import json
from decimal import Decimal

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


def submitted(**changes) -> dict:
    return {**current(), **changes}


def test_a_new_plan_withholds_no_tax(staff_api):
    body = staff_api.get(PLAN_URL).json()
    assert (body["tax_mode"], body["tax_rate"]) == ("none", "0")


@pytest.mark.parametrize(
    ("mode", "rate", "shown"),
    [("flat", "3.5", "3.5"), ("flat", "20.00", "20"), ("flat", 100, "100"), ("labor", "0", "0")],
)
def test_put_sets_the_tax_mode_and_rate(staff_api, mode, rate, shown):
    r = staff_api.put(PLAN_URL, submitted(tax_mode=mode, tax_rate=rate))
    assert r.status_code == 200, r.content
    assert (r.json()["tax_mode"], r.json()["tax_rate"]) == (mode, shown)
    stored = Plan.objects.get()
    assert (stored.tax_mode, stored.tax_rate) == (mode, Decimal(shown))


def test_a_put_without_the_tax_fields_keeps_them(staff_api):
    # given: flat 6%, set by a client that knows the tax fields
    assert staff_api.put(PLAN_URL, submitted(tax_mode="flat", tax_rate="6")).status_code == 200
    # when: an older client PUTs the plan without them
    older = {k: v for k, v in submitted(freeze_days=3).items() if not k.startswith("tax_")}
    r = staff_api.put(PLAN_URL, older)
    # then: the rest changes, the tax settings stay
    assert r.status_code == 200, r.content
    assert (r.json()["freeze_days"], r.json()["tax_mode"], r.json()["tax_rate"]) == (3, "flat", "6")
    assert PlanChange.objects.order_by("-pk").first().after["tax_mode"] == "flat"


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({"tax_mode": "progressive"}, "个税代扣方式"),
        ({"tax_mode": None}, "个税代扣方式"),
        ({"tax_mode": "flat", "tax_rate": "100.01"}, "代扣比例"),
        ({"tax_mode": "flat", "tax_rate": "-1"}, "代扣比例"),
        ({"tax_mode": "flat", "tax_rate": "3.125"}, "最多 2 位小数"),
        ({"tax_mode": "labor", "tax_rate": "3.125"}, "最多 2 位小数"),
        ({"tax_mode": "flat", "tax_rate": 3.5}, "代扣比例"),
        ({"tax_mode": "flat", "tax_rate": "abc"}, "代扣比例"),
        ({"tax_mode": "flat", "tax_rate": None}, "代扣比例"),
        ({"tax_mode": "flat", "tax_rate": "0"}, "代扣比例须大于 0"),
        ({"tax_mode": "flat"}, "代扣比例须大于 0"),  # the stored rate is 0
    ],
)
def test_bad_tax_settings_are_a_400_in_chinese_and_change_nothing(staff_api, changes, words):
    before = current()
    body = assert_error(staff_api.put(PLAN_URL, submitted(**changes)), 400, "plan_invalid")
    assert words in body["message"]
    assert current() == before
    assert not PlanChange.objects.exists()


def test_a_tax_change_is_audited_like_the_other_fields(staff, staff_api):
    before = current()
    assert staff_api.put(PLAN_URL, submitted(tax_mode="labor")).status_code == 200
    assert staff_api.put(PLAN_URL, submitted(tax_mode="flat", tax_rate="2.5")).status_code == 200

    newest, oldest = staff_api.get(f"{PLAN_URL}/history").json()
    assert oldest["before"] == before
    assert oldest["after"] == {**before, "tax_mode": "labor"}
    assert oldest["changed_by_id"] == staff.pk
    assert (newest["before"]["tax_mode"], newest["before"]["tax_rate"]) == ("labor", "0")
    assert (newest["after"]["tax_mode"], newest["after"]["tax_rate"]) == ("flat", "2.5")
    # saving the same settings again records nothing
    assert staff_api.put(PLAN_URL, submitted(tax_rate="2.50")).status_code == 200
    assert PlanChange.objects.count() == 2


def write(tmp_path, data) -> str:
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return str(path)


def test_import_sets_and_validates_the_tax_settings(tmp_path, capsys):
    plan = current()
    assert fenxiao(["plan", "--import", write(tmp_path, {**plan, "tax_mode": "flat"})]) == 2
    assert "plan_invalid" in capsys.readouterr().err
    assert not PlanChange.objects.exists()

    assert fenxiao(["plan", "--import", write(tmp_path, {**plan, "tax_mode": "labor"})]) == 0
    change = PlanChange.objects.get()
    assert (change.source, change.after["tax_mode"]) == ("import", "labor")
    assert json.loads(capsys.readouterr().out)["tax_mode"] == "labor"


def plan_form(**changes) -> dict:
    """The plan page's form as the browser posts it, with the current plan filled in."""
    form = {k: v for k, v in {**current(), **changes}.items() if k != "self_purchase"}
    form.update(rate_rows(form.pop("rates")))  # a row per level, as the page posts
    return form


def test_console_plan_page_sets_the_tax_mode_and_records_it(client, staff):
    client.force_login(staff)
    page = client.get(PLAN_PAGE).content.decode()
    for words in ("个税代扣方式", "不代扣", "按比例", "劳务报酬", "代扣比例"):
        assert words in page

    r = client.post(PLAN_PAGE, plan_form(tax_mode="flat", tax_rate="5"), follow=True)

    assert r.status_code == 200
    assert (Plan.objects.get().tax_mode, Plan.objects.get().tax_rate) == ("flat", Decimal("5"))
    change = PlanChange.objects.get()
    assert (change.source, change.changed_by) == ("console", staff)
    history = r.content.decode().split('id="plan-history"')[1]
    assert "个税代扣方式：不代扣 → 按比例" in history


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({"tax_mode": "flat", "tax_rate": "101"}, "代扣比例须为 0 到 100"),
        ({"tax_mode": "flat", "tax_rate": "0"}, "代扣比例须大于 0"),
        ({"tax_mode": "progressive"}, "progressive"),
    ],
)
def test_console_refuses_bad_tax_settings_in_chinese(client, staff, changes, words):
    client.force_login(staff)
    before = current()
    r = client.post(PLAN_PAGE, plan_form(**changes))
    assert r.status_code == 200  # the form again, with the error
    assert words in r.content.decode()
    assert current() == before
    assert not PlanChange.objects.exists()
