"""The eligibility results as XLSX: one row per proposed person, codes raw, labels translated.

NIKs are masked unless the export is asked for with full NIKs by someone who may act on them
(the view decides and audits which).
"""

from django.utils.translation import gettext as _

from assessments.services import matching
from atensi.spreadsheets import SafeWorkbook
from cases.nik import mask_nik


def _match_explained(row) -> str:
    """The matcher's evidence for the row's match (or, waiting for review, its first
    candidate) in words; "" when there is none or the rules matched."""
    if not row.candidates:
        return ""
    shown = next((c for c in row.candidates if row.match_id and int(c["id"]) == row.match_id),
                 row.candidates[0])  # fmt: skip
    return " ".join(matching.explanation(shown, count=len(row.candidates), translate=_))


def batch_rows_xlsx(batch, rows, *, full_nik: bool = False) -> bytes:
    def shown(nik: str | None) -> str | None:
        if not nik:
            return nik or None
        return nik if full_nik else mask_nik(nik)

    workbook = SafeWorkbook()
    sheet = workbook.sheet(
        _("Results"),
        widths=[6, 19, 28, 12, 15, 20, 24, 28, 14, 19, 7, 18, 30, 8, 16, 40, 50, 80],
    )
    sheet.append([
        _("Row"), _("NIK as given"), _("Name"), _("Date of birth"), _("Region code"),
        _("Verdict code"), _("Verdict"), _("Reasons"), _("DTSEN id"), _("Register NIK"),
        _("Decile"), _("Match method"), _("Match method explained"), _("Match score"),
        _("Review"), _("Data problems"), _("Reasons explained"), _("Match explained"),
    ])  # fmt: skip
    for row in rows.iterator(chunk_size=2000):
        match = row.match
        sheet.append([
            row.row_number, shown(row.nik_input), row.name, row.birth_date, row.village_code,
            row.verdict, row.get_verdict_display(), ", ".join(row.reasons),
            match.id_dtsen if match else None, shown(match.nik) if match else None, row.decile,
            row.match_method or None, row.match_method_label() if row.match_method else None,
            round(row.match_score, 3) if row.match_score is not None else None,
            row.get_review_display() if row.review else None,
            "\n".join(row.problem_messages()) or None,
            "; ".join(row.reason_labels()), _match_explained(row) or None,
        ])  # fmt: skip
    summary = workbook.sheet(_("Summary"), widths=[22, 60])
    summary.append([_("Name of the list"), batch.name])
    summary.append([_("Programme"), str(batch.programme)])
    summary.append([_("Register snapshot"), str(batch.snapshot)])
    summary.append([_("Rows"), batch.total_rows])
    summary.append([_("NIKs"), _("full") if full_nik else _("masked")])
    return workbook.content()
