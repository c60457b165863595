from datetime import timedelta
from decimal import Decimal

import factory
from django.utils import timezone

from fenxiao.marketing.models import Coupon, UserCoupon


class CouponFactory(factory.django.DjangoModelFactory):
    """A claimable ¥10 no-threshold coupon, valid 30 days after receipt, one per user."""

    class Meta:
        model = Coupon

    name = factory.Sequence(lambda n: f"无门槛券{n}")
    kind = Coupon.Kind.NO_THRESHOLD
    amount = Decimal("10.00")
    valid_days = 30


class UserCouponFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = UserCoupon

    coupon = factory.SubFactory(CouponFactory, issued=1)
    source = UserCoupon.Source.STAFF
    valid_from = factory.LazyFunction(lambda: timezone.now() - timedelta(days=1))
    valid_to = factory.LazyFunction(lambda: timezone.now() + timedelta(days=29))
