"""The IKM report of a unit and period as XLSX, in the layout survey reports use: one row per
respondent with the ratings U1–U9, then per element the sum, the mean (NRR) and the weighted
mean (NRR × 1/9), then the index, the converted value (× 25) and the grade. No profile and no
suggestion leave the system this way. Every cell goes through SafeWorkbook; the view audits."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _

from atensi.spreadsheets import SafeWorkbook
from rehab import ikm
from rehab.selectors.survey import RATING_FIELDS, Period, survey_responses


def survey_xlsx(*, unit, period: Period, result: ikm.Result | None) -> bytes:
    workbook = SafeWorkbook()
    sheet = workbook.sheet("IKM", widths=[26, 12, *([8] * len(ikm.CODES))], header_row=4)
    sheet.append([_("Survey unit"), unit.name])
    sheet.append([_("Period"), f"{period.start:%d-%m-%Y} – {period.end:%d-%m-%Y}"])
    sheet.append([])
    sheet.append([_("Respondent"), _("Date"), *ikm.CODES])
    rows = survey_responses(unit=unit, period=period).values_list("submitted_at", *RATING_FIELDS)
    sums = [0] * len(ikm.CODES)
    for number, (at, *ratings) in enumerate(rows.iterator(chunk_size=1000), start=1):
        sheet.append([number, timezone.localdate(at), *ratings])
        sums = [total + rating for total, rating in zip(sums, ratings, strict=True)]
    if result is None:
        sheet.append([_("No responses in this period.")])
        return workbook.content()
    sheet.append([_("Sum per element"), "", *sums])
    sheet.append([_("Mean per element (NRR)"), "", *(float(e.mean) for e in result.elements)])
    sheet.append([_("Weighted mean (NRR × 1/9)"), "",
                  *(float(e.weighted) for e in result.elements)])  # fmt: skip
    sheet.append([])
    sheet.append([_("Respondents"), result.respondents])
    sheet.append([_("Index (IKM)"), float(result.index)])
    sheet.append([_("Converted value (IKM × 25)"), float(result.converted)])
    sheet.append([_("Grade"), f"{result.grade.letter} ({_(result.grade.label)})"])
    if result.target is not None:
        sheet.append([_("Target index"), float(result.target)])
        sheet.append([_("Target met"), _("yes") if result.meets_target else _("no")])
    weakest = ", ".join(result.weakest)
    sheet.append([_("Weakest elements"), weakest or "—"])
    legend = workbook.sheet(_("Elements"), widths=[8, 50])
    legend.append([_("Code"), _("Element")])
    for element in ikm.ELEMENTS:
        legend.append([element.code, _(element.label)])
    return workbook.content()
