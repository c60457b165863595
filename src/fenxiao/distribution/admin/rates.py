"""The per-level commission rates as a form: one row per level, a value and a unit, with the
commission on a ¥100 sale worked out live (static/distribution/rates.js)."""

from django import forms

from fenxiao.distribution import rules
from fenxiao.distribution.admin.texts import LEVEL_NAMES
from fenxiao.money import parse_decimal

UNITS = [("percent", "% 实付金额"), ("fixed", "元 / 件")]
RATES_HELP = (
    "每级填一个数和单位：“% 实付金额”按订单行实付金额（方案按利润计佣时为利润）的百分比，"
    "“元 / 件”为每件固定金额。留空的层级不分佣金。右侧为一件 ¥100 的商品每级可得的佣金。"
)


def _rows_of(value) -> dict[int, tuple[str, str]]:
    """{level: (unit, value text)} from stored rates or from what the merchant posted."""
    rows = {}
    for item in value if isinstance(value, list) else []:
        if not isinstance(item, dict) or not isinstance(item.get("level"), int):
            continue
        unit = "fixed" if item.get("fixed") is not None else "percent"
        rows[item["level"]] = (unit, str(item.get(unit, "")))
    return rows


class RatesWidget(forms.Widget):
    """Rows of level 1..`levels`; on the plan page rows above the chosen 分销层级 are hidden
    and not posted. `share` is the cap (percent of the line) the example applies when the
    page has no 佣金上限 field of its own."""

    template_name = "distribution/rates_widget.html"

    class Media:
        css = {"all": ["distribution/rates.css"]}
        js = ["distribution/rates.js"]

    def __init__(self, attrs=None, levels: int | None = None, share=None):
        super().__init__(attrs)
        self.levels = levels
        self.share = share

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        found = _rows_of(value)
        last = max([self.levels or rules.max_levels(), *found])
        context["widget"]["rows"] = [
            {
                "level": level,
                "label": LEVEL_NAMES.get(level, f"{level} 级"),
                "unit": found.get(level, ("percent", ""))[0],
                "value": found.get(level, ("percent", ""))[1],
            }
            for level in range(1, last + 1)
        ]
        context["widget"]["units"] = UNITS
        context["widget"]["share"] = "" if self.share is None else str(self.share)
        return context

    def id_for_label(self, id_):
        return f"{id_}_1_value" if id_ else id_

    def value_from_datadict(self, data, files, name):
        rates = []
        for level in (1, 2, 3):
            text = (data.get(f"{name}_{level}_value") or "").strip()
            if not text:
                continue
            unit = data.get(f"{name}_{level}_unit")
            unit = unit if unit in dict(UNITS) else "percent"
            # "15%" and "¥3" mean what they say
            text = text.removesuffix("%").removeprefix("¥").removeprefix("￥").strip()
            rates.append({"level": level, unit: text})
        return rates

    def value_omitted_from_data(self, data, files, name):
        # rows left empty (or hidden, hence not posted) mean "no rate at that level"
        return False


class RatesField(forms.Field):
    """The rates as rows; gives the list of {"level": n, "percent" | "fixed": "…"} that
    rules.parse_rates checks (the form's clean calls it with the plan's levels and cap)."""

    widget = RatesWidget
    default_error_messages = {
        "required": "请至少填写一级佣金，如一级填 15、单位选“% 实付金额”",
    }

    def __init__(self, **kwargs):
        kwargs.setdefault("help_text", RATES_HELP)
        super().__init__(**kwargs)

    def to_python(self, value):
        rates = value if isinstance(value, list) else []
        for item in rates:
            unit = "fixed" if "fixed" in item else "percent"
            try:
                parse_decimal(item[unit])
            except ValueError as exc:
                name = LEVEL_NAMES.get(item["level"], f"第 {item['level']} 级")
                raise forms.ValidationError(
                    f"{name}佣金请填写数字，如 15（单位“% 实付金额”）或 3.00（单位“元 / 件”），"
                    f"现在是“{item[unit]}”"
                ) from exc
        return rates

    def has_changed(self, initial, data):
        def meaning(value):
            rows = _rows_of(value)
            return {level: (unit, _number_or_text(text)) for level, (unit, text) in rows.items()}

        return meaning(initial) != meaning(data)


def _number_or_text(text: str):
    try:  # "3" and "3.00" are the same rate
        return parse_decimal(text)
    except ValueError:
        return text
