"""Products saved together with their own commission rates, in one transaction."""

from django.db import transaction

from fenxiao.catalog import services as catalog
from fenxiao.catalog.models import Product
from fenxiao.distribution import selectors
from fenxiao.distribution.errors import PlanInvalid
from fenxiao.distribution.services.grades import product_commission_set

UNSET = object()


def rates_of_override(commission) -> list | None:
    """A product's override as written by staff: null or {} clears it, {"rates": [...]}
    sets it (the rates are validated by product_commission_set)."""
    if commission is None:
        return None
    if not isinstance(commission, dict) or set(commission) - {"rates"}:
        raise PlanInvalid('商品独立佣金须为 null 或 {"rates": [...]}')
    return commission.get("rates")


@transaction.atomic
def product_create(*, commission=None, **fields) -> Product:
    product = catalog.product_create(**fields)
    if commission is not None:
        product_commission_set(product_id=product.pk, rates=rates_of_override(commission))
    return product


@transaction.atomic
def product_update(*, product_id: int, commission=UNSET, **fields) -> Product:
    product = catalog.product_update(product_id=product_id, **fields)
    if commission is not UNSET:
        product_commission_set(product_id=product_id, rates=rates_of_override(commission))
    return product


def commission_of(product_id: int) -> dict | None:
    """The product's override as the product API shows it (a read: see selectors)."""
    rates = selectors.product_rates(product_id)
    return {"rates": rates} if rates is not None else None
