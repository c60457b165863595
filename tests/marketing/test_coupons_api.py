"""Coupons through the API: staff create and issue, buyers claim and list, bad input refused."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from fenxiao.distribution.models import BindingEvent
from fenxiao.distribution.services.distributors import distributor_ensure
from fenxiao.distribution.services.plan import plan_as_dict, plan_get, plan_update
from fenxiao.marketing.models import Coupon, UserCoupon
from tests.accounts.factories import UserFactory
from tests.marketing.factories import CouponFactory, UserCouponFactory

pytestmark = pytest.mark.django_db


def has_chinese(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def refused(r, status: int, code: str):
    assert r.status_code == status, r.content
    body = r.json()
    assert body["code"] == code
    assert has_chinese(body["message"])
    return body


def test_staff_create_a_full_reduction_coupon_in_the_issue_shape(staff_api):
    r = staff_api.post(
        "/admin/coupons",
        {
            "name": "满200减20",
            "kind": "amount_off",
            "amount": "20.00",
            "threshold": "200.00",
            "scope": {"category_ids": [3, 1, 3]},
            "total": 100,
            "per_user": 2,
            "valid_days": 7,
        },
    )
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["scope"] == {"category_ids": [1, 3]}
    assert (body["amount"], body["threshold"], body["issued"], body["used"]) == (
        "20.00",
        "200.00",
        0,
        0,
    )
    coupon = Coupon.objects.get(pk=body["id"])
    assert (coupon.scope_kind, coupon.total, coupon.per_user) == ("categories", 100, 2)
    assert staff_api.get("/admin/coupons").json()["items"][0]["id"] == coupon.pk


@pytest.mark.parametrize(
    "fields, words",
    [
        ({"kind": "amount_off", "amount": "20", "threshold": "20"}, "小于使用门槛"),
        ({"kind": "percent_off", "percent": "100"}, "折扣百分比"),
        ({"kind": "percent_off", "percent": "0"}, "折扣百分比"),
        ({"kind": "no_threshold", "amount": "0"}, "减免金额"),
        ({"kind": "no_threshold", "amount": "5", "threshold": "50"}, "无门槛券"),
        ({"kind": "no_threshold", "amount": "5", "valid_days": None}, "有效期"),
    ],
)
def test_staff_bad_coupon_is_refused_in_chinese_and_nothing_is_made(staff_api, fields, words):
    body = {"name": "坏券", "valid_days": 7, **fields}
    body = {k: v for k, v in body.items() if v is not None}
    found = refused(staff_api.post("/admin/coupons", body), 400, "invalid_coupon")
    assert words in found["message"]
    assert Coupon.objects.count() == 0


def test_fixed_dates_must_be_in_order(staff_api):
    now = timezone.now()
    body = {
        "name": "双十一",
        "kind": "no_threshold",
        "amount": "5",
        "valid_from": now.isoformat(),
        "valid_to": (now - timedelta(days=1)).isoformat(),
    }
    found = refused(staff_api.post("/admin/coupons", body), 400, "invalid_coupon")
    assert "失效时间须晚于生效时间" in found["message"]


def test_buyer_cannot_use_staff_endpoints(buyer_api):
    body = {"name": "券", "kind": "no_threshold", "amount": "5", "valid_days": 1}
    assert buyer_api.post("/admin/coupons", body).status_code in (401, 403)
    assert Coupon.objects.count() == 0


def test_claim_gives_the_buyer_a_coupon_with_its_own_id(buyer, buyer_api):
    coupon = CouponFactory(total=5)

    r = buyer_api.post(f"/coupons/{coupon.pk}/claim")

    assert r.status_code == 201, r.content
    mine = UserCoupon.objects.get(user=buyer)
    body = r.json()
    assert body["id"] == mine.pk
    assert (body["status"], body["source"], body["coupon"]["id"]) == ("unused", "claim", coupon.pk)
    assert mine.valid_to - mine.valid_from == timedelta(days=30)
    coupon.refresh_from_db()
    assert coupon.issued == 1
    assert [c["id"] for c in buyer_api.get("/me/coupons?status=unused").json()["items"]] == [
        mine.pk
    ]


def test_claim_beyond_the_per_user_limit_is_refused_and_nothing_changes(buyer_api):
    coupon = CouponFactory(per_user=1)
    assert buyer_api.post(f"/coupons/{coupon.pk}/claim").status_code == 201

    refused(buyer_api.post(f"/coupons/{coupon.pk}/claim"), 409, "coupon_limit_reached")

    coupon.refresh_from_db()
    assert coupon.issued == 1
    assert UserCoupon.objects.count() == 1


def test_claim_of_an_unknown_coupon_is_404(buyer_api):
    refused(buyer_api.post("/coupons/999999/claim"), 404, "coupon_not_found")
    assert UserCoupon.objects.count() == 0


def test_sold_out_paused_and_not_claimable_coupons_cannot_be_claimed(buyer_api):
    sold_out = CouponFactory(total=1, issued=1)
    paused = CouponFactory(status=Coupon.Status.PAUSED)
    staff_only = CouponFactory(claimable=False)
    expired = CouponFactory(
        valid_days=None,
        valid_from=timezone.now() - timedelta(days=10),
        valid_to=timezone.now() - timedelta(days=1),
    )

    refused(buyer_api.post(f"/coupons/{sold_out.pk}/claim"), 409, "coupon_sold_out")
    refused(buyer_api.post(f"/coupons/{paused.pk}/claim"), 409, "coupon_unavailable")
    refused(buyer_api.post(f"/coupons/{staff_only.pk}/claim"), 409, "coupon_unavailable")
    refused(buyer_api.post(f"/coupons/{expired.pk}/claim"), 409, "coupon_unavailable")
    assert UserCoupon.objects.count() == 0
    assert list(Coupon.objects.order_by("pk").values_list("issued", flat=True)) == [1, 0, 0, 0]


def test_available_lists_claimable_coupons_and_whether_the_buyer_still_can(buyer_api):
    open_coupon = CouponFactory(per_user=1)
    sold_out = CouponFactory(total=1, issued=1)
    CouponFactory(claimable=False)
    CouponFactory(status=Coupon.Status.ENDED)
    buyer_api.post(f"/coupons/{open_coupon.pk}/claim")

    rows = {c["id"]: c for c in buyer_api.get("/coupons/available").json()}

    assert set(rows) == {open_coupon.pk, sold_out.pk}
    assert (rows[open_coupon.pk]["claimed"], rows[open_coupon.pk]["can_claim"]) == (1, False)
    assert (rows[sold_out.pk]["sold_out"], rows[sold_out.pk]["can_claim"]) == (True, False)


def test_my_coupons_by_status_with_expired_derived(buyer, buyer_api):
    unused = UserCouponFactory(user=buyer)
    used = UserCouponFactory(user=buyer, status=UserCoupon.Status.USED, order_number="N1")
    expired = UserCouponFactory(user=buyer, valid_to=timezone.now() - timedelta(seconds=1))
    UserCouponFactory(user=UserFactory())  # someone else's

    def ids(status):
        items = buyer_api.get(f"/me/coupons?status={status}").json()["items"]
        return [(c["id"], c["status"]) for c in items]

    assert ids("unused") == [(unused.pk, "unused")]
    assert ids("used") == [(used.pk, "used")]
    assert ids("expired") == [(expired.pk, "expired")]
    assert buyer_api.get("/me/coupons").json()["count"] == 3
    refused(buyer_api.get("/me/coupons?status=bogus"), 400, "invalid_input")


def test_staff_issue_reports_how_many_and_skips_those_at_their_limit(staff_api):
    coupon = CouponFactory(claimable=False, per_user=1)
    a, b = UserFactory(), UserFactory()
    UserCouponFactory(coupon=coupon, user=a)
    Coupon.objects.filter(pk=coupon.pk).update(issued=1)

    r = staff_api.post(f"/admin/coupons/{coupon.pk}/issue", {"user_ids": [a.pk, b.pk, 999999]})

    assert r.status_code == 200, r.content
    assert r.json() == {"issued": 1, "skipped": [a.pk], "unknown": [999999]}
    assert UserCoupon.objects.get(user=b).source == "staff"
    coupon.refresh_from_db()
    assert coupon.issued == 2


def test_pause_stops_claims_and_an_ended_coupon_stays_ended(staff_api, buyer_api):
    coupon = CouponFactory()
    assert staff_api.post(f"/admin/coupons/{coupon.pk}/pause").json()["status"] == "paused"
    refused(buyer_api.post(f"/coupons/{coupon.pk}/claim"), 409, "coupon_unavailable")
    assert staff_api.post(f"/admin/coupons/{coupon.pk}/resume").json()["status"] == "active"
    assert staff_api.post(f"/admin/coupons/{coupon.pk}/end").json()["status"] == "ended"
    refused(staff_api.post(f"/admin/coupons/{coupon.pk}/resume"), 409, "coupon_unavailable")
    coupon.refresh_from_db()
    assert coupon.status == "ended"


def test_registration_issues_new_user_coupons(anon):
    welcome = CouponFactory(for_new_users=True, claimable=False, amount=Decimal("15.00"))
    CouponFactory(for_new_users=False)
    CouponFactory(for_new_users=True, status=Coupon.Status.PAUSED)
    CouponFactory(for_new_users=True, total=1, issued=1)  # ran out: passed over, no error

    r = anon.post("/auth/register", {"phone": "13912345678", "password": "good-pass-123"})

    assert r.status_code == 201, r.content
    mine = UserCoupon.objects.filter(user_id=r.json()["user"]["id"])
    assert [(c.coupon_id, c.source) for c in mine] == [(welcome.pk, "register")]


def test_claim_with_ref_records_the_referral_visit(buyer, buyer_api, make_api):
    sharer = UserFactory()
    distributor = distributor_ensure(user=sharer, plan=plan_get())
    coupon = CouponFactory(claimable=False, shareable=True)
    share = make_api(sharer).get(f"/coupons/{coupon.pk}/share")
    assert share.status_code == 200, share.content
    assert share.json()["url"].endswith(f"/coupons/{coupon.pk}?ref={distributor.referral_code}")

    r = buyer_api.post(f"/coupons/{coupon.pk}/claim", {"ref": distributor.referral_code})

    assert r.status_code == 201, r.content
    mine = UserCoupon.objects.get(user=buyer)
    assert (mine.source, mine.referrer_id) == ("share", sharer.pk)
    visit = BindingEvent.objects.get(user=buyer, kind=BindingEvent.Kind.VISIT)
    assert (visit.inviter_id, visit.source) == (sharer.pk, "coupon")


def test_a_bad_ref_does_not_block_the_claim(buyer, buyer_api):
    coupon = CouponFactory()

    r = buyer_api.post(f"/coupons/{coupon.pk}/claim", {"ref": "NOSUCHCODE"})

    assert r.status_code == 201, r.content
    assert UserCoupon.objects.get(user=buyer).source == "claim"
    assert not BindingEvent.objects.filter(user=buyer).exists()


def test_only_distributors_share_and_only_shareable_coupons(buyer_api):
    shareable = CouponFactory(shareable=True)
    plain = CouponFactory()
    refused(buyer_api.get(f"/coupons/{plain.pk}/share"), 409, "coupon_not_shareable")
    assert buyer_api.get(f"/coupons/{shareable.pk}/share").status_code == 200  # 人人分销

    plan_update(data=plan_as_dict(plan_get()) | {"mode": "apply"})

    refused(buyer_api.get(f"/coupons/{shareable.pk}/share"), 403, "forbidden")


def test_a_new_wechat_user_gets_new_user_coupons_once(anon):
    welcome = CouponFactory(for_new_users=True, claimable=False, per_user=2)

    first = anon.post("/auth/wechat", {"code": "new-user-code"})
    again = anon.post("/auth/wechat", {"code": "new-user-code"})

    assert first.status_code == again.status_code == 200
    user_id = first.json()["user"]["id"]
    assert again.json()["user"]["id"] == user_id
    assert list(UserCoupon.objects.values_list("user_id", "coupon_id", "source")) == [
        (user_id, welcome.pk, "register")
    ]


def test_a_visit_reported_when_the_link_opened_is_not_counted_again_by_the_claim(
    buyer, buyer_api, make_api
):
    sharer = UserFactory()
    code = distributor_ensure(user=sharer, plan=plan_get()).referral_code
    coupon = CouponFactory(claimable=False, shareable=True)

    opened = buyer_api.post("/referrals/visit", {"code": code, "source": "coupon"})
    claimed = buyer_api.post(f"/coupons/{coupon.pk}/claim", {"ref": code})

    assert opened.status_code == 200, opened.content
    assert claimed.status_code == 201, claimed.content
    visits = BindingEvent.objects.filter(user=buyer, kind=BindingEvent.Kind.VISIT)
    assert list(visits.values_list("inviter_id", "source")) == [(sharer.pk, "coupon")]
    assert UserCoupon.objects.get(user=buyer).referrer_id == sharer.pk


def test_one_coupon_is_shown_to_a_buyer_opening_its_share_link(buyer_api):
    shared_only = CouponFactory(claimable=False, shareable=True, per_user=1)
    hidden = CouponFactory(claimable=False, shareable=False)
    ended = CouponFactory(shareable=True, status=Coupon.Status.ENDED)

    r = buyer_api.get(f"/coupons/{shared_only.pk}")

    assert r.status_code == 200, r.content
    body = r.json()
    assert (body["id"], body["claimed"], body["can_claim"], body["sold_out"]) == (
        shared_only.pk,
        0,
        True,
        False,
    )
    for gone in (hidden, ended):
        refused(buyer_api.get(f"/coupons/{gone.pk}"), 404, "coupon_not_found")
    refused(buyer_api.get("/coupons/999999"), 404, "coupon_not_found")


def test_a_distributor_lists_the_coupons_to_share_with_their_own_links(make_api, buyer_api):
    sharer = UserFactory()
    code = distributor_ensure(user=sharer, plan=plan_get()).referral_code
    first = CouponFactory(shareable=True)
    second = CouponFactory(claimable=False, shareable=True)
    CouponFactory()  # not shareable
    CouponFactory(shareable=True, status=Coupon.Status.PAUSED)

    r = make_api(sharer).get("/distributor/coupons")

    assert r.status_code == 200, r.content
    assert [(c["coupon"]["id"], c["ref"]) for c in r.json()] == [
        (second.pk, code),
        (first.pk, code),
    ]
    assert r.json()[0]["url"].endswith(f"/coupons/{second.pk}?ref={code}")
    plan_update(data=plan_as_dict(plan_get()) | {"mode": "apply"})
    refused(buyer_api.get("/distributor/coupons"), 403, "forbidden")


def test_a_visitor_not_logged_in_sees_the_coupons_but_must_log_in_to_claim(anon):
    coupon = CouponFactory(shareable=True)

    listed = anon.get("/coupons/available")
    one = anon.get(f"/coupons/{coupon.pk}")
    claim = anon.post(f"/coupons/{coupon.pk}/claim", {})

    assert listed.status_code == one.status_code == 200
    assert [(c["id"], c["claimed"], c["can_claim"]) for c in listed.json()] == [
        (coupon.pk, 0, True)
    ]
    assert (one.json()["id"], one.json()["can_claim"]) == (coupon.pk, True)
    assert claim.status_code == 401
    assert not UserCoupon.objects.exists()


def test_a_product_page_lists_the_full_reductions_and_coupons_that_cover_it(anon, buyer_api):
    from fenxiao.marketing.promotions import PromotionDraft, promotion_create
    from tests.catalog.factories import CategoryFactory, SkuFactory

    product = SkuFactory(product__category=CategoryFactory()).product
    other = SkuFactory().product
    everywhere = promotion_create(
        draft=PromotionDraft(name="全场满199减20", tiers=[{"threshold": "199", "amount": "20"}])
    )
    promotion_create(
        draft=PromotionDraft(
            name="别的商品满100减10",
            tiers=[{"threshold": "100", "amount": "10"}],
            scope="products",
            product_ids=(other.pk,),
        )
    )
    for_it = CouponFactory(scope_kind="products", product_ids=[product.pk], per_user=1)
    in_its_category = CouponFactory(scope_kind="categories", category_ids=[product.category_id])
    CouponFactory(scope_kind="products", product_ids=[other.pk])
    CouponFactory(claimable=False, shareable=True)  # only through a share link
    buyer_api.post(f"/coupons/{for_it.pk}/claim", {})

    seen = anon.get(f"/products/{product.pk}/offers").json()
    mine = buyer_api.get(f"/products/{product.pk}/offers").json()

    assert [(p["id"], p["tiers"]) for p in seen["promotions"]] == [
        (everywhere.pk, [{"threshold": "199.00", "amount": "20.00"}])
    ]
    assert [c["id"] for c in seen["coupons"]] == [in_its_category.pk, for_it.pk]
    assert [(c["id"], c["can_claim"]) for c in mine["coupons"]] == [
        (in_its_category.pk, True),
        (for_it.pk, False),
    ]
    assert anon.get("/products/999999/offers").json() == {"promotions": [], "coupons": []}
