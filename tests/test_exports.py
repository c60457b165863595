"""Exports of orders, commissions, withdrawals and distributors: every row as the database holds
it (10,000 orders checked one by one, in CSV and XLSX), dates in the shop's time zone, the
command line's date range and its refusals."""

import csv
import io
from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from fenxiao import exports
from fenxiao.cli import main as fenxiao
from fenxiao.orders.exports import ORDERS
from fenxiao.orders.models import Order
from tests.accounts.factories import UserFactory

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")
ROWS = 10_000


def make_orders(count: int, *, start: datetime) -> list[Order]:
    """`count` orders an hour apart from `start`, with every column of the export filled in
    some of them (a paid time, a refund, a discount, points, an empty district)."""
    buyer = UserFactory(phone="13912340000")
    statuses = [s for s, _ in Order.Status.choices]
    orders = []
    for i in range(count):
        goods = Decimal(100 + i % 900) + Decimal(i % 100) / 100
        discount = Decimal(i % 7)
        created = start + timedelta(hours=i)
        orders.append(
            Order(
                number=f"E{i:08d}",
                buyer=buyer,
                status=statuses[i % len(statuses)],
                goods_amount=goods,
                discount_amount=discount,
                shipping_fee=Decimal("8.00") if i % 3 else Decimal("0"),
                points_used=i % 5 * 100,
                total=goods - discount + (Decimal("8.00") if i % 3 else 0),
                refunded_amount=Decimal("1.50") if i % 11 == 0 else Decimal("0"),
                ship_name=f"收货人{i}",
                ship_phone="13800138000",
                ship_province="浙江省",
                ship_city="杭州市",
                ship_district="" if i % 13 == 0 else "西湖区",
                ship_detail=f"文三路 {i} 号",
                carrier="顺丰速运" if i % 2 else "",
                tracking_no=f"SF{i}" if i % 2 else "",
                pay_deadline=created + timedelta(minutes=30),
                paid_at=created + timedelta(minutes=5) if i % 2 else None,
            )
        )
    Order.objects.bulk_create(orders, batch_size=1000)
    # created_at is auto_now_add: set it to the hour each stands for
    saved = list(Order.objects.filter(number__startswith="E").only("pk", "number"))
    for order in saved:
        order.created_at = start + timedelta(hours=int(order.number[1:]))
    Order.objects.bulk_update(saved, ["created_at"], batch_size=1000)
    return orders


def expected_row(order: dict) -> list[str]:
    """What a person reads in each cell, computed here independently of the export code."""

    def when(value):
        return value.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M:%S") if value else ""

    labels = dict(Order.Status.choices)
    address = " ".join(
        p for p in (order["ship_province"], order["ship_city"], order["ship_district"]) if p
    )
    return [
        order["number"],
        labels[order["status"]],
        order["buyer__phone"],
        f"{order['goods_amount']:.2f}",
        f"{order['discount_amount']:.2f}",
        f"{order['shipping_fee']:.2f}",
        str(order["points_used"]),
        f"{order['total']:.2f}",
        f"{order['refunded_amount']:.2f}",
        order["ship_name"],
        order["ship_phone"],
        f"{address} {order['ship_detail']}",
        order["carrier"],
        order["tracking_no"],
        when(order["created_at"]),
        when(order["paid_at"]),
        when(order["shipped_at"]),
        when(order["completed_at"]),
    ]


def database_rows() -> list[list[str]]:
    fields = [
        "number", "status", "buyer__phone", "goods_amount", "discount_amount", "shipping_fee",
        "points_used", "total", "refunded_amount", "ship_name", "ship_phone", "ship_province",
        "ship_city", "ship_district", "ship_detail", "carrier", "tracking_no", "created_at",
        "paid_at", "shipped_at", "completed_at",
    ]  # fmt: skip
    return [expected_row(o) for o in Order.objects.order_by("pk").values(*fields)]


@pytest.fixture
def ten_thousand():
    make_orders(ROWS, start=datetime(2026, 1, 1, tzinfo=SHANGHAI))


def test_ten_thousand_orders_as_csv_match_the_database_row_by_row(ten_thousand):
    out = io.BytesIO()

    written = exports.write_csv(ORDERS, Order.objects.all(), out)

    text = out.getvalue().decode("utf-8")
    assert text.startswith("\ufeff订单号,状态,买家手机号,商品金额")
    rows = list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))
    assert written == ROWS
    assert rows[0] == [c.header for c in ORDERS.columns]
    expected = database_rows()
    assert len(rows) - 1 == len(expected) == ROWS
    for i, (got, want) in enumerate(zip(rows[1:], expected, strict=True)):
        assert got == want, f"row {i + 1}"


def test_ten_thousand_orders_as_xlsx_match_the_database_row_by_row(ten_thousand, tmp_path):
    target = tmp_path / "orders.xlsx"
    with target.open("wb") as out:
        written = exports.write_xlsx(ORDERS, Order.objects.all(), out)

    sheet = load_workbook(target, read_only=True)["订单"]
    rows = sheet.iter_rows(values_only=True)
    assert list(next(rows)) == [c.header for c in ORDERS.columns]
    money = [i for i, c in enumerate(ORDERS.columns) if c.kind == "money"]
    expected = database_rows()
    count = 0
    for got, want in zip(rows, expected, strict=True):
        cells = ["" if v is None else v for v in got]
        for i in money:  # numbers in the sheet, so that sums work in Excel
            assert isinstance(cells[i], int | float), (count, i, cells[i])
            cells[i] = f"{Decimal(str(cells[i])):.2f}"
        cells[6] = str(cells[6])
        assert cells == want, f"row {count + 1}"
        count += 1
    assert written == count == ROWS


def test_the_command_exports_whole_days_of_shop_time(tmp_path, capsys):
    # orders at 23:30 on Nov 30 and 00:30 on Dec 1, Shanghai time (both Nov 30 in UTC)
    make_orders(2, start=datetime(2026, 11, 30, 23, 30, tzinfo=SHANGHAI))

    assert fenxiao(["report", "orders", "--from", "2026-11-01", "--to", "2026-11-30"]) == 0
    out, err = capsys.readouterr()
    rows = list(csv.reader(io.StringIO(out.removeprefix("\ufeff"))))
    assert [r[0] for r in rows[1:]] == ["E00000000"]
    assert "订单: 1 行" in err

    target = tmp_path / "dec.xlsx"
    args = ["report", "orders", "--from", "2026-12-01", "--format", "xlsx", "--output", str(target)]
    assert fenxiao(args) == 0
    sheet = load_workbook(target).active
    assert [c.value for c in sheet["A"]] == ["订单号", "E00000001"]
    assert sheet["O2"].value == "2026-12-01 00:30:00"
    assert timezone.is_aware(Order.objects.get(number="E00000001").created_at)


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--from", "2026-11-31"], "日期格式须为 YYYY-MM-DD"),
        (["--from", "2026-12-02", "--to", "2026-12-01"], "--from 不能晚于 --to"),
        (["--format", "xlsx"], "XLSX 须用 --output 指定输出文件"),
        (["--output", "/nonexistent/dir/x.csv"], "无法写入"),
    ],
)
def test_the_command_refuses_bad_input_with_exit_code_2(args, words, capsys):
    assert fenxiao(["report", "commissions", *args]) == 2
    out, err = capsys.readouterr()
    assert words in err and out == ""
