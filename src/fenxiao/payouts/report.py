"""The monthly tax report: per distributor, the withdrawals PAID in a calendar month (Asia/
Shanghai, by `paid_at`) with the tax withheld, a totals row, and the same as CSV and XLSX.

The tax column is what was withheld (the sum of the withdrawals' `tax`, which is what went to
`tax_payable`). In `labor` mode a withdrawal's tax was computed when it was requested, counting
the month's other open withdrawals; one of those later rejected, failed or cancelled, or a
payout requested in one month and paid in the next, makes the withheld sum differ from the
tax of the month's paid total. The report recomputes that tax and notes any difference for
finance to settle (refund the excess or withhold the rest); it moves no money itself.
"""

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Count, Sum
from openpyxl import Workbook
from openpyxl.styles import Font

from fenxiao.accounts.models import User
from fenxiao.money import ZERO, round_sum_to_fen
from fenxiao.payouts import errors
from fenxiao.payouts.identity import id_number_masked
from fenxiao.payouts.models import PayoutIdentity, Withdrawal
from fenxiao.payouts.selectors import tax_settings
from fenxiao.payouts.tax import TAX_MODE_LABOR, month_tax

MONTH = re.compile(r"^(\d{4})-(\d{2})$")
MONTH_MESSAGE = "月份须为 YYYY-MM 格式，如 2026-11"
IDENTITY_MISSING = "未登记实名"
HEADER = [
    "用户ID",
    "手机号",
    "真实姓名",
    "身份证号",
    "打款笔数",
    "提现金额",
    "手续费",
    "代扣个税",
    "实付金额",
    "备注",
]
MONEY_COLUMNS = range(5, 9)  # 0-based: gross, fee, tax, net


@dataclass(frozen=True)
class TaxRow:
    user_id: int | None  # None on the totals row
    phone: str
    real_name: str
    id_number: str  # as entered; masked only where shown on screen
    count: int
    gross: Decimal
    fee: Decimal
    tax: Decimal
    net: Decimal
    note: str = ""

    @property
    def identity_missing(self) -> bool:
        return self.user_id is not None and not self.id_number

    @property
    def id_number_masked(self) -> str:
        return id_number_masked(self.id_number) if self.id_number else ""

    def cells(self, *, masked: bool = False) -> list:
        number = self.id_number_masked if masked else self.id_number
        return [
            self.user_id if self.user_id is not None else "合计",
            self.phone,
            self.real_name,
            number,
            self.count,
            self.gross,
            self.fee,
            self.tax,
            self.net,
            self.note,
        ]


@dataclass(frozen=True)
class TaxReport:
    month: str  # "2026-11"
    rows: list[TaxRow]
    totals: TaxRow
    missing_identity: list[TaxRow] = field(default_factory=list)


def parse_month(text: str | None) -> date:
    """'2026-11' → 1 November 2026; anything else is a 400 with a Chinese message."""
    found = MONTH.match((text or "").strip())
    if not found or not 1 <= int(found[2]) <= 12 or int(found[1]) < 2000:
        raise errors.InvalidMonth(MONTH_MESSAGE)
    return date(int(found[1]), int(found[2]), 1)


def month_bounds(month: date) -> tuple[datetime, datetime]:
    zone = ZoneInfo(settings.TIME_ZONE)
    start = datetime(month.year, month.month, 1, tzinfo=zone)
    following = (month + timedelta(days=32)).replace(day=1)
    return start, datetime(following.year, following.month, 1, tzinfo=zone)


def _difference_note(mode: str, rate: Decimal, gross: Decimal, withheld: Decimal) -> str:
    if mode != TAX_MODE_LABOR:
        return ""
    due = month_tax(mode, rate, gross)
    if due == withheld:
        return ""
    more = "多扣" if withheld > due else "少扣"
    return f"按当月实付重算应扣 ¥{due}，{more} ¥{abs(withheld - due)}"


def tax_report(*, month: date) -> TaxReport:
    """Four queries: the plan's tax mode, the month's paid withdrawals grouped by user, their
    identities and phones."""
    mode, rate = tax_settings()
    start, end = month_bounds(month)
    grouped = list(
        Withdrawal.objects.filter(
            status=Withdrawal.Status.PAID, paid_at__gte=start, paid_at__lt=end
        )
        .values("user_id")
        .annotate(
            n=Count("pk"), gross=Sum("amount"), fee=Sum("fee"), tax=Sum("tax"), net=Sum("net")
        )
        .order_by("user_id")
    )
    ids = [row["user_id"] for row in grouped]
    identities = {i.pk: i for i in PayoutIdentity.objects.filter(pk__in=ids)}
    phones = dict(User.objects.filter(pk__in=ids).values_list("pk", "phone"))
    rows = []
    for row in grouped:
        identity = identities.get(row["user_id"])
        gross, tax = round_sum_to_fen(row["gross"]), round_sum_to_fen(row["tax"])
        notes = [IDENTITY_MISSING] if identity is None else []
        notes.append(_difference_note(mode, rate, gross, tax))
        rows.append(
            TaxRow(
                user_id=row["user_id"],
                phone=phones.get(row["user_id"]) or "",
                real_name=identity.real_name if identity else "",
                id_number=identity.id_number if identity else "",
                count=row["n"],
                gross=gross,
                fee=round_sum_to_fen(row["fee"]),
                tax=tax,
                net=round_sum_to_fen(row["net"]),
                note="；".join(n for n in notes if n),
            )
        )
    totals = TaxRow(
        user_id=None,
        phone="",
        real_name="",
        id_number="",
        count=sum(r.count for r in rows),
        gross=sum((r.gross for r in rows), ZERO),
        fee=sum((r.fee for r in rows), ZERO),
        tax=sum((r.tax for r in rows), ZERO),
        net=sum((r.net for r in rows), ZERO),
    )
    return TaxReport(
        month=f"{month:%Y-%m}",
        rows=rows,
        totals=totals,
        missing_identity=[r for r in rows if r.identity_missing],
    )


def report_csv(report: TaxReport) -> bytes:
    """UTF-8 with a BOM, so that Excel opens the Chinese correctly; full id numbers."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(HEADER)
    for row in [*report.rows, report.totals]:
        writer.writerow(row.cells())
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def report_xlsx(report: TaxReport) -> bytes:
    """Money as numbers with two decimals; id numbers and phones as text."""
    book = Workbook()
    sheet = book.active
    sheet.title = f"个税月报 {report.month}"
    sheet.append(HEADER)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in [*report.rows, report.totals]:
        sheet.append(row.cells())
        for column in MONEY_COLUMNS:
            sheet.cell(row=sheet.max_row, column=column + 1).number_format = "0.00"
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    for letter, width in zip("ABCDEFGHIJ", (8, 14, 12, 22, 8, 12, 10, 10, 12, 40), strict=True):
        sheet.column_dimensions[letter].width = width
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
