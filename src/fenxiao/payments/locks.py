"""Row locks of the payments app."""

from fenxiao.payments.models import Payment, ProviderRefund


def payment_for_update(*, provider: str, out_trade_no: str):
    return (
        Payment.objects.select_for_update()
        .filter(provider=provider, out_trade_no=out_trade_no)
        .first()
    )


def provider_refund_for_update(*, out_refund_no: str):
    return ProviderRefund.objects.select_for_update().filter(out_refund_no=out_refund_no).first()
