"""Row locks of the payments app."""

from django.db import connection

from fenxiao import db
from fenxiao.orders.models import Order
from fenxiao.payments.models import BillRun, Payment, ProviderRefund
from fenxiao.payments.selectors import BY_NUMBER


def payment_and_order_for_update(*, provider: str, out_trade_no: str):
    """The payment with its order (`payment.order`), both locked in one statement: the
    payment's row, then the order's."""
    where, params = BY_NUMBER, [provider, out_trade_no]
    return db.read_one(Payment, where, params, related=("order",), lock=("order",))


def order_for_update_with_payment(*, order_id: int, provider: str):
    """(order, its payment with `provider` or None), the order locked, in one statement; (None,
    None) for no such order."""
    if not db.BIGINT_MIN <= order_id <= db.BIGINT_MAX:
        return None, None  # no key this large: as read() answers
    order, payment = Order._meta.db_table, Payment._meta.db_table
    sql = (
        f"SELECT {db.columns(Order)}, {db.columns(Payment)} FROM {order} LEFT JOIN {payment} "
        f"ON {payment}.provider = %s AND {payment}.out_trade_no = {order}.number "
        f"WHERE {order}.id = %s"
    )
    if connection.features.has_select_for_update:
        sql += f" FOR UPDATE OF {order}"
    with connection.cursor() as cursor:
        cursor.execute(sql, [provider, order_id])
        row = cursor.fetchone()
    if row is None:
        return None, None
    width = db.width(Order)
    return db.instance(Order, row[:width]), db.instance(Payment, row[width:])


def provider_refund_for_update(*, out_refund_no: str):
    return ProviderRefund.objects.select_for_update().filter(out_refund_no=out_refund_no).first()


def bill_run_for_update(*, bill_date, provider: str, defaults: dict):
    """The day's run of a provider, created if new, locked: two runs of a day queue."""
    run, _ = BillRun.objects.select_for_update().get_or_create(
        bill_date=bill_date, provider=provider, defaults=defaults
    )
    return run
