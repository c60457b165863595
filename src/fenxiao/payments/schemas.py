from typing import Annotated, Literal

from ninja import Schema
from pydantic import StringConstraints


class PayIn(Schema):
    provider: Annotated[str, StringConstraints(max_length=16)] | None = None


class PayOut(Schema):
    payment_id: int
    provider: str
    out_trade_no: str
    amount: str
    status: str
    params: dict


class DeliveredNotification(Schema):
    headers: dict[str, str]
    body: str


class SandboxCompleteOut(Schema):
    payment_id: int
    status: Literal["created", "paid", "closed"]
    order_status: str
    notification: DeliveredNotification


class RefundApproveIn(Schema):
    return_stock: bool = True
