"""A programme's budget, end to end through the pages and the API against the database: a
supervisor sets the ceiling and period and splits the ceiling across the ATENSI components
(and moves it back and forth), every change a ledger entry with who and why; the panel shows
what is not yet allocated and what can really be reserved; the proposal form offers only
programmes a proposal can be made for; the decree form and list show count and total."""

import datetime
import re

import pytest
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from aid import selectors, services
from aid.models import BudgetEntry, BudgetLine, Programme
from atensi.audit.models import AuditEvent
from atensi.errors import ApplicationError
from tests.conftest import role_matrix, said, shown

from .conftest import UNIT, approve, fund, make_item, make_programme, verified
from .test_concurrency import in_parallel

Kind = BudgetEntry.Kind
FOOD, THERAPY, AID = "hidup_layak", "terapi", "bantuan"


def allocations(programme) -> dict:
    return dict(BudgetLine.objects.filter(programme=programme).values_list("component", "ceiling"))


def ledger(programme) -> list:
    return list(
        BudgetEntry.objects.filter(programme=programme)
        .order_by("id")
        .values_list("kind", "component", "amount", "by__username", "reason")
    )


def rupiah(amount: int) -> str:
    return f"Rp {amount:,}".replace(",", ".")


def allocation_form(programme, reason="DPA perubahan 2026", **amounts) -> dict:
    """The programme page's allocation form as a supervisor sends it: every component's
    amount (the current one unless given) and the amounts the page showed."""
    current = allocations(programme)
    data = {"reason": reason}
    for code in ("hidup_layak", "perawatan", "keluarga", "terapi", "vokasional", "bantuan",
                 "aksesibilitas"):  # fmt: skip
        data[f"alloc_{code}"] = amounts.get(code, current.get(code, 0))
        data[f"was_{code}"] = current.get(code, 0)
    return data


def alloc_url(programme) -> str:
    return f"/bantuan/program/{programme.pk}/alokasi/"


def api_as(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def empty(cast):
    """A programme as the demo creates the entrepreneurship one: no ceiling, no period, no
    items, nothing allocated."""
    return Programme.objects.create(
        name="Bantuan Kewirausahaan ATENSI", kind=Programme.Kind.ENTREPRENEURSHIP, year=2026,
        organisation=cast.dinsos, max_decile=4, requires_business=True,
    )  # fmt: skip


# --- allocating through the programme page --------------------------------------------------


def test_a_supervisor_allocates_the_ceiling_to_components_on_the_programme_page(
    browse, cast, programme
):
    supervisor = browse("supervisor")
    page = supervisor.get(f"/bantuan/program/{programme.pk}/").content.decode()
    assert 'name="alloc_hidup_layak"' in page and f'action="{alloc_url(programme)}"' in page

    response = supervisor.post(
        alloc_url(programme), allocation_form(programme, hidup_layak=6_000_000, terapi=1_000_000)
    )

    assert response.status_code == 302
    assert allocations(programme) == {FOOD: 6_000_000, THERAPY: 1_000_000}
    assert ledger(programme) == [
        (Kind.ALLOCATE, FOOD, 6_000_000, "supervisor", "DPA perubahan 2026"),
        (Kind.ALLOCATE, THERAPY, 1_000_000, "supervisor", "DPA perubahan 2026"),
    ]
    assert AuditEvent.objects.filter(object_id=str(programme.pk),
                                     summary="budget hidup_layak +6000000").exists()  # fmt: skip
    page = supervisor.get(response.url).content.decode()
    assert shown("The allocations are saved. Not yet allocated: %(unallocated)s.",
                 unallocated=rupiah(3_000_000)) in page  # fmt: skip


def test_moving_money_between_components_and_back_to_unallocated_is_in_the_ledger(
    browse, cast, programme
):
    fund(cast, programme, 6_000_000)
    fund(cast, programme, 1_000_000, component=THERAPY)

    # 2 million from decent living to therapy, 1 million of decent living back to the ceiling.
    browse("supervisor").post(
        alloc_url(programme), allocation_form(programme, reason="Revisi anggaran",
                                              hidup_layak=3_000_000, terapi=3_000_000),
    )  # fmt: skip

    assert allocations(programme) == {FOOD: 3_000_000, THERAPY: 3_000_000}
    assert ledger(programme)[2:] == [
        (Kind.WITHDRAW, FOOD, 3_000_000, "supervisor", "Revisi anggaran"),
        (Kind.ALLOCATE, THERAPY, 2_000_000, "supervisor", "Revisi anggaran"),
    ]
    panel = selectors.budget_panel(programme)
    assert (panel["allocated"], panel["unallocated"]) == (6_000_000, 4_000_000)


def test_allocations_above_the_ceiling_are_refused_and_nothing_changes(browse, cast, programme):
    fund(cast, programme, 6_000_000)

    response = browse("supervisor").post(
        alloc_url(programme), allocation_form(programme, terapi=5_000_000)
    )

    assert response.status_code == 200
    assert shown(
        "The allocations would come to %(total)s, above the programme's ceiling of "
        "%(ceiling)s: only %(free)s of it is not yet allocated.",
        total=rupiah(11_000_000), ceiling=rupiah(10_000_000), free=rupiah(4_000_000),
    ) in response.content.decode()  # fmt: skip
    assert allocations(programme) == {FOOD: 6_000_000}
    assert len(ledger(programme)) == 1


def test_an_allocation_cannot_go_below_what_is_reserved_and_spent(
    browse, cast, funded, food, make_client
):
    approve(cast, [verified(cast, make_client(), funded, [(food, 5)])])  # 500.000 reserved

    response = browse("supervisor").post(
        alloc_url(funded), allocation_form(funded, hidup_layak=400_000)
    )

    assert shown(
        "%(component)s already has %(used)s reserved and spent: its allocation cannot go "
        "below that.", component=said("Support for a decent living"), used=rupiah(5 * UNIT),
    ) in response.content.decode()  # fmt: skip
    assert allocations(funded) == {FOOD: 2_000_000}
    # Exactly down to what is reserved is allowed; the rest goes back to the ceiling.
    browse("supervisor").post(alloc_url(funded), allocation_form(funded, hidup_layak=5 * UNIT))
    assert allocations(funded) == {FOOD: 5 * UNIT}
    assert selectors.budget_panel(funded)["available"] == 0


def test_an_allocation_change_needs_a_reason(browse, cast, programme):
    response = browse("supervisor").post(
        alloc_url(programme), allocation_form(programme, reason="", hidup_layak=1_000_000)
    )

    assert response.status_code == 200
    assert 'id="id_reason"' in response.content.decode()
    assert allocations(programme) == {}
    assert not BudgetEntry.objects.exists()


def test_allocations_changed_meanwhile_by_someone_else_are_not_overwritten(browse, cast, programme):
    seen = allocation_form(programme, hidup_layak=3_000_000)  # the page showed 0
    fund(cast, programme, 1_000_000)  # another supervisor saves first

    response = browse("supervisor").post(alloc_url(programme), seen)

    assert shown(
        "The allocations were changed by someone else while you were editing them. Check the "
        "figures now shown and save again."
    ) in response.content.decode()  # fmt: skip
    assert allocations(programme) == {FOOD: 1_000_000}
    assert 'name="alloc_hidup_layak" value="1000000"' in response.content.decode()


def test_a_withdrawal_is_a_ledger_row_without_a_proposal_but_a_reservation_needs_one(cast, funded):
    services.budget_move(programme=funded, source=FOOD, target=None, amount=UNIT,
                         by=cast.supervisor, reason="Kembali ke pagu")  # fmt: skip

    withdrawal = BudgetEntry.objects.get(kind=Kind.WITHDRAW)
    assert (withdrawal.amount, withdrawal.proposal) == (UNIT, None)
    with pytest.raises(IntegrityError), transaction.atomic():
        BudgetEntry.objects.create(programme=funded, component=FOOD, kind=Kind.RESERVE,
                                   amount=UNIT, by=cast.supervisor, reason="x")  # fmt: skip
    with pytest.raises(TypeError):
        withdrawal.save()


def test_only_a_supervisor_of_the_organisation_changes_a_budget(cast, programme):
    for user in (cast.caseworker, cast.admin, cast.outsider):
        with pytest.raises(PermissionDenied):
            services.budget_allocations_set(programme=programme, allocations={FOOD: UNIT},
                                            by=user, reason="x")  # fmt: skip
    assert not BudgetEntry.objects.exists()


BUDGET_PAGES = {
    #                      caseworker supervisor outsider referrer centre viewer admin
    "edit page":           (404, 200, 404, 404, 404, 404, 404),
    "allocation post":     (404, 302, 404, 404, 404, 404, 404),
}  # fmt: skip


@pytest.mark.parametrize(("page", "role", "status"), role_matrix(BUDGET_PAGES))
def test_each_role_gets_the_pinned_status_on_the_budget_pages(browse, programme, page, role,
                                                              status):  # fmt: skip
    browser = browse(role)
    if page == "edit page":
        response = browser.get(f"/bantuan/program/{programme.pk}/ubah/")
    else:
        response = browser.post(alloc_url(programme), allocation_form(programme, terapi=UNIT))

    assert response.status_code == status
    assert BudgetEntry.objects.exists() == (page == "allocation post" and status == 302)


def test_the_allocation_form_is_shown_to_the_supervisor_only(browse, programme):
    for role, shown_to in (("supervisor", True), ("caseworker", False), ("admin", False)):
        page = browse(role).get(f"/bantuan/program/{programme.pk}/").content.decode()
        assert ('name="alloc_terapi"' in page) == shown_to, role
        assert (f"/bantuan/program/{programme.pk}/ubah/" in page) == shown_to, role


# --- ceiling and period -------------------------------------------------------------------


def test_a_supervisor_sets_the_ceiling_and_period_of_a_programme_without_them(browse, cast, empty):
    page = browse("supervisor").get(f"/bantuan/program/{empty.pk}/").content.decode()
    assert said("No budget ceiling is set.") in page

    response = browse("supervisor").post(f"/bantuan/program/{empty.pk}/ubah/", {
        "funding_source": "apbd_regency", "budget_ceiling": "150000000",
        "period_start": "2026-01-01", "period_end": "2026-12-31",
    })  # fmt: skip

    assert response.status_code == 302
    empty.refresh_from_db()
    assert (empty.budget_ceiling, empty.period_start, empty.period_end, empty.funding_source) == (
        150_000_000, datetime.date(2026, 1, 1), datetime.date(2026, 12, 31), "apbd_regency",
    )  # fmt: skip
    assert AuditEvent.objects.filter(
        object_id=str(empty.pk), actor=cast.supervisor,
        summary="fields: budget_ceiling, period_start, period_end, funding_source",
    ).exists()  # fmt: skip


def test_the_ceiling_cannot_go_below_what_is_allocated(browse, cast, funded):
    response = browse("supervisor").post(f"/bantuan/program/{funded.pk}/ubah/", {
        "funding_source": "apbd_regency", "budget_ceiling": "1500000",
        "period_start": "2026-01-01", "period_end": "2026-12-31",
    })  # fmt: skip

    assert response.status_code == 200
    assert shown(
        "The ceiling cannot be below what is already allocated to the components "
        "(%(allocated)s); lower the allocations first.", allocated=rupiah(2_000_000),
    ) in response.content.decode()  # fmt: skip
    funded.refresh_from_db()
    assert funded.budget_ceiling == 10_000_000


def test_a_period_that_ends_before_it_starts_is_refused(browse, programme):
    response = browse("supervisor").post(f"/bantuan/program/{programme.pk}/ubah/", {
        "funding_source": "apbd_regency", "budget_ceiling": "10000000",
        "period_start": "2026-12-31", "period_end": "2026-01-01",
    })  # fmt: skip

    assert shown("The period cannot end before it starts.") in response.content.decode()
    programme.refresh_from_db()
    assert programme.period_start == datetime.date(2026, 1, 1)


# --- the budget panel ---------------------------------------------------------------------


def test_available_is_what_can_be_reserved_and_unallocated_is_shown_apart(
    browse, cast, funded, food, make_client
):
    fund(cast, funded, 1_000_000, component=THERAPY)
    approve(cast, [verified(cast, make_client(), funded, [(food, 4)])])  # 400.000 reserved

    panel = selectors.budget_panel(funded)
    assert panel["ceiling"] == 10_000_000
    assert (panel["allocated"], panel["unallocated"]) == (3_000_000, 7_000_000)
    assert (panel["reserved"], panel["spent"], panel["available"]) == (4 * UNIT, 0, 2_600_000)

    page = browse("caseworker").get(f"/bantuan/program/{funded.pk}/").content.decode()
    for label, amount in (("Not yet allocated", 7_000_000), ("Available", 2_600_000)):
        tile = f"<dt>{shown(label)}</dt><dd[^>]*>{re.escape(rupiah(amount))}</dd>"
        assert re.search(tile, page), label
    # No hidden text that could stretch a phone's page (the skip link, seen when it has the
    # focus, is no such text), and no inline style (the CSP).
    assert not re.search(r"visually-hidden(?!-focusable)", page) and 'style="' not in page


def test_the_api_panel_says_what_is_unallocated_and_available(cast, funded):
    body = api_as(cast.caseworker).get(f"/api/v1/programmes/{funded.pk}/").json()

    assert (body["budget"]["ceiling"], body["budget"]["allocated"]) == (10_000_000, 2_000_000)
    assert body["budget"]["unallocated"] == 8_000_000
    assert body["budget"]["available"] == 2_000_000
    assert body["gaps"] == []


# --- the proposal form offers only programmes a proposal can be made for -----------------


def test_the_proposal_form_offers_only_programmes_with_items_an_allocation_and_a_current_period(
    browse, cast, funded, food, empty, make_client
):
    today = timezone.localdate()
    no_allocation = make_programme(cast, name="Tanpa alokasi")
    make_item(no_allocation)
    ended = make_programme(cast, name="Sudah berakhir")
    make_item(ended)
    fund(cast, ended, UNIT)
    Programme.objects.filter(pk=ended.pk).update(
        period_start=today - datetime.timedelta(days=60),
        period_end=today - datetime.timedelta(days=1),
    )
    no_period = make_programme(cast, name="Tanpa periode")
    make_item(no_period)
    fund(cast, no_period, UNIT)
    Programme.objects.filter(pk=no_period.pk).update(period_start=None, period_end=None)
    Programme.objects.filter(pk=funded.pk).update(
        period_start=today - datetime.timedelta(days=1),
        period_end=today + datetime.timedelta(days=1),
    )

    client = make_client()
    page = browse("caseworker").get(f"/bantuan/klien/{client.pk}/usulan/baru/").content.decode()

    select = re.search(r'<select name="programme".*?</select>', page, re.S).group(0)
    offered = set(re.findall(r'<option value="([0-9a-f-]{36})"', select))
    assert offered == {str(funded.pk), str(no_period.pk)}
    # A programme that is not offered cannot be chosen by sending its id either.
    response = browse("caseworker").post(f"/bantuan/klien/{client.pk}/usulan/baru/", {
        "programme": empty.pk, "business_plan": "",
    })  # fmt: skip
    assert response.status_code == 200 and not client.proposals.exists()


def test_the_page_of_a_programme_that_cannot_take_proposals_says_what_is_missing(browse, empty):
    page = browse("caseworker").get(f"/bantuan/program/{empty.pk}/").content.decode()

    assert said("This programme cannot be chosen for a new proposal yet:") in page
    for text in (
        "Its catalogue has no aid items yet (an administrator adds them).",
        "No budget ceiling is set.",
        "None of the budget is allocated to an ATENSI component yet.",
        "No period is set: proposals are accepted until one is set.",
    ):
        assert shown(text) in page
    listing = browse("caseworker").get("/bantuan/program/").content.decode()
    assert said("not open for proposals") in listing


def test_an_overdraft_on_the_proposal_form_is_said_in_words(browse, cast, funded, food,
                                                            make_client):  # fmt: skip
    client = make_client()
    # 2.000.000 allocated; 60 packages of 100.000 ask 6.000.000: short by 4.000.000.
    page = browse("caseworker").post(f"/bantuan/klien/{client.pk}/usulan/baru/", {
        "programme": funded.pk, f"qty_{food.pk}": "60", "recalculate": "1",
    }).content.decode()  # fmt: skip

    assert shown("short by Rp %(amount)s", amount="4.000.000") in page
    assert "Rp -4.000.000" not in page


# --- the decree form and list -------------------------------------------------------------


def test_the_decree_form_shows_the_count_and_total_of_the_chosen_proposals(
    browse, cast, funded, food, make_client
):
    first = verified(cast, make_client(serial=1), funded, [(food, 2)])
    second = verified(cast, make_client(serial=2), funded, [(food, 3)])
    verified(cast, make_client(serial=3), funded, [(food, 7)])  # offered, not chosen

    page = (
        browse("supervisor")
        .get(f"/bantuan/sk/baru/?proposals={first.reference}&proposals={second.reference}")
        .content.decode()
    )

    assert re.search(r"data-decree-count>2<", page)
    assert re.search(r"data-decree-total>Rp 500\.000<", page)
    assert 'data-value="700000"' in page  # each box carries its value for the running total
    assert "js/decree-total.js" in page


def test_a_refused_decree_form_keeps_the_count_and_total_of_what_was_ticked(
    browse, cast, funded, food, make_client
):
    first = verified(cast, make_client(serial=1), funded, [(food, 2)])

    page = browse("supervisor").post("/bantuan/sk/baru/", {
        "number": "", "date": "2026-11-20", "signatory_name": "Kepala", "signatory_title": "Kadis",
        "proposals": [first.reference],
    }).content.decode()  # fmt: skip

    assert re.search(r"data-decree-count>1<", page)
    assert re.search(r"data-decree-total>Rp 200\.000<", page)


def test_the_decree_list_shows_each_decrees_recipients_and_total(
    browse, cast, funded, food, make_client
):
    people = [verified(cast, make_client(serial=n), funded, [(food, n)]) for n in (1, 2, 3)]
    approve(cast, people, number="SK/777/2026")

    page = browse("caseworker").get("/bantuan/sk/").content.decode()

    row = re.search(r"SK/777/2026.*?</tr>", page, re.S).group(0)
    assert re.search(r">3</td>", row)
    assert "Rp 600.000" in row


# --- the API ------------------------------------------------------------------------------


def test_a_supervisor_sets_and_moves_allocations_through_the_api(cast, programme):
    api = api_as(cast.supervisor)
    url = f"/api/v1/programmes/{programme.pk}/allocations/"

    body = {"allocations": {FOOD: 5_000_000, AID: 2_000_000}, "expected": {FOOD: 0},
            "reason": "DPA 2026"}  # fmt: skip
    response = api.post(url, body, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["budget"]["unallocated"] == 3_000_000

    response = api.post(url + "move/", {"source": FOOD, "target": THERAPY, "amount": 1_000_000,
                                        "reason": "Kebutuhan terapi"}, format="json")  # fmt: skip
    assert response.status_code == 200, response.content
    response = api.post(url + "move/", {"source": AID, "target": None, "amount": 2_000_000,
                                        "reason": "Tidak terpakai"}, format="json")  # fmt: skip
    assert response.status_code == 200, response.content

    assert allocations(programme) == {FOOD: 4_000_000, THERAPY: 1_000_000, AID: 0}
    assert response.json()["budget"]["unallocated"] == 5_000_000
    assert [(k, c, a) for k, c, a, _by, _r in ledger(programme)] == [
        (Kind.ALLOCATE, AID, 2_000_000), (Kind.ALLOCATE, FOOD, 5_000_000),
        (Kind.WITHDRAW, FOOD, 1_000_000), (Kind.ALLOCATE, THERAPY, 1_000_000),
        (Kind.WITHDRAW, AID, 2_000_000),
    ]  # fmt: skip
    entries = api.get(f"/api/v1/programmes/{programme.pk}/ledger/").json()
    assert entries["count"] == 5
    assert entries["results"][0] == {
        **entries["results"][0], "kind": "withdraw", "component": AID, "amount": 2_000_000,
        "by": "supervisor", "proposal": None, "reason": "Tidak terpakai",
    }  # fmt: skip


def test_api_refusals_use_the_house_error_shape(cast, funded, food, make_client):
    api = api_as(cast.supervisor)
    url = f"/api/v1/programmes/{funded.pk}/allocations/"

    over = api.post(url, {"allocations": {THERAPY: 9_000_000}, "reason": "x"}, format="json")
    stale = api.post(url, {"allocations": {THERAPY: UNIT}, "expected": {FOOD: 0},
                           "reason": "x"}, format="json")  # fmt: skip
    no_reason = api.post(url, {"allocations": {THERAPY: UNIT}}, format="json")
    unknown = api.post(url, {"allocations": {"ufo": UNIT}, "reason": "x"}, format="json")
    float_amount = api.post(url + "move/", {"source": None, "target": THERAPY, "amount": 1.5,
                                            "reason": "x"}, format="json")  # fmt: skip
    same = api.post(url + "move/", {"source": FOOD, "target": FOOD, "amount": UNIT,
                                    "reason": "x"}, format="json")  # fmt: skip

    assert over.status_code == 400 and over.json()["error"]["code"] == "invalid"
    assert stale.status_code == 409 and stale.json()["error"]["code"] == "conflict"
    assert no_reason.status_code == 400 and "reason" in no_reason.json()["error"]["fields"]
    assert unknown.status_code == 400 and "allocations" in unknown.json()["error"]["fields"]
    assert float_amount.status_code == 400
    assert same.status_code == 400
    assert allocations(funded) == {FOOD: 2_000_000}


WRITES = {
    #                 caseworker supervisor outsider referrer centre viewer admin
    "allocations":    (403, 200, 404, 404, 404, 404, 403),
    "move":           (403, 200, 404, 404, 404, 404, 403),
    "patch":          (403, 200, 404, 404, 404, 404, 403),
    "ledger":         (200, 200, 404, 404, 404, 404, 200),
}  # fmt: skip


@pytest.mark.parametrize(("endpoint", "role", "status"), role_matrix(WRITES))
def test_each_role_gets_the_pinned_status_on_the_budget_endpoints(cast, funded, endpoint, role,
                                                                  status):  # fmt: skip
    api = api_as(getattr(cast, role))
    base = f"/api/v1/programmes/{funded.pk}/"
    before = ledger(funded)
    if endpoint == "allocations":
        response = api.post(base + "allocations/", {"allocations": {THERAPY: UNIT},
                                                    "reason": "x"}, format="json")  # fmt: skip
    elif endpoint == "move":
        response = api.post(base + "allocations/move/", {"source": None, "target": THERAPY,
                                                         "amount": UNIT, "reason": "x"},
                            format="json")  # fmt: skip
    elif endpoint == "patch":
        response = api.patch(base, {"budget_ceiling": 12_000_000}, format="json")
    else:
        response = api.get(base + "ledger/")

    assert response.status_code == status, response.content
    if status >= 400:
        assert "error" in response.json()
        assert ledger(funded) == before
        funded.refresh_from_db()
        assert funded.budget_ceiling == 10_000_000


def test_the_ceiling_and_period_are_patched_through_the_api(cast, empty):
    api = api_as(cast.supervisor)

    response = api.patch(f"/api/v1/programmes/{empty.pk}/", {
        "budget_ceiling": 50_000_000, "period_start": "2026-01-01", "period_end": "2026-12-31",
    }, format="json")  # fmt: skip

    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["budget_ceiling"], body["period_start"]) == (50_000_000, "2026-01-01")
    assert "no_ceiling" not in body["gaps"] and "no_items" in body["gaps"]
    refused = api.patch(f"/api/v1/programmes/{empty.pk}/", {"period_end": "2025-01-01"},
                        format="json")  # fmt: skip
    assert refused.status_code == 400
    assert "period_end" in refused.json()["error"]["fields"]


def test_the_openapi_schema_lists_the_budget_endpoints(cast):
    paths = api_as(cast.caseworker).get("/api/schema/?format=json").json()["paths"]

    assert "patch" in paths["/api/v1/programmes/{id}/"]
    assert {"200", "400", "403", "404", "409"} <= set(
        paths["/api/v1/programmes/{id}/allocations/"]["post"]["responses"]
    )
    assert "post" in paths["/api/v1/programmes/{id}/allocations/move/"]
    assert "get" in paths["/api/v1/programmes/{id}/ledger/"]


# --- under concurrency --------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_parallel_allocations_of_the_last_unallocated_money_give_it_once(regions_again, cast):
    programme = make_programme(cast, ceiling=10 * UNIT)

    results = in_parallel([
        (lambda c=c: services.budget_allocate(programme=programme, component=c,
                                              amount=10 * UNIT, by=cast.supervisor,
                                              reason="paralel"))
        for c in ("hidup_layak", "terapi", "bantuan", "keluarga", "perawatan")
    ])  # fmt: skip

    assert sum(not isinstance(r, Exception) for r in results) == 1
    assert all(isinstance(r, ApplicationError) for r in results if isinstance(r, Exception))
    assert sum(allocations(programme).values()) == 10 * UNIT
    assert BudgetEntry.objects.filter(programme=programme).count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_withdrawal_racing_a_decree_never_leaves_a_component_below_its_reservations(
    regions_again, cast, make_client
):
    programme = make_programme(cast)
    food = make_item(programme)
    fund(cast, programme, 10 * UNIT)
    proposals = [verified(cast, make_client(serial=n), programme, [(food, 1)])
                 for n in range(1, 11)]  # fmt: skip

    calls = [
        (lambda: services.budget_move(programme=programme, source=FOOD, target=None,
                                      amount=10 * UNIT, by=cast.supervisor, reason="tarik"))
    ] + [
        (lambda p=p, i=i: approve(cast, [p], number=f"SK/{i:03d}"))
        for i, p in enumerate(proposals)
    ]  # fmt: skip
    in_parallel(calls)

    line = BudgetLine.objects.get(programme=programme)
    assert line.ceiling >= line.reserved + line.spent
    allocated = sum(
        (1 if kind == Kind.ALLOCATE else -1) * amount
        for kind, amount in BudgetEntry.objects.filter(
            programme=programme, kind__in=[Kind.ALLOCATE, Kind.WITHDRAW]
        ).values_list("kind", "amount")
    )
    reserved = sum(BudgetEntry.objects.filter(kind=Kind.RESERVE).values_list("amount", flat=True))
    assert (line.ceiling, line.reserved) == (allocated, reserved)
    # Either the withdrawal came first (nothing reserved) or it was refused.
    assert (line.ceiling, line.reserved) in {(0, 0), (10 * UNIT, line.reserved)}


def test_the_admin_cannot_change_an_existing_programmes_ceiling_past_the_page(cast, funded):
    cast.admin.is_superuser = True
    cast.admin.save(update_fields=["is_superuser"])
    browser = Client()
    browser.force_login(cast.admin)

    response = browser.get(f"/admin/aid/programme/{funded.pk}/change/")

    page = response.content.decode()
    assert response.status_code == 200 and 'name="name"' in page
    assert 'name="budget_ceiling"' not in page  # shown, not editable
    assert 'name="budget_ceiling"' in browser.get("/admin/aid/programme/add/").content.decode()
