"""Verifying and decrypting WeChat Pay v3 notifications; the sandbox and WeChat share it.

wechatpayv3 checks the RSA-SHA256 signature and decrypts AES-256-GCM; on top of that this
refuses unknown key serials and timestamps more than NOTIFY_MAX_SKEW from our clock.
"""

import json
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from wechatpayv3.utils import aes_decrypt, rsa_verify

from fenxiao.payments.errors import NotificationRejected

SIGNATURE_TYPE = "WECHATPAY2-SHA256-RSA2048"

# why a notification is refused, by code (the API docs of the notify endpoints list them)
REFUSALS = {
    "unsupported_signature": "不支持的签名类型",
    "missing_signature": "缺少签名头",
    "invalid_timestamp": "时间戳格式错误",
    "stale_timestamp": "通知时间戳与服务器时间相差超过 5 分钟",
    "unknown_serial": "未知的平台证书序列号",
    "invalid_signature": "签名错误",
    "unsupported_algorithm": "不支持的加密算法",
    "decrypt_failed": "通知解密失败",
    "malformed_notification": "通知格式错误",
}


def refusal(code: str) -> NotificationRejected:
    return NotificationRejected(REFUSALS[code], code=code)


def refusals() -> list[NotificationRejected]:
    return [refusal(code) for code in REFUSALS]


@dataclass(frozen=True)
class Notification:
    id: str
    event_type: str
    resource: dict


def verify_notification(
    *, headers, body: str, public_keys: dict, apiv3_key: str, now: datetime
) -> Notification:
    """Return the decrypted notification, or raise NotificationRejected saying why."""
    timestamp = headers.get("Wechatpay-Timestamp", "")
    nonce = headers.get("Wechatpay-Nonce", "")
    signature = headers.get("Wechatpay-Signature", "")
    serial = headers.get("Wechatpay-Serial", "")
    if headers.get("Wechatpay-Signature-Type", SIGNATURE_TYPE) != SIGNATURE_TYPE:
        raise refusal("unsupported_signature")
    if not (nonce and signature and timestamp):
        raise refusal("missing_signature")
    # ASCII digits of a sane length: "²".isdigit() is true, and 400 digits overflow a float
    if not (timestamp.isascii() and timestamp.isdigit() and len(timestamp) <= 12):
        raise refusal("invalid_timestamp")
    skew = abs(now.timestamp() - int(timestamp))
    if skew > settings.NOTIFY_MAX_SKEW.total_seconds():
        raise refusal("stale_timestamp")
    public_key = public_keys.get(serial)
    if public_key is None:
        raise refusal("unknown_serial")
    if not rsa_verify(timestamp, nonce, body, signature, public_key):
        raise refusal("invalid_signature")
    try:
        data = json.loads(body)
        resource = data["resource"]
        # ids and event types are short in WeChat's format (and in our columns)
        if not (isinstance(data.get("id"), str) and 0 < len(data["id"]) <= 64):
            raise ValueError("notification id missing or too long")
        if not (isinstance(data.get("event_type"), str) and len(data["event_type"]) <= 40):
            raise ValueError("event type missing or too long")
        if resource.get("algorithm") != "AEAD_AES_256_GCM":
            raise refusal("unsupported_algorithm")
        plain = aes_decrypt(
            nonce=resource["nonce"],
            ciphertext=resource["ciphertext"],
            associated_data=resource.get("associated_data") or "",
            apiv3_key=apiv3_key,
        )
        if plain is None:
            raise refusal("decrypt_failed")
        decrypted = json.loads(plain)
        if not isinstance(decrypted, dict):
            raise ValueError("resource is not an object")
        return Notification(id=data["id"], event_type=data["event_type"], resource=decrypted)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise refusal("malformed_notification") from exc
