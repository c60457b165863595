"""The report pages' selectors on 100,000 orders: 数据概况, 分销效果 and 排行榜.

    .venv/bin/python bench/reports.py --db sqlite|postgres [--orders N] [--json-out FILE]

Builds a fresh database (as the other benches do), bulk-loads a year of a shop's history —
users, distributors, bindings and referral visits, orders with lines, the chain snapshot and
commissions of the referred ones, refunds, paid withdrawals, the plan's first save — then
times each page's selector for the last 7, 30 and 365 days. The reference in the same run is
one plain pass over the orders table, `SELECT count(*), sum(total) FROM orders_order` (its
median time; a bare count(*) is no reference on SQLite, which answers it from the b-tree
without reading rows), and on PostgreSQL also `pgbench -S` on the same database.
"""

import argparse
import random
import sys
import time
from datetime import timedelta
from decimal import Decimal

from _common import (
    PG_BENCH_DB,
    django_setup,
    emit,
    median,
    p95,
    pad,
    pgbench,
    pgbench_init,
    timed,
)

BATCH = 5_000
DAYS = 365
RANGES = [7, 30, 365]
ADDRESS = {
    "ship_name": "张三",
    "ship_phone": "13800000000",
    "ship_province": "浙江省",
    "ship_city": "杭州市",
    "ship_district": "西湖区",
    "ship_detail": "文三路 100 号",
}


def load_shop(n_orders: int, seed: int = 20261130) -> dict:
    """Bulk-insert a year of history; timestamps spread over the last DAYS days."""
    from django.contrib.auth.hashers import make_password
    from django.db import transaction
    from django.utils import timezone

    from fenxiao.accounts.models import User
    from fenxiao.catalog.models import Product, Sku
    from fenxiao.distribution.models import (
        Binding,
        BindingEvent,
        Commission,
        Distributor,
        Grade,
        OrderBeneficiary,
        PlanChange,
    )
    from fenxiao.orders.models import Order, OrderLine, Refund
    from fenxiao.payouts.models import Withdrawal

    # the bench writes history: the auto_now_add stamps must take the generated moments
    for model in (Order, Refund, Distributor):
        model._meta.get_field("created_at").auto_now_add = False

    rng = random.Random(seed)
    now = timezone.now()
    start = now - timedelta(days=DAYS)
    started = time.perf_counter()

    def moment(after=start, before=now):
        return after + (before - after) * rng.random()

    n_users = max(1_000, n_orders // 4)
    n_distributors = max(50, n_users // 30)
    password = make_password(None)
    grade = Grade.objects.get(is_default=True)
    with transaction.atomic():
        products = Product.objects.bulk_create(
            Product(name=f"好物 {i}", status="on_shelf", search_text=f"好物 {i}")
            for i in range(200)
        )
        skus = Sku.objects.bulk_create(
            Sku(product=p, price=Decimal("19.90") + i % 50, stock=1_000_000)
            for i, p in enumerate(products)
        )
        users = User.objects.bulk_create(
            (
                User(
                    phone=f"139{i:08d}",
                    nickname=f"用户{i}",
                    password=password,
                    date_joined=moment(),
                )
                for i in range(n_users)
            ),
            batch_size=BATCH,
        )
        sharers = users[:n_distributors]
        Distributor.objects.bulk_create(
            (
                Distributor(
                    user=u,
                    status="active",
                    grade=grade,
                    referral_code=f"R{u.pk:08d}",
                    created_at=u.date_joined,
                    activated_at=u.date_joined,
                )
                for u in sharers
            ),
            batch_size=BATCH,
        )
        # 60% of the others came through a distributor's link: a visit and a binding
        inviter_of: dict[int, int] = {}
        bindings, events = [], []
        for u in users[n_distributors:]:
            if rng.random() < 0.6:
                inviter = rng.choice(sharers)
                at = u.date_joined + timedelta(minutes=1)
                inviter_of[u.pk] = inviter.pk
                bindings.append(Binding(user=u, inviter=inviter, bound_at=at, source="link"))
                product = rng.choice(products) if rng.random() < 0.5 else None
                for kind in ("visit", "bind"):
                    events.append(
                        BindingEvent(
                            user=u,
                            inviter=inviter,
                            kind=kind,
                            source="link",
                            product=product,
                            at=at,
                        )
                    )
        # and more visits of people already signed up
        for _ in range(n_orders // 2):
            events.append(
                BindingEvent(
                    user=rng.choice(users),
                    inviter=rng.choice(sharers),
                    kind="visit",
                    source="poster",
                    product=rng.choice(products),
                    at=moment(),
                )
            )
        Binding.objects.bulk_create(bindings, batch_size=BATCH)
        BindingEvent.objects.bulk_create(events, batch_size=BATCH)

        orders = []
        for i in range(n_orders):
            buyer = rng.choice(users)
            created = moment(max(start, buyer.date_joined))
            paid = rng.random() < 0.9
            orders.append(
                Order(
                    number=f"B{i:010d}",
                    buyer=buyer,
                    status="completed" if paid else "cancelled",
                    goods_amount=0,
                    total=0,
                    created_at=created,
                    pay_deadline=created + timedelta(minutes=30),
                    paid_at=created + timedelta(minutes=2) if paid else None,
                    cancelled_at=None if paid else created + timedelta(minutes=30),
                    **ADDRESS,
                )
            )
        for order in orders:
            lines = rng.sample(skus, rng.randint(1, 2))
            order._lines = [(sku, rng.randint(1, 3)) for sku in lines]
            order.total = order.goods_amount = sum(s.price * q for s, q in order._lines)
        Order.objects.bulk_create(orders, batch_size=BATCH)
        lines = [
            OrderLine(
                order=o,
                sku=sku,
                product_id=sku.product_id,
                product_name=f"好物 {sku.product_id}",
                unit_price=sku.price,
                quantity=q,
                amount=sku.price * q,
            )
            for o in orders
            for sku, q in o._lines
        ]
        OrderLine.objects.bulk_create(lines, batch_size=BATCH)

        paid_orders = [o for o in orders if o.paid_at]
        beneficiaries, commissions = [], []
        for o in paid_orders:
            beneficiaries.append(
                OrderBeneficiary(order=o, level=0, user_id=o.buyer_id, active=True)
            )
            inviter = inviter_of.get(o.buyer_id)
            if inviter:
                beneficiaries.append(
                    OrderBeneficiary(order=o, level=1, user_id=inviter, grade=grade, active=True)
                )
        OrderBeneficiary.objects.bulk_create(beneficiaries, batch_size=BATCH)
        for line in lines:
            o = line.order
            inviter = inviter_of.get(o.buyer_id) if o.paid_at else None
            if not inviter:
                continue
            amount = (line.amount / 10).quantize(Decimal("0.01"))
            settled = o.paid_at + timedelta(days=17)
            commissions.append(
                Commission(
                    order=o,
                    line=line,
                    level=1,
                    beneficiary_id=inviter,
                    order_number=o.number,
                    product_name=line.product_name,
                    sku_id=line.sku_id,
                    quantity=line.quantity,
                    base=line.amount,
                    share_cap=50,
                    rate_kind="percent",
                    rate=10,
                    rate_source="plan",
                    original_amount=amount,
                    amount=amount,
                    status="settled" if settled < now else "frozen",
                    created_at=o.paid_at,
                    settled_at=settled if settled < now else None,
                )
            )
        Commission.objects.bulk_create(commissions, batch_size=BATCH)
        refunds = [
            Refund(
                number=f"R{o.pk:010d}",
                order=o,
                status="refunded",
                reason="不想要了",
                amount=o.total,
                created_at=o.paid_at + timedelta(days=1),
                refunded_at=o.paid_at + timedelta(days=2),
            )
            for o in rng.sample(paid_orders, len(paid_orders) // 20)
        ]
        Refund.objects.bulk_create(refunds, batch_size=BATCH)
        Withdrawal.objects.bulk_create(
            (
                Withdrawal(
                    user=rng.choice(sharers),
                    amount=Decimal("100.00"),
                    fee=0,
                    tax=0,
                    net=Decimal("100.00"),
                    channel="bank",
                    status="paid",
                    request_id=f"w{i}",
                    fingerprint="bench",
                    created_at=(paid_at := moment()),
                    paid_at=paid_at + timedelta(hours=3),
                )
                for i in range(n_orders // 30)
            ),
            batch_size=BATCH,
        )
        PlanChange.objects.create(source="bench", before={}, after={})
        PlanChange.objects.update(changed_at=now - timedelta(days=DAYS // 2))
    return {
        "load_s": time.perf_counter() - started,
        "users": n_users,
        "distributors": n_distributors,
        "orders": n_orders,
        "lines": len(lines),
        "commissions": len(commissions),
        "visits_and_bindings": len(events),
    }


def run(db: str, n_orders: int) -> dict:
    django_setup(db)
    from django.db import connection

    from fenxiao.reports.periods import Period, preset, today
    from fenxiao.reports.selectors.dashboard import dashboard
    from fenxiao.reports.selectors.effect import distribution_effect
    from fenxiao.reports.selectors.rankings import rankings

    loaded = load_shop(n_orders)
    with connection.cursor() as cursor:
        # as autovacuum leaves a live database: statistics, and a visibility map for the
        # index-only probes
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")

    def scan_orders() -> tuple:
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*), sum(total) FROM orders_order")
            return cursor.fetchone()

    reference = timed(scan_orders)
    pages = {
        "数据概况": lambda p: dashboard(p),
        "分销效果 按日": lambda p: distribution_effect(p, "day"),
        "分销效果 按月": lambda p: distribution_effect(p, "month"),
        "排行榜": lambda p: rankings(p),
    }
    rows = []
    for days in RANGES:
        last = today()
        period = Period(last - timedelta(days=days - 1), last) if days not in (7, 30) else None
        period = period or preset(str(days))
        for name, read in pages.items():
            samples = timed(lambda read=read, period=period: read(period), min_runs=5, budget_s=2.0)
            rows.append(
                {"page": name, "days": days, "median": median(samples), "p95": p95(samples)}
            )
    result = {
        "db": db,
        "vendor": connection.vendor,
        **loaded,
        "scan_median": median(reference),
        "rows": rows,
    }
    if connection.vendor == "postgresql":
        connection.close()
        pgbench_init(PG_BENCH_DB)
        result["pgbench_select_tps"] = pgbench(["-S", "-c", "1", "-j", "1", "-T", "5"], PG_BENCH_DB)
    return result


def print_report(result: dict) -> None:
    print(
        f"\nreports · {result['db']} · {result['orders']:,} orders, {result['lines']:,} lines, "
        f"{result['commissions']:,} commissions, {result['visits_and_bindings']:,} referral "
        f"events, {result['users']:,} users; load {result['load_s']:.0f} s"
    )
    ref = result["scan_median"]
    print(f"reference: SELECT count(*), sum(total) FROM orders_order, median {ref:.2f} ms")
    if "pgbench_select_tps" in result:
        tps = result["pgbench_select_tps"]
        print(f"reference: pgbench -S -c 1 -T 5, same database: {tps:,.0f} tps")
    print(f"{pad('page', 16)}{'days':>6}{'median':>10}{'p95':>10}{'÷ scan':>12}")
    for row in result["rows"]:
        print(
            f"{pad(row['page'], 16)}{row['days']:>6}{row['median']:>8.1f}ms{row['p95']:>8.1f}ms"
            f"{row['median'] / ref:>12.1f}"
        )


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="postgres")
    parser.add_argument("--orders", type=int, default=100_000)
    parser.add_argument("--json-out")
    args = parser.parse_args(argv)
    result = run(args.db, args.orders)
    print_report(result)
    emit(result, args.json_out)


if __name__ == "__main__":
    main(sys.argv[1:])
