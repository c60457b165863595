"""Coupons, 满减, points and freight in the H5 client: a buyer claims coupons, checks out with
the best one picked for them, switches coupons and points, pays less to the fen and gets it all
back on cancel; a distributor shares a coupon and a visitor claims it through the link.

The seed's thermos (¥129.00) has its own 满100减10, a 满100减15 coupon, a 9折 coupon (at most
¥20, shareable) and freight ¥8 below ¥200; points are 100 = ¥1, at most 20% of an order, and
the points buyer holds 2000."""

import re

import pytest

from tests.e2e.conftest import expect, hook, screenshot

pytestmark = [pytest.mark.browser]

ADDRESS = {
    "name": "王积分",
    "phone": "13900000521",
    "province": "上海市",
    "city": "上海市",
    "district": "徐汇区",
    "detail": "漕溪北路 88 号",
    "is_default": True,
}


def shot(person, name: str) -> None:
    screenshot(person, "marketing", name)


def ticket(person, coupon_id: int):
    return person.page.locator(f"[data-test=coupon-ticket][data-id='{coupon_id}']")


def test_a_buyer_claims_coupons_and_pays_what_the_preview_said_after_every_discount(shop, new_user):
    phone = shop.data["points_buyer"]["phone"]
    coupons = shop.data["coupons"]
    thermos = shop.product("thermos")
    api = shop.anon.login(phone, shop.password)
    api.post("/addresses", ADDRESS)

    person = new_user()
    person.log_in(phone, shop.password)
    expect(hook(person, "me-points-balance")).to_have_text("2000")
    expect(hook(person, "me-coupons-count")).to_have_text("0")

    # the coupon centre, from 我的: both thermos coupons, claimed one by one
    hook(person, "me-coupon-center").click()
    person.page.wait_for_url(re.compile(r"#/pages/coupon/center$"))
    person.settle()
    for coupon_id in coupons.values():
        expect(ticket(person, coupon_id)).to_be_visible()
    expect(ticket(person, coupons["amount_off"])).to_contain_text("满100元可用")
    expect(ticket(person, coupons["percent_off"])).to_contain_text("最多减20元")
    expect(ticket(person, coupons["percent_off"]).locator("[data-test=coupon-value]")).to_have_text(
        "9"
    )
    shot(person, "coupon-center")
    for coupon_id in coupons.values():
        ticket(person, coupon_id).locator("[data-test=coupon-claim]").click()
        expect(person.toast()).to_contain_text("领取成功")
        expect(ticket(person, coupon_id).locator("[data-test=coupon-claim]")).to_have_text("已领取")
    held = {c["coupon"]["id"]: c for c in api.get("/me/coupons", status="unused")["items"]}
    assert set(held) == set(coupons.values())
    assert {c["source"] for c in held.values()} == {"claim"}

    # 我的优惠券 lists them unused
    person.open("/#/pages/coupon/mine")
    expect(hook(person, "my-coupon")).to_have_count(2)
    shot(person, "my-coupons")

    # checkout of one thermos: 满减 first, then the best coupon, freight below ¥200
    # the product page names its 满减 and coupons; both are held already
    person.open(f"/#/pages/product/detail?id={thermos['id']}")
    expect(hook(person, "pd-promotions")).to_contain_text("满100减10")
    expect(hook(person, "pd-coupons")).to_contain_text("满100减15")
    expect(hook(person, "pd-coupons")).to_contain_text("9折")
    hook(person, "pd-coupons").click()
    claims = hook(person, "pd-coupon-panel").locator("[data-test=coupon-claim]")
    expect(claims).to_have_text(["已领取", "已领取"])
    shot(person, "product-offers")
    person.page.locator("[data-test=pd-coupon-panel] .pd-panel-cancel").click()
    person.button("立即购买").click()
    person.page.wait_for_url(re.compile(r"#/pages/checkout/index"))
    person.settle()
    total = hook(person, "co-total")
    expect(total).to_have_text("¥112.00")  # 129 - 10 - 15 + 8
    expect(hook(person, "co-items-total")).to_have_text("¥129.00")
    expect(hook(person, "co-promotion")).to_contain_text("-¥10.00")
    expect(hook(person, "co-coupon-value")).to_contain_text("-¥15.00")
    expect(hook(person, "co-freight")).to_have_text("¥8.00")
    # 2000 points are ¥20.00, within 20% of the ¥104.00 left
    expect(hook(person, "co-points-offer")).to_contain_text("本单可用 2000 积分抵 ¥20.00")
    shot(person, "checkout-best-coupon")

    hook(person, "co-points-switch").click()
    expect(total).to_have_text("¥92.00")

    # the 9折 coupon instead: 10% of ¥119.00; points still ¥20.00 (cap ¥21.42)
    hook(person, "co-coupon").click()
    options = hook(person, "co-coupon-option")
    expect(options).to_have_count(2)
    expect(options.first).to_contain_text("-¥15.00")  # best first
    shot(person, "checkout-coupon-sheet")
    person.page.locator(
        f"[data-test=co-coupon-option][data-id='{held[coupons['percent_off']]['id']}']"
    ).click()
    expect(total).to_have_text("¥95.10")  # 129 - 10 - 11.90 - 20 + 8
    expect(hook(person, "co-coupon-value")).to_contain_text("-¥11.90")
    # none at all, then the best one again
    hook(person, "co-coupon").click()
    hook(person, "co-coupon-none").click()
    expect(total).to_have_text("¥107.00")  # 129 - 10 - 20 + 8
    hook(person, "co-coupon").click()
    options.first.click()
    expect(total).to_have_text("¥92.00")

    # the order holds what the checkout showed, to the fen
    person.button("提交订单").click()
    person.page.wait_for_url(re.compile(r"#/pages/pay/index\?id=\d+"))
    [order] = api.get("/orders")["items"]
    assert (order["total"], order["points_used"], order["freight"]) == ("92.00", 2000, "8.00")
    assert [(d["kind"], d["amount"]) for d in order["discounts"]] == [
        ("full_reduction", "10.00"),
        ("coupon", "15.00"),
        ("points", "20.00"),
    ]
    [line] = order["lines"]
    assert (line["paid_amount"], line["discount"]) == ("84.00", "45.00")
    assert api.get("/me/points")["balance"] == 0
    used = api.get("/me/coupons", status="locked")["items"]
    assert [c["coupon"]["id"] for c in used] == [coupons["amount_off"]]

    # the order page shows the breakdown
    person.open(f"/#/pages/order/detail?id={order['id']}")
    rows = hook(person, "od-discount")
    expect(rows).to_have_count(3)
    expect(rows.nth(0)).to_contain_text("满减")
    expect(rows.nth(1)).to_contain_text("-¥15.00")
    expect(rows.nth(2)).to_contain_text("-¥20.00")
    expect(hook(person, "od-points")).to_contain_text("使用 2000 积分")
    expect(hook(person, "od-freight")).to_have_text("¥8.00")
    expect(hook(person, "od-total")).to_have_text("¥92.00")
    expect(hook(person, "od-line-paid")).to_contain_text("实付 ¥84.00")
    shot(person, "order-detail-discounts")

    # cancelled unpaid: the coupon and the points come back
    person.button("取消订单").click()
    person.page.locator(".uni-modal").get_by_text("确定", exact=True).click()
    expect(person.toast()).to_contain_text("操作成功")
    assert api.get(f"/orders/{order['id']}")["status"] == "cancelled"
    assert api.get("/me/points")["balance"] == 2000
    back = api.get("/me/coupons", status="unused")["items"]
    assert {c["coupon"]["id"] for c in back} == set(coupons.values())

    person.open("/#/pages/points/index")
    expect(hook(person, "points-balance")).to_have_text("2000")
    deltas = hook(person, "points-delta")
    expect(deltas.first).to_have_text("+2000")  # returned, newest first
    expect(deltas.nth(1)).to_have_text("-2000")
    expect(hook(person, "points-rule")).to_contain_text("100 积分抵 1 元")
    shot(person, "points")
    person.watch.assert_clean()


def test_a_visitor_claims_a_shared_coupon_through_the_distributors_link(shop, new_user):
    sharer = shop.distributor("coupon_sharer")
    shared = shop.data["coupons"]["percent_off"]

    # the distributor finds the coupon to share in the centre and copies its link
    distributor = new_user()
    distributor.log_in(sharer["phone"], shop.password)
    distributor.open("/#/pages/distributor/index")
    hook(distributor, "dc-entry-coupons").click()
    distributor.page.wait_for_url(re.compile(r"#/pages/distributor/coupons$"))
    distributor.settle()
    card = distributor.page.locator(f"[data-test=dist-coupon][data-id='{shared}']")
    link = f"{shop.base}/coupons/{shared}?ref={sharer['code']}"
    expect(card.locator("[data-test=dist-coupon-link]")).to_have_text(link)
    card.locator("[data-test=dist-coupon-copy]").click()
    expect(distributor.toast()).to_contain_text("链接已复制")
    copied = distributor.page.evaluate("navigator.clipboard.readText()")
    assert copied.endswith(link) and "保温杯9折券" in copied
    shot(distributor, "distributor-coupons")

    # a visitor not logged in opens it: the coupon shows before any log-in
    account = shop.anon.register("13900000522", "visitor-pass-2", "领券的小李")
    visitor = new_user()
    visitor.open(link.removeprefix(shop.base))
    assert visitor.route() == f"/pages/coupon/detail?coupon={shared}&ref={sharer['code']}"
    expect(visitor.body()).to_contain_text("好友送你一张优惠券")
    expect(ticket(visitor, shared)).to_contain_text("保温杯9折券")
    shot(visitor, "shared-coupon")
    hook(visitor, "coupon-claim").click()
    visitor.page.wait_for_url(re.compile(r"#/pages/login/index"))
    visitor.field("手机号").fill("13900000522")
    visitor.field("密码（至少 6 位）").fill("visitor-pass-2")
    visitor.button("登录").click()
    expect(visitor.toast()).to_contain_text("登录成功")
    visitor.page.wait_for_url(re.compile(rf"#/pages/coupon/detail\?coupon={shared}"))
    visitor.settle()
    hook(visitor, "coupon-claim").click()
    expect(visitor.toast()).to_contain_text("领取成功")
    expect(hook(visitor, "coupon-claim")).to_have_text("已领取")
    expect(hook(visitor, "coupon-go-shop")).to_be_visible()

    # the server holds a shared coupon from the distributor, and the visitor in their team
    [mine] = account.get("/me/coupons")["items"]
    assert (mine["coupon"]["id"], mine["source"]) == (shared, "share")
    sharer_api = shop.anon.login(sharer["phone"], shop.password)
    team = sharer_api.get("/distributor/team", level=1)
    assert [m["nickname"] for m in team] == ["领券的小李"]
    visitor.watch.assert_clean()
    distributor.watch.assert_clean()
