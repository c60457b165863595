"""Stories of buyers and distributors in the H5 client, in chromium at 390×844: what the
person sees, and what the server then holds (read back through the API)."""

import re
from decimal import Decimal

import pytest

from tests.e2e.conftest import ARTIFACTS, ROOT, expect, paid_order, screenshot
from tests.tofu import TOFU

pytestmark = [pytest.mark.browser]


def test_a_shared_product_link_brings_a_buyer_and_the_sharer_earns(shop, new_user):
    sharer = shop.distributor("sharer")
    band = shop.product("band")

    # the distributor logs in and copies the share text of a product
    distributor = new_user()
    distributor.log_in(sharer["phone"], shop.password)
    distributor.open(f"/#/pages/product/detail?id={band['id']}")
    expect(distributor.body()).to_contain_text("智能手环 Pro")
    distributor.button("复制分享文案").click()
    expect(distributor.toast()).to_contain_text("分享文案已复制")
    copied = distributor.page.evaluate("navigator.clipboard.readText()")
    assert "智能手环 Pro" in copied and "199.00" in copied, copied
    links = re.findall(r"https?://[^\s，,]+", copied)
    assert links == [f"{shop.base}/products/{band['id']}?ref={sharer['code']}"], copied

    # a new visitor opens that link in a browser of their own
    visitor = new_user()
    visitor.page.goto(links[0])
    visitor.settle()
    assert visitor.route() == f"/pages/product/detail?id={band['id']}&ref={sharer['code']}"
    expect(visitor.body()).to_contain_text("智能手环 Pro")
    expect(visitor.body()).to_contain_text("心率血氧全天监测")

    # adding to the cart asks them to log in; they register, the code goes along
    visitor.button("加入购物车").click()
    visitor.page.wait_for_url(re.compile(r"#/pages/login/index"))
    visitor.page.get_by_text("注册", exact=True).click()
    expect(visitor.body()).to_contain_text(f"推荐码：{sharer['code']}")
    visitor.field("手机号").fill("13900000101")
    visitor.field("密码（至少 6 位）").fill("visitor-pass-1")
    visitor.field("昵称（选填）").fill("新朋友小周")
    visitor.button("注册并登录").click()
    expect(visitor.toast()).to_contain_text("登录成功")
    # back on the product they came for
    visitor.page.wait_for_url(re.compile(rf"#/pages/product/detail\?id={band['id']}"))
    visitor.settle()
    buyer = shop.anon.login("13900000101", "visitor-pass-1")
    assert buyer.get("/me")["nickname"] == "新朋友小周"

    visitor.button("加入购物车").click()
    expect(visitor.toast()).to_contain_text("已加入购物车")
    cart = buyer.get("/cart")
    assert [(i["product_id"], i["quantity"]) for i in cart["items"]] == [(band["id"], 1)]

    # the cart, then checkout with a new address
    visitor.body().get_by_text(re.compile(r"^购物车")).click()
    visitor.page.wait_for_url(re.compile(r"#/pages/cart/index"))
    visitor.settle()
    expect(visitor.body()).to_contain_text("智能手环 Pro")
    expect(visitor.body()).to_contain_text("¥199.00")
    visitor.button(re.compile(r"结算\s*\(1\)")).click()
    visitor.page.wait_for_url(re.compile(r"#/pages/checkout/index"))
    visitor.settle()
    visitor.page.get_by_text("添加收货地址").click()
    visitor.page.wait_for_url(re.compile(r"#/pages/address/edit"))
    visitor.field("收货人").fill("周小舟")
    visitor.field("手机号").fill("13911112222")
    visitor.field("省").fill("浙江省")
    visitor.field("市").fill("杭州市")
    visitor.field("区/县").fill("西湖区")
    visitor.field("详细地址（街道、门牌号）").fill("文三路 90 号 2 幢 301")
    # back on the checkout, the new address reprices the order; its answer is held back (a slow
    # network) while the buyer taps 提交订单: the tap places the order once the price is in
    held, released = [], []

    def hold(route):
        if released:
            route.continue_()
        else:
            held.append(route)

    visitor.page.route(re.compile(r"/api/v1/orders/preview"), hold)
    visitor.button("保存").click()
    visitor.page.wait_for_url(re.compile(r"#/pages/checkout/index"))
    expect(visitor.body()).to_contain_text("周小舟 13911112222")
    expect(visitor.body()).to_contain_text("文三路 90 号 2 幢 301")
    [address] = buyer.get("/addresses")
    assert (address["name"], address["city"]) == ("周小舟", "杭州市")
    for _ in range(200):  # the reprice's request, held (10 s at most)
        if held:
            break
        visitor.page.wait_for_timeout(50)
    assert held, "the new address did not reprice the order"

    visitor.button("提交订单").click()
    visitor.page.wait_for_timeout(500)
    assert "/pages/checkout/index" in visitor.route() and buyer.get("/orders")["count"] == 0
    released.append(True)
    for route in held:
        route.continue_()
    visitor.page.wait_for_url(re.compile(r"#/pages/pay/index\?id=\d+"))
    visitor.settle()
    [order] = buyer.get("/orders")["items"]
    assert order["status"] == "pending_payment"
    expect(visitor.body()).to_contain_text(order["number"])
    expect(visitor.body()).to_contain_text("模拟支付")
    assert buyer.get("/cart")["items"] == []  # the cart lines went into the order

    # pay in the sandbox
    visitor.button(re.compile(rf"模拟支付\s*¥{re.escape(order['total'])}")).click()
    expect(visitor.toast()).to_contain_text("支付成功")
    visitor.page.wait_for_url(re.compile(rf"#/pages/order/detail\?id={order['id']}"))
    visitor.settle()
    expect(visitor.body()).to_contain_text("待发货")
    expect(visitor.body()).to_contain_text("周小舟")
    order = buyer.get(f"/orders/{order['id']}")
    assert order["status"] == "paid"
    line_amount = Decimal(order["lines"][0]["amount"])
    assert line_amount == Decimal("199.00")

    # the server bound the visitor to the sharer and owes a frozen commission
    sharer_api = shop.anon.login(sharer["phone"], shop.password)
    team = sharer_api.get("/distributor/team", level=1)
    assert [(m["user_id"], m["nickname"], m["orders"]) for m in team] == [
        (buyer.get("/me")["id"], "新朋友小周", 1)
    ]
    commissions = sharer_api.get("/distributor/commissions")["items"]
    expected = line_amount * Decimal(shop.data["level1_percent"]) / 100
    assert [(c["status"], Decimal(c["amount"])) for c in commissions] == [("frozen", expected)]
    frozen = sharer_api.get("/distributor/me")["balances"]["frozen"]
    assert Decimal(frozen) == expected == Decimal("19.90")

    # the distributor's centre shows both (data-test hooks of the centre's pages)
    distributor.open("/#/pages/distributor/index")
    page = distributor.page
    expect(page.locator("[data-test=dc-balance-frozen]")).to_have_text(f"¥{frozen}")
    expect(page.locator("[data-test=dc-balance-frozen]").locator("xpath=..")).to_contain_text(
        "待结算"
    )
    expect(page.locator("[data-test=dc-team-count-1]")).to_have_text(re.compile(r"^\s*1\s*一级"))
    page.locator("[data-test=dc-entry-team]").click()
    page.wait_for_url(re.compile(r"#/pages/distributor/team"))
    distributor.settle()
    member = page.locator("[data-test=team-member]")
    expect(member).to_have_count(1)
    expect(member.locator("[data-test=team-member-name]")).to_have_text("新朋友小周")
    expect(member.locator("[data-test=team-member-orders]")).to_have_text("1")
    expect(member.locator("[data-test=team-member-sales]")).to_have_text("¥199.00")
    distributor.open("/#/pages/distributor/index")
    page.locator("[data-test=dc-entry-commissions]").click()
    page.wait_for_url(re.compile(r"#/pages/distributor/commissions"))
    distributor.settle()
    line = page.locator("[data-test=commission-item]")
    expect(line).to_have_count(1)
    expect(line.locator("[data-test=commission-status]")).to_have_text("待结算")
    expect(line.locator("[data-test=commission-amount]")).to_have_text(f"¥{frozen}")
    expect(line.locator("[data-test=commission-order]")).to_have_text(order["number"])

    distributor.watch.assert_clean()
    visitor.watch.assert_clean()


def test_search_by_a_two_character_chinese_term_and_open_the_product(shop, new_user):
    band = shop.product("band")
    found = shop.anon.get("/products", q="手环")
    assert [p["id"] for p in found["items"]] == [band["id"]]

    buyer = new_user()
    buyer.open("/")
    expect(buyer.body()).to_contain_text("小林优选")
    buyer.page.get_by_text("搜索商品", exact=True).click()
    buyer.page.wait_for_url(re.compile(r"#/pages/search/index"))
    buyer.field("搜索商品名称").fill("手环")
    buyer.button("搜索").click()
    expect(buyer.body()).to_contain_text("共 1 件商品")
    expect(buyer.body()).to_contain_text("智能手环 Pro")
    expect(buyer.body()).not_to_contain_text("降噪蓝牙耳机")

    buyer.page.get_by_text("智能手环 Pro").click()
    buyer.page.wait_for_url(re.compile(rf"#/pages/product/detail\?id={band['id']}"))
    buyer.settle()
    expect(buyer.body()).to_contain_text("¥199.00")
    expect(buyer.body()).to_contain_text("心率血氧全天监测")
    buyer.watch.assert_clean()


def test_a_search_matching_more_than_the_cap_says_so(shop, new_user):
    # the e2e server counts at most 2 matches (FENXIAO_CATALOG_COUNT_CAP; 10,000 by default)
    found = shop.anon.get("/products", q="居家")
    assert (found["count"], found["count_capped"]) == (2, True)
    assert len(found["items"]) >= 3

    buyer = new_user()
    buyer.open("/#/pages/search/index")
    buyer.field("搜索商品名称").fill("居家")
    buyer.button("搜索").click()
    expect(buyer.body()).to_contain_text("共 2+ 件商品")
    for name in ("不锈钢保温杯", "北欧陶瓷马克杯", "限量帆布托特包"):
        expect(buyer.body()).to_contain_text(name)
    screenshot(buyer, "search", "capped")
    buyer.watch.assert_clean()


def test_a_refund_is_requested_by_line_and_quantity(shop, new_user):
    band = shop.product("band")
    api = shop.anon.register("13900000201", "refund-pass-1", "退款小王")
    order = paid_order(api, band["skus"][0], quantity=2)
    [line] = order["lines"]

    buyer = new_user()
    buyer.log_in("13900000201", "refund-pass-1")
    buyer.open(f"/#/pages/order/detail?id={order['id']}")
    expect(buyer.body()).to_contain_text("待发货")
    buyer.button("申请退款").click()
    buyer.page.wait_for_url(re.compile(rf"#/pages/order/refund\?id={order['id']}"))
    buyer.settle()
    plus = buyer.page.get_by_text("＋", exact=True)
    line_row = buyer.body().locator("uni-view", has_text="智能手环 Pro").filter(has=plus).last
    expect(line_row).to_contain_text("可退 2 件")
    line_row.get_by_text("＋", exact=True).click()
    expect(line_row).to_contain_text(re.compile(r"－\s*1\s*＋"))
    buyer.page.locator("uni-textarea textarea").fill("颜色不喜欢")
    buyer.button("提交申请").click()
    expect(buyer.toast()).to_contain_text("已提交退款申请")

    # back on the order: the refund and its state
    buyer.page.wait_for_url(re.compile(rf"#/pages/order/detail\?id={order['id']}"))
    expect(buyer.body()).to_contain_text("售后记录")
    expect(buyer.body()).to_contain_text("¥199.00")
    expect(buyer.body()).to_contain_text("待审核")

    [refund] = api.get(f"/orders/{order['id']}/refunds")
    assert refund["status"] == "requested"
    assert Decimal(refund["amount"]) == Decimal("199.00")
    assert [(r["line_id"], r["quantity"]) for r in refund["lines"]] == [(line["id"], 1)]
    assert refund["reason"] == "颜色不喜欢"
    assert api.get(f"/orders/{order['id']}")["status"] == "paid"
    buyer.watch.assert_clean()


def test_a_sold_out_sku_cannot_be_bought(shop, new_user):
    band, tote, mug = shop.product("band"), shop.product("tote"), shop.product("mug")
    api = shop.anon.register("13900000301", "soldout-pass-1", "手慢了")
    api.post("/addresses", {**beijing_address(), "is_default": True})

    buyer = new_user()
    buyer.log_in("13900000301", "soldout-pass-1")

    # one colour of the band is sold out: marked, and refused when tapped
    buyer.open(f"/#/pages/product/detail?id={band['id']}")
    white = buyer.body().get_by_text(re.compile("珍珠白"))
    expect(white).to_contain_text("已售罄")
    white.click()
    expect(buyer.toast()).to_contain_text("该规格已售罄")
    # the black one stays chosen
    expect(buyer.body()).to_contain_text(re.compile(r"¥199\.00 · 库存 [1-9]\d*"))

    # the tote is sold out altogether: no way to buy it
    buyer.open(f"/#/pages/product/detail?id={tote['id']}")
    sold_out = buyer.button("已售罄")
    expect(sold_out).to_be_visible()
    expect(sold_out).to_have_attribute("disabled", re.compile(".*"))
    expect(buyer.button("加入购物车")).to_have_count(0)
    expect(buyer.button("立即购买")).to_have_count(0)
    # and the server refuses it too
    status, body = api.call("POST", "/cart/items", {"sku_id": tote["skus"][0], "quantity": 1})
    assert (status, body["code"]) == (409, "out_of_stock"), body

    # the last mug sells to someone else while this buyer is at the checkout
    buyer.open(f"/#/pages/product/detail?id={mug['id']}")
    buyer.button("立即购买").click()
    buyer.page.wait_for_url(re.compile(r"#/pages/checkout/index"))
    buyer.settle()
    expect(buyer.body()).to_contain_text("北欧陶瓷马克杯")
    shop.staff().post(f"/admin/skus/{mug['skus'][0]}/stock", {"delta": -1, "reason": "门店售出"})
    buyer.button("提交订单").click()
    expect(buyer.toast()).to_contain_text("库存不足")
    assert "/pages/checkout/index" in buyer.route()  # no order, no payment page
    assert api.get("/orders")["count"] == 0
    assert [s["stock"] for s in shop.anon.get(f"/products/{mug['id']}")["skus"]] == [0]

    # opened again, the mug says so before anyone tries
    buyer.open(f"/#/pages/product/detail?id={mug['id']}")
    expect(buyer.button("已售罄")).to_be_visible()
    buyer.watch.assert_clean(expected_responses=("409 POST /api/v1/orders",))


def beijing_address() -> dict:
    return {
        "name": "李四",
        "phone": "13900000302",
        "province": "北京市",
        "city": "北京市",
        "district": "海淀区",
        "detail": "中关村大街 1 号",
    }


# Resources of the page from another origin: stylesheets' url(...) (keyframes included, which
# load late) and elements' src/href, other than links the buyer may follow.
OFF_ORIGIN = """
() => {
  const found = new Set()
  const check = (url) => {
    try {
      const u = new URL(url, location.href)
      if (u.protocol.startsWith('http') && u.origin !== location.origin) found.add(u.href)
    } catch {}
  }
  const scan = (rules) => {
    for (const rule of rules) {
      if (rule.cssRules) scan(rule.cssRules)
      for (const m of rule.cssText.matchAll(/url\\(\\s*["']?([^"')]+)/g)) check(m[1])
    }
  }
  for (const sheet of document.styleSheets) {
    if (sheet.href) check(sheet.href)
    try { scan(sheet.cssRules) } catch { found.add(`unreadable stylesheet ${sheet.href}`) }
  }
  document.querySelectorAll('[src], link[href], image[href]').forEach((el) =>
    check(el.getAttribute('src') || el.getAttribute('href')))
  return [...found].sort()
}
"""

# (page path, query) for pages that need an id; every other page of pages.json opens bare
NEEDS_QUERY = {
    "pages/search/index": "q=耳机",
    "pages/product/detail": "id={band}",
    "pages/checkout/index": "cart={cart_item}",
    "pages/pay/index": "id={unpaid}",
    "pages/order/detail": "id={paid}",
    "pages/order/refund": "id={paid}",
    "pages/coupon/detail": "coupon={coupon}&ref={code}",
}


def client_pages() -> list[str]:
    """The path of every page the client declares (pages.json, sub-packages too)."""
    import json

    declared = json.loads((ROOT / "client" / "src" / "pages.json").read_text())
    paths = [p["path"] for p in declared["pages"]]
    for package in declared.get("subPackages", []):
        paths += [f"{package['root']}/{p['path']}" for p in package["pages"]]
    return paths


def test_every_page_renders_chinese_without_errors_and_is_captured(shop, new_user):
    viewer = shop.distributor("viewer")
    band, earbuds = shop.product("band"), shop.product("earbuds")
    # the distributor has bought before, has an order to pay and something in the cart
    api = shop.anon.login(viewer["phone"], shop.password)
    api.post("/addresses", {**beijing_address(), "name": "阿杰", "is_default": True})
    paid = paid_order(api, earbuds["skus"][0])
    unpaid = api.post(
        "/orders",
        {"lines": [{"sku_id": band["skus"][0], "quantity": 1}], "address": beijing_address()},
    )
    cart = api.post("/cart/items", {"sku_id": band["skus"][0], "quantity": 2})
    # and a friend who followed their link and bought: the centre's pages have something to show
    friend = shop.anon.register("13900000401", "friend-pass-1", "老同学")
    assert friend.post("/referrals/visit", {"code": viewer["code"]})["bound"] is True
    paid_order(friend, earbuds["skus"][0])
    ids = {
        "band": band["id"],
        "cart_item": cart["items"][0]["id"],
        "unpaid": unpaid["id"],
        "paid": paid["id"],
        "coupon": shop.data["coupons"]["percent_off"],
        "code": viewer["code"],
    }

    folder = ARTIFACTS / "h5"
    folder.mkdir(parents=True, exist_ok=True)
    for stale in folder.glob("*.png"):  # of pages since renamed or removed
        stale.unlink()
    person = new_user()
    problems = {}
    off_origin = set()
    pages = client_pages()
    # the log-in page first, as a visitor sees it; then every page logged in
    for path in sorted(pages, key=lambda path: path != "pages/login/index"):
        query = NEEDS_QUERY.get(path, "").format(**ids)
        person.open(f"/#/{path}" + (f"?{query}" if query else ""))
        name = path.removeprefix("pages/").replace("/", "-") + ".png"
        person.page.screenshot(path=str(folder / name))

        found = []
        text = person.body().inner_text()
        if not re.search(r"[\u4e00-\u9fff]", text):
            found.append(f"no Chinese text on the page: {text[:80]!r}")
        rendering = person.page.evaluate(TOFU)
        if not rendering["checked"]:
            found.append("no CJK characters were checked")
        if not rendering["boxes"]:
            found.append("the tofu reference (a code point no font has) did not draw a box")
        if rendering["tofu"]:
            found.append(f"tofu: {rendering['tofu'][:10]}")
        overflow = person.page.evaluate("document.documentElement.scrollWidth")
        if overflow > 390:
            found.append(f"wider than the screen: {overflow}px")
        if person.watch.page_errors or person.watch.console_errors:
            found.append(f"errors: {person.watch.page_errors + person.watch.console_errors}")
        if person.watch.bad_responses:
            found.append(f"failed requests: {person.watch.bad_responses}")
        off_origin.update(person.watch.foreign_requests + person.page.evaluate(OFF_ORIGIN))
        if found:
            problems[path] = found
        person.watch.clear()
        if path == "pages/login/index":
            person.log_in(viewer["phone"], shop.password)
            person.watch.clear()

    names = {path.removeprefix("pages/").replace("/", "-") + ".png" for path in pages}
    assert {shot.name for shot in folder.glob("*.png")} == names
    assert problems == {}, "\n".join(f"{page}: {found}" for page, found in problems.items())
    # uni-h5's own stylesheet named https://cdn.dcloud.net.cn/img/shadow-*.png and preloaded one
    # 3 s after load; the build strips them (client/build-tools/no-cdn.js): nothing from a CDN
    assert sorted(off_origin) == [], f"resources off the shop's origin: {sorted(off_origin)}"
