"""WeChat Pay merchant transfers (商家转账, scene 1005 佣金报酬) through wechatpayv3, on the
same client, keys and gateway as the payment provider."""

import json
from datetime import datetime

from django.conf import settings

from fenxiao.payments.notify import Notification
from fenxiao.payments.providers.wechat import WechatPayProvider
from fenxiao.payouts.errors import TransferUnknown
from fenxiao.payouts.providers.base import STATES, Bill


def report_infos() -> list[dict]:
    """Scene 1005 asks for the post (岗位类型) and what the pay is for (报酬说明)."""
    return [
        {"info_type": "岗位类型", "info_content": settings.WECHAT_TRANSFER_POST_TYPE},
        {"info_type": "报酬说明", "info_content": settings.WECHAT_TRANSFER_REWARD_NOTE},
    ]


def _call(what: str, method, **kwargs) -> tuple[int, str]:
    """One call; a network failure or an answer whose signature does not verify (a bare
    Exception in wechatpayv3) leaves the outcome unknown."""
    try:
        code, message = method(**kwargs)
    except Exception as exc:  # noqa: BLE001 - any failure of the remote call
        raise TransferUnknown(f"{what}未得到应答: {exc}") from exc
    text = message.decode("utf-8", "replace") if isinstance(message, bytes) else message
    return code, text


def _bill(text: str) -> Bill:
    try:
        data = json.loads(text)
        state = data["state"]
        if state not in STATES:
            raise ValueError(f"unknown state {state!r}")
        amount = data.get("transfer_amount")
        return Bill(
            out_bill_no=str(data["out_bill_no"]),
            state=state,
            transfer_bill_no=str(data.get("transfer_bill_no") or ""),
            package_info=str(data.get("package_info") or ""),
            fail_reason=str(data.get("fail_reason") or ""),
            amount_cents=amount if isinstance(amount, int) else None,
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise TransferUnknown(f"微信转账应答格式错误: {exc}") from exc


def _error_code(text: str) -> str:
    try:
        return str(json.loads(text).get("code", ""))
    except (ValueError, AttributeError):
        return ""


class WechatTransferProvider:
    name = "wechat"

    def __init__(self):
        self.pay = WechatPayProvider()  # raises ProviderUnavailable when not configured
        self.client = self.pay.client
        self.mchid, self.appid = self.pay.mchid, self.pay.appid

    def create_bill(self, *, out_bill_no, amount_cents, openid, user_name, remark) -> Bill:
        code, text = _call(
            "微信转账",
            self.client.mch_transfer_bills,
            out_bill_no=out_bill_no,
            transfer_scene_id=settings.WECHAT_TRANSFER_SCENE_ID,
            openid=openid,
            transfer_amount=amount_cents,
            transfer_remark=remark[:32],
            user_name=user_name or None,
            user_recv_perception=settings.WECHAT_TRANSFER_PERCEPTION or None,
            transfer_scene_report_infos=report_infos(),
            notify_url=f"{settings.PUBLIC_BASE_URL}/api/v1/payouts/notify/wechat",
        )
        if code != 200:
            # WeChat: never switch to a new out_bill_no on an error; query the bill first
            raise TransferUnknown(f"微信转账未受理: {code} {text[:200]}")
        return _bill(text)

    def query_bill(self, out_bill_no) -> Bill | None:
        code, text = _call(
            "查询微信转账", self.client.mch_transfer_bills_query, out_bill_no=out_bill_no
        )
        if code == 200:
            return _bill(text)
        if code == 404 and _error_code(text) == "NOT_FOUND":
            return None
        raise TransferUnknown(f"查询微信转账失败: {code} {text[:200]}")

    def cancel_bill(self, out_bill_no) -> Bill:
        code, text = _call(
            "撤销微信转账", self.client.mch_transfer_bills_cancel, out_bill_no=out_bill_no
        )
        if code != 200:
            raise TransferUnknown(f"撤销微信转账失败: {code} {text[:200]}")
        return _bill(text)

    def verify(self, *, headers, body, now: datetime) -> Notification:
        return self.pay.verify(headers=headers, body=body, now=now)
