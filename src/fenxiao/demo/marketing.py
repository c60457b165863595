"""The demo's marketing, added after its orders so their amounts stay as placed: a 满减
activity, a new-user coupon (the H5 buyer holds one), a claimable and shareable 满减 coupon, a
freight template on every product (free above ¥99, remote provinces dearer), and points on."""

from decimal import Decimal

from fenxiao.accounts.models import User
from fenxiao.catalog.models import Product
from fenxiao.catalog.services.freight import freight_template_save
from fenxiao.demo import people
from fenxiao.marketing import coupons, points
from fenxiao.marketing.promotions import PromotionDraft, promotion_create

REMOTE = ["新疆维吾尔自治区", "西藏自治区", "青海省"]


def load_marketing() -> None:
    promotion_create(
        draft=PromotionDraft(
            name="年终大促 满199减20，满399减50",
            tiers=[{"threshold": "199", "amount": "20"}, {"threshold": "399", "amount": "50"}],
        )
    )
    welcome = coupons.coupon_create(
        name="新人无门槛券",
        kind="no_threshold",
        amount=Decimal("10"),
        valid_days=30,
        claimable=False,
        for_new_users=True,
    )
    coupons.coupon_create(
        name="满100减15",
        kind="amount_off",
        amount=Decimal("15"),
        threshold=Decimal("100"),
        valid_days=15,
        total=500,
        shareable=True,
    )
    buyer = User.objects.get(phone=people.H5_BUYER[0])
    coupons.coupon_issue_to(coupon_id=welcome.pk, user_ids=[buyer.pk])

    template = freight_template_save(
        name="标准快递",
        first_units=1,
        first_fee=Decimal("8"),
        additional_units=1,
        additional_fee=Decimal("2"),
        free_above=Decimal("99"),
        rules=[
            {
                "provinces": REMOTE,
                "first_units": 1,
                "first_fee": Decimal("20"),
                "additional_units": 1,
                "additional_fee": Decimal("10"),
            }
        ],
    )
    Product.objects.update(freight_template=template)

    rule = points.points_rule()
    rule.enabled = True
    rule.max_share_percent = Decimal("20")
    rule.full_clean()
    rule.save()
