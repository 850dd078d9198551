"""Hand-overs as the records read them: a partial hand-over's own value and items on the
timeline, BAST numbers naming the organisation by a short region code, the hand-over list
and page; and the aid spreadsheets: local dates, supervisors only, every column the BAST has."""

import datetime
import io
import re

import pytest
from django.utils.text import capfirst
from openpyxl import load_workbook

from aid import services
from aid.models import Handover, Proposal
from aid.services.handovers import area_code, organisation_code
from cases import services as case_services
from cases.models import CaseEvent
from tests.conftest import said, shown

from .conftest import TODAY, approve, make_item, verified


def rows_of(content: bytes, sheet: int = 0) -> list[tuple]:
    workbook = load_workbook(io.BytesIO(content))
    return list(workbook.worksheets[sheet].iter_rows(values_only=True))


@pytest.fixture
def approved(cast, funded, food, make_case):
    """An approved proposal of three items, Rp 1.250.000, with its case open."""
    kit = make_item(funded, "Paket kebersihan diri", cost=150_000)
    school = make_item(funded, "Perlengkapan sekolah", cost=400_000)
    case = make_case(full_name="Joko Syahputra")
    proposal = verified(cast, case.client, funded, [(food, 7), (kit, 1), (school, 1)])
    approve(cast, [proposal])
    proposal.refresh_from_db()
    assert proposal.value == 1_250_000
    return proposal, case


def test_a_partial_hand_over_puts_its_own_value_and_items_on_the_timeline(cast, approved, browse):
    proposal, case = approved
    food, kit = (proposal.items.get(aid_item__name=n)
                 for n in ("Paket nutrisi", "Paket kebersihan diri"))  # fmt: skip

    first = services.handover_record(proposal=proposal, items=[food, kit], by=cast.caseworker,
                                     handed_on=TODAY, place="Rumah Singgah")  # fmt: skip
    rest = services.handover_record(proposal=proposal, by=cast.caseworker, handed_on=TODAY,
                                    place="Rumah Singgah")  # fmt: skip

    events = CaseEvent.objects.filter(case=case, verb="aid_handed_over").order_by("at", "id")
    texts = [event.description for event in events]
    assert first.value == 850_000 and rest.value == 400_000
    assert texts[0].startswith(f"{proposal.programme}: Rp 850.000. {first.number}: ")
    assert "Paket kebersihan diri × 1, Paket nutrisi × 7" in texts[0]
    assert "Rp 1.250.000" in texts[0]  # said to be a part of the whole
    assert texts[1].startswith(f"{proposal.programme}: Rp 400.000. {rest.number}: ")
    assert "Perlengkapan sekolah × 1" in texts[1]
    page = browse("caseworker").get(f"/bantuan/usulan/{proposal.reference}/").content.decode()
    assert f"Rp 850.000. {first.number}" in page  # the proposal's own timeline


# --- BAST numbers ------------------------------------------------------------------------


def test_the_bast_number_names_the_organisation_by_its_region_code(cast, approved):
    proposal, _case = approved

    handover = services.handover_record(proposal=proposal, by=cast.caseworker, handed_on=TODAY,
                                        place="Rumah Singgah")  # fmt: skip

    assert handover.number == "BAST/0001/16.02/2026"


def test_organisations_sharing_an_area_get_distinct_stable_codes(cast):
    # Dinsos OKI, BNNK OKI and Pemkab OKI all serve regency 16.02, in that order of creation.
    from atensi.accounts.models import Organisation

    viewer_org = Organisation.objects.get(name="Pemkab OKI")
    assert organisation_code(cast.dinsos.pk) == "16.02"
    assert organisation_code(cast.bnnk.pk) == "16.02-2"
    assert organisation_code(viewer_org.pk) == "16.02-3"
    assert organisation_code(cast.other_dinsos.pk) == "16.10"
    assert organisation_code(cast.sentra.pk) == "16"  # serves 16 and 32: the first


def test_an_area_is_named_by_the_code_all_its_regions_lie_in():
    assert area_code(["16.02.05", "16.02.03"]) == "16.02"
    assert area_code(["16.02"]) == "16.02"
    assert area_code(["32", "16"]) == "16"
    assert area_code([]) == ""


# --- the hand-over list and page ---------------------------------------------------------


def test_the_hand_over_list_shows_the_client_the_receiver_and_the_value(cast, approved, browse):
    proposal, _case = approved
    mother = case_services.family_member_add(client=proposal.client, by=cast.caseworker,
                                             relation="ibu", full_name="Siti Aminah")  # fmt: skip
    food = proposal.items.get(aid_item__name="Paket nutrisi")
    by_mother = services.handover_record(
        proposal=proposal, items=[food], by=cast.caseworker, handed_on=TODAY,
        place="Rumah Singgah", recipient_member=mother,
    )  # fmt: skip
    by_client = services.handover_record(proposal=proposal, by=cast.caseworker,
                                         handed_on=TODAY, place="Rumah Singgah")  # fmt: skip

    page = browse("supervisor").get("/bantuan/serah-terima/").content.decode()

    items = dict(re.findall(r'href="/bantuan/serah-terima/([0-9a-f-]+)/">(.*?)</a>', page, re.S))
    mother_line, client_line = items[str(by_mother.pk)], items[str(by_client.pk)]
    assert "Joko Syahputra" in mother_line and "Siti Aminah" in mother_line
    assert shown("received by %(name)s", name="Siti Aminah") in mother_line
    assert '<span class="nowrap fw-semibold">Rp 700.000</span>' in mother_line
    assert "Joko Syahputra" in client_line and said("received by") not in client_line
    assert "Rp 550.000" in client_line


def test_the_hand_over_page_links_to_its_proposal(cast, approved, browse):
    proposal, _case = approved
    handover = services.handover_record(proposal=proposal, by=cast.caseworker, handed_on=TODAY,
                                        place="Rumah Singgah")  # fmt: skip

    page = browse("caseworker").get(f"/bantuan/serah-terima/{handover.pk}/").content.decode()

    assert f'href="/bantuan/usulan/{proposal.reference}/"' in page
    assert "Rp 1.250.000" in page


# --- spreadsheets ------------------------------------------------------------------------


def test_the_proposals_spreadsheet_gives_the_local_date_of_creation(
    cast, funded, food, make_client, browse
):
    proposal = services.proposal_create(client=make_client(), programme=funded,
                                        items=[(food, 1)], by=cast.caseworker)  # fmt: skip
    # 20 November, 18:30 UTC is already 21 November, 01:30 in Jakarta.
    late = datetime.datetime(2026, 11, 20, 18, 30, tzinfo=datetime.UTC)
    Proposal.objects.filter(pk=proposal.pk).update(created_at=late)

    response = browse("supervisor").get(f"/bantuan/program/{funded.pk}/usulan.xlsx")

    heading, row = rows_of(response.content)[:2]
    created = row[heading.index(said("Created"))]
    if isinstance(created, datetime.datetime):
        created = created.date()
    assert created == datetime.date(2026, 11, 21)


@pytest.mark.parametrize("export", ["usulan.xlsx", "realisasi.xlsx"])
def test_only_supervisors_export_a_programme_and_only_they_see_the_links(
    cast, funded, browse, export
):
    url = f"/bantuan/program/{funded.pk}/{export}"

    assert browse("caseworker").get(url).status_code == 404
    assert browse("supervisor").get(url).status_code == 200
    assert url not in browse("caseworker").get(f"/bantuan/program/{funded.pk}/").content.decode()
    assert url in browse("supervisor").get(f"/bantuan/program/{funded.pk}/").content.decode()


def test_the_hand_overs_spreadsheet_has_the_bast_columns(cast, approved, browse):
    proposal, _case = approved
    mother = case_services.family_member_add(client=proposal.client, by=cast.caseworker,
                                             relation="ibu", full_name="Siti Aminah")  # fmt: skip
    services.handover_record(
        proposal=proposal, by=cast.caseworker, handed_on=TODAY, place="Rumah Singgah",
        recipient_member=mother, officer_nip="", witness_name="Pak Rahman",
        witness_role="Ketua RT",
    )  # fmt: skip

    response = browse("supervisor").get(
        "/bantuan/serah-terima/ekspor.xlsx", {"start": "2026-11-01", "end": "2026-11-30"}
    )

    rows = rows_of(response.content)
    heading, first = rows[0], dict(zip(rows[0], rows[1], strict=True))
    assert heading[0] == capfirst(said("BAST number")) and heading[0][0].isupper()
    for column in ("Received by", "Officer", "Witness", "Witness's role or relationship"):
        assert said(column) in heading, column
    assert first[said("Programme")] == f"{proposal.programme.name} 2026"
    assert first[said("Received by")] == "Siti Aminah"
    assert first[said("Officer")] == cast.caseworker.get_full_name()
    assert (first[said("Witness")], first[said("Witness's role or relationship")]) == (
        "Pak Rahman", "Ketua RT",
    )  # fmt: skip
    assert proposal.client.nik not in str(rows)
    assert Handover.objects.count() == 1
