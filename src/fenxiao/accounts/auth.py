"""Bearer-token authentication for the API and the staff permission check."""

import hashlib
from datetime import datetime

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from ninja.security import HttpBearer

from fenxiao import db
from fenxiao.accounts.models import Token, User
from fenxiao.errors import PermissionDenied

RENEW_EVERY = 300  # seconds: a token in steady use is written at most this often


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def token_expiry(*, user: User, created_at: datetime, now: datetime) -> datetime:
    """Idle limit from now (shorter for staff), never past the token's maximum age."""
    idle = settings.STAFF_TOKEN_IDLE if user.is_staff else settings.TOKEN_IDLE
    return min(now + idle, created_at + settings.TOKEN_MAX_AGE)


class TokenAuth(HttpBearer):
    def authenticate(self, request, token):
        now = timezone.now()
        where = (
            "accounts_token.key_hash = %s AND accounts_token.expires_at > %s"
            " AND accounts_user.is_active"
        )
        found = db.read_one(Token, where, [hash_token(token), now], related=("user",))
        if found is None:
            return None
        if not constant_time_compare(found.auth_hash, found.user.get_session_auth_hash()):
            return None  # issued before the password changed
        if found.last_used_at is None or (now - found.last_used_at).total_seconds() > RENEW_EVERY:
            expires_at = token_expiry(user=found.user, created_at=found.created_at, now=now)
            Token.objects.filter(pk=found.pk).update(last_used_at=now, expires_at=expires_at)
        request.user = found.user
        request.auth_token_id = found.pk
        return found.user


class OptionalTokenAuth(TokenAuth):
    """For pages a visitor may see before logging in (a shared coupon): the signed-in user
    when a valid token comes, else an anonymous user (pk None), never a 401."""

    def __call__(self, request):
        return super().__call__(request) or AnonymousUser()


class StaffTokenAuth(TokenAuth):
    """For /admin/*: a signed-in non-staff user is refused before the request body is read."""

    def authenticate(self, request, token):
        user = super().authenticate(request, token)
        if user is not None and not user.is_staff:
            raise PermissionDenied("需要员工账号")
        return user


def require_perm(request, perm: str):
    user = request.auth
    if not (user and user.is_active and user.is_staff and user.has_perm(perm)):
        raise PermissionDenied("需要员工权限: " + perm)
    return user
