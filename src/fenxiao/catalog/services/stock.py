"""Every change of a SKU's stock, each written with its StockMove in the same transaction.

Stock only moves through these functions: each bumps `Sku.stock_version` in the same UPDATE
and records who, why and the stock after, so the moves of a SKU always add up to its stock.
"""

from django.db import connection, transaction
from django.db.models import F

from fenxiao import db
from fenxiao.accounts.models import User
from fenxiao.catalog.errors import (
    OutOfStock,
    SkuNotFound,
    StockBelowZero,
    StockConflict,
    StockInvalid,
    StockTooLarge,
)
from fenxiao.catalog.models import Sku, StockMove

STOCK_MAX = 10_000_000
REASON_MAX = 100
Kind = StockMove.Kind


def _record(
    changes: dict[int, int],
    *,
    kind: str,
    reason: str = "",
    order_number: str = "",
    staff: User | None = None,
    after: dict[int, int] | None = None,
) -> list[StockMove]:
    """The moves of SKUs this transaction has just changed with its own UPDATE: the rows stay
    locked by that UPDATE until commit, so the stock read back is the stock after it.
    `after`: the stock after, by SKU, when the UPDATE returned it."""
    if after is None:
        after = dict(Sku.objects.filter(pk__in=changes).values_list("pk", "stock"))
    return db.insert(
        StockMove(
            sku_id=sku_id,
            delta=delta,
            stock_after=after[sku_id],
            kind=kind,
            reason=reason[:200],
            order_number=order_number,
            staff=staff,
        )
        for sku_id, delta in sorted(changes.items())
        if delta
    )


def _checked_reason(reason: str | None) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise StockInvalid("请填写库存调整原因")
    if len(reason) > REASON_MAX:
        raise StockInvalid(f"库存调整原因最多 {REASON_MAX} 个字")
    return reason


# reserve and release run inside the caller's order transaction: no savepoint of their own on
# the hot path; an error marks the caller's transaction for rollback
@transaction.atomic(savepoint=False)
def stock_reserve(*, quantities: dict[int, int], order_number: str) -> None:
    """Take stock for an order: one conditional UPDATE … RETURNING per SKU in id order (no
    overselling, no deadlocks), then the moves in one INSERT. Raises OutOfStock; the caller's
    transaction then rolls back what was taken."""
    table = Sku._meta.db_table
    after = {}
    with connection.cursor() as cursor:
        for sku_id in sorted(quantities):
            cursor.execute(
                f"UPDATE {table} SET stock = stock - %s, stock_version = stock_version + 1 "
                "WHERE id = %s AND stock >= %s RETURNING stock",
                [quantities[sku_id], sku_id, quantities[sku_id]],
            )
            row = cursor.fetchone()
            if row is None:
                raise OutOfStock()
            after[sku_id] = row[0]
    _record(
        {sku_id: -n for sku_id, n in quantities.items()},
        kind=Kind.ORDER,
        order_number=order_number,
        after=after,
    )


@transaction.atomic(savepoint=False)
def stock_release(
    *, quantities: dict[int, int], kind: str, order_number: str = "", reason: str = ""
) -> None:
    """Put stock back: an order cancelled (kind "cancel") or goods returned ("refund")."""
    if kind not in (Kind.CANCEL, Kind.REFUND):
        raise ValueError(f"not a release: {kind}")
    for sku_id in sorted(quantities):
        Sku.objects.filter(pk=sku_id).update(
            stock=F("stock") + quantities[sku_id], stock_version=F("stock_version") + 1
        )
    _record(quantities, kind=kind, order_number=order_number, reason=reason)


@transaction.atomic
def stock_adjust(*, sku_id: int, delta: int, reason: str, staff: User | None = None) -> Sku:
    """Staff add or remove units (+n / −n) with a reason; never below 0."""
    reason = _checked_reason(reason)
    if isinstance(delta, bool) or not isinstance(delta, int) or delta == 0:
        raise StockInvalid("库存调整数量须为非零整数")
    if abs(delta) > STOCK_MAX:
        raise StockInvalid(f"单次调整最多 {STOCK_MAX} 件")
    bounds = {"stock__gte": -delta} if delta < 0 else {"stock__lte": STOCK_MAX - delta}
    changed = Sku.objects.filter(pk=sku_id, **bounds).update(
        stock=F("stock") + delta, stock_version=F("stock_version") + 1
    )
    if not changed:
        sku = Sku.objects.filter(pk=sku_id).first()
        if sku is None:
            raise SkuNotFound()
        if delta < 0:
            raise StockBelowZero(f"库存不足：当前库存 {sku.stock}，不能减少 {-delta} 件")
        raise StockTooLarge(f"调整后库存不能超过 {STOCK_MAX} 件")
    _record({sku_id: delta}, kind=Kind.ADJUST, reason=reason, staff=staff)
    return Sku.objects.get(pk=sku_id)


@transaction.atomic
def stock_set(
    *, sku: Sku, stock: int, stock_version: int, reason: str = "", staff: User | None = None
) -> None:
    """Set an absolute stock (a count, 盘点) for a SKU the caller has locked, only if nothing
    changed it since the client read `stock_version`."""
    if stock_version != sku.stock_version:
        raise StockConflict(
            f"库存已被其他操作修改（当前库存 {sku.stock}），请刷新页面后按最新库存重新填写"
        )
    delta = stock - sku.stock
    if not delta:
        return
    Sku.objects.filter(pk=sku.pk).update(stock=stock, stock_version=F("stock_version") + 1)
    _record({sku.pk: delta}, kind=Kind.SET, reason=reason.strip() or "盘点", staff=staff)


def stock_record_initial(*, sku: Sku, staff: User | None = None) -> None:
    """The first move of a SKU just created with its stock."""
    stocks_record_initial(skus=[sku], staff=staff)


def stocks_record_initial(*, skus: list[Sku], staff: User | None = None) -> None:
    """The first moves of SKUs just created (one by one or in bulk) with their stock."""
    StockMove.objects.bulk_create(
        StockMove(sku=sku, delta=sku.stock, stock_after=sku.stock, kind=Kind.INITIAL, staff=staff)
        for sku in skus
        if sku.stock
    )
