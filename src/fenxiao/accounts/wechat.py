"""WeChat mini-program login (code2session) behind a small interface: the real API, or a
local sandbox that turns any code into a stable openid for demos and tests."""

import hashlib
from dataclasses import dataclass
from typing import Protocol

import requests
from django.conf import settings

from fenxiao.errors import DomainError


class WechatLoginFailed(DomainError):
    code = "wechat_login_failed"
    status = 401
    message = "微信登录失败，请重试"


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
