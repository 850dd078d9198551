"""The eligibility results as XLSX: one row per proposed person, codes raw, labels translated.

NIKs are masked unless the export is asked for with full NIKs by someone who may act on them
(the view decides and audits which).
"""

import io

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

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
        # The codes say they are codes: the columns named as on the page read in words.
        _("Verdict code"), _("Verdict"), _("Reason codes"), _("DTSEN id"), _("Register NIK"),
        _("Decile"), _("Match method code"), _("Match method"), _("Match score"),
        _("Review"), _("Data problems"), _("Reasons"), _("Match explained"),
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


# The proposal list's columns as the template gives them: (heading, required, what to write,
# the cell format); the order and names are those the upload reads (PROPOSAL_SCHEMA).
TEMPLATE_COLUMNS = (
    ("nik", False, gettext_lazy("The 16-digit NIK; empty when the person has none."), "@"),
    ("no_kk", False, gettext_lazy("The 16-digit family card number (KK); may be empty."), "@"),
    ("nama", True, gettext_lazy("The full name as on the identity card."), "@"),
    ("tgl_lahir", False, gettext_lazy("The date of birth, e.g. 17-08-1990."), "DD-MM-YYYY"),
    ("jenis_kelamin", False, gettext_lazy("L (male) or P (female)."), "@"),
    ("kode_wilayah", True, gettext_lazy(
        "The village's code of the Ministry of Home Affairs, e.g. 16.02.05.1002."), "@"),
    ("alamat", False, gettext_lazy("The address: street or hamlet, RT/RW."), "@"),
)  # fmt: skip
TEMPLATE_ROWS = 1000  # rows whose cells keep their format as they are filled in


def proposal_template_xlsx() -> bytes:
    """An empty proposal list to fill in: the headings the upload reads, each column's
    cells formatted (text for the NIK, KK and village code, which a spreadsheet would
    otherwise turn into 1.6E+15), and a sheet of instructions. Holds no person."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Proposals")
    sheet.freeze_panes = "A2"
    for number, (name, _required, _help, cell_format) in enumerate(TEMPLATE_COLUMNS, start=1):
        letter = get_column_letter(number)
        sheet.column_dimensions[letter].width = 40 if name in ("nama", "alamat") else 20
        heading = sheet.cell(row=1, column=number, value=name)
        heading.font = Font(bold=True)
        for row in range(2, TEMPLATE_ROWS + 2):
            sheet.cell(row=row, column=number).number_format = cell_format
    guide = workbook.create_sheet(_("Instructions"))
    guide.column_dimensions["A"].width, guide.column_dimensions["C"].width = 18, 80
    guide.append([_("Column"), _("Required"), _("What to write")])
    for cell in guide[1]:
        cell.font = Font(bold=True)
    for name, required, help_text, _format in TEMPLATE_COLUMNS:
        guide.append([name, _("Yes") if required else _("No"), str(help_text)])
    guide.append([])
    guide.append([_("Fill in the first sheet, one person a row, from the second row on. "
                    "Upload the file as it is (XLSX), or saved as CSV.")])  # fmt: skip
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
