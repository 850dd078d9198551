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
