"""Daily bill reconciliation: WeChat's trade and fund-flow bills (downloaded by the real
wechatpayv3 client over real HTTP from the local stub, gzip, SHA1-checked) matched against
our payments and refunds; the sandbox writes bills in the same format."""

from datetime import timedelta
from decimal import Decimal as D

import pytest
from django.utils import timezone

from fenxiao.cli import main as fenxiao
from fenxiao.demo import load_demo
from fenxiao.orders.services import refund_mark_approved
from fenxiao.payments import bills, providers
from fenxiao.payments.errors import ProviderError
from fenxiao.payments.models import BillDifference, BillRun, Payment, ProviderRefund
from fenxiao.payments.reconcile import bills_reconcile, bills_reconcile_due, transfers_finished
from fenxiao.payouts import services as payouts
from fenxiao.payouts.models import PayoutTransfer
from tests.orders.flows import approve, place, request_refund
from tests.payments import test_wechat_provider as wx
from tests.payments.wechat_stub import PaymentRecords
from tests.payouts.flows import approve as approve_withdrawal
from tests.payouts.flows import approve_and_confirm, rich_distributor

pytestmark = pytest.mark.django_db

wechat = wx.wechat  # the real provider against the local stub
mini_buyer = wx.mini_buyer


@pytest.fixture
def records(wechat):
    """WeChat's records of payments and its bills, served by the stub."""
    return PaymentRecords(wechat, mchid=wx.MCHID)


def wechat_paid(api, anon, stub, sku, transaction_id: str, quantity: int = 2) -> dict:
    """An order paid through WeChat: JSAPI order, then its signed notification."""
    order = place(api, sku, quantity)
    assert api.post(f"/orders/{order['id']}/pay", {"provider": "wechat"}).status_code == 200
    paid = {
        "out_trade_no": order["number"],
        "transaction_id": transaction_id,
        "trade_state": "SUCCESS",
        "amount": {"total": 29990 * quantity},
        "payer": {"openid": "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o"},
    }
    r = wx.notify(anon.client, stub, "TRANSACTION.SUCCESS", "transaction", paid)
    assert r.status_code == 204, r.content
    return order


def wechat_refunded(api, anon, stub, staff_api, order: dict) -> ProviderRefund:
    """One unit of the order refunded: staff approval, then WeChat's REFUND.SUCCESS."""
    refund = request_refund(api, order, [1])
    approve(staff_api, refund["id"])
    provider_refund = ProviderRefund.objects.get(refund_id=refund["id"])
    done = {
        "out_trade_no": order["number"],
        "out_refund_no": provider_refund.out_refund_no,
        "refund_id": "50300001",
        "refund_status": "SUCCESS",
        "amount": {"total": 59980, "refund": 29990},
    }
    assert wx.notify(anon.client, stub, "REFUND.SUCCESS", "refund", done).status_code == 204
    return provider_refund


def trade_bill(*lines: str, summary: str) -> bytes:
    """A trade bill as WeChat writes it (type ALL): header, backticked lines, summary."""
    header = ",".join(bills.TRADE_COLUMNS)
    return "\r\n".join([header, *lines, ",".join(bills.TRADE_SUMMARY), summary, ""]).encode()


def paid_line(out_trade_no: str, transaction_id: str, amount: str) -> str:
    fields = [
        "2026-11-30 10:00:00", wx.APPID, wx.MCHID, "0", "", transaction_id, out_trade_no,
        "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o", "JSAPI", "SUCCESS", "OTHERS", "CNY", amount, "0.00",
        "0", "0", "0.00", "0.00", "", "", "订单", "", "3.60000", "0.60%", amount, "0.00", "",
    ]  # fmt: skip
    return ",".join("`" + f for f in fields)


def refund_line(out_trade_no: str, out_refund_no: str, amount: str) -> str:
    fields = [
        "2026-11-30 11:00:00", wx.APPID, wx.MCHID, "0", "", "4200000201", out_trade_no,
        "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o", "JSAPI", "REFUND", "OTHERS", "CNY", "0.00", "0.00",
        "50300001", out_refund_no, amount, "0.00", "ORIGINAL", "SUCCESS", "订单", "",
        "-1.80000", "0.60%", "0.00", amount, "",
    ]  # fmt: skip
    return ",".join("`" + f for f in fields)


def fundflow_bill(*lines: list[str]) -> bytes:
    rows = [",".join(bills.FUNDFLOW_COLUMNS)]
    rows += [",".join("`" + f for f in line) for line in lines]
    incomes = [line for line in lines if line[5] == "收入"]
    rows += [",".join(bills.FUNDFLOW_SUMMARY), f"`{len(lines)}.0,`{len(incomes)}.0,`0.00,`0,`0"]
    return "\r\n".join(rows).encode()


def bill_day(order: dict) -> str:
    paid_at = Payment.objects.get(out_trade_no=order["number"]).paid_at
    return timezone.localtime(paid_at).date().isoformat()


def test_a_day_whose_bills_match_our_records_is_clean(
    records, wechat, mini_buyer, anon, staff_api, sku, capsys
):
    # given an order paid through WeChat and one unit of it refunded
    _, api = mini_buyer
    order = wechat_paid(api, anon, wechat, sku, "4200000201")
    provider_refund = wechat_refunded(api, anon, wechat, staff_api, order)
    day = bill_day(order)
    # and WeChat's bills of that day listing both (and its fee, which we do not book)
    records.bills[("trade", day)] = trade_bill(
        paid_line(order["number"], "4200000201", "599.80"),
        refund_line(order["number"], provider_refund.out_refund_no, "299.90"),
        summary="`2,`599.80,`299.90,`0.00,`1.80000,`599.80,`299.90",
    )
    records.bills[("fundflow", day)] = fundflow_bill(
        ["2026-11-30 10:00:00", "4200000201", "1", "交易", "交易", "收入", "599.80", "599.80",
         "system", "", order["number"]],
        ["2026-11-30 10:00:00", "4200000201", "2", "扣除交易手续费", "扣除交易手续费", "支出",
         "3.60", "596.20", "system", "", order["number"]],
        ["2026-11-30 11:00:00", "50300001", "3", "退款", "退款", "支出", "299.90", "296.30",
         "system", "", provider_refund.out_refund_no],
    )  # fmt: skip

    # when the day is reconciled
    assert fenxiao(["reconcile", "--bills", day, "--provider", "wechat"]) == 0

    # then both bills were downloaded with signed requests, and the run is clean
    asked = [q["path"] for q in wechat.requests if q["path"].startswith("/v3/bill")]
    assert asked[0] == f"/v3/bill/tradebill?bill_date={day}&bill_type=ALL&tar_type=GZIP"
    assert asked[1].startswith("/v3/billdownload/file?token=")
    assert asked[2] == f"/v3/bill/fundflowbill?bill_date={day}&account_type=BASIC&tar_type=GZIP"
    assert all(q["signature_ok"] for q in wechat.requests)
    run = BillRun.objects.get()
    assert (run.provider, run.bill_date.isoformat(), run.status) == ("wechat", day, "clean")
    assert (run.trade_lines, run.fundflow_lines, run.difference_count) == (2, 3, 0)
    assert "0 处差异" in capsys.readouterr().out


def test_differences_on_either_side_and_in_amount_are_listed_and_exit_1(
    records, wechat, mini_buyer, anon, sku, capsys
):
    # given two WeChat payments of ours
    _, api = mini_buyer
    first = wechat_paid(api, anon, wechat, sku, "4200000301")
    second = wechat_paid(api, anon, wechat, sku, "4200000302", quantity=1)
    day = bill_day(first)
    # and a bill listing the first for another amount, not the second, and one we never had
    records.bills[("trade", day)] = trade_bill(
        paid_line(first["number"], "4200000301", "599.00"),
        paid_line("X20261130000999", "4200000399", "10.00"),
        summary="`2,`609.00,`0.00,`0.00,`0.00,`609.00,`0.00",
    )

    # when the day is reconciled
    assert fenxiao(["reconcile", "--bills", day, "--provider", "wechat"]) == 1

    # then each difference is recorded and printed
    run = BillRun.objects.get()
    assert run.status == BillRun.Status.DIFFERENCES and run.difference_count == 3
    found = {
        (d.kind, d.subject, d.reference, str(d.our_amount), str(d.their_amount))
        for d in run.differences.all()
    }
    assert found == {
        ("amount_mismatch", "payment", first["number"], "599.80", "599.00"),
        ("missing_ours", "payment", "X20261130000999", "None", "10.00"),
        ("missing_theirs", "payment", second["number"], "299.90", "None"),
    }
    out = capsys.readouterr().out
    assert "金额不符" in out and "我方缺失" in out and "渠道缺失" in out
    assert second["number"] in out and "3 处差异" in out

    # when it runs again, the run's differences are replaced, not added
    assert fenxiao(["reconcile", "--bills", day, "--provider", "wechat"]) == 1
    assert BillRun.objects.count() == 1 and BillDifference.objects.count() == 3

    # and once WeChat's bill matches, the same run is clean
    records.bills[("trade", day)] = trade_bill(
        paid_line(first["number"], "4200000301", "599.80"),
        paid_line(second["number"], "4200000302", "299.90"),
        summary="`2,`899.70,`0.00,`0.00,`0.00,`899.70,`0.00",
    )
    assert fenxiao(["reconcile", "--bills", day, "--provider", "wechat"]) == 0
    assert BillRun.objects.get().status == "clean" and not BillDifference.objects.exists()


def test_a_bill_whose_hash_does_not_match_is_refused(
    records, wechat, mini_buyer, anon, sku, capsys
):
    _, api = mini_buyer
    order = wechat_paid(api, anon, wechat, sku, "4200000401")
    day = bill_day(order)
    records.bills[("trade", day)] = trade_bill(
        paid_line(order["number"], "4200000401", "599.80"),
        summary="`1,`599.80,`0.00,`0.00,`0.00,`599.80,`0.00",
    )
    records.bill_hash_override = "0" * 40

    with pytest.raises(ProviderError, match="哈希校验失败"):
        providers.get("wechat").trade_bill(bill_date=timezone.localdate())
    assert fenxiao(["reconcile", "--bills", day, "--provider", "wechat"]) == 1

    run = BillRun.objects.get()
    assert run.status == BillRun.Status.FAILED and "哈希校验失败" in run.error
    assert not run.differences.exists()
    assert "账单获取失败" in capsys.readouterr().out


def test_a_bill_that_is_not_in_wechats_format_fails_the_run(records, wechat, mini_buyer, anon, sku):
    _, api = mini_buyer
    order = wechat_paid(api, anon, wechat, sku, "4200000501")
    day = bill_day(order)
    records.bills[("trade", day)] = trade_bill(
        paid_line(order["number"], "4200000501", "599.80"),
        summary="`2,`599.80,`0.00,`0.00,`0.00,`599.80,`0.00",  # says two lines: there is one
    )
    assert fenxiao(["reconcile", "--bills", day, "--provider", "wechat"]) == 1
    assert "明细 1 行不符" in BillRun.objects.get().error


def test_a_day_without_trades_has_no_bill_and_is_clean(records, wechat):
    assert fenxiao(["reconcile", "--bills", "2026-01-05", "--provider", "wechat"]) == 0
    assert BillRun.objects.get().status == "clean"


def test_a_bad_date_or_provider_is_refused(capsys):
    assert fenxiao(["reconcile", "--bills", "2026-13-01"]) == 2
    assert "YYYY-MM-DD" in capsys.readouterr().err
    assert fenxiao(["reconcile", "--bills", "2026-11-01", "--provider", "alipay"]) == 2
    assert "未启用" in capsys.readouterr().err
    assert not BillRun.objects.exists()


def test_the_sandbox_writes_bills_in_wechats_format(paid_order, buyer_api, staff_api):
    refund = request_refund(buyer_api, paid_order, [1])
    approve(staff_api, refund["id"])  # the sandbox refunds at once
    sandbox = providers.get("sandbox")
    today = timezone.localdate()

    raw = sandbox.trade_bill(bill_date=today).decode()
    lines = raw.splitlines()
    assert lines[0] == ",".join(bills.TRADE_COLUMNS)
    assert all(field.startswith("`") for field in lines[1].split(","))
    assert lines[3] == ",".join(bills.TRADE_SUMMARY)
    trade = bills.parse_trade_bill(raw.encode())
    assert [(r["交易状态"], r["订单金额"], r["申请退款金额"]) for r in trade.rows] == [
        ("SUCCESS", "599.80", "0.00"),
        ("REFUND", "0.00", "299.90"),
    ]
    assert trade.summary == {
        "总交易单数": "2",
        "应结订单总金额": "599.80",
        "退款总金额": "299.90",
        "充值券退款总金额": "0.00",
        "手续费总金额": "0.00",
        "订单总金额": "599.80",
        "申请退款总金额": "299.90",
    }
    fundflow = bills.parse_fundflow_bill(sandbox.fundflow_bill(bill_date=today))
    assert [(r["业务名称"], r["收支类型"], r["收支金额(元)"]) for r in fundflow.rows] == [
        ("交易", "收入", "599.80"),
        ("退款", "支出", "299.90"),
    ]
    assert fundflow.rows[-1]["账户结余(元)"] == "299.90"
    quiet_day = sandbox.trade_bill(bill_date=today - timedelta(days=1))
    assert bills.parse_trade_bill(quiet_day).rows == []


def test_the_sandbox_bills_of_the_demo_shop_reconcile_clean(capsys):
    load_demo()
    days = {timezone.localtime(p.paid_at).date() for p in Payment.objects.filter(status="paid")}
    days |= {
        timezone.localtime(r.succeeded_at).date()
        for r in ProviderRefund.objects.filter(status="success")
    }
    assert len(days) > 1  # the demo's history spans several days
    for day in sorted(days):
        assert fenxiao(["reconcile", "--bills", day.isoformat()]) == 0, capsys.readouterr().out
    runs = BillRun.objects.filter(provider="sandbox")
    assert runs.count() == len(days)
    assert sum(run.trade_lines for run in runs) == (
        Payment.objects.filter(status="paid").count()
        + ProviderRefund.objects.filter(status="success").count()
    )


def test_the_daily_job_reconciles_yesterday_once_after_ten(paid_order):
    today = timezone.localtime()
    morning = today.replace(hour=9, minute=30)
    tomorrow = (today + timedelta(days=1)).replace(hour=10, minute=5)

    assert bills_reconcile_due(now=morning) == 0  # WeChat's bills are not ready before 10:00
    assert fenxiao(["run-due", "--at", tomorrow.isoformat()]) == 0
    run = BillRun.objects.get()
    assert (run.bill_date, run.status, run.trade_lines) == (today.date(), "clean", 1)
    assert bills_reconcile_due(now=tomorrow + timedelta(hours=1)) == 0  # done for that day
    # a failed run is tried again
    BillRun.objects.update(status=BillRun.Status.FAILED)
    assert bills_reconcile_due(now=tomorrow + timedelta(hours=2)) == 1
    assert BillRun.objects.get().status == "clean"


def test_a_refund_of_ours_the_sandbox_never_took_is_missing_from_its_bill(
    paid_order, buyer_api, staff
):
    # given a refund approved and recorded as sent, that the sandbox never received
    refund = refund_mark_approved(
        refund_id=request_refund(buyer_api, paid_order, [1])["id"], staff=staff
    )
    ProviderRefund.objects.create(
        refund=refund,
        payment=Payment.objects.get(order_id=paid_order["id"]),
        out_refund_no=refund.number,
        amount=refund.amount,
    )
    # when the day is reconciled
    run = bills_reconcile(bill_date=timezone.localdate(), provider_name="sandbox")
    # then the refund is ours only; the payment matches
    assert run.status == "differences"
    assert [(d.kind, d.subject, d.reference, str(d.our_amount)) for d in run.differences.all()] == [
        ("missing_theirs", "refund", refund.number, "299.90")
    ]


def test_a_transfer_on_the_fund_flow_bill_that_we_never_made_is_listed(records, wechat):
    day = "2026-11-02"
    records.bills[("fundflow", day)] = fundflow_bill(
        ["2026-11-02 12:00:00", "1330000071100999", "1", "商家转账", "商家转账", "支出", "50.00",
         "-50.00", "API", "佣金报酬", "W9-1"],
        ["2026-11-02 12:00:01", "1330000071100998", "2", "商家转账", "商家转账退回", "收入",
         "10.00", "-40.00", "system", "", "W9-2"],
    )  # fmt: skip

    assert fenxiao(["reconcile", "--bills", day, "--provider", "wechat"]) == 1

    [difference] = BillRun.objects.get().differences.all()
    assert (difference.kind, difference.subject, difference.reference) == (
        "missing_ours",
        "transfer",
        "W9-1",
    )
    assert difference.their_amount == D("50.00") and difference.our_amount is None


def test_a_provider_that_is_not_configured_does_not_stop_the_daily_job(settings, caplog):
    settings.PAYMENT_PROVIDERS = ["wechat", "sandbox"]  # wechat without its keys
    providers.reset()
    after_ten = timezone.localtime().replace(hour=11)

    assert bills_reconcile_due(now=after_ten) == 1

    assert [run.provider for run in BillRun.objects.all()] == ["sandbox"]
    assert "微信支付未配置" in caplog.text
    providers.reset()


def test_the_sandbox_fund_flow_bill_lists_its_transfers_and_they_reconcile(paid_order, staff):
    # given a distributor paid by a sandbox transfer today, and one still waiting to confirm
    user = rich_distributor("100.00")
    paid, waiting = (
        payouts.withdrawal_request(user=user, amount=a, channel="sandbox", request_id=a)[0]
        for a in ("12.34", "5.00")
    )
    approve_and_confirm(paid, staff)
    approve_withdrawal(waiting, staff)
    transfer = PayoutTransfer.objects.get(withdrawal=paid)
    today = timezone.localdate()

    # then the sandbox's fund-flow bill lists the finished transfer as WeChat would
    rows = bills.parse_fundflow_bill(providers.get("sandbox").fundflow_bill(bill_date=today)).rows
    assert [
        (r["业务名称"], r["收支类型"], r["收支金额(元)"], r["业务凭证号"], r["微信支付业务单号"])
        for r in rows
        if r["业务名称"] == "商家转账"
    ] == [("商家转账", "支出", "12.34", transfer.out_bill_no, transfer.transfer_bill_no)]
    # and ours are told apart by channel: WeChat's bill of the day must not list it
    start, end = bills.day_bounds(today)
    ours = transfers_finished(channel="sandbox", start=start, end=end)
    assert [(t["out_bill_no"], t["amount"]) for t in ours] == [(transfer.out_bill_no, D("12.34"))]
    assert transfers_finished(channel="wechat", start=start, end=end) == []
    # and the day reconciles clean against our payout transfers
    run = bills_reconcile(bill_date=today, provider_name="sandbox")
    assert run.status == "clean" and run.fundflow_lines == 2  # the payment and the transfer

    # when our record of the transfer disagrees, the difference is listed
    PayoutTransfer.objects.filter(pk=transfer.pk).update(amount=D("12.00"))
    run = bills_reconcile(bill_date=today, provider_name="sandbox")
    assert [
        (d.kind, d.subject, d.reference, d.our_amount, d.their_amount)
        for d in run.differences.all()
    ] == [("amount_mismatch", "transfer", transfer.out_bill_no, D("12.00"), D("12.34"))]
