"""Row locks of the catalog: a product, then its SKUs, each set by primary key.

The project's one lock order is written in `fenxiao/accounts/locks.py`: payment → order →
refund → order lines → SKUs → distributors → commissions → ledger accounts. A product is
locked before its SKUs; stock reservation takes no lock here: its conditional UPDATEs lock
the SKU rows themselves, in id order.

The locks are FOR NO KEY UPDATE: an order being placed holds its SKUs (its UPDATEs) and then
inserts lines and stock moves whose foreign keys take KEY SHARE locks on the product and the
SKUs; a plain FOR UPDATE on the product would block those and deadlock (seen on PostgreSQL).
"""

from fenxiao.catalog.models import Product, Sku


def product_for_update(product_id: int) -> Product | None:
    return Product.objects.select_for_update(no_key=True).filter(pk=product_id).first()


def skus_for_update(*, product_id: int) -> dict[int, Sku]:
    """Every SKU of a product, locked in id order, by id."""
    rows = Sku.objects.select_for_update(no_key=True).filter(product_id=product_id).order_by("pk")
    return {sku.pk: sku for sku in rows}
