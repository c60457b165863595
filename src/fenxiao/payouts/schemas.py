"""Input and output of the payouts API; amounts are decimal strings in yuan."""

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Literal

from ninja import Schema
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from fenxiao.pagination import PageFilters
from fenxiao.payouts.selectors import transfer_out

Text = Annotated[str, StringConstraints(strip_whitespace=True, max_length=64)]
Required64 = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]
# parsed by the service (money.yuan) so that 1.001 or "abc" get a clear Chinese message
AmountText = Annotated[str, StringConstraints(strip_whitespace=True, max_length=20)]
StatusName = Literal["requested", "approved", "paid", "rejected", "failed", "cancelled"]
ChannelName = Literal["sandbox", "wechat", "bank", "alipay"]


class WithdrawalIn(Schema):
    amount: AmountText
    channel: Annotated[str, StringConstraints(strip_whitespace=True, max_length=16)]
    request_id: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)
    ]
    account: dict[str, Text] | None = Field(
        default=None,
        description="bank: {bank_name, card_no, holder}; alipay: {account, holder}; sandbox: none",
    )


class PreviewQuery(Schema):
    amount: AmountText


class PreviewOut(Schema):
    amount: Decimal
    fee: Decimal
    tax: Decimal
    net: Decimal


class TransferOut(Schema):
    """What the client needs to open WeChat's confirm page (wx.requestMerchantTransfer)."""

    state: str = Field(description="WeChat's bill state, or UNKNOWN / NOT_FOUND (ours)")
    package_info: str = Field(description="only while state is WAIT_USER_CONFIRM")
    mch_id: str
    app_id: str
    confirm_before: datetime


class WithdrawalOut(Schema):
    id: int
    amount: Decimal
    fee: Decimal
    tax: Decimal
    net: Decimal
    channel: str
    account: dict
    status: StatusName
    reason: str
    paid_reference: str
    created_at: datetime
    reviewed_at: datetime | None
    paid_at: datetime | None
    transfer: TransferOut | None = Field(
        None, description="the current transfer bill (wechat and sandbox channels)"
    )

    @staticmethod
    def resolve_transfer(obj) -> dict | None:
        return transfer_out(obj)


class StaffWithdrawalOut(WithdrawalOut):
    user_id: int
    request_id: str
    reviewed_by_id: int | None


class WithdrawalPage(Schema):
    count: int
    page: int
    page_size: int
    items: list[WithdrawalOut]


class StaffWithdrawalPage(WithdrawalPage):
    items: list[StaffWithdrawalOut]


class StaffWithdrawalFilters(PageFilters):
    status: StatusName | None = None
    channel: ChannelName | None = None


class RejectIn(Schema):
    reason: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


class MarkPaidIn(Schema):
    reference: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]


class IdentityIn(Schema):
    real_name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=32)]
    id_number: Annotated[str, StringConstraints(strip_whitespace=True, max_length=18)]


class IdentityOut(Schema):
    required: bool = Field(description="the plan withholds tax: identity needed to withdraw")
    registered: bool
    real_name: str
    id_number: str = Field(description="masked, as 1101**********1234")


class TransferResource(BaseModel):
    """The decrypted resource of MCHTRANSFER.BILL.FINISHED: the fields we read, strictly typed."""

    model_config = ConfigDict(strict=True, extra="allow")

    mch_id: Annotated[str, StringConstraints(max_length=32)]
    out_bill_no: Annotated[str, StringConstraints(min_length=1, max_length=32)]
    transfer_bill_no: Annotated[str, StringConstraints(max_length=64)] = ""
    state: Literal["SUCCESS", "FAIL", "CANCELLED"]
    transfer_amount: int
    fail_reason: Annotated[str, StringConstraints(max_length=64)] = ""


class ChannelOption(Schema):
    channel: str
    label: str
    account_fields: list[str] = Field(description="what `account` must carry for this channel")


class OptionsOut(Schema):
    channels: list[ChannelOption]
    identity_required: bool
    identity_registered: bool
    min_amount: Decimal
    daily_max_amount: Decimal
    daily_max_count: int
    fee_percent: Decimal
    available: Decimal
    today_amount: Decimal = Field(description="today's withdrawals that still count (北京时间)")
    today_count: int
