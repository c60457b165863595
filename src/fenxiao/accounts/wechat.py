"""The mini-program's WeChat server API: its access token (shared by every app that calls
WeChat), log-in (code2session) and the buyer's phone number. Log-in and phone sit behind small
interfaces: the real API, or a local sandbox for demos and tests."""

import hashlib
import json
import logging
from dataclasses import dataclass
from typing import Protocol

import requests
from django.conf import settings
from django.core.cache import cache

from fenxiao.errors import DomainError

logger = logging.getLogger(__name__)

# access_token invalid (40001, 40014) or expired (42001): fetch a new one and retry once
TOKEN_REFUSED = {40001, 40014, 42001}
# renew the token this long before WeChat says it expires
TOKEN_MARGIN = 300


class WechatLoginFailed(DomainError):
    code = "wechat_login_failed"
    status = 401
    message = "微信登录失败，请重试"


class WechatPhoneFailed(DomainError):
    code = "wechat_phone_failed"
    status = 502
    message = "获取微信手机号失败，请重试"


class WechatApiError(Exception):
    """WeChat unreachable, or refusing our credentials; each caller turns it into its own
    DomainError (a poster's code, a phone number)."""

    def __init__(self, detail: str, *, unreachable: bool = False):
        super().__init__(detail)
        self.unreachable = unreachable


class AccessTokens:
    """The app's access token from /cgi-bin/token, cached until shortly before it expires.

    WeChat keeps one valid token per app: every client of this app must share this cache, or
    each fetch would invalidate the others' tokens.
    https://developers.weixin.qq.com/miniprogram/dev/OpenApiDoc/mp-access-token/getAccessToken.html
    """

    def __init__(self, *, appid: str, secret: str, base_url: str) -> None:
        self.appid, self.secret = appid, secret
        self.base_url = base_url.rstrip("/")

    @property
    def cache_key(self) -> str:
        return f"wechat:access_token:{self.appid}"

    def get(self, *, renew: bool = False) -> str:
        if not renew:
            token = cache.get(self.cache_key)
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
            raise WechatApiError(f"token: {exc}", unreachable=True) from exc
        token = reply.get("access_token") if isinstance(reply, dict) else None
        if not token:
            logger.warning("wechat access_token refused: %s", error_text(reply))
            raise WechatApiError(f"token refused: {error_text(reply)}")
        try:
            lifetime = int(reply.get("expires_in") or 7200)
        except (TypeError, ValueError):
            lifetime = 7200
        cache.set(self.cache_key, token, max(lifetime - TOKEN_MARGIN, 60))
        return token

    def post(self, path: str, *, body: dict, timeout: float = 10) -> requests.Response:
        """POST `body` to a WeChat API that takes ?access_token=. A token WeChat refuses
        (renewed elsewhere, expired early) is dropped and the call made once more with a new
        one. The answer is returned as it came: an image, or JSON with errcode."""
        for renew in (False, True):
            token = self.get(renew=renew)
            try:
                reply = requests.post(
                    f"{self.base_url}{path}",
                    params={"access_token": token},
                    json=body,
                    timeout=timeout,
                )
            except requests.RequestException as exc:
                raise WechatApiError(f"{path}: {exc}", unreachable=True) from exc
            if not renew and errcode_of(reply) in TOKEN_REFUSED:
                cache.delete(self.cache_key)
                continue
            return reply
        raise AssertionError("unreachable: the second pass returns or raises")


def json_of(reply: requests.Response) -> dict | None:
    """The JSON object of an answer, or None for an image or anything else."""
    if reply.content.lstrip()[:1] != b"{":  # cheap: never decode an image as text
        return None
    try:
        data = json.loads(reply.content)
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


def errcode_of(reply: requests.Response):
    data = json_of(reply)
    return data.get("errcode") if data else None


def error_text(reply) -> str:
    if isinstance(reply, dict):
        return f"{reply.get('errcode')} {reply.get('errmsg', '')}".strip()
    return repr(reply)[:200]


def access_tokens() -> AccessTokens:
    return AccessTokens(
        appid=settings.WECHAT_APPID,
        secret=settings.WECHAT_SECRET,
        base_url=settings.WECHAT_API_BASE,
    )


@dataclass(frozen=True)
class Session:
    openid: str
    unionid: str | None


class WechatLogin(Protocol):
    def code2session(self, code: str) -> Session: ...


class SandboxLogin:
    def code2session(self, code: str) -> Session:
        digest = hashlib.sha256(code.encode()).hexdigest()
        return Session(openid=f"sandbox-{digest[:24]}", unionid=None)


class MiniProgramLogin:
    """https://developers.weixin.qq.com/miniprogram/dev/OpenApiDoc/user-login/code2Session.html"""

    def __init__(self, appid: str, secret: str, base_url: str):
        self.appid, self.secret, self.base_url = appid, secret, base_url.rstrip("/")

    def code2session(self, code: str) -> Session:
        try:
            reply = requests.get(
                f"{self.base_url}/sns/jscode2session",
                params={
                    "appid": self.appid,
                    "secret": self.secret,
                    "js_code": code,
                    "grant_type": "authorization_code",
                },
                timeout=5,
            ).json()
        except (requests.RequestException, ValueError) as exc:
            raise WechatLoginFailed("无法连接微信服务器") from exc
        if reply.get("errcode") or not reply.get("openid"):
            raise WechatLoginFailed(f"微信登录失败: {reply.get('errmsg', '无效的 code')}")
        return Session(openid=reply["openid"], unionid=reply.get("unionid"))


def login_client() -> WechatLogin:
    if settings.WECHAT_LOGIN == "wechat":
        return MiniProgramLogin(
            settings.WECHAT_APPID, settings.WECHAT_SECRET, settings.WECHAT_API_BASE
        )
    return SandboxLogin()


class WechatPhone(Protocol):
    def phone_number(self, code: str) -> str: ...


class SandboxPhone:
    """ "phone:13900000000" is that number; any other code a stable made-up one."""

    PREFIX = "phone:"

    def phone_number(self, code: str) -> str:
        if code.startswith(self.PREFIX):
            return code[len(self.PREFIX) :]
        digest = int(hashlib.sha256(code.encode()).hexdigest(), 16)
        return f"199{digest % 10**8:08d}"  # 199: a mainland mobile prefix, eleven digits


class MiniProgramPhone:
    """The number behind a getPhoneNumber button's code.
    https://developers.weixin.qq.com/miniprogram/dev/OpenApiDoc/user-info/phone-number/getPhoneNumber.html
    """

    def __init__(self, tokens: AccessTokens) -> None:
        self.tokens = tokens

    def phone_number(self, code: str) -> str:
        try:
            reply = self.tokens.post(
                "/wxa/business/getuserphonenumber", body={"code": code}, timeout=5
            )
        except WechatApiError as exc:
            if exc.unreachable:
                raise WechatPhoneFailed("无法连接微信服务器，请稍后再试") from exc
            raise WechatPhoneFailed() from exc
        data = json_of(reply) or {"errcode": None, "errmsg": f"HTTP {reply.status_code}"}
        info = data.get("phone_info")
        number = info.get("purePhoneNumber") if isinstance(info, dict) else None
        if data.get("errcode") or not isinstance(number, str) or not number:
            logger.warning("wechat getuserphonenumber refused: %s", error_text(data))
            raise WechatPhoneFailed(f"获取微信手机号失败：{data.get('errmsg') or '无效的 code'}")
        return number


def phone_client() -> WechatPhone:
    if settings.WECHAT_LOGIN == "wechat":
        return MiniProgramPhone(access_tokens())
    return SandboxPhone()
