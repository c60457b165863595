"""The withdrawal state machine and its ledger movements, limits, idempotency and identity."""

from datetime import timedelta

import pytest
from django.utils import timezone

from fenxiao.distribution.errors import NotADistributor
from fenxiao.distribution.models import Distributor
from fenxiao.ledger import selectors as ledger_selectors
from fenxiao.ledger.models import Entry
from fenxiao.payouts import errors, services
from fenxiao.payouts.identity import id_number_masked, id_number_valid
from fenxiao.payouts.models import PayoutTransfer, Withdrawal, WithdrawalEvent
from fenxiao.payouts.selectors import payout_differences
from tests.accounts.factories import UserFactory
from tests.payouts.flows import (
    D,
    approve,
    approve_and_confirm,
    assert_books_clean,
    balances,
    confirm,
    credit,
    rich_distributor,
    txns,
    withdrawal_txns,
)

pytestmark = pytest.mark.django_db

ZERO = D("0.00")
BANK = {"bank_name": "招商银行", "card_no": "6225880000000000", "holder": "张三"}


def request(user, amount="100.00", channel="sandbox", request_id="r1", account=None, **kw):
    withdrawal, _ = services.withdrawal_request(
        user=user, amount=amount, channel=channel, request_id=request_id, account=account, **kw
    )
    return withdrawal


def events(withdrawal) -> list[tuple[str, str, str]]:
    return list(
        WithdrawalEvent.objects.filter(withdrawal=withdrawal).values_list(
            "action", "from_status", "to_status"
        )
    )


def test_request_moves_available_to_withdrawing_and_is_audited():
    user = rich_distributor("300.00")

    withdrawal = request(user, "100.00")

    assert (withdrawal.status, withdrawal.amount) == ("requested", D("100"))
    assert balances(user) == {"frozen": ZERO, "available": D("200.00"), "withdrawing": D("100.00")}
    assert txns("withdrawal_request", withdrawal.pk) == 1
    assert events(withdrawal) == [("request", "", "requested")]
    assert_books_clean()


def test_fee_is_the_grade_percent_truncated_and_paid_into_fees(staff):
    user = rich_distributor("300.00", withdraw_fee_percent="0.6")
    withdrawal = request(user, "123.45", channel="bank", account=BANK)
    # 123.45 × 0.6% = 0.7407 → 0.74
    assert (withdrawal.fee, withdrawal.tax, withdrawal.net) == (D("0.74"), ZERO, D("122.71"))

    services.withdrawal_approve(withdrawal_id=withdrawal.pk, staff=staff)
    assert Withdrawal.objects.get(pk=withdrawal.pk).status == "approved"
    assert balances(user)["withdrawing"] == D("123.45")
    paid = services.withdrawal_mark_paid(withdrawal_id=withdrawal.pk, staff=staff, reference="B1")

    assert (paid.status, paid.paid_reference) == ("paid", "B1")
    assert balances(user) == {"frozen": ZERO, "available": D("176.55"), "withdrawing": ZERO}
    assert ledger_selectors.platform_balance("payout_clearing") == D("122.71")
    assert ledger_selectors.platform_balance("fees") == D("0.74")
    assert ledger_selectors.platform_balance("tax_payable") == ZERO
    assert [e[0] for e in events(paid)] == ["request", "approve", "pay"]
    assert WithdrawalEvent.objects.filter(withdrawal=paid, action="pay").get().actor == staff
    assert_books_clean()


def test_sandbox_approval_issues_a_bill_and_the_users_confirmation_pays(staff):
    user = rich_distributor("100.00")
    withdrawal = request(user, "100.00")

    approved = approve(withdrawal, staff)
    transfer = PayoutTransfer.objects.get(withdrawal=withdrawal)
    # the bill waits for the user; the money stays in withdrawing
    assert (approved.status, approved.reviewed_by) == ("approved", staff)
    assert (transfer.out_bill_no, transfer.state, transfer.amount) == (
        f"W{withdrawal.pk}N1",
        "WAIT_USER_CONFIRM",
        D("100.00"),
    )
    assert transfer.package_info
    assert balances(user)["withdrawing"] == D("100.00")
    assert txns("withdrawal_paid", withdrawal.pk) == 0

    done = confirm(withdrawal)

    transfer.refresh_from_db()
    assert (done.status, done.paid_reference) == ("paid", transfer.transfer_bill_no)
    assert transfer.state == "SUCCESS" and transfer.finished_at is not None
    assert balances(user) == {"frozen": ZERO, "available": ZERO, "withdrawing": ZERO}
    assert txns("withdrawal_paid", done.pk) == 1
    assert [e[0] for e in events(done)] == ["request", "approve", "pay"]
    assert_books_clean()


def test_an_approved_transfer_cannot_be_rejected_or_failed_by_hand(staff):
    user = rich_distributor("100.00")
    withdrawal = approve(request(user, "100.00"), staff)
    with pytest.raises(errors.WithdrawalState):
        services.withdrawal_reject(withdrawal_id=withdrawal.pk, staff=staff, reason="风控")
    with pytest.raises(errors.WithdrawalState):
        services.withdrawal_fail(withdrawal_id=withdrawal.pk, staff=staff, reason="失败")
    assert txns("withdrawal_return") == 0
    assert_books_clean()


@pytest.mark.parametrize(
    "finish",
    [
        lambda w, staff: services.withdrawal_reject(
            withdrawal_id=w.pk, staff=staff, reason="信息有误"
        ),
        lambda w, staff: services.withdrawal_cancel(user=w.user, withdrawal_id=w.pk),
    ],
    ids=["rejected", "cancelled"],
)
def test_a_request_turned_down_returns_the_money_once(staff, finish):
    user = rich_distributor("100.00")
    withdrawal = request(user, "60.00")

    done = finish(withdrawal, staff)

    assert done.status in ("rejected", "cancelled")
    assert balances(user) == {"frozen": ZERO, "available": D("100.00"), "withdrawing": ZERO}
    assert txns("withdrawal_return", withdrawal.pk) == 1
    with pytest.raises(errors.WithdrawalState):
        finish(withdrawal, staff)
    with pytest.raises(errors.WithdrawalState):
        services.withdrawal_approve(withdrawal_id=withdrawal.pk, staff=staff)
    assert txns("withdrawal_return", withdrawal.pk) == 1
    assert_books_clean()


def test_approved_bank_payout_that_fails_returns_the_money(staff):
    user = rich_distributor("100.00")
    withdrawal = request(user, "80.00", channel="bank", account=BANK)
    services.withdrawal_approve(withdrawal_id=withdrawal.pk, staff=staff)
    with pytest.raises(errors.WithdrawalState):
        services.withdrawal_cancel(user=user, withdrawal_id=withdrawal.pk)

    failed = services.withdrawal_fail(withdrawal_id=withdrawal.pk, staff=staff, reason="户名不符")

    assert (failed.status, failed.reason) == ("failed", "户名不符")
    assert balances(user)["available"] == D("100.00")
    with pytest.raises(errors.WithdrawalState):
        services.withdrawal_mark_paid(withdrawal_id=withdrawal.pk, staff=staff, reference="x")
    assert_books_clean()


def test_double_approval_pays_once(staff):
    user = rich_distributor("100.00")
    withdrawal = request(user, "100.00")
    approve(withdrawal, staff)
    with pytest.raises(errors.WithdrawalState):
        services.withdrawal_approve(withdrawal_id=withdrawal.pk, staff=staff)
    confirm(withdrawal)
    assert PayoutTransfer.objects.filter(withdrawal=withdrawal).count() == 1
    assert txns("withdrawal_paid") == 1
    assert_books_clean()


def test_sandbox_cannot_be_marked_paid_by_hand_nor_without_reference(staff):
    user = rich_distributor("100.00")
    w = request(user, "10.00")
    with pytest.raises(errors.ReferenceRequired):
        services.withdrawal_mark_paid(withdrawal_id=w.pk, staff=staff, reference=" ")
    with pytest.raises(errors.WithdrawalState):
        services.withdrawal_mark_paid(withdrawal_id=w.pk, staff=staff, reference="x")
    with pytest.raises(errors.ReasonRequired):
        services.withdrawal_reject(withdrawal_id=w.pk, staff=staff, reason="")


# refusals: a 4xx error and no ledger entry


@pytest.mark.parametrize(
    ("amount", "channel", "account", "error"),
    [
        ("1.001", "sandbox", None, errors.InvalidAmount),
        ("0", "sandbox", None, errors.InvalidAmount),
        ("0.00", "sandbox", None, errors.InvalidAmount),
        ("-5", "sandbox", None, errors.InvalidAmount),
        ("abc", "sandbox", None, errors.InvalidAmount),
        ("NaN", "sandbox", None, errors.InvalidAmount),
        ("10", "paypal", None, errors.UnknownChannel),
        ("10", "bank", {"bank_name": "招商银行"}, errors.InvalidAccount),
        ("10", "alipay", {}, errors.InvalidAccount),
        ("0.50", "sandbox", None, errors.BelowMinimum),
        ("300.01", "sandbox", None, errors.InsufficientBalance),
        ("5000.01", "sandbox", None, errors.DailyLimitExceeded),
    ],
)
def test_bad_requests_are_refused_without_ledger_entries(amount, channel, account, error):
    user = rich_distributor("300.00")
    entries = Entry.objects.count()

    with pytest.raises(error) as caught:
        request(user, amount, channel=channel, account=account)

    assert 400 <= caught.value.status < 500
    assert any("\u4e00" <= ch <= "\u9fff" for ch in caught.value.message)
    assert Entry.objects.count() == entries
    assert not Withdrawal.objects.exists()


def test_daily_maximum_counts_earlier_withdrawals_today_but_not_returned_ones(staff):
    user = rich_distributor("1000.00", withdraw_daily_max="200.00")
    first = request(user, "150.00", request_id="a")
    with pytest.raises(errors.DailyLimitExceeded):
        request(user, "50.01", request_id="b")
    services.withdrawal_cancel(user=user, withdrawal_id=first.pk)
    request(user, "200.00", request_id="c")
    # tomorrow (Asia/Shanghai) the limit starts again
    request(user, "200.00", request_id="d", now=timezone.now() + timedelta(days=1))
    assert_books_clean()


def test_count_per_day_comes_from_the_grade(staff):
    # given: the grade allows 3 withdrawals a day (Asia/Shanghai)
    user = rich_distributor("1000.00", withdraw_daily_count="3")
    today = timezone.now()
    for request_id in "abc":
        request(user, "10.00", request_id=request_id, now=today)
    entries = Entry.objects.count()

    # when: a fourth is asked for the same day
    with pytest.raises(errors.DailyCountExceeded) as refused:
        request(user, "10.00", request_id="d", now=today)

    # then: refused in Chinese, nothing moved; tomorrow it is allowed
    assert "每天最多提现 3 次" in refused.value.message
    assert Entry.objects.count() == entries
    assert request(user, "10.00", request_id="d", now=today + timedelta(days=1)).amount == 10
    assert_books_clean()


def test_a_returned_withdrawal_does_not_use_up_the_days_count(staff):
    user = rich_distributor("1000.00", withdraw_daily_count="1")
    first = request(user, "10.00", request_id="a")
    with pytest.raises(errors.DailyCountExceeded):
        request(user, "10.00", request_id="b")
    services.withdrawal_reject(withdrawal_id=first.pk, staff=staff, reason="信息有误")
    assert request(user, "10.00", request_id="b").status == "requested"


def test_negative_available_after_a_clawback_blocks_withdrawal():
    user = rich_distributor("10.00")
    credit(user, "-30.00")  # a claw-back after settlement left a debt
    entries = Entry.objects.count()
    with pytest.raises(errors.InsufficientBalance):
        request(user, "1.00")
    assert Entry.objects.count() == entries


def test_only_active_distributors_withdraw():
    user = rich_distributor("100.00")
    Distributor.objects.filter(pk=user.pk).update(status=Distributor.Status.FROZEN)
    with pytest.raises(NotADistributor):
        request(user, "10.00")
    with pytest.raises(NotADistributor):
        request(UserFactory(), "10.00")


def test_same_request_id_same_body_returns_the_original_other_body_conflicts():
    user = rich_distributor("300.00")
    first, created = services.withdrawal_request(
        user=user, amount="100", channel="bank", request_id="r", account=BANK
    )
    again, created_again = services.withdrawal_request(
        user=user, amount="100.00", channel="bank", request_id="r", account=dict(BANK)
    )
    assert (created, created_again, again.pk) == (True, False, first.pk)
    with pytest.raises(errors.IdempotencyConflict) as caught:
        request(user, "100.01", channel="bank", request_id="r", account=BANK)
    assert caught.value.status == 409
    assert txns("withdrawal_request") == 1
    # another user may use the same request id
    other = rich_distributor("50.00")
    assert request(other, "50.00", request_id="r").user == other
    assert_books_clean()


def test_someone_elses_withdrawal_cannot_be_cancelled():
    owner, other = rich_distributor("50.00"), rich_distributor("50.00")
    withdrawal = request(owner, "50.00")
    with pytest.raises(errors.WithdrawalNotFound):
        services.withdrawal_cancel(user=other, withdrawal_id=withdrawal.pk)
    assert withdrawal_txns() == 1


def test_reconcile_reports_a_withdrawing_balance_without_a_withdrawal():
    from fenxiao.ledger import services as ledger

    user = rich_distributor("50.00")
    ledger.post(
        kind="stray",
        source_id="1",
        legs=[
            (ledger.user_key(user.pk, "available"), D("-5")),
            (ledger.user_key(user.pk, "withdrawing"), D("5")),
        ],
    )
    assert payout_differences() == [
        f"user {user.pk}: withdrawing balance 5.00 != open withdrawals 0.00"
    ]


# identity


VALID_ID = "11010519491231002X"


def test_id_number_checksum_and_mask():
    assert id_number_valid(VALID_ID)
    assert id_number_valid("110105194912310021") is False
    assert id_number_valid("1101051949123100") is False
    assert id_number_masked("110101199003071234") == "1101**********1234"


def test_identity_is_entered_once():
    user = UserFactory()
    with pytest.raises(errors.InvalidIdNumber):
        services.identity_set(user=user, real_name="张三", id_number="110105194912310021")
    first = services.identity_set(user=user, real_name="张三", id_number=VALID_ID.lower())
    assert first.id_number == VALID_ID
    assert services.identity_set(user=user, real_name="张三", id_number=VALID_ID) == first
    with pytest.raises(errors.IdentityLocked):
        services.identity_set(user=user, real_name="李四", id_number=VALID_ID)


# tax withheld on withdrawals, cumulative within the calendar month


def test_labor_tax_adds_up_across_withdrawals_in_a_month(staff):
    from tests.distribution.flows import plan_set

    plan_set(tax_mode="labor")
    user = rich_distributor("10000.00", withdraw_daily_max="10000.00")
    with pytest.raises(errors.IdentityRequired):
        request(user, "3000.00", request_id="a")
    services.identity_set(user=user, real_name="张三", id_number=VALID_ID)

    first = request(user, "3000.00", request_id="a")
    # 3,000 − 800 = 2,200 taxable × 20%
    assert (first.tax, first.net) == (D("440.00"), D("2560.00"))
    cancelled = request(user, "500.00", request_id="b")
    services.withdrawal_cancel(user=user, withdrawal_id=cancelled.pk)
    second = request(user, "2000.00", request_id="c")
    # month 5,000 × 80% = 4,000 taxable × 20% = 800, less 440 already withheld
    assert (second.tax, second.net) == (D("360.00"), D("1640.00"))

    for w in (first, second):
        approve_and_confirm(w, staff)
    assert ledger_selectors.platform_balance("tax_payable") == D("800.00")
    assert ledger_selectors.platform_balance("payout_clearing") == D("4200.00")
    assert_books_clean()


def test_reconcile_reports_a_paid_withdrawal_without_its_ledger_transaction(staff):
    user = rich_distributor("50.00")
    withdrawal = request(user, "50.00")
    approve_and_confirm(withdrawal, staff)
    Withdrawal.objects.filter(pk=withdrawal.pk).update(status="approved")

    assert payout_differences() == [
        f"user {user.pk}: withdrawing balance 0.00 != open withdrawals 50.00",
        f"withdrawal {withdrawal.pk} (approved): unexpected successful transfer",
        f"withdrawal {withdrawal.pk} (approved): unexpected withdrawal_paid transaction",
    ]
