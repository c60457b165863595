"""Every write of accounts: registration, log-in with failure limits, tokens, staff and roles."""

import secrets

from django.conf import settings
from django.contrib.auth import password_validation
from django.contrib.auth.models import Group, Permission
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from fenxiao.accounts import locks
from fenxiao.accounts.auth import hash_token, token_expiry
from fenxiao.accounts.errors import (
    InvalidCredentials,
    InvalidPhone,
    PhoneTaken,
    TooManyAttempts,
    UnknownRole,
    WeakPassword,
)
from fenxiao.accounts.models import Address, Token, User
from fenxiao.accounts.phones import normalize_phone, phone_validator
from fenxiao.errors import NotFound

# Staff roles (Django groups) and the permissions each holds, as "app_label.action_model".
# "*" means every action (add, change, delete, view) on the model.
STAFF_ROLES: dict[str, dict[str, list[str]]] = {
    "owner": {"__all__": ["*"]},
    "operator": {
        "catalog": ["*"],
        "orders": [
            "view_order",
            "change_order",
            "view_orderline",
            "view_orderdiscount",
            "view_refund",
            "change_refund",
        ],
        "accounts": ["view_user", "view_address"],
        "distribution": ["*"],
        "marketing": ["*"],  # 满减, coupons, points rules and adjustments
        "ledger": ["view_account", "view_transaction", "view_entry"],
        "storefront": ["*"],
        "reports": ["*"],  # 数据概况, 分销效果, 排行榜
    },
    "finance": {
        "orders": [
            "view_order",
            "view_orderline",
            "view_orderdiscount",
            "view_refund",
            "change_refund",
        ],
        "marketing": [
            "view_promotion",
            "view_coupon",
            "view_usercoupon",
            "view_pointsaccount",
            "view_pointsentry",
        ],
        "payments": [
            "view_payment",
            "view_paymentnotification",
            "view_providerrefund",
            "view_billrun",
            "add_billrun",  # reconcile a day now
            "view_billdifference",
        ],
        "accounts": ["view_user"],
        "ledger": ["view_account", "view_transaction", "view_entry"],
        "distribution": ["view_commission", "view_distributor", "view_plan", "view_grade"],
        "storefront": ["view_shopsettings", "view_banner"],
        "payouts": [
            "view_withdrawal",
            "change_withdrawal",
            "view_withdrawalevent",
            "view_payouttransfer",
            "view_transfernotification",
            "view_payoutidentity",
        ],
        "reports": ["*"],
    },
    "service": {
        "orders": [
            "view_order",
            "view_orderline",
            "view_orderdiscount",
            "view_refund",
            "change_refund",
        ],
        "accounts": ["view_user", "view_address"],
        "catalog": ["view_product", "view_sku", "view_category", "view_freighttemplate"],
        # what a buyer asks about: their coupons and points
        "marketing": ["view_coupon", "view_usercoupon", "view_pointsaccount", "view_pointsentry"],
        "distribution": ["view_distributor", "view_commission", "view_binding"],
        "storefront": ["view_shopsettings", "view_banner"],
    },
}
ROLE_LABELS = {"owner": "店主", "operator": "运营", "finance": "财务", "service": "客服"}


def staff_roles_sync(*, permission_model=Permission, group_model=Group) -> None:
    """Create or refresh the staff groups; migrations call it with their historical models."""
    for role, grants in STAFF_ROLES.items():
        group, _ = group_model.objects.get_or_create(name=role)
        perms = permission_model.objects.none()
        for app_label, codenames in grants.items():
            if app_label == "__all__":
                perms = permission_model.objects.all()
                break
            scoped = permission_model.objects.filter(content_type__app_label=app_label)
            if codenames != ["*"]:
                scoped = scoped.filter(codename__in=codenames)
            perms = perms | scoped
        group.permissions.set(perms)


def _check_password(password: str, user: User | None = None) -> None:
    try:
        password_validation.validate_password(password, user)
    except ValidationError as exc:
        raise WeakPassword("密码不符合要求: " + "；".join(exc.messages)) from exc


@transaction.atomic
def user_register(*, phone: str, password: str, nickname: str = "") -> User:
    _check_password(password)
    try:
        with transaction.atomic():
            return User.objects.create_user(phone=phone, password=password, nickname=nickname)
    except IntegrityError as exc:
        raise PhoneTaken() from exc


def token_issue(*, user: User) -> str:
    raw = secrets.token_urlsafe(32)
    now = timezone.now()
    Token.objects.create(
        user=user,
        key_hash=hash_token(raw),
        auth_hash=user.get_session_auth_hash(),
        created_at=now,
        expires_at=token_expiry(user=user, created_at=now, now=now),
    )
    return raw


def token_revoke(*, token_id: int) -> None:
    """Log-out: the token used for this request stops working."""
    Token.objects.filter(pk=token_id).delete()


@transaction.atomic
def user_sessions_end(*, user_ids: list[int]) -> int:
    """End every API token and console session of these users; returns how many ended."""
    ended, _ = Token.objects.filter(user_id__in=user_ids).delete()
    wanted = {str(pk) for pk in user_ids}
    # staff sessions are few (buyers use tokens): decoding each is cheaper than an index
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        if session.get_decoded().get("_auth_user_id") in wanted:
            session.delete()
            ended += 1
    return ended


def _take_slot(key: str, window: int) -> int:
    """Count one attempt atomically (add, then incr); returns the count including it."""
    if cache.add(key, 1, window):
        return 1
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, window)
        return 1


def _give_back(key: str) -> None:
    try:
        cache.decr(key)
    except ValueError:  # expired meanwhile
        pass


def user_authenticate(*, phone: str, password: str, ip: str) -> User:
    """Check a password. Failures are counted per (phone, client IP), so a stranger cannot lock
    a buyer out from elsewhere, and per IP across phones; successes and refusals count nothing.

    Each attempt takes its slots before the password is checked, so parallel guesses cannot all
    slip under the limit; a refused or successful attempt gives them back.
    """
    window = int(settings.LOGIN_FAILURE_WINDOW.total_seconds())
    pair_key, ip_key = f"login-fail:{phone}:{ip}", f"login-fail:ip:{ip}"
    pair = _take_slot(pair_key, window)
    per_ip = _take_slot(ip_key, window)
    if pair > settings.LOGIN_MAX_FAILURES_PER_PHONE or per_ip > settings.LOGIN_MAX_FAILURES_PER_IP:
        _give_back(pair_key)
        _give_back(ip_key)
        raise TooManyAttempts()
    user = User.objects.filter(phone=phone, is_active=True).first()
    if user is None:
        # hash anyway, so an unknown phone answers as slowly as a known one (no enumeration)
        User().set_password(password)
        raise InvalidCredentials()
    if not user.check_password(password):
        raise InvalidCredentials()
    cache.delete(pair_key)
    _give_back(ip_key)
    return user


def signup_slot_take(*, ip: str, kind: str) -> None:
    """Count one account-making request (registration, WeChat log-in) from an IP; refuse over
    the hourly limit, so nobody can probe which phones are registered at speed."""
    if ip in settings.SIGNUP_LIMIT_EXEMPT:
        return
    limit = {"register": settings.REGISTER_MAX_PER_IP, "wechat": settings.WECHAT_LOGIN_MAX_PER_IP}
    window = int(settings.SIGNUP_WINDOW.total_seconds())
    if _take_slot(f"signup:{kind}:{ip}", window) > limit[kind]:
        raise TooManyAttempts("请求过于频繁，请稍后再试")


@transaction.atomic
def staff_create(*, phone: str, password: str, role: str = "owner", nickname: str = "") -> User:
    """Create or update a staff member with one role; `owner` is also a superuser."""
    if role not in STAFF_ROLES:
        raise UnknownRole(f"未知的员工角色: {role}（可选 {', '.join(STAFF_ROLES)}）")
    phone = normalize_phone(phone)
    try:
        phone_validator(phone)
    except ValidationError as exc:
        raise InvalidPhone() from exc
    staff_roles_sync()
    user = locks.user_for_update(phone=phone)
    if user is None:
        user = User(phone=phone, nickname=nickname or ROLE_LABELS[role])
    user.is_staff = True  # before the check: staff passwords have stricter rules
    _check_password(password, user)
    user.set_password(password)
    user.is_superuser = role == "owner"
    user.save()
    user.groups.set([Group.objects.get(name=role)])
    return user


def _address_of(user: User, address_id: int) -> Address:
    address = Address.objects.filter(pk=address_id, user=user).first()
    if address is None:  # someone else's is as unknown as a missing one
        raise NotFound("收货地址不存在", code="address_not_found")
    return address


def _make_default(user: User, address: Address) -> None:
    Address.objects.filter(user=user, is_default=True).exclude(pk=address.pk).update(
        is_default=False
    )
    if not address.is_default:
        address.is_default = True
        address.save(update_fields=["is_default"])


@transaction.atomic
def address_create(*, user: User, **fields) -> Address:
    locks.users_for_update([user.pk])  # one default per buyer, also when two requests race
    if fields.get("is_default") or not user.addresses.exists():
        user.addresses.update(is_default=False)
        fields["is_default"] = True
    return Address.objects.create(user=user, **fields)


@transaction.atomic
def address_update(*, user: User, address_id: int, is_default: bool = False, **fields) -> Address:
    """Replace an address's fields. `is_default` true makes it the default; false leaves the
    default where it is (a buyer changes the default by choosing another address)."""
    locks.users_for_update([user.pk])
    address = _address_of(user, address_id)
    for name, value in fields.items():
        setattr(address, name, value)
    address.save(update_fields=list(fields))
    if is_default:
        _make_default(user, address)
    return address


@transaction.atomic
def address_delete(*, user: User, address_id: int) -> None:
    """Delete an address; when it was the default, the newest remaining one becomes it."""
    locks.users_for_update([user.pk])
    address = _address_of(user, address_id)
    address.delete()
    if address.is_default:
        newest = Address.objects.filter(user=user).order_by("-created_at", "-id").first()
        if newest is not None:
            _make_default(user, newest)


@transaction.atomic
def address_set_default(*, user: User, address_id: int) -> Address:
    locks.users_for_update([user.pk])
    address = _address_of(user, address_id)
    _make_default(user, address)
    return address


@transaction.atomic
def user_from_wechat(*, openid: str, unionid: str | None = None) -> User:
    """The user of a WeChat openid, created on first log-in."""
    user = User.objects.filter(openid=openid).first()
    if user is None:
        try:
            with transaction.atomic():
                user = User.objects.create_user(openid=openid, unionid=unionid)
        except IntegrityError:
            user = User.objects.get(openid=openid)
    elif unionid and user.unionid != unionid:
        User.objects.filter(pk=user.pk).update(unionid=unionid)
    if not user.is_active:
        raise InvalidCredentials("账号已停用")
    return user


@transaction.atomic
def user_phone_attach(*, user: User, phone: str) -> User:
    """Give a user the phone number WeChat vouched for (replacing any earlier one). A number
    another account holds is refused: two accounts are never merged behind the buyer's back."""
    phone = normalize_phone(phone)
    try:
        phone_validator(phone)
    except ValidationError as exc:
        raise InvalidPhone() from exc
    [user] = locks.users_for_update([user.pk])
    if user.phone == phone:
        return user
    user.phone = phone
    try:
        with transaction.atomic():
            user.save(update_fields=["phone"])
    except IntegrityError as exc:
        raise PhoneTaken("该手机号已绑定其他账号，请用手机号和密码登录该账号") from exc
    return user
