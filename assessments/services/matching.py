"""The Fellegi–Sunter matcher in batch screening (issue 8): its parameters estimated once per
batch, after loading and before the chunks, and stored on the batch; the chunks then match
with the stored model, so re-runs and retried chunks give the same verdicts.

Estimation (``batch_estimate``) reads whole district chunks of the batch drawn at random
(inside the organisation's area only): their rows' blocks as a chunk reads them
(``REGISTER_SQL``), the comparison patterns EM learns m and the prior from; and every
register row of those districts, for the name frequencies and, made queries and blocked
among themselves, for u. A batch too small to learn from borrows the latest parameters of
its organisation and snapshot (stored as its own), or, without any, is matched by the rules
(``linkage``).
"""

from __future__ import annotations

import logging
import random
import time
from collections import defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.db import connection
from django.db.models import TextField
from django.db.models.functions import MD5, Cast
from django.utils.formats import number_format

from assessments import fellegi_sunter as fs
from assessments import linkage, verdicts
from assessments.models import EligibilityBatch
from atensi.accounts import policy

logger = logging.getLogger(__name__)

FELLEGI_SUNTER = "fellegi_sunter"
RULES = "rules"
METHOD = "fellegi_sunter"  # BatchRow.match_method of a row the model matched
CONFIGURED_RULES = "configured_rules"  # Summary.method: the rules, as configured
# Batch rows whose blocks are read for m and the prior (whole district chunks, until at
# least this many; all of a smaller batch), and register rows of those districts made
# queries for u; fixed seeds, so that estimating the same batch twice gives the same
# parameters. Measured (tests/bench/run.py, hard noise, 2,000,000 / 100,000, seed 1): 20,000
# rows give no better F1 than 5,000 (0.99544 / 0.99552); u from 4,000 rows better than from
# 2,000 (0.99565 / 0.99552, estimation 8.5 s / 6.2 s).
ESTIMATE_ROWS = 5_000
U_SAMPLE = 4_000
SEED = 0


def enabled() -> bool:
    return getattr(settings, "ELIGIBILITY_MATCHER", RULES) == FELLEGI_SUNTER


def batch_estimate(*, batch_id) -> None:
    """Store on the batch the parameters its chunks match with, unless it has them already
    (a re-run, a redelivered task) or the rule matcher is configured."""
    from assessments.services.eligibility import PERSON_FIELDS

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
        .values_list("chunk_key", *PERSON_FIELDS)
    )  # fmt: skip
    minimum = getattr(settings, "ELIGIBILITY_ESTIMATE_MIN_ROWS", 500)
    area = policy.organisation_area_codes(batch.organisation)
    data = None
    if len(rows) >= minimum and area:
        started = time.perf_counter()
        params = estimate(batch=batch, rows=rows, area=area)
        if params is not None:
            data = params.as_dict()
            data["stats"]["seconds"] = round(time.perf_counter() - started, 3)
    if data is None:
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


def estimate(
    *, batch: EligibilityBatch, rows: list[tuple], area: list[str]
) -> fs.Parameters | None:
    """``fellegi_sunter.estimate`` over ``rows`` (chunk key, then ``PERSON_FIELDS``) in whole
    district chunks, drawn at random (seeded) until they hold ESTIMATE_ROWS rows: their rows
    with their blocks, read as the chunks read them (m and the prior); every register row of
    those districts (the name frequencies, and U_SAMPLE of them made queries, blocked among
    those rows, for u). Two reads a district, whatever the sample's size. None when no row
    has a kecamatan to draw."""
    from assessments.services.eligibility import UNKNOWN_DISTRICT, person_from, register_read

    by_chunk: dict[str, list[tuple]] = defaultdict(list)
    for row in rows:
        by_chunk[row[0]].append(row)
    keys = sorted(k for k in by_chunk if k != UNKNOWN_DISTRICT)
    random.Random(SEED).shuffle(keys)
    chosen, taken = [], 0
    for key in keys:
        if taken >= ESTIMATE_ROWS:
            break
        chosen.append(key)
        taken += len(by_chunk[key])
    if not chosen:
        return None
    people: list[linkage.Person] = []
    candidates: list[list[linkage.Candidate]] = []
    read: dict = {}
    district_rows: list[linkage.Candidate] = []
    for key in sorted(chosen):
        group = [person_from(*r[1:]) for r in by_chunk[key]]
        found = register_read(
            snapshot_id=batch.snapshot_id, key=key, people=group, area=area, extra=True
        )
        read.update(found)
        index = fs.CandidateIndex(found.values())
        people += group
        candidates += [index.candidates_for(p) for p in group]
        district_rows += _district(batch, key, area)
    district_index = fs.CandidateIndex(district_rows)

    def blocks_of(queries: list[linkage.Person]):
        return [district_index.candidates_for(q) for q in queries]

    params = fs.estimate(
        people, candidates, rows=district_rows or list(read.values()), u_rows=district_rows,
        blocks_of=blocks_of, u_sample=U_SAMPLE, seed=SEED,
    )  # fmt: skip
    params.stats["districts"] = len(chosen)
    return params


# Every register row of a district, inside the organisation's area.
_DISTRICT_SQL = """
    SELECT id, nik, kk_number, name, name_key, birth_date, sex, village_code, address, decile
    FROM assessments_registerrow
    WHERE snapshot_id = %(snapshot)s AND village_code LIKE %(district)s
      AND (village_code = ANY(%(area)s) OR village_code LIKE ANY(%(area_prefixes)s))
"""


def _district(batch: EligibilityBatch, key: str, area: list[str]) -> list[linkage.Candidate]:
    from assessments.services.eligibility import candidate_from

    with connection.cursor() as cursor:
        cursor.execute(
            _DISTRICT_SQL,
            {
                "snapshot": batch.snapshot_id, "district": f"{key}.%", "area": area,
                "area_prefixes": [f"{code}.%" for code in area],
            },
        )  # fmt: skip
        return [candidate_from(*row) for row in cursor.fetchall()]


@dataclass(frozen=True, slots=True)
class Summary:
    """How a batch was matched, as its page tells it: ``method`` (FELLEGI_SUNTER; RULES:
    nothing to learn from or borrow; CONFIGURED_RULES: ``ELIGIBILITY_MATCHER=rules``);
    for the model, the thresholds, what it was learnt from (``queries`` rows of
    ``districts`` kecamatan, or the batch it was ``borrowed_from``) and ``weights``:
    (comparison, level, bits with a NIK, bits without: None for the NIK) for every level."""

    method: str
    auto: float | None = None
    review: float | None = None
    queries: int | None = None
    districts: int | None = None
    borrowed_from: EligibilityBatch | None = None
    weights: tuple[tuple[str, str, float, float | None], ...] = ()


def summary(batch: EligibilityBatch) -> Summary:
    data = batch.linkage_parameters
    if not data or data.get("version") != fs.PARAMETERS_VERSION:
        return Summary(method=RULES if enabled() else CONFIGURED_RULES)
    params = fs.Parameters.from_dict({k: v for k, v in data.items() if k != "borrowed_from"})
    donor = None
    if data.get("borrowed_from"):
        donor = EligibilityBatch.objects.filter(pk=data["borrowed_from"]).only("id", "name").first()
    weights = tuple(
        (
            c, level, params.weight(fs.WITH_NIK, c, level),
            None if c == fs.NIK else params.weight(fs.WITHOUT_NIK, c, level),
        )
        for c in fs.COMPARISONS
        for level in fs.LEVELS[c]
    )  # fmt: skip
    return Summary(
        method=FELLEGI_SUNTER, auto=params.auto, review=params.review,
        queries=params.stats.get("queries"), districts=params.stats.get("districts"),
        borrowed_from=donor, weights=weights,
    )  # fmt: skip


def model_of(batch: EligibilityBatch) -> fs.Model | None:
    """The model a batch's chunks match with; None: the rule matcher."""
    return _model(batch.linkage_parameters)


def _model(data: dict | None) -> fs.Model | None:
    if not data or data.get("version") != fs.PARAMETERS_VERSION:
        return None
    fields = {k: v for k, v in data.items() if k != "borrowed_from"}
    return fs.Model(fs.Parameters.from_dict(fields))


# The model of the batch this process screened a chunk of last: (batch id, digest of its
# parameters, model). A batch's chunks share it, so a chunk neither reads nor parses the
# parameters again (a few hundred kB) and the model's caches stay warm.
_last_model: tuple = (None, None, None)


def chunk_model(batch_id) -> fs.Model | None:
    """``model_of`` the batch, kept in this process while its parameters stay the same
    (compared by a digest the database computes; re-estimated parameters are read anew)."""
    global _last_model
    batches = EligibilityBatch.objects.filter(pk=batch_id)
    digest = batches.values_list(
        MD5(Cast("linkage_parameters", output_field=TextField())), flat=True
    ).get()
    cached_id, cached_digest, model = _last_model
    if digest is None:
        return None
    if cached_id != batch_id or cached_digest != digest:
        model = _model(batches.values_list("linkage_parameters", flat=True).get())
        _last_model = (batch_id, digest, model)
    return model


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


def percent(fraction: float) -> str:
    """``fraction`` as a percentage in the reader's format, with the decimals it needs not
    to read 100 % when less certain (``fellegi_sunter.percent_digits``); without "%"."""
    value = 100 * fraction
    return number_format(value, fs.percent_digits(value))


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
    # number_format: the reader's number format ("4,7" in Indonesian).
    return fs.explain(scored, candidates=count, translate=translate, number=number_format)
