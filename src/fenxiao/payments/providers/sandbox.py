"""The sandbox: a local stand-in for WeChat Pay that signs and encrypts its notifications
exactly as WeChat Pay v3 does, with a platform key generated on first use.
"""

import base64
import json
import os
import secrets
import uuid
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.utils import timezone
from wechatpayv3.utils import rsa_sign

from fenxiao.money import ZERO, to_integer_fen, yuan
from fenxiao.payments import bills, selectors
from fenxiao.payments.models import Payment
from fenxiao.payments.notify import SIGNATURE_TYPE, Notification, verify_notification
from fenxiao.payments.providers.base import request_payment_params
from fenxiao.payouts.models import SandboxTransferBill

SANDBOX_MCHID = "1900000000"
SANDBOX_APPID = "wxsandbox00000000"


def _create_once(path: Path, make) -> bytes:
    """Write a key file exactly once, even when several processes start together."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.{secrets.token_hex(4)}.tmp")
        tmp.write_bytes(make())
        tmp.chmod(0o600)
        try:
            os.link(tmp, path)  # atomic; fails if another process won
        except FileExistsError:
            pass
        finally:
            tmp.unlink()
    return path.read_bytes()


def _new_private_key() -> bytes:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


class SandboxKeys:
    def __init__(self, key_dir: Path):
        pem = _create_once(key_dir / "platform_private_key.pem", _new_private_key)
        self.private_key = serialization.load_pem_private_key(pem, password=None)
        self.public_key = self.private_key.public_key()
        self.apiv3_key = _create_once(
            key_dir / "apiv3_key", lambda: secrets.token_hex(16).encode()
        ).decode()
        public_der = self.public_key.public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        self.serial = (
            "PUB_KEY_ID_SANDBOX_" + uuid.uuid5(uuid.NAMESPACE_OID, public_der.hex()).hex[:12]
        )


def encrypt_resource(apiv3_key: str, plaintext: str, associated_data: str) -> dict:
    nonce = secrets.token_hex(6)
    ciphertext = AESGCM(apiv3_key.encode()).encrypt(
        nonce.encode(), plaintext.encode(), associated_data.encode()
    )
    return {
        "algorithm": "AEAD_AES_256_GCM",
        "ciphertext": base64.b64encode(ciphertext).decode(),
        "associated_data": associated_data,
        "nonce": nonce,
    }


def sign_notification(
    *, private_key, serial: str, body: str, timestamp: int | None = None, nonce: str | None = None
) -> dict:
    """The headers WeChat Pay v3 sends: signature over "timestamp\\nnonce\\nbody\\n"."""
    timestamp = int(timezone.now().timestamp()) if timestamp is None else timestamp
    nonce = nonce or secrets.token_hex(16)
    return {
        "Wechatpay-Timestamp": str(timestamp),
        "Wechatpay-Nonce": nonce,
        "Wechatpay-Signature": rsa_sign(private_key, f"{timestamp}\n{nonce}\n{body}\n"),
        "Wechatpay-Serial": serial,
        "Wechatpay-Signature-Type": SIGNATURE_TYPE,
    }


def notification_body(
    *, event_type: str, original_type: str, summary: str, resource: dict, apiv3_key: str
) -> str:
    return json.dumps(
        {
            "id": str(uuid.uuid4()),
            "create_time": timezone.localtime().isoformat(timespec="seconds"),
            "resource_type": "encrypt-resource",
            "event_type": event_type,
            "summary": summary,
            "resource": {
                "original_type": original_type,
                **encrypt_resource(
                    apiv3_key, json.dumps(resource, ensure_ascii=False), original_type
                ),
            },
        },
        ensure_ascii=False,
    )


def sandbox_transfers_finished(*, start: datetime, end: datetime) -> list[dict]:
    """The merchant transfers the sandbox paid out in [start, end), from its own records of
    the transfer bills it holds (payouts' SandboxTransferBill; payouts.models imports nothing
    of payments, so this makes no import cycle)."""
    done = SandboxTransferBill.objects.filter(
        state="SUCCESS", updated_at__gte=start, updated_at__lt=end
    )
    return [
        {
            "finished_at": bill.updated_at,
            "transfer_bill_no": bill.transfer_bill_no,
            "amount": yuan(Decimal(bill.amount_cents).scaleb(-2)),
            "out_bill_no": bill.out_bill_no,
        }
        for bill in done.order_by("updated_at", "pk")
    ]


class SandboxProvider:
    name = "sandbox"
    mchid = SANDBOX_MCHID
    appid = SANDBOX_APPID

    def __init__(self, key_dir: Path | None = None):
        self.keys = SandboxKeys(Path(key_dir or settings.SANDBOX_KEY_DIR))

    # the interface
    def create_payment(self, *, out_trade_no, amount_cents, description, payer_openid):
        prepay_id = f"sandbox_prepay_{out_trade_no}"
        params = request_payment_params(
            appid=self.appid,
            prepay_id=prepay_id,
            sign=lambda fields: rsa_sign(self.keys.private_key, "\n".join(fields) + "\n"),
        )
        return prepay_id, params

    def refund(
        self, *, out_trade_no, transaction_id, out_refund_no, refund_cents, total_cents, reason
    ):
        """The sandbox refunds at once and answers with its signed REFUND.SUCCESS."""
        return self.refund_notification(
            out_trade_no=out_trade_no,
            transaction_id=transaction_id,
            out_refund_no=out_refund_no,
            refund_cents=refund_cents,
            total_cents=total_cents,
        )

    def close(self, *, out_trade_no):
        """Nothing to tell: the sandbox refuses to complete a closed payment."""

    def verify(self, *, headers, body, now: datetime) -> Notification:
        return verify_notification(
            headers=headers,
            body=body,
            public_keys={self.keys.serial: self.keys.public_key},
            apiv3_key=self.keys.apiv3_key,
            now=now,
        )

    def query_payment(self, *, out_trade_no):
        """What the sandbox knows: a payment completed through it is SUCCESS, one nobody
        completed NOTPAY, one closed CLOSED."""
        payment = Payment.objects.filter(provider=self.name, out_trade_no=out_trade_no).first()
        if payment is None:
            return None
        states = {Payment.Status.PAID: "SUCCESS", Payment.Status.CLOSED: "CLOSED"}
        answer = {
            "mchid": self.mchid,
            "appid": self.appid,
            "out_trade_no": out_trade_no,
            "trade_state": states.get(payment.status, "NOTPAY"),
            "amount": {"total": to_integer_fen(payment.amount), "currency": "CNY"},
        }
        if payment.status == Payment.Status.PAID:
            answer["transaction_id"] = payment.transaction_id
            answer["payer"] = {"openid": payment.payer_openid}
        return answer

    def trade_bill(self, *, bill_date: date) -> bytes:
        """The day's trade bill in WeChat's format, from what the sandbox did that day."""
        start, end = bills.day_bounds(bill_date)
        lines = [
            bills.TradeLine(
                time=payment.paid_at,
                appid=self.appid,
                mchid=self.mchid,
                transaction_id=payment.transaction_id,
                out_trade_no=payment.out_trade_no,
                openid=payment.payer_openid,
                state="SUCCESS",
                amount=payment.amount,
                description=f"订单 {payment.out_trade_no}",
            )
            for payment in selectors.payments_paid_between(provider=self.name, start=start, end=end)
        ]
        lines += [
            bills.TradeLine(
                time=refund.succeeded_at,
                appid=self.appid,
                mchid=self.mchid,
                transaction_id=refund.payment.transaction_id,
                out_trade_no=refund.payment.out_trade_no,
                openid=refund.payment.payer_openid,
                state="REFUND",
                amount=ZERO,
                refund_id=refund.provider_refund_id,
                out_refund_no=refund.out_refund_no,
                refund_amount=refund.amount,
                description=f"订单 {refund.payment.out_trade_no}",
            )
            for refund in selectors.refunds_succeeded_between(
                provider=self.name, start=start, end=end
            )
        ]
        return bills.trade_bill_csv(sorted(lines, key=lambda line: line.time))

    def fundflow_bill(self, *, bill_date: date) -> bytes:
        """The day's fund-flow bill: payments in, refunds and payout transfers out."""
        start, end = bills.day_bounds(bill_date)
        paid = selectors.payments_paid_between(provider=self.name, start=start, end=end)
        refunds = selectors.refunds_succeeded_between(provider=self.name, start=start, end=end)
        transfers = sandbox_transfers_finished(start=start, end=end)
        lines = [
            bills.FundLine(p.paid_at, p.transaction_id, "交易", True, p.amount, p.out_trade_no)
            for p in paid
        ]
        lines += [
            bills.FundLine(
                r.succeeded_at, r.provider_refund_id, "退款", False, r.amount, r.out_refund_no
            )
            for r in refunds
        ]
        lines += [
            bills.FundLine(
                t["finished_at"],
                t["transfer_bill_no"],
                "商家转账",
                False,
                t["amount"],
                t["out_bill_no"],
            )
            for t in transfers
        ]
        return bills.fundflow_bill_csv(sorted(lines, key=lambda line: line.time))

    # what the sandbox plays of WeChat's side
    def signed(self, body: str) -> dict:
        return sign_notification(
            private_key=self.keys.private_key, serial=self.keys.serial, body=body
        )

    def payment_notification(
        self, *, out_trade_no: str, amount_cents: int, payer_openid: str = ""
    ) -> tuple[dict, str]:
        now = timezone.localtime()
        resource = {
            "mchid": self.mchid,
            "appid": self.appid,
            "out_trade_no": out_trade_no,
            "transaction_id": "42" + now.strftime("%Y%m%d") + secrets.token_hex(8),
            "trade_type": "JSAPI",
            "trade_state": "SUCCESS",
            "trade_state_desc": "支付成功",
            "bank_type": "OTHERS",
            "attach": "",
            "success_time": now.isoformat(timespec="seconds"),
            "payer": {"openid": payer_openid or "sandbox-openid"},
            "amount": {
                "total": amount_cents,
                "payer_total": amount_cents,
                "currency": "CNY",
                "payer_currency": "CNY",
            },
        }
        body = notification_body(
            event_type="TRANSACTION.SUCCESS",
            original_type="transaction",
            summary="支付成功",
            resource=resource,
            apiv3_key=self.keys.apiv3_key,
        )
        return self.signed(body), body

    def refund_notification(
        self,
        *,
        out_trade_no: str,
        transaction_id: str,
        out_refund_no: str,
        refund_cents: int,
        total_cents: int,
    ) -> tuple[dict, str]:
        now = timezone.localtime()
        resource = {
            "mchid": self.mchid,
            "out_trade_no": out_trade_no,
            "transaction_id": transaction_id,
            "out_refund_no": out_refund_no,
            "refund_id": "50" + now.strftime("%Y%m%d") + secrets.token_hex(8),
            "refund_status": "SUCCESS",
            "success_time": now.isoformat(timespec="seconds"),
            "user_received_account": "支付用户零钱",
            "amount": {
                "total": total_cents,
                "refund": refund_cents,
                "payer_total": total_cents,
                "payer_refund": refund_cents,
            },
        }
        body = notification_body(
            event_type="REFUND.SUCCESS",
            original_type="refund",
            summary="退款成功",
            resource=resource,
            apiv3_key=self.keys.apiv3_key,
        )
        return self.signed(body), body
