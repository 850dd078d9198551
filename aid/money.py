"""Money in whole rupiah: integers only, never floats. No Django here."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable


def line_value(quantity: int, unit_cost: int) -> int:
    """The value of a proposal line; refuses anything but positive whole numbers."""
    for name, number in (("quantity", quantity), ("unit_cost", unit_cost)):
        if isinstance(number, bool) or not isinstance(number, int) or number <= 0:
            raise ValueError(f"{name} must be a positive whole number, not {number!r}")
    return quantity * unit_cost


def by_component(lines: Iterable[tuple[str, int]]) -> dict[str, int]:
    """Sum (component, amount) pairs per component, in component order (the lock order)."""
    totals: dict[str, int] = defaultdict(int)
    for component, amount in lines:
        totals[component] += amount
    return dict(sorted(totals.items()))


def format_thousands(amount: int) -> str:
    """1500000 → "1.500.000", for columns headed "(Rp)"."""
    return f"{amount:,}".replace(",", ".")


def format_rupiah(amount: int) -> str:
    """1500000 → "Rp 1.500.000" (Indonesian thousands separator)."""
    sign = "-" if amount < 0 else ""
    return f"{sign}Rp {format_thousands(abs(amount))}"
