"""Money helpers: the only place that rounds or parses amounts (yuan, two decimals)."""

from decimal import ROUND_DOWN, ROUND_HALF_EVEN, Decimal, InvalidOperation

FEN = Decimal("0.01")
ZERO = Decimal("0.00")
HALF_FEN = Decimal("0.005")  # below any real difference between sums of whole fen


def truncate_to_fen(amount: Decimal | int | str) -> Decimal:
    """Truncate to the fen (ROUND_DOWN), so a computed share never exceeds what was promised."""
    return Decimal(amount).quantize(FEN, rounding=ROUND_DOWN)


def parse_decimal(value: Decimal | int | str) -> Decimal:
    """An exact, finite decimal from a string, int or Decimal; floats and bools are refused
    (0.1 as a float is not 0.1), as is anything else."""
    if isinstance(value, bool) or not isinstance(value, Decimal | int | str):
        raise ValueError(f"not a decimal string: {value!r}")
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation as exc:
        raise ValueError(f"not a number: {value!r}") from exc
    if not number.is_finite():
        raise ValueError(f"not a finite number: {value!r}")
    return number


def yuan(value: Decimal | int | str) -> Decimal:
    """Parse an amount in yuan exactly; refuse floats and more than two decimals."""
    amount = parse_decimal(value)
    if amount != amount.quantize(FEN):
        raise ValueError(f"not an amount in yuan with at most two decimals: {value!r}")
    return amount.quantize(FEN)


def round_sum_to_fen(total: Decimal | int | None) -> Decimal:
    """A database SUM of amounts back to exact yuan. Every amount is whole fen, but SQLite adds
    decimals as floats and can leave noise (7.1E-15 where the true sum is 0.00): the true sum
    is the nearest fen. On PostgreSQL this changes nothing."""
    return Decimal(total or 0).quantize(FEN, rounding=ROUND_HALF_EVEN)


def to_integer_fen(amount: Decimal) -> int:
    """Yuan to integer fen, as WeChat Pay counts money."""
    return int((amount * 100).to_integral_exact())
