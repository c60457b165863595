"""Console: the points rule page (one row, validated in Chinese) and staff adjustments."""

import pytest
from django.urls import reverse

from fenxiao.marketing import points
from fenxiao.marketing.models import PointsEntry, PointsRule
from tests.accounts.factories import UserFactory

pytestmark = pytest.mark.django_db

RULE = {
    "enabled": "on",
    "earn_per_yuan": "2",
    "per_yuan": "100",
    "max_share_percent": "50",
}


def test_rule_list_opens_the_one_rule(client, staff):
    client.force_login(staff)
    r = client.get(reverse("admin:marketing_pointsrule_changelist"), follow=True)
    assert r.status_code == 200
    assert "多少积分抵 1 元" in r.content.decode()
    assert PointsRule.objects.count() == 1


def test_rule_saves(client, staff):
    client.force_login(staff)
    page = reverse("admin:marketing_pointsrule_change", args=[points.points_rule().pk])

    r = client.post(page, RULE, follow=True)

    assert r.status_code == 200
    rule = points.points_rule()
    assert (rule.enabled, rule.earn_per_yuan, rule.expire_at_year_end) == (True, 2, False)


@pytest.mark.parametrize(
    ("field", "value"), [("per_yuan", "0"), ("max_share_percent", "101"), ("earn_per_yuan", "-1")]
)
def test_rule_refuses_bad_values_in_chinese(client, staff, field, value):
    client.force_login(staff)
    page = reverse("admin:marketing_pointsrule_change", args=[points.points_rule().pk])

    r = client.post(page, {**RULE, field: value})

    assert r.status_code == 200  # the form again, with the error
    errors = r.content.decode().split('class="errorlist')[1]
    assert "确保该值" in errors
    assert points.points_rule().enabled is False


def test_staff_adjusts_with_a_reason_and_is_recorded(client, staff):
    client.force_login(staff)
    user = UserFactory()

    r = client.post(
        reverse("admin:marketing_pointsadjustment_add"),
        {"user": user.pk, "delta": "70", "note": "活动补发"},
        follow=True,
    )

    assert r.status_code == 200
    entry = PointsEntry.objects.get(user=user)
    assert (entry.kind, entry.delta, entry.note, entry.created_by) == (
        "adjust",
        70,
        "活动补发",
        staff,
    )
    assert points.points_balance(user_id=user.pk) == 70


def test_adjustment_below_zero_is_refused_and_changes_nothing(client, staff):
    client.force_login(staff)
    user = UserFactory()

    r = client.post(
        reverse("admin:marketing_pointsadjustment_add"),
        {"user": user.pk, "delta": "-5", "note": "扣减"},
    )

    assert "积分不足：该用户当前可用 0 积分" in r.content.decode()
    assert not PointsEntry.objects.exists()
