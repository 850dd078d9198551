"""The budget ledger: approval reserves, rejection and cancellation release, hand-over
spends; balances never go below zero and ledger rows are never changed."""

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.models import F

from aid import selectors, services
from aid.models import BudgetEntry, BudgetLine, Proposal
from aid.money import by_component, format_rupiah, line_value
from atensi.errors import ApplicationError

from .conftest import TODAY, UNIT, approve, fund, make_item, verified

Kind = BudgetEntry.Kind


def line(programme, component="hidup_layak"):
    return BudgetLine.objects.get(programme=programme, component=component)


def movements(programme):
    return list(BudgetEntry.objects.filter(programme=programme).values_list("kind", "amount"))


def test_allocations_never_exceed_the_programmes_ceiling(cast, programme):
    fund(cast, programme, 9_000_000)

    with pytest.raises(ApplicationError) as error:
        fund(cast, programme, 2_000_000, component="terapi")

    assert format_rupiah(1_000_000) in error.value.message
    assert not BudgetLine.objects.filter(component="terapi", ceiling__gt=0).exists()


def test_approval_reserves_and_hand_over_spends(cast, funded, food, make_client):
    proposal = verified(cast, make_client(), funded, [(food, 3)])

    approve(cast, [proposal])
    assert (line(funded).reserved, line(funded).spent) == (3 * UNIT, 0)

    services.handover_record(proposal=proposal, by=cast.caseworker, handed_on=TODAY,
                             place="Rumah Singgah")  # fmt: skip
    balance = line(funded)
    assert (balance.ceiling, balance.reserved, balance.spent) == (2_000_000, 0, 3 * UNIT)
    assert movements(funded) == [
        (Kind.ALLOCATE, 2_000_000), (Kind.RESERVE, 3 * UNIT), (Kind.SPEND, 3 * UNIT),
    ]  # fmt: skip
    panel = selectors.budget_panel(funded)
    assert (panel["reserved"], panel["spent"], panel["available"]) == (0, 3 * UNIT, 1_700_000)
    assert (panel["allocated"], panel["unallocated"]) == (2_000_000, 8_000_000)
    assert panel["components"][0]["available"] == 2_000_000 - 3 * UNIT


def test_rejecting_an_approved_proposal_releases_its_reservation(cast, funded, food, make_client):
    proposal = verified(cast, make_client(), funded, [(food, 2)])
    approve(cast, [proposal])

    services.proposal_reject(proposal=proposal, by=cast.supervisor, reason="Pindah domisili")

    assert line(funded).reserved == 0
    assert movements(funded)[-1] == (Kind.RELEASE, 2 * UNIT)
    assert BudgetEntry.objects.get(kind=Kind.RELEASE).proposal == proposal


def test_cancelling_an_approved_proposal_releases_its_reservation(cast, funded, food, make_client):
    proposal = verified(cast, make_client(), funded, [(food, 2)])
    approve(cast, [proposal])

    services.proposal_cancel(proposal=proposal, by=cast.supervisor, reason="Meninggal dunia")

    assert (line(funded).reserved, line(funded).spent) == (0, 0)
    assert Proposal.objects.get().state == Proposal.State.CANCELLED


def test_a_partly_handed_over_proposal_can_no_longer_be_cancelled(cast, funded, food, make_client):
    kit = make_item(funded, "Paket kebersihan", cost=50_000)
    proposal = verified(cast, make_client(), funded, [(food, 1), (kit, 1)])
    approve(cast, [proposal])
    first = proposal.items.get(aid_item=food)
    services.handover_record(proposal=proposal, items=[first], by=cast.caseworker,
                             handed_on=TODAY, place="Kantor Desa")  # fmt: skip

    with pytest.raises(ApplicationError):
        services.proposal_cancel(proposal=proposal, by=cast.supervisor, reason="x")

    proposal.refresh_from_db()
    assert proposal.state == Proposal.State.APPROVED
    assert (line(funded).reserved, line(funded).spent) == (50_000, UNIT)


def test_approval_is_refused_when_the_budget_would_go_below_zero(cast, programme, food,
                                                                 make_client):  # fmt: skip
    fund(cast, programme, 250_000)
    first = verified(cast, make_client(serial=1), programme, [(food, 2)])
    second = verified(cast, make_client(serial=2), programme, [(food, 1)])
    approve(cast, [first], number="SK/1")

    with pytest.raises(ApplicationError) as error:
        approve(cast, [second], number="SK/2")

    assert error.value.code == "budget_exceeded"
    assert second.reference in error.value.message
    assert second.client.full_name not in error.value.message  # no name in an error
    assert format_rupiah(50_000) in error.value.message
    assert (line(programme).reserved, line(programme).available) == (2 * UNIT, 50_000)
    second.refresh_from_db()
    assert second.state == Proposal.State.VERIFIED


def test_a_component_without_allocation_cannot_be_reserved(cast, funded, make_client):
    therapy = make_item(funded, "Terapi psikososial", component="terapi", kind="service")
    proposal = verified(cast, make_client(), funded, [(therapy, 1)])

    with pytest.raises(ApplicationError) as error:
        approve(cast, [proposal])

    assert error.value.code == "budget_exceeded"


def test_the_database_refuses_a_balance_below_zero_or_above_the_ceiling(cast, funded):
    with pytest.raises(IntegrityError), transaction.atomic():
        BudgetLine.objects.filter(programme=funded).update(reserved=F("reserved") - 1)
    with pytest.raises(IntegrityError), transaction.atomic():
        BudgetLine.objects.filter(programme=funded).update(spent=F("ceiling") + 1)


def test_ledger_rows_cannot_be_updated_or_deleted(cast, funded):
    entry = BudgetEntry.objects.get()

    with pytest.raises(TypeError):
        entry.save()
    with pytest.raises(TypeError):
        entry.delete()
    for sql in ("UPDATE aid_budgetentry SET amount = 1", "DELETE FROM aid_budgetentry"):
        with (
            pytest.raises(Exception, match="Cannot"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(sql)
    with pytest.raises(Exception, match="Cannot"), transaction.atomic():
        BudgetEntry.objects.all().update(amount=1)
    assert BudgetEntry.objects.get().amount == 2_000_000


def test_money_is_whole_rupiah():
    assert line_value(3, 150_000) == 450_000
    for bad in (1.5, 0, -2, True):
        with pytest.raises(ValueError):
            line_value(bad, 1000)
    assert by_component([("terapi", 5), ("hidup_layak", 2), ("terapi", 1)]) == {
        "hidup_layak": 2, "terapi": 6,
    }  # fmt: skip
    assert format_rupiah(1_500_000) == "Rp 1.500.000"


def test_the_ledger_says_its_reasons_in_indonesian(cast, funded, food, make_client):
    from aid.models import BudgetEntry
    from aid.services import handover_record, proposal_reject

    first = verified(cast, make_client(serial=21), funded, [(food, 1)])
    second = verified(cast, make_client(serial=22), funded, [(food, 1)])
    approve(cast, [first, second], number="SK/7")
    handover = handover_record(
        proposal=first, by=cast.caseworker, handed_on=TODAY, place="Kayuagung"
    )
    proposal_reject(proposal=second, by=cast.supervisor, reason="Pindah domisili")

    reasons = list(
        BudgetEntry.objects.exclude(kind="allocate").order_by("id").values_list("reason", flat=True)
    )

    assert reasons == [
        "SK SK/7",
        "SK SK/7",
        f"serah terima {handover.number}",
        "Ditolak: Pindah domisili",
    ]
