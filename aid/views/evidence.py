"""The screening evidence on a proposal's page: the row as the proposal list gave it beside
the register row it was matched to, field by field, and who confirmed the match."""

from django.utils.translation import gettext as _

from assessments import linkage
from assessments.models import BatchRow
from assessments.selectors import eligibility as batch_selectors
from assessments.services import eligibility as screening
from assessments.views import review
from atensi.regions.models import Region

# The fields the proposal page compares between the screened row and its register match.
MATCH_FIELDS = (linkage.FIELD_NIK, linkage.FIELD_NAME, linkage.FIELD_BIRTH_DATE,
                linkage.FIELD_PLACE, linkage.FIELD_ADDRESS)  # fmt: skip


def _agreement(comparison: dict | None) -> dict:
    """An agreement told by a word and an icon (never colour alone), with its detail."""
    comparison = comparison or {"level": linkage.MISSING, "agreement": linkage.UNKNOWN}
    agreement = comparison["agreement"]
    word, icon = review.AGREEMENTS.get(agreement, review.AGREEMENTS[linkage.UNKNOWN])
    notes = [str(review.NOTE_LABELS.get(n, n)) for n in comparison.get("notes", ())]
    if comparison.get("similarity") is not None and comparison["similarity"] < 1:
        notes.insert(0, _("name similarity %(percent)d%%")
                     % {"percent": round(100 * comparison["similarity"])})  # fmt: skip
    return {
        "agreement": agreement, "word": word, "icon": icon,
        "text": review.LEVEL_LABELS.get(comparison["level"], comparison["level"]),
        "notes": notes,
    }  # fmt: skip


def match_evidence(user, row) -> dict | None:
    """The screened row as the list gave it beside the register row it was matched to, field
    by field with what agrees and what differs (the comparison stored at screening, else
    compared now), and who confirmed the match when. Register data only inside the reader's
    area, NIKs masked."""
    if row is None or not row.match_id:
        return None
    register = batch_selectors.candidate_registers(batch=row.batch, rows=[row], user=user).get(
        row.match_id
    )
    stored = next((c for c in row.candidates if int(c["id"]) == row.match_id), None)
    if stored is None and register is not None:
        scored = linkage.ScoredCandidate(screening.candidate_of(register), "", 0.0)
        stored = screening.stored_candidate(screening.person_of(row), scored)
    comparisons = {c["field"]: c for c in (stored or {}).get("comparisons", ())}
    codes = {row.village_code} | ({register.village_code} if register else set())
    places = dict(Region.objects.filter(code__in=codes - {""}).values_list("code", "name"))
    given = review.shown_values(
        nik=row.nik_input or row.nik, kk="", name=row.name, born=row.birth_date,
        village=row.village_code, address=row.address, sex="", places=places,
    )  # fmt: skip
    found = register and review.shown_values(
        nik=register.nik, kk="", name=register.name, born=register.birth_date,
        village=register.village_code, address=register.address, sex="", places=places,
    )  # fmt: skip
    lines = [
        {
            "label": review.FIELD_LABELS[name],
            "given": given[name],
            "found": found[name] if found else None,
            "mono": name == linkage.FIELD_NIK,
            **(_agreement(comparisons.get(name)) if found else {}),
        }  # fmt: skip
        for name in MATCH_FIELDS
    ]
    return {
        "lines": lines,
        "register": register,
        "differs": [
            str(line["label"]) for line in lines if found and line["agreement"] == linkage.DIFFER
        ],  # fmt: skip
        "confirmed": row.review == BatchRow.Review.CONFIRMED,
        "reviewed": row.review in (BatchRow.Review.CONFIRMED, BatchRow.Review.REJECTED),
        "reviewed_by": row.reviewed_by,
        "reviewed_at": row.reviewed_at,
    }
