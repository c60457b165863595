"""A small shop for the browser tests, made through fenxiao's services in the server's own
database: `python -m tests.e2e.seed` (FENXIAO_* env as the server's) prints its ids as JSON."""

import json
import os
from datetime import timedelta
from decimal import Decimal
from io import BytesIO

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fenxiao.settings")

STAFF = ("13800000001", "staff-pass-e2e-123")
# (key, phone, nickname): active distributors of the `everyone` plan
DISTRIBUTORS = [
    ("sharer", "13700000001", "小林分享"),
    ("viewer", "13700000002", "阿杰"),
]
# (key, phone, nickname, buyer's phone): distributors whose friend bought 2 earbuds (¥598.00)
# in an order completed past the freeze days: ¥59.80 settled, ready to withdraw
EARNERS = [
    ("saver", "13700000011", "存钱罐小陈", "13600000011"),
    ("payee", "13700000012", "收款小吴", "13600000012"),
    ("taxpayer", "13700000013", "纳税人老郑", "13600000013"),
]
# like the earners, in a grade whose privileges include the advanced figures (team_reports)
ANALYST = ("analyst", "13700000031", "数据控小吴", "13600000031")
GOLD = "金牌分销商"
# (key, phone, nickname): a distributor who shares coupons, and a buyer with points to spend
COUPON_SHARER = ("coupon_sharer", "13700000021", "券达人小周")
POINTS_BUYER = ("13600000021", "积分达人", 2000)
PASSWORD = "pass-e2e-123"
LEVEL1_PERCENT = "10"
# the default grade's withdrawal rules: a fee to see in the preview, a minimum to see refused
WITHDRAW_FEE_PERCENT = "1"
WITHDRAW_MIN = "10"


def _png(size: tuple[int, int], top: tuple, bottom: tuple) -> bytes:
    from PIL import Image

    mask = Image.linear_gradient("L").resize(size)
    img = Image.composite(Image.new("RGB", size, bottom), Image.new("RGB", size, top), mask)
    buf = BytesIO()
    img.save(buf, "PNG")
    return buf.getvalue()


def _settled_sale(*, buyer, code: str, sku) -> None:
    """The buyer follows the code's link, buys 2 of the SKU and pays in the sandbox (its signed
    notification through the real handler); the order completed freeze_days + 1 days ago and
    the due commissions settle now."""
    from django.utils import timezone

    from fenxiao.distribution.services.binding import referral_visit
    from fenxiao.distribution.services.commissions import commissions_settle_due
    from fenxiao.distribution.services.plan import plan_get
    from fenxiao.money import to_integer_fen
    from fenxiao.orders import services as orders
    from fenxiao.orders.services.orders import LineRequest
    from fenxiao.payments import providers
    from fenxiao.payments import services as payments
    from tests.conftest import ADDRESS

    assert referral_visit(user=buyer, code=code).bound
    order, _ = orders.order_place(buyer=buyer, lines=[LineRequest(sku.pk, 2)], address=ADDRESS)
    payment, _ = payments.payment_start(order_id=order.pk, buyer=buyer)
    headers, body = providers.get("sandbox").payment_notification(
        out_trade_no=payment.out_trade_no, amount_cents=to_integer_fen(payment.amount)
    )
    payments.notification_handle(provider_name="sandbox", headers=headers, body=body)
    done = timezone.now() - timedelta(days=plan_get().freeze_days + 1)
    orders.order_ship(order_id=order.pk, carrier="顺丰速运", tracking_no="SF-E2E", now=done)
    orders.order_confirm(order_id=order.pk, now=done)
    assert commissions_settle_due() >= 1


def _marketing(*, category_id: int, pictures) -> dict:
    """A thermos with its own 满减 (满100减10), two coupons for it (满100减15 in the coupon
    centre; 9折 up to ¥20, also shareable), a freight template (¥8, free from ¥200) and points
    on (100 = ¥1, at most 20% of an order). Scoped to the thermos: other tests' totals stay."""
    from fenxiao.catalog.services import product_create
    from fenxiao.catalog.services.freight import freight_template_save
    from fenxiao.marketing import coupons, points
    from fenxiao.marketing.promotions import PromotionDraft, promotion_create

    template = freight_template_save(
        name="保温杯快递",
        first_units=1,
        first_fee=Decimal("8"),
        additional_units=1,
        additional_fee=Decimal("2"),
        free_above=Decimal("200"),
    )
    thermos = product_create(
        name="不锈钢保温杯",
        tagline="12 小时保温",
        selling_points=["316 不锈钢"],
        description="<p>500 毫升，一键开盖。</p>",
        category_id=category_id,
        status="on_shelf",
        images=pictures("thermos", ((0, 150, 136), (139, 195, 74))),
        skus=[{"specs": {"颜色": "墨绿"}, "price": "129.00", "stock": 50}],
        freight_template_id=template.pk,
    )
    promotion_create(
        draft=PromotionDraft(
            name="保温杯满100减10",
            tiers=[{"threshold": "100", "amount": "10"}],
            scope="products",
            product_ids=(thermos.pk,),
        )
    )
    scope = {"scope_kind": "products", "product_ids": [thermos.pk]}
    amount_off = coupons.coupon_create(
        name="保温杯满100减15",
        kind="amount_off",
        amount=Decimal("15"),
        threshold=Decimal("100"),
        valid_days=7,
        total=100,
        **scope,
    )
    percent_off = coupons.coupon_create(
        name="保温杯9折券",
        kind="percent_off",
        percent=Decimal("10"),
        max_off=Decimal("20"),
        valid_days=7,
        shareable=True,
        **scope,
    )
    rule = points.points_rule()
    rule.enabled = True
    rule.per_yuan = 100
    rule.max_share_percent = Decimal("20")
    rule.full_clean()
    rule.save()
    return {
        "thermos": thermos,
        "coupons": {"amount_off": amount_off.pk, "percent_off": percent_off.pk},
    }


def build() -> dict:
    from fenxiao.accounts.services import staff_create, user_register
    from fenxiao.catalog.models import Category
    from fenxiao.catalog.services import category_save, product_create
    from fenxiao.demo.images import product_pictures
    from fenxiao.distribution.models import Distributor, Grade
    from fenxiao.distribution.services.distributors import distributor_ensure
    from fenxiao.distribution.services.grades import grade_save
    from fenxiao.distribution.services.plan import plan_as_dict, plan_get, plan_update
    from fenxiao.marketing.points import points_adjust
    from fenxiao.storefront.models import Banner, ShopSettings
    from fenxiao.storefront.services import banner_save, shop_image_store, shop_settings_save

    staff_create(phone=STAFF[0], password=STAFF[1], role="owner")
    plan = plan_as_dict(plan_get())
    plan.update(
        mode="everyone",
        levels=2,
        rates=[{"level": 1, "percent": LEVEL1_PERCENT}, {"level": 2, "percent": "5"}],
        bind_rule="first_touch",
        bind_on="visit",
        self_purchase=False,
        threshold_amount="0",
    )
    plan_update(data=plan, source="import")

    digital = category_save(category=Category(name="数码"))
    wearables = category_save(category=Category(name="智能穿戴", parent=digital))
    home = category_save(category=Category(name="居家"))

    def pictures(key, colors):
        return product_pictures(key=key, colors=colors, count=2)

    band = product_create(
        name="智能手环 Pro",
        tagline="心率血氧全天监测",
        selling_points=["50 米防水", "14 天续航"],
        description="<h3>产品亮点</h3><p>轻至 24 克，睡眠、心率、血氧一目了然。</p>",
        category_id=wearables.pk,
        status="on_shelf",
        images=pictures("band", ((255, 90, 54), (255, 193, 7))),
        skus=[
            {"specs": {"颜色": "曜石黑"}, "price": "199.00", "stock": 50},
            {"specs": {"颜色": "珍珠白"}, "price": "199.00", "stock": 0},
        ],
    )
    earbuds = product_create(
        name="降噪蓝牙耳机",
        tagline="通透模式，通勤好伴侣",
        selling_points=["主动降噪"],
        description="<p>30 小时总续航。</p>",
        category_id=digital.pk,
        status="on_shelf",
        images=pictures("earbuds", ((63, 81, 181), (0, 188, 212))),
        skus=[{"specs": {"颜色": "白色"}, "price": "299.00", "stock": 30}],
    )
    mug = product_create(
        name="北欧陶瓷马克杯",
        tagline="釉下彩，可进洗碗机",
        selling_points=["350 毫升"],
        description="<p>手工上釉。</p>",
        category_id=home.pk,
        status="on_shelf",
        images=pictures("mug", ((233, 30, 99), (156, 39, 176))),
        skus=[{"specs": {"容量": "350ml"}, "price": "39.90", "stock": 1}],
    )
    tote = product_create(
        name="限量帆布托特包",
        tagline="联名款，售完即止",
        selling_points=["加厚帆布"],
        description="<p>已全部售完。</p>",
        category_id=home.pk,
        status="on_shelf",
        images=pictures("tote", ((76, 175, 80), (205, 220, 57))),
        skus=[{"specs": {"颜色": "米白"}, "price": "89.00", "stock": 0}],
    )

    logo = shop_image_store(content=_png((240, 240), (228, 57, 60), (255, 120, 80)))
    shop_settings_save(
        shop=ShopSettings(
            name="小林优选",
            logo=logo,
            theme_color="#E4393C",
            share_text="【{name}】只要 ¥{price}，{tagline} 点击购买：{url}",
        )
    )
    banner = shop_image_store(content=_png((750, 320), (255, 90, 54), (255, 193, 7)))
    banner_save(banner=Banner(image=banner, title="新品上市 · 分享赚佣金", sort=1, product=band))

    grade = Grade.objects.get(is_default=True)
    grade.withdraw_fee_percent = Decimal(WITHDRAW_FEE_PERCENT)
    grade.withdraw_min = Decimal(WITHDRAW_MIN)
    grade_save(grade=grade)

    people = {}
    for key, phone, nickname in DISTRIBUTORS:
        user = user_register(phone=phone, password=PASSWORD, nickname=nickname)
        distributor = distributor_ensure(user=user)
        people[key] = {
            "id": user.pk,
            "phone": phone,
            "nickname": nickname,
            "code": distributor.referral_code,
        }
    for key, phone, nickname, buyer_phone in EARNERS:
        user = user_register(phone=phone, password=PASSWORD, nickname=nickname)
        distributor = distributor_ensure(user=user)
        buyer = user_register(phone=buyer_phone, password=PASSWORD, nickname=f"{nickname}的朋友")
        _settled_sale(buyer=buyer, code=distributor.referral_code, sku=earbuds.skus.get())
        people[key] = {
            "id": user.pk,
            "phone": phone,
            "nickname": nickname,
            "code": distributor.referral_code,
        }
    gold = grade_save(grade=Grade(name=GOLD, rank=5, privileges={"team_reports": True}))
    key, phone, nickname, buyer_phone = ANALYST
    user = user_register(phone=phone, password=PASSWORD, nickname=nickname)
    distributor = distributor_ensure(user=user)
    buyer = user_register(phone=buyer_phone, password=PASSWORD, nickname=f"{nickname}的朋友")
    _settled_sale(buyer=buyer, code=distributor.referral_code, sku=earbuds.skus.get())
    Distributor.objects.filter(pk=user.pk).update(grade=gold)
    people[key] = {
        "id": user.pk,
        "phone": phone,
        "nickname": nickname,
        "code": distributor.referral_code,
    }
    # marketing last: the earners' orders above were placed and paid before any of it
    marketing = _marketing(category_id=home.pk, pictures=pictures)
    key, phone, nickname = COUPON_SHARER
    user = user_register(phone=phone, password=PASSWORD, nickname=nickname)
    people[key] = {
        "id": user.pk,
        "phone": phone,
        "nickname": nickname,
        "code": distributor_ensure(user=user).referral_code,
    }
    phone, nickname, balance = POINTS_BUYER
    saver = user_register(phone=phone, password=PASSWORD, nickname=nickname)
    points_adjust(user_id=saver.pk, delta=balance, reason="测试发放", staff=None)
    return {
        "staff": {"phone": STAFF[0], "password": STAFF[1]},
        "gold_grade": GOLD,
        "points_buyer": {"id": saver.pk, "phone": phone, "points": balance},
        "coupons": marketing["coupons"],
        "password": PASSWORD,
        "level1_percent": LEVEL1_PERCENT,
        "withdraw_fee_percent": WITHDRAW_FEE_PERCENT,
        "withdraw_min": WITHDRAW_MIN,
        "distributors": people,
        "categories": {"digital": digital.pk, "wearables": wearables.pk, "home": home.pk},
        "products": {
            name: {"id": p.pk, "skus": [s.pk for s in p.skus.order_by("pk")]}
            for name, p in {
                "band": band,
                "earbuds": earbuds,
                "mug": mug,
                "tote": tote,
                "thermos": marketing["thermos"],
            }.items()
        },
    }


def main() -> None:
    import django
    from django.conf import settings
    from django.core.management import call_command
    from django.db import transaction

    django.setup()
    settings.DATA_DIR.mkdir(parents=True, exist_ok=True)
    call_command("migrate", "--no-input", verbosity=0)
    with transaction.atomic():
        shop = build()
    print(json.dumps(shop, ensure_ascii=False))


if __name__ == "__main__":
    main()
