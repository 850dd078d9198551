"""The triggers that mark out of date the months of the summary tables a change touched
(see ``facts``). Statement triggers: one mark per month and kind per statement, whatever
the number of rows, bulk writes and ``update()`` included."""

from __future__ import annotations

from collections.abc import Sequence

import pgtrigger
from django.conf import settings

from .models import ALL_MONTHS, Dirty


def local_date(column: str) -> str:
    """SQL: the date of a timestamp column in the project's time zone."""
    return f"({column} AT TIME ZONE '{settings.TIME_ZONE}')::date"


def _insert_marks(select: str) -> str:
    return (
        f"INSERT INTO {Dirty._meta.db_table} (kind, month, area, marked_at) "
        "SELECT DISTINCT kind, date_trunc('month', day)::date, COALESCE(area, ''), now() "
        f"FROM ({select}) AS marks "
        "WHERE day IS NOT NULL ON CONFLICT (kind, month, area) DO NOTHING;"
    )


def dirty_triggers(
    prefix: str,
    marks: str | None = None,
    *,
    on_update: str | None = None,
    everything: Sequence[str] = (),
) -> list[pgtrigger.Trigger]:
    """Statement triggers that mark out of date the months a change touched.

    ``marks`` is a SELECT of ``(kind, day, area)`` over the changed rows (``area``: the
    district the record lies in, the first 8 characters of its region code; "" for every
    region), written with ``{rows}`` for the transition table (the new rows on insert, the
    old rows on delete, both on update); ``on_update`` replaces it on update (it may join
    ``new_rows`` and ``old_rows``). ``everything`` lists kinds marked for every month by any
    change (small tables the dashboard reads as they are)."""
    events = [
        ("ins", pgtrigger.Insert, pgtrigger.Referencing(new="new_rows"), "new_rows"),
        ("upd", pgtrigger.Update, pgtrigger.Referencing(old="old_rows", new="new_rows"), None),
        ("del", pgtrigger.Delete, pgtrigger.Referencing(old="old_rows"), "old_rows"),
    ]
    if everything:
        marks = on_update = everything_marks(*everything)
    update = on_update or (
        f"{marks.format(rows='new_rows')} UNION ALL {marks.format(rows='old_rows')}"
    )
    if marks is None:  # only an update can move the records (a client's village)
        events = events[1:2]
    triggers = []
    for suffix, operation, referencing, rows in events:
        select = update if rows is None else marks.format(rows=rows)
        triggers.append(
            pgtrigger.Trigger(
                name=f"{prefix}_sum_{suffix}",
                level=pgtrigger.Statement,
                when=pgtrigger.After,
                operation=operation,
                referencing=referencing,
                func=f"{_insert_marks(select)} RETURN NULL;",
            )
        )
    return triggers


def everything_marks(*kinds: str) -> str:
    """A ``marks`` SELECT marking every month of the kinds."""
    return " UNION ALL ".join(
        f"SELECT '{kind}'::text AS kind, DATE '{ALL_MONTHS.isoformat()}' AS day, '' AS area"
        for kind in kinds
    )
