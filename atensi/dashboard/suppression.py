"""Small-count suppression for published aggregates. Pure Python, no Django.

A count from 1 to 4 could point at a person, so it is never shown: it reads "<5" (primary
suppression). Zero stays 0 (nobody can be identified by no one). A table is published with
its row and column totals, so a single hidden cell in a row could be worked out by
subtraction; complementary suppression therefore hides more cells until every row and
every column (its total included) holds either no hidden entry or at least two, and the
hidden cells of a line are not all forced to 1 (two hidden cells summing to 2 are both 1).
Complementary cells read "x": they are not small, only hidden.

Every figure, chart, table, export and API response of the dashboard goes through here.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

SMALL = "<5"  # a count from 1 to 4
HIDDEN = "x"  # a larger count hidden so that a small one cannot be worked out
LOW, HIGH = 1, 4

Display = int | str


def is_small(n: int) -> bool:
    return LOW <= n <= HIGH


def suppress_value(n: int | None) -> Display | None:
    """One figure on its own: 1–4 reads "<5"; anything else is shown as it is."""
    if n is None:
        return None
    return SMALL if is_small(n) else n


def shown(value: Display | None) -> int | None:
    """The number behind a display value, or None when it is hidden (for charts)."""
    return value if isinstance(value, int) else None


def delta(current: Display | None, previous: Display | None) -> int | None:
    """The change between two displayed figures; unknown when either is hidden."""
    if not isinstance(current, int) or not isinstance(previous, int):
        return None
    return current - previous


@dataclass
class SuppressedTable:
    """A table ready to publish: display values and which entries are hidden.

    ``cells[i][j]``, ``row_totals[i]``, ``column_totals[j]`` and ``total`` are an int or
    ``SMALL``/``HIDDEN``; ``hidden`` holds the (row, column) positions in the extended
    table, where row ``len(cells)`` is the totals row and column ``n_columns`` the totals
    column."""

    cells: list[list[Display]]
    row_totals: list[Display]
    column_totals: list[Display]
    total: Display
    hidden: set[tuple[int, int]] = field(default_factory=set)

    def rows(self) -> list[tuple[list[Display], Display]]:
        return list(zip(self.cells, self.row_totals, strict=True))


Key = Hashable
Line = tuple[Sequence[Key], Key]  # parts that add up to a total


def _exposed(line: Line, value, hidden) -> bool:
    """A line gives a hidden entry away: exactly one hidden entry, or a shown total whose
    hidden parts (each at least 1) must all be 1."""
    parts, total = line
    hidden_here = [p for p in (*parts, total) if p in hidden]
    if len(hidden_here) == 1:
        return True
    if hidden_here and total not in hidden:
        remainder = value[total] - sum(value[p] for p in parts if p not in hidden)
        return remainder == len(hidden_here)
    return False


def _next_to_hide(line: Line, value, hidden, order, keep) -> Key | None:
    """The smallest shown non-zero part of the line, its total only when no part is left;
    an entry of ``keep`` only when nothing else in the line can be hidden."""
    parts, total = line
    for allowed in (lambda k: k not in keep, lambda k: True):
        shown_parts = [p for p in parts if p not in hidden and value[p] > 0 and allowed(p)]
        if shown_parts:
            return min(shown_parts, key=lambda p: (value[p], order[p]))
        if total not in hidden and value[total] > 0 and allowed(total):
            return total
    return None


def suppress(
    values: Mapping[Key, int], lines: Iterable[Line] = (), *, keep: Iterable[Key] = ()
) -> tuple[dict[Key, Display], set[Key]]:
    """Suppress a set of counts tied by linear equations ("these parts add up to that
    total"): primary suppression of 1–4, then complementary suppression until no line
    gives a hidden count away. Returns the display values and the hidden keys.

    A key may be latent (a count nobody publishes, such as "proposals still waiting"):
    give it a value and a line, and do not show it; it is suppressed like the others.
    Complementary suppression hides the headline figures in ``keep`` only when a line
    leaves no other choice (a small count itself is always hidden)."""
    value = {k: int(n) for k, n in values.items()}
    if any(n < 0 for n in value.values()):
        raise ValueError("counts cannot be negative")
    lines = [(tuple(parts), total) for parts, total in lines]
    for parts, total in lines:
        if sum(value[p] for p in parts) != value[total]:
            raise ValueError(f"the parts of {total!r} do not add up to it")
    order = {k: i for i, k in enumerate(value)}
    keep = set(keep)
    primary = {k for k, n in value.items() if is_small(n)}
    hidden = set(primary)
    changed = True
    while changed:
        changed = False
        for line in lines:
            while _exposed(line, value, hidden):
                nxt = _next_to_hide(line, value, hidden, order, keep)
                if nxt is None:
                    break
                hidden.add(nxt)
                changed = True
    display = {k: SMALL if k in primary else HIDDEN if k in hidden else n for k, n in value.items()}
    return display, hidden


def table_lines(n_rows: int, n_cols: int) -> list[Line]:
    """The equations of a table with row totals (column ``n_cols``), column totals (row
    ``n_rows``) and a grand total, keyed by (row, column)."""
    lines = []
    for i in range(n_rows + 1):
        lines.append(([(i, j) for j in range(n_cols)], (i, n_cols)))
    for j in range(n_cols + 1):
        lines.append(([(i, j) for i in range(n_rows)], (n_rows, j)))
    return lines


def table_values(counts: Sequence[Sequence[int]]) -> dict[tuple[int, int], int]:
    """The cells of a table and its totals, keyed by (row, column) as ``table_lines``."""
    matrix = [[int(n) for n in row] for row in counts]
    n_rows = len(matrix)
    n_cols = len(matrix[0]) if matrix else 0
    if any(len(row) != n_cols for row in matrix):
        raise ValueError("every row needs the same number of columns")
    value: dict[tuple[int, int], int] = {}
    for i, row in enumerate(matrix):
        for j, n in enumerate(row):
            value[i, j] = n
        value[i, n_cols] = sum(row)
    for j in range(n_cols):
        value[n_rows, j] = sum(row[j] for row in matrix)
    value[n_rows, n_cols] = sum(value[i, n_cols] for i in range(n_rows))
    return value


def suppress_table(counts: Sequence[Sequence[int]]) -> SuppressedTable:
    """Suppress a table of counts (rows × columns) together with its row and column totals
    and its grand total; see the module's docstring for the rule."""
    value = table_values(counts)
    n_rows = len(counts)
    n_cols = len(counts[0]) if counts else 0
    show, hidden = suppress(value, table_lines(n_rows, n_cols))
    return SuppressedTable(
        cells=[[show[i, j] for j in range(n_cols)] for i in range(n_rows)],
        row_totals=[show[i, n_cols] for i in range(n_rows)],
        column_totals=[show[n_rows, j] for j in range(n_cols)],
        total=show[n_rows, n_cols],
        hidden=hidden,
    )


def suppress_series(counts: Sequence[int]) -> tuple[list[Display], Display]:
    """A single row of counts with its total (a chart's series): the values and the total."""
    table = suppress_table([list(counts)])
    return table.cells[0], table.row_totals[0]
