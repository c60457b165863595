"""Sign-up and log-in (phone + password, WeChat): accounts composed with distribution's
referral binding, above both apps so that neither imports the other upwards."""

import logging

from ninja import Router, Status

from fenxiao.accounts import services, wechat
from fenxiao.accounts.errors import InvalidCredentials, PhoneTaken, TooManyAttempts, WeakPassword
from fenxiao.accounts.models import User
from fenxiao.accounts.net import client_ip
from fenxiao.accounts.schemas import AuthOut, LoginIn, RegisterIn, WechatLoginIn
from fenxiao.api_docs import raises
from fenxiao.distribution.errors import ReferralCodeNotFound
from fenxiao.distribution.services import binding
from fenxiao.errors import DomainError
from fenxiao.marketing.coupons import coupons_issue_to_new_user
from fenxiao.marketing.errors import (
    CouponLimitReached,
    CouponNotFound,
    CouponSoldOut,
    CouponUnavailable,
)

logger = logging.getLogger(__name__)
router = Router(tags=["accounts"])


def _apply_ref(user, code: str | None, source: str) -> None:
    """A referral code on register/log-in binds like a visit; a bad code never blocks log-in."""
    if not code:
        return
    try:
        binding.referral_visit(user=user, code=code, source=source)
    except DomainError:
        pass


def _welcome(user) -> None:
    """New-user coupons (新人券); sign-up succeeds whatever happens here."""
    try:
        coupons_issue_to_new_user(user=user)
    except Exception:  # each coupon is its own savepoint: nothing half-written stays
        logger.exception("new-user coupons failed for user %s", user.pk)


@router.post(
    "/auth/register",
    auth=None,
    response={201: AuthOut},
    summary="注册账号",
    openapi_extra=raises(
        WeakPassword,
        CouponNotFound,
        ReferralCodeNotFound,
        CouponLimitReached,
        CouponSoldOut,
        CouponUnavailable,
        PhoneTaken,
        TooManyAttempts,
    ),
)
def register(request, payload: RegisterIn):
    services.signup_slot_take(ip=client_ip(request), kind="register")
    user = services.user_register(
        phone=payload.phone, password=payload.password, nickname=payload.nickname
    )
    _welcome(user)
    _apply_ref(user, payload.ref, "register")
    return Status(201, {"token": services.token_issue(user=user), "user": user})


@router.post(
    "/auth/login",
    auth=None,
    response=AuthOut,
    summary="手机号密码登录",
    openapi_extra=raises(InvalidCredentials, ReferralCodeNotFound, TooManyAttempts),
)
def login(request, payload: LoginIn):
    user = services.user_authenticate(
        phone=payload.phone, password=payload.password, ip=client_ip(request)
    )
    _apply_ref(user, payload.ref, "login")
    return {"token": services.token_issue(user=user), "user": user}


@router.post(
    "/auth/wechat",
    auth=None,
    response=AuthOut,
    summary="微信小程序登录",
    openapi_extra=raises(
        InvalidCredentials,
        CouponNotFound,
        ReferralCodeNotFound,
        CouponLimitReached,
        CouponSoldOut,
        CouponUnavailable,
        TooManyAttempts,
    ),
)
def login_wechat(request, payload: WechatLoginIn):
    services.signup_slot_take(ip=client_ip(request), kind="wechat")
    session = wechat.login_client().code2session(payload.code)
    known = User.objects.filter(openid=session.openid).exists()
    user = services.user_from_wechat(openid=session.openid, unionid=session.unionid)
    if not known:
        _welcome(user)
    _apply_ref(user, payload.ref, "login")
    return {"token": services.token_issue(user=user), "user": user}
