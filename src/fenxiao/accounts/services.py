"""Every write of accounts: registration, log-in with failure limits, tokens, staff and roles."""

import secrets

from django.conf import settings
from django.contrib.auth import password_validation
from django.contrib.auth.models import Group, Permission
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from fenxiao.accounts.auth import hash_token
from fenxiao.accounts.errors import (
    InvalidCredentials,
    PhoneTaken,
    TooManyAttempts,
    UnknownRole,
    WeakPassword,
)
from fenxiao.accounts.models import Address, Token, User

# Staff roles (Django groups) and the permissions each holds, as "app_label.action_model".
# "*" means every action (add, change, delete, view) on the model.
STAFF_ROLES: dict[str, dict[str, list[str]]] = {
    "owner": {"__all__": ["*"]},
    "operator": {
        "catalog": ["*"],
        "orders": ["view_order", "change_order", "view_orderline", "view_refund", "change_refund"],
        "accounts": ["view_user", "view_address"],
        "distribution": ["*"],
        "ledger": ["view_account", "view_transaction", "view_entry"],
    },
    "finance": {
        "orders": ["view_order", "view_orderline", "view_refund", "change_refund"],
        "payments": ["view_payment", "view_paymentnotification", "view_providerrefund"],
        "accounts": ["view_user"],
        "ledger": ["view_account", "view_transaction", "view_entry"],
        "distribution": ["view_commission", "view_distributor", "view_plan", "view_grade"],
    },
    "service": {
        "orders": ["view_order", "view_orderline", "view_refund", "change_refund"],
        "accounts": ["view_user", "view_address"],
        "catalog": ["view_product", "view_sku", "view_category"],
        "distribution": ["view_distributor", "view_commission", "view_binding"],
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
    Token.objects.create(user=user, key_hash=hash_token(raw))
    return raw


def _failure_keys(phone: str, ip: str) -> list[tuple[str, int]]:
    return [
        (f"login-fail:phone:{phone}", settings.LOGIN_MAX_FAILURES_PER_PHONE),
        (f"login-fail:ip:{ip}", settings.LOGIN_MAX_FAILURES_PER_IP),
    ]


def _take_slot(key: str) -> int:
    """Count one attempt atomically (add, then incr); returns the count including it."""
    window = int(settings.LOGIN_FAILURE_WINDOW.total_seconds())
    if cache.add(key, 1, window):
        return 1
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, window)
        return 1


def user_authenticate(*, phone: str, password: str, ip: str) -> User:
    """Check a password; failed attempts are counted per phone and per IP, successes are not.

    Each attempt takes a slot before the password is checked, so parallel guesses cannot all
    slip under the limit; a successful attempt gives its slots back.
    """
    keys = _failure_keys(phone, ip)
    taken = [(_take_slot(key), limit) for key, limit in keys]
    if any(count > limit for count, limit in taken):
        raise TooManyAttempts()
    user = User.objects.filter(phone=phone, is_active=True).first()
    if user is None or not user.check_password(password):
        raise InvalidCredentials()
    cache.delete(keys[0][0])
    try:
        cache.decr(keys[1][0])
    except ValueError:
        pass
    return user


@transaction.atomic
def staff_create(*, phone: str, password: str, role: str = "owner", nickname: str = "") -> User:
    """Create or update a staff member with one role; `owner` is also a superuser."""
    if role not in STAFF_ROLES:
        raise UnknownRole(f"未知的员工角色: {role}（可选 {', '.join(STAFF_ROLES)}）")
    staff_roles_sync()
    user = User.objects.select_for_update().filter(phone=phone).first()
    if user is None:
        user = User(phone=phone, nickname=nickname or ROLE_LABELS[role])
    _check_password(password, user)
    user.set_password(password)
    user.is_staff = True
    user.is_superuser = role == "owner"
    user.save()
    user.groups.set([Group.objects.get(name=role)])
    return user


@transaction.atomic
def address_create(*, user: User, **fields) -> Address:
    if fields.get("is_default") or not user.addresses.exists():
        user.addresses.update(is_default=False)
        fields["is_default"] = True
    return Address.objects.create(user=user, **fields)


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
