from decimal import Decimal

from django import template
from django.utils.formats import number_format

register = template.Library()

SHADES = {1: "bg-success bg-opacity-10", 2: "bg-success bg-opacity-25",
          3: "bg-success bg-opacity-50", 4: "bg-success bg-opacity-75"}  # fmt: skip


@register.filter
def cell(value):
    """A display value of the dashboard: a number with separators, "<5" or "x" as they are,
    nothing as a dash."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return number_format(value, force_grouping=True)
    if isinstance(value, float | Decimal):
        return number_format(value, decimal_pos=2, force_grouping=True)
    return value


@register.filter
def signed(value):
    if value is None:
        return "—"
    text = number_format(abs(value), force_grouping=True)
    return f"+{text}" if value > 0 else f"−{text}" if value < 0 else "0"


@register.filter
def shade(level):
    return SHADES.get(level, "")


@register.filter
def column_count(section) -> int:
    """How many columns the section's table has, so that "nothing in this period" spans them."""
    total = section.total or {}
    return 1 + bool(section.detail_key) + len(section.columns) + (total.get("total") is not None)


@register.filter
def detail(row: dict, section) -> str:
    """The row's second heading cell (``Section.detail_key``)."""
    return row.get(section.detail_key, "")
