"""Registration, log-in and the signed-in user's own addresses."""

from django.conf import settings
from ninja import Router, Status

from fenxiao.accounts import services, wechat
from fenxiao.accounts.schemas import (
    AddressCreateIn,
    AddressOut,
    AuthOut,
    LoginIn,
    RegisterIn,
    UserOut,
    WechatLoginIn,
)
from fenxiao.distribution.services import binding
from fenxiao.errors import DomainError

router = Router(tags=["accounts"])


def _apply_ref(user, code: str | None, source: str) -> None:
    """A referral code on register/log-in binds like a visit; a bad code never blocks log-in."""
    if not code:
        return
    try:
        binding.referral_visit(user=user, code=code, source=source)
    except DomainError:
        pass


def client_ip(request) -> str:
    """The caller's address; behind N trusted proxies, the Nth address from the right of
    X-Forwarded-For (what the outermost trusted proxy saw), never one the client wrote."""
    hops = settings.TRUSTED_PROXY_COUNT
    forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [a for a in forwarded if a]
    if hops and len(forwarded) >= hops:
        return forwarded[-hops]
    return request.META.get("REMOTE_ADDR", "")


@router.post("/auth/register", auth=None, response={201: AuthOut})
def register(request, payload: RegisterIn):
    user = services.user_register(
        phone=payload.phone, password=payload.password, nickname=payload.nickname
    )
    _apply_ref(user, payload.ref, "register")
    return Status(201, {"token": services.token_issue(user=user), "user": user})


@router.post("/auth/login", auth=None, response=AuthOut)
def login(request, payload: LoginIn):
    user = services.user_authenticate(
        phone=payload.phone, password=payload.password, ip=client_ip(request)
    )
    _apply_ref(user, payload.ref, "login")
    return {"token": services.token_issue(user=user), "user": user}


@router.post("/auth/wechat", auth=None, response=AuthOut)
def login_wechat(request, payload: WechatLoginIn):
    session = wechat.login_client().code2session(payload.code)
    user = services.user_from_wechat(openid=session.openid, unionid=session.unionid)
    _apply_ref(user, payload.ref, "login")
    return {"token": services.token_issue(user=user), "user": user}


@router.get("/me", response=UserOut)
def me(request):
    return request.auth


@router.get("/addresses", response=list[AddressOut])
def address_list(request):
    return list(request.auth.addresses.all())


@router.post("/addresses", response={201: AddressOut})
def address_create(request, payload: AddressCreateIn):
    return Status(201, services.address_create(user=request.auth, **payload.dict()))
