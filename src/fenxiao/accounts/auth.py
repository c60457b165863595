"""Bearer-token authentication for the API and the staff permission check."""

import hashlib

from django.utils import timezone
from ninja.security import HttpBearer

from fenxiao.accounts.models import Token
from fenxiao.errors import PermissionDenied


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class TokenAuth(HttpBearer):
    def authenticate(self, request, token):
        found = (
            Token.objects.select_related("user")
            .filter(key_hash=hash_token(token), user__is_active=True)
            .first()
        )
        if found is None:
            return None
        now = timezone.now()
        if found.last_used_at is None or (now - found.last_used_at).total_seconds() > 300:
            Token.objects.filter(pk=found.pk).update(last_used_at=now)
        request.user = found.user
        return found.user


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
