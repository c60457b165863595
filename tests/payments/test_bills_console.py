"""Console 账单对账 as finance staff use it: run a day now, see runs with their counts and
differences inline, filter differences by kind; other roles cannot."""

import pytest
from django.urls import reverse
from django.utils import timezone

from fenxiao.accounts.services import staff_create
from fenxiao.orders.services import refund_mark_approved
from fenxiao.payments.models import BillDifference, BillRun, Payment, ProviderRefund
from tests.orders.flows import request_refund

pytestmark = pytest.mark.django_db

RUNS = reverse("admin:payments_billrun_changelist")
RUN_NOW = reverse("admin:payments_billrun_run")
DIFFERENCES = reverse("admin:payments_billdifference_changelist")


def log_in(client, role: str, phone: str):
    staff = staff_create(phone=phone, password="console-pass-1", role=role)
    client.force_login(staff)
    return staff


@pytest.fixture
def finance(client):
    return log_in(client, "finance", "13700000011")


@pytest.fixture
def unsent_refund(paid_order, buyer_api, staff):
    """A refund of ours the sandbox never received: a difference on the day's bill."""
    refund = refund_mark_approved(
        refund_id=request_refund(buyer_api, paid_order, [1])["id"], staff=staff
    )
    return ProviderRefund.objects.create(
        refund=refund,
        payment=Payment.objects.get(order_id=paid_order["id"]),
        out_refund_no=refund.number,
        amount=refund.amount,
    )


def test_finance_runs_a_day_now_and_sees_its_differences(client, finance, unsent_refund):
    today = timezone.localdate().isoformat()
    page = client.get(RUNS)
    assert page.status_code == 200 and "立即对账" in page.content.decode()
    assert client.get(RUN_NOW).status_code == 200

    r = client.post(RUN_NOW, {"date": today, "provider": "sandbox"})

    run = BillRun.objects.get()
    assert r.status_code == 302 and r.url == reverse("admin:payments_billrun_change", args=[run.pk])
    page = client.get(r.url).content.decode()
    assert unsent_refund.out_refund_no in page and "渠道缺失" in page
    listing = client.get(RUNS).content.decode()
    assert "有差异" in listing and today in listing


def test_differences_filter_by_kind(client, finance, unsent_refund):
    client.post(RUN_NOW, {"date": timezone.localdate().isoformat(), "provider": "sandbox"})
    run = BillRun.objects.get()
    BillDifference.objects.create(
        run=run, kind="missing_ours", subject="payment", reference="X-NOT-OURS", their_amount=1
    )

    shown = client.get(DIFFERENCES, {"kind__exact": "missing_theirs"}).content.decode()
    assert unsent_refund.out_refund_no in shown and "X-NOT-OURS" not in shown
    shown = client.get(DIFFERENCES, {"kind__exact": "missing_ours"}).content.decode()
    assert "X-NOT-OURS" in shown and unsent_refund.out_refund_no not in shown


def test_running_selected_days_again_replaces_their_differences(client, finance, unsent_refund):
    client.post(RUN_NOW, {"date": timezone.localdate().isoformat(), "provider": "sandbox"})
    run = BillRun.objects.get()
    BillDifference.objects.create(run=run, kind="missing_ours", subject="payment", reference="X")

    data = {"action": "run_again", "_selected_action": [run.pk], "index": 0}
    client.post(RUNS, data, follow=True)

    assert list(run.differences.values_list("reference", flat=True)) == [
        unsent_refund.out_refund_no
    ]


@pytest.mark.parametrize(
    "form, message",
    [
        ({"date": "2026-11-31", "provider": "sandbox"}, "格式 YYYY-MM-DD"),
        ({"date": "2999-01-01", "provider": "sandbox"}, "未来"),
        ({"date": "2026-11-01", "provider": "alipay"}, "已启用的支付渠道"),
    ],
)
def test_a_bad_date_or_provider_is_refused(client, finance, form, message):
    r = client.post(RUN_NOW, form)
    assert r.status_code == 400 and message in r.content.decode()
    assert not BillRun.objects.exists()


def test_the_default_add_page_leads_to_the_run_form(client, finance):
    r = client.get(reverse("admin:payments_billrun_add"))
    assert r.status_code == 302 and r.url == RUN_NOW


def test_roles_without_the_grant_cannot_see_or_run(client):
    log_in(client, "service", "13700000012")
    assert client.get(RUNS).status_code == 403
    assert client.get(DIFFERENCES).status_code == 403
    assert client.post(RUN_NOW, {"date": "2026-11-01", "provider": "sandbox"}).status_code == 403
    assert not BillRun.objects.exists()
