"""The Fellegi–Sunter matcher in batch screening (issue 8): its parameters estimated once per
batch, after loading and before the chunks, and stored on the batch; the chunks then match
with the stored model, so re-runs and retried chunks give the same verdicts.

Estimation (``batch_estimate``) reads, as a chunk reads them (``REGISTER_SQL``, inside the
organisation's area only):
- the blocks of a seeded sample of the batch's rows: the comparison patterns EM learns m and
  the prior from, and the register rows whose name frequencies weigh exact names;
- a seeded sample of the area's register rows made queries, with their own blocks: u.
A batch too small to learn from borrows the latest parameters of its organisation and
snapshot (stored as its own), or, without any, is matched by the rules (``linkage``).
"""

from __future__ import annotations

import logging
import random
import time
from collections import defaultdict

from django.conf import settings
from django.db import connection

from assessments import fellegi_sunter as fs
from assessments import linkage, verdicts
from assessments.models import EligibilityBatch
from atensi.accounts import policy

logger = logging.getLogger(__name__)

FELLEGI_SUNTER = "fellegi_sunter"
RULES = "rules"
METHOD = "fellegi_sunter"  # BatchRow.match_method of a row the model matched
# Batch rows whose blocks are read for m and the prior (all of a smaller batch), and
# register rows made queries for u (the module's measured setting); fixed seeds, so that
# estimating the same batch twice gives the same parameters.
ESTIMATE_ROWS = 20_000
U_SAMPLE = 4_000
SEED = 0

# A seeded sample of the area's register rows (twice what is kept: the sample is Bernoulli).
_SAMPLE_SQL = """
    SELECT id, nik, kk_number, name, name_key, birth_date, sex, village_code, address, decile
    FROM assessments_registerrow TABLESAMPLE BERNOULLI (%(percent)s) REPEATABLE (%(seed)s)
    WHERE snapshot_id = %(snapshot)s
      AND (village_code = ANY(%(area)s) OR village_code LIKE ANY(%(area_prefixes)s))
"""


def enabled() -> bool:
    return getattr(settings, "ELIGIBILITY_MATCHER", RULES) == FELLEGI_SUNTER


def batch_estimate(*, batch_id) -> None:
    """Store on the batch the parameters its chunks match with, unless it has them already
    (a re-run, a redelivered task) or the rule matcher is configured."""
    batch = EligibilityBatch.objects.select_related("organisation").get(pk=batch_id)
    if not enabled() or batch.status != EligibilityBatch.Status.RUNNING:
        return
    if batch.linkage_parameters is not None:
        if batch.linkage_parameters.get("version") == fs.PARAMETERS_VERSION:
            return
        # Estimated by an earlier version of the model (other comparisons): again.
        EligibilityBatch.objects.filter(pk=batch.pk).update(linkage_parameters=None)
    rows = list(
        batch.rows.exclude(reasons__contains=[verdicts.OUTSIDE_AREA])
        .order_by("row_number")
        .values_list("chunk_key", *ROW_FIELDS)
    )  # fmt: skip
    minimum = getattr(settings, "ELIGIBILITY_ESTIMATE_MIN_ROWS", 500)
    area = policy.organisation_area_codes(batch.organisation)
    if len(rows) >= minimum and area:
        started = time.perf_counter()
        data = estimate(batch=batch, rows=rows, area=area).as_dict()
        data["stats"]["seconds"] = round(time.perf_counter() - started, 3)
    else:
        data = latest_parameters(batch=batch)
    if data is not None:
        EligibilityBatch.objects.filter(pk=batch.pk, linkage_parameters__isnull=True).update(
            linkage_parameters=data
        )


def latest_parameters(*, batch: EligibilityBatch) -> dict | None:
    """The parameters of the organisation's latest batch on the same snapshot that estimated
    its own, marked as borrowed; None when there is none."""
    donor = (
        EligibilityBatch.objects.filter(
            organisation_id=batch.organisation_id,
            snapshot_id=batch.snapshot_id,
            linkage_parameters__isnull=False,
        )
        .exclude(pk=batch.pk)
        .exclude(linkage_parameters__has_key="borrowed_from")
        .order_by("-created_at")
        .values_list("pk", "linkage_parameters")
        .first()
    )
    if donor is None:
        return None
    pk, data = donor
    if data.get("version") != fs.PARAMETERS_VERSION:
        return None
    return {**data, "borrowed_from": str(pk)}


# A batch row as ``estimate`` reads it (after its chunk key): what ``person_of`` reads.
ROW_FIELDS = ("nik", "kk_number", "name", "birth_date", "sex", "village_code", "address")


def _person(nik, kk, name, born, sex, village, address) -> linkage.Person:
    return linkage.Person(
        nik=nik, kk=kk, name=name, name_key=linkage.name_key(name), birth_date=born, sex=sex,
        village_code=village, address=address,
    )  # fmt: skip


def estimate(*, batch: EligibilityBatch, rows: list[tuple], area: list[str]) -> fs.Parameters:
    """``fellegi_sunter.estimate`` over a seeded sample of ``rows`` (chunk key and
    ``ROW_FIELDS``, in row order) and their blocks."""
    rng = random.Random(SEED)
    sample = rows if len(rows) <= ESTIMATE_ROWS else rng.sample(rows, ESTIMATE_ROWS)
    people = [_person(*r[1:]) for r in sample]
    chunks = [r[0] for r in sample]
    candidates, read = _blocks(batch, chunks, people, area)
    u_rows = _register_sample(batch, area)

    def blocks_of(queries: list[linkage.Person]):
        from assessments.services.eligibility import district_of

        return _blocks(batch, [district_of(q.village_code) for q in queries], queries, area)[0]

    return fs.estimate(
        people, candidates, rows=list(read.values()), u_rows=u_rows, blocks_of=blocks_of,
        u_sample=U_SAMPLE, seed=SEED,
    )  # fmt: skip


def _blocks(batch, chunks: list[str], people: list[linkage.Person], area: list[str]):
    """Each person's candidates, read per district chunk as the chunks read them; and every
    register row read, by id."""
    from assessments.services.eligibility import register_read

    members: dict[str, list[int]] = defaultdict(list)
    for i, key in enumerate(chunks):
        members[key].append(i)
    candidates: list[list[linkage.Candidate]] = [[] for _ in people]
    read: dict = {}
    for key in sorted(members):
        group = [people[i] for i in members[key]]
        found = register_read(
            snapshot_id=batch.snapshot_id, key=key, people=group, area=area, extra=True
        )
        read.update(found)
        index = fs.CandidateIndex(found.values())
        for i, person in zip(members[key], group, strict=True):
            candidates[i] = index.candidates_for(person)
    return candidates, read


def _register_sample(batch: EligibilityBatch, area: list[str]) -> list[linkage.Candidate]:
    """About 2 × U_SAMPLE register rows of the area, the same ones every time (a Bernoulli
    sample at the rate the snapshot's rows per regency give; all of them when too few)."""
    counts = batch.snapshot.area_rows or {}
    total = sum(
        n
        for code, n in counts.items()
        if policy.code_in_area(code, area) or any(a.startswith(f"{code}.") for a in area)
    )
    percent = 100.0 if not total else min(100.0, 100.0 * 2 * U_SAMPLE / total)
    rows = _sample(batch, area, percent)
    if len(rows) < U_SAMPLE and percent < 100.0:
        rows = _sample(batch, area, 100.0)
    return rows


def _sample(batch: EligibilityBatch, area: list[str], percent: float) -> list[linkage.Candidate]:
    with connection.cursor() as cursor:
        cursor.execute(
            _SAMPLE_SQL,
            {
                "percent": percent, "seed": SEED, "snapshot": batch.snapshot_id, "area": area,
                "area_prefixes": [f"{code}.%" for code in area],
            },
        )  # fmt: skip
        return [
            linkage.Candidate(
                id=rid,
                nik=nik,
                kk=kk,
                name=name,
                name_key=key,
                birth_date=born,
                sex=sex,
                village_code=village,
                address=address,
                decile=decile,
            )
            for rid, nik, kk, name, key, born, sex, village, address, decile in cursor.fetchall()
        ]


def model_of(batch: EligibilityBatch) -> fs.Model | None:
    """The model a batch's chunks match with; None: the rule matcher."""
    data = batch.linkage_parameters
    if not data or data.get("version") != fs.PARAMETERS_VERSION:
        return None
    fields = {k: v for k, v in data.items() if k != "borrowed_from"}
    return fs.Model(fs.Parameters.from_dict(fields))


def match(model: fs.Model, query: linkage.Person, found: list[linkage.Candidate]):
    """(status, matched candidate, method, score, stored candidates) as ``_match_row``
    returns them: the probability as the score; the candidates offered to a reviewer (of a
    match, the one matched), each with ``linkage.compare``'s comparisons and the model's
    evidence."""
    result = model.match(query, found)
    if result.status == fs.NONE or result.candidate is None:
        return "none", None, METHOD, round(result.probability, 6), []
    offered = result.candidates if result.status == fs.REVIEW else result.candidates[:1]
    stored = [stored_candidate(query, s) for s in offered]
    return result.status, result.candidate, METHOD, round(result.probability, 6), stored


def stored_candidate(query: linkage.Person, scored: fs.Scored) -> dict:
    from assessments.services.eligibility import stored_candidate as compared

    probability = round(scored.probability, 6)
    item = compared(query, linkage.ScoredCandidate(scored.candidate, METHOD, probability))
    item["flags"] = list(scored.flags)
    item["probability"] = probability
    item["weight"] = scored.weight
    item["evidence"] = [
        {"comparison": e.comparison, "level": e.level, "weight": e.weight,
         "frequency": e.frequency}
        for e in scored.evidence
    ]  # fmt: skip
    return item


def explanation(candidate: dict, *, count: int, translate) -> list[str]:
    """What a stored candidate's evidence says, in the reader's words (``fs.explain``);
    nothing for a candidate the rules matched."""
    if "evidence" not in candidate:
        return []
    scored = fs.Scored(
        candidate=None,
        evidence=tuple(fs.Evidence(**e) for e in candidate["evidence"]),
        weight=candidate.get("weight", 0.0),
        probability=candidate.get("probability", candidate.get("score") or 0.0),
        flags=tuple(candidate.get("flags", ())),
    )
    return fs.explain(scored, candidates=count, translate=translate)
