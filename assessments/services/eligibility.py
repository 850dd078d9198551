"""Batch eligibility screening: a proposal list (usulan) or chosen clients, matched against a
DTSEN register snapshot and judged by the programme's rules.

The work runs in Celery: `batch_load` reads the rows once and splits them into chunks by
district; `batch_screen_chunk` judges one chunk. Every step is idempotent (rows are unique
per batch and row number; a chunk is recomputed from what was loaded, keeping supervisors'
reviews), so a redelivered task or a re-run leaves the same result and no duplicates.
"""

from __future__ import annotations

import json
import logging
from collections import namedtuple
from collections.abc import Iterable

from celery.exceptions import SoftTimeLimitExceeded, TimeLimitExceeded
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.db.models import Count, Q, Sum
from django.db.models.expressions import RawSQL
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from aid.models import AidRecord, Programme
from assessments import fellegi_sunter, linkage, tabular, verdicts
from assessments.models import (
    BatchChunk,
    BatchRow,
    EligibilityBatch,
    RegisterRow,
    RegisterSnapshot,
)
from assessments.models.assessment import Assessment
from assessments.selectors.eligibility import is_obvious
from assessments.selectors.register import snapshot_default, snapshots_for
from assessments.services import matching
from atensi.accounts import policy
from atensi.accounts.models import User
from atensi.audit.models import AuditEvent
from atensi.audit.services import audit_record
from atensi.errors import ApplicationError
from atensi.outage import require_queue
from atensi.tasks import WorkerLostRepeatedly
from cases.models import Client

UPLOAD_MAX_BYTES = getattr(settings, "BATCH_UPLOAD_MAX_BYTES", 50 * 1024 * 1024)
UNKNOWN_DISTRICT = "-"
LOAD_REASONS = {verdicts.NIK_INVALID, verdicts.DUPLICATE_IN_BATCH, verdicts.OUTSIDE_AREA}
ASSESSED = (Assessment.Status.COMPLETED, Assessment.Status.APPROVED)

logger = logging.getLogger(__name__)


def _require(condition: bool) -> None:
    if not condition:
        raise PermissionDenied


def district_of(village_code: str) -> str:
    parts = village_code.split(".")
    return ".".join(parts[:3]) if len(parts) >= 3 else UNKNOWN_DISTRICT


# --- creating a batch -----------------------------------------------------------------


@transaction.atomic
def batch_create(
    *,
    by: User,
    programme: Programme,
    name: str,
    snapshot: RegisterSnapshot | None = None,
    file=None,
    client_ids: Iterable | None = None,
    request=None,
) -> EligibilityBatch:
    """Register a batch from an uploaded list or from chosen clients and queue its screening."""
    _require(policy.can_write_cases(by))
    require_queue()
    if programme.organisation_id != by.organisation_id:
        raise ApplicationError(_("Choose a programme of your own organisation."), field="programme")
    if snapshot is None:
        snapshot = snapshot_default(organisation=by.organisation)
        if snapshot is None:
            raise ApplicationError(
                _(
                    "No completed register import covers your whole area; choose the register "
                    "snapshot to screen against."
                ),
                field="snapshot",
            )
    offered = {s.pk for s in snapshots_for(organisation=by.organisation)}
    if snapshot.status != RegisterSnapshot.Status.DONE or snapshot.pk not in offered:
        raise ApplicationError(
            _("This register snapshot holds no completed import of your area; choose another."),
            field="snapshot",
        )
    if (file is None) == (client_ids is None):
        raise ApplicationError(_("Upload a proposal list or choose clients, not both."))
    batch = EligibilityBatch(
        name=name.strip() or _("Proposal list"),
        programme=programme,
        snapshot=snapshot,
        organisation=by.organisation,
        created_by=by,
    )
    if file is not None:
        if file.size > UPLOAD_MAX_BYTES:
            raise ApplicationError(
                _("The file is %(size).1f MB; the limit is %(limit)d MB.")
                % {"size": file.size / 1024 / 1024, "limit": UPLOAD_MAX_BYTES // 1024 // 1024},
                field="file",
            )
        _check_header(file)
        batch.source = EligibilityBatch.Source.FILE
        batch.file_name = file.name[:255]
        batch.file.save(f"{batch.id}.upload", file, save=False)
        batch.save()
    else:
        ids = list(dict.fromkeys(client_ids))
        clients = list(
            policy.scope_clients(Client.objects.filter(pk__in=ids), by).order_by("full_name")
        )
        if not ids or len(clients) != len(ids):
            raise ApplicationError(
                _("Choose clients inside your area (%(found)d of %(given)d found).")
                % {"found": len(clients), "given": len(ids)},
                field="client_ids",
            )
        batch.source = EligibilityBatch.Source.CLIENTS
        batch.save()
        _insert_rows(
            batch,
            (_client_row(i, c) for i, c in enumerate(clients, start=1)),
            policy.organisation_area_codes(by.organisation),
        )
    audit_record(actor=by, action=AuditEvent.Action.CREATE, obj=batch, request=request)
    transaction.on_commit(lambda: _enqueue_load(batch.pk))
    return batch


def _check_header(file) -> None:
    """Refuse at once a list that cannot be read or lacks a required column: no batch."""
    try:
        with tabular.open_table(
            file,
            PROPOSAL_SCHEMA,
            scan_limit=tabular.CHECK_SCAN_LIMIT,
            time_limit=tabular.CHECK_TIME_LIMIT,
        ):
            pass
    except tabular.TabularError as exc:
        raise ApplicationError(exc.render(_), field="file") from exc
    finally:
        file.seek(0)


def _enqueue_load(batch_id) -> None:
    from assessments.tasks.eligibility import load_batch

    load_batch.delay(str(batch_id))


def enqueue_chunks(batch_id, keys, run: int | None = None) -> None:
    from assessments.tasks.eligibility import screen_chunk

    if run is None:
        run = EligibilityBatch.objects.values_list("run", flat=True).get(pk=batch_id)
    for key in keys:
        screen_chunk.delay(str(batch_id), key, run)


def _client_row(number: int, client: Client) -> dict:
    return {
        "row_number": number, "nik_input": client.nik, "nik": client.nik,
        "kk_number": client.kk_number, "name": client.full_name, "birth_date": client.birth_date,
        "sex": client.sex, "village_code": client.village_id, "address": client.address,
        "client_id": client.pk,
    }  # fmt: skip


# --- loading --------------------------------------------------------------------------

ROW_COLUMNS = (
    "row_number", "chunk_key", "nik_input", "nik", "kk_number", "name", "birth_date", "sex",
    "village_code", "address", "client_id", "reasons", "problems",
)  # fmt: skip


def _insert_rows(batch: EligibilityBatch, rows: Iterable[dict], area: list[str]) -> int:
    """COPY the proposed rows in, with the reasons known before matching (invalid NIK,
    duplicate row, a village outside the organisation's `area`). A person is a duplicate when
    an earlier row has the same valid NIK or, without one, the same name and birth date."""
    seen: set = set()
    count = 0
    table = BatchRow._meta.db_table
    reasons_order = verdicts.PRIORITY.index
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(
            f"COPY {table} (batch_id, {', '.join(ROW_COLUMNS)}, verdict, match_method, review, "
            "candidates) FROM STDIN"
        ) as copy,
    ):
        for row in rows:
            reasons = []
            nik = row.get("nik") or ""
            if not nik:
                reasons.append(verdicts.NIK_INVALID)
            key = nik or (linkage.name_key(row.get("name") or ""), row.get("birth_date"))
            if key in seen:
                reasons.append(verdicts.DUPLICATE_IN_BATCH)
            seen.add(key)
            village = row.get("village_code") or ""
            if village and not policy.code_in_area(village, area):
                reasons.append(verdicts.OUTSIDE_AREA)
            copy.write_row((
                batch.pk, row["row_number"], district_of(village),
                (row.get("nik_input") or "")[:40], nik, row.get("kk_number") or "",
                (row.get("name") or "")[:150],
                row.get("birth_date"), row.get("sex") or "", village[:13],
                (row.get("address") or "")[:255], row.get("client_id"),
                "{" + ",".join(sorted(reasons, key=reasons_order)) + "}",
                json.dumps(row.get("problems") or [], default=str),
                "", "", "", "[]",
            ))  # fmt: skip
            count += 1
    return count


def batch_load(*, batch_id) -> list[str]:
    """Read the uploaded rows once and split them into district chunks; return chunk keys.

    Safe to run again: when the rows are already loaded it only returns the unfinished chunks.
    """
    with transaction.atomic():
        batch = EligibilityBatch.objects.select_for_update().get(pk=batch_id)
        if batch.status in (EligibilityBatch.Status.DONE, EligibilityBatch.Status.FAILED):
            return []
        if not batch.chunks.exists():
            if batch.source == EligibilityBatch.Source.FILE:
                try:
                    area = policy.organisation_area_codes(batch.organisation)
                    with transaction.atomic():  # a savepoint: an aborted COPY leaves nothing
                        _insert_rows(batch, _file_rows(batch), area)
                    with connection.cursor() as cursor:
                        cursor.execute("ANALYZE assessments_batchrow")
                except tabular.TabularError as exc:
                    batch.status = EligibilityBatch.Status.FAILED
                    batch.error = exc.render(_)
                    batch.finished_at = timezone.now()
                    batch.save(update_fields=["status", "error", "finished_at"])
                    return []
            counts = (
                BatchRow.objects.filter(batch=batch)
                .values_list("chunk_key")
                .annotate(n=Count("id"))
                .order_by()
            )
            BatchChunk.objects.bulk_create(
                [BatchChunk(batch=batch, key=key, row_count=n) for key, n in counts]
            )
            batch.total_rows = sum(n for _key, n in counts)
        batch.status = EligibilityBatch.Status.RUNNING
        batch.started_at = batch.started_at or timezone.now()
        batch.save(update_fields=["status", "started_at", "total_rows"])
        pending = list(batch.chunks.filter(done_at__isnull=True).values_list("key", flat=True))
    if not pending:
        _finish_if_done(batch.pk)
    return pending


# A proposal list: the DESIGN.md columns; a person may come without NIK, KK or birth date.
PROPOSAL_SCHEMA = tabular.standard_schema(
    required=["nik", "nama", "kode_wilayah"],
    optional=["no_kk", "tgl_lahir", "jenis_kelamin", "alamat"],
    blank=["nik", "no_kk", "tgl_lahir", "jenis_kelamin", "alamat"],
)


def _file_rows(batch: EligibilityBatch):
    """Every data row of the uploaded list, bad cells included: each row gets a verdict.

    The village codes are read here, before the rows are COPYed in: no query can run on the
    connection while its COPY is open."""
    from assessments.services.register import village_codes

    return _read_rows(batch, village_codes())


def _read_rows(batch: EligibilityBatch, known: set[str]):
    with (
        batch.file.open("rb") as handle,
        tabular.open_table(handle, PROPOSAL_SCHEMA, known_villages=known) as table,
    ):
        for row in table:
            yield _proposal_row(row, table.headings)


def _proposal_row(row: tabular.Row, headings: dict[str, str]) -> dict:
    values = row.values
    raw_nik = row.raw.get("nik")
    return {
        "row_number": row.number,
        "nik_input": "" if raw_nik is None else str(raw_nik).strip(),
        "nik": values.get("nik") or "",
        "kk_number": values.get("no_kk") or "",
        "name": values.get("nama") or "",
        "birth_date": values.get("tgl_lahir"),
        "sex": values.get("jenis_kelamin") or "",
        # An unknown village is reported, but a well-formed code still places the row in
        # its district for the matching.
        "village_code": values.get("kode_wilayah") or _well_formed_village(row.raw),
        "address": values.get("alamat") or "",
        "problems": [
            {
                "column": e.column,
                "heading": headings.get(e.column, e.column),
                "code": e.code,
                "message": e.message,
                "params": e.params,
            }
            # in the order of the file's columns, as the user reads the row
            for e in sorted(row.errors, key=lambda e: row.positions.get(e.column, -1))
        ],
    }


def _well_formed_village(raw: dict) -> str:
    text = str(raw.get("kode_wilayah") or "").strip()
    return text if tabular.is_dotted_village(text) else ""


def batch_fail(*, batch_id, exc: BaseException) -> None:
    """A step failed for good (retries spent): the batch stops as failed, not "running" for
    ever. Chunks already judged keep their rows; "Screen again" runs the batch once more."""
    # The exception's text may quote a row of the list: log and show only its kind.
    kind = exc.__class__.__name__
    logger.error("Eligibility batch %s failed: %s", batch_id, kind)
    with translation.override(settings.LANGUAGE_CODE):
        if isinstance(exc, WorkerLostRepeatedly):
            message = str(exc)
        elif isinstance(exc, SoftTimeLimitExceeded | TimeLimitExceeded):
            message = _(
                "Screening took longer than allowed and was stopped. Screen the list again, "
                "split it into smaller lists, or ask the administrator."
            )
        elif BatchChunk.objects.filter(batch_id=batch_id).exists():
            message = _(
                "Screening stopped because of an unexpected error (%(kind)s). Screen the list "
                "again, or ask the administrator."
            ) % {"kind": kind}
        else:  # the list was never read in: nothing to screen again
            message = _(
                "The list could not be read in because of an unexpected error (%(kind)s). "
                "Upload it again, or ask the administrator."
            ) % {"kind": kind}
    EligibilityBatch.objects.filter(
        pk=batch_id, status__in=(EligibilityBatch.Status.QUEUED, EligibilityBatch.Status.RUNNING)
    ).update(status=EligibilityBatch.Status.FAILED, error=message, finished_at=timezone.now())


# --- screening one chunk --------------------------------------------------------------

# Only register rows inside the screening organisation's area are ever candidates: a list
# that names people elsewhere gets no NIK, DTSEN id or decile of theirs back.
REGISTER_SQL = """
    SELECT id, nik, kk_number, name, name_key, birth_date, sex, village_code, address, decile
    FROM assessments_registerrow
    WHERE snapshot_id = %(snapshot)s
      AND (village_code = ANY(%(area)s) OR village_code LIKE ANY(%(area_prefixes)s))
      AND (nik = ANY(%(niks)s) OR (kk_number <> '' AND kk_number = ANY(%(kks)s))
           OR (village_code LIKE %(district)s AND (
                 left(nik, 12) = ANY(%(prefixes)s) OR birth_date = ANY(%(dates)s){years}{words})))
"""
# The Fellegi–Sunter matcher's extra blocks, only when a chunk has keys for them: each is
# evaluated on every register row of the kecamatan the other keys leave out.
_YEARS_SQL = "\n                 OR extract(year FROM birth_date)::int = ANY(%(years)s)"
_WORDS_SQL = "\n                 OR string_to_array(name_key, ' ') && %(words)s::text[]"


def _register_block(
    batch: EligibilityBatch,
    key: str,
    people: list[linkage.Person],
    area: list[str],
    *,
    extra=False,
) -> dict:
    """The register rows of the organisation's `area` a chunk's `people` can match: the
    linkage's blocks (NIK, NIK prefix, KK, and birth dates in the district), read in one
    query; with ``extra``, also ``fellegi_sunter.ExtraKeys``'s (the Fellegi–Sunter
    matcher's)."""
    return register_read(
        snapshot_id=batch.snapshot_id, key=key, people=people, area=area, extra=extra
    )


# A proposal row's fields as ``person_from`` takes them, in order.
PERSON_FIELDS = ("nik", "kk_number", "name", "birth_date", "sex", "village_code", "address")


def person_from(nik, kk, name, born, sex, village, address) -> linkage.Person:
    """A proposal row's ``PERSON_FIELDS`` as the matchers read them."""
    return linkage.Person(
        nik=nik, kk=kk, name=name, name_key=linkage.name_key(name), birth_date=born, sex=sex,
        village_code=village, address=address,
    )  # fmt: skip


def person_of(row: BatchRow) -> linkage.Person:
    """A proposal row as the matchers read it."""
    return person_from(*(getattr(row, f) for f in PERSON_FIELDS))


def candidate_from(rid, nik, kk, name, key, born, sex, village, address, decile):
    """A register row as ``REGISTER_SQL`` selects it, as the matchers read it."""
    return linkage.Candidate(
        id=rid, nik=nik, kk=kk, name=name, name_key=key, birth_date=born, sex=sex,
        village_code=village, address=address, decile=decile,
    )  # fmt: skip


def candidate_of(register) -> linkage.Candidate:
    """A stored register row as the matchers read it."""
    return linkage.Candidate(
        id=register.pk, nik=register.nik, kk=register.kk_number, name=register.name,
        name_key=register.name_key, birth_date=register.birth_date, sex=register.sex,
        village_code=register.village_code, address=register.address, decile=register.decile,
    )  # fmt: skip


def register_read(
    *, snapshot_id, key: str, people: list[linkage.Person], area: list[str], extra: bool = False
) -> dict:
    """The register rows of `area` that `people` of district chunk `key` can match, by id
    (``REGISTER_SQL``)."""
    if not people or not area:
        return {}
    keys = linkage.block_keys(people)
    years, words = [], []
    if extra:
        more = fellegi_sunter.extra_block_keys(people)
        years = sorted({y for k, y in more.district_years if k == key})
        words = sorted({w for k, w in more.district_words if k == key})
    district = f"{key}.%" if key != UNKNOWN_DISTRICT else "-"
    with connection.cursor() as cursor:
        cursor.execute(
            REGISTER_SQL.format(
                years=_YEARS_SQL if years else "", words=_WORDS_SQL if words else ""
            ),
            {
                "snapshot": snapshot_id,
                "area": area,
                "area_prefixes": [f"{code}.%" for code in area],
                "district": district,
                "niks": sorted(keys.niks),
                "kks": sorted(keys.kks),
                "prefixes": sorted(keys.nik_prefixes),
                "dates": sorted(d for k, d in keys.district_dates if k == key),
                "years": years,
                "words": words,
            },
        )
        return {row[0]: candidate_from(*row) for row in cursor.fetchall()}


def _one_array(values: Iterable[str]) -> RawSQL:
    """``values`` for an ``__in`` as one array parameter, not one parameter each: a chunk's
    few hundred NIKs make a statement the driver would otherwise parse each time."""
    return RawSQL("SELECT unnest(%s::text[])", (sorted(values),))


def _facts_lookup(batch: EligibilityBatch, niks: set[str]) -> tuple[set, set, set]:
    """NIKs with a completed assessment, with a recorded business, and aided this year.

    Assessments count only for clients whom the list's uploader may read: a list must not
    learn whether a person elsewhere (or, for a centre, not handed to it) is a client."""
    wanted = _one_array(niks)
    assessments = policy.scope_clients(
        Assessment.objects.filter(status__in=ASSESSED, case__client__nik__in=wanted),
        batch.created_by,
        "case__client",
    )
    assessed, business = set(), set()
    for nik, has_business in assessments.values_list("case__client__nik", "has_business"):
        assessed.add(nik)
        if has_business:
            business.add(nik)
    programme = batch.programme
    aided = set(
        AidRecord.objects.filter(
            programme=programme, year=programme.year, nik__in=wanted
        ).values_list("nik", flat=True)
    )
    return assessed, business, aided


# What a chunk reads of a row it screens, as a ``ChunkRow``: a tuple, cheaper to build than
# a model instance for a chunk's hundreds of rows. A reviewed row is read whole, with its
# candidates and match.
MATCHED_FIELDS = ("id", "review", "reasons", *PERSON_FIELDS)


class ChunkRow(namedtuple("ChunkRow", MATCHED_FIELDS)):
    """A batch row's ``MATCHED_FIELDS``, as a chunk reads a row nobody has reviewed."""

    __slots__ = ()

    @property
    def pk(self):
        return self.id


def batch_screen_chunk(*, batch_id, key: str, run: int | None = None) -> None:
    """Judge every row of one district chunk and store verdict, reasons and evidence.
    ``run``: the screening the task belongs to; a task of an earlier run (a late retry after
    "Screen again") changes nothing. None: the current run (a review, a re-screen)."""
    batch = (
        EligibilityBatch.objects.select_related(
            "programme", "organisation", "created_by__organisation"
        )
        .defer("linkage_parameters")  # read by chunk_model, when not kept from a chunk before
        .get(pk=batch_id)
    )
    if run is not None and batch.run != run:
        logger.warning("Chunk %s of batch %s belongs to run %s, not %s: skipped",
                       key, batch_id, run, batch.run)  # fmt: skip
        return
    chunk = BatchChunk.objects.get(batch=batch, key=key)
    area = policy.organisation_area_codes(batch.organisation)
    rows = list(
        map(
            ChunkRow._make,
            batch.rows.filter(chunk_key=key).order_by("row_number").values_list(*MATCHED_FIELDS),
        )
    )
    reviewed = [row.pk for row in rows if row.review != BatchRow.Review.NONE]
    if reviewed:  # what their reviewers chose from, and the match they confirmed
        whole = BatchRow.objects.select_related("match").in_bulk(reviewed)
        rows = [whole.get(row.pk, row) for row in rows]
    inside = [row for row in rows if verdicts.OUTSIDE_AREA not in row.reasons]
    model = matching.chunk_model(batch.pk)
    people = {row.pk: person_of(row) for row in inside}
    block = _register_block(batch, key, list(people.values()), area, extra=model is not None)
    index = (fellegi_sunter.CandidateIndex if model else linkage.CandidateIndex)(block.values())
    results = [
        (row, *_match_row(row, people[row.pk], index, area, model))
        if row.pk in people
        else (row, "none", None, "", None, [])  # never matched: nothing of the register is read
        for row in rows
    ]
    niks = {r.nik for r in inside if r.nik} | {m.nik for _r, _s, m, *_rest in results if m}
    assessed, business, aided = _facts_lookup(batch, niks)
    rules = verdicts.Rules(
        max_decile=batch.programme.max_decile,
        requires_assessment=batch.programme.requires_assessment,
        requires_business=batch.programme.requires_business,
        once_per_year=batch.programme.once_per_year,
    )
    updates = []
    for row, status, match, method, score, candidates in results:
        if status == "review" and verdicts.NIK_INVALID in row.reasons:
            # Its verdict is the invalid NIK whoever the row is: the list is corrected and
            # uploaded again. Not queued for review, and nobody proposed as its match.
            match = None
        person = {row.nik, match.nik if match else ""} - {""}
        facts = verdicts.Facts(
            nik_valid=verdicts.NIK_INVALID not in row.reasons,
            duplicate=verdicts.DUPLICATE_IN_BATCH in row.reasons,
            outside_area=verdicts.OUTSIDE_AREA in row.reasons,
            match_status=status,
            decile=match.decile if match else None,
            assessed=bool(person & assessed),
            has_business=bool(person & business),
            aided_this_year=bool(person & aided),
        )
        reasons = verdicts.reasons_for(facts, rules)
        review = row.review
        if status == "review" and review == BatchRow.Review.NONE and facts.nik_valid:
            review = BatchRow.Review.PENDING
        elif review == BatchRow.Review.PENDING and not facts.nik_valid:
            review = BatchRow.Review.NONE  # queued before invalid NIKs were left out
        updates.append((
            verdicts.verdict_of(reasons), reasons, match.id if match else None, method,
            score, match.decile if match else None, review,
            json.dumps(candidates, separators=(",", ":")), row.pk,
        ))  # fmt: skip
    with transaction.atomic():
        current = EligibilityBatch.objects.select_for_update().values_list("run", flat=True)
        if run is not None and current.get(pk=batch.pk) != run:
            logger.warning("Chunk %s of batch %s: run %s ended meanwhile; results dropped",
                           key, batch.pk, run)  # fmt: skip
            return
        with connection.cursor() as cursor:
            # One UPDATE from a COPY-filled temporary table; the raw psycopg cursor because
            # pghistory's request-time wrapper does not pass COPY through.
            raw = cursor.cursor
            raw.execute("DROP TABLE IF EXISTS batch_updates")  # an earlier chunk, same transaction
            raw.execute(
                "CREATE TEMP TABLE batch_updates (verdict varchar(30), reasons varchar(30)[], "
                "match_id bigint, match_method varchar(30), match_score float8, decile smallint, "
                "review varchar(10), candidates jsonb, id bigint) ON COMMIT DROP"
            )
            with raw.copy("COPY batch_updates FROM STDIN") as copy:
                for update in updates:
                    copy.write_row(update)
            raw.execute(
                "UPDATE assessments_batchrow b SET verdict = u.verdict, reasons = u.reasons, "
                "match_id = u.match_id, match_method = u.match_method, "
                "match_score = u.match_score, decile = u.decile, review = u.review, "
                "candidates = u.candidates FROM batch_updates u WHERE b.id = u.id"
            )
        BatchChunk.objects.filter(pk=chunk.pk).update(done_at=timezone.now())
        done = batch.chunks.filter(done_at__isnull=False).aggregate(n=Sum("row_count"))["n"]
        EligibilityBatch.objects.filter(pk=batch.pk).update(processed_rows=done or 0)
    _finish_if_done(batch.pk)


def _match_row(
    row: BatchRow,
    query: linkage.Person,
    index: linkage.CandidateIndex,
    area: list[str],
    model=None,
):
    """(status, matched candidate, method, score, stored candidates) of ``row`` (``query``:
    the row as the matchers read it, ``person_of``), honouring a supervisor's review of a
    match that is still inside the organisation's area; a reviewed row keeps the candidates
    its reviewer chose from. ``model``: the batch's Fellegi–Sunter model, else the rules."""
    if (
        row.review == BatchRow.Review.CONFIRMED
        and row.match_id
        and policy.code_in_area(row.match.village_code, area)
    ):
        candidate = candidate_of(row.match)
        return "match", candidate, row.match_method, row.match_score, row.candidates
    if row.review == BatchRow.Review.REJECTED:
        return "none", None, row.match_method, row.match_score, row.candidates
    if model is not None:
        return matching.match(model, query, index.candidates_for(query))
    result = linkage.match_person(query, index.candidates_for(query))
    if result.status == "none" or result.candidate is None:
        return "none", None, result.method or "", result.score, []
    offered = result.candidates if result.status == "review" else result.candidates[:1]
    stored = [stored_candidate(query, c) for c in offered]
    return result.status, result.candidate, result.method, result.score, stored


def stored_candidate(query: linkage.Person, scored: linkage.ScoredCandidate) -> dict:
    """A candidate as ``BatchRow.candidates`` keeps it (see there): codes only; a
    comparison's similarity and notes only where it has them."""
    comparisons = []
    for c in linkage.compare(query, scored.candidate):
        item = {"field": c.field, "level": c.level, "agreement": c.agreement}
        if c.similarity is not None:
            item["similarity"] = c.similarity
        if c.notes:
            item["notes"] = list(c.notes)
        comparisons.append(item)
    return {
        "id": scored.candidate.id,
        "method": scored.method,
        "score": scored.score,
        "flags": list(scored.flags),
        "comparisons": comparisons,
    }


def _finish_if_done(batch_id) -> None:
    with transaction.atomic():
        batch = (
            EligibilityBatch.objects.select_for_update()
            .only("id", "status", "finished_at", "processed_rows", "total_rows")
            .get(pk=batch_id)
        )  # not the linkage parameters (a few hundred kB) for each chunk
        if batch.status != EligibilityBatch.Status.RUNNING:
            return
        if batch.chunks.filter(done_at__isnull=True).exists():
            return
        mark_same_person(batch_id)
        batch.status = EligibilityBatch.Status.DONE
        batch.finished_at = timezone.now()
        batch.processed_rows = batch.total_rows
        batch.save(update_fields=["status", "finished_at", "processed_rows"])


def mark_same_person(batch_id) -> None:
    """Make a DUPLICATE_IN_BATCH of every row matched to the register person an earlier row
    of the batch is matched to (automatically or by a review; a proposed match waiting for
    review does not count), with ``same_person_as`` naming that row; and undo it for a row
    that is no longer one. The same person twice with two different typing slips is one
    person, not two aid recipients.

    Run over the whole batch once its chunks are done, and again after a review: a chunk
    alone cannot know the other chunks' matches (a person who moved is in two districts).
    A row already a duplicate at loading (the same NIK, or name and birth date) stays so."""
    rows = BatchRow.objects.filter(batch_id=batch_id)
    linked = rows.filter(match__isnull=False).exclude(review=BatchRow.Review.PENDING)
    shared = linked.values("match_id").annotate(n=Count("id")).filter(n__gt=1).values("match_id")
    marked = Q(same_person_as__isnull=False)
    found = (linked.filter(match_id__in=shared) | rows.filter(marked)).order_by("row_number")
    found = list(found.only("id", "row_number", "match_id", "review", "reasons", "same_person_as"))
    first: dict[int, int] = {}
    earlier: dict[int, int] = {}  # row id -> the row number of the same person's first row
    for row in found:
        if row.match_id is None or row.review == BatchRow.Review.PENDING:
            continue
        if row.match_id in first:
            earlier[row.id] = first[row.match_id]
        else:
            first[row.match_id] = row.row_number
    changed = []
    for row in found:
        was, now = row.same_person_as, earlier.get(row.id)
        loaded = was is None and verdicts.DUPLICATE_IN_BATCH in row.reasons
        if was == now or (loaded and now is not None):
            continue  # unchanged, or a duplicate since the loading
        reasons = [r for r in row.reasons if r != verdicts.DUPLICATE_IN_BATCH]
        if now is not None:
            reasons = sorted([*reasons, verdicts.DUPLICATE_IN_BATCH], key=verdicts.PRIORITY.index)
        row.reasons, row.same_person_as = reasons, now
        row.verdict = verdicts.verdict_of(reasons)
        changed.append(row)
    BatchRow.objects.bulk_update(changed, ["reasons", "same_person_as", "verdict"], batch_size=1000)


# --- after screening ------------------------------------------------------------------


@transaction.atomic
def batch_rerun(*, batch: EligibilityBatch, by: User, request=None) -> EligibilityBatch:
    """Screen again (e.g. after new assessments); rows and supervisors' reviews are kept."""
    _require(policy.can_write_cases(by))
    batch = EligibilityBatch.objects.select_for_update().get(pk=batch.pk)
    if batch.status in (EligibilityBatch.Status.QUEUED, EligibilityBatch.Status.RUNNING):
        raise ApplicationError(_("The batch is still being screened."), code="conflict")
    if not batch.chunks.exists():
        raise ApplicationError(_("The list could not be read; upload it again."), code="conflict")
    require_queue()
    batch.chunks.update(done_at=None)
    batch.status = EligibilityBatch.Status.RUNNING
    batch.processed_rows = 0
    batch.finished_at = None
    batch.error = ""
    batch.run += 1
    batch.save(update_fields=["status", "processed_rows", "finished_at", "error", "run"])
    keys = list(batch.chunks.values_list("key", flat=True))
    audit_record(actor=by, action=AuditEvent.Action.UPDATE, obj=batch, request=request,
                 summary="re-run")  # fmt: skip
    run = batch.run
    transaction.on_commit(lambda: enqueue_chunks(batch.pk, keys, run))
    return batch


def batch_row_review(
    *, row: BatchRow, by: User, confirm: bool, candidate_id: int | None = None, request=None
) -> BatchRow:
    """A supervisor decides a row waiting for review: confirms the proposed match, or
    chooses another of the row's candidates (``candidate_id``, a register row id: it becomes
    the match), or rejects them all. Audited; the row's chunk is judged again."""
    _require(policy.has_role(by, {User.Role.SUPERVISOR}))
    if candidate_id is not None and not confirm:
        raise ApplicationError(_("A rejection chooses no candidate."), field="candidate")
    with transaction.atomic():
        row = BatchRow.objects.select_for_update().select_related("batch").get(pk=row.pk)
        if row.review != BatchRow.Review.PENDING:
            raise ApplicationError(_("This row is not waiting for review."), code="conflict")
        summary = f"row {row.row_number} match {'confirmed' if confirm else 'rejected'}"
        if candidate_id is not None:
            position = _choose(row, candidate_id, by)
            summary += f": candidate {position}"
        _decide(row, by=by, confirm=confirm, summary=summary, request=request)
    _judge_again(row.batch_id, [row.chunk_key])
    row.refresh_from_db()
    return row


def batch_row_reopen(*, row: BatchRow, by: User, request=None) -> BatchRow:
    """Undo a supervisor's decision on a row: it waits for review again, with the match the
    matcher proposed. Refused once an aid proposal was made from the row. Audited; the row's
    chunk is judged again."""
    _require(policy.has_role(by, {User.Role.SUPERVISOR}))
    with transaction.atomic():
        row = BatchRow.objects.select_for_update().select_related("batch").get(pk=row.pk)
        if row.review not in (BatchRow.Review.CONFIRMED, BatchRow.Review.REJECTED):
            raise ApplicationError(_("This row has no decision to undo."), code="conflict")
        if row.proposals.exists():
            raise ApplicationError(
                _("An aid proposal was made from this row: its decision stays."), code="conflict"
            )
        if row.candidates:  # the matcher's proposal: its first candidate
            first = row.candidates[0]
            row.match_id = int(first["id"])
            row.match_method = first["method"]
            row.match_score = first["score"]
        row.review = BatchRow.Review.PENDING
        row.reviewed_by = None
        row.reviewed_at = None
        row.save(update_fields=[
            "review", "reviewed_by", "reviewed_at", "match", "match_method", "match_score",
        ])  # fmt: skip
        audit_record(
            actor=by, action=AuditEvent.Action.UPDATE, obj=row.batch, request=request,
            summary=f"row {row.row_number} decision undone",
        )  # fmt: skip
    _judge_again(row.batch_id, [row.chunk_key])
    row.refresh_from_db()
    return row


def _judge_again(batch_id, keys: list[str]) -> None:
    """Judge the reviewed rows' chunks again, then the batch's duplicates once: a confirmed
    or rejected match may make or end one elsewhere in the batch."""
    for key in keys:
        batch_screen_chunk(batch_id=batch_id, key=key)
    with transaction.atomic():
        EligibilityBatch.objects.select_for_update().only("id").get(pk=batch_id)
        mark_same_person(batch_id)


def _choose(row: BatchRow, candidate_id: int, by: User, registers: dict | None = None) -> int:
    """Make the stored candidate ``candidate_id`` the row's match; its place (1, 2, 3).
    Only a candidate of the row (of a row screened before candidates were stored, its
    proposed match), in the register snapshot and inside the reviewer's area
    (``registers``: the register rows by id, when already read)."""
    stored = row.candidates or (
        [{"id": row.match_id, "method": row.match_method, "score": row.match_score}]
        if row.match_id
        else []
    )
    offered = [int(c["id"]) for c in stored]
    if registers is None:
        registers = {
            r.pk: r
            for r in RegisterRow.objects.filter(snapshot_id=row.batch.snapshot_id, pk=candidate_id)
        }
    register = registers.get(candidate_id)
    if (
        candidate_id not in offered
        or register is None
        or not policy.code_in_area(register.village_code, policy.area_codes(by))
    ):
        raise ApplicationError(_("Choose one of the row's candidates."), field="candidate")
    position = offered.index(candidate_id)
    chosen = stored[position]
    row.match_id = candidate_id
    row.match_method = chosen["method"]
    row.match_score = chosen["score"]
    return position + 1


def _decide(row: BatchRow, *, by: User, confirm: bool, summary: str, request=None) -> None:
    row.review = BatchRow.Review.CONFIRMED if confirm else BatchRow.Review.REJECTED
    row.reviewed_by = by
    row.reviewed_at = timezone.now()
    row.save(update_fields=[
        "review", "reviewed_by", "reviewed_at", "match", "match_method", "match_score",
    ])  # fmt: skip
    audit_record(
        actor=by, action=AuditEvent.Action.UPDATE, obj=row.batch, request=request, summary=summary
    )


def batch_confirm_obvious(
    *, batch: EligibilityBatch, by: User, row_ids: Iterable[int] | None = None, request=None
) -> list[BatchRow]:
    """Confirm, as one action, the rows waiting for review whose first candidate is obvious
    (``selectors.eligibility.is_obvious``), of ``row_ids`` if given (the rows the reviewer
    was shown). Each row is audited as a single review; their chunks are judged again."""
    _require(policy.has_role(by, {User.Role.SUPERVISOR}))
    with transaction.atomic():
        rows = batch.rows.select_for_update().filter(review=BatchRow.Review.PENDING)
        if row_ids is not None:
            rows = rows.filter(pk__in=list(row_ids))
        obvious = [row for row in rows.order_by("row_number") if is_obvious(row.candidates)]
        registers = RegisterRow.objects.filter(
            snapshot_id=batch.snapshot_id, pk__in=[int(r.candidates[0]["id"]) for r in obvious]
        ).in_bulk()
        area = policy.area_codes(by)
        confirmed = [
            row
            for row in obvious
            if (register := registers.get(int(row.candidates[0]["id"])))
            and policy.code_in_area(register.village_code, area)
        ]
        for row in confirmed:
            row.batch = batch
            position = _choose(row, int(row.candidates[0]["id"]), by, registers)
            _decide(
                row, by=by, confirm=True, request=request,
                summary=f"row {row.row_number} match confirmed: candidate {position}, obvious",
            )  # fmt: skip
    _judge_again(batch.pk, sorted({row.chunk_key for row in confirmed}))
    return list(batch.rows.filter(pk__in=[r.pk for r in confirmed]).order_by("row_number"))
