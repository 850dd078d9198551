"""Aid spreadsheets: a programme's proposals (NIKs masked), its realisation per component
and per district, and the hand-overs of a period. Every cell goes through SafeWorkbook;
dates are the local (Asia/Jakarta) dates the pages show; the views audit the download."""

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from atensi.spreadsheets import SafeWorkbook
from cases.nik import mask_nik

CHUNK = 1000


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
            timezone.localdate(proposal.created_at),
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
    sheet.append([_("All components"), panel["allocated"], panel["reserved"], panel["spent"],
                  panel["available"]])  # fmt: skip
    sheet.append([_("Not yet allocated"), panel["unallocated"]])
    sheet.append([_("Budget ceiling"), panel["ceiling"]])
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


def handovers_xlsx(*, handovers, start: datetime.date, end: datetime.date) -> bytes:
    """Hand-overs of a period, one row per handed item (masked NIK): who received it for
    whom, the officer (and NIP) and the witness, as the BAST records them."""
    from aid.models import HandoverItem

    workbook = SafeWorkbook()
    sheet = workbook.sheet(
        _("Hand-overs"),
        widths=[24, 12, 18, 19, 28, 22, 28, 30, 8, 14, 26, 28, 26, 20, 26, 26],
        money=(10,),
    )  # fmt: skip
    sheet.append([
        capfirst(_("BAST number")), _("Date"), _("Proposal number"), _("NIK"), _("Name"),
        _("Village"), _("Programme"), _("Item"), _("Quantity"), _("Value (Rp)"), _("Place"),
        _("Received by"), _("Officer"), capfirst(_("officer's NIP")), _("Witness"),
        _("Witness's role or relationship"),
    ])  # fmt: skip
    rows = (
        HandoverItem.objects.filter(
            handover__in=handovers.order_by().values("pk"), handover__handed_on__range=(start, end)
        )  # fmt: skip
        .order_by("handover__handed_on", "handover__seq", "proposal_item__aid_item__name")
        .values_list(
            "handover__number",
            "handover__handed_on",
            "handover__proposal__reference",
            "handover__proposal__client__nik",
            "handover__proposal__client__full_name",
            "handover__proposal__client__village__name",
            "handover__proposal__programme__name",
            "handover__proposal__programme__year",
            "proposal_item__aid_item__name",
            "quantity",
            "value",
            "handover__place",
            "handover__recipient_name",
            "handover__officer__first_name",
            "handover__officer__last_name",
            "handover__officer__username",
            "handover__officer_nip",
            "handover__witness_name",
            "handover__witness_role",
        )  # fmt: skip
    )
    total = 0
    with transaction.atomic():  # a server-side cursor: the rows are read in chunks
        for (number, day, reference, nik, name, village, programme, year, item, quantity,
             value, place, recipient, first, last, username, nip, witness, role,
             ) in rows.iterator(chunk_size=CHUNK):  # fmt: skip
            total += value
            officer = f"{first} {last}".strip() or username
            sheet.append([
                number, day, reference, mask_nik(nik), name, village, f"{programme} {year}",
                item, quantity, value, place, recipient, officer, nip, witness, role,
            ])  # fmt: skip
    sheet.append(["", "", "", "", _("Total"), "", "", "", "", total])
    return workbook.content()
