"""What orders use: a buyer's coupon terms, which coupons apply, lock at placement, use on
payment, release on an unpaid cancel."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.utils import timezone

from fenxiao.marketing import coupons, selectors
from fenxiao.marketing.errors import (
    CouponExpired,
    CouponNotApplicable,
    CouponNotFound,
    CouponUsed,
)
from fenxiao.marketing.models import Coupon, UserCoupon
from fenxiao.marketing.pricing import price
from fenxiao.marketing.terms import Item
from tests.accounts.factories import UserFactory
from tests.marketing.factories import CouponFactory, UserCouponFactory

pytestmark = pytest.mark.django_db

ITEMS = [
    Item(key=1, product_id=10, category_id=5, unit_price=Decimal("199.00"), quantity=1),
    Item(key=2, product_id=11, category_id=6, unit_price=Decimal("100.90"), quantity=1),
]


def test_terms_of_the_buyers_own_coupon(buyer):
    mine = UserCouponFactory(
        user=buyer,
        coupon=CouponFactory(
            kind="percent_off",
            amount=0,
            percent=Decimal("15"),
            max_off=Decimal("30"),
            scope_kind="products",
            product_ids=[10],
        ),
    )

    terms = selectors.coupon_terms(buyer_id=buyer.pk, user_coupon_id=mine.pk, now=timezone.now())

    assert (terms.user_coupon_id, terms.kind, terms.percent, terms.max_off) == (
        mine.pk,
        "percent_off",
        Decimal("15.00"),
        Decimal("30.00"),
    )
    assert terms.scope.covers(ITEMS[0]) and not terms.scope.covers(ITEMS[1])
    quote = price(ITEMS, coupon=terms)
    assert [(d.kind, d.amount, d.source_id) for d in quote.discounts] == [
        ("coupon", Decimal("29.85"), mine.pk)  # 15% of 199.00, the only line in scope
    ]


@pytest.mark.parametrize(
    "make, error",
    [
        (lambda buyer: UserCouponFactory(user=UserFactory()), CouponNotFound),
        (lambda buyer: UserCouponFactory(user=buyer, status="used"), CouponUsed),
        (lambda buyer: UserCouponFactory(user=buyer, status="locked"), CouponUsed),
        (
            lambda buyer: UserCouponFactory(
                user=buyer, valid_to=timezone.now() - timedelta(minutes=1)
            ),
            CouponExpired,
        ),
    ],
)
def test_someone_elses_used_or_expired_coupon_is_refused(buyer, make, error):
    found = make(buyer)
    with pytest.raises(error) as refused:
        selectors.coupon_terms(buyer_id=buyer.pk, user_coupon_id=found.pk, now=timezone.now())
    assert 400 <= refused.value.status < 500
    with pytest.raises(error):
        coupons.coupon_lock(user_coupon_id=found.pk, buyer_id=buyer.pk, order_number="N1")
    assert UserCoupon.objects.filter(order_number="N1").count() == 0


def test_below_its_threshold_a_coupon_does_not_apply(buyer):
    over_300 = UserCouponFactory(
        user=buyer,
        coupon=CouponFactory(kind="amount_off", amount=Decimal("30"), threshold=Decimal("300")),
    )
    terms = selectors.coupon_terms(
        buyer_id=buyer.pk, user_coupon_id=over_300.pk, now=timezone.now()
    )

    with pytest.raises(CouponNotApplicable, match="满 300.00 元可用"):  # 299.90 < 300
        price(ITEMS, coupon=terms)
    assert selectors.coupons_usable(buyer_id=buyer.pk, items=ITEMS, now=timezone.now()) == []


def test_usable_coupons_best_first(buyer):
    ten = UserCouponFactory(user=buyer)  # ¥10 no threshold
    twenty = UserCouponFactory(
        user=buyer,
        coupon=CouponFactory(kind="amount_off", amount=Decimal("20"), threshold=Decimal("200")),
    )
    UserCouponFactory(user=buyer, status="used")
    UserCouponFactory(user=UserFactory())
    UserCouponFactory(
        user=buyer,
        coupon=CouponFactory(scope_kind="categories", category_ids=[99]),  # nothing in scope
    )

    usable = selectors.coupons_usable(buyer_id=buyer.pk, items=ITEMS, now=timezone.now())

    assert [(t.user_coupon_id, off) for t, off in usable] == [
        (twenty.pk, Decimal("20.00")),
        (ten.pk, Decimal("10.00")),
    ]


def test_lock_use_and_the_sales_it_brought(buyer):
    mine = UserCouponFactory(user=buyer)

    coupons.coupon_lock(user_coupon_id=mine.pk, buyer_id=buyer.pk, order_number="N1")
    assert coupons.coupon_use(order_number="N1", order_total=Decimal("269.90")) is True
    assert coupons.coupon_use(order_number="N1", order_total=Decimal("269.90")) is False

    mine.refresh_from_db()
    assert (mine.status, mine.order_number) == ("used", "N1")
    assert Coupon.objects.get().used == 1
    assert selectors.coupon_sales([mine.coupon_id]) == {mine.coupon_id: Decimal("269.90")}
    assert coupons.coupon_release(order_number="N1") is False  # a used coupon stays used


def test_release_gives_the_coupon_back_for_another_order(buyer):
    mine = UserCouponFactory(user=buyer)
    coupons.coupon_lock(user_coupon_id=mine.pk, buyer_id=buyer.pk, order_number="N1")

    assert coupons.coupon_release(order_number="N1") is True

    mine.refresh_from_db()
    assert (mine.status, mine.order_number) == ("unused", "")
    coupons.coupon_lock(user_coupon_id=mine.pk, buyer_id=buyer.pk, order_number="N2")
    mine.refresh_from_db()
    assert mine.order_number == "N2"


def generic_plan(where: str) -> str:
    """PostgreSQL's generic plan (made for any values) of a coupon lookup, sequential scans
    priced out: it uses an index only if the WHERE proves the index applies."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL plan_cache_mode = force_generic_plan")
        cursor.execute("SET LOCAL enable_seqscan = off")
        numbered = where.replace("%s", "$1", 1).replace("%s", "$2", 1)
        cursor.execute(
            f"PREPARE fx_coupon(text, text) AS SELECT id FROM marketing_usercoupon WHERE {numbered}"
        )
        cursor.execute("EXPLAIN EXECUTE fx_coupon('N1', 'locked')")
        plan = "\n".join(row[0] for row in cursor.fetchall())
        cursor.execute("DEALLOCATE fx_coupon")
    return plan


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's plans")
def test_an_orders_locked_coupon_is_found_by_its_index_under_a_generic_plan():
    # a prepared statement's generic plan cannot tell that $1 is not '', the condition of the
    # partial unique index on order_number: the WHERE states it
    assert "user_coupon_one_per_order" in generic_plan(coupons.LOCKED_BY_ORDER)
    assert "user_coupon_one_per_order" not in generic_plan("order_number = %s AND status = %s")
