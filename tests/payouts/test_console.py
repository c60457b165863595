"""Console 提现审核 as finance staff use it: filters, approve (bulk), reject and mark paid
asking for text, the audit inline, the XLSX export for the bank, and roles."""

from io import BytesIO

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from openpyxl import load_workbook

from fenxiao.accounts.services import staff_create
from fenxiao.payouts import providers, services
from fenxiao.payouts.models import Withdrawal
from tests.payouts.flows import (
    D,
    assert_books_clean,
    balances,
    confirm,
    rich_distributor,
    txns,
)

pytestmark = pytest.mark.django_db

LIST = reverse("admin:payouts_withdrawal_changelist")
BANK = {"bank_name": "招商银行", "card_no": "6225880000000000", "holder": "张三"}


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def act(client, action, objects, **extra):
    data = {"action": action, "_selected_action": [o.pk for o in objects], "index": 0, **extra}
    return client.post(LIST, data, follow=True)


@pytest.fixture
def finance(client, db):
    staff = staff_create(phone="13700000003", password="console-pass-1", role="finance")
    client.force_login(staff)
    return staff


@pytest.fixture
def person():
    return rich_distributor("1000.00")


def ask(user, amount="100.00", channel="sandbox", request_id=None, account=None):
    withdrawal, _ = services.withdrawal_request(
        user=user,
        amount=amount,
        channel=channel,
        request_id=request_id or f"{channel}-{amount}",
        account=account,
    )
    return withdrawal


def test_list_filters_by_status_and_channel(client, finance, person):
    bank = ask(person, channel="bank", account=BANK)
    ask(person, "20.00")

    r = client.get(LIST, {"status__exact": "requested", "channel__exact": "bank"})

    assert r.status_code == 200
    rows = r.content.decode().split('id="result_list"', 1)[1].split("</table>", 1)[0]
    assert f"/{bank.pk}/change/" in rows
    assert rows.count("<tr") == 2  # header and the one bank withdrawal
    assert "提现审核" in r.content.decode()


def test_bulk_approve_issues_the_sandbox_bill_and_approves_bank_once(
    client, finance, person, django_capture_on_commit_callbacks
):
    sandbox, bank = ask(person, "30.00"), ask(person, "50.00", channel="bank", account=BANK)

    with django_capture_on_commit_callbacks(execute=True):
        r = act(client, "approve", [sandbox, bank])
    assert "已批准 2 笔提现" in messages_of(r)
    again = act(client, "approve", [sandbox, bank])  # pressed twice

    assert any("没有「待审核」" in m for m in messages_of(again))
    assert sandbox.transfers.get().state == "WAIT_USER_CONFIRM"
    confirm(sandbox)  # the distributor accepts in WeChat
    sandbox.refresh_from_db()
    bank.refresh_from_db()
    assert (sandbox.status, bank.status) == ("paid", "approved")
    assert sandbox.reviewed_by == finance
    assert txns("withdrawal_paid") == 1
    assert balances(person)["withdrawing"] == D("50.00")

    detail = client.get(reverse("admin:payouts_withdrawal_change", args=[sandbox.pk]))
    page = detail.content.decode()
    assert detail.status_code == 200 and "提现记录" in page and "approve" in page
    assert_books_clean()


def test_reject_asks_for_a_reason(client, finance, person):
    withdrawal = ask(person, "40.00")

    r = act(client, "reject", [withdrawal])
    assert r.status_code == 200 and "拒绝原因" in r.content.decode()
    data = {"action": "reject", "_selected_action": [withdrawal.pk], "confirm": "1"}
    r = client.post(LIST, {**data, "answer": "  "})
    assert "请填写拒绝原因" in r.content.decode()
    withdrawal.refresh_from_db()
    assert withdrawal.status == "requested"

    r = client.post(LIST, {**data, "answer": "账户信息不符"}, follow=True)

    assert "已拒绝 1 笔提现" in messages_of(r)
    withdrawal.refresh_from_db()
    assert (withdrawal.status, withdrawal.reason) == ("rejected", "账户信息不符")
    assert balances(person)["available"] == D("1000.00")
    assert_books_clean()


def test_mark_paid_asks_for_the_reference_and_export_lists_manual_payouts(client, finance, person):
    bank = ask(person, "50.00", channel="bank", account=BANK)
    alipay = ask(
        person, "60.00", channel="alipay", account={"account": "a@example.com", "holder": "张三"}
    )
    sandbox = ask(person, "10.00")
    for w in (bank, alipay):
        services.withdrawal_approve(withdrawal_id=w.pk, staff=finance)

    r = act(client, "export_xlsx", [bank, alipay, sandbox])
    assert r.status_code == 200 and r["Content-Type"].startswith("application/vnd.openxml")
    sheet = load_workbook(BytesIO(r.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:5] == ("提现单号", "分销商", "渠道", "收款人", "收款账号")
    assert [(row[0], row[4], row[5] or "", D(str(row[9]))) for row in rows[1:]] == [
        (bank.pk, "6225880000000000", "招商银行", D("50.00")),
        (alipay.pk, "a@example.com", "", D("60.00")),
    ]

    r = act(client, "mark_paid", [bank])
    assert "打款凭证号" in r.content.decode()
    data = {"action": "mark_paid", "_selected_action": [bank.pk], "confirm": "1"}
    r = client.post(LIST, {**data, "answer": "CMB20261130001"}, follow=True)

    assert "已标记 1 笔提现为已打款" in messages_of(r)
    bank.refresh_from_db()
    assert (bank.status, bank.paid_reference) == ("paid", "CMB20261130001")
    assert_books_clean()


def test_service_staff_cannot_review(client, person):
    staff = staff_create(phone="13700000004", password="console-pass-1", role="service")
    client.force_login(staff)
    withdrawal = ask(person, "10.00")
    r = client.get(LIST)
    assert r.status_code == 403
    client.post(LIST, {"action": "approve", "_selected_action": [withdrawal.pk]})
    assert Withdrawal.objects.get(pk=withdrawal.pk).status == "requested"


def test_transfer_state_shows_and_query_now_applies_a_failed_transfer_with_its_reason(
    client, finance, person, django_capture_on_commit_callbacks
):
    withdrawal = ask(person, "70.00")
    with django_capture_on_commit_callbacks(execute=True):
        act(client, "approve", [withdrawal])
    page = client.get(LIST).content.decode()
    assert "待用户确认收款" in page
    # the channel failed the bill; its notification is lost
    transfer = withdrawal.transfers.get()
    assert providers.get("sandbox").finish(transfer.out_bill_no, state="FAIL", reason="NO_AUTH")

    r = act(client, "query_transfer", [withdrawal])

    assert "已查询 1 笔转账" in messages_of(r)
    withdrawal.refresh_from_db()
    assert withdrawal.status == "failed" and "NO_AUTH" in withdrawal.reason
    page = client.get(LIST, {"status__exact": "failed"}).content.decode()
    assert "转账失败" in page and "NO_AUTH" in page
    detail = client.get(reverse("admin:payouts_withdrawal_change", args=[withdrawal.pk]))
    assert transfer.out_bill_no in detail.content.decode()
    assert balances(person)["available"] == D("1000.00")
    assert txns("withdrawal_return", withdrawal.pk) == 1
    assert_books_clean()
