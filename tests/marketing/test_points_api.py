"""GET /me/points: one's own balance, the rule the client shows, entries paginated."""

import pytest

from fenxiao.marketing import points
from tests.accounts.factories import UserFactory
from tests.marketing.points_flows import give, rule_on

pytestmark = pytest.mark.django_db


def test_me_points_shows_only_ones_own(buyer, buyer_api):
    rule_on(per_yuan=100)
    other = UserFactory()
    give(buyer, 30)
    give(buyer, 12)
    give(other, 999)

    r = buyer_api.get("/me/points", {"page_size": 1})

    assert r.status_code == 200, r.content
    body = r.json()
    assert body["balance"] == 42
    assert body["count"] == 2
    assert [(e["delta"], e["kind"], e["kind_label"]) for e in body["items"]] == [
        (12, "adjust", "人工调整")
    ]
    assert body["rule"]["per_yuan"] == 100
    assert body["rule"]["enabled"] is True


def test_me_points_of_a_new_user_is_empty(buyer_api):
    body = buyer_api.get("/me/points").json()
    assert (body["balance"], body["count"], body["items"]) == (0, 0, [])
    assert body["rule"]["enabled"] is False
    assert points.points_differences() == []


def test_me_points_needs_a_login(anon):
    r = anon.get("/me/points")
    assert r.status_code == 401
    assert r.json()["message"] == "请先登录"


def test_me_points_refuses_a_bad_page(buyer_api):
    r = buyer_api.get("/me/points", {"page": 0})
    assert r.status_code == 400
    assert r.json()["code"] == "invalid_input"
