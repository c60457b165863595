"""The coupon console: create with form fields (errors in Chinese), issue to chosen users,
pause and end, and the issued / used counts with the sales the coupon brought."""

from decimal import Decimal

import pytest
from django.urls import reverse

from fenxiao.marketing import coupons
from fenxiao.marketing.models import Coupon, UserCoupon
from tests.accounts.factories import UserFactory
from tests.console.test_admin import act, messages_of, result_rows
from tests.marketing.factories import CouponFactory

pytestmark = pytest.mark.django_db

COUPONS = reverse("admin:marketing_coupon_changelist")
ADD = reverse("admin:marketing_coupon_add")

FORM = {
    "name": "满200减20",
    "kind": "amount_off",
    "amount": "20.00",
    "percent": "0",
    "threshold": "200.00",
    "scope_kind": "all",
    "valid_days": "7",
    "total": "100",
    "per_user": "1",
    "claimable": "on",
}


@pytest.fixture
def console(client, staff):
    client.force_login(staff)
    return client


def test_staff_create_a_coupon_with_form_fields(console):
    r = console.post(ADD, FORM, follow=True)

    assert r.status_code == 200
    coupon = Coupon.objects.get()
    assert (coupon.kind, coupon.amount, coupon.threshold, coupon.total) == (
        "amount_off",
        Decimal("20.00"),
        Decimal("200.00"),
        100,
    )
    assert "满 ¥200.00 减 ¥20.00" in result_rows(console.get(COUPONS))


@pytest.mark.parametrize(
    "change, words",
    [
        ({"amount": "250"}, "满减券的减免金额须小于使用门槛"),
        ({"kind": "percent_off", "percent": "120"}, "折扣百分比须大于 0 且小于 100"),
        ({"valid_days": ""}, "请设置有效期"),
        ({"scope_kind": "products"}, "指定商品的优惠券至少需要一个商品"),
    ],
)
def test_a_bad_coupon_form_says_what_is_wrong_and_saves_nothing(console, change, words):
    r = console.post(ADD, FORM | change)

    assert r.status_code == 200
    assert words in r.content.decode()
    assert Coupon.objects.count() == 0


def test_issue_to_chosen_users_by_id_or_phone(console):
    coupon = CouponFactory(claimable=False)
    a, b = UserFactory(), UserFactory()
    coupons.coupon_issue_to(coupon_id=coupon.pk, user_ids=[a.pk])

    page = act(console, COUPONS, "issue_to_users", [coupon])
    assert "发放优惠券" in page.content.decode()
    r = act(console, COUPONS, "issue_to_users", [coupon], confirm="1", users=f"{a.pk}, {b.phone}")

    said = messages_of(r)
    assert f"「{coupon.name}」已发放 1 张" in said
    assert any(str(a.pk) in m and "跳过" in m for m in said)
    assert set(UserCoupon.objects.values_list("user_id", flat=True)) == {a.pk, b.pk}


def test_pause_and_end_from_the_list(console):
    coupon = CouponFactory()

    act(console, COUPONS, "pause", [coupon])
    coupon.refresh_from_db()
    assert coupon.status == "paused"

    act(console, COUPONS, "end", [coupon])
    r = act(console, COUPONS, "resume", [coupon])
    coupon.refresh_from_db()
    assert coupon.status == "ended"
    assert any("不能再恢复" in m for m in messages_of(r))


def test_list_shows_issued_used_and_the_sales_brought(console):
    coupon = CouponFactory(name="十元券", total=50)
    for number, total in [("N1", "269.90"), ("N2", "89.00")]:
        mine = coupons.coupon_issue_to(coupon_id=coupon.pk, user_ids=[UserFactory().pk])
        assert mine.issued == 1
        held = UserCoupon.objects.filter(coupon=coupon, order_number="").first()
        coupons.coupon_lock(user_coupon_id=held.pk, buyer_id=held.user_id, order_number=number)
        coupons.coupon_use(order_number=number, order_total=Decimal(total))
    coupons.coupon_issue_to(coupon_id=coupon.pk, user_ids=[UserFactory().pk])

    rows = result_rows(console.get(COUPONS))

    assert "3 / 50" in rows
    assert "¥358.90" in rows


def test_an_issued_coupon_keeps_its_terms_but_can_be_renamed(console):
    coupon = CouponFactory(name="旧名")
    coupons.coupon_issue_to(coupon_id=coupon.pk, user_ids=[UserFactory().pk])
    page = reverse("admin:marketing_coupon_change", args=[coupon.pk])
    assert console.get(page).status_code == 200

    console.post(page, {"name": "新名", "amount": "99", "total": "", "per_user": "1"})

    coupon.refresh_from_db()
    assert (coupon.name, coupon.amount) == ("新名", Decimal("10.00"))
