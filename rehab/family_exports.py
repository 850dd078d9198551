"""The attendance of a family guidance series as a spreadsheet: participants × meetings.
Family members of clients the reader may not read appear without a name; the view audits
the download."""

from django.utils.translation import gettext as _

from atensi.spreadsheets import SafeWorkbook


def series_attendance_xlsx(series, matrix) -> bytes:
    workbook = SafeWorkbook()
    meetings = len(matrix.sessions)
    sheet = workbook.sheet(
        _("Attendance"), widths=[6, 32, 22, 28] + [12] * meetings + [10], header_row=2
    )
    sheet.append(
        [_("No."), _("Name"), _("Relation or role"), _("Client")]
        + [_("Meeting %(n)s") % {"n": s.meeting_number} for s in matrix.sessions]
        + [_("Attended")]
    )
    sheet.append(["", "", "", _("Date")] + [s.date for s in matrix.sessions] + [""])
    for number, participant in enumerate(matrix.participants, 1):
        marks = ["✓" if m else "✗" if m is False else "" for m in participant.marks]
        sheet.append(
            [
                number,
                participant.name or _("(family member of a client outside your access)"),
                participant.relation,
                participant.client.full_name if participant.client else "",
                *marks,
                participant.attended,
            ]
        )
    sheet.append(["", _("Total present"), "", ""] + list(matrix.totals) + [matrix.attended])
    summary = workbook.sheet(_("Series"), widths=[26, 60])
    summary.append([_("Series"), series.name])
    summary.append([_("Organisation"), series.organisation.name])
    summary.append([_("Village"), f"{series.village.name} ({series.village_id})"])
    summary.append([_("Planned meetings"), series.planned_meetings])
    summary.append([_("Meetings held"), meetings])
    summary.append([_("Participants"), len(matrix.participants)])
    return workbook.content()
