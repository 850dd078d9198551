"""The aid pages: programmes and budgets, proposals (list, bulk actions, creation, detail,
transitions), decrees and the XLSX exports, for each role of the cast."""

import io

import pytest
from django.utils.text import slugify
from openpyxl import load_workbook

from aid import services
from aid.models import Decree, Proposal
from atensi.accounts.models import User
from atensi.audit.models import AuditEvent
from tests.conftest import role_matrix, said, shown

from .conftest import UNIT, approve, make_item, verified
from .test_proposals import screened_batch, snapshot_with

State = Proposal.State


@pytest.fixture
def world(cast, funded, food, make_case):
    case = make_case()
    proposal = verified(cast, case.client, funded, [(food, 2)])
    decree = approve(cast, [proposal], by=other_supervisor(cast))
    proposal.refresh_from_db()
    return {"case": case, "client": case.client, "proposal": proposal, "decree": decree,
            "programme": funded}  # fmt: skip


def other_supervisor(cast):
    return User.objects.create_user(
        username="supervisor2", password="x-not-used-12345", organisation=cast.dinsos,
        role=User.Role.SUPERVISOR,
    )  # fmt: skip


def url(page, w):
    return {
        "programme list": "/bantuan/program/",
        "programme detail": f"/bantuan/program/{w['programme'].pk}/",
        "proposal list": "/bantuan/usulan/",
        "proposal detail": f"/bantuan/usulan/{w['proposal'].reference}/",
        "client proposals": f"/bantuan/klien/{w['client'].pk}/usulan/",
        "decree list": "/bantuan/sk/",
        "decree detail": f"/bantuan/sk/{w['decree'].pk}/",
        "proposals xlsx": f"/bantuan/program/{w['programme'].pk}/usulan.xlsx",
        "realisation xlsx": f"/bantuan/program/{w['programme'].pk}/realisasi.xlsx",
        "new proposal": f"/bantuan/klien/{w['client'].pk}/usulan/baru/",
        "new decree": "/bantuan/sk/baru/",
    }[page]


PAGES = {
    #                    caseworker supervisor outsider referrer centre viewer admin
    "programme list":    (200, 200, 200, 404, 200, 404, 200),
    "programme detail":  (200, 200, 404, 404, 404, 404, 200),
    "proposal list":     (200, 200, 200, 404, 200, 404, 200),
    "proposal detail":   (200, 200, 404, 404, 404, 404, 200),
    "client proposals":  (200, 200, 404, 404, 404, 404, 200),
    "decree list":       (200, 200, 200, 404, 200, 404, 200),
    "decree detail":     (200, 200, 404, 404, 404, 404, 200),
    "proposals xlsx":    (404, 200, 404, 404, 404, 404, 404),  # an export: supervisors
    "realisation xlsx":  (404, 200, 404, 404, 404, 404, 404),
    "new proposal":      (200, 200, 404, 404, 404, 404, 404),
    "new decree":        (404, 200, 404, 404, 404, 404, 404),
}  # fmt: skip


@pytest.mark.parametrize(("page", "role", "status"), role_matrix(PAGES))
def test_each_role_gets_the_pinned_status_on_each_aid_page(browse, world, page, role, status):
    response = browse(role).get(url(page, world))

    assert response.status_code == status
    if status == 200 and page == "proposal list":
        reference = world["proposal"].reference
        assert (reference in response.content.decode()) == (
            role in ("caseworker", "supervisor", "admin")
        )


def test_the_proposal_list_shows_the_masked_nik_never_the_full_one(browse, world):
    page = browse("caseworker").get("/bantuan/usulan/").content.decode()

    client = world["client"]
    assert client.masked_nik in page
    assert client.nik not in page


def test_the_proposal_list_filters_by_programme_state_and_number(browse, world):
    proposal = world["proposal"]
    browser = browse("caseworker")

    assert (
        proposal.reference
        in browser.get(
            f"/bantuan/usulan/?programme={world['programme'].pk}&state=approved"
        ).content.decode()
    )
    assert proposal.reference not in browser.get("/bantuan/usulan/?state=draft").content.decode()
    # The search goes by POST: what is typed there (a NIK, a name) stays out of the URL.
    found = browser.post(
        "/bantuan/usulan/",
        {"q": proposal.reference[-6:].lower(), "programme": str(world["programme"].pk)},
    )
    assert found.status_code == 302
    assert found.url == f"/bantuan/usulan/?programme={world['programme'].pk}"
    assert proposal.reference in browser.get(found.url).content.decode()
    nik = world["proposal"].client.nik
    missed = browser.post("/bantuan/usulan/", {"q": nik, "state": "approved"})
    assert missed.url == "/bantuan/usulan/?state=approved" and nik not in missed.url
    page = browser.get(missed.url).content.decode()
    assert proposal.reference not in page
    browser.post("/bantuan/usulan/", {"q": nik, "clear": "1"})
    assert proposal.reference in browser.get("/bantuan/usulan/").content.decode()


def test_bulk_buttons_and_tick_boxes_show_only_where_there_is_something_to_act_on(
    browse, world, cast, funded, food, make_case
):
    approved = world["proposal"].reference
    submit, verify = said("Submit checked"), said("Verify checked")

    only_approved = browse("supervisor").get("/bantuan/usulan/").content.decode()
    assert submit not in only_approved and verify not in only_approved
    assert f'id="check-{approved}"' not in only_approved

    draft = services.proposal_create(client=make_case(serial=2).client, programme=funded,
                                     items=[(food, 1)], by=cast.caseworker)  # fmt: skip
    for role in ("caseworker", "supervisor"):
        page = browse(role).get("/bantuan/usulan/").content.decode()
        assert submit in page and verify not in page
        assert f'id="check-{draft.reference}"' in page
        assert f'id="check-{approved}"' not in page
    assert submit not in browse("outsider").get("/bantuan/usulan/").content.decode()

    services.proposal_submit(proposal=draft, by=cast.caseworker)
    caseworker = browse("caseworker").get("/bantuan/usulan/").content.decode()
    supervisor = browse("supervisor").get("/bantuan/usulan/").content.decode()
    assert submit not in caseworker and verify not in caseworker  # verifying is not theirs
    assert verify in supervisor and f'id="check-{draft.reference}"' in supervisor


def test_the_proposal_list_takes_a_fixed_number_of_queries(
    browse, cast, funded, food, make_client, django_assert_max_num_queries
):
    from aid import services

    for serial in range(1, 13):
        services.proposal_create(client=make_client(serial=serial), programme=funded,
                                 items=[(food, 1)], by=cast.caseworker)  # fmt: skip
    browser = browse("caseworker")

    with django_assert_max_num_queries(14):
        response = browser.get("/bantuan/usulan/")

    assert response.content.decode().count("/bantuan/usulan/USL-") == 12


def test_the_programme_page_shows_the_budget_panel_catalogue_and_ledger(browse, world):
    page = browse("supervisor").get(url("programme detail", world)).content.decode()

    assert "Paket nutrisi" in page
    assert "Rp 2.000.000" in page  # allocated to the component
    assert "Rp 200.000" in page  # reserved by the decree
    assert "DPA 2026" in page  # the allocation's reason in the ledger
    assert world["proposal"].reference in page
    # The bars are <progress> elements: the CSP forbids the inline width a <div> bar needs.
    assert '<progress class="budget-bar reserved" max="2000000" value="200000"' in page
    assert 'style="' not in page


def test_the_proposal_page_shows_items_total_timeline_and_is_audited(browse, cast, world):
    proposal = world["proposal"]
    page = browse("caseworker").get(url("proposal detail", world)).content.decode()

    assert "Rp 200.000" in page
    assert world["client"].masked_nik in page
    assert world["client"].nik not in page
    assert world["decree"].number in page
    assert shown("Aid approved by decree") in page
    assert AuditEvent.objects.filter(
        actor=cast.caseworker, action="view", object_id=str(proposal.pk)
    ).exists()


def test_the_decree_page_lists_its_proposals_with_masked_nik_and_total(browse, world):
    page = browse("supervisor").get(url("decree detail", world)).content.decode()

    assert world["proposal"].reference in page
    assert world["client"].masked_nik in page
    assert world["client"].nik not in page
    assert "Rp 200.000" in page


def test_a_caseworker_proposes_a_client_from_the_client_page(browse, cast, funded, food,
                                                             make_case):  # fmt: skip
    client = make_case().client

    response = browse("caseworker").post(f"/bantuan/klien/{client.pk}/usulan/baru/", {
        "programme": funded.pk, f"qty_{food.pk}": "3", "business_plan": "",
    })  # fmt: skip

    proposal = Proposal.objects.get(client=client)
    assert response.status_code == 302
    assert response["Location"] == f"/bantuan/usulan/{proposal.reference}/"
    assert (proposal.state, proposal.value) == (State.DRAFT, 3 * UNIT)


def test_entrepreneurship_items_need_a_business_plan_on_the_form(browse, cast, funded, make_case):
    tools = make_item(funded, "Paket peralatan usaha", kind="entrepreneurship")
    client = make_case().client

    response = browse("caseworker").post(f"/bantuan/klien/{client.pk}/usulan/baru/", {
        "programme": funded.pk, f"qty_{tools.pk}": "1",
    })  # fmt: skip

    assert response.status_code == 200
    assert shown("Entrepreneurship aid needs a business plan.") in response.content.decode()
    assert not Proposal.objects.exists()


def test_transitions_through_the_page_submit_then_verify(browse, cast, funded, food, make_case):
    from aid import services

    proposal = services.proposal_create(client=make_case().client, programme=funded,
                                        items=[(food, 1)], by=cast.caseworker)  # fmt: skip

    browse("caseworker").post(f"/bantuan/usulan/{proposal.reference}/ajukan/")
    browse("supervisor").post(f"/bantuan/usulan/{proposal.reference}/verifikasi/")

    proposal.refresh_from_db()
    assert proposal.state == State.VERIFIED
    assert proposal.verified_by == cast.supervisor


def test_four_eyes_through_the_page_shows_the_message(browse, cast, funded, food, make_case):
    from aid import services

    proposal = services.proposal_create(client=make_case().client, programme=funded,
                                        items=[(food, 1)], by=cast.supervisor)  # fmt: skip
    browser = browse("supervisor")
    browser.post(f"/bantuan/usulan/{proposal.reference}/ajukan/")

    response = browser.post(f"/bantuan/usulan/{proposal.reference}/verifikasi/", follow=True)

    assert shown("Whoever created or submitted a proposal cannot verify or approve it.") in (
        response.content.decode()
    )
    proposal.refresh_from_db()
    assert proposal.state == State.SUBMITTED


def test_a_caseworker_cannot_verify_through_the_page(browse, cast, funded, food, make_case):
    from aid import services

    proposal = services.proposal_create(client=make_case().client, programme=funded,
                                        items=[(food, 1)], by=cast.caseworker)  # fmt: skip
    services.proposal_submit(proposal=proposal, by=cast.caseworker)

    response = browse("caseworker2").post(f"/bantuan/usulan/{proposal.reference}/verifikasi/")

    assert response.status_code == 403
    proposal.refresh_from_db()
    assert proposal.state == State.SUBMITTED


def test_an_outsider_cannot_submit_a_proposal_of_our_area(browse, cast, funded, food, make_case):
    from aid import services

    proposal = services.proposal_create(client=make_case().client, programme=funded,
                                        items=[(food, 1)], by=cast.caseworker)  # fmt: skip

    response = browse("outsider").post(f"/bantuan/usulan/{proposal.reference}/ajukan/")

    assert response.status_code == 404
    proposal.refresh_from_db()
    assert proposal.state == State.DRAFT


def test_rejecting_needs_a_reason_and_releases_the_reservation(browse, cast, world):
    proposal = world["proposal"]
    browser = browse("supervisor")

    refused = browser.post(f"/bantuan/usulan/{proposal.reference}/tolak/", {"reason": ""},
                           follow=True)  # fmt: skip
    proposal.refresh_from_db()
    assert proposal.state == State.APPROVED
    assert shown("Give a reason.") in refused.content.decode()

    browser.post(f"/bantuan/usulan/{proposal.reference}/tolak/", {"reason": "Pindah domisili"})

    proposal.refresh_from_db()
    assert (proposal.state, proposal.reason) == (State.REJECTED, "Pindah domisili")
    assert world["programme"].budget_lines.get().reserved == 0


def test_a_caseworker_cancels_a_draft_with_a_reason(browse, cast, funded, food, make_case):
    from aid import services

    proposal = services.proposal_create(client=make_case().client, programme=funded,
                                        items=[(food, 1)], by=cast.caseworker)  # fmt: skip

    browse("caseworker").post(f"/bantuan/usulan/{proposal.reference}/batalkan/",
                              {"reason": "Keluarga menolak"})  # fmt: skip

    proposal.refresh_from_db()
    assert proposal.state == State.CANCELLED


def test_bulk_submit_and_verify_on_the_checked_rows(browse, cast, funded, food, make_client):
    from aid import services

    proposals = [
        services.proposal_create(
            client=make_client(serial=s), programme=funded, items=[(food, 1)], by=cast.caseworker
        )  # fmt: skip
        for s in (1, 2, 3)
    ]
    checked = [p.reference for p in proposals[:2]]

    browse("caseworker").post("/bantuan/usulan/aksi/", {"action": "submit", "proposals": checked})
    browse("supervisor").post("/bantuan/usulan/aksi/", {"action": "verify", "proposals": checked})

    states = dict(Proposal.objects.values_list("reference", "state"))
    assert [states[p.reference] for p in proposals] == [State.VERIFIED, State.VERIFIED,
                                                        State.DRAFT]  # fmt: skip


def test_a_supervisor_approves_the_checked_proposals_with_one_decree(
    browse, cast, funded, food, make_client
):
    proposals = [verified(cast, make_client(serial=s), funded, [(food, 1)]) for s in (1, 2)]
    approver = other_supervisor(cast)
    from django.test import Client as Browser

    browser = Browser()
    browser.force_login(approver)

    form = browser.get("/bantuan/sk/baru/", {"proposals": [p.reference for p in proposals]})
    assert form.status_code == 200
    response = browser.post("/bantuan/sk/baru/", {
        "number": "SK/10/2026", "date": "2026-11-20", "signatory_name": "Kepala Dinas",
        "signatory_title": "Kepala Dinas Sosial", "proposals": [p.reference for p in proposals],
    })  # fmt: skip

    decree = Decree.objects.get(number="SK/10/2026")
    assert response["Location"] == f"/bantuan/sk/{decree.pk}/"
    assert set(decree.proposals.values_list("state", flat=True)) == {State.APPROVED}
    assert decree.proposals.count() == 2


def test_the_decree_form_shows_the_four_eyes_refusal_and_approves_nothing(
    browse, cast, funded, food, make_client
):
    proposal = verified(cast, make_client(), funded, [(food, 1)])
    # the supervisor submitted it themselves
    Proposal.objects.filter(pk=proposal.pk).update(submitted_by=cast.supervisor)

    response = browse("supervisor").post("/bantuan/sk/baru/", {
        "number": "SK/11/2026", "date": "2026-11-20", "signatory_name": "Kepala Dinas",
        "signatory_title": "Kepala", "proposals": [proposal.reference],
    })  # fmt: skip

    assert response.status_code == 200
    assert (
        shown(
            "You created or submitted proposal %(ref)s: another supervisor must approve it.",
            ref=proposal.reference,
        )
        in response.content.decode()
    )
    assert not Decree.objects.exists()


def test_the_eligible_rows_of_a_batch_are_proposed_from_the_batch_page(
    browse, cast, funded, food, make_client
):
    funded.max_decile = 4
    funded.save()
    registered, richer = make_client(serial=1), make_client(serial=2)
    people = [(registered.nik, registered.full_name, 3), (richer.nik, richer.full_name, 7)]
    batch = screened_batch(cast, funded, [(n, name) for n, name, _d in people],
                           snapshot_with(cast, people))  # fmt: skip
    browser = browse("caseworker")
    assert (
        f"/bantuan/kelayakan/{batch.pk}/usulkan/"
        in browser.get(f"/kelayakan/{batch.pk}/").content.decode()
    )

    response = browser.post(f"/bantuan/kelayakan/{batch.pk}/usulkan/", {f"qty_{food.pk}": "1"},
                            follow=True)  # fmt: skip

    [proposal] = Proposal.objects.all()
    assert proposal.client == registered
    assert proposal.batch_row.verdict == "ELIGIBLE"
    page = response.content.decode()
    assert proposal.reference in page
    assert richer.masked_nik not in page


def test_the_batch_page_offers_no_proposing_to_the_viewer(browse, cast, funded, food, make_client):
    client = make_client()
    people = [(client.nik, client.full_name, 3)]
    batch = screened_batch(cast, funded, [(client.nik, client.full_name)],
                           snapshot_with(cast, people))  # fmt: skip

    assert browse("viewer").get(f"/bantuan/kelayakan/{batch.pk}/usulkan/").status_code == 404
    assert browse("outsider").get(f"/bantuan/kelayakan/{batch.pk}/usulkan/").status_code == 404


def _rows(content, sheet):
    book = load_workbook(io.BytesIO(content))
    return [list(r) for r in book.worksheets[sheet].iter_rows(values_only=True)], book


def test_the_proposals_xlsx_holds_masked_niks_and_no_formula_and_is_audited(browse, cast, world):
    client = world["client"]
    client.full_name = '=HYPERLINK("x")'
    client.save()

    response = browse("supervisor").get(url("proposals xlsx", world))

    rows, book = _rows(response.content, 0)
    assert rows[1][0] == world["proposal"].reference
    assert rows[1][1] == client.masked_nik
    assert rows[1][2] == '\'=HYPERLINK("x")'
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            assert not any(cell.data_type == "f" for cell in row)
    assert AuditEvent.objects.filter(actor=cast.supervisor, action="export").exists()
    assert (rows[-1][0], rows[-1][5]) == (said("Total"), world["proposal"].value)
    disposition = response["Content-Disposition"]
    assert f"usulan-{slugify(world['programme'].name)}-" in disposition
    assert str(world["programme"].pk) not in disposition


def test_the_decree_form_offers_the_last_decrees_signatory(browse, world):
    form = browse("supervisor").get("/bantuan/sk/baru/").context["form"]

    assert form.initial["signatory_name"] == world["decree"].signatory_name


def test_the_realisation_xlsx_sums_per_component_and_per_district(browse, cast, world):
    response = browse("supervisor").get(url("realisation xlsx", world))

    components, _ = _rows(response.content, 0)
    districts, _ = _rows(response.content, 1)
    assert components[1][1:4] == [2_000_000, 2 * UNIT, 0]
    assert districts[1][0] == "16.02.05"
    assert districts[1][3:5] == [2 * UNIT, 0]


def test_the_nav_shows_aid_to_caseworkers_only_among_these(browse, world):
    assert "/bantuan/usulan/" in browse("caseworker").get("/").content.decode()
    assert "/bantuan/usulan/" not in browse("viewer").get("/").content.decode()


def test_approving_the_checked_proposals_opens_the_decree_form_without_a_form_token_in_the_url(
    browse, world
):
    response = browse("supervisor").post(
        "/bantuan/usulan/aksi/",
        {"action": "decree", "proposals": [world["proposal"].reference]},
    )

    assert response.status_code == 302
    assert response.url == f"/bantuan/sk/baru/?proposals={world['proposal'].reference}"
    assert "csrf" not in response.url


def test_the_bulk_form_does_not_send_the_user_to_another_site(browse, world):
    response = browse("caseworker").post(
        "/bantuan/usulan/aksi/",
        {"action": "submit", "proposals": [world["proposal"].reference],
         "next": "https://example.invalid/"},
    )  # fmt: skip

    assert response.status_code == 302 and response.url == "/bantuan/usulan/"


def test_whoever_submitted_a_proposal_is_not_offered_to_verify_it(
    browse, cast, funded, food, make_client
):
    from aid import services

    proposal = services.proposal_create(
        client=make_client(serial=9), programme=funded, items=[(food, 1)], by=cast.supervisor
    )
    services.proposal_submit(proposal=proposal, by=cast.supervisor)
    page = f"/bantuan/usulan/{proposal.reference}/"
    verify = f"/bantuan/usulan/{proposal.reference}/verifikasi/"
    other = other_supervisor(cast)
    browser = browse("supervisor")
    browser.force_login(other)

    assert verify in browser.get(page).content.decode()
    browser.force_login(cast.supervisor)
    assert verify not in browser.get(page).content.decode()


def test_a_proposal_that_would_fail_at_approval_says_why_on_its_page(
    browse, cast, funded, food, make_client
):
    from aid import services

    funded.requires_assessment = True
    funded.save()
    proposal = services.proposal_create(
        client=make_client(serial=11), programme=funded, items=[(food, 1)], by=cast.caseworker
    )

    page = browse("caseworker").get(f"/bantuan/usulan/{proposal.reference}/").content.decode()

    assert (
        shown(
            "This proposal would not be approved today: %(problem)s.",
            problem=said("there is no completed social assessment"),
        )
        in page
    )


def test_the_decree_form_shows_who_each_proposal_is_for_and_its_value(
    browse, cast, funded, food, make_client
):
    client = make_client(serial=12)
    proposal = verified(cast, client, funded, [(food, 2)])

    page = browse("supervisor").get(f"/bantuan/sk/baru/?proposals={proposal.reference}")

    text = page.content.decode()
    assert client.full_name in text and client.masked_nik in text
    assert "Rp 200.000" in text
