"""fenxiao.db.insert, update and read_children: hand-written writes and child reads leave the
rows, keys and caches the ORM would, on either database."""

from decimal import Decimal

import pytest
from django.db import DatabaseError, connection
from django.test.utils import CaptureQueriesContext

from fenxiao import db
from fenxiao.catalog.models import FreightRule, FreightTemplate, Product, StockMove
from fenxiao.orders.models import Order, OrderDiscount, OrderLine
from tests.catalog.factories import ProductFactory, SkuFactory
from tests.distribution.flows import buy
from tests.test_db_read import values

pytestmark = pytest.mark.django_db


@pytest.fixture
def order(buyer) -> Order:
    first = SkuFactory(price=Decimal("88.80"), stock=10, specs={"颜色": "黑色", "尺码": "L"})
    second = SkuFactory(price=Decimal("9.90"), stock=10)
    return buy(buyer, (first, 2), (second, 1))


def test_inserted_rows_read_back_as_written_with_their_keys(order):
    line = OrderLine.objects.filter(order=order).first()
    copy = OrderLine(**{k: v for k, v in values(line).items() if k != "id"})
    copy.sku_specs = {"颜色": "白色"}
    copy.amount = Decimal("12.34")
    discount = OrderDiscount(order=order, kind="coupon", name="满100减10", amount=Decimal("10"))

    (written,) = db.insert([copy])
    db.insert([discount])

    assert written is copy and copy.pk not in (None, line.pk)
    assert not copy._state.adding and copy._state.db == "default"
    assert values(OrderLine.objects.get(pk=copy.pk)) == values(copy)
    assert OrderLine.objects.get(pk=copy.pk).sku_specs == {"颜色": "白色"}
    assert OrderDiscount.objects.get(pk=discount.pk).amount == Decimal("10.00")


def test_several_rows_in_one_statement_read_back_as_written(order):
    line = OrderLine.objects.filter(order=order).first()
    fields = {k: v for k, v in values(line).items() if k != "id"}
    specs = [{"颜色": '"黑" \\ 白', "尺码": None, "n": [1, 2.5]}, {}, {"a": {"b": "c"}}]
    names = ['"黑" \\ 白', "NULL", "{a,b}"]  # as text arrays quote and escape them
    copies = [
        OrderLine(**{**fields, "sku_specs": spec, "amount": Decimal(i), "product_name": name})
        for i, (spec, name) in enumerate(zip(specs, names, strict=True))
    ]
    moves = [StockMove(sku_id=line.sku_id, delta=-i, stock_after=i, kind="order") for i in (1, 2)]

    with CaptureQueriesContext(connection) as statements:
        db.insert(copies)
        db.insert(moves)

    assert len(statements) == 2
    assert [c.pk for c in copies] == sorted(c.pk for c in copies)
    for copy, spec in zip(copies, specs, strict=True):
        assert values(OrderLine.objects.get(pk=copy.pk)) == values(copy)
        assert OrderLine.objects.get(pk=copy.pk).sku_specs == spec
    assert [OrderLine.objects.get(pk=c.pk).product_name for c in copies] == names
    stored = StockMove.objects.filter(pk__in=[m.pk for m in moves]).order_by("pk")
    assert [(m.delta, m.staff_id, m.order_number) for m in stored] == [
        (-1, None, ""),
        (-2, None, ""),
    ]


def test_rows_whose_unique_value_is_taken_are_skipped_and_left_unsaved(order):
    fields = {k: v for k, v in values(order).items() if k not in ("id", "number", "request_id")}
    taken, free, also_free = (Order(**fields, number=n) for n in (order.number, "N1", "N2"))

    with CaptureQueriesContext(connection) as statements:
        written = db.insert([taken, free, also_free], unless_taken="number")
        alone = db.insert([Order(**fields, number="N1")], unless_taken="number")

    assert len(statements) == 2
    assert written == [free, also_free] and alone == []
    assert taken.pk is None and taken._state.adding
    assert Order.objects.get(number="N2").pk == also_free.pk
    assert values(Order.objects.get(pk=free.pk)) == values(free)
    assert Order.objects.filter(number=order.number).get().pk == order.pk


def test_an_auto_now_add_time_is_set_as_create_sets_it(order):
    fields = {k: v for k, v in values(order).items() if k not in ("id", "created_at")}
    orm = Order.objects.create(**{**fields, "number": "FX-ORM", "request_id": None})
    (ours,) = db.insert([Order(**{**fields, "number": "FX-OURS", "request_id": None})])

    assert ours.created_at is not None and ours.created_at >= orm.created_at
    assert values(Order.objects.get(pk=ours.pk)) == values(ours)


def test_rows_beyond_one_statement_keep_their_order(order):
    sku_id = OrderLine.objects.filter(order=order).first().sku_id
    # more rows than one statement's parameters allow (30,000 ÷ 8 columns)
    moves = [
        StockMove(sku_id=sku_id, delta=i + 1, stock_after=i, kind="adjust") for i in range(4000)
    ]

    with CaptureQueriesContext(connection) as statements:
        db.insert(moves)

    assert len(statements) == 2
    assert len({m.pk for m in moves}) == 4000
    stored = dict(StockMove.objects.filter(pk__in=[m.pk for m in moves]).values_list("pk", "delta"))
    assert all(stored[m.pk] == m.delta for m in moves)


def test_a_saved_instance_or_an_unsaved_parent_is_refused(order, buyer):
    line = OrderLine.objects.filter(order=order).first()
    with pytest.raises(ValueError):
        db.insert([line])
    with pytest.raises(ValueError):
        db.insert([OrderDiscount(order=Order(buyer=buyer), kind="coupon", amount=Decimal(1))])
    assert db.insert([]) == []
    assert OrderDiscount.objects.count() == 0


def test_update_writes_the_named_fields_only(order):
    order.status = Order.Status.CANCELLED
    order.note = "不该写入"

    db.update(order, ["status"])

    stored = Order.objects.get(pk=order.pk)
    assert stored.status == Order.Status.CANCELLED
    assert stored.note == ""


def test_update_sets_an_auto_now_time_and_refuses_a_row_that_is_gone():
    product = ProductFactory()
    before = product.updated_at
    product.name = "新名字"

    db.update(product, ["name", "updated_at"])

    stored = Product.objects.get(pk=product.pk)
    assert stored.name == "新名字" and stored.updated_at > before
    Product.objects.filter(pk=product.pk).delete()
    with pytest.raises(DatabaseError):
        db.update(product, ["name"])


def test_children_are_read_once_and_kept_as_prefetch_keeps_them(order):
    other = Order.objects.get(pk=order.pk)

    lines = db.read_children(other, "lines")
    db.read_children(other, "discounts")

    assert [line.pk for line in lines] == sorted(
        OrderLine.objects.filter(order=order).values_list("pk", flat=True)
    )
    with CaptureQueriesContext(connection) as later:
        assert [x.pk for x in other.lines.all()] == [line.pk for line in lines]
        assert list(other.discounts.all()) == []
        assert all(line.order is other for line in other.lines.all())
    assert len(later) == 0
    # a further filter still asks for this order's lines only
    assert other.lines.filter(quantity=1).count() == 1
    assert values(lines[0]) == values(OrderLine.objects.get(pk=lines[0].pk))


def test_children_of_many_parents_each_get_their_own_in_meta_order():
    north, south = (FreightTemplate.objects.create(name=n) for n in ("北方", "南方"))
    late = FreightRule.objects.create(template=north, provinces=["辽宁省"], sort=2)
    early = FreightRule.objects.create(template=north, provinces=["吉林省"], sort=1)
    own = FreightRule.objects.create(template=south, provinces=["广东省"], sort=9)
    empty = FreightTemplate.objects.create(name="空")

    rows = db.read_children([north, south, empty], "rules")

    assert [r.pk for r in rows] == [early.pk, late.pk, own.pk]  # sort, then id
    with CaptureQueriesContext(connection) as later:
        assert [r.pk for r in north.rules.all()] == [early.pk, late.pk]
        assert [r.pk for r in south.rules.all()] == [own.pk]
        assert list(empty.rules.all()) == []
    assert len(later) == 0
    assert db.read_children([], "rules") == []
