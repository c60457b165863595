"""Row locks of the payments app."""

from fenxiao import db
from fenxiao.payments.models import BillRun, Payment, ProviderRefund
from fenxiao.payments.selectors import BY_NUMBER


def payment_and_order_for_update(*, provider: str, out_trade_no: str):
    """The payment with its order (`payment.order`), both locked in one statement: the
    payment's row, then the order's."""
    where, params = BY_NUMBER, [provider, out_trade_no]
    return db.read_one(Payment, where, params, related=("order",), lock=("order",))


def provider_refund_for_update(*, out_refund_no: str):
    return ProviderRefund.objects.select_for_update().filter(out_refund_no=out_refund_no).first()


def bill_run_for_update(*, bill_date, provider: str, defaults: dict):
    """The day's run of a provider, created if new, locked: two runs of a day queue."""
    run, _ = BillRun.objects.select_for_update().get_or_create(
        bill_date=bill_date, provider=provider, defaults=defaults
    )
    return run
