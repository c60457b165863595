"""The hottest reads, as the ORM compiles them on every call against `fenxiao.db.read`.

    .venv/bin/python bench/reads.py --db sqlite|postgres [--json-out FILE]

Each read runs in one process, one thread, on a shop of a few orders (the time is Python's:
the rows come from the database's cache). CPU microseconds per read, median of 5 rounds of
2,000 reads each; '÷ SELECT 1' divides by a bare `SELECT 1` through the same cursor, the
least any read costs (one round trip).
"""

import argparse
import statistics
import sys
import time

from _common import django_setup, emit, pad

ROUNDS, CALLS = 5, 2000


def cpu_us(fn) -> float:
    fn()
    rounds = []
    for _ in range(ROUNDS):
        started = time.process_time()
        for _ in range(CALLS):
            fn()
        rounds.append((time.process_time() - started) * 1e6 / CALLS)
    return statistics.median(rounds)


def make_shop():
    from django.utils import timezone

    from fenxiao.accounts.auth import hash_token
    from fenxiao.accounts.models import Token, User
    from fenxiao.catalog.models import Product, Sku
    from fenxiao.orders.models import Order

    buyer = User.objects.create_user(phone="13800000001", nickname="买家")
    token = Token.objects.create(
        user=buyer,
        key_hash=hash_token("bench"),
        auth_hash=buyer.get_session_auth_hash(),
        expires_at=timezone.now() + timezone.timedelta(days=1),
    )
    product = Product.objects.create(name="商品", status=Product.Status.ON_SHELF)
    sku = Sku.objects.create(product=product, price=100, stock=10, specs={"颜色": "黑色"})
    now = timezone.now()
    order = Order.objects.create(
        number="B1", buyer=buyer, goods_amount=100, total=100, pay_deadline=now
    )
    return token, sku, order


def table(r: dict) -> None:
    print(f"{r['db']}: CPU µs a read (SELECT 1: {r['select_1_us']:.0f} µs)")
    print(pad("read", 18) + f"{'ORM':>8}{'db.read':>9}{'ORM ÷ read':>12}{'read ÷ SELECT 1':>17}")
    for row in r["rows"]:
        print(
            pad(row["read"], 18)
            + f"{row['orm_us']:>8.0f}{row['read_us']:>9.0f}"
            + f"{row['orm_us'] / row['read_us']:>12.1f}{row['read_us'] / r['select_1_us']:>17.1f}"
        )


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--json-out")
    args = parser.parse_args(argv)
    django_setup(args.db)
    from django.db import connection, transaction
    from django.utils import timezone

    from fenxiao import db
    from fenxiao.accounts.models import Token
    from fenxiao.catalog.models import Product, Sku
    from fenxiao.orders.models import Order

    token, sku, order = make_shop()
    now = timezone.now()
    key = token.key_hash

    def select_1():
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()

    on_shelf = Product.Status.ON_SHELF
    cases = [
        (
            "token and user",
            lambda: (
                Token.objects.select_related("user")
                .filter(key_hash=key, user__is_active=True, expires_at__gt=now)
                .first()
            ),
            lambda: db.read_one(
                Token,
                "accounts_token.key_hash = %s AND accounts_token.expires_at > %s"
                " AND accounts_user.is_active",
                [key, now],
                related=("user",),
            ),
        ),
        (
            "order under lock",
            lambda: Order.objects.select_for_update().filter(pk=order.pk).first(),
            lambda: db.read_one(Order, "orders_order.id = %s", [order.pk], lock=True),
        ),
        (
            "SKUs for sale",
            lambda: list(
                Sku.objects.select_related("product").filter(
                    pk__in=[sku.pk], is_active=True, product__status=on_shelf
                )
            ),
            lambda: db.read(
                Sku,
                "catalog_sku.id = %s AND catalog_sku.is_active AND catalog_product.status = %s",
                [sku.pk, on_shelf],
                related=("product",),
            ),
        ),
    ]
    with transaction.atomic():  # the lock needs one; the others do not mind
        bare = cpu_us(select_1)
        rows = [
            {"read": label, "orm_us": cpu_us(orm), "read_us": cpu_us(hand)}
            for label, orm, hand in cases
        ]
    results = {"db": args.db, "select_1_us": bare, "rows": rows, "ok": True}
    table(results)
    emit(results, args.json_out)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
