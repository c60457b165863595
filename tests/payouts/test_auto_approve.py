"""Automatic approval (the plan's auto_approve_below): a request up to the limit is approved
by `withdrawal_approve(staff=None)` after the request commits, never inside it; over the limit
or with the switch off (0) it waits for staff; a refused automatic approval loses nothing."""

import pytest

from fenxiao.payouts import services
from fenxiao.payouts.models import Withdrawal, WithdrawalEvent
from tests.distribution.flows import plan_set
from tests.payouts.flows import D, assert_books_clean, balances, rich_distributor

pytestmark = pytest.mark.django_db

BANK = {"bank_name": "招商银行", "card_no": "6225880000000000", "holder": "张三"}


def ask(api, amount: str, request_id: str):
    body = {"amount": amount, "channel": "bank", "request_id": request_id, "account": BANK}
    return api.post("/wallet/withdrawals", body)


def approvals(withdrawal_id: int) -> list[tuple]:
    return list(
        WithdrawalEvent.objects.filter(withdrawal_id=withdrawal_id, action="approve").values_list(
            "actor_id", "note"
        )
    )


@pytest.fixture
def rich(make_api):
    user = rich_distributor("1000.00", withdraw_min="0.01")
    return user, make_api(user)


@pytest.mark.parametrize("amount", ["0.01", "99.99", "100.00"])
def test_up_to_the_limit_is_approved_automatically(
    rich, amount, django_capture_on_commit_callbacks
):
    user, api = rich
    plan_set(auto_approve_below="100.00")

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        r = ask(api, amount, "a1")

    assert r.status_code == 201, r.content
    assert len(callbacks) == 1
    shown = api.get(f"/wallet/withdrawals/{r.json()['id']}").json()
    assert shown["status"] == "approved"  # bank: finance still pays it by hand
    assert shown["reviewed_at"] is not None
    assert approvals(r.json()["id"]) == [(None, "自动审核")]
    assert Withdrawal.objects.get(pk=r.json()["id"]).reviewed_by is None
    assert balances(user)["withdrawing"] == D(amount)
    assert_books_clean()


def test_over_the_limit_waits_for_staff(rich, django_capture_on_commit_callbacks):
    _, api = rich
    plan_set(auto_approve_below="100.00")

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        r = ask(api, "100.01", "a1")

    assert (r.status_code, r.json()["status"]) == (201, "requested")
    assert callbacks == []
    assert approvals(r.json()["id"]) == []


def test_zero_turns_it_off(rich, django_capture_on_commit_callbacks):
    _, api = rich
    assert plan_set().auto_approve_below == 0

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        r = ask(api, "0.01", "a1")

    assert (r.status_code, r.json()["status"]) == (201, "requested")
    assert callbacks == []


def test_a_sandbox_request_auto_approved_issues_its_transfer_bill(
    rich, django_capture_on_commit_callbacks
):
    # given: automatic approval up to ¥50; the sandbox channel pays by transfer bill
    user, api = rich
    plan_set(auto_approve_below="50.00")

    # when: the request commits, approval runs, and after it commits the bill is issued
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        r = api.post(
            "/wallet/withdrawals", {"amount": "50.00", "channel": "sandbox", "request_id": "s"}
        )

    # then: approved, the bill waits for the distributor, who accepts it in "WeChat"
    assert len(callbacks) == 2  # the approval, then the bill it opens
    shown = api.get(f"/wallet/withdrawals/{r.json()['id']}").json()
    assert shown["status"] == "approved"
    assert shown["transfer"]["state"] == "WAIT_USER_CONFIRM"
    assert approvals(r.json()["id"]) == [(None, "自动审核")]
    with django_capture_on_commit_callbacks(execute=True):
        done = api.post(f"/wallet/withdrawals/{r.json()['id']}/sandbox-confirm")
    assert (done.json()["status"], balances(user)["available"]) == ("paid", D("950.00"))
    assert_books_clean()


def test_approval_runs_after_the_request_commits_not_inside_it(django_capture_on_commit_callbacks):
    user = rich_distributor("500.00")
    plan_set(auto_approve_below="50.00")

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        withdrawal, created = services.withdrawal_request(
            user=user, amount="20.00", channel="bank", request_id="a1", account=BANK
        )
        # the request's transaction is over and the withdrawal is still only requested
        assert created and Withdrawal.objects.get(pk=withdrawal.pk).status == "requested"

    assert len(callbacks) == 1
    callbacks[0]()
    assert Withdrawal.objects.get(pk=withdrawal.pk).status == "approved"


def test_the_same_request_again_is_not_approved_twice(rich, django_capture_on_commit_callbacks):
    _, api = rich
    plan_set(auto_approve_below="50.00")
    with django_capture_on_commit_callbacks(execute=True):
        first = ask(api, "20.00", "a1")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        again = ask(api, "20.00", "a1")

    assert (again.status_code, again.json()["id"]) == (200, first.json()["id"])
    assert again.json()["status"] == "approved"  # re-read after the first one's approval
    assert callbacks == []
    assert len(approvals(first.json()["id"])) == 1


def test_a_refused_automatic_approval_loses_nothing(django_capture_on_commit_callbacks, staff):
    # given: a small request whose automatic approval has not run yet
    user = rich_distributor("500.00")
    plan_set(auto_approve_below="50.00")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        withdrawal, _ = services.withdrawal_request(
            user=user, amount="20.00", channel="bank", request_id="a1", account=BANK
        )
    # when: staff reject it first, then the automatic approval runs
    services.withdrawal_reject(withdrawal_id=withdrawal.pk, staff=staff, reason="账户信息有误")
    callbacks[0]()  # refused inside, logged, not raised

    # then: the staff decision stands and the money is back once
    assert Withdrawal.objects.get(pk=withdrawal.pk).status == "rejected"
    assert approvals(withdrawal.pk) == []
    assert balances(user)["available"] == D("500.00")
    assert services.withdrawal_auto_approve(withdrawal_id=withdrawal.pk) is None
    assert_books_clean()


@pytest.mark.django_db(transaction=True)
def test_a_real_commit_approves_before_the_answer_is_sent(make_api):
    """No test transaction around this one: the approval runs from a real on_commit, in its
    own transaction after the request's, and the API answers the approved withdrawal."""
    user = rich_distributor("100.00", withdraw_min="0.01")
    plan_set(auto_approve_below="30.00")

    r = ask(make_api(user), "30.00", "a1")

    assert (r.status_code, r.json()["status"]) == (201, "approved")
    events = WithdrawalEvent.objects.filter(withdrawal_id=r.json()["id"]).order_by("pk")
    assert [(e.action, e.actor_id, e.note) for e in events] == [
        ("request", user.pk, ""),
        ("approve", None, "自动审核"),
    ]
    assert_books_clean()
