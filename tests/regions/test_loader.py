import gzip
import io

import pytest
from django.core.management import call_command
from django.db import connection

from atensi.regions.loader import (
    RegionDataError,
    level_of,
    parent_of,
    read_all,
    read_rows,
)
from atensi.regions.models import Region

EXPECTED = {1: 38, 2: 514, 3: 7285, 4: 83762}


def counts_per_level() -> dict[int, int]:
    return {level: Region.objects.filter(level=level).count() for level in Region.Level.values}


def load() -> str:
    out = io.StringIO()
    call_command("load_regions", stdout=out)
    return out.getvalue()


def test_level_and_parent_come_from_the_dotted_code():
    assert [level_of(c) for c in ["16", "16.02", "16.02.05", "16.02.05.1005"]] == [1, 2, 3, 4]
    assert parent_of("16.02.05.1005") == "16.02.05"
    assert parent_of("16.02") == "16"
    assert parent_of("16") is None


def test_vendored_files_hold_the_whole_2025_decree():
    rows = read_all()

    per_level = {level: 0 for level in EXPECTED}
    for row in rows:
        per_level[row.level] += 1
    assert per_level == EXPECTED
    assert [row.level for row in rows] == sorted(row.level for row in rows)  # parents first
    village = next(row for row in rows if row.code == "16.02.05.1002")
    assert (village.name, village.parent_code) == ("Kayuagung", "16.02.05")


def test_a_parent_column_that_disagrees_with_the_code_is_refused(tmp_path):
    path = tmp_path / "districts.csv.gz"
    path.write_bytes(gzip.compress(b"code,regency_code,name\n16.02.05,16.03,Kayu Agung\n"))

    with pytest.raises(RegionDataError, match=r"districts.csv.gz:2: regency_code '16.03'"):
        list(read_rows(path, 3))


def test_a_code_of_the_wrong_level_or_shape_is_refused(tmp_path):
    path = tmp_path / "villages.csv"
    path.write_text("code,district_code,name\n16.02.05,16.02,Kayu Agung\n", encoding="utf-8")
    with pytest.raises(RegionDataError, match="not a level-4 code"):
        list(read_rows(path, 4))

    path.write_text("code,district_code,name\n16.02.05.10,16.02.05,X\n", encoding="utf-8")
    with pytest.raises(RegionDataError, match="not a Kemendagri code"):
        list(read_rows(path, 4))


def test_loading_gives_every_level_its_exact_count(db, regions_loaded):
    assert counts_per_level() == EXPECTED


def test_every_region_below_a_province_hangs_under_the_code_one_level_up(db, regions_loaded):
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT count(*) FROM regions_region r
            LEFT JOIN regions_region p ON p.code = r.parent_id
            WHERE (r.level = 1 AND r.parent_id IS NOT NULL)
               OR (r.level > 1 AND (p.code IS NULL OR p.level <> r.level - 1
                                     OR r.code NOT LIKE p.code || '.%%'))
            """
        )
        assert cursor.fetchone()[0] == 0


def test_loading_again_changes_nothing(db, regions_loaded):
    with connection.cursor() as cursor:
        cursor.execute("SELECT sum(xmin::text::bigint) FROM regions_region")
        versions_before = cursor.fetchone()[0]

    output = load()

    assert counts_per_level() == EXPECTED
    assert " 0 inserted, 0 updated" in output
    assert "inserted, 0 updated, 83762 unchanged" in output
    with connection.cursor() as cursor:
        cursor.execute("SELECT sum(xmin::text::bigint) FROM regions_region")
        assert cursor.fetchone()[0] == versions_before  # no row was rewritten


def test_loading_again_repairs_a_changed_name_and_keeps_codes_gone_from_the_data(
    db, regions_loaded
):
    Region.objects.filter(code="16.02.05.1002").update(name="Kayuagung Lama")
    Region.objects.create(code="16.02.05.9999", name="Desa Lama", level=4, parent_id="16.02.05")

    output = load()

    assert Region.objects.get(code="16.02.05.1002").name == "Kayuagung"
    assert "83762 rows: 0 inserted, 1 updated, 83761 unchanged, 1 in the database" in output
    assert Region.objects.filter(code="16.02.05.9999").exists()
