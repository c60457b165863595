"""Who may do what with marketing in the console: operators run 满减, coupons and points;
finance and customer service only look."""

import pytest
from django.urls import reverse

from fenxiao.accounts.services import staff_create

pytestmark = pytest.mark.django_db

PHONES = {"operator": "13700000012", "finance": "13700000013", "service": "13700000014"}


@pytest.fixture
def as_role(client):
    def login(role: str):
        client.force_login(staff_create(phone=PHONES[role], password="role-test-pass-1", role=role))
        return client

    return login


@pytest.mark.parametrize(
    "page", ["promotion_add", "coupon_add", "pointsrule_changelist", "pointsadjustment_add"]
)
def test_operator_runs_promotions_coupons_and_points(as_role, page):
    assert as_role("operator").get(reverse(f"admin:marketing_{page}")).status_code in (200, 302)
    assert (
        as_role("operator").get(reverse(f"admin:marketing_{page}"), follow=True).status_code == 200
    )


@pytest.mark.parametrize("role", ["finance", "service"])
def test_finance_and_service_see_coupons_and_points_but_change_nothing(as_role, role):
    client = as_role(role)
    for page in ("coupon_changelist", "usercoupon_changelist", "pointsentry_changelist"):
        assert client.get(reverse(f"admin:marketing_{page}")).status_code == 200, page
    for page in ("coupon_add", "pointsadjustment_add"):
        assert client.get(reverse(f"admin:marketing_{page}")).status_code == 403, page
