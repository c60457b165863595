"""The buyer's cart: add, change, remove lines; placing an order takes its lines out."""

from django.conf import settings
from django.db import transaction

from fenxiao.accounts.locks import users_for_update
from fenxiao.accounts.models import User
from fenxiao.catalog import selectors as catalog_selectors
from fenxiao.catalog.errors import OutOfStock, SkuNotFound
from fenxiao.catalog.models import Product, Sku
from fenxiao.orders import locks
from fenxiao.orders.errors import (
    CartFull,
    CartItemNotFound,
    CartQuantityInvalid,
    CartSkuUnavailable,
)
from fenxiao.orders.models import CartItem

CART_MAX_LINES = 100


def _sellable(sku: Sku) -> bool:
    return sku.is_active and sku.product.status == Product.Status.ON_SHELF


def _check_quantity(sku: Sku, quantity: int) -> None:
    if not 1 <= quantity <= settings.ORDER_MAX_QUANTITY:
        raise CartQuantityInvalid(f"购买数量须在 1 到 {settings.ORDER_MAX_QUANTITY} 之间")
    if not _sellable(sku):
        raise CartSkuUnavailable()
    if sku.stock < quantity:
        left = f"仅剩 {sku.stock} 件" if sku.stock > 0 else "已售罄"
        raise OutOfStock(f"库存不足：{sku.product.name} {left}")


def _lock_buyer(user: User) -> None:
    # one cart write per buyer at a time: the line limit and (user, sku) stay exact
    users_for_update([user.pk])


def _line_of(user: User, item_id: int) -> CartItem:
    found = locks.cart_items_for_update(user=user, item_ids=[item_id])
    if not found:
        raise CartItemNotFound()
    return found[0]


@transaction.atomic
def cart_add(*, user: User, sku_id: int, quantity: int) -> CartItem:
    """Put `quantity` of a SKU in the cart, onto the line of that SKU when there is one."""
    try:
        sku = catalog_selectors.sku_of(sku_id=sku_id)
    except SkuNotFound as exc:
        raise SkuNotFound("商品不存在") from exc
    _lock_buyer(user)
    line = CartItem.objects.filter(user=user, sku=sku).first()
    if line is None:
        if CartItem.objects.filter(user=user).count() >= CART_MAX_LINES:
            raise CartFull(f"购物车最多放 {CART_MAX_LINES} 种商品，请先结算或删除部分商品")
        _check_quantity(sku, quantity)
        return CartItem.objects.create(user=user, sku=sku, quantity=quantity)
    total = line.quantity + quantity
    if total > settings.ORDER_MAX_QUANTITY:
        raise CartQuantityInvalid(
            f"单个商品最多购买 {settings.ORDER_MAX_QUANTITY} 件，购物车中已有 {line.quantity} 件"
        )
    _check_quantity(sku, total)
    line.quantity = total
    line.selected = True
    line.save(update_fields=["quantity", "selected", "updated_at"])
    return line


@transaction.atomic
def cart_item_update(
    *, user: User, item_id: int, quantity: int | None = None, selected: bool | None = None
) -> CartItem:
    """Change a line's quantity (checked against the stock) and whether it is selected."""
    _lock_buyer(user)
    line = _line_of(user, item_id)
    fields = []
    if quantity is not None and quantity != line.quantity:
        _check_quantity(catalog_selectors.sku_of(sku_id=line.sku_id), quantity)
        line.quantity = quantity
        fields.append("quantity")
    if selected is not None and selected != line.selected:
        line.selected = selected
        fields.append("selected")
    if fields:
        line.save(update_fields=[*fields, "updated_at"])
    return line


@transaction.atomic
def cart_select_all(*, user: User, selected: bool) -> int:
    """Select or unselect every line; returns how many changed."""
    _lock_buyer(user)
    return CartItem.objects.filter(user=user).exclude(selected=selected).update(selected=selected)


@transaction.atomic
def cart_item_remove(*, user: User, item_id: int) -> None:
    _lock_buyer(user)
    _line_of(user, item_id).delete()


@transaction.atomic
def cart_items_take(*, user: User, item_ids: list[int]) -> int:
    """Remove these lines of the buyer's cart as an order is placed, inside its transaction;
    any id that is not one of the buyer's lines refuses the whole order."""
    wanted = set(item_ids)
    lines = locks.cart_items_for_update(user=user, item_ids=wanted)
    if len(lines) != len(wanted):
        raise CartItemNotFound("购物车商品不存在或已结算，请刷新购物车后重试")
    CartItem.objects.filter(pk__in=[line.pk for line in lines]).delete()
    return len(lines)
