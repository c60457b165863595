"""Reads of accounts for other apps."""

from fenxiao.accounts.models import Address


def default_province(*, user_id: int) -> str | None:
    """The province of the user's default address; None without one."""
    default = Address.objects.filter(user_id=user_id, is_default=True)
    return default.values_list("province", flat=True).first()
