"""Spreadsheet exports of rehabilitation episodes. NIKs stay masked."""

from django.utils.translation import gettext as _

from atensi.spreadsheets import SafeWorkbook


def episodes_xlsx(episodes) -> bytes:
    workbook = SafeWorkbook()
    sheet = workbook.sheet(_("Episodes"), widths=[18, 28, 19, 26, 30, 22, 12, 12, 12, 18, 24])
    sheet.append([
        _("Episode number"), _("Client"), _("NIK"), _("Modality"), _("Provider"),
        _("Legal route"), _("Started on"), _("Planned end"), _("Ended on"), _("Outcome"),
        _("Responsible worker"),
    ])  # fmt: skip
    for e in episodes.iterator(chunk_size=1000):
        sheet.append([
            e.reference, e.client.full_name, e.client.masked_nik, e.get_modality_display(),
            e.provider.name, e.get_legal_route_display(), e.started_on, e.planned_end_on,
            e.ended_on, e.get_outcome_display() if e.outcome else _("Ongoing"),
            e.worker.get_full_name() or e.worker.username,
        ])  # fmt: skip
    return workbook.content()
