"""Reads of eligibility batches: a batch belongs to the organisation that screened it."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Count, Q, QuerySet
from django.shortcuts import get_object_or_404

from aid.models import Programme
from assessments import linkage, verdicts
from assessments.models import BatchRow, EligibilityBatch, RegisterRow, RegisterSnapshot
from atensi.accounts import policy
from atensi.accounts.models import User
from atensi.summaries import facts as summaries

from .register import snapshots_for


def batch_list(*, user: User) -> QuerySet[EligibilityBatch]:
    if not policy.can_write_cases(user):
        return EligibilityBatch.objects.none()
    return EligibilityBatch.objects.filter(organisation_id=user.organisation_id).select_related(
        "programme", "snapshot", "created_by"
    )


def batches_awaiting_review(*, user: User) -> QuerySet[EligibilityBatch]:
    """The organisation's batches with matches waiting for a supervisor, as ``pending``."""
    if user.role != User.Role.SUPERVISOR:
        return EligibilityBatch.objects.none()
    return (
        batch_list(user=user)
        .annotate(pending=Count("rows", filter=Q(rows__review=BatchRow.Review.PENDING)))
        .filter(pending__gt=0)
        .order_by("-created_at")
    )


def batch_get(*, user: User, pk) -> EligibilityBatch:
    return get_object_or_404(batch_list(user=user), pk=pk)


def batch_rows(*, batch: EligibilityBatch, verdict: str = "", review: str = "") -> QuerySet:
    qs = batch.rows.select_related("match", "reviewed_by").order_by("row_number")
    if verdict:
        qs = qs.filter(verdict=verdict)
    if review:
        qs = qs.filter(review=review)
    return qs


def batch_row_get(*, batch: EligibilityBatch, pk) -> BatchRow:
    return get_object_or_404(batch.rows.select_related("match"), pk=pk)


def candidate_registers(
    *, batch: EligibilityBatch, rows: Iterable[BatchRow], user: User
) -> dict[int, RegisterRow]:
    """The register rows the ``rows`` offer as candidates (and their matches), by id: only
    those inside the reader's area (issue 12); one query."""
    ids = set()
    for row in rows:
        ids.update(int(c["id"]) for c in row.candidates)
        if row.match_id:
            ids.add(row.match_id)
    area = policy.area_codes(user)
    if not ids or not area:
        return {}
    return RegisterRow.objects.filter(
        policy.codes_q(area, "village_code"), snapshot_id=batch.snapshot_id, pk__in=ids
    ).in_bulk()


# "Confirm the obvious ones": how much lower the runner-up must score (see ``is_obvious``).
OBVIOUS_MARGIN = 0.10


# Flags that make a first candidate doubtful whatever its fields say (the rules' and the
# Fellegi–Sunter matcher's: ``linkage``, ``fellegi_sunter``).
DOUBTS = frozenset({
    linkage.FLAG_NIK_OF_OTHER, linkage.FLAG_NIK_CONFLICT, linkage.FLAG_AMBIGUOUS,
    "name_conflict", "serial_doubt", "namesake",
})  # fmt: skip


def _fields(candidate: dict) -> dict[str, dict]:
    return {c["field"]: c for c in candidate.get("comparisons", ())}


def is_obvious(candidates: list[dict]) -> bool:
    """Whether the first of a row's stored candidates is obviously the person:

    - its name is the same (``linkage.NAME_SAME``) and its birth date identical;
    - nothing else differs (NIK, KK, place, address, sex), and the NIK as typed is not another
      register row's, nor doubted by another flag (``DOUBTS``);
    - the runner-up, if any, differs in name or birth date and scores at least
      ``OBVIOUS_MARGIN`` lower.
    """
    if not candidates:
        return False
    first = _fields(candidates[0])
    if (
        first.get(linkage.FIELD_NAME, {}).get("level") != linkage.SAME
        or first.get(linkage.FIELD_BIRTH_DATE, {}).get("level") != linkage.SAME
        or any(c["agreement"] == linkage.DIFFER for c in first.values())
        or DOUBTS & set(candidates[0].get("flags", ()))
    ):
        return False
    if len(candidates) == 1:
        return True
    runner = _fields(candidates[1])
    lower = round(candidates[0]["score"] - candidates[1]["score"], 4) >= OBVIOUS_MARGIN
    return lower and any(
        runner.get(field, {}).get("agreement") == linkage.DIFFER
        for field in (linkage.FIELD_NAME, linkage.FIELD_BIRTH_DATE)
    )


def batch_rows_obvious(*, batch: EligibilityBatch) -> list[BatchRow]:
    """The rows waiting for review that ``is_obvious`` (what the bulk action confirms)."""
    pending = batch.rows.filter(review=BatchRow.Review.PENDING).order_by("row_number")
    return [
        row
        for row in pending.only("id", "batch", "row_number", "candidates")
        if is_obvious(row.candidates)
    ]


def batch_funnel(*, batch: EligibilityBatch) -> list[tuple[str, int, int]]:
    groups = batch.rows.order_by().values_list("reasons").annotate(n=Count("id"))
    return verdicts.funnel({frozenset(reasons): n for reasons, n in groups})


def batch_verdict_counts(*, batch: EligibilityBatch) -> dict[str, int]:
    """Rows per reason (a row with several reasons counts under each) and per verdict."""
    per_verdict = dict(batch.rows.order_by().values_list("verdict").annotate(n=Count("id")))
    return per_verdict


def programmes_for(*, user: User) -> QuerySet[Programme]:
    return Programme.objects.filter(organisation_id=user.organisation_id, is_active=True)


def snapshots_ready(*, user: User) -> QuerySet[RegisterSnapshot]:
    """The completed snapshots that hold register rows of the user's area, newest first."""
    offered = [s.pk for s in snapshots_for(organisation=user.organisation)]
    return RegisterSnapshot.objects.filter(pk__in=offered).order_by("-extract_date", "-finished_at")


# --- aggregates for the dashboard -------------------------------------------------------


def screening_facts(start, end, codes) -> QuerySet:
    """The kind "screening" of the summary tables: rows of completed eligibility batches per
    month the batch was made, village and set of reasons (comma-joined)."""
    from django.db.models import CharField, F, Func, Value
    from django.db.models.functions import TruncDate, TruncMonth

    rows = BatchRow.objects.filter(batch__status=EligibilityBatch.Status.DONE)
    if start is not None:
        rows = rows.filter(batch__created_at__date__gte=start, batch__created_at__date__lte=end)
    reasons = Func(F("reasons"), Value(","), function="array_to_string", output_field=CharField())
    return summaries.facts(
        rows, codes=codes, month=TruncMonth(TruncDate("batch__created_at")),
        region=F("village_code"), keys=[reasons],
    )  # fmt: skip


def screening_aggregates(*, codes: list[str], start, end, width: int = 8) -> dict:
    """The rows of the completed eligibility batches screened within the period whose
    village lies in the given codes: counts per set of reasons (for ``verdicts.funnel``),
    per verdict (the reason that first removed a row) and per area; by the database."""
    from assessments.models.eligibility import Verdict

    got = summaries.grouped(
        "screening", codes=codes, start=start, end=end, width=width,
        sets={"reasons": ["key1"], "area": ["area"]},
    )  # fmt: skip
    reason_groups: dict[frozenset, int] = {}
    for joined, n in got["reasons"]:
        reasons = frozenset(joined.split(",")) if joined else frozenset()
        reason_groups[reasons] = reason_groups.get(reasons, 0) + n
    return {
        "verdicts": list(Verdict.choices),
        "funnel": verdicts.funnel(reason_groups),
        "by_verdict": _per_verdict(reason_groups),
        "by_area": dict(got["area"]),
    }


def _per_verdict(reason_groups: dict[frozenset, int]) -> dict[str, int]:
    """Rows per verdict (the first reason that removed them), from the counts per set of
    reasons, so that they add up to what ``verdicts.funnel`` loses at each step."""
    counts: dict[str, int] = {}
    for reasons, n in reason_groups.items():
        verdict = verdicts.verdict_of(reasons)
        counts[verdict] = counts.get(verdict, 0) + n
    return counts


def matched_rows(*, batch: EligibilityBatch, register_ids) -> dict[int, int]:
    """Of ``register_ids``, those a row of ``batch`` is matched to (automatically or by a
    review), with the first such row's number."""
    found = (
        batch.rows.filter(match_id__in=list(register_ids))
        .exclude(review=BatchRow.Review.PENDING)
        .order_by("-row_number")
        .values_list("match_id", "row_number")
    )
    return dict(found)  # the last pair of a register row wins: its first row
