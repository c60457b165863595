"""Row locks of accounts, and the one lock order of the whole project.

Every service that locks rows takes them in this order, each set by primary key, so two
transactions never wait on each other in a cycle:

    users → cart lines → payment → order → refund → order lines → SKUs → coupons
    (templates, then user coupons) → points accounts → distributors → commissions
    → withdrawals → ledger accounts

Each app keeps its `select_for_update()` querysets in its own `locks.py`.
"""

from fenxiao.accounts.models import User


def user_for_update(*, phone: str) -> User | None:
    return User.objects.select_for_update().filter(phone=phone).first()


def users_for_update(user_ids) -> list[User]:
    return list(User.objects.select_for_update().filter(pk__in=list(user_ids)).order_by("pk"))
