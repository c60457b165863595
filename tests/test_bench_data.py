"""`fenxiao manage bench_data`: the benchmarks' data is data the shop itself would have made —
products that search finds, buyers under three-level chains, completed orders whose
commissions follow the plan, with their ledger postings — so `run-due` settles it and
`reconcile` finds nothing wrong."""

import json
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Sum

from fenxiao.catalog import selectors as catalog
from fenxiao.distribution.models import Binding, Commission
from fenxiao.distribution.services.commissions import commissions_settle_due
from fenxiao.ledger.models import Account
from fenxiao.money import truncate_to_fen
from fenxiao.orders.models import Order
from fenxiao.payments.models import Payment
from tests.distribution.test_concurrency import assert_books

pytestmark = pytest.mark.django_db(transaction=True)


def test_bench_data_makes_orders_whose_commissions_settle_and_reconcile(capsys):
    # when
    call_command(
        "bench_data",
        *("--products", "40", "--orders", "25", "--chains", "3", "--buyers", "6"),
        *("--stock", "7"),
    )
    made = json.loads(capsys.readouterr().out.strip().splitlines()[-1])

    # then: what it says it made is there
    assert made["products"] == 40 and made["orders"] == 25 and made["commissions"] == 75
    assert catalog.product_list(on_shelf_only=False).count() == 40
    assert set(catalog.product_list(on_shelf_only=False).values_list("skus__stock", flat=True)) == {
        7
    }
    assert Order.objects.filter(status="completed").count() == 25
    assert Payment.objects.filter(status="paid").count() == 25
    # each order's three commissions go up the buyer's chain at 10 / 5 / 2 %
    order = Order.objects.order_by("pk").first()
    line = order.lines.get()
    assert (order.total, order.goods_amount) == (line.amount, line.amount)
    upline, user = [], order.buyer_id
    for _ in range(3):
        user = Binding.objects.get(user_id=user).inviter_id
        upline.append(user)
    got = list(order.commissions.order_by("level").values_list("beneficiary_id", "amount"))
    rates = (Decimal("0.10"), Decimal("0.05"), Decimal("0.02"))
    assert got == [
        (who, truncate_to_fen(line.amount * rate)) for who, rate in zip(upline, rates, strict=True)
    ]
    frozen = Account.objects.filter(kind="frozen").aggregate(s=Sum("balance"))["s"]
    assert frozen == Commission.objects.aggregate(s=Sum("amount"))["s"] > 0
    assert_books(capsys)

    # and when: run-due's settlement takes them all, and the books still hold
    assert commissions_settle_due() == 75
    assert not Commission.objects.exclude(status="settled").exists()
    assert_books(capsys)


def test_orders_without_buyers_are_refused_and_nothing_is_written():
    with pytest.raises(CommandError, match="orders need buyers"):
        call_command("bench_data", "--orders", "5", "--buyers", "0")

    assert not Order.objects.exists()
