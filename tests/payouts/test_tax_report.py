"""The monthly tax report (payouts.report): per distributor, the withdrawals paid in a
Shanghai calendar month; totals; CSV with a BOM and XLSX with numbers; `fenxiao report tax`."""

import csv
import io
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook

from fenxiao.cli import main as fenxiao
from fenxiao.ledger import selectors as ledger_selectors
from fenxiao.payouts import errors, report, services
from tests.distribution.flows import plan_set
from tests.payouts.flows import D, assert_books_clean, rich_distributor

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
BANK = {"bank_name": "招商银行", "card_no": "6225880000000000", "holder": "张三"}
ID_A = "11010519491231002X"


def at(month, day, hour=12, minute=0, year=2026) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)


def paid(user, staff, amount, requested, paid_at, request_id):
    withdrawal, _ = services.withdrawal_request(
        user=user,
        amount=amount,
        channel="bank",
        request_id=request_id,
        account=BANK,
        now=requested,
    )
    services.withdrawal_approve(withdrawal_id=withdrawal.pk, staff=staff, now=requested)
    services.withdrawal_mark_paid(
        withdrawal_id=withdrawal.pk, staff=staff, reference=f"B-{request_id}", now=paid_at
    )
    return withdrawal


@pytest.fixture
def two_months(staff):
    """A (identity, flat 10%) paid in October and twice in November, once a minute after
    midnight on 1 November; B (no identity, withdrew while tax was off) paid in November, both
    with the shared default grade's 1% fee; a
    rejected and an approved-but-unpaid withdrawal that the report leaves out."""
    plan_set(tax_mode="flat", tax_rate="10")
    a = rich_distributor("2000.00", withdraw_fee_percent="1")
    services.identity_set(user=a, real_name="张三", id_number=ID_A)
    paid(a, staff, "100.00", at(10, 20), at(10, 31, 23, 59), "a1")
    paid(a, staff, "200.00", at(10, 31, 23, 59), at(11, 1, 0, 1), "a2")
    paid(a, staff, "50.00", at(11, 5), at(11, 6), "a3")
    open_one, _ = services.withdrawal_request(
        user=a, amount="10.00", channel="bank", request_id="a4", account=BANK, now=at(11, 20)
    )
    services.withdrawal_approve(withdrawal_id=open_one.pk, staff=staff, now=at(11, 20))

    plan_set(tax_mode="none", tax_rate="0")
    b = rich_distributor("2000.00")
    paid(b, staff, "300.00", at(11, 10), at(11, 11), "b1")
    rejected, _ = services.withdrawal_request(
        user=b, amount="40.00", channel="bank", request_id="b2", account=BANK, now=at(11, 12)
    )
    services.withdrawal_reject(withdrawal_id=rejected.pk, staff=staff, reason="户名不符")
    return a, b


def values(row: report.TaxRow) -> tuple:
    return (row.count, row.gross, row.fee, row.tax, row.net)


def test_rows_and_totals_of_two_distributors_over_two_months(two_months):
    a, b = two_months

    november = report.tax_report(month=report.parse_month("2026-11"))
    october = report.tax_report(month=report.parse_month("2026-10"))

    assert [r.user_id for r in november.rows] == [a.pk, b.pk]
    first, second = november.rows
    assert (first.real_name, first.id_number, first.note) == ("张三", ID_A, "")
    assert values(first) == (2, D("250.00"), D("2.50"), D("25.00"), D("222.50"))
    assert (second.real_name, second.id_number, second.note) == ("", "", "未登记实名")
    assert values(second) == (1, D("300.00"), D("3.00"), D("0.00"), D("297.00"))
    assert values(november.totals) == (3, D("550.00"), D("5.50"), D("25.00"), D("519.50"))
    assert november.missing_identity == [second]

    assert [(r.user_id, *values(r)) for r in october.rows] == [
        (a.pk, 1, D("100.00"), D("1.00"), D("10.00"), D("89.00"))
    ]
    # what the reports say was withheld is what the ledger owes the tax office
    withheld = november.totals.tax + october.totals.tax
    assert withheld == ledger_selectors.platform_balance("tax_payable") == D("35.00")
    assert report.tax_report(month=report.parse_month("2026-12")).rows == []
    assert_books_clean()


def test_a_rejected_withdrawal_earlier_in_the_month_is_noted_as_over_withheld(staff):
    # given: labor tax; ¥4,000 then ¥1,000 asked the same month, the second taxed counting the
    # first (tax of ¥5,000 = 800.00 less the 640.00 of the first = 160.00)
    plan_set(tax_mode="labor")
    user = rich_distributor("6000.00")
    services.identity_set(user=user, real_name="李四", id_number=ID_A)
    first, _ = services.withdrawal_request(
        user=user, amount="4000.00", channel="bank", request_id="w1", account=BANK, now=at(11, 2)
    )
    second = paid(user, staff, "1000.00", at(11, 3), at(11, 4), "w2")
    assert (first.tax, second.tax) == (D("640.00"), D("160.00"))

    # when: the first is rejected after the second was taxed
    services.withdrawal_reject(withdrawal_id=first.pk, staff=staff, reason="超出额度")
    (row,) = report.tax_report(month=report.parse_month("2026-11")).rows

    # then: the report holds what was withheld, and notes the tax of the month's paid ¥1,000
    # (¥200 taxable × 20% = 40.00) and the excess withheld
    assert (row.gross, row.tax) == (D("1000.00"), D("160.00"))
    assert row.tax == ledger_selectors.platform_balance("tax_payable")
    assert row.note == "按当月实付重算应扣 ¥40.00，多扣 ¥120.00"


def test_the_report_takes_the_same_queries_for_any_number_of_rows(
    two_months, django_assert_num_queries
):
    plan_set(tax_mode="labor")  # the mode that recomputes each row's tax
    with django_assert_num_queries(4):
        assert len(report.tax_report(month=report.parse_month("2026-11")).rows) == 2
    with django_assert_num_queries(4):
        assert len(report.tax_report(month=report.parse_month("2026-10")).rows) == 1


@pytest.mark.parametrize("text", ["2026-13", "2026-00", "2026-1", "26-11", "abc", "", None])
def test_a_bad_month_is_refused_in_chinese(text):
    with pytest.raises(errors.InvalidMonth) as refused:
        report.parse_month(text)
    assert refused.value.message == "月份须为 YYYY-MM 格式，如 2026-11"


def parsed_csv(content: bytes) -> list[list[str]]:
    assert content.startswith("\ufeff".encode())  # Excel reads the BOM as UTF-8
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def test_csv_has_the_header_full_id_numbers_and_a_totals_row(two_months):
    a, b = two_months
    rows = parsed_csv(report.report_csv(report.tax_report(month=report.parse_month("2026-11"))))
    assert rows == [
        report.HEADER,
        [str(a.pk), a.phone, "张三", ID_A, "2", "250.00", "2.50", "25.00", "222.50", ""],
        [str(b.pk), b.phone, "", "", "1", "300.00", "3.00", "0.00", "297.00", "未登记实名"],
        ["合计", "", "", "", "3", "550.00", "5.50", "25.00", "519.50", ""],
    ]


def test_xlsx_reads_back_with_money_as_two_decimal_numbers(two_months):
    a, _ = two_months
    content = report.report_xlsx(report.tax_report(month=report.parse_month("2026-11")))

    sheet = load_workbook(io.BytesIO(content)).active

    assert sheet.title == "个税月报 2026-11"
    assert [c.value for c in sheet[1]] == report.HEADER
    row = sheet[2]
    assert [c.value for c in row[:5]] == [a.pk, a.phone, "张三", ID_A, 2]
    assert [c.value for c in row[5:9]] == [250, 2.5, 25, 222.5]
    assert {c.number_format for c in row[5:9]} == {"0.00"}
    assert isinstance(row[3].value, str)  # the id number stays text
    totals = sheet[4]
    assert [c.value for c in totals[:1]] + [c.value for c in totals[4:9]] == [
        "合计",
        3,
        550,
        5.5,
        25,
        519.5,
    ]


def test_cli_writes_csv_to_stdout_and_xlsx_to_a_file(two_months, tmp_path, capsys):
    a, b = two_months

    assert fenxiao(["report", "tax", "--month", "2026-11"]) == 0
    out, err = capsys.readouterr()
    rows = list(csv.reader(io.StringIO(out.removeprefix("\ufeff"))))
    assert rows[0] == report.HEADER and rows[-1][0] == "合计" and rows[-1][5] == "550.00"
    assert f"用户 {b.pk}" in err and "未登记实名信息" in err

    target = tmp_path / "nov.xlsx"
    args = ["report", "tax", "--month", "2026-11", "--format", "xlsx", "--output", str(target)]
    assert fenxiao(args) == 0
    assert load_workbook(target).active["D2"].value == ID_A

    csv_file = tmp_path / "nov.csv"
    assert fenxiao(["report", "tax", "--month", "2026-11", "--output", str(csv_file)]) == 0
    assert parsed_csv(csv_file.read_bytes())[1][0] == str(a.pk)


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--month", "2026-13"], "invalid_month: 月份须为 YYYY-MM 格式"),
        (["--month", "November"], "invalid_month"),
        (["--month", "2026-11", "--format", "xlsx"], "XLSX 须用 --output 指定输出文件"),
        (["--month", "2026-11", "--output", "/nonexistent/dir/x.csv"], "无法写入"),
    ],
)
def test_cli_refuses_bad_input_with_exit_code_2(args, words, capsys):
    assert fenxiao(["report", "tax", *args]) == 2
    out, err = capsys.readouterr()
    assert words in err and out == ""


def test_cli_without_a_month_is_a_usage_error(capsys):
    assert fenxiao(["report", "tax"]) == 2
    out, err = capsys.readouterr()
    assert "个税月报须用 --month 指定月份" in err and out == ""
