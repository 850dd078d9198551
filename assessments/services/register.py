"""Importing DTSEN register extracts: one snapshot per file, loaded with COPY by a Celery job.

`register_import_start` checks and stores the upload and enqueues the job; the same file (by
SHA-256) is imported once. `register_import_run` is the job: it reads the file, keeps every
good row and reports every bad one with its row, column and reason, all in one transaction,
so that a failed or interrupted run leaves no rows behind and a re-run gives the same result.

The register table is partitioned by snapshot (migration 0002). The job COPYs the good rows
into a new table without indexes and attaches it as the snapshot's partition at the end, which
builds the partition's indexes once instead of row by row. `register_snapshot_delete` drops
the partition with the snapshot.
"""

from __future__ import annotations

import datetime
import hashlib
import logging
import uuid
import zlib
from itertools import islice

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import DEFAULT_DB_ALIAS, IntegrityError, connection, connections, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from assessments import tabular
from assessments.linkage import name_key
from assessments.models import RegisterBadRow, RegisterRow, RegisterSnapshot
from assessments.selectors.register import can_import_register
from atensi.accounts.models import User
from atensi.audit.models import AuditEvent
from atensi.audit.services import audit_record
from atensi.errors import ApplicationError
from atensi.outage import require_queue
from atensi.regions.models import Region

logger = logging.getLogger(__name__)
Status = RegisterSnapshot.Status

UPLOAD_MAX_BYTES = 300 * 1024 * 1024  # settings.REGISTER_UPLOAD_MAX_BYTES overrides
# Rows per COPY statement; progress is written after each.
BATCH_ROWS = 50_000
# The CHECK that lets ATTACH PARTITION skip scanning the new table; dropped once attached.
_BOUND_CHECK = "registerrow_snapshot_bound"

REGISTER_SCHEMA = tabular.standard_schema(
    required=("id_dtsen", "nik", "nama", "tgl_lahir", "jenis_kelamin", "kode_wilayah", "desil"),
    optional=("no_kk", "alamat"),
    blank=("no_kk", "tgl_lahir", "jenis_kelamin", "alamat"),
)

_ROW_COLUMNS = (
    "snapshot_id", "row_number", "id_dtsen", "nik", "kk_number", "name", "name_key",
    "birth_date", "sex", "village_code", "address", "decile",
)  # fmt: skip
_BAD_COLUMNS = ("snapshot_id", "row_number", "column", "code", "message")
_MESSAGE_MAX = RegisterBadRow._meta.get_field("message").max_length
_COLUMN_MAX = RegisterBadRow._meta.get_field("column").max_length
_NAME_KEY_MAX = RegisterRow._meta.get_field("name_key").max_length


def upload_max_bytes() -> int:
    return getattr(settings, "REGISTER_UPLOAD_MAX_BYTES", UPLOAD_MAX_BYTES)


def _require(condition: bool) -> None:
    if not condition:
        raise PermissionDenied


def _sha256(upload) -> str:
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return digest.hexdigest()


def _check_file(upload) -> str:
    """Refuse a file that is too big or whose header is wrong; return its stored extension."""
    limit = upload_max_bytes()
    if upload.size > limit:
        raise ApplicationError(
            _("The file is %(size).1f MB; the limit is %(limit).0f MB.")
            % {"size": upload.size / 1024 / 1024, "limit": limit / 1024 / 1024},
            field="file",
        )
    try:
        with tabular.open_table(
            upload,
            REGISTER_SCHEMA,
            scan_limit=tabular.CHECK_SCAN_LIMIT,
            time_limit=tabular.CHECK_TIME_LIMIT,
        ) as table:
            kind = table.kind
    except tabular.TabularError as exc:
        raise ApplicationError(exc.render(_), field="file") from exc
    finally:
        upload.seek(0)
    return kind


def _enqueue(snapshot_id) -> None:
    from assessments.tasks.register import register_import

    register_import.delay(str(snapshot_id))


def register_import_start(
    *,
    by: User,
    file,
    source: str,
    extract_date: datetime.date,
    request=None,
) -> RegisterSnapshot:
    """Store an uploaded register extract as a new snapshot and queue its import.

    The same file again returns the snapshot it made before, with `already_imported` set
    (a failed one is queued again). Supervisors and administrators only.
    """
    _require(can_import_register(by))
    source = " ".join((source or "").split())
    if not source:
        raise ApplicationError(_("Name the source of the extract."), field="source")
    if extract_date > timezone.localdate():
        raise ApplicationError(_("The extract date lies in the future."), field="extract_date")
    kind = _check_file(file)
    require_queue()
    digest = _sha256(file)

    existing = RegisterSnapshot.objects.filter(sha256=digest).first()
    if existing is not None:
        return _again(existing, by=by, request=request)

    snapshot = RegisterSnapshot(
        source=source[:200],
        extract_date=extract_date,
        file_name=(file.name or "").rsplit("/", 1)[-1][:255],
        sha256=digest,
        created_by=by,
    )
    # The stored name is not the uploaded one: file names can carry personal data.
    snapshot.file.save(f"{uuid.uuid4().hex}.{kind}", file, save=False)
    try:
        with transaction.atomic():
            snapshot.save(force_insert=True)
            audit_record(
                actor=by, action=AuditEvent.Action.CREATE, obj=snapshot, request=request,
                summary=f"register import queued, {file.size} bytes",
            )  # fmt: skip
            transaction.on_commit(lambda: _enqueue(snapshot.pk))
    except BaseException as exc:
        snapshot.file.delete(save=False)
        existing = RegisterSnapshot.objects.filter(sha256=digest).first()
        if not isinstance(exc, IntegrityError) or existing is None:
            raise
        # The same file, uploaded at the same moment by someone else.
        return _again(existing, by=by, request=request)
    snapshot.already_imported = False
    return snapshot


def _again(snapshot: RegisterSnapshot, *, by: User, request) -> RegisterSnapshot:
    """A re-upload adds nothing. An import that has not finished is queued once more: a
    failed one is retried, and a lost task is replaced (a second task for an import that
    is still running or queued finds it locked or done and does nothing)."""
    if snapshot.status != Status.DONE:
        with transaction.atomic():
            RegisterSnapshot.objects.filter(pk=snapshot.pk, status=Status.FAILED).update(
                status=Status.QUEUED, error="", finished_at=None
            )
            audit_record(
                actor=by, action=AuditEvent.Action.UPDATE, obj=snapshot, request=request,
                summary="register import queued again",
            )  # fmt: skip
            transaction.on_commit(lambda: _enqueue(snapshot.pk))
        snapshot.refresh_from_db()
    snapshot.already_imported = True
    return snapshot


def register_snapshot_delete(*, snapshot: RegisterSnapshot, by: User, request=None) -> None:
    """Delete a snapshot with its rows (its partition is dropped), its refused-row report and
    its file. Refused while a screening batch uses it or its import is running."""
    _require(can_import_register(by))
    with transaction.atomic():
        snapshot = RegisterSnapshot.objects.select_for_update().filter(pk=snapshot.pk).first()
        if snapshot is None:
            return
        if snapshot.batches.exists():
            raise ApplicationError(
                _("Screening batches used this register snapshot: it is kept for their decisions.")
            )
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_xact_lock(%s, %s)", _lock_key(snapshot.pk))
            if not cursor.fetchone()[0]:
                raise ApplicationError(_("This register snapshot is being imported right now."))
            # Locks the whole register table until the end of this short transaction.
            cursor.execute(f"DROP TABLE IF EXISTS {_quoted_partition(snapshot.pk)}")
        audit_record(
            actor=by, action=AuditEvent.Action.UPDATE, obj=snapshot, request=request,
            summary=f"register snapshot deleted with its {snapshot.good_rows} rows",
        )  # fmt: skip
        file = snapshot.file
        snapshot.delete()
        if file:
            storage, name = file.storage, file.name
            transaction.on_commit(lambda: storage.delete(name))


# --- partitions ---------------------------------------------------------------------------


def register_partition_name(snapshot_id) -> str:
    """The table that holds a snapshot's register rows: `assessments_registerrow_<hex>`."""
    return f"{RegisterRow._meta.db_table}_{uuid.UUID(str(snapshot_id)).hex}"


def _quoted_partition(snapshot_id) -> str:
    return connection.ops.quote_name(register_partition_name(snapshot_id))


def _bound(snapshot_id) -> str:
    """The snapshot id as an SQL literal, for DDL (which takes no parameters); a UUID's
    canonical text needs no escaping."""
    return f"'{uuid.UUID(str(snapshot_id))}'"


def register_partition_create(*, snapshot: RegisterSnapshot) -> str:
    """Create the snapshot's empty partition, with its indexes, unless it exists; returns
    its name. For rows written one at a time (fixtures, tests): the import builds its own."""
    parent = connection.ops.quote_name(RegisterRow._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TABLE IF NOT EXISTS {_quoted_partition(snapshot.pk)} "
            f"PARTITION OF {parent} FOR VALUES IN ({_bound(snapshot.pk)})"
        )
    return register_partition_name(snapshot.pk)


# --- the job ------------------------------------------------------------------------------


class _Progress:
    """Writes the snapshot's status and progress on a connection of its own, in autocommit,
    so that pages see them while the import's transaction is still open."""

    def __init__(self, snapshot_id):
        self.snapshot_id = snapshot_id
        self.table = connection.ops.quote_name(RegisterSnapshot._meta.db_table)
        self.connection = connections.create_connection(DEFAULT_DB_ALIAS)

    def set(self, **fields) -> None:
        assignments = ", ".join(f"{connection.ops.quote_name(name)} = %s" for name in fields)
        with self.connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {self.table} SET {assignments} WHERE id = %s",  # noqa: S608 - names from code
                [*fields.values(), self.snapshot_id],
            )

    def close(self) -> None:
        self.connection.close()


def _lock_key(snapshot_id) -> tuple[int, int]:
    """Two 32-bit keys for a transaction-level advisory lock held by the run of a snapshot."""
    return zlib.crc32(b"register_import") - 2**31, zlib.crc32(str(snapshot_id).encode()) - 2**31


def village_codes() -> set[str]:
    return set(Region.objects.filter(level=Region.Level.VILLAGE).values_list("code", flat=True))


def register_import_run(*, snapshot_id) -> RegisterSnapshot | None:
    """Import the snapshot's file: good rows into the register, bad rows into the report.

    Idempotent: a finished snapshot is left alone; otherwise rows of an earlier attempt are
    replaced. A run already in progress elsewhere (or the session of a worker that died, not
    yet ended by the database) raises `RegisterImportBusy`: the task tries again later.
    """
    snapshot = RegisterSnapshot.objects.filter(pk=snapshot_id).first()
    if snapshot is None or snapshot.status == Status.DONE:
        return snapshot
    progress = _Progress(snapshot.pk)
    try:
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_try_advisory_xact_lock(%s, %s)", _lock_key(snapshot.pk))
                if not cursor.fetchone()[0]:
                    raise RegisterImportBusy(snapshot.pk)
            snapshot.refresh_from_db()
            if snapshot.status == Status.DONE:
                return snapshot
            started = timezone.now()
            progress.set(
                status=Status.RUNNING, started_at=started, finished_at=None, error="",
                processed_rows=0, good_rows=0, bad_rows=0,
            )  # fmt: skip
            counts = _load(snapshot, progress)
            RegisterSnapshot.objects.filter(pk=snapshot.pk).update(
                status=Status.DONE, started_at=started, finished_at=timezone.now(), error="",
                **counts,
            )  # fmt: skip
    except RegisterImportBusy:
        raise
    except tabular.TabularError as exc:
        with translation.override(settings.LANGUAGE_CODE):
            _fail(snapshot, exc.render(_))
    except SoftTimeLimitExceeded:
        logger.error("Register import %s stopped at its time limit", snapshot.pk)
        with translation.override(settings.LANGUAGE_CODE):
            _fail(snapshot, _(
                "The import took longer than allowed and was stopped; no rows were kept. "
                "Split the extract into smaller files, or ask the administrator."
            ))  # fmt: skip
    except Exception as exc:
        # The exception's text may quote a row of the file: log only its kind.
        kind = exc.__class__.__name__
        logger.error("Register import %s failed: %s", snapshot.pk, kind)
        with translation.override(settings.LANGUAGE_CODE):
            message = _(
                "The import stopped because of an unexpected error (%(kind)s); no rows were "
                "kept. Upload the file again to retry, or ask the administrator."
            ) % {"kind": kind}
        _fail(snapshot, message)
    finally:
        progress.close()
    snapshot.refresh_from_db()
    return snapshot


class RegisterImportBusy(Exception):
    """Another session holds the snapshot's import lock."""


def register_import_fail(*, snapshot_id, exc: BaseException) -> None:
    """The import task stopped for good outside the import's own handling (its worker died
    every time, or the hard time limit): the snapshot fails, unless it was finished."""
    from atensi.tasks import failure_text

    snapshot = RegisterSnapshot.objects.filter(pk=snapshot_id).exclude(status=Status.DONE).first()
    if snapshot is not None:
        _fail(snapshot, failure_text(exc))


def _fail(snapshot: RegisterSnapshot, message: str) -> None:
    RegisterSnapshot.objects.filter(pk=snapshot.pk).update(
        status=Status.FAILED, error=message, finished_at=timezone.now(),
        processed_rows=0, good_rows=0, bad_rows=0,
    )  # fmt: skip


def _load(snapshot: RegisterSnapshot, progress: _Progress) -> dict:
    """Replace the snapshot's rows with those of its file; runs inside the caller's transaction.

    The good rows are COPYed into a new table without indexes, which becomes the snapshot's
    partition once complete: ATTACH PARTITION builds each of the register's indexes on it in
    one pass, and the CHECK spares it a scan to prove that every row belongs to the snapshot.
    """
    snapshot_id = str(snapshot.pk)
    quote = connection.ops.quote_name
    parent = quote(RegisterRow._meta.db_table)
    partition = _quoted_partition(snapshot.pk)
    bad_table = quote(RegisterBadRow._meta.db_table)
    copy_rows = f"COPY {partition} ({', '.join(map(quote, _ROW_COLUMNS))}) FROM STDIN"
    copy_bad = f"COPY {bad_table} ({', '.join(map(quote, _BAD_COLUMNS))}) FROM STDIN"
    translations: dict[str, str] = {}
    good = bad = processed = 0

    with (
        snapshot.file.open("rb") as handle,
        tabular.open_table(handle, REGISTER_SCHEMA, known_villages=village_codes()) as table,
        connection.cursor() as cursor,
        translation.override(settings.LANGUAGE_CODE),
    ):
        cursor.execute(f"DELETE FROM {bad_table} WHERE snapshot_id = %s", [snapshot_id])  # noqa: S608
        # The partition of an earlier run, normally none: a partition is attached in the same
        # transaction that marks its import done. Dropping one locks the register until the end.
        cursor.execute(f"DROP TABLE IF EXISTS {partition}")
        cursor.execute(
            f"CREATE TABLE {partition} (LIKE {parent} INCLUDING DEFAULTS INCLUDING CONSTRAINTS, "
            f"CONSTRAINT {_BOUND_CHECK} CHECK (snapshot_id = {_bound(snapshot.pk)}))"
        )
        if table.estimated_rows is not None:
            progress.set(total_rows=table.estimated_rows)
        raw = cursor.cursor  # psycopg's own cursor: Django's wrapper has no copy()
        rows = iter(table)
        while True:
            refused = []
            read = 0
            with raw.copy(copy_rows) as copy:
                for row in islice(rows, BATCH_ROWS):
                    read += 1
                    if row.errors:
                        refused.append(row)
                        continue
                    v = row.values
                    copy.write_row((
                        snapshot_id, row.number, v["id_dtsen"], v["nik"], v["no_kk"], v["nama"],
                        name_key(v["nama"])[:_NAME_KEY_MAX], v["tgl_lahir"],
                        v["jenis_kelamin"], v["kode_wilayah"], v["alamat"], v["desil"],
                    ))  # fmt: skip
            if refused:
                with raw.copy(copy_bad) as copy:
                    for row in refused:
                        for error in row.errors:
                            message = translations.get(error.message)
                            if message is None:
                                message = translations[error.message] = _(error.message)
                            copy.write_row((
                                snapshot_id, row.number,
                                table.headings.get(error.column, error.column)[:_COLUMN_MAX],
                                error.code,
                                (message % error.params)[:_MESSAGE_MAX],
                            ))  # fmt: skip
            processed += read
            bad += len(refused)
            good += read - len(refused)
            progress.set(processed_rows=processed)
            if read < BATCH_ROWS:
                break
        cursor.execute(
            f"ALTER TABLE {parent} ATTACH PARTITION {partition} "
            f"FOR VALUES IN ({_bound(snapshot.pk)})"
        )
        cursor.execute(f"ALTER TABLE {partition} DROP CONSTRAINT {_BOUND_CHECK}")
        # Statistics now, so that the first screening against the snapshot is planned well.
        cursor.execute(f"ANALYZE {partition}")
        # Rows per regency: the snapshot is offered to the organisations there only.
        cursor.execute(
            f"SELECT left(village_code, 5), count(*) FROM {partition} GROUP BY 1"  # noqa: S608
        )
        regencies = dict(cursor.fetchall())
    return {
        "total_rows": processed,
        "processed_rows": processed,
        "good_rows": good,
        "bad_rows": bad,
        "area_rows": regencies,
    }
