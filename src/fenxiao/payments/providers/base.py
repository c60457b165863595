"""What every payment provider does for us."""

import secrets
from collections.abc import Callable
from datetime import date, datetime
from typing import Protocol

from django.utils import timezone

from fenxiao.payments.notify import Notification


class Provider(Protocol):
    name: str
    mchid: str

    def create_payment(
        self, *, out_trade_no: str, amount_cents: int, description: str, payer_openid: str
    ) -> tuple[str, dict]:
        """Register the payment; returns (prepay id, parameters for the client to pay)."""

    def refund(
        self,
        *,
        out_trade_no: str,
        transaction_id: str,
        out_refund_no: str,
        refund_cents: int,
        total_cents: int,
        reason: str,
    ) -> tuple[dict, str] | None:
        """Start a refund; the result arrives as a REFUND.* notification, either later
        or at once as the returned (headers, body) for us to handle now."""

    def close(self, *, out_trade_no: str) -> None:
        """Close an unpaid payment so it can no longer be paid; raise ProviderError if the
        provider refuses (e.g. it was paid meanwhile)."""

    def verify(self, *, headers, body: str, now: datetime) -> Notification:
        """Check signature, time and encryption of a notification; raise if not genuine."""

    def query_payment(self, *, out_trade_no: str) -> dict | None:
        """The provider's record of a payment, in the shape of a TRANSACTION resource
        (trade_state SUCCESS, NOTPAY, CLOSED, ...); None when it knows no such payment."""

    def trade_bill(self, *, bill_date: date) -> bytes:
        """The trade bill (交易账单) of a day in WeChat's CSV format; b"" for a day without
        any trade. Raise ProviderError when it cannot be had (or fails its hash check)."""

    def fundflow_bill(self, *, bill_date: date) -> bytes:
        """The fund-flow bill (资金账单) of the basic account for a day, like trade_bill."""


def request_payment_params(*, appid: str, prepay_id: str, sign: Callable[[list[str]], str]) -> dict:
    """The parameters of the mini-program's wx.requestPayment. `sign` is the merchant's RSA
    signature of the fields, each followed by "\n" (wechatpayv3's `WeChatPay.sign`)."""
    timestamp, nonce = str(int(timezone.now().timestamp())), secrets.token_hex(16)
    package = f"prepay_id={prepay_id}"
    return {
        "appId": appid,
        "timeStamp": timestamp,
        "nonceStr": nonce,
        "package": package,
        "signType": "RSA",
        "paySign": sign([appid, timestamp, nonce, package]),
    }
