"""Data at promotion scale for the benchmarks: `fenxiao manage bench_data --products N --orders N`.

products: a believable catalog from word lists (bench_catalog), each product with SKUs, their
initial stock moves, an image and its search text as the catalog services set it.

orders: completed before the settlement window, one line each, paid (a payment each), bought by
buyers bound under distributors in three-level chains; three levels of commission each (10, 5
and 2 % of the line), frozen, with their accrual postings and frozen balances — what `run-due`
settles and `reconcile` checks. Written with INSERT … SELECT, so a million commissions take
seconds, not hours.
"""

import random
import time
from datetime import datetime, timedelta
from decimal import Decimal

from django.db import connection, transaction
from django.utils import timezone

from fenxiao.accounts.models import User
from fenxiao.catalog.models import Category, Product, ProductImage, Sku
from fenxiao.catalog.services import search_text_for, stocks_record_initial
from fenxiao.demo import bench_catalog
from fenxiao.distribution.models import Binding, Commission
from fenxiao.distribution.services.distributors import distributor_ensure
from fenxiao.distribution.services.plan import plan_as_dict, plan_get, plan_update
from fenxiao.ledger.models import Account, Entry, Transaction
from fenxiao.ledger.services import platform_key
from fenxiao.orders.models import Order, OrderLine
from fenxiao.payments.models import Payment

BATCH = 5_000
RATES = ((1, Decimal("10")), (2, Decimal("5")), (3, Decimal("2")))
BUYER_PHONE = "139"


def products(count: int, *, stock: int | None = None, seed: int = 20240601) -> list[int]:
    """`count` products in word-list categories (92 % on the shelf); every SKU holds `stock`
    units when given, else a random stock. Returns the new SKUs' ids."""
    rng = random.Random(seed)
    leaves = _categories()
    sku_ids: list[int] = []
    for start in range(0, count, BATCH):
        rows = []
        for _ in range(min(BATCH, count - start)):
            category, nouns = rng.choice(leaves)
            fields = bench_catalog.product_fields(rng, category.name, nouns)
            product = Product(category=category, **fields)
            product.search_text = search_text_for(product)
            rows.append((product, bench_catalog.sku_fields(rng)))
        with transaction.atomic():
            Product.objects.bulk_create([product for product, _ in rows])
            skus = Sku.objects.bulk_create(
                Sku(product=p, code=f"P{p.pk}-{k}", **{**sku, **_stock(stock)})
                for p, variants in rows
                for k, sku in enumerate(variants)
            )
            stocks_record_initial(skus=skus)
            ProductImage.objects.bulk_create(
                ProductImage(product=p, image=f"products/bench/{p.pk % 500}.jpg") for p, _ in rows
            )
        sku_ids += [s.pk for s in skus]
    _analyze()
    return sku_ids


def _stock(stock: int | None) -> dict:
    return {} if stock is None else {"stock": stock}


def _categories() -> list[tuple[Category, list[str]]]:
    leaves = []
    with transaction.atomic():
        for i, (root_name, subs) in enumerate(bench_catalog.categories()):
            root, _ = Category.objects.get_or_create(
                name=root_name, parent=None, defaults={"sort": i}
            )
            for j, (name, nouns) in enumerate(subs):
                leaf, _ = Category.objects.get_or_create(
                    name=name, parent=root, defaults={"sort": j}
                )
                leaves.append((leaf, nouns))
    return leaves


def people(*, chains: int, buyers: int) -> list[User]:
    """`chains` three-level distributor chains and `buyers` buyers bound to the chains' last
    distributors in turn; the plan pays 10/5/2 % over three levels. Returns the buyers."""
    plan = plan_as_dict(plan_get())
    plan.update(
        mode="everyone",
        levels=3,
        rates=[{"level": level, "percent": str(rate)} for level, rate in RATES],
    )
    plan_update(data=plan, source="import")
    taken = User.objects.filter(phone__startswith="137").count()
    made = User.objects.bulk_create(
        User(phone=f"137{taken + i:08d}", nickname=f"分销商{taken + i}", password="!")
        for i in range(3 * chains)
    )
    leaves = []
    now = timezone.now()
    links = []
    for c in range(chains):
        top, middle, leaf = made[3 * c : 3 * c + 3]
        for user in (top, middle, leaf):
            distributor_ensure(user=user, now=now)
        links += [(middle, top), (leaf, middle)]
        leaves.append(leaf)
    taken = User.objects.filter(phone__startswith=BUYER_PHONE).count()
    bought = User.objects.bulk_create(
        User(phone=f"{BUYER_PHONE}{taken + i:08d}", nickname=f"买家{taken + i}", password="!")
        for i in range(buyers)
    )
    links += [(buyer, leaves[i % chains]) for i, buyer in enumerate(bought)]
    Binding.objects.bulk_create(
        Binding(user=user, inviter=inviter, bound_at=now, source="link") for user, inviter in links
    )
    return bought


@transaction.atomic
def orders(count: int, *, buyers: list[User], skus: list[int], days_ago: int = 30) -> int:
    """`count` completed, paid orders of one unit of one of `skus` each, by `buyers` in turn,
    `days_ago` days old, with three levels of frozen commission and their ledger postings.
    Returns the commissions written."""
    at = timezone.now() - timedelta(days=days_ago)
    first_order = _next_id(Order)
    first_commission = _next_id(Commission)
    number = Order.objects.count()
    _insert_from(
        Order,
        f"{_series(count)} JOIN {_numbered(buyers, 'b')} ON b.n = g %% {len(buyers)}",
        {
            "number": f"'B' || ({10**11 + number} + g)",
            "buyer": "b.id",
            "status": "'completed'",
            "goods_amount": "0",
            "total": "0",
            "ship_name": "'张三'",
            "ship_phone": "'13800000000'",
            "ship_province": "'浙江省'",
            "ship_city": "'杭州市'",
            "ship_district": "'西湖区'",
            "ship_detail": "'文三路 100 号'",
            "created_at": "%s",
            "pay_deadline": "%s",
            "paid_at": "%s",
            "shipped_at": "%s",
            "completed_at": "%s",
        },
        [at] * 5,
    )
    new_orders = f"orders_order o WHERE o.id >= {first_order}"
    _insert_from(
        OrderLine,
        f"orders_order o JOIN {_numbered(skus, 'k')} ON k.n = o.id %% {len(skus)}"
        " JOIN catalog_sku s ON s.id = k.id JOIN catalog_product p ON p.id = s.product_id"
        f" WHERE o.id >= {first_order}",
        {
            "order": "o.id",
            "sku": "s.id",
            "product": "p.id",
            "product_name": "p.name",
            "sku_specs": "s.specs",
            "unit_price": "s.price",
            "unit_cost": "s.cost",
            "quantity": "1",
            "amount": "s.price",
        },
    )
    _execute(
        "UPDATE orders_order SET goods_amount = l.amount, total = l.amount"
        " FROM orders_orderline l WHERE l.order_id = orders_order.id"
        f" AND orders_order.id >= {first_order}"
    )
    _insert_from(
        Payment,
        new_orders,
        {
            "order": "o.id",
            "provider": "'sandbox'",
            "out_trade_no": "o.number",
            "transaction_id": "'T' || o.number",
            "amount": "o.total",
            "status": "'paid'",
            "created_at": "%s",
            "paid_at": "%s",
        },
        [at, at],
    )
    levels = " UNION ALL ".join(f"SELECT {level} AS level, {rate} AS rate" for level, rate in RATES)
    beneficiary = (
        "CASE r.level WHEN 1 THEN b1.inviter_id WHEN 2 THEN b2.inviter_id ELSE b3.inviter_id END"
    )
    written = _insert_from(
        Commission,
        "orders_orderline l JOIN orders_order o ON o.id = l.order_id"
        " JOIN distribution_binding b1 ON b1.user_id = o.buyer_id"
        " JOIN distribution_binding b2 ON b2.user_id = b1.inviter_id"
        " JOIN distribution_binding b3 ON b3.user_id = b2.inviter_id"
        f" CROSS JOIN ({levels}) r WHERE o.id >= {first_order}",
        {
            "order": "o.id",
            "line": "l.id",
            "level": "r.level",
            "beneficiary": beneficiary,
            "order_number": "o.number",
            "product_name": "l.product_name",
            "sku_id": "l.sku_id",
            "quantity": "1",
            "base": "l.amount",
            "share_cap": "50",
            "rate_kind": "'percent'",
            "rate": "r.rate",
            "rate_source": "'plan'",
            "original_amount": _fen("l.amount * r.rate / 100"),
            "amount": _fen("l.amount * r.rate / 100"),
            "status": "'frozen'",
            "created_at": "%s",
        },
        [at],
    )
    _accrue(first_commission, at)
    _analyze()
    return written


def _accrue(first_commission: int, at: datetime) -> None:
    """The new commissions' accrual postings (frozen +, commission expense −), the accounts
    they need and the frozen balances they add up to."""
    new = f"distribution_commission c WHERE c.id >= {first_commission}"
    _insert_from(
        Account,
        "(SELECT DISTINCT c.beneficiary_id AS owner, k.kind FROM distribution_commission c"
        " CROSS JOIN (SELECT 'frozen' AS kind UNION ALL SELECT 'available') k"
        f" WHERE c.id >= {first_commission}) u WHERE NOT EXISTS (SELECT 1 FROM ledger_account a"
        " WHERE a.owner_id = u.owner AND a.kind = u.kind)",
        {"key": "'user:' || u.owner || ':' || u.kind", "kind": "u.kind", "owner": "u.owner"},
    )
    expense = platform_key(Account.Kind.COMMISSION_EXPENSE)
    Account.objects.get_or_create(key=expense, defaults={"kind": Account.Kind.COMMISSION_EXPENSE})
    first_txn = _next_id(Transaction)
    _insert_from(
        Transaction,
        new,
        {
            "kind": "'commission_accrue'",
            "source_id": "CAST(c.id AS TEXT)",
            "memo": "'订单 ' || c.order_number || ' 第 ' || c.level || ' 级佣金'",
            "created_at": "%s",
        },
        [at],
    )
    posted = (
        f"ledger_transaction t JOIN distribution_commission c ON CAST(c.id AS TEXT) = t.source_id"
        f" WHERE t.id >= {first_txn} AND c.id >= {first_commission}"
    )
    _insert_from(
        Entry,
        posted.replace(
            " WHERE",
            " JOIN ledger_account a ON a.owner_id = c.beneficiary_id AND a.kind = 'frozen' WHERE",
        ),
        {"transaction": "t.id", "account": "a.id", "amount": "c.amount"},
    )
    _insert_from(
        Entry,
        posted,
        {
            "transaction": "t.id",
            "account": str(Account.objects.get(key=expense).pk),
            "amount": "-c.amount",
        },
    )
    _execute(
        "UPDATE ledger_account SET balance = ledger_account.balance + s.total"
        " FROM (SELECT beneficiary_id, sum(amount) AS total FROM distribution_commission"
        f" WHERE id >= {first_commission} GROUP BY beneficiary_id) s"
        " WHERE ledger_account.owner_id = s.beneficiary_id AND ledger_account.kind = 'frozen'"
    )


def _insert_from(model, source: str, values: dict[str, str], params: list | None = None) -> int:
    """INSERT INTO the model's table SELECT `values` (SQL over `source` by field name, their %s
    filled from `params` in field order) FROM `source`; other columns take their field's
    default. Returns the rows written."""
    columns, exprs, args = [], [], []
    given = iter(params or [])
    for field in model._meta.concrete_fields:
        if field.name in values:
            exprs.append(values[field.name])
            args += [_adapt(next(given)) for _ in range(values[field.name].count("%s"))]
        elif field.primary_key or field.null:
            continue
        elif (default := field.get_default()) is None:
            raise ValueError(f"{model.__name__}.{field.name} needs a value")
        else:
            exprs.append("%s")
            args.append(field.get_db_prep_save(default, connection))
        columns.append(connection.ops.quote_name(field.column))
    table = connection.ops.quote_name(model._meta.db_table)
    sql = f"INSERT INTO {table} ({', '.join(columns)}) SELECT {', '.join(exprs)} FROM {source}"
    with connection.cursor() as cursor:
        cursor.execute(sql, args)
        return cursor.rowcount


def _adapt(value):
    if isinstance(value, datetime):
        return connection.ops.adapt_datetimefield_value(value)
    return value


def _execute(sql: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql)


def _series(count: int) -> str:
    """Rows g = 1 … count."""
    if connection.vendor == "postgresql":
        return f"generate_series(1, {count}) AS s(g)"
    return (
        f"(WITH RECURSIVE s(g) AS (SELECT 1 UNION ALL SELECT g + 1 FROM s WHERE g < {count})"
        " SELECT g FROM s) s"
    )


def _numbered(rows, alias: str) -> str:
    """A derived table `alias`(n, id) numbering the ids (or model instances) of `rows` from 0."""
    values = ", ".join(f"({n}, {getattr(row, 'pk', row)})" for n, row in enumerate(rows))
    if connection.vendor == "postgresql":
        return f"(VALUES {values}) AS {alias}(n, id)"
    return f"(SELECT column1 AS n, column2 AS id FROM (VALUES {values})) {alias}"


def _fen(expr: str) -> str:
    """`expr` truncated to the fen."""
    if connection.vendor == "postgresql":
        return f"trunc({expr}, 2)"
    return f"CAST(({expr}) * 100 AS INTEGER) / 100.0"


def _next_id(model) -> int:
    last = model.objects.order_by("-pk").values_list("pk", flat=True).first()
    return (last or 0) + 1


def _analyze() -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("INSERT INTO catalog_product_fts(catalog_product_fts) VALUES('rebuild')")
        cursor.execute("ANALYZE")


def load(*, products_count: int, orders_count: int, chains: int, buyers: int, stock=None) -> dict:
    """What `bench_data` does; returns what it made and how long it took."""
    started = time.perf_counter()
    skus = products(products_count, stock=stock) if products_count else []
    people_s = time.perf_counter()
    bought = people(chains=chains, buyers=buyers) if buyers else []
    orders_s = time.perf_counter()
    commissions = 0
    if orders_count:
        skus = skus or list(Sku.objects.filter(is_active=True).values_list("pk", flat=True)[:1000])
        if not (bought and skus):
            raise ValueError("orders need buyers (--buyers) and products (--products)")
        commissions = orders(orders_count, buyers=bought, skus=skus[:1000])
    done = time.perf_counter()
    return {
        "products": products_count,
        "skus": len(skus),
        "buyers": len(bought),
        "distributors": 3 * chains if buyers else 0,
        "orders": orders_count,
        "commissions": commissions,
        "seconds": {
            "products": people_s - started,
            "people": orders_s - people_s,
            "orders": done - orders_s,
        },
    }
