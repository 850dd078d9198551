"""Spreadsheet exports of rehabilitation data."""

from django.utils.translation import gettext as _

from atensi.spreadsheets import SafeWorkbook


def ibm_units_xlsx(units) -> bytes:
    """One row per recovery agent (one for a unit without agents), under its unit. Units must
    come with their agents prefetched and active agents and clients supported counted."""
    workbook = SafeWorkbook()
    sheet = workbook.sheet(_("IBM units"), widths=[28, 22, 22, 30, 12, 10, 12, 28, 16, 12, 10])
    sheet.append([
        _("IBM unit"), _("Village"), _("District"), _("Set up by"), _("Set up on"),
        _("Active"), _("Clients supported"), _("Recovery agent"), _("Phone"), _("Trained on"),
        _("Agent active"),
    ])  # fmt: skip
    yes, no = _("Yes"), _("No")
    for unit in units:
        head = [
            unit.name, unit.village.name, unit.village.parent.name, unit.organisation.name,
            unit.established_on, yes if unit.is_active else no, unit.clients_supported,
        ]  # fmt: skip
        agents = list(unit.agents.all())
        if not agents:
            sheet.append([*head, "", "", None, ""])
        for agent in agents:
            sheet.append([*head, agent.full_name, agent.phone, agent.trained_on,
                          yes if agent.is_active else no])  # fmt: skip
    return workbook.content()


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
