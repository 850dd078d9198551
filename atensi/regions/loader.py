"""Read the vendored Kemendagri area codes and upsert them into the regions table.

The reading half is pure (files in, rows out); `upsert_regions` is the one writer. The data
set is idn-area-data 4.0.1 (Kepmendagri 300.2.2-2138/2025), see `data/ATTRIBUTION.md`.
"""

from __future__ import annotations

import csv
import gzip
import io
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / "data"

# File stem and level, parents first: the order rows must reach the database in.
LEVEL_FILES: tuple[tuple[str, int], ...] = (
    ("provinces", 1),
    ("regencies", 2),
    ("districts", 3),
    ("villages", 4),
)
CODE_RE = re.compile(r"^[0-9]{2}(\.[0-9]{2}(\.[0-9]{2}(\.[0-9]{4})?)?)?$")
NAME_MAX = 120


class RegionDataError(ValueError):
    """A row of the area-code files is malformed; the message names the file and line."""


@dataclass(frozen=True, slots=True)
class RegionRow:
    code: str
    name: str
    level: int
    parent_code: str | None


def level_of(code: str) -> int:
    """1 province, 2 regency, 3 district, 4 village: one more than the number of dots."""
    return code.count(".") + 1


def parent_of(code: str) -> str | None:
    """The code one level up (`16.02.05` → `16.02`), or None for a province."""
    head, dot, _ = code.rpartition(".")
    return head if dot else None


def _open_text(path: Path) -> io.TextIOBase:
    if path.suffix == ".gz":
        return io.TextIOWrapper(gzip.open(path, "rb"), encoding="utf-8-sig", newline="")
    return path.open(encoding="utf-8-sig", newline="")


def find_file(stem: str, data_dir: Path = DATA_DIR) -> Path:
    """`<stem>.csv.gz`, or a plain `<stem>.csv` when that is what the folder holds."""
    for name in (f"{stem}.csv.gz", f"{stem}.csv"):
        path = data_dir / name
        if path.exists():
            return path
    raise FileNotFoundError(f"No {stem}.csv.gz or {stem}.csv in {data_dir}")


def read_rows(path: Path, level: int) -> Iterator[RegionRow]:
    """Rows of one file, checked: code format, the file's level, and the parent column
    (`province_code`, `regency_code`, `district_code`) agreeing with the code's prefix."""
    with _open_text(path) as handle:
        reader = csv.DictReader(handle)
        fields = [field.strip().lower() for field in reader.fieldnames or []]
        reader.fieldnames = fields
        if "code" not in fields or "name" not in fields:
            raise RegionDataError(f"{path.name}: expected columns code,name; found {fields}")
        parent_column = next((f for f in fields if f.endswith("_code")), None)
        for line, record in enumerate(reader, start=2):
            code = (record["code"] or "").strip()
            name = " ".join((record["name"] or "").split())
            where = f"{path.name}:{line}"
            if not CODE_RE.match(code):
                raise RegionDataError(f"{where}: {code!r} is not a Kemendagri code")
            if level_of(code) != level:
                raise RegionDataError(f"{where}: {code} is not a level-{level} code")
            if not name or len(name) > NAME_MAX:
                raise RegionDataError(f"{where}: name of {code} is empty or too long")
            parent = parent_of(code)
            if parent_column and (record[parent_column] or "").strip() != parent:
                raise RegionDataError(
                    f"{where}: {parent_column} {record[parent_column]!r} is not the prefix "
                    f"of {code}"
                )
            yield RegionRow(code=code, name=name, level=level, parent_code=parent)


def read_all(data_dir: Path = DATA_DIR) -> list[RegionRow]:
    """Every region of the data set, parents before children; codes unique."""
    rows: list[RegionRow] = []
    seen: set[str] = set()
    for stem, level in LEVEL_FILES:
        for row in read_rows(find_file(stem, data_dir), level):
            if row.code in seen:
                raise RegionDataError(f"{stem}: code {row.code} appears twice")
            if row.parent_code is not None and row.parent_code not in seen:
                raise RegionDataError(f"{stem}: {row.code} has no parent {row.parent_code}")
            seen.add(row.code)
            rows.append(row)
    return rows


@dataclass(frozen=True, slots=True)
class LevelResult:
    level: int
    rows: int  # in the data set
    inserted: int
    updated: int
    stale: int  # in the database but no longer in the data set (kept, never deleted)

    @property
    def unchanged(self) -> int:
        return self.rows - self.inserted - self.updated


def upsert_regions(rows: Iterable[RegionRow]) -> list[LevelResult]:
    """Insert new codes and update changed names/parents, level by level, in one transaction.

    Rows stream through COPY into a temporary table; unchanged rows are not rewritten, and
    codes dropped from the data set stay (records may still point at them).
    """
    from django.db import connection, transaction

    from .models import Region

    table = connection.ops.quote_name(Region._meta.db_table)
    results: list[LevelResult] = []
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMPORARY TABLE region_load ("
            " code varchar(13) PRIMARY KEY, name varchar(120) NOT NULL,"
            " level smallint NOT NULL, parent_id varchar(13)"
            ") ON COMMIT DROP"
        )
        # Django wraps the DB-API cursor; COPY needs psycopg's own.
        with cursor.cursor.copy(
            "COPY region_load (code, name, level, parent_id) FROM STDIN"
        ) as copy:
            for row in rows:
                copy.write_row((row.code, row.name, row.level, row.parent_code))
        cursor.execute("ANALYZE region_load")
        for _stem, level in LEVEL_FILES:
            cursor.execute(
                f"""
                WITH upserted AS (
                    INSERT INTO {table} AS r (code, name, level, parent_id)
                    SELECT code, name, level, parent_id FROM region_load WHERE level = %(level)s
                    ON CONFLICT (code) DO UPDATE
                        SET name = EXCLUDED.name,
                            level = EXCLUDED.level,
                            parent_id = EXCLUDED.parent_id
                        WHERE (r.name, r.level, r.parent_id)
                            IS DISTINCT FROM (EXCLUDED.name, EXCLUDED.level, EXCLUDED.parent_id)
                    RETURNING (xmax = 0) AS inserted
                )
                SELECT
                    (SELECT count(*) FROM region_load WHERE level = %(level)s),
                    count(*) FILTER (WHERE inserted),
                    count(*) FILTER (WHERE NOT inserted),
                    (SELECT count(*) FROM {table} old
                      WHERE old.level = %(level)s
                        AND NOT EXISTS (SELECT 1 FROM region_load l WHERE l.code = old.code))
                FROM upserted
                """,  # noqa: S608 - the table name comes from the model, values are parameters
                {"level": level},
            )
            total, inserted, updated, stale = cursor.fetchone()
            results.append(LevelResult(level, total, inserted, updated, stale))
        # Dropped now, not at commit: a caller's outer transaction may load again.
        cursor.execute("DROP TABLE region_load")
    return results
