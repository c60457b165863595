"""The arithmetic and validation of commission rates, shared by plan, grades and products.

A rate is {"level": n, "percent": "15"} (of the base) or {"level": n, "fixed": "3.00"} (yuan
per unit). Amounts are truncated to the fen; a line's levels together never exceed the cap.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings

from fenxiao.distribution.errors import PlanInvalid, PlanLevelsExceeded, PlanShareExceeded
from fenxiao.money import ZERO, parse_decimal, truncate_to_fen

HUNDRED = Decimal(100)
MAX_FIXED = Decimal("99999.99")
DEFAULT_PLAN_RATES = [{"level": 1, "percent": "15"}, {"level": 2, "percent": "10"}]


@dataclass(frozen=True)
class Rate:
    level: int
    kind: str  # "percent" | "fixed"
    value: Decimal

    def as_dict(self) -> dict:
        return {"level": self.level, self.kind: str(self.value)}


def max_levels() -> int:
    return settings.MAX_LEVELS


def check_levels(levels) -> int:
    if not isinstance(levels, int) or isinstance(levels, bool) or levels < 1:
        raise PlanInvalid("分销层级须为 1 到 3 的整数")
    if levels > 3:
        raise PlanLevelsExceeded()
    if levels > max_levels():
        raise PlanLevelsExceeded(f"本系统部署限制分销层级最多 {max_levels()} 级")
    return levels


def decimal_of(value, what: str) -> Decimal:
    """A rate or amount of the plan, parsed by money.parse_decimal, as a PlanInvalid error."""
    if isinstance(value, bool) or value is None or isinstance(value, float | list | dict):
        raise PlanInvalid(f'{what} 须为数字字符串，如 "15"')
    try:
        return parse_decimal(value)
    except ValueError as exc:
        raise PlanInvalid(f"{what} 不是有效数字: {value!r}") from exc


def parse_rates(raw, *, levels: int | None = None, share: Decimal | None = None) -> list[Rate]:
    """Validate a list of rates; refuse levels above `levels`, negative rates, duplicate
    levels, and percentages that together exceed `share`."""
    if not isinstance(raw, list):
        raise PlanInvalid("佣金设置须为列表")
    limit = levels or max_levels()
    rates: dict[int, Rate] = {}
    for item in raw:
        if not isinstance(item, dict):
            raise PlanInvalid('每一级佣金须为对象，如 {"level": 1, "percent": "15"}')
        extra = set(item) - {"level", "percent", "fixed"}
        if extra:
            raise PlanInvalid(f"佣金设置含未知字段: {', '.join(sorted(extra))}")
        level = item.get("level")
        if not isinstance(level, int) or isinstance(level, bool) or level < 1:
            raise PlanInvalid("佣金层级须为正整数")
        if level > 3:
            raise PlanLevelsExceeded()
        if level > limit:
            raise PlanLevelsExceeded(f"第 {level} 级超出分销层级（{limit} 级）")
        if level in rates:
            raise PlanInvalid(f"第 {level} 级佣金重复设置")
        kinds = [k for k in ("percent", "fixed") if item.get(k) is not None]
        if len(kinds) != 1:
            raise PlanInvalid(f"第 {level} 级佣金须设置 percent 或 fixed 其中之一")
        value = decimal_of(item[kinds[0]], f"第 {level} 级佣金")
        if value < 0:
            raise PlanInvalid(f"第 {level} 级佣金不能为负数")
        if kinds[0] == "percent" and (
            value > HUNDRED or value != value.quantize(Decimal("0.0001"))
        ):
            raise PlanInvalid(f"第 {level} 级佣金比例须在 0 到 100 之间，最多 4 位小数")
        if kinds[0] == "fixed" and (value > MAX_FIXED or value != value.quantize(Decimal("0.01"))):
            raise PlanInvalid(f"第 {level} 级固定佣金须在 0 到 {MAX_FIXED} 元之间，最多 2 位小数")
        rates[level] = Rate(level, kinds[0], value)
    result = [rates[k] for k in sorted(rates)]
    if share is not None:
        total = sum((r.value for r in result if r.kind == "percent"), ZERO)
        if total > share:
            raise PlanShareExceeded(f"各级佣金比例合计 {total}% 超过佣金上限 {share}%")
    return result


def line_amounts(
    *, paid: Decimal, base: Decimal, quantity: int, rates: list[Rate], share: Decimal
) -> dict[int, Decimal]:
    """Commission per level for one order line, truncated to the fen, levels together never
    above `share` percent of what the line paid (earlier levels are served first)."""
    room = truncate_to_fen(paid * share / HUNDRED)
    amounts = {}
    for rate in sorted(rates, key=lambda r: r.level):
        if rate.kind == "percent":
            amount = truncate_to_fen(base * rate.value / HUNDRED)
        else:
            amount = truncate_to_fen(rate.value * quantity)
        amount = max(ZERO, min(amount, room))
        room -= amount
        amounts[rate.level] = amount
    return amounts
