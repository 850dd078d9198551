"""Summary tables: each app counts its records per region and month once, the dashboard
reads the counts.

An app describes a *kind* of fact by a function ``build(start, end, codes)`` returning a
query (made with ``facts``) that counts its records dated within ``[start, end]`` (None: all)
per month, region code and up to three keys, and registers it (``register``, from its
``AppConfig.ready``). Database triggers on the app's tables (``dirty_triggers``) mark the
months whose records changed; ``refresh`` counts those months again (and ``rebuild`` every
month), each kind under its own lock, so that the counts follow the records incrementally.

``totals`` reads the counts of a kind for region codes and a period: from the table when
the period is made of whole months, otherwise by running the kind's query for exactly those
days, so that both give the figures of the records. Everything is counted by the database.
The platform knows the kinds only by name: it imports no domain app.
"""

from __future__ import annotations

import calendar
import contextlib
import contextvars
import datetime
import logging
import time
import zlib
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from django.conf import settings
from django.db import connection, connections, router, transaction
from django.db.models import Count, DateField, IntegerField, QuerySet, Value
from django.db.models.functions import Cast

from atensi.accounts import policy

from .models import ALL_MONTHS, LEVELS, Change, Dirty, MonthlyCount

logger = logging.getLogger(__name__)

Build = Callable[[datetime.date | None, datetime.date | None, Sequence[str] | None], QuerySet]
KEYS = ("key1", "key2", "key3")
COLUMNS = ("month", "region", *KEYS, "n", "amount", "value")


@dataclass(frozen=True)
class Kind:
    name: str
    build: Build
    rollup: bool = True  # False when key3 tells people apart: summing would not shrink it


KINDS: dict[str, Kind] = {}
# Set while a reader works on counts it has just brought up to date (``counted``).
_fresh = contextvars.ContextVar("summaries_fresh", default=False)


def register(name: str, build: Build, *, rollup: bool = True) -> None:
    """Make ``name`` a kind of fact counted by ``build`` (idempotent); ``rollup``: also sum
    it per regency and per district (``LEVELS``)."""
    KINDS[name] = Kind(name, build, rollup)


def _sql(query) -> tuple[str, list]:
    """A kind's query as SQL: a QuerySet made with ``facts``, or already (sql, params)."""
    return query if isinstance(query, tuple) else query.query.sql_with_params()


def facts(
    qs: QuerySet,
    *,
    codes: Sequence[str] | None,
    month,
    region,
    keys: Sequence = (),
    n=None,
    amount=None,
    value=None,
) -> QuerySet:
    """The query of a kind: ``qs`` (already limited to the days) grouped by the expressions
    ``month`` (a date: the first of the month), ``region`` (a region code) and ``keys``
    (text), with the aggregates ``n`` (default: the number of records), ``amount`` and
    ``value``; limited to the region ``codes`` unless None."""
    keys = list(keys) + [Value("")] * (len(KEYS) - len(keys))
    named = {f"f_{k}": e for k, e in zip(KEYS, keys, strict=True)}
    grouped = qs.order_by().values(f_month=Cast(month, DateField()), f_region=region, **named)
    if codes is not None:
        grouped = grouped.filter(policy.codes_q(list(codes), "f_region"))
    zero = Value(0, output_field=IntegerField())
    return grouped.annotate(
        f_n=n if n is not None else Count("pk"),
        f_amount=Cast(amount, IntegerField()) if amount is not None else zero,
        f_value=Cast(value, IntegerField()) if value is not None else zero,
    )


# --- reading -------------------------------------------------------------------------------

MEASURES = {
    "n": "SUM(n)::bigint",
    "amount": "SUM(amount)::bigint",
    "value": "SUM(value)::bigint",
    "people": "COUNT(DISTINCT NULLIF(key3, ''))",
}


def whole_months(start: datetime.date, end: datetime.date) -> bool:
    return start.day == 1 and end.day == calendar.monthrange(end.year, end.month)[1]


def _codes_sql(codes: Sequence[str]) -> tuple[str, list]:
    if not codes:
        return "FALSE", []
    parts, params = [], []
    for code in codes:
        parts.append("(region = %s OR region LIKE %s)")
        params += [code, code.replace("%", "").replace("_", "") + ".%"]
    return "(" + " OR ".join(parts) + ")", params


def level_for(codes: Sequence[str], width: int | None) -> int:
    """The coarsest level of the tables that still tells the codes and the areas of the
    breakdown (``width`` characters) apart: 5 for a province by regency, 8 for a regency by
    district, 0 (as recorded) for a district by village."""
    finest = max([width or 0, *(len(c) for c in codes)])
    return next((level for level in LEVELS if level >= finest), 0)


def _source(
    kind: str, codes: Sequence[str], start, end, live: bool, width: int | None = None
) -> tuple[str, list]:
    """The facts of a kind for the codes and days, as SQL with the columns of ``COLUMNS``."""
    if whole_months(start, end) and not live:
        if not _fresh.get():
            refresh(kinds=[kind])
        where, params = _codes_sql(codes)
        sql = (
            f"SELECT {', '.join(COLUMNS)} FROM {MonthlyCount._meta.db_table} "
            f"WHERE kind = %s AND level = %s AND month >= %s AND month <= %s AND {where}"
        )
        level = level_for(codes, width) if KINDS[kind].rollup else 0
        return sql, [kind, level, start, end, *params]
    inner, params = _sql(KINDS[kind].build(start, end, list(codes)))
    columns = ", ".join(f"f_{c} AS {c}" for c in COLUMNS)
    return f"SELECT {columns} FROM ({inner}) AS live", list(params)


def grouped(
    kind: str,
    *,
    codes: Sequence[str],
    start: datetime.date,
    end: datetime.date,
    sets: dict[str, Sequence[str]],
    width: int | None = None,
    measures: Sequence[str] = ("n",),
    from_records: bool = False,
) -> dict[str, list[tuple]]:
    """The facts of ``kind`` within the region codes and the days, summed per each of the
    named groupings ``sets`` in one reading (``GROUPING SETS``). A grouping lists columns
    among month, key1–key3 and ``area`` (the first ``width`` characters of the region
    code); ``()`` is the grand total. Each name gets rows of its columns' values followed by
    the ``measures`` (n, amount, value, or people: distinct non-empty key3).
    ``from_records`` counts the records even for whole months (what the tables must
    equal)."""
    columns: list[str] = []
    for by in sets.values():
        for b in by:
            if b != "area" and b not in ("month", *KEYS):
                raise ValueError(f"cannot group facts by {b!r}")
            if b not in columns:
                columns.append(b)
    expression = {
        c: f"SUBSTRING(region FROM 1 FOR {int(width or 13)})" if c == "area" else c for c in columns
    }
    source, params = _source(kind, codes, start, end, from_records, width)
    select = [expression[c] for c in columns]
    if columns:
        select.append(f"GROUPING({', '.join(expression[c] for c in columns)})")
    select += [MEASURES[m] for m in measures]
    sql = f"SELECT {', '.join(select)} FROM ({source}) AS facts"
    if columns:
        groups = ", ".join("(" + ", ".join(expression[c] for c in by) + ")" for by in sets.values())
        sql += f" GROUP BY GROUPING SETS ({groups})"
    # A read: on the replica inside ``atensi.db.replica()``, else on the primary.
    with connections[router.db_for_read(MonthlyCount)].cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    # GROUPING() sets the bit of each column a row is summed over (the first column is the
    # highest bit).
    masks = {
        name: sum(1 << (len(columns) - 1 - i) for i, c in enumerate(columns) if c not in by)
        for name, by in sets.items()
    }
    result: dict[str, list[tuple]] = {name: [] for name in sets}
    k = len(columns)
    for row in rows:
        mask = row[k] if columns else 0
        # A sum over no rows is NULL: read it as 0.
        values = tuple(v or 0 for v in row[k + 1 if columns else 0 :])
        for name, by in sets.items():
            if masks[name] == mask:
                result[name].append((*(row[columns.index(c)] for c in by), *values))
    return result


def totals(kind: str, *, by: Sequence[str] = (), **kwargs) -> list[tuple]:
    """The facts of ``kind`` summed per one grouping ``by`` (see ``grouped``)."""
    return grouped(kind, sets={"only": tuple(by)}, **kwargs)["only"]


def total(kind: str, **kwargs) -> int:
    """A single figure of ``totals`` (no grouping)."""
    return totals(kind, **kwargs)[0][-1]


# --- refreshing ----------------------------------------------------------------------------


def _month_end(month: datetime.date) -> datetime.date:
    return month.replace(day=calendar.monthrange(month.year, month.month)[1])


def _lock(name: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_advisory_xact_lock(%s)", [0x5A17 << 32 | zlib.crc32(name.encode())]
        )


Mark = tuple[datetime.date, str]  # (a month or ALL_MONTHS, a district or "" for everywhere)


def _slices(marks: set[Mark]) -> list[tuple[datetime.date | None, str]]:
    """What to count again for these marks: (a month, or None for every month; a district,
    or "" for everywhere), leaving out what a larger slice already covers."""
    if (ALL_MONTHS, "") in marks:
        return [(None, "")]
    months = {m for m, area in marks if not area}
    districts = {area for m, area in marks if area and m == ALL_MONTHS}
    slices: list[tuple[datetime.date | None, str]] = [(m, "") for m in sorted(months)]
    slices += [(None, area) for area in sorted(districts)]
    slices += [
        (m, area) for m, area in sorted(marks)
        if area and m != ALL_MONTHS and m not in months and area not in districts
    ]  # fmt: skip
    return slices


def _scope(month: datetime.date | None, prefix: str) -> tuple[str, list]:
    """SQL conditions (and their parameters) for one month (None: all) and the regions
    under ``prefix`` ("": all)."""
    sql, params = "", []
    if month is not None:
        sql += " AND month = %s"
        params.append(month)
    if prefix:
        sql += " AND (region = %s OR region LIKE %s)"
        params += [prefix, prefix + ".%"]
    return sql, params


def _count_again(kind: str, marks: set[Mark]) -> int:
    """Count the kind again for the marked months and districts; returns the number of
    slices counted."""
    table = MonthlyCount._meta.db_table
    build = KINDS[kind].build
    columns = ", ".join(COLUMNS)
    slices = _slices(marks)
    with transaction.atomic(), connection.cursor() as cursor:
        _lock(kind)
        for month, area in slices:
            scope, params = _scope(month, area)
            cursor.execute(
                f"DELETE FROM {table} WHERE kind = %s AND level = 0{scope}", [kind, *params]
            )
            days = (month, _month_end(month)) if month is not None else (None, None)
            sql, query_params = _sql(build(*days, [area] if area else None))
            cursor.execute(
                f"INSERT INTO {table} (kind, {columns}) "
                f"SELECT %s, {', '.join('f_' + c for c in COLUMNS)} FROM ({sql}) AS fresh",
                [kind, *query_params],
            )
            if KINDS[kind].rollup:
                _roll_up(cursor, kind, month, area)
        _changed({ALL_MONTHS if month is None else month for month, _area in slices})
    return len(slices)


def _roll_up(cursor, kind: str, month: datetime.date | None, area: str) -> None:
    """Sum a slice just counted (level 0) per district, then those per regency."""
    table = MonthlyCount._meta.db_table
    finer = 0
    for level in sorted(LEVELS, reverse=True):
        scope, params = _scope(month, area[:level])
        part = f"SUBSTRING(region FROM 1 FOR {int(level)})"
        cursor.execute(
            f"DELETE FROM {table} WHERE kind = %s AND level = %s{scope}", [kind, level, *params]
        )
        cursor.execute(
            f"INSERT INTO {table} (kind, level, {', '.join(COLUMNS)}) "
            f"SELECT kind, %s, month, {part}, key1, key2, key3, SUM(n), SUM(amount), SUM(value) "
            f"FROM {table} WHERE kind = %s AND level = %s{scope} "
            f"GROUP BY kind, month, {part}, key1, key2, key3",
            [level, kind, finer, *params],
        )
        finer = level


def _changed(months: Iterable[datetime.date]) -> None:
    """Note that the counts of these months changed now (ALL_MONTHS: of every month)."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {Change._meta.db_table} (month, changed_at) "
            "SELECT m, clock_timestamp() FROM unnest(%s::date[]) AS m "
            "ON CONFLICT (month) DO UPDATE SET changed_at = EXCLUDED.changed_at",
            [sorted(set(months))],
        )


def _take(kinds: Sequence[str] | None) -> dict[str, set[Mark]]:
    """Remove and return the marks (of these kinds), in a transaction of its own so that no
    writer waits for the counting."""
    table = Dirty._meta.db_table
    with transaction.atomic(), connection.cursor() as cursor:
        if kinds is None:
            cursor.execute(f"DELETE FROM {table} RETURNING kind, month, area")
        else:
            cursor.execute(
                f"DELETE FROM {table} WHERE kind = ANY(%s) RETURNING kind, month, area",
                [list(kinds)],
            )
        marks: dict[str, set[Mark]] = {}
        for kind, month, area in cursor.fetchall():
            marks.setdefault(kind, set()).add((month, area))
    return marks


def _mark(marks: dict[str, set[Mark]]) -> None:
    Dirty.objects.bulk_create(
        [Dirty(kind=k, month=m, area=a) for k, these in marks.items() for m, a in these],
        ignore_conflicts=True,
    )


def _count_kind(kind: str, marks: set[Mark]) -> int:
    started = time.monotonic()
    if kind in KINDS:
        counted = _count_again(kind, marks)
    else:
        _changed({month for month, _area in marks})
        counted = len(marks)
    logger.info(
        "summaries: %s counted again (%s slice(s)) in %.2f s",
        kind, counted, time.monotonic() - started,
    )  # fmt: skip
    return counted


def _count_in_thread(kind: str, marks: set[Mark]) -> int:
    try:
        return _count_kind(kind, marks)
    finally:
        connection.close()  # this thread's own connection


def refresh(*, kinds: Sequence[str] | None = None, workers: int = 1) -> dict[str, int]:
    """Count again the months and districts marked out of date (of these kinds, or all);
    returns the number of slices counted per kind. A kind the platform does not count (a
    small table the dashboard reads as it is) only records the change. With ``workers`` > 1
    and outside a transaction, the kinds are counted side by side, each on a connection of
    its own."""
    marked = Dirty.objects.all() if kinds is None else Dirty.objects.filter(kind__in=kinds)
    if not marked.exists():
        return {}
    marks = _take(kinds)
    done: dict[str, int] = {}
    try:
        if workers > 1 and len(marks) > 1 and not connection.in_atomic_block:
            with ThreadPoolExecutor(max_workers=workers) as pool:
                futures = {k: pool.submit(_count_in_thread, k, marks[k]) for k in sorted(marks)}
                failed = None
                for kind, future in futures.items():
                    try:
                        done[kind] = future.result()
                    except Exception as error:  # the others finish; this one stays marked
                        failed = failed or error
                if failed is not None:
                    raise failed
        else:
            for kind in sorted(marks):
                done[kind] = _count_kind(kind, marks[kind])
    except BaseException:
        _mark({k: m for k, m in marks.items() if k not in done})
        raise
    return done


@contextlib.contextmanager
def counted():
    """Bring every kind up to date once, then read without asking again (a dashboard reads
    dozens of totals)."""
    refresh()
    token = _fresh.set(True)
    try:
        yield
    finally:
        _fresh.reset(token)


def rebuild(*, kinds: Sequence[str] | None = None) -> dict[str, int]:
    """Count every month of the kinds (all registered kinds) again from the records."""
    kinds = list(kinds if kinds is not None else KINDS)
    _mark({kind: {(ALL_MONTHS, "")} for kind in kinds})
    counted = refresh(kinds=kinds, workers=settings.SUMMARY_WORKERS)
    # Every row of the kinds was replaced: free the old ones now rather than wait for an
    # autovacuum (which may be off), and give the planner the new statistics.
    table = MonthlyCount._meta.db_table
    with connection.cursor() as cursor:
        if connection.in_atomic_block:  # VACUUM cannot run in a transaction
            cursor.execute(f"ANALYZE {table}")
        else:
            cursor.execute(f"VACUUM (ANALYZE) {table}")
    return counted


def changed_since(moment, *, start: datetime.date, end: datetime.date) -> bool:
    """Whether the counts of a month within ``[start, end]`` (or of every month) changed
    after ``moment``."""
    months = Change.objects.filter(changed_at__gt=moment)
    return (
        months.filter(month=ALL_MONTHS).exists()
        or months.filter(month__gte=start.replace(day=1), month__lte=end).exists()
    )
