"""The DTSEN register import: snapshots, good and refused rows, re-runs, access, pages and API.

The import runs for real: through the service and the task body against PostgreSQL, and once
through a real Celery worker on Redis.
"""

import csv
import datetime
import io
import time

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.test import Client as Browser
from django.urls import reverse
from django.utils import translation
from openpyxl import Workbook, load_workbook
from rest_framework.test import APIClient

from aid.models import Programme
from assessments import tabular
from assessments.linkage import name_key
from assessments.models import EligibilityBatch, RegisterBadRow, RegisterRow, RegisterSnapshot
from assessments.selectors import register as selectors
from assessments.services import register as services
from atensi.audit.models import AuditEvent
from atensi.errors import ApplicationError
from cases import nik as nikmod
from tests.assessments.test_eligibility import (  # noqa: F401 - start_worker: a fixture
    _wait,
    kill_while_holding,
    start_worker,
)
from tests.conftest import OI_VILLAGE, OKI_VILLAGE, OKI_VILLAGE_2, make_nik

EXTRACT_DATE = datetime.date(2026, 1, 2)
HEADER = "id_dtsen;nik;no_kk;nama;tgl_lahir;jenis_kelamin;kode_wilayah;alamat;desil"
BORN = datetime.date(1990, 1, 10)
Status = RegisterSnapshot.Status


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def stored(message: str, **params) -> str:
    """A message as the import stores it: in the interface's default language."""
    with translation.override("id"):
        return translation.gettext(message) % params


def person(serial, *, village=OKI_VILLAGE, name=None, born=BORN, sex="L", decile=3, nik=None,
           kk=None, born_text=None):  # fmt: skip
    nik = nik if nik is not None else make_nik(village, born, sex, serial)
    kk = kk if kk is not None else make_nik(village, datetime.date(2020, 1, 1), "L", serial)
    return ";".join([
        f"DT{serial:06d}", nik, kk, name or f"Warga {serial}",
        born_text if born_text is not None else f"{born:%d-%m-%Y}", sex, village,
        f"Jl. Lintas {serial}", str(decile),
    ])  # fmt: skip


def extract(*lines, name="dtsen.csv", header=HEADER) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, ("\n".join([header, *lines]) + "\n").encode(), "text/csv")


def start(by, file, *, source="DTSEN Kemensos", extract_date=EXTRACT_DATE):
    return services.register_import_start(
        by=by, file=file, source=source, extract_date=extract_date
    )


def imported(by, *lines, **kwargs) -> RegisterSnapshot:
    """Upload and run the import in this test's transaction, as the worker would."""
    snapshot = start(by, extract(*lines, **kwargs))
    return services.register_import_run(snapshot_id=snapshot.pk)


def rows_of(snapshot):
    return list(
        RegisterRow.objects.filter(snapshot=snapshot)
        .order_by("row_number")
        .values_list("row_number", "id_dtsen", "nik", "kk_number", "name", "name_key",
                     "birth_date", "sex", "village_code", "address", "decile")
    )  # fmt: skip


def bad_rows_of(snapshot):
    return list(
        RegisterBadRow.objects.filter(snapshot=snapshot)
        .order_by("row_number", "id")
        .values_list("row_number", "column", "code", "message")
    )


# --- importing -----------------------------------------------------------------------------


def test_a_supervisors_upload_imports_the_good_rows_with_their_values(
    cast, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        snapshot = start(
            cast.supervisor,
            extract(person(1, name="  Muhammad   Rizki "), person(2, sex="P", decile=10)),
        )
    assert snapshot.status == Status.QUEUED and not snapshot.already_imported
    assert len(callbacks) == 1  # the task is enqueued once the upload is committed
    assert snapshot.file_name == "dtsen.csv"
    assert "dtsen" not in snapshot.file.name  # stored under a name of its own

    snapshot = services.register_import_run(snapshot_id=snapshot.pk)

    assert (snapshot.status, snapshot.total_rows, snapshot.processed_rows) == (Status.DONE, 2, 2)
    assert (snapshot.good_rows, snapshot.bad_rows, snapshot.error) == (2, 0, "")
    assert snapshot.started_at <= snapshot.finished_at
    assert rows_of(snapshot) == [
        (2, "DT000001", make_nik(OKI_VILLAGE, BORN, "L", 1),
         make_nik(OKI_VILLAGE, datetime.date(2020, 1, 1), "L", 1), "Muhammad Rizki",
         name_key("Muhammad Rizki"), BORN, "L", OKI_VILLAGE, "Jl. Lintas 1", 3),
        (3, "DT000002", make_nik(OKI_VILLAGE, BORN, "P", 2),
         make_nik(OKI_VILLAGE, datetime.date(2020, 1, 1), "L", 2), "Warga 2", name_key("Warga 2"),
         BORN, "P", OKI_VILLAGE, "Jl. Lintas 2", 10),
    ]  # fmt: skip


def test_each_kind_of_bad_row_is_reported_with_its_row_and_reason_while_good_rows_go_in(cast):
    snapshot = imported(
        cast.supervisor,
        person(1),
        person(2, nik="160205100190001"),  # 15 digits
        person(3, village="16.02.05.9999"),  # no such village
        person(4, decile=11),
        person(5, born_text="31-02-1990"),
        person(6, nik="1.60205E+15"),
        person(7, village=OKI_VILLAGE_2),
    )

    assert (snapshot.status, snapshot.good_rows, snapshot.bad_rows) == (Status.DONE, 2, 5)
    assert [row[0] for row in rows_of(snapshot)] == [2, 8]
    assert bad_rows_of(snapshot) == [
        (3, "nik", "NIK_INVALID", stored(nikmod.MSG_NIK_LENGTH, count=15)),
        (4, "kode_wilayah", "VILLAGE_UNKNOWN",
         stored(tabular.MSG_VILLAGE_UNKNOWN, value="16.02.05.9999")),
        (5, "desil", "DECILE_INVALID", stored(tabular.MSG_DECILE_INVALID, value="11")),
        (6, "tgl_lahir", "DATE_UNREADABLE",
         stored(tabular.MSG_DATE_NO_SUCH_DAY, value="31-02-1990")),
        (7, "nik", "NIK_SCIENTIFIC", stored(nikmod.MSG_NIK_SCIENTIFIC, value="1.60205E+15")),
    ]  # fmt: skip


def test_a_row_with_several_problems_is_counted_once_and_reported_for_each(cast):
    snapshot = imported(cast.supervisor, person(1, nik="123", decile=0, village="x", kk=""))

    assert (snapshot.good_rows, snapshot.bad_rows) == (0, 1)
    assert [(r[0], r[2]) for r in bad_rows_of(snapshot)] == [
        (2, "NIK_INVALID"), (2, "VILLAGE_INVALID"), (2, "DECILE_INVALID"),
    ]  # fmt: skip


def test_the_import_reads_an_xlsx_extract(cast):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADER.split(";"))
    sheet.append(["DT1", make_nik(serial=1), "", "Siti Aminah", BORN, "P", OKI_VILLAGE, "", 2])
    sheet.append(["DT2", 1602051001900002, "", "Budi", "10-01-1990", "L", 1602051002, "", 4.0])
    buffer = io.BytesIO()
    workbook.save(buffer)
    upload = SimpleUploadedFile("dtsen.xlsx", buffer.getvalue())

    snapshot = services.register_import_run(snapshot_id=start(cast.admin, upload).pk)

    assert snapshot.file.name.endswith(".xlsx")
    assert (snapshot.good_rows, snapshot.bad_rows) == (1, 1)
    assert [(r[0], r[4], r[6], r[8]) for r in rows_of(snapshot)] == [
        (2, "Siti Aminah", BORN, OKI_VILLAGE)
    ]
    assert [(r[0], r[1], r[2]) for r in bad_rows_of(snapshot)] == [(3, "nik", "NIK_SCIENTIFIC")]


def test_a_refused_row_names_the_column_as_the_files_header_writes_it(cast):
    header = "ID DTSEN;NIK;No KK;Nama Lengkap;Tanggal Lahir;L/P;Kode Desa;Alamat;Desil"

    snapshot = imported(cast.supervisor, person(1), person(2, decile=11), header=header)

    assert [(r[0], r[1], r[2]) for r in bad_rows_of(snapshot)] == [(3, "Desil", "DECILE_INVALID")]


def test_reimporting_the_same_file_creates_nothing_new(cast, django_capture_on_commit_callbacks):
    first = imported(cast.supervisor, person(1), person(2, decile=11))

    with django_capture_on_commit_callbacks() as callbacks:
        again = start(cast.admin, extract(person(1), person(2, decile=11)), source="Lain")

    assert again.pk == first.pk and again.already_imported
    assert callbacks == []
    assert RegisterSnapshot.objects.count() == 1
    assert (RegisterRow.objects.count(), RegisterBadRow.objects.count()) == (1, 1)
    assert again.source == "DTSEN Kemensos"


def test_uploading_the_same_file_on_the_page_opens_the_earlier_import(browse, done):
    response = browse("admin").post(
        reverse("assessments:register-import"),
        {
            "file": extract(person(1), person(2, nik="1.60205E+15"), person(3, decile=0)),
            "source": "Lagi",
            "extract_date": "2026-01-02",
        },
        follow=True,
    )

    assert response.redirect_chain[-1][0] == reverse("assessments:register-detail", args=[done.pk])
    assert RegisterSnapshot.objects.count() == 1


def test_a_failed_import_is_queued_again_when_the_same_file_is_uploaded(
    cast, django_capture_on_commit_callbacks
):
    snapshot = start(cast.supervisor, extract(person(1)))
    RegisterSnapshot.objects.filter(pk=snapshot.pk).update(status=Status.FAILED, error="x")

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        again = start(cast.supervisor, extract(person(1)))

    assert again.pk == snapshot.pk and again.already_imported
    assert (again.status, again.error) == (Status.QUEUED, "")
    assert len(callbacks) == 1


def test_running_the_task_again_leaves_exactly_the_same_rows(cast):
    lines = [person(1), person(2, decile=0), person(3, village=OKI_VILLAGE_2)]
    snapshot = imported(cast.supervisor, *lines)
    rows, bad = rows_of(snapshot), bad_rows_of(snapshot)

    # Redelivered after it finished: nothing happens.
    services.register_import_run(snapshot_id=snapshot.pk)
    assert (rows_of(snapshot), bad_rows_of(snapshot)) == (rows, bad)

    # Redelivered as if the worker had died before recording the end: the rows are replaced.
    RegisterSnapshot.objects.filter(pk=snapshot.pk).update(status=Status.RUNNING)
    again = services.register_import_run(snapshot_id=snapshot.pk)

    assert (again.status, again.good_rows, again.bad_rows) == (Status.DONE, 2, 1)
    assert (rows_of(snapshot), bad_rows_of(snapshot)) == (rows, bad)
    assert RegisterRow.objects.count() == 2 and RegisterBadRow.objects.count() == 1


def test_the_import_writes_in_batches_and_counts_every_row(cast, monkeypatch):
    monkeypatch.setattr(services, "BATCH_ROWS", 2)

    lines = [person(n, decile=0 if n == 4 else 3) for n in range(1, 8)]

    snapshot = imported(cast.supervisor, *lines)

    assert (snapshot.processed_rows, snapshot.good_rows, snapshot.bad_rows) == (7, 6, 1)
    assert [r[0] for r in bad_rows_of(snapshot)] == [5]
    assert [r[0] for r in rows_of(snapshot)] == [2, 3, 4, 6, 7, 8]


def test_a_file_that_breaks_midway_fails_the_import_and_keeps_no_rows(cast, monkeypatch):
    monkeypatch.setattr(services, "BATCH_ROWS", 1)
    broken = person(3).replace("Jl. Lintas 3", '"' + "x" * 200_000)

    snapshot = imported(cast.supervisor, person(1), person(2), broken)

    assert snapshot.status == Status.FAILED
    assert snapshot.error == stored(tabular.MSG_CSV_CELL_UNENDING, row=4, limit=131072)
    assert snapshot.finished_at is not None
    assert (snapshot.good_rows, snapshot.bad_rows) == (0, 0)
    assert not RegisterRow.objects.filter(snapshot=snapshot).exists()
    assert partition_of(snapshot) is None and not table_exists(snapshot)


def test_a_file_over_the_size_limit_is_refused(cast, settings):
    settings.REGISTER_UPLOAD_MAX_BYTES = 1024 * 1024
    big = extract(*[person(n) for n in range(1, 12_000)])
    assert big.size > 1024 * 1024

    with pytest.raises(ApplicationError) as refused:
        start(cast.supervisor, big)

    assert refused.value.field == "file"
    assert "1 MB" in refused.value.message
    assert not RegisterSnapshot.objects.exists()


def test_a_file_with_missing_columns_is_refused_at_upload_naming_them(cast):
    with pytest.raises(ApplicationError) as refused:
        start(cast.supervisor, extract("1;Budi", header="nik;nama"))

    assert refused.value.field == "file"
    for column in ("id_dtsen", "kode_wilayah", "desil"):
        assert column in refused.value.message
    assert not RegisterSnapshot.objects.exists()


def test_an_empty_file_is_refused_at_upload(cast):
    with pytest.raises(ApplicationError) as refused:
        start(cast.supervisor, SimpleUploadedFile("kosong.csv", b""))

    assert refused.value.message == stored(tabular.MSG_FILE_EMPTY)


def test_an_extract_date_in_the_future_is_refused(cast):
    with pytest.raises(ApplicationError) as refused:
        start(cast.supervisor, extract(person(1)), extract_date=datetime.date(2999, 1, 1))

    assert refused.value.field == "extract_date"


@pytest.mark.parametrize("role", ["caseworker", "referrer", "viewer", "centre", "outsider"])
def test_only_supervisors_and_administrators_may_import(cast, role):
    with pytest.raises(PermissionDenied):
        start(getattr(cast, role), extract(person(1)))

    assert not RegisterSnapshot.objects.exists()


# --- one partition per snapshot ------------------------------------------------------------

PARENT = RegisterRow._meta.db_table


def partition_of(snapshot) -> str | None:
    """The table attached to the register as the snapshot's partition."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
            WHERE i.inhparent = %s::regclass AND pg_get_expr(c.relpartbound, c.oid) = %s
            """,
            [PARENT, f"FOR VALUES IN ('{snapshot.pk}')"],
        )
        found = [name for (name,) in cursor.fetchall()]
    assert len(found) <= 1
    return found[0] if found else None


def table_exists(snapshot) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s)", [services.register_partition_name(snapshot.pk)])
        return cursor.fetchone()[0] is not None


def indexes_of(table: str) -> set[tuple[str, str]]:
    """Each index of the table: the register index it belongs to, and what it indexes."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT parent.relname, pg_get_indexdef(x.indexrelid)
            FROM pg_index x
            LEFT JOIN pg_inherits i ON i.inhrelid = x.indexrelid
            LEFT JOIN pg_class parent ON parent.oid = i.inhparent
            WHERE x.indrelid = %s::regclass
            """,
            [table],
        )
        return {
            (parent, ("UNIQUE " if " UNIQUE " in ddl else "") + ddl.split(" USING ", 1)[1])
            for parent, ddl in cursor.fetchall()
        }


def count_in(table: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT count(*) FROM "{table}"')  # a name made by the service
        return cursor.fetchone()[0]


def test_the_import_puts_the_rows_in_a_partition_of_their_own_with_the_register_indexes(cast):
    snapshot = imported(cast.supervisor, person(1), person(2, kk=""), person(3, decile=0))

    partition = partition_of(snapshot)
    assert (
        partition == f"{PARENT}_{snapshot.pk.hex}" == services.register_partition_name(snapshot.pk)
    )
    assert count_in(partition) == 2
    # Every index is one of the register's, built once on the loaded table: none twice.
    assert indexes_of(partition) == {
        ("assessments_registerrow_pkey", "UNIQUE btree (id, snapshot_id)"),
        ("register_row_once_per_snapshot", "UNIQUE btree (snapshot_id, row_number)"),
        ("register_nik", "btree (nik)"),
        ("register_kk", "btree (kk_number) WHERE (NOT ((kk_number)::text = ''::text))"),
        ("register_village", "btree (village_code text_pattern_ops)"),
    }
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass AND contype = 'c'",
            [partition],
        )
        checks = {name for (name,) in cursor.fetchall()}
    assert "registerrow_snapshot_bound" not in checks  # the partition bound says it now
    assert "register_decile_1_10" in checks


def test_running_the_import_again_replaces_its_partition_with_the_same_rows(cast):
    snapshot = imported(cast.supervisor, person(1), person(2), person(3, decile=11))
    rows, bad = rows_of(snapshot), bad_rows_of(snapshot)
    ids = RegisterRow.objects.filter(snapshot=snapshot).values_list("id", flat=True)
    first_ids = set(ids)

    RegisterSnapshot.objects.filter(pk=snapshot.pk).update(status=Status.RUNNING)
    again = services.register_import_run(snapshot_id=snapshot.pk)

    assert again.status == Status.DONE
    assert (rows_of(snapshot), bad_rows_of(snapshot)) == (rows, bad)
    assert partition_of(snapshot) == services.register_partition_name(snapshot.pk)
    assert count_in(partition_of(snapshot)) == 2
    assert first_ids.isdisjoint(set(ids.all()))  # new rows, not the old ones kept


def test_an_import_that_fails_at_the_attach_leaves_no_partition_rows_or_report(cast):
    snapshot = start(cast.supervisor, extract(person(1), person(2, decile=0)))
    # Another table already holds the snapshot's partition bound: ATTACH, the last step, fails.
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TABLE squatter PARTITION OF {PARENT} FOR VALUES IN ('{snapshot.pk}')"
        )

    snapshot = services.register_import_run(snapshot_id=snapshot.pk)

    assert snapshot.status == Status.FAILED and "ProgrammingError" in snapshot.error
    assert (snapshot.good_rows, snapshot.bad_rows) == (0, 0)
    assert partition_of(snapshot) == "squatter" and not table_exists(snapshot)
    assert not RegisterRow.objects.exists() and not RegisterBadRow.objects.exists()


def test_the_rows_of_two_snapshots_stay_apart(cast):
    january = imported(cast.supervisor, person(1, decile=2), person(2))
    february = start(
        cast.supervisor, extract(person(1, decile=5), person(3, village=OKI_VILLAGE_2)),
        extract_date=EXTRACT_DATE + datetime.timedelta(days=31),
    )  # fmt: skip
    february = services.register_import_run(snapshot_id=february.pk)

    assert partition_of(january) != partition_of(february)
    assert (count_in(partition_of(january)), count_in(partition_of(february))) == (2, 2)
    assert [(r[1], r[10]) for r in rows_of(january)] == [("DT000001", 2), ("DT000002", 3)]
    assert [(r[1], r[10]) for r in rows_of(february)] == [("DT000001", 5), ("DT000003", 3)]
    ids = list(RegisterRow.objects.values_list("id", flat=True))
    assert len(ids) == len(set(ids)) == 4  # one sequence for all partitions
    same_person = RegisterRow.objects.filter(nik=make_nik(OKI_VILLAGE, BORN, "L", 1))
    assert sorted(same_person.values_list("snapshot_id", "decile")) == sorted(
        [(january.pk, 2), (february.pk, 5)]
    )
    visible = selectors.register_row_list(user=cast.caseworker, snapshot=february)
    assert sorted(visible.values_list("id_dtsen", flat=True)) == ["DT000001", "DT000003"]


def test_a_partition_made_for_rows_written_one_by_one_takes_the_register_indexes(cast):
    snapshot = start(cast.supervisor, extract(person(1)))

    name = services.register_partition_create(snapshot=snapshot)
    assert services.register_partition_create(snapshot=snapshot) == name  # harmless twice
    RegisterRow.objects.create(
        snapshot=snapshot, row_number=2, id_dtsen="DT1", nik=make_nik(serial=1),
        name="Budi", name_key=name_key("Budi"), village_code=OKI_VILLAGE, decile=1,
    )  # fmt: skip

    assert partition_of(snapshot) == name and count_in(name) == 1
    assert {parent for parent, _definition in indexes_of(name)} == {
        "assessments_registerrow_pkey", "register_row_once_per_snapshot", "register_nik",
        "register_kk", "register_village",
    }  # fmt: skip


# --- deleting a snapshot -------------------------------------------------------------------


def test_deleting_a_snapshot_drops_its_partition_its_report_and_its_file(
    cast, done, django_capture_on_commit_callbacks
):
    other = imported(cast.supervisor, person(5))
    storage, file_name = done.file.storage, done.file.name
    assert storage.exists(file_name)

    with django_capture_on_commit_callbacks(execute=True):
        services.register_snapshot_delete(snapshot=done, by=cast.admin)

    assert not RegisterSnapshot.objects.filter(pk=done.pk).exists()
    assert partition_of(done) is None and not table_exists(done)
    assert not RegisterBadRow.objects.filter(snapshot_id=done.pk).exists()
    assert not storage.exists(file_name)
    assert [r[1] for r in rows_of(other)] == ["DT000005"]  # the other snapshot is untouched
    event = AuditEvent.objects.filter(object_id=str(done.pk)).latest("at")
    assert (event.actor, event.summary) == (cast.admin, "register snapshot deleted with its 1 rows")


def test_a_snapshot_a_screening_batch_used_is_kept(cast, done):
    programme = Programme.objects.create(
        name="Bantuan ATENSI", kind=Programme.Kind.REGULAR, year=2026, organisation=cast.dinsos
    )
    EligibilityBatch.objects.create(
        name="Usulan", programme=programme, snapshot=done, organisation=cast.dinsos,
        source=EligibilityBatch.Source.CLIENTS, created_by=cast.caseworker,
    )  # fmt: skip

    with pytest.raises(ApplicationError):
        services.register_snapshot_delete(snapshot=done, by=cast.admin)

    assert partition_of(done) is not None and RegisterRow.objects.filter(snapshot=done).exists()


@pytest.mark.parametrize("role", ["caseworker", "centre", "viewer"])
def test_only_supervisors_and_administrators_may_delete_a_snapshot(cast, done, role):
    with pytest.raises(PermissionDenied):
        services.register_snapshot_delete(snapshot=done, by=getattr(cast, role))

    assert partition_of(done) is not None


def test_the_database_refuses_to_delete_a_snapshot_whose_rows_are_still_there(done):
    with pytest.raises(IntegrityError), transaction.atomic():
        RegisterSnapshot.objects.filter(pk=done.pk).delete()

    assert RegisterSnapshot.objects.filter(pk=done.pk).exists()
    assert RegisterRow.objects.filter(snapshot=done).count() == 1


# --- access to register rows ---------------------------------------------------------------


def test_register_rows_outside_the_users_area_are_never_shown(cast):
    snapshot = imported(
        cast.supervisor, person(1), person(2, village=OKI_VILLAGE_2), person(3, village=OI_VILLAGE)
    )

    def villages(user):
        rows = selectors.register_row_list(user=user, snapshot=snapshot)
        return sorted(rows.values_list("village_code", flat=True))

    assert villages(cast.caseworker) == [OKI_VILLAGE_2, OKI_VILLAGE]
    assert villages(cast.outsider) == [OI_VILLAGE]
    assert villages(cast.referrer) == []
    assert villages(cast.viewer) == []


# --- pages ---------------------------------------------------------------------------------


@pytest.fixture
def done(cast):
    return imported(cast.supervisor, person(1), person(2, nik="1.60205E+15"), person(3, decile=0))


PAGE_ACCESS = [
    ("register-list", {"caseworker": 200, "supervisor": 200, "centre": 200, "admin": 200,
                       "referrer": 404, "viewer": 404}),
    ("register-detail", {"caseworker": 200, "supervisor": 200, "centre": 200, "admin": 200,
                         "referrer": 404, "viewer": 404}),
    ("register-progress", {"caseworker": 200, "supervisor": 200, "referrer": 404,
                           "viewer": 404}),
    ("register-import", {"caseworker": 404, "supervisor": 200, "centre": 404, "admin": 200,
                         "referrer": 404, "viewer": 404}),
    ("register-bad-rows-csv", {"caseworker": 404, "supervisor": 200, "centre": 404,
                               "admin": 200, "referrer": 404, "viewer": 404}),
    ("register-bad-rows-xlsx", {"caseworker": 404, "supervisor": 200, "admin": 200,
                                "viewer": 404}),
]  # fmt: skip


@pytest.mark.parametrize(
    ("name", "role", "status"),
    [(name, role, status) for name, roles in PAGE_ACCESS for role, status in roles.items()],
)
def test_page_access(browse, done, name, role, status):
    kwargs = {} if name in ("register-list", "register-import") else {"pk": done.pk}

    response = browse(role).get(reverse(f"assessments:{name}", kwargs=kwargs))

    assert response.status_code == status


def test_an_anonymous_visitor_is_sent_to_the_login_page(done):
    response = Browser().get(reverse("assessments:register-detail", args=[done.pk]))

    assert response.status_code == 302
    assert "/login" in response["Location"] or "masuk" in response["Location"]


def test_the_snapshot_list_shows_status_and_counts_in_few_queries(
    browse, done, django_assert_max_num_queries
):
    browser = browse("supervisor")
    with django_assert_max_num_queries(10):
        response = browser.get(reverse("assessments:register-list"))

    content = response.content.decode()
    assert "DTSEN Kemensos" in content and "dtsen.csv" in content
    assert reverse("assessments:register-detail", args=[done.pk]) in content
    assert reverse("assessments:register-import") in content


def test_uploading_on_the_page_starts_the_import_and_opens_its_page(
    browse, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = browse("supervisor").post(
            reverse("assessments:register-import"),
            {"file": extract(person(1)), "source": "DTSEN", "extract_date": "2026-01-02"},
        )

    snapshot = RegisterSnapshot.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("assessments:register-detail", args=[snapshot.pk])
    assert len(callbacks) == 1


def test_a_refused_upload_shows_the_reason_next_to_the_file_field(browse):
    response = browse("supervisor").post(
        reverse("assessments:register-import"),
        {"file": extract("1", header="nik"), "source": "DTSEN", "extract_date": "2026-01-02"},
    )

    assert response.status_code == 200
    assert "kode_wilayah" in response.content.decode()
    assert not RegisterSnapshot.objects.exists()


def test_the_snapshot_page_polls_its_progress_while_the_import_runs(browse, cast):
    snapshot = start(cast.supervisor, extract(person(1)))
    progress_url = reverse("assessments:register-progress", args=[snapshot.pk])

    page = browse("caseworker").get(reverse("assessments:register-detail", args=[snapshot.pk]))

    assert f'hx-get="{progress_url}"' in page.content.decode()
    fragment = browse("caseworker").get(progress_url, headers={"HX-Request": "true"})
    assert "hx-trigger" in fragment.content.decode()
    assert "HX-Refresh" not in fragment


def test_the_progress_fragment_reloads_the_page_when_the_import_has_ended(browse, done):
    progress_url = reverse("assessments:register-progress", args=[done.pk])

    fragment = browse("supervisor").get(progress_url, headers={"HX-Request": "true"})

    assert fragment["HX-Refresh"] == "true"
    assert "hx-trigger" not in fragment.content.decode()


def test_the_supervisor_sees_the_refused_rows_and_the_caseworker_only_the_counts(browse, done):
    url = reverse("assessments:register-detail", args=[done.pk])

    supervisor_page = browse("supervisor").get(url).content.decode()
    caseworker_page = browse("caseworker").get(url).content.decode()

    assert "NIK_SCIENTIFIC" in supervisor_page and "DECILE_INVALID" in supervisor_page
    assert reverse("assessments:register-bad-rows-csv", args=[done.pk]) in supervisor_page
    assert "NIK_SCIENTIFIC" not in caseworker_page
    assert "register-progress" in caseworker_page  # the counts are shown to both


def test_the_refused_rows_table_is_paginated(cast, browse):
    snapshot = imported(cast.supervisor, *[person(n, decile=0) for n in range(1, 61)])

    page_2 = browse("supervisor").get(
        reverse("assessments:register-detail", args=[snapshot.pk]), {"page": 2}
    )

    content = page_2.content.decode()
    assert "<td>52</td>" in content and "<td>51</td>" not in content


def test_the_refused_rows_download_is_audited_and_never_holds_a_full_nik(browse, cast, done):
    bad_nik = make_nik(OKI_VILLAGE, BORN, "L", 9).replace("0009", "0000")
    snapshot = imported(cast.supervisor, person(1), person(9, nik=bad_nik))

    response = browse("supervisor").get(
        reverse("assessments:register-bad-rows-csv", args=[snapshot.pk])
    )

    content = b"".join(response.streaming_content).decode("utf-8-sig")
    lines = list(csv.reader(io.StringIO(content)))
    assert lines[1] == ["3", "nik", "NIK_INVALID", stored(nikmod.MSG_NIK_SERIAL_ZERO)]
    assert len(lines) == 2
    assert bad_nik not in content
    assert response["Content-Disposition"].startswith("attachment;")
    event = AuditEvent.objects.get(action=AuditEvent.Action.EXPORT)
    assert (event.object_id, event.actor) == (str(snapshot.pk), cast.supervisor)


def test_the_refused_rows_download_as_excel(browse, done):
    response = browse("admin").get(reverse("assessments:register-bad-rows-xlsx", args=[done.pk]))

    sheet = load_workbook(io.BytesIO(response.content)).active
    values = list(sheet.iter_rows(values_only=True))
    assert [row[:3] for row in values[1:]] == [
        (3, "nik", "NIK_SCIENTIFIC"),
        (4, "desil", "DECILE_INVALID"),
    ]
    assert AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT).count() == 1


# --- API -----------------------------------------------------------------------------------


def api_as(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def post_extract(user, file, **data):
    body = {"file": file, "source": "DTSEN API", "extract_date": "2026-01-02", **data}
    return api_as(user).post("/api/v1/register-imports/", body, format="multipart")


def test_the_api_accepts_an_extract_with_202_and_a_reupload_with_200(
    cast, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        first = post_extract(cast.supervisor, extract(person(1)))
        second = post_extract(cast.admin, extract(person(1)))

    assert first.status_code == 202, first.content
    body = first.json()
    assert (body["status"], body["source"], body["progress"]) == ("queued", "DTSEN API", 0.0)
    assert second.status_code == 200
    assert second.json()["id"] == body["id"]
    assert RegisterSnapshot.objects.count() == 1
    assert len(callbacks) == 2  # not finished yet: queued again, in case its task was lost


def test_the_api_shows_status_progress_counts_and_the_refused_rows(cast, done):
    supervisor = api_as(cast.supervisor)

    listed = supervisor.get("/api/v1/register-imports/").json()
    detail = supervisor.get(f"/api/v1/register-imports/{done.pk}/").json()
    bad = supervisor.get(f"/api/v1/register-imports/{done.pk}/bad-rows/").json()

    assert [item["id"] for item in listed["results"]] == [str(done.pk)]
    assert {k: detail[k] for k in ("status", "total_rows", "processed_rows", "progress",
                                   "good_rows", "bad_rows")} == {
        "status": "done", "total_rows": 3, "processed_rows": 3, "progress": 1.0,
        "good_rows": 1, "bad_rows": 2,
    }  # fmt: skip
    assert bad["count"] == 2
    assert [(r["row_number"], r["column"], r["code"]) for r in bad["results"]] == [
        (3, "nik", "NIK_SCIENTIFIC"), (4, "desil", "DECILE_INVALID"),
    ]  # fmt: skip
    assert AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT).count() == 1


def test_the_refused_rows_are_paginated_in_the_api(cast):
    snapshot = imported(cast.supervisor, *[person(n, decile=0) for n in range(1, 61)])

    page = (
        api_as(cast.supervisor)
        .get(f"/api/v1/register-imports/{snapshot.pk}/bad-rows/", {"page": 2})
        .json()
    )

    assert page["count"] == 60
    assert [r["row_number"] for r in page["results"]] == list(range(52, 62))


def test_the_api_refuses_an_import_by_a_caseworker_or_a_referrer(cast):
    for user in (cast.caseworker, cast.referrer):
        response = post_extract(user, extract(person(1)))
        assert response.status_code == 403
    assert not RegisterSnapshot.objects.exists()


def test_the_api_explains_a_refused_file_under_its_field(cast, settings):
    settings.REGISTER_UPLOAD_MAX_BYTES = 10

    response = post_extract(cast.supervisor, extract(person(1)))

    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["file"]


def test_the_api_hides_snapshots_from_referrers_and_refused_rows_from_caseworkers(cast, done):
    assert api_as(cast.referrer).get("/api/v1/register-imports/").json()["results"] == []
    assert api_as(cast.viewer).get(f"/api/v1/register-imports/{done.pk}/").status_code == 404
    caseworker = api_as(cast.caseworker)
    assert caseworker.get(f"/api/v1/register-imports/{done.pk}/").status_code == 200
    assert caseworker.get(f"/api/v1/register-imports/{done.pk}/bad-rows/").status_code == 404
    assert caseworker.get("/api/v1/register-imports/not-a-uuid/").status_code == 404


# --- a real worker -------------------------------------------------------------------------


@pytest.fixture
def regions_again(transactional_db):
    """A transactional test flushes every table at its end; put the regions back first."""
    call_command("load_regions", stdout=io.StringIO())


@pytest.fixture
def real_worker(regions_again):
    from celery.contrib.testing.worker import start_worker as in_this_process

    from atensi.celery import app

    with in_this_process(app, pool="solo", perform_ping_check=False, shutdown_timeout=30):
        yield


def test_an_import_runs_through_a_real_celery_worker_on_redis(real_worker, cast):
    # No wrapping transaction here: the upload commits and the task is sent at once.
    snapshot = start(cast.supervisor, extract(person(1), person(2, decile=11), person(3)))

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and snapshot.status in (Status.QUEUED, Status.RUNNING):
        time.sleep(0.2)
        snapshot.refresh_from_db()

    assert snapshot.status == Status.DONE, snapshot.error
    assert (snapshot.processed_rows, snapshot.good_rows, snapshot.bad_rows) == (3, 2, 1)
    assert [row[0] for row in rows_of(snapshot)] == [2, 4]
    assert [(r[0], r[2]) for r in bad_rows_of(snapshot)] == [(3, "DECILE_INVALID")]


def test_an_import_whose_worker_is_killed_mid_file_completes_once_and_whole(
    start_worker,  # noqa: F811 - the fixture imported above
    cast,
    settings,
):
    """The worker's child dies while it imports (the import's transaction is rolled back);
    the task goes back to the queue, runs again, and every row is there once."""
    worker = start_worker(MEDIA_ROOT=str(settings.MEDIA_ROOT))
    total = 2 * services.BATCH_ROWS + 20_000  # progress is written after each batch of rows
    lines = []
    for n in range(total):  # 9,999 serials a birth date, as NIKs have
        born = BORN + datetime.timedelta(days=n // 9999)
        serial = n % 9999 + 1
        lines.append(";".join([
            f"DT{n:07d}", make_nik(OKI_VILLAGE, born, "L", serial), "", f"Warga {n}",
            f"{born:%d-%m-%Y}", "L", OKI_VILLAGE, "", "3",
        ]))  # fmt: skip
    snapshot = start(cast.supervisor, extract(*lines))
    _wait(lambda: RegisterSnapshot.objects.get(pk=snapshot.pk).status == Status.RUNNING, 60,
          "the import to start")  # fmt: skip
    # Hold the snapshot's row: the import's next progress write waits there, mid-file.
    kill_while_holding("assessments_registersnapshot", snapshot.pk, worker)

    _wait(lambda: RegisterSnapshot.objects.get(pk=snapshot.pk).status == Status.DONE, 180,
          "the import to finish")  # fmt: skip
    snapshot.refresh_from_db()
    assert (snapshot.processed_rows, snapshot.good_rows, snapshot.bad_rows) == (total, total, 0)
    rows = RegisterRow.objects.filter(snapshot=snapshot)
    assert rows.count() == total
    assert rows.values("row_number").distinct().count() == total
