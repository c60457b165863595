"""How report figures read: ¥ amounts, counts, percentages, and the change against before."""

from django import template

register = template.Library()


@register.filter
def figure(value, kind: str) -> str:
    if value is None:
        return "—"
    if kind == "money":
        return f"¥{value:,}"
    if kind == "percent":
        return f"{value}%"
    return f"{value:,}"


@register.filter
def percent(value) -> str:
    return "—" if value is None else f"{value}%"


@register.filter
def trend(value) -> str:
    """+12.5% / −3.0% / 持平, or — when there is nothing to compare with."""
    if value is None:
        return "—"
    if value > 0:
        return f"↑ {value}%"
    if value < 0:
        return f"↓ {-value}%"
    return "持平"


@register.filter
def trend_class(value) -> str:
    if value is None or value == 0:
        return "flat"
    return "up" if value > 0 else "down"


@register.filter
def lift(value, spec: str) -> str:
    """A daily average of the lift table: `lift|lift:"sales,before"`."""
    what, when = spec.split(",")
    found = value.per_day(what, when)
    if found is None:
        return "—"
    return f"¥{found:,}" if what == "sales" else f"{found}"


@register.filter
def lift_change(value, what: str) -> str:
    return trend(value.change(what))


@register.filter
def get_grain(grains: dict, key: str) -> str:
    return grains.get(key, "")
