"""An order's freight: its products' templates for the province it ships to (a read)."""

from decimal import Decimal

from fenxiao.accounts.models import User
from fenxiao.accounts.selectors import default_province
from fenxiao.catalog.freight import freight_for
from fenxiao.marketing.terms import Item
from fenxiao.money import ZERO


def ship_province(*, buyer: User, address: dict | None) -> str | None:
    """The order's province; a preview without an address uses the buyer's default address.
    None: not known yet (no address at all)."""
    if address is not None:
        return address["province"]
    return default_province(user_id=buyer.pk)


def order_freight(
    *,
    buyer: User,
    items: list[Item],
    address: dict | None,
    paid: dict[int, Decimal],
    templates: dict[int, int | None] | None = None,
) -> Decimal:
    """Freight for the items; `paid` (item key → paid amount, freight aside) decides each
    template's free-above; `templates` as freight_for takes them. ZERO while the province is
    not known."""
    province = ship_province(buyer=buyer, address=address)
    if province is None:
        return ZERO
    return freight_for(
        lines=[(item.product_id, item.quantity, paid[item.key]) for item in items],
        province=province,
        templates=templates,
    )
