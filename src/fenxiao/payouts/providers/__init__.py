"""Transfer channels behind one small interface; `get()` returns an enabled one by name."""

from django.conf import settings

from fenxiao.payments.providers.sandbox import SANDBOX_APPID, SANDBOX_MCHID
from fenxiao.payouts.errors import ChannelUnavailable
from fenxiao.payouts.providers.base import TransferProvider
from fenxiao.payouts.providers.sandbox import SandboxTransferProvider
from fenxiao.payouts.providers.wechat import WechatTransferProvider

FACTORIES = {"sandbox": SandboxTransferProvider, "wechat": WechatTransferProvider}
SCENE_SETTINGS = (
    "WECHAT_TRANSFER_SCENE_ID",
    "WECHAT_TRANSFER_POST_TYPE",
    "WECHAT_TRANSFER_REWARD_NOTE",
)
_instances: dict[str, TransferProvider] = {}


def get(name: str) -> TransferProvider:
    if name not in settings.PAYOUT_CHANNELS or name not in FACTORIES:
        raise ChannelUnavailable(f"转账渠道未启用: {name}")
    if name not in _instances:
        _instances[name] = FACTORIES[name]()
    return _instances[name]


def merchant_ids(name: str) -> tuple[str, str]:
    """(mch_id, app_id) the client passes to wx.requestMerchantTransfer, without building a
    provider (that reads key files)."""
    if name == "wechat":
        return settings.WECHAT_MCHID, settings.WECHAT_APPID
    return SANDBOX_MCHID, SANDBOX_APPID


def reset() -> None:
    """Forget built providers, e.g. after their settings changed."""
    _instances.clear()


def config_problems() -> list[str]:
    """For `fenxiao check`: what the enabled transfer channels lack (the WeChat Pay keys
    themselves are checked with payments)."""
    problems = []
    if "wechat" in settings.PAYOUT_CHANNELS:
        for name in SCENE_SETTINGS:
            if not getattr(settings, name):
                problems.append(f"FENXIAO_{name} is not set (WeChat transfers)")
    if "sandbox" in settings.PAYOUT_CHANNELS:
        problems.append("FENXIAO_PAYOUT_CHANNELS includes the sandbox (payouts without money)")
    return problems
