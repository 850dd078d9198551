"""Changing a draft proposal on its own page, and the figures of the proposal forms: the
value of each line, the total, and the programme's budget left per ATENSI component, with a
warning (never a refusal) when the items ask more than is available."""

import re

import pytest

from aid import services
from aid.models import Proposal
from atensi.audit.models import AuditEvent
from atensi.audit.summaries import summary_label
from cases.models import CaseEvent
from tests.conftest import role_matrix, said, shown

from .conftest import UNIT, fund, make_item

State = Proposal.State


@pytest.fixture
def draft(cast, funded, food, make_case):
    """A draft of two food packages (Rp 200.000) of a programme with Rp 2.000.000 allocated
    to the decent-living component, and a hygiene kit in the catalogue not yet proposed."""
    make_item(funded, "Paket kebersihan", cost=50_000)
    case = make_case()
    return services.proposal_create(client=case.client, programme=funded, items=[(food, 2)],
                                    by=cast.caseworker)  # fmt: skip


def edit_url(proposal):
    return f"/bantuan/usulan/{proposal.reference}/ubah/"


def quantities(proposal, **by_name):
    """The edit form's fields: every catalogue item at 0 unless named (by its name)."""
    data = {f"qty_{item.pk}": "0" for item in proposal.programme.items.all()}
    for item in proposal.programme.items.all():
        if item.name in by_name:
            data[f"qty_{item.pk}"] = str(by_name[item.name])
    data["business_plan"] = ""
    return data


def lines(proposal):
    return sorted(proposal.items.values_list("aid_item__name", "quantity", "value"))


# --- changing a draft ----------------------------------------------------------------------


def test_a_caseworker_changes_quantities_adds_and_removes_items_of_a_draft(browse, cast, draft):
    data = quantities(draft, **{"Paket nutrisi": 0, "Paket kebersihan": 3})

    response = browse("caseworker").post(edit_url(draft), data)

    assert response.status_code == 302
    assert response["Location"] == f"/bantuan/usulan/{draft.reference}/"
    draft.refresh_from_db()
    assert lines(draft) == [("Paket kebersihan", 3, 150_000)]
    assert (draft.state, draft.value) == (State.DRAFT, 150_000)


def test_the_change_is_on_the_case_timeline_and_in_the_audit_log_with_old_and_new_value(
    browse, cast, draft
):
    browser = browse("caseworker")
    browser.post(edit_url(draft), quantities(draft, **{"Paket nutrisi": 3}))

    case = draft.client.cases.get()
    event = case.events.get(verb=CaseEvent.Verb.AID_CHANGED)
    assert event.actor == cast.caseworker
    assert "Paket nutrisi × 3" in event.description and "Rp 300.000" in event.description
    audit = AuditEvent.objects.get(action="update", object_id=str(draft.pk))
    assert audit.summary == "items: value 200000 -> 300000"
    assert summary_label(audit.summary) == said(
        "items changed, value %(before)s → %(after)s", before="Rp 200.000", after="Rp 300.000"
    )
    page = browser.get(f"/bantuan/usulan/{draft.reference}/").content.decode()
    assert shown("Aid proposal items changed") in page


def test_a_changed_business_plan_is_named_in_the_audit_summary(browse, cast, draft):
    data = quantities(draft, **{"Paket nutrisi": 2})
    data["business_plan"] = "Warung kopi di pasar"

    browse("caseworker").post(edit_url(draft), data)

    draft.refresh_from_db()
    assert draft.business_plan == "Warung kopi di pasar"
    assert AuditEvent.objects.get(action="update", object_id=str(draft.pk)).summary == (
        "items, business_plan: value 200000 -> 200000"
    )


def test_the_edit_page_shows_the_current_quantities_values_and_budget_left(browse, draft):
    food = draft.items.get().aid_item

    page = browse("caseworker").get(edit_url(draft)).content.decode()

    assert re.search(rf'name="qty_{food.pk}" value="2"', page)
    assert f'data-line-value="qty_{food.pk}">Rp 200.000<' in page
    assert "data-total" in page and "Rp 200.000" in page
    # Rp 2.000.000 allocated, nothing reserved or spent: Rp 1.800.000 left after this one.
    assert 'data-component="hidup_layak" data-available="2000000"' in page
    assert "Rp 1.800.000" in page
    assert shown("Change the proposal") in page


def test_a_quantity_that_is_not_a_whole_number_is_refused_and_nothing_changes(browse, draft):
    data = quantities(draft, **{"Paket nutrisi": "-1"})

    response = browse("caseworker").post(edit_url(draft), data)

    assert response.status_code == 200
    assert "errorlist" in response.content.decode()
    assert lines(draft) == [("Paket nutrisi", 2, 2 * UNIT)]


def test_removing_every_item_is_refused_with_a_message(browse, draft):
    response = browse("caseworker").post(edit_url(draft), quantities(draft))

    assert response.status_code == 200
    assert shown("Give a quantity for at least one item of the chosen programme.") in (
        response.content.decode()
    )
    assert lines(draft) == [("Paket nutrisi", 2, 2 * UNIT)]


def test_an_entrepreneurship_item_needs_a_business_plan_on_the_edit_page(browse, cast, draft):
    make_item(draft.programme, "Paket peralatan usaha", kind="entrepreneurship")

    response = browse("caseworker").post(
        edit_url(draft), quantities(draft, **{"Paket peralatan usaha": 1})
    )

    assert response.status_code == 200
    assert shown("Entrepreneurship aid needs a business plan.") in response.content.decode()
    assert lines(draft) == [("Paket nutrisi", 2, 2 * UNIT)]


def test_an_item_no_longer_offered_can_be_removed_but_not_kept(browse, cast, draft):
    food = draft.items.get().aid_item
    food.is_active = False
    food.save()
    browser = browse("caseworker")

    page = browser.get(edit_url(draft)).content.decode()
    kept = browser.post(edit_url(draft), quantities(draft, **{"Paket nutrisi": 2}))
    removed = browser.post(
        edit_url(draft), quantities(draft, **{"Paket nutrisi": 0, "Paket kebersihan": 1})
    )

    assert shown("no longer offered") in page
    assert shown("%(item)s is not an active item of this programme.", item="Paket nutrisi") in (
        kept.content.decode()
    )
    assert removed.status_code == 302
    assert lines(draft) == [("Paket kebersihan", 1, 50_000)]


def test_a_submitted_proposal_can_no_longer_be_changed_and_the_page_says_so(browse, cast, draft):
    services.proposal_submit(proposal=draft, by=cast.caseworker)
    browser = browse("caseworker")

    page = browser.get(edit_url(draft))
    sent = browser.post(edit_url(draft), quantities(draft, **{"Paket nutrisi": 5}))
    detail = browser.get(f"/bantuan/usulan/{draft.reference}/").content.decode()

    assert page.status_code == 200
    message = shown(
        "This proposal is %(state)s and can no longer be changed: only a draft can be edited.",
        state=said("Submitted").lower(),
    )
    assert message in page.content.decode()
    assert 'name="qty_' not in page.content.decode()
    assert sent.status_code == 409
    assert lines(draft) == [("Paket nutrisi", 2, 2 * UNIT)]
    assert edit_url(draft) not in detail


def test_the_draft_page_offers_the_change_to_those_who_may_write_it(browse, draft):
    detail = f"/bantuan/usulan/{draft.reference}/"

    assert edit_url(draft) in browse("caseworker").get(detail).content.decode()
    assert edit_url(draft) in browse("supervisor").get(detail).content.decode()
    assert edit_url(draft) not in browse("admin").get(detail).content.decode()


EDIT = {
    #              caseworker supervisor outsider referrer centre viewer admin
    "get":         (200, 200, 404, 404, 404, 404, 404),
    "post":        (302, 302, 404, 404, 404, 404, 404),
}  # fmt: skip


@pytest.mark.parametrize(("method", "role", "status"), role_matrix(EDIT))
def test_only_who_may_write_the_proposal_may_change_it(browse, draft, method, role, status):
    browser = browse(role)
    data = quantities(draft, **{"Paket nutrisi": 4})

    response = browser.get(edit_url(draft)) if method == "get" else browser.post(
        edit_url(draft), data
    )  # fmt: skip

    assert response.status_code == status
    draft.refresh_from_db()
    assert draft.value == (4 if method == "post" and status == 302 else 2) * UNIT


def test_the_service_refuses_a_change_by_someone_who_may_not_read_the_client(
    cast, funded, food, make_client
):
    from django.core.exceptions import PermissionDenied

    draft = services.proposal_create(client=make_client(), programme=funded, items=[(food, 1)],
                                     by=cast.caseworker)  # fmt: skip

    with pytest.raises(PermissionDenied):
        services.proposal_items_set(proposal=draft, items=[(food, 2)], by=cast.outsider)


# --- the figures: total and budget left ------------------------------------------------------


def test_the_new_proposal_page_loads_its_script_from_a_file_with_no_inline_script_or_style(
    browse, funded, food, make_case
):
    client = make_case().client

    page = browse("caseworker").get(f"/bantuan/klien/{client.pk}/usulan/baru/").content.decode()

    assert '<script src="/static/js/proposal-total.js" defer></script>' in page
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page)  # every script is a file
    assert 'style="' not in page
    assert f'data-unit-cost="{UNIT}"' in page and 'data-component="hidup_layak"' in page
    assert f'data-budget="{funded.pk}"' in page
    assert "data-without-script" in page  # the Recalculate button, for browsers without it


def test_a_proposal_over_the_budget_is_saved_with_a_warning(browse, cast, funded, food, make_case):
    client = make_case().client
    browser = browse("caseworker")

    response = browser.post(f"/bantuan/klien/{client.pk}/usulan/baru/", {
        "programme": funded.pk, f"qty_{food.pk}": "25", "business_plan": "",
    }, follow=True)  # fmt: skip

    proposal = Proposal.objects.get(client=client)
    assert proposal.value == 25 * UNIT  # Rp 2.500.000 against Rp 2.000.000 available
    warning = shown(
        "The items ask more than is available in the budget for: %(components)s. The "
        "proposal is saved; approval will refuse it unless more is allocated.",
        components=said("Support for a decent living"),
    )
    assert warning in response.content.decode()


def test_recalculate_shows_the_total_and_the_warning_without_saving(
    browse, cast, funded, food, make_case
):
    client = make_case().client

    response = browse("caseworker").post(f"/bantuan/klien/{client.pk}/usulan/baru/", {
        "programme": funded.pk, f"qty_{food.pk}": "25", "business_plan": "",
        "recalculate": "1",
    })  # fmt: skip

    page = response.content.decode()
    assert response.status_code == 200
    assert not Proposal.objects.exists()
    assert "errorlist" not in page
    assert f'data-line-value="qty_{food.pk}">Rp 2.500.000<' in page
    assert re.search(r"data-total[^>]*>Rp 2\.500\.000<", page)
    assert re.search(r"data-budget-warning(?! hidden)[^>]*>", page)
    assert re.search(r'class="badge text-bg-warning" data-over>', page)
    # The overdraft in words, never as a minus sign to spot.
    assert shown("short by Rp %(amount)s", amount="500.000") in page
    assert "Rp -500.000" not in page


def test_the_total_counts_only_the_chosen_programme_and_hides_the_other_budgets(
    browse, cast, funded, food, make_case
):
    from .conftest import make_programme

    other = make_programme(cast, name="Bantuan Vokasional")
    tools = make_item(other, "Alat pangkas", cost=300_000, component="vokasional")
    fund(cast, other, UNIT)  # offered on the form: items and some allocation
    client = make_case().client

    response = browse("caseworker").post(f"/bantuan/klien/{client.pk}/usulan/baru/", {
        "programme": funded.pk, f"qty_{food.pk}": "1", f"qty_{tools.pk}": "2",
        "recalculate": "1",
    })  # fmt: skip

    page = response.content.decode()
    assert re.search(r"data-total[^>]*>Rp 100\.000<", page)
    assert f'data-budget="{funded.pk}">' in page
    assert f'data-budget="{other.pk}" hidden>' in page
    # Nothing is allocated to the vocational component of the other programme.
    assert shown("nothing allocated") in page


def test_the_edit_page_warns_when_the_new_quantities_exceed_the_budget(browse, cast, draft):
    response = browse("caseworker").post(
        edit_url(draft), {**quantities(draft, **{"Paket nutrisi": 30}), "recalculate": "1"}
    )

    page = response.content.decode()
    assert re.search(r"data-total[^>]*>Rp 3\.000\.000<", page)
    assert re.search(r"data-budget-warning(?! hidden)[^>]*>", page)
    assert lines(draft) == [("Paket nutrisi", 2, 2 * UNIT)]  # recalculating saves nothing
