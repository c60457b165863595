"""Daily bill reconciliation: a provider's trade and fund-flow bills of a day matched line by
line against our payments, refunds and payout transfers; the differences are kept per run.

Like a report, this reads from payments and payouts both; payouts uses payments (providers,
notifications), so nothing that payouts imports may import this module.
"""

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from fenxiao.errors import DomainError
from fenxiao.money import ZERO, yuan
from fenxiao.payments import bills, locks, providers, selectors
from fenxiao.payments.errors import BillMalformed, ProviderError
from fenxiao.payments.models import BillDifference, BillRun, Payment, ProviderRefund
from fenxiao.payouts import selectors as payout_selectors

logger = logging.getLogger(__name__)

Kind, Subject = BillDifference.Kind, BillDifference.Subject
# WeChat makes the bills of a day from 09:00 the next day and advises fetching after 10:00
BILLS_READY_HOUR = 10


@dataclass(frozen=True)
class Difference:
    kind: str
    subject: str
    reference: str
    our_amount: Decimal | None
    their_amount: Decimal | None


def _bill_amounts(rows: list[dict[str, str]], *, reference: str, amount: str) -> dict:
    """Reference → amount over a bill's lines (a reference listed twice adds up, so a line
    billed twice shows as an amount mismatch)."""
    totals: dict[str, Decimal] = {}
    for row in rows:
        totals[row[reference]] = totals.get(row[reference], ZERO) + bills.amount_of(row, amount)
    return totals


def _compare(subject: str, *, theirs: dict, ours: dict, due: set[str]) -> list[Difference]:
    """theirs: the bill's lines; ours: our amount of every reference we know among them and
    among `due`, the references of ours that this bill must list."""
    found = []
    for reference, amount in sorted(theirs.items()):
        if reference not in ours:
            found.append(Difference(Kind.MISSING_OURS, subject, reference, None, amount))
        elif ours[reference] != amount:
            found.append(
                Difference(Kind.AMOUNT_MISMATCH, subject, reference, ours[reference], amount)
            )
    for reference in sorted(due - theirs.keys()):
        found.append(Difference(Kind.MISSING_THEIRS, subject, reference, ours[reference], None))
    return found


def trade_differences(
    *, provider: str, rows: list[dict[str, str]], start: datetime, end: datetime
) -> list[Difference]:
    """Payments (SUCCESS lines, by out_trade_no) and refunds (REFUND lines, by out_refund_no)."""
    paid = [row for row in rows if row["交易状态"] == "SUCCESS"]
    refunded = [row for row in rows if row["交易状态"] == "REFUND"]
    their_payments = _bill_amounts(paid, reference="商户订单号", amount="订单金额")
    their_refunds = _bill_amounts(refunded, reference="商户退款单号", amount="申请退款金额")

    due_payments = selectors.payments_paid_between(provider=provider, start=start, end=end)
    listed = Payment.objects.filter(
        provider=provider, status=Payment.Status.PAID, out_trade_no__in=list(their_payments)
    )
    our_payments = {p.out_trade_no: p.amount for p in [*due_payments, *listed]}

    due_refunds = selectors.refunds_started_between(provider=provider, start=start, end=end)
    listed_refunds = ProviderRefund.objects.filter(
        payment__provider=provider, out_refund_no__in=list(their_refunds)
    )
    our_refunds = {r.out_refund_no: r.amount for r in [*due_refunds, *listed_refunds]}

    return _compare(
        Subject.PAYMENT,
        theirs=their_payments,
        ours=our_payments,
        due={p.out_trade_no for p in due_payments},
    ) + _compare(
        Subject.REFUND,
        theirs=their_refunds,
        ours=our_refunds,
        due={r.out_refund_no for r in due_refunds},
    )


def transfers_finished(*, channel: str, start: datetime, end: datetime) -> list[dict]:
    """Our payout transfers of a channel that succeeded in [start, end), amounts in yuan."""
    return [
        {**transfer, "amount": yuan(Decimal(transfer["amount_cents"]).scaleb(-2))}
        for transfer in payout_selectors.transfers_finished_between(start, end)
        if transfer["channel"] == channel
    ]


def transfer_differences(
    *, provider: str, rows: list[dict[str, str]], start: datetime, end: datetime
) -> list[Difference]:
    """Merchant transfers paid out (fund-flow lines, by out_bill_no) against our payout
    transfers. Ours finished a day either side count as known, for a transfer finished
    around midnight."""
    transfers = [
        row
        for row in rows
        if row["业务名称"] in bills.TRANSFER_BUSINESS_NAMES and row["收支类型"] == "支出"
    ]
    theirs = _bill_amounts(transfers, reference="业务凭证号", amount="收支金额(元)")
    near = transfers_finished(
        channel=provider, start=start - timedelta(days=1), end=end + timedelta(days=1)
    )
    due = {t["out_bill_no"] for t in near if start <= t["finished_at"] < end}
    ours = {t["out_bill_no"]: t["amount"] for t in near}
    return _compare(Subject.TRANSFER, theirs=theirs, ours=ours, due=due)


def bills_reconcile(*, bill_date: date, provider_name: str) -> BillRun:
    """Download the provider's bills of the day (outside any lock), match them, and record
    the run, replacing an earlier run of the same day. A bill that cannot be had, or fails
    its hash or format check, makes a failed run (run it again later)."""
    provider = providers.get(provider_name)
    start, end = bills.day_bounds(bill_date)
    try:
        trade = bills.parse_trade_bill(provider.trade_bill(bill_date=bill_date))
        fundflow = bills.parse_fundflow_bill(provider.fundflow_bill(bill_date=bill_date))
        found = trade_differences(
            provider=provider.name, rows=trade.rows, start=start, end=end
        ) + transfer_differences(provider=provider.name, rows=fundflow.rows, start=start, end=end)
    except (ProviderError, BillMalformed) as exc:
        logger.warning("bills of %s %s not reconciled: %s", provider.name, bill_date, exc)
        failed = BillRun.Status.FAILED
        return _run_record(
            bill_date=bill_date, provider=provider.name, status=failed, error=exc.message
        )
    return _run_record(
        bill_date=bill_date,
        provider=provider.name,
        status=BillRun.Status.DIFFERENCES if found else BillRun.Status.CLEAN,
        differences=found,
        trade_lines=len(trade.rows),
        fundflow_lines=len(fundflow.rows),
    )


@transaction.atomic
def _run_record(
    *,
    bill_date: date,
    provider: str,
    status: str,
    differences: Sequence[Difference] = (),
    error: str = "",
    trade_lines: int = 0,
    fundflow_lines: int = 0,
) -> BillRun:
    fields = {
        "status": status,
        "error": error[:300],
        "trade_lines": trade_lines,
        "fundflow_lines": fundflow_lines,
        "difference_count": len(differences),
        "ran_at": timezone.now(),
    }
    run = locks.bill_run_for_update(bill_date=bill_date, provider=provider, defaults=fields)
    for name, value in fields.items():
        setattr(run, name, value)
    run.save()
    run.differences.all().delete()  # a report of the latest run, not a ledger: replaced
    BillDifference.objects.bulk_create(
        BillDifference(
            run=run,
            kind=d.kind,
            subject=d.subject,
            reference=d.reference[:64],
            our_amount=d.our_amount,
            their_amount=d.their_amount,
        )
        for d in differences
    )
    return run


def bills_reconcile_due(*, now: datetime | None = None) -> int:
    """The daily job: reconcile yesterday's bills of every enabled provider once they are
    ready (10:00 Asia/Shanghai), unless that day already has a run that did not fail.
    Returns how many runs were made."""
    now = timezone.localtime(now or timezone.now())
    if now.hour < BILLS_READY_HOUR:
        return 0
    yesterday = now.date() - timedelta(days=1)
    made = 0
    for provider_name in settings.PAYMENT_PROVIDERS:
        done = BillRun.objects.filter(bill_date=yesterday, provider=provider_name).exclude(
            status=BillRun.Status.FAILED
        )
        if done.exists():
            continue
        try:
            bills_reconcile(bill_date=yesterday, provider_name=provider_name)
            made += 1
        except DomainError as exc:  # e.g. the provider is not configured: the others still run
            logger.warning("bills of %s %s not reconciled: %s", provider_name, yesterday, exc)
    return made
