"""Spreadsheet exports of BNNK activities and village vulnerability (no personal data)."""

from django.utils.translation import gettext as _

from atensi.regions.models import Region
from atensi.spreadsheets import SafeWorkbook


def _district(region) -> str:
    """The district (kecamatan) of a village, or the district itself."""
    return region.parent.name if region.level == Region.Level.VILLAGE else region.name


def activities_xlsx(activities) -> bytes:
    """One row per activity, then a sheet of urine-test rows per institution. Activities must
    come with their urine results prefetched."""
    workbook = SafeWorkbook()
    sheet = workbook.sheet(_("Activities"), widths=[12, 30, 22, 24, 22, 28, 30, 12, 10, 10, 10, 26])
    sheet.append([
        _("Date"), _("Activity type"), _("Field of work"), _("Village or district"),
        _("District"), _("Place"), _("Target institution or group"), _("Participants"),
        _("Meetings"), _("Tested"), _("Positive"), _("Organisation"),
    ])  # fmt: skip
    urine = workbook.sheet(_("Urine tests"), widths=[12, 30, 36, 10, 10])
    urine.append([_("Date"), _("Village or district"), _("Institution"), _("Tested"),
                  _("Positive")])  # fmt: skip
    for a in activities:
        results = list(a.urine_results.all())
        sheet.append([
            a.date, a.get_type_display(), a.get_field_display(), a.village.name,
            _district(a.village), a.place, a.target,
            a.participants, a.meetings,
            sum(r.tested for r in results) if results else None,
            sum(r.positive for r in results) if results else None,
            a.organisation.name,
        ])  # fmt: skip
        for r in results:
            urine.append([a.date, a.village.name, r.institution, r.tested, r.positive])
    return workbook.content()


def village_statuses_xlsx(statuses, *, on) -> bytes:
    """One row per village with its current status on the given date."""
    workbook = SafeWorkbook()
    sheet = workbook.sheet(_("Village vulnerability"), widths=[16, 28, 26, 18, 14, 12, 40])
    sheet.append([
        _("Village code"), _("Village"), _("District"), _("Vulnerability"), _("Assessed on"),
        _("Assessed by"), _("Note"),
    ])  # fmt: skip
    for s in statuses:
        sheet.append([
            s.village_id, s.village.name, s.village.parent.name, s.get_status_display(),
            s.assessed_on, s.assessed_by, s.note,
        ])  # fmt: skip
    sheet.append([])
    sheet.append([_("Status on"), on])
    return workbook.content()
