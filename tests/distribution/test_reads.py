"""Reads never write: /distributor/me, /distributor/team and the plan are computed from
what is stored; a qualifying user's distributor row (and its referral code) is created by
the first write that needs it, with the code the reads showed."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import given
from hypothesis import strategies as st

from fenxiao.distribution import referral_codes, selectors
from fenxiao.distribution.models import Distributor, Plan
from fenxiao.distribution.services import distributors
from tests.accounts.factories import UserFactory
from tests.catalog.factories import SkuFactory
from tests.distribution.flows import D, buy, chain, code_of, complete, plan_set
from tests.orders.flows import assert_error

pytestmark = pytest.mark.django_db

WRITE = re.compile(r"^\s*(INSERT|UPDATE|DELETE)\b", re.IGNORECASE)
# the tables of what distribution reads; token bookkeeping of the auth layer is not ours
OURS = ("distribution_", "ledger_", "orders_")


def writes_of(captured: CaptureQueriesContext) -> list[str]:
    return [
        q["sql"]
        for q in captured.captured_queries
        if WRITE.match(q["sql"]) and any(table in q["sql"] for table in OURS)
    ]


def test_get_me_and_team_write_nothing_for_a_user_without_a_row(make_api):
    # given: mode everyone, a user who never opened the distributor centre
    user = UserFactory()
    api = make_api(user)

    # when
    with CaptureQueriesContext(connection) as captured:
        me = api.get("/distributor/me")
        team = api.get("/distributor/team")

    # then: the same answer as before, and not one write
    assert me.status_code == 200 and me.json()["status"] == "active"
    assert team.status_code == 200 and team.json() == []
    assert writes_of(captured) == []
    assert not Distributor.objects.filter(pk=user.pk).exists()


def test_the_selector_itself_only_selects():
    user = UserFactory()
    with CaptureQueriesContext(connection) as captured:
        profile = selectors.distributor_profile(user_id=user.pk)
        selectors.team(user_id=user.pk, level=1)
    assert profile.status == "active" and not profile.stored
    assert all(q["sql"].lstrip().upper().startswith("SELECT") for q in captured)


def test_get_me_of_an_applicant_in_mode_everyone_does_not_activate_them(make_api):
    # given: an application made while the mode was apply; then the mode became everyone
    plan_set(mode="apply")
    user = UserFactory()
    distributors.distributor_apply(user=user, reason="想推广")
    plan_set(mode="everyone")

    with CaptureQueriesContext(connection) as captured:
        body = make_api(user).get("/distributor/me").json()

    # then: shown as active (as before), stored unchanged until a write activates them
    assert body["status"] == "active" and body["referral_code"] == code_of(user)
    assert writes_of(captured) == []
    assert Distributor.objects.get(pk=user.pk).status == "applied"
    assert distributors.distributor_ensure(user=user).status == "active"


@pytest.mark.parametrize(
    "mode, status, has_code",
    [("everyone", "active", True), ("apply", "none", False), ("threshold", "none", False)],
)
def test_me_of_a_user_without_a_row_per_mode(make_api, mode, status, has_code):
    plan_set(mode=mode, threshold_amount="100.00")
    user = UserFactory()
    body = make_api(user).get("/distributor/me").json()
    assert body["status"] == status
    assert (body["referral_code"] is not None) == has_code
    assert (body["share_url"] is not None) == has_code
    assert (body["id"] is not None) == has_code
    if mode != "everyone":
        assert_error(make_api(user).get("/distributor/team"), 403, "not_a_distributor")


def test_threshold_reached_shows_active_before_the_job_runs(make_api):
    plan_set(mode="threshold", threshold_amount="100.00")
    user = UserFactory()
    complete(buy(user, (SkuFactory(price=D("120.00")), 1)))
    assert not Distributor.objects.filter(pk=user.pk).exists()

    with CaptureQueriesContext(connection) as captured:
        body = make_api(user).get("/distributor/me").json()
    assert body["status"] == "active" and body["referral_code"]
    assert writes_of(captured) == []


def test_a_derived_code_binds_only_for_a_user_the_plan_makes_a_distributor(make_api):
    plan_set(mode="apply")
    user = UserFactory()
    code = referral_codes.code_for(user.pk)
    visitor = make_api(UserFactory())
    # mode apply: nobody is a distributor without review, so the code means nothing
    assert_error(visitor.post("/referrals/visit", {"code": code}), 404, "referral_code_not_found")
    assert not Distributor.objects.filter(pk=user.pk).exists()
    # a user whose row carries another code is not reached by the derived one
    top, _ = chain(2)
    Distributor.objects.filter(pk=top.pk).update(referral_code="OTHER234")
    derived = referral_codes.code_for(top.pk)
    assert_error(visitor.post("/referrals/visit", {"code": derived}), 404)


def test_get_plan_writes_nothing_even_before_a_plan_is_stored(staff_api):
    Plan.objects.all().delete()
    with CaptureQueriesContext(connection) as captured:
        r = staff_api.get("/admin/distribution/plan")
    assert r.status_code == 200 and r.json()["mode"] == "everyone"
    assert r.json()["rates"] == [{"level": 1, "percent": "15"}, {"level": 2, "percent": "10"}]
    assert writes_of(captured) == []
    assert not Plan.objects.exists()


@given(st.integers(min_value=1, max_value=2**40 - 1))
def test_derived_codes_round_trip(user_id):
    code = referral_codes.code_for(user_id)
    assert len(code) == 8 and set(code) <= set(referral_codes.ALPHABET)
    assert referral_codes.user_id_for(code) == user_id


def test_derived_codes_are_distinct_and_not_sequential():
    codes = [referral_codes.code_for(n) for n in range(1, 2001)]
    assert len(set(codes)) == len(codes)
    assert sorted(codes) != codes
    assert referral_codes.user_id_for("NOT-A-CODE") is None
    assert referral_codes.code_for(2**40) is None
