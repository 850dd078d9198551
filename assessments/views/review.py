"""The review queue of a screened batch: each row waiting for review beside its candidates
from the register, field by field; choose one, reject them all, or confirm the obvious ones.

Register data is shown only for candidates inside the reader's area, NIKs and KKs masked.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Exists, OuterRef
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from aid.models import Proposal
from assessments import fellegi_sunter as fs
from assessments import linkage
from assessments.models import BatchRow, EligibilityBatch
from assessments.models.eligibility import MATCH_METHODS
from assessments.selectors import eligibility as selectors
from assessments.services import eligibility as services
from assessments.services import matching
from atensi.accounts import policy
from atensi.accounts.models import User
from atensi.audit.models import AuditEvent
from atensi.audit.services import audit_record
from atensi.regions.models import Region
from atensi.regions.selectors import region_short_name
from atensi.views import perform
from cases.choices import Sex
from cases.nik import mask_nik

# The queue shows this many rows at a time; the next ones come up as these are decided.
QUEUE_LIMIT = 200
# Decisions of the reviewer listed with their undo at the top of the queue.
RECENT_DECISIONS = 5

FIELD_LABELS = {
    linkage.FIELD_NIK: gettext_lazy("NIK"),
    linkage.FIELD_NAME: gettext_lazy("Name"),
    linkage.FIELD_BIRTH_DATE: gettext_lazy("Date of birth"),
    linkage.FIELD_KK: gettext_lazy("Family card number (KK)"),
    linkage.FIELD_PLACE: gettext_lazy("Place"),
    linkage.FIELD_ADDRESS: gettext_lazy("Address"),
    linkage.FIELD_SEX: gettext_lazy("Sex"),
}
LEVEL_LABELS = {
    linkage.SAME: gettext_lazy("same"),
    linkage.DIFFERENT: gettext_lazy("different"),
    linkage.MISSING: gettext_lazy("missing on one side"),
    linkage.ONE_DIGIT: gettext_lazy("one digit differs"),
    linkage.SWAPPED: gettext_lazy("two digits swapped"),
    linkage.SIMILAR: gettext_lazy("similar"),
    linkage.CLOSE: gettext_lazy("close"),
    linkage.SAME_VILLAGE: gettext_lazy("same village"),
    linkage.SAME_DISTRICT: gettext_lazy("same kecamatan, another village"),
    linkage.ELSEWHERE: gettext_lazy("another kecamatan"),
}
NOTE_LABELS = {
    linkage.NOTE_OTHER_ORDER: gettext_lazy("the same words in another order"),
    linkage.NOTE_SPELLING: gettext_lazy(
        "written otherwise: a spelling variant, a short form, or joined or split"
    ),
    linkage.NOTE_DAY_MONTH_SWAPPED: gettext_lazy("day and month swapped"),
    linkage.NOTE_YEAR: gettext_lazy("only the year differs"),
    linkage.NOTE_ONE_DIGIT: gettext_lazy("one digit differs"),
    linkage.NOTE_JANUARY_FIRST: gettext_lazy(
        "1 January is often written when the date is not known"
    ),
}
# Each agreement is told by an icon and a word, never by colour alone.
AGREEMENTS = {
    linkage.AGREE: (gettext_lazy("agrees"), "bi-check-circle-fill"),
    linkage.CLOSE: (gettext_lazy("nearly agrees"), "bi-circle-half"),
    linkage.DIFFER: (gettext_lazy("differs"), "bi-x-circle-fill"),
    linkage.UNKNOWN: (gettext_lazy("cannot be compared"), "bi-question-circle"),
}
# Flags the fields do not already show.
FLAG_LABELS = {
    linkage.FLAG_NIK_OF_OTHER: gettext_lazy(
        "The NIK as typed belongs to another person in the register."
    ),
    linkage.FLAG_AMBIGUOUS: gettext_lazy("Another register row scored almost as high."),
    fs.FLAG_OWNER: gettext_lazy("This register row holds the NIK as typed."),
    fs.FLAG_NAME_CONFLICT: gettext_lazy(
        "The NIK as typed is this person's, but under another name."
    ),
    fs.FLAG_NAMESAKE: gettext_lazy(
        "Without a NIK or family card, a namesake in the village is as likely as this person."
    ),
    fs.FLAG_SERIAL_DOUBT: gettext_lazy(
        "The NIK differs only in its serial, which may be a namesake's born the same day."
    ),
    linkage.FLAG_NIK_CONFLICT: gettext_lazy(
        "Both have a NIK and they are unrelated: this may be a namesake."
    ),
}
# Flags that are not a warning.
FLAG_REASSURING = frozenset({fs.FLAG_OWNER})
SEXES = dict(Sex.choices)


def _place_labels(codes: set[str]) -> dict[str, str]:
    """ "Kayuagung (Kec. Kayu Agung)" for each village code; one query."""
    villages = Region.objects.filter(code__in=codes - {""}).select_related("parent")
    return {
        v.code: f"{v.name} ({region_short_name(v.parent)})" if v.parent else v.name
        for v in villages
    }


def shown_values(
    *, nik: str, kk: str, name: str, born, village: str, address: str, sex: str, places
) -> dict:
    """A person's values as the page shows them, by field: NIK and KK masked."""
    return {
        linkage.FIELD_NIK: mask_nik(nik) if nik else "—",
        linkage.FIELD_NAME: name or "—",
        linkage.FIELD_BIRTH_DATE: f"{born:%d-%m-%Y}" if born else "—",
        linkage.FIELD_KK: mask_nik(kk) if kk else "—",
        linkage.FIELD_PLACE: places.get(village, village) or "—",
        linkage.FIELD_ADDRESS: address or "—",
        linkage.FIELD_SEX: str(SEXES.get(sex, sex)) if sex else "—",
    }


def _legacy(row: BatchRow, register) -> list[dict]:
    """A row screened before candidates were stored: its proposed match, compared now."""
    if register is None:
        return []
    candidate = services.candidate_of(register)
    scored = linkage.ScoredCandidate(candidate, row.match_method, row.match_score or 0.0)
    return [services.stored_candidate(services.person_of(row), scored)]


def _cell(value: str, comparison: dict | None) -> dict:
    comparison = comparison or {"level": linkage.MISSING, "agreement": linkage.UNKNOWN}
    agreement = comparison["agreement"]
    word, icon = AGREEMENTS.get(agreement, AGREEMENTS[linkage.UNKNOWN])
    notes = [str(NOTE_LABELS.get(n, n)) for n in comparison.get("notes", ())]
    if comparison.get("similarity") is not None and comparison["similarity"] < 1:
        notes.insert(0, _("name similarity %(percent)d%%") % {
            "percent": round(100 * comparison["similarity"]),
        })  # fmt: skip
    return {
        "value": value,
        "agreement": agreement,
        "agreement_label": word,
        "icon": icon,
        "text": LEVEL_LABELS.get(comparison["level"], comparison["level"]),
        "notes": notes,
    }


def _review_row(
    row: BatchRow, registers: dict, places: dict, obvious: set[int], taken: dict[int, int]
) -> dict:
    """What the page shows of one row: its candidates inside the reader's area, best first,
    and a line per field with the proposal's value beside each candidate's. ``taken``: the
    register rows another row of the batch is matched to, with that row's number."""
    stored = row.candidates or _legacy(row, registers.get(row.match_id))
    candidates = []
    for position, c in enumerate(stored, start=1):
        register = registers.get(int(c["id"]))
        if register is None:  # outside the reader's area: nothing of it is shown
            continue
        flags = [f for f in c.get("flags", ()) if f in FLAG_LABELS]
        candidates.append({
            "position": position,
            "id": register.pk,
            "register": register,
            "method_label": MATCH_METHODS.get(c["method"], c["method"]),
            "score": c["score"],
            "probability_percent": (
                matching.percent(c["probability"]) if c.get("probability") is not None else None
            ),
            "notes": [FLAG_LABELS[f] for f in flags if f in FLAG_REASSURING],
            "warnings": [FLAG_LABELS[f] for f in flags if f not in FLAG_REASSURING]
            + (
                [_("Already the match of row %(row)d of this list: the same person twice?")
                 % {"row": taken[register.pk]}]
                if register.pk in taken
                else []
            ),
            "explanation": matching.explanation(c, count=len(stored), translate=_),
            "comparisons": {x["field"]: x for x in c.get("comparisons", ())},
        })  # fmt: skip
    for c in candidates:
        # A candidate whose name is another is offered, but not as the obvious button.
        name = c["comparisons"].get(linkage.FIELD_NAME, {})
        c["name_differs"] = name.get("level") == linkage.DIFFERENT
    proposal = shown_values(
        nik=row.nik_input, kk=row.kk_number, name=row.name, born=row.birth_date,
        village=row.village_code, address=row.address, sex=row.sex, places=places,
    )  # fmt: skip
    for c in candidates:
        register = c["register"]
        c["shown"] = shown_values(
            nik=register.nik, kk=register.kk_number, name=register.name,
            born=register.birth_date, village=register.village_code,
            address=register.address, sex=register.sex, places=places,
        )  # fmt: skip
    fields = [
        {
            "label": FIELD_LABELS[field],
            "proposal": proposal[field],
            "cells": [_cell(c["shown"][field], c["comparisons"].get(field)) for c in candidates],
            "mono": field in (linkage.FIELD_NIK, linkage.FIELD_KK),
        }
        for field in linkage.FIELDS
    ]
    return {
        "row": row,
        "candidates": candidates,
        "hidden": len(stored) - len(candidates),
        "fields": fields,
        "obvious": row.pk in obvious,
    }


@login_required
def batch_review(request, pk):
    batch = selectors.batch_get(user=request.user, pk=pk)
    pending = selectors.batch_rows(batch=batch, review=BatchRow.Review.PENDING)
    rows = list(pending[:QUEUE_LIMIT])
    total = len(rows) if len(rows) < QUEUE_LIMIT else pending.count()
    registers = selectors.candidate_registers(batch=batch, rows=rows, user=request.user)
    places = _place_labels(
        {r.village_code for r in rows} | {r.village_code for r in registers.values()}
    )
    can_review = policy.has_role(request.user, {User.Role.SUPERVISOR})
    obvious = selectors.batch_rows_obvious(batch=batch) if can_review else []
    taken = selectors.matched_rows(batch=batch, register_ids=registers)
    # The reviewer's latest decisions in this batch, each with its undo.
    decided = (
        list(
            batch.rows.filter(
                reviewed_by=request.user,
                review__in=[BatchRow.Review.CONFIRMED, BatchRow.Review.REJECTED],
            )
            # A decision an aid proposal was made from stays: no undo is offered.
            .annotate(proposed=Exists(Proposal.objects.filter(batch_row=OuterRef("pk"))))
            .order_by("-reviewed_at")[:RECENT_DECISIONS]
        )
        if can_review
        else []
    )
    audit_record(actor=request.user, action=AuditEvent.Action.VIEW, obj=batch, request=request,
                 summary="review queue")  # fmt: skip
    return render(request, "assessments/batch_review.html", {
        "batch": batch,
        "rows": [
            _review_row(r, registers, places, {o.pk for o in obvious}, taken) for r in rows
        ],
        "total": total,
        "can_review": can_review,
        "decided": decided,
        "obvious": obvious,
        "obvious_numbers": ", ".join(str(o.row_number) for o in obvious[:30])
        + (" …" if len(obvious) > 30 else ""),
        "obvious_margin": number_format(selectors.OBVIOUS_MARGIN, 2),
    })  # fmt: skip


def _queue_after(batch: EligibilityBatch, row: BatchRow) -> str:
    """The review queue at the next row waiting after ``row`` (or the first one)."""
    url = reverse("assessments:batch-review", args=[batch.pk])
    pending = batch.rows.filter(review=BatchRow.Review.PENDING).order_by("row_number")
    following = pending.filter(row_number__gt=row.row_number).first() or pending.first()
    return f"{url}#baris-{following.row_number}" if following else url


@login_required
@require_POST
def batch_row_review(request, pk, row_pk):
    """One row decided: ``choice`` is a candidate's register row id, or "none"; the form of
    earlier pages sent ``decision`` = "confirm" / "reject"."""
    batch = selectors.batch_get(user=request.user, pk=pk)
    row = selectors.batch_row_get(batch=batch, pk=row_pk)
    choice = request.POST.get("choice") or request.POST.get("decision", "")
    if choice in ("none", "reject"):
        confirm, candidate_id = False, None
    elif choice == "confirm":
        confirm, candidate_id = True, None
    elif choice.isdigit():
        confirm, candidate_id = True, int(choice)
    else:
        messages.error(request, _("Choose a candidate, or none of them."))
        return redirect(_queue_after(batch, row))

    def told(judged: BatchRow) -> str:
        offered = [int(c["id"]) for c in judged.candidates]
        if candidate_id is not None and candidate_id in offered:
            return _("Row %(row)d: candidate %(n)d chosen; verdict now %(verdict)s.") % {
                "row": judged.row_number,
                "n": offered.index(candidate_id) + 1,
                "verdict": judged.get_verdict_display(),
            }
        return _("Row %(row)d: match %(decision)s; verdict now %(verdict)s.") % {
            "row": judged.row_number,
            "decision": _("confirmed") if confirm else _("rejected"),
            "verdict": judged.get_verdict_display(),
        }

    perform(
        request,
        lambda: services.batch_row_review(
            row=row,
            by=request.user,
            confirm=confirm,
            candidate_id=candidate_id,
            request=request,
        ),  # fmt: skip
        told,
    )
    return redirect(_queue_after(batch, row))


@login_required
@require_POST
def batch_row_reopen(request, pk, row_pk):
    """Undo a decision: the row waits for review again."""
    batch = selectors.batch_get(user=request.user, pk=pk)
    row = selectors.batch_row_get(batch=batch, pk=row_pk)
    perform(
        request,
        lambda: services.batch_row_reopen(row=row, by=request.user, request=request),
        lambda reopened: (
            _("Row %(row)d: decision undone; it waits for review again.")
            % {"row": reopened.row_number}
        ),
    )
    url = reverse("assessments:batch-review", args=[batch.pk])
    return redirect(f"{url}#baris-{row.row_number}")


@login_required
@require_POST
def batch_review_obvious(request, pk):
    """Confirm the obvious rows the reviewer was shown (``row``: their ids)."""
    batch = selectors.batch_get(user=request.user, pk=pk)
    ids = [int(v) for v in request.POST.getlist("row") if v.isdigit()]
    perform(
        request,
        lambda: services.batch_confirm_obvious(
            batch=batch, by=request.user, row_ids=ids, request=request
        ),
        lambda confirmed: (
            ngettext(
                "%(n)d obvious match confirmed.", "%(n)d obvious matches confirmed.", len(confirmed)
            )
            % {"n": len(confirmed)}
        ),
    )
    return redirect("assessments:batch-review", pk=batch.pk)
