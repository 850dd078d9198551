"""Proposing the eligible rows of a screening batch: entrepreneurship items and the business
plan only for people whose assessment records a business, the others get the other items;
the page says how many rows are left to propose and who got what."""

import pytest
from django.utils import translation
from django.utils.html import escape

from aid.models import Proposal
from tests.conftest import shown

from .conftest import assess, make_item
from .test_proposals import screened_batch, snapshot_with


def shown_n(singular: str, plural: str, n: int) -> str:
    """A counted message as the Indonesian page shows it."""
    with translation.override("id"):
        return escape(translation.ngettext(singular, plural, n) % {"n": n})


PLAN = "Menambah peralatan warung kopi yang sudah berjalan sejak 2024."


@pytest.fixture
def batch(cast, funded, make_case):
    """Two eligible people: Dodi runs a warung (his assessment says so), Lina does not."""
    dodi = make_case(serial=1, full_name="Dodi Harahap")
    lina = make_case(serial=2, full_name="Lina Setiawan")
    assess(dodi, business=True)
    assess(lina, business=False)
    people = [(c.client.nik, c.client.full_name, 3) for c in (dodi, lina)]
    snapshot = snapshot_with(cast, people)
    return screened_batch(cast, funded, [(nik, name) for nik, name, _d in people], snapshot)


@pytest.fixture
def tools(funded):
    return make_item(funded, "Paket peralatan usaha", kind="entrepreneurship", cost=1_500_000)


def items_of(name):
    proposal = Proposal.objects.get(client__full_name=name)
    return proposal, sorted(proposal.items.values_list("aid_item__name", "quantity"))


def test_entrepreneurship_items_and_the_plan_go_only_to_people_with_a_recorded_business(
    batch, food, tools, browse
):
    browser = browse("caseworker")

    response = browser.post(f"/bantuan/kelayakan/{batch.pk}/usulkan/", {
        f"qty_{food.pk}": "2", f"qty_{tools.pk}": "1", "business_plan": PLAN,
    }, follow=True)  # fmt: skip

    dodi, dodi_items = items_of("Dodi Harahap")
    lina, lina_items = items_of("Lina Setiawan")
    assert dodi_items == [("Paket nutrisi", 2), ("Paket peralatan usaha", 1)]
    assert dodi.business_plan == PLAN and dodi.value == 2 * 100_000 + 1_500_000
    assert lina_items == [("Paket nutrisi", 2)]
    assert lina.business_plan == "" and lina.value == 200_000
    page = response.content.decode()
    assert shown_n("%(n)d proposal created.", "%(n)d proposals created.", 2) in page
    assert shown_n(
        "%(n)d person whose assessment records an existing business got the entrepreneurship "
        "items and the business plan.",
        "%(n)d people whose assessment records an existing business got the entrepreneurship "
        "items and the business plan.", 1,
    ) in page  # fmt: skip
    assert shown_n(
        "%(n)d person without a recorded business got only the other items.",
        "%(n)d people without a recorded business got only the other items.", 1,
    ) in page  # fmt: skip


def test_people_without_a_business_get_no_items_when_only_entrepreneurship_was_chosen(
    batch, tools, browse
):
    response = browse("caseworker").post(f"/bantuan/kelayakan/{batch.pk}/usulkan/", {
        f"qty_{tools.pk}": "1", "business_plan": PLAN,
    }, follow=True)  # fmt: skip

    assert items_of("Lina Setiawan")[1] == []
    assert items_of("Dodi Harahap")[1] == [("Paket peralatan usaha", 1)]
    assert shown_n(
        "%(n)d person without a recorded business got no items: add them to the draft.",
        "%(n)d people without a recorded business got no items: add them to the drafts.", 1,
    ) in response.content.decode()  # fmt: skip


def test_the_batch_page_says_how_many_rows_can_still_be_proposed(batch, food, browse):
    browser = browse("caseworker")
    url = f"/bantuan/kelayakan/{batch.pk}/usulkan/"

    before = browser.get(url).content.decode()
    assert shown_n("%(n)s eligible row can still be proposed.",
                   "%(n)s eligible rows can still be proposed.", 2) in before  # fmt: skip
    assert 'type="submit"' in before

    browser.post(url, {f"qty_{food.pk}": "1"})
    after = browser.get(url).content.decode()
    assert (
        shown("Every eligible row of this batch has been proposed: nothing is left to propose.")
        in after
    )
    assert 'name="business_plan"' not in after  # no form to send again

    again = browser.post(url, {f"qty_{food.pk}": "1"}, follow=True).content.decode()
    assert Proposal.objects.count() == 2
    assert shown("No proposal was created.") in again
    assert shown_n("%(n)d row was proposed before.", "%(n)d rows were proposed before.", 2) in again
