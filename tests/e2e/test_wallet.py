"""A distributor's money in the H5 client: the wallet, the withdrawal form with its preview and
identity step, and the list of withdrawals; what the server then holds is read back through
the API. The seed gives saver, payee and taxpayer ¥59.80 of settled commission each."""

import re
from contextlib import contextmanager
from decimal import Decimal

import pytest

from tests.e2e.conftest import expect, hook, screenshot

pytestmark = [pytest.mark.browser]

SETTLED = "59.80"
# GB 11643 sample numbers: the first with its right check character, the second one off
ID_NUMBER = "11010519491231002X"
BAD_ID_NUMBER = "110105194912310021"


def shot(person, name: str) -> None:
    screenshot(person, "wallet", name)


def open_withdraw_form(person) -> None:
    """From the wallet, the 提现 button."""
    person.open("/#/pages/distributor/wallet")
    hook(person, "wallet-withdraw").click()
    person.page.wait_for_url(re.compile(r"#/pages/distributor/withdraw$"))
    person.settle()


@contextmanager
def tax_mode(shop, mode: str, rate: str):
    """The plan withholds tax while the block runs (through the staff API), then no longer."""
    staff = shop.staff()

    def put(**changes):
        plan = staff.get("/admin/distribution/plan")
        for read_only in ("max_levels", "warnings", "updated_at"):
            plan.pop(read_only, None)
        status, body = staff.call("PUT", "/admin/distribution/plan", {**plan, **changes})
        assert status == 200, body

    put(tax_mode=mode, tax_rate=rate)
    try:
        yield
    finally:
        put(tax_mode="none", tax_rate="0")


def test_a_distributor_withdraws_through_the_form_and_cancels_one(shop, new_user):
    saver = shop.distributor("saver")
    api = shop.anon.login(saver["phone"], shop.password)
    assert api.get("/wallet")["available"] == SETTLED

    person = new_user()
    person.log_in(saver["phone"], shop.password)
    person.open("/#/pages/distributor/wallet")
    expect(hook(person, "wallet-available")).to_have_text(SETTLED)
    totals = api.get("/distributor/me")["totals"]
    assert (totals["earned_total"], totals["withdrawn_total"]) == (SETTLED, "0.00")
    expect(hook(person, "wallet-earned-today")).to_have_text(f"¥{totals['earned_today']}")
    expect(hook(person, "wallet-earned-month")).to_have_text(f"¥{totals['earned_month']}")
    expect(hook(person, "wallet-earned-total")).to_have_text(f"¥{SETTLED}")
    expect(hook(person, "wallet-withdrawn-total")).to_have_text("¥0.00")
    expect(hook(person, "wallet-withdraw-reason")).to_have_count(0)
    shot(person, "wallet")

    open_withdraw_form(person)
    expect(hook(person, "withdraw-available")).to_have_text(f"¥{SETTLED}")
    expect(hook(person, "identity-form")).to_have_count(0)
    options = api.get("/wallet/withdrawals/options")
    expect(hook(person, "withdraw-limits")).to_have_text(
        f"单笔最低 ¥{options['min_amount']} · 每日上限 ¥{options['daily_max_amount']}"
        f"（今日已提 ¥0.00） · 每日 {options['daily_max_count']} 次（今日已用 0 次）"
        f" · 手续费 {options['fee_percent']}%"
    )
    assert Decimal(options["min_amount"]) == Decimal(shop.data["withdraw_min"])

    # below the grade's minimum: said at once, and the form does not send it
    person.field("请输入提现金额").fill("5")
    expect(hook(person, "withdraw-amount-error")).to_have_text("单笔提现不能低于 ¥10.00")
    hook(person, "withdraw-channel-sandbox").click()
    person.button("确认提现").click()
    expect(hook(person, "withdraw-error")).to_have_text("单笔提现不能低于 ¥10.00")
    assert api.get("/wallet/withdrawals")["count"] == 0

    # ¥20 to a bank card: the preview shows what the server computes
    person.field("请输入提现金额").fill("20")
    hook(person, "withdraw-channel-bank").click()
    person.field("请填写开户行").fill("招商银行杭州分行")
    person.field("请填写卡号").fill("6225880000001234")
    person.field("请填写户名").fill("陈晨")
    quote = api.get("/wallet/withdrawals/preview", amount="20")
    assert quote == {"amount": "20.00", "fee": "0.20", "tax": "0.00", "net": "19.80"}
    expect(hook(person, "preview-amount")).to_have_text(f"¥{quote['amount']}")
    expect(hook(person, "preview-fee")).to_have_text(f"-¥{quote['fee']}")
    expect(hook(person, "preview-tax")).to_have_text(f"-¥{quote['tax']}")
    expect(hook(person, "preview-net")).to_have_text(f"¥{quote['net']}")
    shot(person, "withdraw")
    person.button("确认提现").click()
    expect(person.toast()).to_contain_text("提现申请已提交")
    person.page.wait_for_url(re.compile(r"#/pages/distributor/withdrawals"))
    person.settle()
    item = hook(person, "withdrawal-item")
    expect(item).to_have_count(1)
    expect(item.locator("[data-test=withdrawal-status]")).to_have_text("待审核")
    expect(item.locator("[data-test=withdrawal-amount]")).to_have_text("¥20.00")
    expect(item.locator("[data-test=withdrawal-net]")).to_have_text("¥19.80")
    expect(item).to_contain_text("银行卡")
    expect(item).to_contain_text("尾号 1234")

    [bank] = api.get("/wallet/withdrawals")["items"]
    assert (bank["status"], bank["channel"], bank["amount"], bank["fee"], bank["net"]) == (
        "requested",
        "bank",
        "20.00",
        "0.20",
        "19.80",
    )
    assert bank["account"] == {
        "bank_name": "招商银行杭州分行",
        "card_no": "6225880000001234",
        "holder": "陈晨",
    }
    wallet = api.get("/wallet")
    assert (wallet["available"], wallet["withdrawing"]) == ("39.80", "20.00")

    # the rest (全部) to WeChat in the sandbox, then cancelled from the list
    open_withdraw_form(person)
    expect(hook(person, "withdraw-available")).to_have_text("¥39.80")
    hook(person, "withdraw-all").click()
    expect(person.field("请输入提现金额")).to_have_value("39.80")
    hook(person, "withdraw-channel-sandbox").click()
    expect(person.field("请填写开户行")).to_have_count(0)
    expect(hook(person, "preview-net")).to_have_text("¥39.41")  # 1 % fee, truncated to the fen
    person.button("确认提现").click()
    person.page.wait_for_url(re.compile(r"#/pages/distributor/withdrawals"))
    person.settle()
    expect(hook(person, "withdrawal-item")).to_have_count(2)
    newest = hook(person, "withdrawal-item").first
    expect(newest.locator("[data-test=withdrawal-amount]")).to_have_text("¥39.80")
    assert api.get("/wallet")["available"] == "0.00"
    shot(person, "withdrawals")

    # nothing left: the wallet's 提现 button is off and says why
    person.open("/#/pages/distributor/wallet")
    expect(hook(person, "wallet-withdraw")).to_have_attribute("disabled", re.compile(".*"))
    expect(hook(person, "wallet-withdraw-reason")).to_have_text(
        "暂无可提现余额，佣金结算后即可提现"
    )
    person.open("/#/pages/distributor/withdrawals")
    newest = hook(person, "withdrawal-item").first

    newest.locator("[data-test=withdrawal-cancel]").click()
    person.page.locator(".uni-modal").get_by_text("确定取消", exact=True).click()
    expect(newest.locator("[data-test=withdrawal-status]")).to_have_text("已取消")
    expect(newest.locator("[data-test=withdrawal-cancel]")).to_have_count(0)
    older = hook(person, "withdrawal-item").nth(1)
    expect(older.locator("[data-test=withdrawal-status]")).to_have_text("待审核")
    statuses = [w["status"] for w in api.get("/wallet/withdrawals")["items"]]
    assert statuses == ["cancelled", "requested"]
    wallet = api.get("/wallet")
    assert (wallet["available"], wallet["withdrawing"]) == ("39.80", "20.00")

    # the wallet shows the money back and the movements
    person.open("/#/pages/distributor/wallet")
    expect(hook(person, "wallet-available")).to_have_text("39.80")
    expect(hook(person, "wallet-withdrawing")).to_have_text("20.00")
    expect(person.body()).to_contain_text("提现退回")
    person.watch.assert_clean()


def test_with_tax_withheld_the_identity_comes_first_and_a_bad_id_number_is_refused(shop, new_user):
    taxpayer = shop.distributor("taxpayer")
    api = shop.anon.login(taxpayer["phone"], shop.password)
    person = new_user()
    person.log_in(taxpayer["phone"], shop.password)

    with tax_mode(shop, "flat", "20"):
        open_withdraw_form(person)
        expect(hook(person, "identity-form")).to_be_visible()
        expect(hook(person, "withdraw-form")).to_have_count(0)

        person.field("请填写真实姓名").fill("郑大海")
        person.field("请填写 18 位身份证号").fill(BAD_ID_NUMBER)
        person.button("保存并继续").click()
        expect(hook(person, "identity-error")).to_have_text(
            "身份证号码无效：须为 18 位且校验位正确"
        )
        shot(person, "identity")
        assert api.get("/wallet/identity")["registered"] is False

        person.field("请填写 18 位身份证号").fill(ID_NUMBER)
        person.button("保存并继续").click()
        expect(person.toast()).to_contain_text("实名信息已登记")
        expect(hook(person, "withdraw-form")).to_be_visible()
        identity = api.get("/wallet/identity")
        assert (identity["registered"], identity["real_name"]) == (True, "郑大海")
        assert identity["id_number"] == "1101**********002X"

        # 20 % withheld: the preview and the withdrawal carry the same tax
        person.field("请输入提现金额").fill("50")
        quote = api.get("/wallet/withdrawals/preview", amount="50")
        assert (quote["fee"], quote["tax"], quote["net"]) == ("0.50", "10.00", "39.50")
        expect(hook(person, "preview-tax")).to_have_text("-¥10.00")
        expect(hook(person, "preview-net")).to_have_text("¥39.50")
        hook(person, "withdraw-channel-alipay").click()
        person.field("请填写账号").fill("zheng@example.com")
        person.field("请填写姓名").fill("郑大海")
        person.button("确认提现").click()
        person.page.wait_for_url(re.compile(r"#/pages/distributor/withdrawals"))
        person.settle()
        item = hook(person, "withdrawal-item")
        expect(item).to_have_count(1)
        expect(item.locator("[data-test=withdrawal-status]")).to_have_text("待审核")
        expect(item.locator("[data-test=withdrawal-costs]")).to_contain_text("代扣税 ¥10.00")

    [alipay] = api.get("/wallet/withdrawals")["items"]
    assert (alipay["channel"], alipay["tax"], alipay["net"]) == ("alipay", "10.00", "39.50")
    assert alipay["account"] == {"account": "zheng@example.com", "holder": "郑大海"}
    assert Decimal(api.get("/wallet")["available"]) == Decimal(SETTLED) - 50
    person.watch.assert_clean(expected_responses=("400 PUT /api/v1/wallet/identity",))


def test_after_approval_confirming_receipt_pays_the_sandbox_withdrawal(shop, new_user):
    payee = shop.distributor("payee")
    api = shop.anon.login(payee["phone"], shop.password)
    asked = api.post(
        "/wallet/withdrawals",
        {"amount": "30.00", "channel": "sandbox", "request_id": "e2e-payee-1"},
    )
    assert (asked["status"], asked["transfer"]) == ("requested", None)

    # finance approves: the sandbox issues a transfer bill that waits for the distributor
    approved = shop.staff().post(f"/admin/withdrawals/{asked['id']}/approve")
    assert approved["status"] == "approved"
    mine = api.get(f"/wallet/withdrawals/{asked['id']}")
    assert mine["transfer"]["state"] == "WAIT_USER_CONFIRM", mine
    assert mine["transfer"]["package_info"]

    person = new_user()
    person.log_in(payee["phone"], shop.password)
    person.open("/#/pages/distributor/wallet")
    expect(hook(person, "wallet-available")).to_have_text("29.80")
    expect(hook(person, "wallet-withdrawing")).to_have_text("30.00")
    hook(person, "wallet-withdrawals").click()
    person.page.wait_for_url(re.compile(r"#/pages/distributor/withdrawals"))
    person.settle()
    item = hook(person, "withdrawal-item")
    expect(item).to_have_count(1)
    expect(item.locator("[data-test=withdrawal-status]")).to_have_text("待打款")
    expect(item.locator("[data-test=withdrawal-transfer]")).to_contain_text("待您确认收款")
    expect(item.locator("[data-test=withdrawal-cancel]")).to_have_count(0)
    shot(person, "withdrawals-confirm")

    item.locator("[data-test=withdrawal-confirm]").click()
    expect(item.locator("[data-test=withdrawal-status]")).to_have_text("已打款")
    expect(person.toast()).to_contain_text("已确认收款")
    expect(item.locator("[data-test=withdrawal-confirm]")).to_have_count(0)
    paid = api.get(f"/wallet/withdrawals/{asked['id']}")
    assert (paid["status"], paid["transfer"]["state"]) == ("paid", "SUCCESS")

    # the wallet: the money left for good
    person.open("/#/pages/distributor/wallet")
    expect(hook(person, "wallet-available")).to_have_text("29.80")
    expect(hook(person, "wallet-withdrawing")).to_have_text("0.00")
    expect(hook(person, "wallet-withdrawn-total")).to_have_text("¥30.00")
    expect(person.body()).to_contain_text("提现打款")
    wallet = api.get("/wallet")
    assert (wallet["available"], wallet["withdrawing"]) == ("29.80", "0.00")
    assert api.get("/distributor/me")["totals"]["withdrawn_total"] == "30.00"
    person.watch.assert_clean()
