"""The backup and restore procedure of the README, tried on the demo data: what is restored
into another database is the demo, table for table and row for row, files included."""

import io

import psycopg
import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from psycopg import sql

from cases import services
from tests.aid.conftest import regions_again  # noqa: F401 - the fixture, used by name
from tests.conftest import pdf_file, referral_kwargs

pytestmark = pytest.mark.django_db(transaction=True)


def connect(dbname: str):
    db = settings.DATABASES["default"]
    params = {"host": db.get("HOST"), "port": db.get("PORT"), "user": db.get("USER"),
              "password": db.get("PASSWORD"), "dbname": dbname}  # fmt: skip
    return psycopg.connect(**{k: v for k, v in params.items() if v}, autocommit=True)


def row_counts(dbname: str) -> dict[str, int]:
    with connect(dbname) as conn:
        tables = [t for (t,) in conn.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
        )]  # fmt: skip
        return {
            table: conn.execute(
                sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(table))
            ).fetchone()[0]
            for table in tables
        }


@pytest.fixture
def restored_name():
    name = settings.DATABASES["default"]["NAME"] + "_restored"
    yield name
    with connect("postgres") as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )


def test_the_demo_backed_up_and_restored_into_another_database_is_the_same_row_for_row(
    regions_again,  # noqa: F811 - the fixture imported above
    tmp_path,
    settings,
    restored_name,  # noqa: F811
):
    from atensi.accounts.models import User

    settings.MEDIA_ROOT = tmp_path / "media"
    call_command("load_demo", stdout=io.StringIO())
    referrer = User.objects.get(username="demo-referrer")
    services.referral_submit(by=referrer, attachments=[pdf_file()],
                             **referral_kwargs())  # fmt: skip
    folder = tmp_path / "backup"

    call_command("backup", str(folder), stdout=io.StringIO())
    out = io.StringIO()
    call_command("restore", str(folder), "--into", restored_name,
                 "--media-root", str(tmp_path / "restored"), stdout=out)  # fmt: skip

    original = row_counts(settings.DATABASES["default"]["NAME"])
    assert original["cases_client"] > 0 and original["assessments_batchrow"] == 51
    assert row_counts(restored_name) == original
    files = sorted(p.relative_to(tmp_path / "media") for p in (tmp_path / "media").rglob("*")
                   if p.is_file())  # fmt: skip
    assert files
    for path in files:
        assert (tmp_path / "restored" / path).read_bytes() == (
            tmp_path / "media" / path
        ).read_bytes()
    assert "Restored the backup" in out.getvalue()


def test_a_damaged_backup_is_refused_before_anything_is_restored(tmp_path, settings, restored_name):
    settings.MEDIA_ROOT = tmp_path / "media"
    folder = tmp_path / "backup"
    call_command("backup", str(folder), stdout=io.StringIO())
    with (folder / "database.dump").open("r+b") as dump:
        dump.seek(100)
        dump.write(b"\0\0\0\0")

    with pytest.raises(CommandError, match="damaged"):
        call_command("restore", str(folder), "--into", restored_name, stdout=io.StringIO())
    with connect("postgres") as conn:
        assert not conn.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [restored_name]
        ).fetchone()


def test_restoring_over_the_configured_database_needs_a_confirmation(tmp_path):
    with pytest.raises(CommandError, match="--yes"):
        call_command("restore", str(tmp_path), stdout=io.StringIO())
