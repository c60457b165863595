"""The sandbox transfer channel: it holds bills like WeChat (WAIT_USER_CONFIRM until the user
confirms, then SUCCESS; cancellable before that) and signs its notifications with the payment
sandbox's platform key, so the real verification code runs in the demo and the tests."""

import base64
import secrets
from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from fenxiao.payments.notify import Notification, verify_notification
from fenxiao.payments.providers.sandbox import (
    SANDBOX_APPID,
    SANDBOX_MCHID,
    SandboxKeys,
    notification_body,
    sign_notification,
)
from fenxiao.payouts.errors import TransferUnknown
from fenxiao.payouts.models import SandboxTransferBill
from fenxiao.payouts.providers.base import NOTIFY_EVENT, Bill

WAITING = "WAIT_USER_CONFIRM"


def _bill(row: SandboxTransferBill) -> Bill:
    return Bill(
        out_bill_no=row.out_bill_no,
        state=row.state,
        transfer_bill_no=row.transfer_bill_no,
        package_info=row.package_info if row.state == WAITING else "",
        fail_reason=row.fail_reason,
        amount_cents=row.amount_cents,
    )


class SandboxTransferProvider:
    name = "sandbox"
    mchid = SANDBOX_MCHID
    appid = SANDBOX_APPID

    def __init__(self, key_dir: Path | None = None):
        self.keys = SandboxKeys(Path(key_dir or settings.SANDBOX_KEY_DIR))

    # the interface
    def create_bill(self, *, out_bill_no, amount_cents, openid, user_name, remark) -> Bill:
        now = timezone.now()
        row, _ = SandboxTransferBill.objects.get_or_create(
            out_bill_no=out_bill_no,
            defaults={
                "transfer_bill_no": "1330" + now.strftime("%Y%m%d") + secrets.token_hex(10),
                "state": WAITING,
                "amount_cents": amount_cents,
                "openid": openid,
                "package_info": base64.b64encode(secrets.token_bytes(48)).decode(),
                "created_at": now,
                "updated_at": now,
            },
        )
        return _bill(row)

    def query_bill(self, out_bill_no) -> Bill | None:
        row = SandboxTransferBill.objects.filter(out_bill_no=out_bill_no).first()
        return _bill(row) if row else None

    def cancel_bill(self, out_bill_no) -> Bill:
        """Cancels at once (WeChat passes through CANCELING); a bill the user confirmed
        first answers with its state."""
        self._move(out_bill_no, state="CANCELLED", reason="")
        bill = self.query_bill(out_bill_no)
        if bill is None:
            raise TransferUnknown("沙箱没有这张转账单")
        return bill

    def verify(self, *, headers, body, now: datetime) -> Notification:
        return verify_notification(
            headers=headers,
            body=body,
            public_keys={self.keys.serial: self.keys.public_key},
            apiv3_key=self.keys.apiv3_key,
            now=now,
        )

    # what the sandbox plays of WeChat's side
    def _move(self, out_bill_no: str, *, state: str, reason: str) -> bool:
        """WAIT_USER_CONFIRM → state, by one conditional update: of a confirm and a cancel
        arriving together, one wins."""
        return bool(
            SandboxTransferBill.objects.filter(out_bill_no=out_bill_no, state=WAITING).update(
                state=state, fail_reason=reason, updated_at=timezone.now()
            )
        )

    def finish(
        self, out_bill_no: str, *, state: str = "SUCCESS", reason: str = ""
    ) -> tuple[dict, str] | None:
        """The user confirms (SUCCESS), or WeChat fails the bill (FAIL): the signed
        MCHTRANSFER.BILL.FINISHED notification, or None when the bill was not waiting."""
        if not self._move(out_bill_no, state=state, reason=reason):
            return None
        return self.notification(out_bill_no)

    def notification(self, out_bill_no: str) -> tuple[dict, str]:
        row = SandboxTransferBill.objects.get(out_bill_no=out_bill_no)
        resource = {
            "mch_id": self.mchid,
            "out_bill_no": row.out_bill_no,
            "transfer_bill_no": row.transfer_bill_no,
            "state": row.state,
            "transfer_amount": row.amount_cents,
            "openid": row.openid,
            "create_time": timezone.localtime(row.created_at).isoformat(timespec="seconds"),
            "update_time": timezone.localtime(row.updated_at).isoformat(timespec="seconds"),
        }
        if row.fail_reason:
            resource["fail_reason"] = row.fail_reason
        body = notification_body(
            event_type=NOTIFY_EVENT,
            original_type="mch_payment",
            summary="商家转账单据终态通知",
            resource=resource,
            apiv3_key=self.keys.apiv3_key,
        )
        headers = sign_notification(
            private_key=self.keys.private_key, serial=self.keys.serial, body=body
        )
        return headers, body
