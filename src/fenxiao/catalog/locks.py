"""Row locks of the catalog: a product, then its SKUs, each set by primary key.

The project's one lock order is written in `fenxiao/accounts/locks.py`: payment → order →
refund → order lines → SKUs → distributors → commissions → ledger accounts. A product is
locked before its SKUs; stock reservation takes no lock here: its conditional UPDATEs lock
the SKU rows themselves, in id order.
"""

from fenxiao.catalog.models import Product, Sku


def product_for_update(product_id: int) -> Product | None:
    return Product.objects.select_for_update().filter(pk=product_id).first()


def skus_for_update(*, product_id: int) -> dict[int, Sku]:
    """Every SKU of a product, locked in id order, by id."""
    rows = Sku.objects.select_for_update().filter(product_id=product_id).order_by("pk")
    return {sku.pk: sku for sku in rows}
