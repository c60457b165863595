"""Mini-program codes (wxacode.getUnlimited) behind a small interface: WeChat's API over HTTP
with the app's access token from accounts.wechat. A code never changes for a (scene, page), so
each is asked of WeChat once and kept in media storage."""

import hashlib
import io
import logging
from typing import Protocol

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from PIL import Image, UnidentifiedImageError

from fenxiao.accounts.wechat import AccessTokens, WechatApiError, error_text, json_of
from fenxiao.distribution.errors import MiniProgramCodeFailed

logger = logging.getLogger(__name__)


class MiniProgramCodes(Protocol):
    namespace: str  # what distinguishes this client's codes from another app's in storage

    def unlimited(self, *, scene: str, page: str) -> bytes: ...


class WechatMiniProgramCodes:
    """https://developers.weixin.qq.com/miniprogram/dev/OpenApiDoc/qrcode-link/qr-code/getUnlimitedQRCode.html"""

    def __init__(
        self, *, appid: str, secret: str, base_url: str, env_version: str = "release"
    ) -> None:
        # the token is the app's one, shared with log-in's phone numbers through its cache
        self.tokens = AccessTokens(appid=appid, secret=secret, base_url=base_url)
        self.env_version = env_version
        self.namespace = f"{appid}:{env_version}"

    def unlimited(self, *, scene: str, page: str) -> bytes:
        body = {
            "scene": scene,
            "page": page,
            # only a released mini-program has its pages on WeChat's side to check
            "check_path": self.env_version == "release",
            "env_version": self.env_version,
            "width": 430,
        }
        try:
            reply = self.tokens.post("/wxa/getwxacodeunlimit", body=body, timeout=10)
        except WechatApiError as exc:
            if exc.unreachable:
                raise MiniProgramCodeFailed("无法连接微信服务器，请稍后再试") from exc
            raise MiniProgramCodeFailed() from exc
        if reply.status_code == 200 and _is_image(reply.content):
            return reply.content
        # errors come back as JSON {errcode, errmsg}
        error = json_of(reply) or {"errcode": None, "errmsg": f"HTTP {reply.status_code}"}
        logger.warning("wxacode.getUnlimited refused: %s", error_text(error))
        raise MiniProgramCodeFailed()


def _is_image(data: bytes) -> bool:
    try:
        Image.open(io.BytesIO(data)).verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        return False
    return True


def codes_client() -> MiniProgramCodes | None:
    """WeChat's API when the mini-program's credentials are set; otherwise posters carry a QR
    code of the H5 link."""
    if settings.WECHAT_APPID and settings.WECHAT_SECRET:
        return WechatMiniProgramCodes(
            appid=settings.WECHAT_APPID,
            secret=settings.WECHAT_SECRET,
            base_url=settings.WECHAT_API_BASE,
            env_version=settings.WECHAT_CODE_ENV,
        )
    return None


def stored_name(*, namespace: str, scene: str, page: str) -> str:
    digest = hashlib.sha256(f"{namespace}\n{page}\n{scene}".encode()).hexdigest()[:40]
    return f"wxacode/{digest}.png"


def code_image(*, client: MiniProgramCodes, scene: str, page: str) -> bytes:
    """The code for (scene, page): from media storage, else from WeChat and then stored."""
    name = stored_name(namespace=client.namespace, scene=scene, page=page)
    if default_storage.exists(name):
        with default_storage.open(name, "rb") as stored:
            return stored.read()
    data = client.unlimited(scene=scene, page=page)
    # two first requests racing both store: the storage picks a free name for the second
    default_storage.save(name, ContentFile(data))
    return data
