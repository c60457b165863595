"""What a transfer channel (商家转账) does for us, and the bill it answers with."""

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from fenxiao.payments.notify import Notification

# WeChat's bill states (our own UNKNOWN and NOT_FOUND never come from a channel)
STATES = {
    "ACCEPTED",
    "PROCESSING",
    "WAIT_USER_CONFIRM",
    "TRANSFERING",
    "SUCCESS",
    "FAIL",
    "CANCELING",
    "CANCELLED",
}
NOTIFY_EVENT = "MCHTRANSFER.BILL.FINISHED"


@dataclass(frozen=True)
class Bill:
    """A transfer bill as the channel reports it."""

    out_bill_no: str
    state: str
    transfer_bill_no: str = ""
    package_info: str = ""
    fail_reason: str = ""
    amount_cents: int | None = None


class TransferProvider(Protocol):
    name: str
    mchid: str
    appid: str

    def create_bill(
        self, *, out_bill_no: str, amount_cents: int, openid: str, user_name: str, remark: str
    ) -> Bill:
        """Issue the bill; raise TransferUnknown when the answer is not a clear bill (network
        error, a non-200 answer): the bill may exist, only a query can tell."""

    def query_bill(self, out_bill_no: str) -> Bill | None:
        """The bill as the channel holds it, None when it has no such bill (NOT_FOUND)."""

    def cancel_bill(self, out_bill_no: str) -> Bill:
        """Ask to cancel an unconfirmed bill; the answer is CANCELING or CANCELLED (or the
        state it reached first). Raise TransferUnknown when the channel refuses."""

    def verify(self, *, headers, body: str, now: datetime) -> Notification:
        """Check signature, time and encryption of a notification; raise if not genuine."""
