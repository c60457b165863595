"""Row locks of distribution, each set taken in primary-key order.

The project's one lock order is written in `fenxiao.accounts.locks`: payment → order →
refund → order lines → SKUs → distributors → commissions → ledger accounts. Distribution's
place in it: distributors, then the binding of the user being bound (a binding's pk is its
user's id, so it comes right after that user's distributor row), then commissions, then the
ledger accounts (`fenxiao.ledger.locks`). The plan row is locked alone, by `plan_update`.
"""

from collections.abc import Iterable

from fenxiao.distribution.models import Binding, Commission, Distributor, Plan


def distributors_for_update(user_ids: Iterable[int]) -> list[int]:
    """Lock the distributor rows that exist among `user_ids`; returns their ids."""
    rows = Distributor.objects.select_for_update().filter(pk__in=list(user_ids)).order_by("pk")
    return list(rows.values_list("pk", flat=True))


def distributor_for_update(user_id: int) -> Distributor | None:
    return Distributor.objects.select_for_update().filter(pk=user_id).first()


def binding_for_update(user_id: int) -> Binding | None:
    return Binding.objects.select_for_update().filter(pk=user_id).first()


def commissions_for_update(*, line_ids: Iterable[int]) -> list[Commission]:
    rows = Commission.objects.select_for_update().filter(line_id__in=list(line_ids))
    return list(rows.order_by("pk"))


def plan_for_update() -> Plan | None:
    return Plan.objects.select_for_update().filter(pk=1).first()
