"""Aid spreadsheets: a programme's proposals (NIKs masked) and its realisation per component
and per district. Every cell goes through SafeWorkbook; the views audit the download."""

from django.utils.translation import gettext as _

from atensi.spreadsheets import SafeWorkbook


def proposals_xlsx(programme, proposals) -> bytes:
    workbook = SafeWorkbook()
    sheet = workbook.sheet(_("Proposals"), widths=[18, 19, 28, 28, 14, 16, 50, 24, 12], money=(6,))
    sheet.append([
        _("Proposal number"), _("NIK"), _("Name"), _("Village"), _("Status"), _("Value (Rp)"),
        _("Items"), _("Decree"), _("Created"),
    ])  # fmt: skip
    rows = proposals.prefetch_related("items__aid_item").order_by("reference")
    count = total = 0
    for proposal in rows.iterator(chunk_size=1000):
        count += 1
        total += proposal.value
        client = proposal.client
        sheet.append([
            proposal.reference, client.masked_nik, client.full_name, client.village.name,
            proposal.get_state_display(), proposal.value,
            "; ".join(f"{i.aid_item.name} × {i.quantity}" for i in proposal.items.all()),
            proposal.decree.number if proposal.decree_id else None,
            proposal.created_at.date(),
        ])  # fmt: skip
    sheet.append([_("Total"), "", _("%(n)d proposals") % {"n": count}, "", "", total])
    summary = workbook.sheet(_("Summary"), widths=[22, 50])
    summary.append([_("Programme"), str(programme)])
    summary.append([_("NIKs"), _("masked")])
    return workbook.content()


def realisation_xlsx(programme, realisation: dict) -> bytes:
    panel = realisation["panel"]
    workbook = SafeWorkbook()
    sheet = workbook.sheet(_("Per component"), widths=[34, 16, 16, 16, 16], money=(2, 3, 4, 5))
    sheet.append([_("ATENSI component"), _("Ceiling (Rp)"), _("Reserved (Rp)"), _("Spent (Rp)"),
                  _("Available (Rp)")])  # fmt: skip
    for line in panel["components"]:
        sheet.append([str(line["label"]), line["ceiling"], line["reserved"], line["spent"],
                      line["available"]])  # fmt: skip
    sheet.append([_("Programme total"), panel["ceiling"], panel["reserved"], panel["spent"],
                  panel["available"]])  # fmt: skip
    districts = workbook.sheet(_("Per district"), widths=[12, 28, 34, 16, 16], money=(4, 5))
    districts.append([_("District code"), _("District"), _("ATENSI component"),
                      _("Reserved (Rp)"), _("Spent (Rp)")])  # fmt: skip
    for row in realisation["districts"]:
        districts.append([row["district"], row["district_name"], str(row["label"]),
                          row["reserved"], row["spent"]])  # fmt: skip
    summary = workbook.sheet(_("Summary"), widths=[22, 50])
    summary.append([_("Programme"), str(programme)])
    summary.append([_("Funding source"), programme.get_funding_source_display()])
    period = " – ".join(
        f"{day:%d-%m-%Y}" for day in (programme.period_start, programme.period_end) if day
    )
    summary.append([_("Period"), period or "—"])
    return workbook.content()
