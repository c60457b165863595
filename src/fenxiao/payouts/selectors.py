"""Reads of payouts: lists, the day's and month's totals behind limits and tax, the preview
of a withdrawal, and the reconciliation of withdrawals against the ledger."""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.conf import settings
from django.db.models import Count, Prefetch, Q, QuerySet, Sum
from django.utils import timezone

from fenxiao.distribution import selectors as distribution_selectors
from fenxiao.distribution.errors import NotADistributor
from fenxiao.distribution.models import Distributor, Grade
from fenxiao.ledger import selectors as ledger_selectors
from fenxiao.ledger.models import Account, Transaction
from fenxiao.money import round_sum_to_fen, to_integer_fen, truncate_to_fen
from fenxiao.payouts import providers
from fenxiao.payouts.models import PayoutIdentity, PayoutTransfer, Withdrawal
from fenxiao.payouts.tax import withholding

Status = Withdrawal.Status

# ledger transaction kinds, one each per withdrawal (source id = the withdrawal's pk)
KIND_REQUEST = "withdrawal_request"
KIND_PAID = "withdrawal_paid"
KIND_RETURN = "withdrawal_return"  # rejected, failed or cancelled: only one can happen

NOT_ACTIVE = "仅已生效的分销商可以提现"

Channel = Withdrawal.Channel
# what each channel needs from the distributor to be paid, as entered with the request
ACCOUNT_FIELDS = {
    Channel.BANK: ("bank_name", "card_no", "holder"),
    Channel.ALIPAY: ("account", "holder"),
    Channel.SANDBOX: (),
    Channel.WECHAT: (),
}


@dataclass(frozen=True)
class Quote:
    amount: Decimal
    fee: Decimal
    tax: Decimal
    net: Decimal


def _with_transfers(qs: QuerySet) -> QuerySet:
    """Each withdrawal's bills, newest attempt first, in one more query for the whole page."""
    bills = PayoutTransfer.objects.order_by("-attempt")
    return qs.prefetch_related(Prefetch("transfers", queryset=bills))


def withdrawals_of(*, user_id: int) -> QuerySet:
    return _with_transfers(Withdrawal.objects.filter(user_id=user_id).order_by("-pk"))


def withdrawal_of(*, user_id: int, withdrawal_id: int) -> Withdrawal | None:
    return Withdrawal.objects.filter(user_id=user_id, pk=withdrawal_id).first()


def withdrawals_for_staff(*, status: str | None = None, channel: str | None = None) -> QuerySet:
    qs = _with_transfers(Withdrawal.objects.select_related("user").order_by("-pk"))
    if status:
        qs = qs.filter(status=status)
    if channel:
        qs = qs.filter(channel=channel)
    return qs


def transfer_current(withdrawal_id: int) -> PayoutTransfer | None:
    return PayoutTransfer.objects.filter(withdrawal_id=withdrawal_id).order_by("-attempt").first()


def transfer_out(withdrawal: Withdrawal) -> dict | None:
    """The current bill as the client draws it (uses the prefetched bills when there)."""
    if withdrawal.channel not in Withdrawal.TRANSFER_CHANNELS:
        return None
    transfer = next(iter(withdrawal.transfers.all()), None)
    if transfer is None:
        return None
    mch_id, app_id = providers.merchant_ids(transfer.channel)
    waiting = transfer.state == PayoutTransfer.State.WAIT_USER_CONFIRM
    return {
        "state": transfer.state,
        "package_info": transfer.package_info if waiting else "",
        "mch_id": mch_id,
        "app_id": app_id,
        "confirm_before": transfer.confirm_before,
    }


def channels_enabled() -> list[dict]:
    """The withdrawal channels this shop offers, in FENXIAO_PAYOUT_CHANNELS order."""
    return [
        {"channel": c, "label": Channel(c).label, "account_fields": list(ACCOUNT_FIELDS[c])}
        for c in settings.PAYOUT_CHANNELS
        if c in Channel.values
    ]


def transfers_finished_between(start: datetime, end: datetime) -> list[dict]:
    """Successful transfer bills finished in [start, end), for matching against WeChat's
    fund-flow bill; amounts in fen."""
    rows = PayoutTransfer.objects.filter(
        state=PayoutTransfer.State.SUCCESS, finished_at__gte=start, finished_at__lt=end
    ).order_by("finished_at", "pk")
    return [
        {
            "out_bill_no": t.out_bill_no,
            "transfer_bill_no": t.transfer_bill_no,
            "amount_cents": to_integer_fen(t.amount),
            "finished_at": t.finished_at,
            "channel": t.channel,  # wechat or sandbox: whose bill lists it
        }
        for t in rows
    ]


def identity_of(user_id: int) -> PayoutIdentity | None:
    return PayoutIdentity.objects.filter(pk=user_id).first()


def _local_start(now: datetime, *, month: bool) -> datetime:
    local = timezone.localtime(now)
    start = local.replace(hour=0, minute=0, second=0, microsecond=0)
    return start.replace(day=1) if month else start


def _counted(user_id: int, since: datetime) -> QuerySet:
    """Withdrawals since `since` that still count: not rejected, failed or cancelled."""
    return Withdrawal.objects.filter(user_id=user_id, created_at__gte=since).exclude(
        status__in=Withdrawal.RETURNED
    )


def day_totals(*, user_id: int, now: datetime) -> tuple[Decimal, int]:
    """(amount, count) of today's counted withdrawals (Asia/Shanghai day)."""
    row = _counted(user_id, _local_start(now, month=False)).aggregate(
        s=Sum("amount"), n=Count("pk")
    )
    return round_sum_to_fen(row["s"]), row["n"]


def month_totals(*, user_id: int, now: datetime) -> tuple[Decimal, Decimal]:
    """(gross, tax) of this calendar month's counted withdrawals, for cumulative withholding."""
    row = _counted(user_id, _local_start(now, month=True)).aggregate(g=Sum("amount"), t=Sum("tax"))
    return round_sum_to_fen(row["g"]), round_sum_to_fen(row["t"])


def tax_settings() -> tuple[str, Decimal]:
    plan = distribution_selectors.plan_current()
    return plan.tax_mode, Decimal(plan.tax_rate)


def auto_approve_below() -> Decimal:
    """Withdrawals up to this amount are approved without staff; 0 turns it off."""
    return Decimal(distribution_selectors.plan_current().auto_approve_below)


def quote(*, user_id: int, grade: Grade, amount: Decimal, now: datetime) -> Quote:
    """Fee (grade's percent, truncated) and tax (plan's mode, cumulative in the month)."""
    fee = truncate_to_fen(amount * grade.withdraw_fee_percent / 100)
    mode, rate = tax_settings()
    gross_before, tax_before = month_totals(user_id=user_id, now=now)
    tax = withholding(
        mode=mode,
        rate=rate,
        amount=amount,
        month_gross_before=gross_before,
        month_tax_before=tax_before,
    )
    return Quote(amount=amount, fee=fee, tax=tax, net=amount - fee - tax)


def withdrawal_totals(*, user_id: int) -> dict[str, Decimal]:
    """All time: the gross of paid withdrawals, and what requested or approved ones hold."""
    row = Withdrawal.objects.filter(user_id=user_id).aggregate(
        paid=Sum("amount", filter=Q(status=Status.PAID)),
        holding=Sum("amount", filter=Q(status__in=Withdrawal.HOLDING)),
    )
    return {
        "withdrawn_total": round_sum_to_fen(row["paid"]),
        "withdrawing": round_sum_to_fen(row["holding"]),
    }


def withdrawal_limits(*, user_id: int, now: datetime | None = None) -> dict:
    """What the withdrawal form needs besides the channels: identity, the grade's limits, what
    is available and what today's withdrawals already used."""
    distributor = _active_distributor(user_id)
    grade = distributor.grade
    mode, _ = tax_settings()
    today_amount, today_count = day_totals(user_id=user_id, now=now or timezone.now())
    return {
        "identity_required": mode != "none",
        "identity_registered": identity_of(user_id) is not None,
        "min_amount": grade.withdraw_min,
        "daily_max_amount": grade.withdraw_daily_max,
        "daily_max_count": grade.withdraw_daily_count,
        "fee_percent": grade.withdraw_fee_percent,
        "available": ledger_selectors.balances_of(user_id)["available"],
        "today_amount": today_amount,
        "today_count": today_count,
    }


def _active_distributor(user_id: int) -> Distributor:
    distributor = Distributor.objects.select_related("grade").filter(pk=user_id).first()
    if distributor is None or distributor.status != Distributor.Status.ACTIVE:
        raise NotADistributor(NOT_ACTIVE)
    return distributor


def withdrawal_preview(*, user_id: int, amount: Decimal, now: datetime | None = None) -> Quote:
    distributor = _active_distributor(user_id)
    return quote(user_id=user_id, grade=distributor.grade, amount=amount, now=now or timezone.now())


def payout_differences() -> list[str]:
    """Each distributor's `withdrawing` balance equals their requested and approved
    withdrawals; every withdrawal has exactly the ledger transactions its state implies."""
    problems = []
    held = dict(
        Withdrawal.objects.filter(status__in=Withdrawal.HOLDING)
        .values("user_id")
        .annotate(s=Sum("amount"))
        .values_list("user_id", "s")
    )
    problems += ledger_selectors.cached_balance_differences(
        kind=Account.Kind.WITHDRAWING, expected=held, what="open withdrawals"
    )
    posted: dict[str, set[str]] = {KIND_REQUEST: set(), KIND_PAID: set(), KIND_RETURN: set()}
    for kind, source_id in Transaction.objects.filter(kind__in=list(posted)).values_list(
        "kind", "source_id"
    ):
        posted[kind].add(source_id)
    transferred = set(
        PayoutTransfer.objects.filter(state=PayoutTransfer.State.SUCCESS).values_list(
            "withdrawal_id", flat=True
        )
    )
    rows = Withdrawal.objects.values_list("pk", "status", "channel").iterator()
    for pk, status, channel in rows:
        if channel in Withdrawal.TRANSFER_CHANNELS and (status == Status.PAID) != (
            pk in transferred
        ):
            state = "unexpected" if pk in transferred else "missing"
            problems.append(f"withdrawal {pk} ({status}): {state} successful transfer")
        key = str(pk)
        expected = {
            KIND_REQUEST: True,
            KIND_PAID: status == Status.PAID,
            KIND_RETURN: status in Withdrawal.RETURNED,
        }
        for kind, should in expected.items():
            if (key in posted[kind]) != should:
                state = "missing" if should else "unexpected"
                problems.append(f"withdrawal {pk} ({status}): {state} {kind} transaction")
    return problems
