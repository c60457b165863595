"""Coupons at checkout through the API: the preview lists them best first, POST /orders
applies and locks one, payment uses it, an unpaid cancel gives it back; bad coupons refused."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from fenxiao.marketing.models import Coupon, UserCoupon
from fenxiao.marketing.promotions import PromotionDraft, promotion_create
from fenxiao.orders.models import Order
from tests.accounts.factories import UserFactory
from tests.catalog.factories import SkuFactory
from tests.conftest import ADDRESS
from tests.marketing.factories import CouponFactory, UserCouponFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_skus():
    return SkuFactory(price=Decimal("199.00"), stock=5), SkuFactory(
        price=Decimal("100.90"), stock=5
    )


def body_of(skus, **extra):
    return {"lines": [{"sku_id": s.pk, "quantity": 1} for s in skus], "address": ADDRESS, **extra}


def claim(api, coupon) -> int:
    r = api.post(f"/coupons/{coupon.pk}/claim")
    assert r.status_code == 201, r.content
    return r.json()["id"]


def test_the_worked_case_through_post_orders(buyer_api, two_skus):
    # given: ¥199.00 + ¥100.90 under 满200减20, and a claimed ¥10 no-threshold coupon
    promotion_create(
        draft=PromotionDraft(name="满200减20", tiers=[{"threshold": "200", "amount": "20"}])
    )
    mine = claim(buyer_api, CouponFactory(name="十元无门槛券"))

    # when
    preview = buyer_api.post("/orders/preview", body_of(two_skus, coupon_id=mine)).json()
    r = buyer_api.post("/orders", body_of(two_skus, coupon_id=mine))

    # then
    assert r.status_code == 201, r.content
    order = r.json()
    assert order["total"] == preview["total"] == "269.90"
    assert [(d["kind"], d["amount"]) for d in order["discounts"]] == [
        ("full_reduction", "20.00"),
        ("coupon", "10.00"),
    ]
    assert sum(Decimal(line["paid_amount"]) for line in order["lines"]) == Decimal("269.90")
    assert [line["paid_amount"] for line in order["lines"]] == [
        line["paid_amount"] for line in preview["lines"]
    ]
    held = UserCoupon.objects.get(pk=mine)
    assert (held.status, held.order_number) == ("locked", order["number"])


def test_the_preview_lists_usable_coupons_best_first(buyer, buyer_api, two_skus):
    ten = claim(buyer_api, CouponFactory())
    twenty = claim(
        buyer_api,
        CouponFactory(kind="amount_off", amount=Decimal("20"), threshold=Decimal("250")),
    )
    claim(  # 满300减30: 299.90 does not reach it
        buyer_api,
        CouponFactory(kind="amount_off", amount=Decimal("30"), threshold=Decimal("300")),
    )
    UserCouponFactory(user=UserFactory())  # someone else's

    preview = buyer_api.post("/orders/preview", body_of(two_skus)).json()

    assert [(c["id"], c["amount_off"]) for c in preview["usable_coupons"]] == [
        (twenty, "20.00"),
        (ten, "10.00"),
    ]
    assert preview["total"] == "299.90"  # listing is not applying


def test_a_coupon_is_used_by_one_order_and_comes_back_when_it_is_cancelled(buyer_api, two_skus):
    mine = claim(buyer_api, CouponFactory())
    first = buyer_api.post("/orders", body_of(two_skus, coupon_id=mine)).json()

    again = buyer_api.post("/orders", body_of(two_skus[:1], coupon_id=mine))
    assert again.status_code == 409 and again.json()["code"] == "coupon_used"
    assert "优惠券" in again.json()["message"]

    assert buyer_api.post(f"/orders/{first['id']}/cancel").status_code == 200
    assert UserCoupon.objects.get(pk=mine).status == "unused"

    second = buyer_api.post("/orders", body_of(two_skus[:1], coupon_id=mine))
    assert second.status_code == 201, second.content
    assert second.json()["total"] == "189.00"
    payment = buyer_api.post(f"/orders/{second.json()['id']}/pay", {}).json()
    assert buyer_api.post(f"/payments/sandbox/{payment['payment_id']}/complete").status_code == 200
    assert UserCoupon.objects.get(pk=mine).status == "used"
    assert Coupon.objects.get().used == 1


def test_bad_coupons_are_refused_in_chinese_and_nothing_changes(buyer, buyer_api, two_skus):
    over_300 = claim(
        buyer_api,
        CouponFactory(kind="amount_off", amount=Decimal("30"), threshold=Decimal("300")),
    )
    someone_elses = UserCouponFactory(user=UserFactory()).pk
    expired = UserCouponFactory(user=buyer, valid_to=timezone.now() - timedelta(minutes=1)).pk
    used = UserCouponFactory(user=buyer, status="used", order_number="OLD1").pk

    for coupon_id, status, code in [
        (over_300, 400, "coupon_not_applicable"),
        (someone_elses, 404, "coupon_not_found"),
        (expired, 409, "coupon_expired"),
        (used, 409, "coupon_used"),
    ]:
        for path in ("/orders/preview", "/orders"):
            r = buyer_api.post(path, body_of(two_skus, coupon_id=coupon_id))
            assert (r.status_code, r.json()["code"]) == (status, code), (path, r.content)
            assert any("\u4e00" <= ch <= "\u9fff" for ch in r.json()["message"])

    assert Order.objects.count() == 0
    assert [s.stock for s in type(two_skus[0]).objects.order_by("pk")] == [5, 5]
    assert UserCoupon.objects.get(pk=over_300).status == "unused"
    assert UserCoupon.objects.get(pk=someone_elses).order_number == ""
