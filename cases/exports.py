"""Spreadsheet exports. NIKs stay masked: an export leaves the system's protection."""

from django.utils import timezone
from django.utils.translation import gettext as _

from atensi.spreadsheets import SafeWorkbook


def cases_xlsx(cases) -> bytes:
    workbook = SafeWorkbook()
    sheet = workbook.sheet(_("Cases"), widths=[16, 28, 19, 10, 22, 22, 24, 14, 14, 22, 30, 12, 12])
    header = [
        _("Case number"), _("Client"), _("NIK"), _("Sex"), _("Village"), _("District"),
        _("Stage"), _("In this stage since"), _("Next action due"), _("Caseworker"),
        _("Organisation"), _("Opened"), _("Closed"),
    ]  # fmt: skip
    sheet.append(header)
    tz = timezone.get_current_timezone()
    for case in cases.iterator(chunk_size=1000):
        client = case.client
        sheet.append([
            case.reference, client.full_name, client.masked_nik, client.get_sex_display(),
            client.village.name, client.village.parent.name, case.get_stage_display(),
            case.stage_changed_at.astimezone(tz).date(), case.next_action_due,
            str(case.assigned_to or ""), case.organisation.name,
            case.opened_at.astimezone(tz).date(),
            case.closed_at.astimezone(tz).date() if case.closed_at else None,
        ])  # fmt: skip
    return workbook.content()
