"""Mini-program codes (wxacode.getUnlimited) behind a small interface: WeChat's API over HTTP
with its access token cached. A code never changes for a (scene, page), so each is asked of
WeChat once and kept in media storage."""

import hashlib
import io
import logging
from typing import Protocol

import requests
from django.conf import settings
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from PIL import Image, UnidentifiedImageError

from fenxiao.distribution.errors import MiniProgramCodeFailed

logger = logging.getLogger(__name__)

# access_token invalid (40001, 40014) or expired (42001): fetch a new one and retry once
TOKEN_REFUSED = {40001, 40014, 42001}
# renew the token this long before WeChat says it expires
TOKEN_MARGIN = 300


class MiniProgramCodes(Protocol):
    namespace: str  # what distinguishes this client's codes from another app's in storage

    def unlimited(self, *, scene: str, page: str) -> bytes: ...


class WechatMiniProgramCodes:
    """https://developers.weixin.qq.com/miniprogram/dev/OpenApiDoc/qrcode-link/qr-code/getUnlimitedQRCode.html"""

    def __init__(
        self, *, appid: str, secret: str, base_url: str, env_version: str = "release"
    ) -> None:
        self.appid, self.secret = appid, secret
        self.base_url = base_url.rstrip("/")
        self.env_version = env_version
        self.namespace = f"{appid}:{env_version}"

    @property
    def _token_key(self) -> str:
        return f"wechat:access_token:{self.appid}"

    def access_token(self, *, renew: bool = False) -> str:
        """The app's access token from /cgi-bin/token, cached until shortly before it expires."""
        if not renew:
            token = cache.get(self._token_key)
            if token:
                return token
        try:
            reply = requests.get(
                f"{self.base_url}/cgi-bin/token",
                params={
                    "grant_type": "client_credential",
                    "appid": self.appid,
                    "secret": self.secret,
                },
                timeout=5,
            ).json()
        except (requests.RequestException, ValueError) as exc:
            raise MiniProgramCodeFailed("无法连接微信服务器，请稍后再试") from exc
        token = reply.get("access_token") if isinstance(reply, dict) else None
        if not token:
            logger.warning("wechat access_token refused: %s", _error_of(reply))
            raise MiniProgramCodeFailed()
        lifetime = int(reply.get("expires_in") or 7200)
        cache.set(self._token_key, token, max(lifetime - TOKEN_MARGIN, 60))
        return token

    def unlimited(self, *, scene: str, page: str) -> bytes:
        body = {
            "scene": scene,
            "page": page,
            # only a released mini-program has its pages on WeChat's side to check
            "check_path": self.env_version == "release",
            "env_version": self.env_version,
            "width": 430,
        }
        for renew in (False, True):
            token = self.access_token(renew=renew)
            try:
                reply = requests.post(
                    f"{self.base_url}/wxa/getwxacodeunlimit",
                    params={"access_token": token},
                    json=body,
                    timeout=10,
                )
            except requests.RequestException as exc:
                raise MiniProgramCodeFailed("无法连接微信服务器，请稍后再试") from exc
            if reply.status_code == 200 and _is_image(reply.content):
                return reply.content
            # errors come back as JSON {errcode, errmsg}
            try:
                error = reply.json()
            except ValueError:
                error = {"errcode": None, "errmsg": f"HTTP {reply.status_code}"}
            if not renew and isinstance(error, dict) and error.get("errcode") in TOKEN_REFUSED:
                cache.delete(self._token_key)
                continue
            logger.warning("wxacode.getUnlimited refused: %s", _error_of(error))
            raise MiniProgramCodeFailed()
        raise MiniProgramCodeFailed()  # unreachable: the second pass returns or raises


def _is_image(data: bytes) -> bool:
    try:
        Image.open(io.BytesIO(data)).verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        return False
    return True


def _error_of(reply) -> str:
    if isinstance(reply, dict):
        return f"{reply.get('errcode')} {reply.get('errmsg', '')}".strip()
    return repr(reply)[:200]


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
