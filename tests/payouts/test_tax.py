"""Tax withholding arithmetic (fenxiao.payouts.tax): bracket edges to the fen, a month of
withdrawals adding up across brackets, and properties over any split of a month's payouts."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fenxiao.money import FEN, ZERO
from fenxiao.payouts.tax import month_tax, withholding

D = Decimal
NO_RATE = D("0")


def labor_month(payouts: list[Decimal]) -> list[Decimal]:
    """Withholdings of successive payouts in one month, each fed the month so far."""
    gross, tax, withheld = ZERO, ZERO, []
    for amount in payouts:
        w = withholding(
            mode="labor",
            rate=NO_RATE,
            amount=amount,
            month_gross_before=gross,
            month_tax_before=tax,
        )
        withheld.append(w)
        gross += amount
        tax += w
    return withheld


@pytest.mark.parametrize(
    ("gross", "tax"),
    [
        # ≤ ¥4,000: taxable = gross − 800, floored at 0; then 20%.
        ("0.01", "0.00"),
        ("800.00", "0.00"),  # taxable 0
        ("800.01", "0.00"),  # taxable 0.01 → 0.002 → truncated 0.00
        ("805.00", "1.00"),  # taxable 5 → 1.00
        ("1234.56", "86.91"),  # taxable 434.56 → 86.912 → 86.91
        ("3999.99", "639.99"),  # taxable 3199.99 → 639.998 → 639.99
        ("4000.00", "640.00"),  # taxable 3200 → 640.00 (last gross with the fixed ¥800)
        # > ¥4,000: taxable = gross × 80%.
        ("4000.01", "640.00"),  # taxable 3200.008 → 640.0016 → 640.00
        ("4001.00", "640.16"),  # taxable 3200.80 → 640.16 (gross − 800 would give 640.20)
        ("25000.00", "4000.00"),  # taxable exactly 20,000 → 20% → 4000.00
        # taxable > ¥20,000: 30% − 2,000.
        ("25000.01", "4000.00"),  # taxable 20000.008 → 6000.0024 − 2000 → 4000.00
        ("25001.00", "4000.24"),  # taxable 20000.80 → 6000.24 − 2000 (20% would be 4000.16)
        ("62500.00", "13000.00"),  # taxable exactly 50,000 → 15000 − 2000
        # taxable > ¥50,000: 40% − 7,000.
        ("62500.01", "13000.00"),  # taxable 50000.008 → 20000.0032 − 7000 → 13000.00
        ("62501.00", "13000.32"),  # taxable 50000.80 → 20000.32 − 7000 (30% would be 13000.24)
        ("100000.00", "25000.00"),  # taxable 80000 → 32000 − 7000
    ],
)
def test_labor_month_tax_at_every_bracket_edge(gross, tax):
    assert month_tax("labor", NO_RATE, D(gross)) == D(tax)
    # a single withdrawal in an empty month withholds the month's tax
    assert labor_month([D(gross)]) == [D(tax)]


def test_withdrawals_in_one_month_add_up_across_brackets():
    # given ¥3,000, then ¥2,000 (crossing ¥4,000), then ¥21,000 (crossing taxable ¥20,000)
    # 3000:  taxable 2200           → month tax  440.00, withhold  440.00
    # 5000:  taxable 4000 (80%)     → month tax  800.00, withhold  360.00
    # 26000: taxable 20800 → 6240 − 2000 = 4240.00, withhold 3440.00
    withheld = labor_month([D("3000.00"), D("2000.00"), D("21000.00")])

    assert withheld == [D("440.00"), D("360.00"), D("3440.00")]
    assert sum(withheld) == month_tax("labor", NO_RATE, D("26000.00")) == D("4240.00")


def test_withdrawals_with_fen_across_the_fixed_deduction_and_the_top_bracket():
    # 4000.01: taxable 3200.008 → 640.00
    # 62500.01: taxable 50000.008 → 20000.0032 − 7000 → 13000.00, withhold 12360.00
    # 70000.00: taxable 56000 → 22400 − 7000 = 15400.00, withhold 2400.00
    withheld = labor_month([D("4000.01"), D("58500.00"), D("7499.99")])

    assert withheld == [D("640.00"), D("12360.00"), D("2400.00")]
    assert sum(withheld) == month_tax("labor", NO_RATE, D("70000.00"))


def test_flat_withholds_a_truncated_percentage_of_each_payout():
    def flat(rate, amount):
        return withholding(
            mode="flat",
            rate=D(rate),
            amount=D(amount),
            month_gross_before=D("9999"),
            month_tax_before=D("1234"),
        )

    assert flat("3.5", "123.45") == D("4.32")  # 4.32075 truncated
    assert flat("20", "0.04") == D("0.00")  # 0.008 truncated
    assert flat("100", "88.88") == D("88.88")
    assert flat("0", "88.88") == D("0.00")
    assert month_tax("flat", D("20"), D("100.05")) == D("20.01")


def test_an_int_rate_is_exact_too():
    # a Plan fresh from plan_get() holds the model's int default 0, not Decimal("0")
    assert month_tax("labor", 0, D("4000")) == D("640.00")
    assert month_tax("flat", 5, D("100.00")) == D("5.00")


def test_none_withholds_nothing():
    assert month_tax("none", NO_RATE, D("100000")) == ZERO
    assert (
        withholding(
            mode="none",
            rate=NO_RATE,
            amount=D("100000"),
            month_gross_before=ZERO,
            month_tax_before=ZERO,
        )
        == ZERO
    )


def test_labor_after_a_mode_change_mid_month_never_negative_and_never_above_the_amount():
    # ¥10,000 paid earlier this month under flat 40% (4000 withheld): labor owes 1616 on
    # ¥10,100 (taxable 8080) — already more than covered, so nothing more.
    assert (
        withholding(
            mode="labor",
            rate=NO_RATE,
            amount=D("100"),
            month_gross_before=D("10000"),
            month_tax_before=D("4000"),
        )
        == ZERO
    )
    # ¥10,000 paid earlier under "none": labor owes 1616 in all, capped at this payout's 100.
    assert withholding(
        mode="labor",
        rate=NO_RATE,
        amount=D("100"),
        month_gross_before=D("10000"),
        month_tax_before=ZERO,
    ) == D("100")


@pytest.mark.parametrize(
    ("mode", "rate", "amount", "error"),
    [
        ("progressive", D("0"), D("1"), ValueError),
        ("flat", D("100.01"), D("1"), ValueError),
        ("flat", D("-1"), D("1"), ValueError),
        ("labor", D("0"), D("-0.01"), ValueError),
        ("labor", D("0"), 1.5, TypeError),
        ("flat", 0.5, D("1"), TypeError),
        ("flat", True, D("1"), TypeError),
    ],
)
def test_bad_arguments_are_refused(mode, rate, amount, error):
    with pytest.raises(error):
        withholding(
            mode=mode, rate=rate, amount=amount, month_gross_before=ZERO, month_tax_before=ZERO
        )


fen_amounts = st.integers(min_value=1, max_value=3_000_000).map(lambda n: D(n) * FEN)
months = st.lists(fen_amounts, min_size=1, max_size=8)


@given(months)
def test_labor_withholdings_of_any_split_add_up_to_the_tax_of_the_total(payouts):
    """What holds exactly (not just "close"): the month tax is truncated once, on the total, and
    each payout withholds the difference of two such truncated month taxes. So after every
    payout the withheld sum equals month_tax of the gross so far — to the fen, no truncation
    error accumulating across parts — each withholding is between 0 and the payout, and the
    running sum is monotone."""
    withheld = labor_month(payouts)

    gross = ZERO
    for i, (amount, w) in enumerate(zip(payouts, withheld, strict=True)):
        gross += amount
        assert ZERO <= w <= amount
        assert w == w.quantize(FEN)
        assert sum(withheld[: i + 1]) == month_tax("labor", NO_RATE, gross)
    assert sum(withheld) == month_tax("labor", NO_RATE, sum(payouts))


@given(months, st.permutations(range(8)))
def test_labor_total_does_not_depend_on_the_order_of_payouts(payouts, order):
    reordered = [payouts[i] for i in order if i < len(payouts)]
    assert sum(labor_month(reordered)) == sum(labor_month(payouts))


@given(fen_amounts, fen_amounts)
def test_labor_month_tax_is_monotone(gross, more):
    assert month_tax("labor", NO_RATE, gross) <= month_tax("labor", NO_RATE, gross + more)


@given(months, st.integers(min_value=0, max_value=10_000).map(lambda n: D(n) * FEN))
def test_flat_parts_lose_at_most_a_fen_each_to_truncation(payouts, rate):
    """Flat truncates each payout: the parts add up to the tax of the total, less under one fen
    per part beyond the first (both sides are whole fen)."""
    withheld = [
        withholding(
            mode="flat", rate=rate, amount=a, month_gross_before=ZERO, month_tax_before=ZERO
        )
        for a in payouts
    ]
    total_tax = month_tax("flat", rate, sum(payouts))
    assert all(ZERO <= w <= a for w, a in zip(withheld, payouts, strict=True))
    assert ZERO <= total_tax - sum(withheld) <= FEN * (len(payouts) - 1)
