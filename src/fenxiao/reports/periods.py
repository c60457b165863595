"""Date ranges of the reports, in the shop's time zone (Asia/Shanghai), and the buckets their
series are grouped by."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db import connection
from django.db.models import DateField, F, Func, Value
from django.db.models.functions import TruncDate, TruncMonth, TruncWeek
from django.utils import timezone

SHOP_TZ = ZoneInfo("Asia/Shanghai")
PRESETS = {"today": 1, "7": 7, "30": 30}
MAX_DAYS = 366
GRAINS = {"day": "按日", "week": "按周", "month": "按月"}


@dataclass(frozen=True)
class Period:
    """Whole days from `first` to `last`, both included."""

    first: date
    last: date

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1

    @property
    def start(self) -> datetime:
        return datetime.combine(self.first, time.min, tzinfo=SHOP_TZ)

    @property
    def end(self) -> datetime:
        """The first moment after the period."""
        return datetime.combine(self.last + timedelta(days=1), time.min, tzinfo=SHOP_TZ)

    def previous(self) -> "Period":
        """The period of the same length just before this one."""
        return Period(self.first - timedelta(days=self.days), self.first - timedelta(days=1))

    def dates(self) -> list[date]:
        return [self.first + timedelta(days=i) for i in range(self.days)]

    def label(self) -> str:
        if self.days == 1:
            return f"{self.first:%Y-%m-%d}"
        return f"{self.first:%Y-%m-%d} 至 {self.last:%Y-%m-%d}"


def today() -> date:
    return timezone.now().astimezone(SHOP_TZ).date()


def preset(key: str, on: date | None = None) -> Period:
    last = on or today()
    return Period(last - timedelta(days=PRESETS[key] - 1), last)


@dataclass(frozen=True)
class Asked:
    period: Period
    preset: str  # "today", "7", "30", or "" for a custom range
    error: str = ""


def period_from_query(params) -> Asked:
    """The period a report page was asked for: ?range=today|7|30, or ?from=&to= (dates);
    anything unreadable falls back to the last 7 days with a message."""
    key = params.get("range", "")
    if key in PRESETS:
        return Asked(preset(key), key)
    first, last = params.get("from", ""), params.get("to", "")
    if not first and not last:
        return Asked(preset("7"), "7")
    try:
        period = Period(date.fromisoformat(first), date.fromisoformat(last))
    except ValueError:
        return Asked(preset("7"), "7", "日期格式应为 YYYY-MM-DD，已显示近 7 天")
    if period.last < period.first:
        return Asked(preset("7"), "7", "结束日期早于开始日期，已显示近 7 天")
    if period.days > MAX_DAYS:
        return Asked(preset("7"), "7", f"日期范围最长 {MAX_DAYS} 天，已显示近 7 天")
    return Asked(period, "")


class _SqliteShopDate(Func):
    """SQLite: the shop's date of a stored UTC timestamp by SQLite's own date(), with the
    fixed +8 hours of Asia/Shanghai (no daylight saving since 1991). Django's TruncDate calls
    a Python function for every row there, which made a year's report 2-3 times slower."""

    function = "date"
    output_field = DateField()
    MODIFIERS = {
        "day": ["+8 hours"],
        "week": ["+8 hours", "-6 days", "weekday 1"],  # back to the Monday
        "month": ["+8 hours", "start of month"],
    }

    def __init__(self, field: str, grain: str):
        super().__init__(F(field), *(Value(m) for m in self.MODIFIERS[grain]))


def bucket(field: str, grain: str = "day"):
    """The day, week (Monday) or month of a timestamp in the shop's time zone, as a date."""
    if connection.vendor == "sqlite":
        return _SqliteShopDate(field, grain)
    trunc = {"week": TruncWeek, "month": TruncMonth}.get(grain, TruncDate)
    return trunc(field, tzinfo=SHOP_TZ)


def bucket_starts(period: Period, grain: str) -> list[date]:
    """Every bucket the period touches, in order, so a chart shows empty ones as zero."""
    if grain == "day":
        return period.dates()
    if grain == "week":
        first = period.first - timedelta(days=period.first.weekday())
        weeks = (period.last - first).days // 7 + 1
        return [first + timedelta(weeks=i) for i in range(weeks)]
    months = []
    month = period.first.replace(day=1)
    while month <= period.last:
        months.append(month)
        month = (month + timedelta(days=32)).replace(day=1)
    return months


def as_date(value) -> date:
    """A bucket as the database returned it (TruncWeek/Month give datetimes) to a date."""
    if isinstance(value, datetime):
        return value.astimezone(SHOP_TZ).date() if value.tzinfo else value.date()
    return value
