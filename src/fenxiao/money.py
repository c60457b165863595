"""Money helpers: the only place that rounds or parses amounts (yuan, two decimals)."""

from decimal import ROUND_DOWN, ROUND_HALF_EVEN, Decimal, InvalidOperation

FEN = Decimal("0.01")
ZERO = Decimal("0.00")
HALF_FEN = Decimal("0.005")  # below any real difference between sums of whole fen


def to_fen(amount: Decimal | int | str) -> Decimal:
    """Truncate to the fen (ROUND_DOWN), so a computed share never exceeds what was promised."""
    return Decimal(amount).quantize(FEN, rounding=ROUND_DOWN)


def yuan(value: Decimal | int | str) -> Decimal:
    """Parse an amount in yuan exactly; refuse floats and more than two decimals."""
    if isinstance(value, float):
        raise ValueError("money must not be a float")
    try:
        amount = Decimal(str(value).strip())
    except InvalidOperation as exc:
        raise ValueError(f"not an amount: {value!r}") from exc
    if not amount.is_finite() or amount != amount.quantize(FEN):
        raise ValueError(f"not an amount in yuan with at most two decimals: {value!r}")
    return amount.quantize(FEN)


def fen_of_sum(total: Decimal | int | None) -> Decimal:
    """A database SUM of amounts back to exact yuan. Every amount is whole fen, but SQLite adds
    decimals as floats and can leave noise (7.1E-15 where the true sum is 0.00): the true sum
    is the nearest fen. On PostgreSQL this changes nothing."""
    return Decimal(total or 0).quantize(FEN, rounding=ROUND_HALF_EVEN)


def to_cents(amount: Decimal) -> int:
    """Yuan to integer fen, as WeChat Pay counts money."""
    return int((amount * 100).to_integral_exact())
