"""The yearly report of an area, in the shape the offices publish theirs: rehabilitation,
aid given, the satisfaction index (IKM) per service unit, IBM units, BNNK activities per
field of work with its urine tests and enforcement against the target, and the villages'
vulnerability — as PDF and XLSX.

Suppression: a yearly report is the office's own publication of its programme statistics.
The BNNK's enforcement figures (cases, suspects), the participants of its activities and
the people tested in urine tests are published as they are, like the narcotics board
publishes them. Counts of clients — rehabilitation episodes by modality and by outcome, aid
beneficiaries — are suppressed with the dashboard's rule (1–4 read "<5", "x" hides a larger
count that would reveal one). Money, activities, units, agents and villages are not counts
of people. The report names no client and holds no ID number.

Built from the dashboard's ``collect`` (every app's aggregates) with the dashboard's
``suppression`` module, plus two aggregate selectors of the apps (IBM units and agents,
activity rows); never from other apps' models.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from aid.money import format_thousands
from atensi.accounts import policy
from atensi.accounts.models import User
from atensi.audit.models import AuditEvent
from atensi.audit.services import audit_record
from atensi.db import replica
from atensi.documents import render_pdf
from atensi.errors import ApplicationError
from atensi.outage import require_queue
from atensi.spreadsheets import SafeWorkbook
from atensi.summaries import facts as summaries
from atensi.tasks import failure_text
from prevention import selectors as prevention_selectors
from rehab.selectors import ibm as ibm_selectors

from . import selectors
from .selectors import ALL, Area

Progress = Callable[[int], None] | None

# Who may generate a report: the dashboard's readers but the caseworker.
REPORTERS = policy.DASHBOARD_READERS - {User.Role.CASEWORKER}


def can_report(user: User) -> bool:
    return policy.has_role(user, REPORTERS)


def footnote() -> str:
    return _(
        "Counts of clients (rehabilitation by modality and outcome, aid beneficiaries) from 1 "
        "to 4 read <5, and x hides a larger count that would reveal one. The BNNK's "
        "enforcement figures, activity participants and urine tests are the office's "
        "programme statistics and are published as they are. The report names no client."
    )


def report_data(area: Area, year: int, *, progress: Progress = None) -> dict:
    """Every figure of the area's year, published (see the module's rule on suppression)."""

    def step(percent: int) -> None:
        if progress is not None:
            progress(percent)

    period = selectors.parse_period(str(year))
    raw = selectors.collect(area, period)
    step(50)
    codes = list(area.codes)

    # The client counts as the dashboard of the same area and year shows them (its totals of
    # the episodes' table, its people aided): suppressed on their own, the report's totals
    # gave what the dashboard's table hides ("Completed 6" beside its "x").
    show = selectors.shown(selectors.count(raw))
    ep = raw.episodes
    outcome_labels = [("", _("Still open")), *ep["outcomes"]]

    ho = raw.handovers

    ikm_rows = []
    for i, unit in enumerate(raw.ikm):
        result, respondents = unit["result"], show["ikm", i]
        known = result is not None and isinstance(respondents, int) and respondents > 0
        ikm_rows.append({
            "unit": unit["unit"], "organisation": unit["organisation"],
            "respondents": respondents,
            # Numbers, not text: the spreadsheet gets numbers and the PDF writes them in the
            # report's language ("3,94" in Indonesian).
            "index": round(result.index, 2) if known else "",
            "converted": round(result.converted, 2) if known else "",
            "grade": f"{result.grade.letter} ({_(result.grade.label)})" if known else "",
            "target": float(unit["target"]) if unit["target"] is not None else "",
            "meets": (_("Yes") if result.meets_target else _("No"))
            if known and result.target is not None else "",
        })  # fmt: skip

    act = raw.activities
    field_labels = dict(act["fields"])
    type_labels = dict(act["types"])
    rows = prevention_selectors.activity_rows(codes=codes, start=period.start, end=period.end)
    fields = []
    for code, label in act["fields"]:
        fields.append({
            "code": code, "label": label,
            "activities": act["by_field"][code]["activities"],
            "participants": act["by_field"][code]["participants"],
            "rows": [{**r, "type_label": type_labels.get(r["type"], r["type"]),
                      "tested": r["tested"] or 0} for r in rows if r["field"] == code],
        })  # fmt: skip
    step(75)
    return {
        "area": area,
        "year": year,
        "period": period,
        "rehabilitation": {
            "total": show["ep", ALL, ALL],
            "modalities": [
                {"code": m, "label": label, "people": show["ep", m, ALL]}
                for m, label in ep["modalities"]
            ],
            "outcomes": [
                {"code": o, "label": label, "people": show["ep", ALL, o]}
                for o, label in outcome_labels
            ],
        },  # fmt: skip
        "aid": {
            "people": show["aid", "people"],
            "components": [
                {"code": c, "label": label, "people": show["aid_c", c]}
                for c, label in ho["components"]
            ],
            "budget": raw.budget,
            "spent_rp": format_thousands(raw.budget["spent"]),
        },  # fmt: skip
        "ikm": ikm_rows,
        "ibm": ibm_selectors.ibm_aggregates(codes=codes, on=period.end),
        "fields": fields,
        "field_labels": field_labels,
        "urine_tests": act["urine_tests"],
        "enforcement": act["enforcement"],
        "villages": raw.villages,
        "village_rows": [
            {"label": label, "n": raw.villages["by_status"][s]}
            for s, label in raw.villages["statuses"]
        ],
        "footnote": footnote(),
    }


# --- the files ---------------------------------------------------------------------------------


def report_xlsx(data: dict) -> bytes:
    """The report as a workbook: one sheet, the sections one under the other."""
    workbook = SafeWorkbook()
    sheet = workbook.sheet(_("Yearly report"), widths=[44, 18, 16, 16, 16, 16, 16])
    area, year = data["area"], data["year"]
    sheet.append([_("Yearly report %(year)s") % {"year": year}, area.name])
    sheet.append([])

    rehab = data["rehabilitation"]
    sheet.append([_("Rehabilitation")])
    sheet.append([_("Rehabilitation episodes"), rehab["total"]])
    for row in rehab["modalities"]:
        sheet.append([str(row["label"]), row["people"]])
    sheet.append([_("Outcome, or still open")])
    for row in rehab["outcomes"]:
        sheet.append([str(row["label"]), row["people"]])
    sheet.append([])

    aid = data["aid"]
    sheet.append([_("Aid given")])
    sheet.append([_("People aided"), aid["people"]])
    for row in aid["components"]:
        sheet.append([str(row["label"]), row["people"]])
    sheet.append([_("Budget spent (Rp)"), aid["budget"]["spent"]])
    sheet.append([])

    sheet.append([_("Satisfaction index (IKM) per service unit")])
    sheet.append([_("Service unit"), _("Respondents"), _("Index"), _("Converted"), _("Grade"),
                  _("Target"), _("Meets the target")])  # fmt: skip
    for row in data["ikm"]:
        sheet.append([row["unit"], row["respondents"], row["index"], row["converted"],
                      row["grade"], row["target"], row["meets"]])  # fmt: skip
    sheet.append([])

    sheet.append([_("Community-based recovery (IBM)")])
    sheet.append([_("IBM units"), data["ibm"]["units"]])
    sheet.append([_("Recovery agents"), data["ibm"]["agents"]])
    sheet.append([])

    sheet.append([_("BNNK activities by field of work")])
    sheet.append([_("Field of work"), _("Activities"), _("Participants")])
    for f in data["fields"]:
        sheet.append([str(f["label"]), f["activities"], f["participants"]])
    for f in data["fields"]:
        if not f["rows"]:
            continue
        sheet.append([])
        sheet.append([str(f["label"])])
        sheet.append([_("Activity type"), _("Date"), _("Place"), _("Target group"), _("Meetings"),
                      _("Participants"), _("Tested")])  # fmt: skip
        for r in f["rows"]:
            sheet.append([str(r["type_label"]), r["date"], r["place"] or r["village__name"],
                          r["target"], r["meetings"], r["participants"], r["tested"]])  # fmt: skip
    sheet.append([])

    sheet.append([_("Urine tests by institution")])
    sheet.append([_("Institution"), _("Tested"), _("Positive")])
    for row in data["urine_tests"]["by_institution"]:
        sheet.append([row["institution"], row["tested"], row["positive"]])
    sheet.append([_("Total"), data["urine_tests"]["tested"], data["urine_tests"]["positive"]])
    sheet.append([])

    enf = data["enforcement"]
    sheet.append([_("Enforcement")])
    sheet.append([_("Cases"), enf["cases"]])
    sheet.append([_("Suspects"), enf["suspects"]])
    sheet.append([_("Target (cases)"), "" if enf["target_cases"] is None else enf["target_cases"]])
    sheet.append([])

    villages = data["villages"]
    sheet.append([_("Village vulnerability on %(on)s") % {"on": f"{villages['on']:%d-%m-%Y}"}])
    for code, label in villages["statuses"]:
        sheet.append([str(label), villages["by_status"][code]])
    sheet.append([_("Villages assessed"), villages["assessed"]])
    sheet.append([_("Desa Bersinar"), villages["desa_bersinar"]])
    sheet.append([])
    sheet.append([data["footnote"]])
    return workbook.content()


def report_pdf(data: dict) -> bytes:
    return render_pdf("dashboard/report_print.html", data)


# --- the job: requested, built by a worker with its progress, stored, downloaded -------------


def report_request(*, area: Area, year: int, kind: str, by: User, request=None):
    """Ask for the area's yearly report; a worker builds it after the transaction commits.
    Audited as an export."""
    from .models import DashboardReport

    if not can_report(by):
        raise PermissionDenied
    if kind not in DashboardReport.Kind.values:
        raise ApplicationError(_("Choose PDF or XLSX."), field="kind")
    if not 2000 <= year <= 2100:
        raise ApplicationError(_("Give a year between 2000 and 2100."), field="year")
    require_queue()
    with transaction.atomic():
        report = DashboardReport.objects.create(
            area_code=area.code, area_codes=",".join(area.codes), year=year, kind=kind,
            requested_by=by,
        )  # fmt: skip
        audit_record(actor=by, action=AuditEvent.Action.EXPORT, obj=report, request=request,
                     summary=f"yearly report {year} {kind} requested")  # fmt: skip
        from . import tasks

        transaction.on_commit(lambda: tasks.build_report.delay(str(report.pk)))
    return report


def report_area(report) -> Area:
    codes = report.area_codes.split(",")
    if report.area_code:
        name = selectors._names([report.area_code]).get(report.area_code, report.area_code)
        return Area(tuple(codes), report.area_code, name,
                    selectors.CHILD_WIDTH[len(report.area_code)])  # fmt: skip
    return selectors.area_of_codes(codes)


def report_build(*, report_id):
    """Build a requested report and store it; safe to run twice (a finished one is kept)."""
    from .models import DashboardReport

    report = DashboardReport.objects.get(pk=report_id)
    if report.status == DashboardReport.Status.DONE:
        return report
    DashboardReport.objects.filter(pk=report.pk).update(
        status=DashboardReport.Status.RUNNING, progress=0, error=""
    )

    def progress(percent: int) -> None:
        DashboardReport.objects.filter(pk=report.pk).update(progress=min(percent, 99))

    # Counted on the primary; the figures are then read from the replica, if there is one
    # (it may lag a few seconds behind: the report is of a whole year).
    summaries.refresh()
    with translation.override(settings.LANGUAGE_CODE), replica():
        data = report_data(report_area(report), report.year, progress=progress)
        content = report_pdf(data) if report.kind == "pdf" else report_xlsx(data)
    progress(95)
    report.file.save(f"{report.pk}.{report.kind}", ContentFile(content), save=False)
    report.status = DashboardReport.Status.DONE
    report.progress = 100
    report.finished_at = timezone.now()
    report.save(update_fields=["file", "status", "progress", "finished_at"])
    return report


def report_fail(*, report_id, exc: BaseException) -> None:
    from .models import DashboardReport

    DashboardReport.objects.filter(pk=report_id).exclude(
        status=DashboardReport.Status.DONE
    ).update(status=DashboardReport.Status.FAILED, error=failure_text(exc),
             finished_at=timezone.now())  # fmt: skip


def report_list(*, user: User):
    """The reports the user may see: those of areas inside their own service area."""
    from .models import DashboardReport

    if not can_report(user):
        return DashboardReport.objects.none()
    from django.db.models import BooleanField
    from django.db.models.expressions import RawSQL

    own = list(policy.area_codes(user))
    # Every region code of the report lies in (or is) one of the reader's codes.
    inside = RawSQL(
        "area_codes <> '' AND NOT EXISTS (SELECT 1 FROM unnest(string_to_array(area_codes, ','))"
        " AS c(code) WHERE NOT (c.code = ANY(%s::text[]) OR c.code LIKE ANY(%s::text[])))",
        [own, [code + ".%" for code in own]],
        output_field=BooleanField(),
    )
    return (
        DashboardReport.objects.alias(inside=inside).filter(inside=True)
        .select_related("requested_by")
    )  # fmt: skip
