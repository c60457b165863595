"""The arithmetic of rates: DESIGN's worked examples, truncation, fixed rates, the share cap,
and the validation every entry point shares (plan, grades, products)."""

from decimal import Decimal

import pytest

from fenxiao.distribution.errors import PlanInvalid, PlanLevelsExceeded, PlanShareExceeded
from fenxiao.distribution.rules import Rate, line_amounts, parse_rates

D = Decimal


def pct(level, value) -> Rate:
    return Rate(level, "percent", D(value))


def fixed(level, value) -> Rate:
    return Rate(level, "fixed", D(value))


def amounts(paid, rates, *, quantity=1, base=None, share="50"):
    paid = D(paid)
    return line_amounts(
        paid=paid,
        base=paid if base is None else D(base),
        quantity=quantity,
        rates=rates,
        share=D(share),
    )


# DESIGN's worked examples


def test_order_of_500_at_20_percent_gives_100():
    assert amounts("500.00", [pct(1, "20")]) == {1: D("100.00")}


def test_line_of_299_90_at_15_and_10_percent_truncates_to_the_fen():
    # 299.90 × 15% = 44.985 → 44.98 ; 299.90 × 10% = 29.99
    assert amounts("299.90", [pct(1, "15"), pct(2, "10")]) == {1: D("44.98"), 2: D("29.99")}


def test_truncation_never_rounds_up():
    # 0.99 × 15% = 0.1485 → 0.14 (rounding half up would promise 0.15)
    assert amounts("0.99", [pct(1, "15")]) == {1: D("0.14")}
    # a cent at 50% is less than a fen: nothing
    assert amounts("0.01", [pct(1, "50")]) == {1: D("0.00")}


def test_three_levels_each_on_the_same_base():
    got = amounts("1000.00", [pct(1, "20"), pct(2, "10"), pct(3, "5")])
    assert got == {1: D("200.00"), 2: D("100.00"), 3: D("50.00")}


def test_fixed_rate_is_per_unit():
    got = amounts("899.70", [fixed(1, "12.50"), pct(2, "10")], quantity=3)
    assert got == {1: D("37.50"), 2: D("89.97")}


def test_profit_base_but_cap_on_paid():
    # paid 299.90, cost 100 × 1: profit 199.90 at 15% = 29.985 → 29.98
    got = amounts("299.90", [pct(1, "15")], base="199.90")
    assert got == {1: D("29.98")}


# the share cap: the levels together never above max_commission_share of what was paid


def test_fixed_rates_are_capped_by_the_share_of_the_line():
    # 50% of 100.00 is 50.00: level 1 takes 40, level 2 gets what is left, level 3 nothing
    got = amounts("100.00", [fixed(1, "40"), fixed(2, "30"), fixed(3, "5")])
    assert got == {1: D("40.00"), 2: D("10.00"), 3: D("0.00")}
    assert sum(got.values()) == D("50.00")


def test_cap_serves_earlier_levels_first():
    got = amounts("10.00", [fixed(1, "3"), pct(2, "40")], share="30")
    assert got == {1: D("3.00"), 2: D("0.00")}


def test_zero_cap_pays_nothing():
    assert amounts("100.00", [pct(1, "10")], share="0") == {1: D("0.00")}


def test_nothing_paid_nothing_earned():
    assert amounts("0.00", [fixed(1, "5")], quantity=2) == {1: D("0.00")}


# validation of rates (plan, grade and product overrides all go through parse_rates)


def test_parse_rates_accepts_both_kinds_and_sorts_by_level():
    rates = parse_rates(
        [{"level": 2, "fixed": "3.50"}, {"level": 1, "percent": "12.5"}], levels=2, share=D(50)
    )
    assert rates == [pct(1, "12.5"), fixed(2, "3.50")]
    assert [r.as_dict() for r in rates] == [
        {"level": 1, "percent": "12.5"},
        {"level": 2, "fixed": "3.50"},
    ]


@pytest.mark.parametrize(
    "raw, error",
    [
        ([{"level": 4, "percent": "1"}], PlanLevelsExceeded),
        ([{"level": 3, "percent": "1"}], PlanLevelsExceeded),  # plan has 2 levels
        ([{"level": 0, "percent": "1"}], PlanInvalid),
        ([{"level": 1, "percent": "-1"}], PlanInvalid),
        ([{"level": 1, "fixed": "-0.01"}], PlanInvalid),
        ([{"level": 1, "percent": "30"}, {"level": 2, "percent": "20.01"}], PlanShareExceeded),
        ([{"level": 1, "percent": "10", "fixed": "1"}], PlanInvalid),
        ([{"level": 1}], PlanInvalid),
        ([{"level": 1, "percent": "10"}, {"level": 1, "percent": "5"}], PlanInvalid),
        ([{"level": 1, "percent": "abc"}], PlanInvalid),
        ([{"level": 1, "percent": "NaN"}], PlanInvalid),
        ([{"level": 1, "percent": 0.15}], PlanInvalid),  # floats are refused: money is exact
        ([{"level": 1, "fixed": "1.001"}], PlanInvalid),
        ([{"level": 1, "percent": "10", "recruit_reward": "5"}], PlanInvalid),
        ([{"level": True, "percent": "10"}], PlanInvalid),
        ({"level": 1, "percent": "10"}, PlanInvalid),
    ],
)
def test_parse_rates_refuses(raw, error):
    with pytest.raises(error) as caught:
        parse_rates(raw, levels=2, share=D(50))
    assert caught.value.message  # a message for the merchant, not a bare exception


def test_share_check_counts_percentages_only_fixed_rates_are_capped_per_line():
    # fixed amounts cannot be compared with a percentage before a price is known
    rates = parse_rates(
        [{"level": 1, "percent": "50"}, {"level": 2, "fixed": "99"}], levels=2, share=D(50)
    )
    assert len(rates) == 2
    # …and line_amounts keeps the sum within the cap anyway
    assert amounts("100.00", rates) == {1: D("50.00"), 2: D("0.00")}
