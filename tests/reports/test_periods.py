"""Reading the range a report page is asked for, and the buckets of its series."""

from datetime import date

from django.http import QueryDict

from fenxiao.reports.periods import Period, bucket_starts, period_from_query, preset

ON = date(2026, 3, 10)


def test_presets_end_today_and_the_previous_period_has_the_same_length():
    assert preset("today", ON) == Period(ON, ON)
    assert preset("7", ON) == Period(date(2026, 3, 4), ON)
    assert preset("30", ON).previous() == Period(date(2026, 1, 10), date(2026, 2, 8))


def test_a_custom_range_is_read_and_bad_ones_fall_back_to_seven_days():
    asked = period_from_query(QueryDict("from=2026-02-27&to=2026-03-02"))
    assert (asked.period, asked.preset, asked.error) == (
        Period(date(2026, 2, 27), date(2026, 3, 2)),
        "",
        "",
    )
    assert asked.period.days == 4  # 2026 is no leap year
    for query, message in [
        ("from=2026-3-1x&to=2026-03-02", "日期格式应为 YYYY-MM-DD"),
        ("from=2026-03-02&to=2026-03-01", "结束日期早于开始日期"),
        ("from=2024-01-01&to=2026-03-01", "日期范围最长 366 天"),
    ]:
        asked = period_from_query(QueryDict(query))
        assert asked.preset == "7" and asked.period.days == 7
        assert asked.error.startswith(message), query
    assert period_from_query(QueryDict("")).preset == "7"


def test_a_day_starts_at_midnight_in_beijing():
    period = Period(ON, ON)
    assert period.start.isoformat() == "2026-03-10T00:00:00+08:00"
    assert period.end.isoformat() == "2026-03-11T00:00:00+08:00"


def test_weeks_start_on_monday_and_months_on_the_first():
    period = Period(date(2026, 1, 28), date(2026, 3, 2))
    assert bucket_starts(period, "week") == [
        date(2026, 1, 26),
        date(2026, 2, 2),
        date(2026, 2, 9),
        date(2026, 2, 16),
        date(2026, 2, 23),
        date(2026, 3, 2),
    ]
    assert bucket_starts(period, "month") == [date(2026, 1, 1), date(2026, 2, 1), date(2026, 3, 1)]
