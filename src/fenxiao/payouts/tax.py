"""Income-tax withholding on payouts: pure arithmetic on Decimal yuan, no database.

Modes: ``none``; ``flat`` (a percentage of each payout); ``labor`` (劳务报酬 pre-withholding,
cumulative per distributor within the calendar month: the tax of the month's total gross,
less what earlier payouts that month already withheld).
"""

from decimal import Decimal

from fenxiao.money import ZERO, truncate_to_fen

TAX_MODE_NONE = "none"
TAX_MODE_FLAT = "flat"
TAX_MODE_LABOR = "labor"
TAX_MODES = (TAX_MODE_NONE, TAX_MODE_FLAT, TAX_MODE_LABOR)

# 劳务报酬: income up to ¥4,000 less a fixed ¥800, above that less 20%.
LABOR_FIXED_DEDUCTION_CEILING = Decimal("4000")
LABOR_FIXED_DEDUCTION = Decimal("800")
LABOR_TAXABLE_SHARE = Decimal("0.8")
# (taxable up to, rate, quick deduction), the last bracket unbounded.
LABOR_BRACKETS: tuple[tuple[Decimal | None, Decimal, Decimal], ...] = (
    (Decimal("20000"), Decimal("0.20"), Decimal("0")),
    (Decimal("50000"), Decimal("0.30"), Decimal("2000")),
    (None, Decimal("0.40"), Decimal("7000")),
)


def _check(mode: str, rate: Decimal, amount: Decimal) -> None:
    if mode not in TAX_MODES:
        raise ValueError(f"unknown tax mode: {mode!r}")
    # int is exact too: a Plan just made by plan_get() still holds its int default 0
    for number in (rate, amount):
        if isinstance(number, bool) or not isinstance(number, Decimal | int):
            raise TypeError(f"tax arithmetic takes Decimal (or int) only, not {number!r}")
    if mode == TAX_MODE_FLAT and not (ZERO <= rate <= 100):
        raise ValueError(f"flat tax rate must be a percentage in 0–100: {rate}")
    if amount < 0:
        raise ValueError(f"amount must not be negative: {amount}")


def labor_taxable(gross: Decimal) -> Decimal:
    """Taxable income of a month's 劳务报酬 gross (exact, not rounded)."""
    if gross <= LABOR_FIXED_DEDUCTION_CEILING:
        return max(gross - LABOR_FIXED_DEDUCTION, ZERO)
    return gross * LABOR_TAXABLE_SHARE


def month_tax(mode: str, rate: Decimal, gross: Decimal) -> Decimal:
    """The tax owed on a month's total gross payouts, truncated to the fen.

    Monotone non-decreasing in ``gross`` (the brackets meet: ¥4,000 at taxable ¥20,000,
    ¥13,000 at ¥50,000), which is what makes cumulative withholding never negative.
    """
    _check(mode, rate, gross)
    rate, gross = Decimal(rate), Decimal(gross)
    if mode == TAX_MODE_NONE:
        return ZERO
    if mode == TAX_MODE_FLAT:
        return truncate_to_fen(gross * rate / 100)
    taxable = labor_taxable(gross)
    for ceiling, bracket_rate, quick_deduction in LABOR_BRACKETS:
        if ceiling is None or taxable <= ceiling:
            return truncate_to_fen(taxable * bracket_rate - quick_deduction)
    raise AssertionError("unreachable: the last bracket is unbounded")


def withholding(
    *,
    mode: str,
    rate: Decimal,
    amount: Decimal,
    month_gross_before: Decimal,
    month_tax_before: Decimal,
) -> Decimal:
    """Tax to withhold from one payout of ``amount``.

    ``month_gross_before`` / ``month_tax_before``: the distributor's gross paid out and tax
    withheld earlier in the same calendar month (used by ``labor`` only). Withholding in
    ``labor`` mode is ``month_tax(before + amount) − month_tax_before``, so the withholdings of
    a month always add up to exactly ``month_tax`` of the month's total. Never negative (a
    month that already withheld more — e.g. after the mode changed — withholds nothing) and
    never above ``amount``.
    """
    _check(mode, rate, amount)
    rate, amount = Decimal(rate), Decimal(amount)
    if mode == TAX_MODE_NONE:
        return ZERO
    if mode == TAX_MODE_FLAT:
        return truncate_to_fen(amount * rate / 100)
    if month_gross_before < 0 or month_tax_before < 0:
        raise ValueError("month totals must not be negative")
    owed = month_tax(mode, rate, month_gross_before + amount) - month_tax_before
    # The marginal rate is at most 32%, so `owed` exceeds `amount` only when month_tax_before
    # was not this mode's tax (the mode changed mid-month): the payout is never taxed past 100%.
    return truncate_to_fen(min(max(owed, ZERO), amount))
