"""The eligibility results as XLSX: one row per proposed person, codes raw, labels translated."""

import io

from django.utils.translation import gettext as _
from openpyxl import Workbook

from atensi.spreadsheets import safe_row


def batch_rows_xlsx(batch, rows) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Results"))
    sheet.append([
        _("Row"), _("NIK as given"), _("Name"), _("Date of birth"), _("Region code"),
        _("Verdict code"), _("Verdict"), _("Reasons"), _("DTSEN id"), _("Register NIK"),
        _("Decile"), _("Match method"), _("Match score"), _("Review"), _("Data problems"),
        _("Reasons explained"),
    ])  # fmt: skip
    for row in rows.iterator(chunk_size=2000):
        match = row.match
        sheet.append(safe_row([
            row.row_number, row.nik_input, row.name, row.birth_date, row.village_code,
            row.verdict, row.get_verdict_display(), ", ".join(row.reasons),
            match.id_dtsen if match else None, match.nik if match else None, row.decile,
            row.match_method or None,
            round(row.match_score, 3) if row.match_score is not None else None,
            row.get_review_display() if row.review else None,
            "\n".join(row.problem_messages()) or None,
            "; ".join(row.reason_labels()),
        ]))  # fmt: skip
    summary = workbook.create_sheet(_("Summary"))
    summary.append([_("Programme"), str(batch.programme)])
    summary.append([_("Register snapshot"), str(batch.snapshot)])
    summary.append([_("Rows"), batch.total_rows])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
