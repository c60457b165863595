"""Wording and small form pieces shared by the distribution console pages."""

import json
from decimal import Decimal

from fenxiao.distribution.models import (
    Plan,
)

LEVEL_NAMES = {1: "一级", 2: "二级", 3: "三级"}
RATE_SOURCES = {"product": "商品独立佣金", "grade": "分销等级佣金", "plan": "方案默认佣金"}
CHANGE_SOURCES = {"console": "商家后台", "api": "接口", "import": "导入", "cli": "命令行"}
BINDING_SOURCES = {
    "link": "分享链接",
    "poster": "海报",
    "product": "商品分享",
    "register": "注册",
    "login": "登录",
}


def rates_text(rates) -> str:
    """Rates as a merchant reads them: 一级 15% · 二级 ¥3.00/件."""
    parts = []
    for item in rates or []:
        if not isinstance(item, dict):
            return json.dumps(rates, ensure_ascii=False)
        level = LEVEL_NAMES.get(item.get("level"), f"{item.get('level')} 级")
        if item.get("percent") is not None:
            parts.append(f"{level} {item['percent']}%")
        else:
            parts.append(f"{level} ¥{item.get('fixed')}/件")
    return " · ".join(parts) or "—"


# the plan


def value_text(field: str, value) -> str:
    if field == "rates":
        return rates_text(value)
    choices = dict(Plan._meta.get_field(field).choices or [])
    if isinstance(value, bool):
        return "开" if value else "关"
    return str(choices.get(value, value))


def same_value(old, new) -> bool:
    try:  # "0" and "0.00" are the same amount
        return old == new or Decimal(str(old)) == Decimal(str(new))
    except (ArithmeticError, ValueError):
        return False
