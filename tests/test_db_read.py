"""fenxiao.db.read: hand-written reads give the instances the ORM gives, on either database."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import psycopg
import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from fenxiao import db
from fenxiao.accounts.models import Token, User
from fenxiao.catalog.models import Product, Sku
from fenxiao.distribution.models import Distributor, Grade, Plan
from fenxiao.orders.models import Order, OrderLine
from tests.catalog.factories import CategoryFactory, ProductFactory, SkuFactory
from tests.concurrency import other_connection
from tests.distribution.flows import buy, chain, plan_set

pytestmark = pytest.mark.django_db


def values(instance) -> dict:
    return {f.attname: getattr(instance, f.attname) for f in type(instance)._meta.concrete_fields}


@pytest.fixture
def order(buyer) -> Order:
    sku = SkuFactory(price=Decimal("88.80"), stock=10, specs={"颜色": "黑色", "尺码": "L"})
    return buy(buyer, (sku, 2))


def test_every_field_reads_as_the_orm_reads_it(order):
    # decimals, times, text, JSON, booleans, nulls: each model's converters apply
    line = OrderLine.objects.get(order=order)
    plan = Plan.objects.get(pk=1)

    assert values(db.read_one(Order, "orders_order.id = %s", [order.pk])) == values(
        Order.objects.get(pk=order.pk)
    )
    assert values(db.read_one(OrderLine, "orders_orderline.id = %s", [line.pk])) == values(line)
    assert values(db.read_one(Plan, "distribution_plan.id = 1", [])) == values(plan)
    assert db.read_one(OrderLine, "orders_orderline.id = %s", [line.pk]).sku_specs == {
        "颜色": "黑色",
        "尺码": "L",
    }


def test_related_rows_come_joined_with_no_further_query(order):
    sku = Sku.objects.get(pk=OrderLine.objects.get(order=order).sku_id)

    found = db.read_one(Sku, "catalog_sku.id = %s", [sku.pk], related=("product",))

    with CaptureQueriesContext(connection) as later:
        product = found.product
    assert len(later) == 0
    assert values(product) == values(sku.product)


def test_a_null_foreign_key_reads_as_none_and_a_set_one_as_its_row():
    loose = ProductFactory(category=None)
    shelved = ProductFactory(category=CategoryFactory(name="数码"))
    where, params = db.among("catalog_product.id", [loose.pk, shelved.pk], "bigint")

    found = {p.pk: p for p in db.read(Product, where, params, related=("category",))}

    with CaptureQueriesContext(connection) as later:
        assert found[loose.pk].category is None
        assert found[shelved.pk].category.name == "数码"
    assert len(later) == 0


def test_distributors_come_with_their_user_and_grade():
    plan_set(mode="everyone")
    top, bottom = chain(2)
    gold = Grade.objects.create(name="金牌", rank=5)
    Distributor.objects.filter(pk=top.pk).update(grade=gold)
    where, params = db.among("distribution_distributor.user_id", [top.pk, bottom.pk], "bigint")

    found = {d.pk: d for d in db.read(Distributor, where, params, related=("user", "grade"))}

    with CaptureQueriesContext(connection) as later:
        assert found[top.pk].grade.name == "金牌"
        assert found[bottom.pk].grade.name != "金牌"
        assert (found[top.pk].user.pk, found[bottom.pk].user.pk) == (top.pk, bottom.pk)
    assert len(later) == 0


def test_no_row_is_none_and_an_id_beyond_64_bits_matches_nothing(order):
    assert db.read_one(Order, "orders_order.id = %s", [order.pk + 1000]) is None
    assert db.read(Order, "orders_order.id = %s", [2**63]) == []
    assert db.read(Order, "orders_order.id = %s", [-(2**63) - 1]) == []


def test_times_compare_as_the_orm_compares_them(buyer):
    # SQLite keeps UTC text: a time in another zone is adapted as the ORM adapts it
    expires = datetime(2099, 1, 1, 12, 0, tzinfo=UTC)
    token = Token.objects.create(user=buyer, key_hash="x" * 64, expires_at=expires)
    where = "accounts_token.id = %s AND accounts_token.expires_at > %s"
    in_beijing = expires.astimezone(ZoneInfo("Asia/Shanghai"))

    assert db.read_one(Token, where, [token.pk, in_beijing]) is None
    found = db.read_one(Token, where, [token.pk, in_beijing - timedelta(seconds=1)])
    assert found.expires_at == expires


def test_the_tail_orders_rows(buyer):
    users = [User.objects.create_user(phone=f"1380000{i:04d}") for i in range(3)]
    where, params = db.among("accounts_user.id", [u.pk for u in users], "bigint")

    found = db.read(User, where, params, tail=" ORDER BY accounts_user.id DESC")

    assert [u.pk for u in found] == sorted((u.pk for u in users), reverse=True)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_lock_takes_the_main_row_and_leaves_the_joined_one(buyer):
    sku = SkuFactory(stock=5)

    with transaction.atomic():
        db.read_one(Sku, "catalog_sku.id = %s", [sku.pk], related=("product",), lock=True)
        with other_connection() as other:
            # the product is free; the SKU waits for this transaction
            other.execute(
                "SELECT 1 FROM catalog_product WHERE id = %s FOR UPDATE NOWAIT", [sku.product_id]
            )
            with pytest.raises(psycopg.errors.LockNotAvailable):
                other.execute("SELECT 1 FROM catalog_sku WHERE id = %s FOR UPDATE NOWAIT", [sku.pk])


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_lock_takes_the_joined_rows_it_names(buyer):
    sku = SkuFactory(stock=5)

    with transaction.atomic():
        found = db.read_one(
            Sku, "catalog_sku.id = %s", [sku.pk], related=("product",), lock=("product",)
        )
        with other_connection() as other:
            for table, pk in [("catalog_sku", sku.pk), ("catalog_product", sku.product_id)]:
                with pytest.raises(psycopg.errors.LockNotAvailable):
                    other.execute(f"SELECT 1 FROM {table} WHERE id = %s FOR UPDATE NOWAIT", [pk])
    assert found.product.pk == sku.product_id
