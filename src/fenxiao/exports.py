"""Lists as CSV or XLSX with Chinese headers, written row by row from the database (`.values()`
in chunks), so that 100,000 rows never sit in memory: CSV as a stream of lines, XLSX through
openpyxl's write-only workbook.

An export is a list of columns over one model (each app defines its own in exports.py); what
rows it holds is the caller's queryset: a console list with its filters, or a date range from
`fenxiao report`."""

import csv
import io
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import IO

from django.db.models import Model, QuerySet
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

CHUNK = 2000
MONEY_FORMAT = "0.00"


@dataclass(frozen=True)
class Column:
    header: str
    fields: tuple[str, ...]  # the .values() names it reads
    kind: str = "text"  # text | money | int | time
    make: Callable[..., object] | None = None  # from the fields' values; else the first one

    def value(self, row: dict):
        values = [row[f] for f in self.fields]
        return self.make(*values) if self.make else values[0]


@dataclass(frozen=True)
class Export:
    name: str  # orders, commissions...: the file name and the command's argument
    title: str  # the sheet's name
    model: type[Model]
    date_field: str  # what --from/--to filter on
    columns: tuple[Column, ...]
    order_by: tuple[str, ...] = ("pk",)
    fields: tuple[str, ...] = field(init=False)

    def __post_init__(self):
        names = dict.fromkeys(f for c in self.columns for f in c.fields)
        object.__setattr__(self, "fields", tuple(names))

    def rows(self, queryset: QuerySet) -> Iterator[list]:
        """Each row's cell values, read in chunks (plain Python values, times in shop time)."""
        values = queryset.order_by(*self.order_by).values(*self.fields)
        for row in values.iterator(chunk_size=CHUNK):
            yield [_plain(c.value(row), c.kind) for c in self.columns]


def _plain(value, kind: str):
    if value is None:
        return ""
    if kind == "time":
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M:%S")
    if kind == "money":
        return Decimal(value).quantize(Decimal("0.01"))
    return value


def label(choices) -> Callable[[str], str]:
    """A column maker showing a choice's Chinese label."""
    labels = dict(choices)
    return lambda value: labels.get(value, value)


def between(export: Export, start: date | None, end: date | None) -> QuerySet:
    """Every row of the export's model whose date falls within [start, end], whole days in the
    shop's time zone; an open end is unbounded."""
    qs = export.model.objects.all()
    if start:
        qs = qs.filter(**{f"{export.date_field}__gte": _day_start(start)})
    if end:
        qs = qs.filter(**{f"{export.date_field}__lt": _day_start(end + timedelta(days=1))})
    return qs


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def csv_lines(export: Export, queryset: QuerySet) -> Iterator[bytes]:
    """UTF-8 lines (a BOM first, so that Excel reads the Chinese), one row at a time."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")

    def line(cells: Iterable) -> bytes:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow(cells)
        return buffer.getvalue().encode("utf-8")

    yield "\ufeff".encode()
    yield line(c.header for c in export.columns)
    for row in export.rows(queryset):
        yield line(row)


def write_csv(export: Export, queryset: QuerySet, out: IO[bytes]) -> int:
    """The CSV into `out`; returns how many rows were written."""
    count = -2  # the BOM and the header are not rows
    for line in csv_lines(export, queryset):
        out.write(line)
        count += 1
    return count


def write_xlsx(export: Export, queryset: QuerySet, out: IO[bytes]) -> int:
    """The rows into `out` as one sheet (write-only: rows go to disk as they come); returns how
    many rows were written. Money as numbers with two decimals."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(export.title)
    widths = [max(10, len(c.header) * 2 + 2) for c in export.columns]
    for i, width in enumerate(widths):
        sheet.column_dimensions[get_column_letter(i + 1)].width = width
    header = []
    for c in export.columns:
        cell = WriteOnlyCell(sheet, value=c.header)
        cell.font = Font(bold=True)
        header.append(cell)
    sheet.append(header)
    money = [i for i, c in enumerate(export.columns) if c.kind == "money"]
    count = 0
    for row in export.rows(queryset):
        cells = list(row)
        for i in money:
            if cells[i] != "":
                cell = WriteOnlyCell(sheet, value=cells[i])
                cell.number_format = MONEY_FORMAT
                cells[i] = cell
        sheet.append(cells)
        count += 1
    book.save(out)
    return count
