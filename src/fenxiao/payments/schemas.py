"""API schemas of payments, and the shapes of the notification resources we accept."""

from typing import Annotated

from ninja import Schema
from pydantic import BaseModel, ConfigDict, StringConstraints, model_validator

from fenxiao.api_docs import one_of
from fenxiao.orders.schemas import OrderStatus
from fenxiao.payments.models import Payment

PaymentStatus = one_of(Payment.Status)


class PayIn(Schema):
    provider: Annotated[str, StringConstraints(max_length=16)] | None = None


class PayOut(Schema):
    payment_id: int
    provider: str
    out_trade_no: str
    amount: str
    status: PaymentStatus
    params: dict


class DeliveredNotification(Schema):
    headers: dict[str, str]
    body: str


class SandboxCompleteOut(Schema):
    payment_id: int
    status: PaymentStatus
    order_status: OrderStatus
    notification: DeliveredNotification


class RefundApproveIn(Schema):
    return_stock: bool = True


# The decrypted resource of a notification: the fields we read, strictly typed (WeChat's own
# types: a string is not coerced into an amount); the many fields we do not read may be there.
Text = Annotated[str, StringConstraints(max_length=64)]
Id = Annotated[str, StringConstraints(min_length=1, max_length=64)]
TradeNo = Annotated[str, StringConstraints(max_length=32)]


class NotificationResource(BaseModel):
    """What every notification's resource carries (any event type)."""

    model_config = ConfigDict(strict=True, extra="allow")

    mchid: Text
    out_trade_no: TradeNo = ""


class TransactionAmount(BaseModel):
    model_config = ConfigDict(strict=True, extra="allow")

    total: int


class Payer(BaseModel):
    model_config = ConfigDict(strict=True, extra="allow")

    openid: Text = ""


class TransactionResource(NotificationResource):
    """TRANSACTION.SUCCESS."""

    out_trade_no: Annotated[str, StringConstraints(min_length=1, max_length=32)]
    transaction_id: Id
    trade_state: Text
    amount: TransactionAmount
    payer: Payer | None = None
    success_time: Text = ""  # when the buyer paid, e.g. "2026-11-30T10:00:00+08:00"


class RefundAmount(BaseModel):
    model_config = ConfigDict(strict=True, extra="allow")

    refund: int
    total: int


class RefundResource(NotificationResource):
    """REFUND.SUCCESS, REFUND.ABNORMAL, REFUND.CLOSED."""

    out_refund_no: Id
    refund_id: Id | None = None  # WeChat's number of the refund, recorded once it succeeded
    refund_status: Text
    amount: RefundAmount

    @model_validator(mode="after")
    def _succeeded_refunds_have_their_id(self) -> "RefundResource":
        if self.refund_status == "SUCCESS" and self.refund_id is None:
            raise ValueError("refund_id is required when refund_status is SUCCESS")
        return self
