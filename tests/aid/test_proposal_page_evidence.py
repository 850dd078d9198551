"""The proposal page as a verifier reads it: the screened row beside the register row it was
matched to, what differs and who confirmed it; the verdict in words only; why a supervisor
is not offered to verify their own proposal; links to the client and the case; amounts and
numbers that never break; and the list's bulk actions saying what they did."""

import re

import pytest
from django.utils import timezone, translation
from django.utils.html import escape

from aid import services
from aid.models import Proposal
from assessments.models import BatchRow
from assessments.services import eligibility
from tests.conftest import shown

from .conftest import approve, verified
from .test_proposals import screened_batch, snapshot_with


def shown_n(singular: str, plural: str, n: int, **params) -> str:
    with translation.override("id"):
        return escape(translation.ngettext(singular, plural, n) % {"n": n, **params})


@pytest.fixture
def mismatched(cast, funded, food, make_case):
    """The list said "Dodi Harahap" for the NIK of the register's "AGUS SETIAWAN"; the
    supervisor confirmed the match, and the row was proposed."""
    case = make_case(full_name="Agus Setiawan")
    client = case.client
    snapshot = snapshot_with(cast, [(client.nik, "AGUS SETIAWAN", 4)])
    batch = screened_batch(cast, funded, [(client.nik, "Dodi Harahap")], snapshot)
    row = batch.rows.get()
    assert row.review == BatchRow.Review.PENDING
    row = eligibility.batch_row_review(row=row, by=cast.supervisor, confirm=True)
    assert row.verdict == "ELIGIBLE"
    [proposal] = services.proposals_create_from_batch(
        batch=batch, by=cast.caseworker, items=[(food, 1)]
    ).created
    return proposal, row, case


def test_the_listed_row_is_shown_beside_the_register_row_with_what_differs(
    cast, mismatched, browse
):
    proposal, row, _case = mismatched

    page = browse("caseworker").get(f"/bantuan/usulan/{proposal.reference}/").content.decode()

    table = re.search(r'<table class="table table-sm match-table.*?</table>', page, re.S).group(0)
    name_line = re.search(r"<tr[^>]*>\s*<th[^>]*>" + re.escape(shown("Name")) + r"</th>(.*?)</tr>",
                          table, re.S).group(1)  # fmt: skip
    assert "Dodi Harahap" in name_line and "AGUS SETIAWAN" in name_line
    assert "cmp-cell-differ" in name_line and shown("differs") in name_line
    nik_line = re.search(r"<tr[^>]*>\s*<th[^>]*>NIK</th>(.*?)</tr>", table, re.S).group(1)
    assert "cmp-cell-agree" in nik_line
    assert proposal.client.nik not in page  # NIKs masked
    assert proposal.client.masked_nik in nik_line
    assert "01-01-1990" in table and "Kayuagung" in table  # birth date and village
    assert shown("Differs from the register") in page
    who = cast.supervisor.get_full_name() or cast.supervisor.username
    when = f"{timezone.localtime(row.reviewed_at):%d-%m-%Y %H:%M}"
    assert shown("Match confirmed by %(who)s on %(when)s.", who=who, when=when) in page


def test_the_verdict_is_shown_in_words_without_its_code(mismatched, browse):
    proposal, _row, _case = mismatched

    page = browse("caseworker").get(f"/bantuan/usulan/{proposal.reference}/").content.decode()

    assert shown("Eligible") in page
    assert "ELIGIBLE" not in page


def test_a_register_row_outside_the_readers_area_is_not_shown(mismatched, browse):
    from assessments.models import RegisterRow
    from tests.conftest import OI_VILLAGE

    proposal, row, _case = mismatched
    RegisterRow.objects.filter(pk=row.match_id).update(village_code=OI_VILLAGE)

    response = browse("caseworker").get(f"/bantuan/usulan/{proposal.reference}/")

    page = response.content.decode()
    assert response.status_code == 200
    assert "AGUS SETIAWAN" not in page
    assert "Dodi Harahap" in page  # the list's own row stays
    assert shown(
        "The register row matched lies outside your service area: nothing of it is shown."
    ) in page  # fmt: skip


def test_the_proposal_page_links_to_the_client_and_the_case(mismatched, browse):
    proposal, _row, case = mismatched

    page = browse("caseworker").get(f"/bantuan/usulan/{proposal.reference}/").content.decode()

    assert f'href="/klien/{proposal.client.pk}/"' in page
    assert f'href="/kasus/{case.pk}/"' in page and case.reference in page


def test_a_supervisor_is_told_why_their_own_proposal_has_no_verify_button(
    cast, funded, food, make_client, browse
):
    proposal = services.proposal_create(client=make_client(), programme=funded,
                                        items=[(food, 1)], by=cast.supervisor)  # fmt: skip
    services.proposal_submit(proposal=proposal, by=cast.supervisor)

    page = browse("supervisor").get(f"/bantuan/usulan/{proposal.reference}/").content.decode()

    assert f"/bantuan/usulan/{proposal.reference}/verifikasi/" not in page
    assert shown("You created or submitted this proposal, so another supervisor must verify it "
                 "(four eyes).") in page  # fmt: skip
    other = browse("caseworker").get(f"/bantuan/usulan/{proposal.reference}/").content.decode()
    assert 'id="four-eyes"' not in other


def test_amounts_and_numbers_are_kept_whole(cast, funded, food, make_case, browse):
    case = make_case()
    proposal = verified(cast, case.client, funded, [(food, 3)])
    decree = approve(cast, [proposal])
    browser = browse("supervisor")
    amount = re.compile(r'class="[^"]*\bnowrap\b[^"]*"[^>]*>Rp 300\.000<')
    number = f'class="nowrap" href="/bantuan/usulan/{proposal.reference}/">{proposal.reference}<'

    pages = {
        "list": browser.get("/bantuan/usulan/").content.decode(),
        "detail": browser.get(f"/bantuan/usulan/{proposal.reference}/").content.decode(),
        "client card": browser.get(f"/bantuan/klien/{case.client.pk}/usulan/").content.decode(),
        "decree": browser.get(f"/bantuan/sk/{decree.pk}/").content.decode(),
    }

    for name, page in pages.items():
        assert amount.search(page), name
        if name != "detail":
            assert number in page, name
    assert f'href="/bantuan/program/{funded.pk}/"' in pages["decree"]
    assert 'href="/bantuan/sk/"' in pages["decree"]


def test_the_tables_of_the_proposal_pages_stack_on_a_phone(cast, funded, food, make_case, browse):
    case = make_case()
    proposal = verified(cast, case.client, funded, [(food, 1)])
    browser = browse("caseworker")

    for url in ("/bantuan/usulan/", f"/bantuan/usulan/{proposal.reference}/",
                f"/bantuan/klien/{case.client.pk}/usulan/baru/"):  # fmt: skip
        page = browser.get(url).content.decode()
        assert "table-stack" in page, url
        assert f'data-label="{shown("Value")}"' in page, url


# --- bulk actions of the list ------------------------------------------------------------


def test_a_bulk_action_names_the_proposals_it_moved(cast, funded, food, make_client, browse):
    drafts = [
        services.proposal_create(
            client=make_client(serial=s), programme=funded, items=[(food, 1)], by=cast.caseworker
        )  # fmt: skip
        for s in (1, 2)
    ]
    references = sorted(p.reference for p in drafts)

    response = browse("caseworker").post("/bantuan/usulan/aksi/", {
        "action": "submit", "proposals": references, "next": "/bantuan/usulan/?state=draft",
    }, follow=True)  # fmt: skip

    assert set(Proposal.objects.values_list("state", flat=True)) == {"submitted"}
    assert shown_n("%(n)d proposal submitted: %(refs)s.", "%(n)d proposals submitted: %(refs)s.",
                   2, refs=", ".join(references)) in response.content.decode()  # fmt: skip


def test_a_bulk_action_with_nothing_ticked_keeps_the_filter_and_says_so(
    cast, funded, food, make_client, browse
):
    services.proposal_create(client=make_client(), programme=funded, items=[(food, 1)],
                             by=cast.caseworker)  # fmt: skip
    back = f"/bantuan/usulan/?programme={funded.pk}&state=draft&q="

    for role, action in (("caseworker", "submit"), ("supervisor", "verify"),
                         ("supervisor", "decree")):  # fmt: skip
        response = browse(role).post("/bantuan/usulan/aksi/", {"action": action, "next": back})

        assert response.status_code == 302 and response.url == back, action
        page = browse(role).get(back)
        assert page.status_code == 200
    response = browse("caseworker").post(
        "/bantuan/usulan/aksi/", {"action": "submit", "next": back}, follow=True
    )
    assert shown("Nothing was ticked: tick the proposals first, then choose the action.") in (
        response.content.decode()
    )
    assert set(Proposal.objects.values_list("state", flat=True)) == {"draft"}
