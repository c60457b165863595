"""Products saved together with their own commission rates, in one transaction."""

from django.db import transaction

from fenxiao.catalog import services as catalog
from fenxiao.catalog.models import Product
from fenxiao.distribution.models import ProductCommission
from fenxiao.distribution.services.grades import product_commission_set

UNSET = object()


@transaction.atomic
def product_create(*, commission=None, **fields) -> Product:
    product = catalog.product_create(**fields)
    if commission is not None:
        product_commission_set(product_id=product.pk, rates=commission["rates"])
    return product


@transaction.atomic
def product_update(*, product_id: int, commission=UNSET, **fields) -> Product:
    product = catalog.product_update(product_id=product_id, **fields)
    if commission is not UNSET:
        product_commission_set(
            product_id=product_id, rates=None if commission is None else commission["rates"]
        )
    return product


def commission_of(product_id: int) -> dict | None:
    override = ProductCommission.objects.filter(product_id=product_id).first()
    return {"rates": override.rates} if override else None
