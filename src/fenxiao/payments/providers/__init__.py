"""Payment providers behind one small interface; `get()` returns an enabled one by name."""

from django.conf import settings

from fenxiao.payments.errors import ProviderUnavailable
from fenxiao.payments.providers.base import Provider
from fenxiao.payments.providers.sandbox import SandboxProvider
from fenxiao.payments.providers.wechat import WechatPayProvider

FACTORIES = {"sandbox": SandboxProvider, "wechat": WechatPayProvider}
_instances: dict[str, Provider] = {}


def get(name: str) -> Provider:
    if name not in settings.PAYMENT_PROVIDERS or name not in FACTORIES:
        raise ProviderUnavailable(f"支付方式未启用: {name}")
    if name not in _instances:
        _instances[name] = FACTORIES[name]()
    return _instances[name]


def default_name() -> str:
    return settings.PAYMENT_PROVIDERS[0]


def reset() -> None:
    """Forget built providers, e.g. after their settings changed."""
    _instances.clear()
