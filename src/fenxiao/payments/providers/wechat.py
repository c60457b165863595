"""WeChat Pay API v3 (JSAPI for the mini-program) through wechatpayv3, in public-key mode."""

import gzip
import hashlib
import json
from datetime import date, datetime
from pathlib import Path

from django.conf import settings
from wechatpayv3 import WeChatPay, WeChatPayType
from wechatpayv3.core import Core
from wechatpayv3.utils import load_public_key

from fenxiao.payments.errors import ProviderError, ProviderUnavailable
from fenxiao.payments.notify import Notification, verify_notification
from fenxiao.payments.providers.base import request_payment_params

REQUIRED = [
    "WECHAT_APPID",
    "WECHAT_MCHID",
    "WECHAT_CERT_SERIAL",
    "WECHAT_PRIVATE_KEY_PATH",
    "WECHAT_APIV3_KEY",
    "WECHAT_PUBLIC_KEY_PATH",
    "WECHAT_PUBLIC_KEY_ID",
]


def missing_settings() -> list[str]:
    return [f"FENXIAO_{name}" for name in REQUIRED if not getattr(settings, name)]


def _call(what: str, method, **kwargs) -> tuple[int, str]:
    """One call to WeChat Pay; network failures and unverifiable answers become ProviderError
    (wechatpayv3 raises a bare Exception when a response's signature does not verify)."""
    try:
        code, message = method(**kwargs)
    except Exception as exc:  # noqa: BLE001 - any failure of the remote call
        raise ProviderError(f"{what}失败: {exc}") from exc
    text = message.decode("utf-8", "replace") if isinstance(message, bytes) else message
    return code, text


class FreshHeadersCore(Core):
    """wechatpayv3's Core.request has a mutable default `headers={}` that every call updates
    with its Authorization: two threads of one worker paying at once send each other's
    signature (WeChat answers SIGN_ERROR). Each call gets a dict of its own."""

    def request(self, *args, headers=None, **kwargs):
        return super().request(*args, headers=dict(headers or {}), **kwargs)


class WechatPayProvider:
    name = "wechat"

    def __init__(self):
        if missing_settings():
            raise ProviderUnavailable("微信支付未配置: " + ", ".join(missing_settings()))
        self.mchid = settings.WECHAT_MCHID
        self.appid = settings.WECHAT_APPID
        public_pem = Path(settings.WECHAT_PUBLIC_KEY_PATH).read_text()
        self.client = WeChatPay(
            wechatpay_type=WeChatPayType.MINIPROG,
            mchid=self.mchid,
            private_key=Path(settings.WECHAT_PRIVATE_KEY_PATH).read_text(),
            cert_serial_no=settings.WECHAT_CERT_SERIAL,
            apiv3_key=settings.WECHAT_APIV3_KEY,
            appid=self.appid,
            notify_url=f"{settings.PUBLIC_BASE_URL}/api/v1/payments/notify/wechat",
            public_key=public_pem,
            public_key_id=settings.WECHAT_PUBLIC_KEY_ID,
            timeout=(5, 10),
        )
        self.client._core.__class__ = FreshHeadersCore
        self.client._core._gate_way = settings.WECHAT_PAY_GATEWAY
        self.public_key = load_public_key(public_pem)

    def create_payment(self, *, out_trade_no, amount_cents, description, payer_openid):
        code, message = _call(
            "微信下单",
            self.client.pay,
            description=description[:127],
            out_trade_no=out_trade_no,
            amount={"total": amount_cents, "currency": "CNY"},
            payer={"openid": payer_openid},
            pay_type=WeChatPayType.MINIPROG,
        )
        if code != 200:
            raise ProviderError(f"微信下单失败: {code} {message[:200]}")
        prepay_id = json.loads(message)["prepay_id"]
        params = request_payment_params(
            appid=self.appid, prepay_id=prepay_id, sign=self.client.sign
        )
        return prepay_id, params

    def refund(
        self, *, out_trade_no, transaction_id, out_refund_no, refund_cents, total_cents, reason
    ):
        code, message = _call(
            "微信退款",
            self.client.refund,
            out_refund_no=out_refund_no,
            amount={"refund": refund_cents, "total": total_cents, "currency": "CNY"},
            transaction_id=transaction_id,
            reason=reason[:80],
            notify_url=f"{settings.PUBLIC_BASE_URL}/api/v1/payments/notify/wechat",
        )
        if code not in (200, 201):
            raise ProviderError(f"微信退款失败: {code} {message[:200]}")
        return None

    def close(self, *, out_trade_no):
        code, message = _call("微信关单", self.client.close, out_trade_no=out_trade_no)
        if code not in (200, 204):
            raise ProviderError(f"微信关单失败: {code} {message[:200]}")

    def verify(self, *, headers, body, now: datetime) -> Notification:
        return verify_notification(
            headers=headers,
            body=body,
            public_keys={settings.WECHAT_PUBLIC_KEY_ID: self.public_key},
            apiv3_key=settings.WECHAT_APIV3_KEY,
            now=now,
        )

    def query_payment(self, *, out_trade_no):
        code, message = _call("微信查单", self.client.query, out_trade_no=out_trade_no)
        if code == 404:
            return None  # ORDER_NOT_EXIST
        if code != 200:
            raise ProviderError(f"微信查单失败: {code} {message[:200]}")
        return json.loads(message)

    def trade_bill(self, *, bill_date: date) -> bytes:
        return self._bill("交易账单", self.client.trade_bill, bill_date=bill_date.isoformat())

    def fundflow_bill(self, *, bill_date: date) -> bytes:
        return self._bill("资金账单", self.client.fundflow_bill, bill_date=bill_date.isoformat())

    def _bill(self, what: str, apply, **kwargs) -> bytes:
        """Apply for a bill, download it (gzip), and check it against the SHA1 hash WeChat
        gave with the download address; a bill that does not match is refused."""
        code, message = _call(f"申请{what}", apply, tar_type="GZIP", **kwargs)
        if code == 400 and '"NO_STATEMENT_EXIST"' in message:
            return b""  # no trade that day: WeChat has no bill for it
        if code != 200:
            raise ProviderError(f"申请{what}失败: {code} {message[:200]}")
        answer = json.loads(message)
        try:
            # the file's answer carries no WeChat signature: the hash is what vouches for it
            code, content = self.client.download_bill(answer["download_url"])
        except Exception as exc:  # noqa: BLE001 - any failure of the remote call
            raise ProviderError(f"下载{what}失败: {exc}") from exc
        if code != 200 or not isinstance(content, bytes):
            raise ProviderError(f"下载{what}失败: {code}")
        try:
            data = gzip.decompress(content)
        except (OSError, EOFError) as exc:
            raise ProviderError(f"{what}不是有效的 gzip 文件") from exc
        expected = str(answer.get("hash_value", "")).lower()
        if answer.get("hash_type") != "SHA1" or hashlib.sha1(data).hexdigest() != expected:
            raise ProviderError(f"{what}哈希校验失败，已拒收")
        return data
