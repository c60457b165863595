"""GET/PUT /admin/distribution/plan: DESIGN's shape, refusals that leave the plan as it was,
the deployment's level cap, the three-level warning, the audit history and who may do it."""

import pytest
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from fenxiao.accounts.services import staff_create
from fenxiao.distribution.models import PlanChange
from fenxiao.distribution.services.plan import THREE_LEVEL_WARNING, plan_as_dict, plan_get
from tests.catalog.factories import SkuFactory
from tests.distribution.flows import D, amounts_by_level, buy, buyer_under, chain, plan_set
from tests.orders.flows import assert_error

pytestmark = pytest.mark.django_db

PLAN_KEYS = {
    "mode",
    "levels",
    "rates",
    "bind_rule",
    "bind_on",
    "bind_days",
    "self_purchase",
    "freeze_days",
    "max_commission_share",
    "threshold_amount",
    "base",
}

NEW_PLAN = {
    "mode": "apply",
    "levels": 1,
    "rates": [{"level": 1, "fixed": "12.50"}],
    "bind_rule": "expiring",
    "bind_on": "first_order",
    "bind_days": 15,
    "self_purchase": True,
    "freeze_days": 10,
    "max_commission_share": "30",
    "threshold_amount": "199.00",
    "base": "profit",
}

# NEW_PLAN predates the tax fields: a PUT without them keeps the stored ones (the defaults here).
NEW_PLAN_STORED = {
    **NEW_PLAN,
    "tax_mode": "none",
    "tax_rate": "0",
    "auto_approve_below": "0.00",
    "points_count_for_commission": False,
}

THREE = {
    "levels": 3,
    "rates": [
        {"level": 1, "percent": "15"},
        {"level": 2, "percent": "10"},
        {"level": 3, "percent": "5"},
    ],
}


def current() -> dict:
    return plan_as_dict(plan_get())


def submitted(**changes) -> dict:
    return {**current(), **changes}


def test_get_returns_the_plan_in_designs_shape(staff_api):
    r = staff_api.get("/admin/distribution/plan")
    assert r.status_code == 200, r.content
    body = r.json()
    assert set(body) >= PLAN_KEYS
    assert {k: body[k] for k in PLAN_KEYS} == {
        "mode": "everyone",
        "levels": 2,
        "rates": [{"level": 1, "percent": "15"}, {"level": 2, "percent": "10"}],
        "bind_rule": "first_touch",
        "bind_on": "visit",
        "bind_days": 30,
        "self_purchase": False,
        "freeze_days": 7,
        "max_commission_share": "50",
        "threshold_amount": "0.00",
        "base": "paid",
    }
    assert body["max_levels"] == 3
    assert body["warnings"] == []


def test_put_replaces_the_plan_and_returns_it(staff_api):
    r = staff_api.put("/admin/distribution/plan", NEW_PLAN)
    assert r.status_code == 200, r.content
    assert {k: r.json()[k] for k in PLAN_KEYS} == NEW_PLAN
    assert current() == NEW_PLAN_STORED
    assert staff_api.get("/admin/distribution/plan").json()["rates"] == NEW_PLAN["rates"]


def test_put_three_levels_is_allowed_with_the_wechat_warning(staff_api):
    r = staff_api.put("/admin/distribution/plan", submitted(**THREE))
    assert r.status_code == 200, r.content
    assert THREE_LEVEL_WARNING in r.json()["warnings"]
    assert "微信" in THREE_LEVEL_WARNING
    assert THREE_LEVEL_WARNING in staff_api.get("/admin/distribution/plan").json()["warnings"]
    # back to two levels: no warning
    r = staff_api.put("/admin/distribution/plan", submitted(levels=2, rates=THREE["rates"][:2]))
    assert r.json()["warnings"] == []


@pytest.mark.parametrize(
    "changes, code",
    [
        ({"levels": 4}, "plan_levels_exceeded"),
        (
            {"levels": 4, "rates": [*THREE["rates"], {"level": 4, "percent": "1"}]},
            "plan_levels_exceeded",
        ),
        ({"levels": 0}, "plan_invalid"),
        ({"levels": -1}, "plan_invalid"),
        ({"levels": "2"}, "plan_invalid"),
        ({"levels": 1}, "plan_levels_exceeded"),  # the plan still has a level-2 rate
        (
            {"rates": [{"level": 1, "percent": "30"}, {"level": 2, "percent": "25"}]},
            "plan_share_exceeded",
        ),
        ({"max_commission_share": "20"}, "plan_share_exceeded"),  # 15 + 10 > 20
        ({"max_commission_share": "101"}, "plan_invalid"),
        ({"max_commission_share": "-1"}, "plan_invalid"),
        ({"rates": [{"level": 1, "percent": "-5"}]}, "plan_invalid"),
        ({"rates": [{"level": 1, "fixed": "-1.00"}]}, "plan_invalid"),
        ({"rates": [{"level": 1, "percent": 15.5}]}, "plan_invalid"),
        ({"rates": "15%"}, "plan_invalid"),
        ({"threshold_amount": "-1"}, "plan_invalid"),
        ({"bind_days": 0}, "plan_invalid"),
        ({"freeze_days": -1}, "plan_invalid"),
        ({"mode": "pyramid"}, "plan_invalid"),
        ({"bind_rule": "forever"}, "plan_invalid"),
        ({"base": "list_price"}, "plan_invalid"),
        ({"self_purchase": "yes"}, "plan_invalid"),
        ({"surprise": 1}, "plan_invalid"),
        ({"entry_fee": "99.00"}, "pyramid_rule_refused"),
        ({"recruit_reward": "10.00"}, "pyramid_rule_refused"),
        ({"join_fee": "9.90", "levels": 4}, "pyramid_rule_refused"),
    ],
)
def test_bad_plans_are_refused_with_a_clear_error_and_the_plan_unchanged(staff_api, changes, code):
    before = current()
    r = staff_api.put("/admin/distribution/plan", submitted(**changes))
    assert_error(r, 400, code)
    assert current() == before
    assert not PlanChange.objects.exists()


def test_a_plan_with_missing_fields_is_refused(staff_api):
    before = current()
    body = submitted()
    del body["rates"]
    assert "rates" in assert_error(staff_api.put("/admin/distribution/plan", body), 400)["message"]
    assert current() == before


@pytest.mark.parametrize("body", [[1, 2], "levels=4", None])
def test_a_body_that_is_not_an_object_is_a_400(staff_api, body):
    before = current()
    r = staff_api.put("/admin/distribution/plan", body)
    assert 400 <= r.status_code < 500
    assert set(r.json()) >= {"code", "message"}
    assert current() == before


def test_levels_four_error_says_why(staff_api):
    body = assert_error(
        staff_api.put("/admin/distribution/plan", submitted(levels=4)), 400, "plan_levels_exceeded"
    )
    assert "3" in body["message"]


def test_deployment_cap_refuses_levels_above_it(staff_api, settings):
    settings.MAX_LEVELS = 1
    assert staff_api.get("/admin/distribution/plan").json()["max_levels"] == 1
    before = current()
    r = staff_api.put(
        "/admin/distribution/plan", submitted(levels=2, rates=[{"level": 1, "percent": "15"}])
    )
    body = assert_error(r, 400, "plan_levels_exceeded")
    assert "1" in body["message"]
    assert current() == before
    # one level is fine
    r = staff_api.put(
        "/admin/distribution/plan", submitted(levels=1, rates=[{"level": 1, "percent": "15"}])
    )
    assert r.status_code == 200, r.content


def test_deployment_cap_lowered_later_pays_only_the_levels_it_allows(staff_api, settings):
    plan_set(**THREE)
    top, middle, parent = chain(3)
    settings.MAX_LEVELS = 2
    assert staff_api.get("/admin/distribution/plan").json()["warnings"]
    order = buy(buyer_under(parent), (SkuFactory(price=D("100.00")), 1))
    assert amounts_by_level(order) == {1: D("15.00"), 2: D("10.00")}


def test_every_change_is_audited_with_who_and_when(staff, staff_api):
    started = timezone.now()
    before = current()
    assert staff_api.put("/admin/distribution/plan", NEW_PLAN).status_code == 200
    assert staff_api.put("/admin/distribution/plan", submitted(freeze_days=3)).status_code == 200

    r = staff_api.get("/admin/distribution/plan/history")
    assert r.status_code == 200, r.content
    history = r.json()
    assert len(history) == 2
    newest, oldest = history
    assert oldest["changed_by_id"] == staff.pk
    assert oldest["source"] == "api"
    assert oldest["before"] == before
    assert oldest["after"] == NEW_PLAN_STORED
    assert newest["before"]["freeze_days"] == 10
    assert newest["after"]["freeze_days"] == 3
    assert parse_datetime(oldest["changed_at"]) >= started
    change = PlanChange.objects.order_by("pk").first()
    assert change.changed_by == staff
    assert plan_get().updated_by == staff


def test_saving_the_same_plan_adds_no_history(staff_api):
    assert staff_api.put("/admin/distribution/plan", submitted()).status_code == 200
    assert staff_api.get("/admin/distribution/plan/history").json() == []


def test_history_is_for_staff_only(buyer_api):
    assert_error(buyer_api.get("/admin/distribution/plan/history"), 403)


def test_non_staff_get_403_and_anonymous_401(buyer_api, anon):
    before = current()
    assert_error(buyer_api.get("/admin/distribution/plan"), 403)
    assert_error(buyer_api.put("/admin/distribution/plan", NEW_PLAN), 403)
    assert_error(anon.get("/admin/distribution/plan"), 401)
    assert_error(anon.put("/admin/distribution/plan", NEW_PLAN), 401)
    assert current() == before


def test_staff_roles_read_or_change_by_permission(make_api):
    finance = make_api(staff_create(phone="13800000011", password="finance-pass-1", role="finance"))
    service = make_api(staff_create(phone="13800000012", password="service-pass-1", role="service"))
    operator = make_api(
        staff_create(phone="13800000013", password="operator-pass-1", role="operator")
    )
    assert finance.get("/admin/distribution/plan").status_code == 200
    assert_error(finance.put("/admin/distribution/plan", NEW_PLAN), 403)
    assert_error(service.get("/admin/distribution/plan"), 403)
    assert current() != NEW_PLAN_STORED
    assert operator.put("/admin/distribution/plan", NEW_PLAN).status_code == 200
    assert current() == NEW_PLAN_STORED
