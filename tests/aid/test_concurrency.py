"""Money under concurrency, against the real database: threads, each with its own
connection and real transactions. The assertions read what the database holds."""

import threading

import pytest
from django.db import connection

from aid import services
from aid.models import BudgetEntry, BudgetLine, Handover, HandoverItem, Proposal
from atensi.errors import ApplicationError

from .conftest import TODAY, UNIT, approve, fund, make_item, make_programme, verified

pytestmark = pytest.mark.django_db(transaction=True)


def in_parallel(calls):
    """Run each call in its own thread and connection, all released at once; return what
    each returned or raised, in order."""
    results = [None] * len(calls)
    barrier = threading.Barrier(len(calls))

    def run(index, call):
        try:
            barrier.wait()
            results[index] = call()
        except Exception as exc:  # noqa: BLE001 - the test counts the refusals
            results[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    return results


def people(cast, make_client, programme, item, count):
    return [verified(cast, make_client(serial=n), programme, [(item, 1)])
            for n in range(1, count + 1)]  # fmt: skip


def test_fifty_parallel_approvals_against_a_budget_for_ten_approve_exactly_ten(
    regions_again, cast, make_client
):
    programme = make_programme(cast)
    food = make_item(programme)
    fund(cast, programme, 10 * UNIT)
    proposals = people(cast, make_client, programme, food, 50)

    results = in_parallel([
        (lambda p=p, i=i: approve(cast, [p], number=f"SK/{i:03d}"))
        for i, p in enumerate(proposals)
    ])  # fmt: skip

    refusals = [r for r in results if isinstance(r, Exception)]
    assert {getattr(r, "code", repr(r)) for r in refusals} == {"budget_exceeded"}
    assert len(refusals) == 40
    assert Proposal.objects.filter(state="approved").count() == 10
    assert Proposal.objects.filter(state="verified").count() == 40
    line = BudgetLine.objects.get(programme=programme)
    assert (line.ceiling, line.reserved, line.spent, line.available) == (10 * UNIT, 10 * UNIT, 0, 0)
    reserved = BudgetEntry.objects.filter(kind="reserve")
    assert reserved.count() == 10
    assert sum(reserved.values_list("amount", flat=True)) == line.reserved


def test_twenty_parallel_hand_overs_of_one_item_hand_it_over_once(regions_again, cast, make_client):
    programme = make_programme(cast)
    food = make_item(programme)
    fund(cast, programme, 10 * UNIT)
    [proposal] = people(cast, make_client, programme, food, 1)
    approve(cast, [proposal])
    item = proposal.items.get()

    results = in_parallel([
        (lambda: services.handover_record(proposal=proposal, items=[item], by=cast.caseworker,
                                          handed_on=TODAY, place="Rumah Singgah"))
        for _ in range(20)
    ])  # fmt: skip

    done = [r for r in results if isinstance(r, Handover)]
    refused = [r for r in results if isinstance(r, ApplicationError)]
    assert (len(done), len(refused)) == (1, 19)
    assert HandoverItem.objects.filter(proposal_item=item).count() == 1
    assert Handover.objects.get().seq == 1
    line = BudgetLine.objects.get(programme=programme)
    assert (line.reserved, line.spent) == (0, UNIT)
    assert BudgetEntry.objects.filter(kind="spend").count() == 1


def test_twenty_retries_with_one_idempotency_key_hand_over_once_with_one_answer(
    regions_again, cast, make_client
):
    programme = make_programme(cast)
    food = make_item(programme)
    fund(cast, programme, 10 * UNIT)
    [proposal] = people(cast, make_client, programme, food, 1)
    approve(cast, [proposal])
    params = {"proposal": str(proposal.pk), "place": "Rumah Singgah", "date": TODAY.isoformat()}

    def retry():
        handover = services.idempotent(
            user=cast.caseworker, key="serah-terima-1", params=params,
            fn=lambda: services.handover_record(proposal=proposal, by=cast.caseworker,
                                                handed_on=TODAY, place="Rumah Singgah"),
        )  # fmt: skip
        return (str(handover.pk), handover.number, handover.value)

    results = in_parallel([retry] * 20)

    assert all(isinstance(r, tuple) for r in results), results
    assert len(set(results)) == 1
    handover = Handover.objects.get()
    assert results[0] == (str(handover.pk), handover.number, UNIT)
    assert BudgetLine.objects.get(programme=programme).spent == UNIT


def test_fifty_parallel_hand_overs_get_fifty_consecutive_bast_numbers(
    regions_again, cast, make_client
):
    programme = make_programme(cast)
    food = make_item(programme)
    fund(cast, programme, 50 * UNIT)
    proposals = people(cast, make_client, programme, food, 50)
    approve(cast, proposals)

    results = in_parallel([
        (lambda p=p: services.handover_record(proposal=p, by=cast.caseworker, handed_on=TODAY,
                                              place="Rumah Singgah"))
        for p in proposals
    ])  # fmt: skip

    assert all(isinstance(r, Handover) for r in results), results
    seqs = sorted(Handover.objects.values_list("seq", flat=True))
    assert seqs == list(range(1, 51))
    assert Handover.objects.values("number").distinct().count() == 50
    line = BudgetLine.objects.get(programme=programme)
    assert (line.reserved, line.spent) == (0, 50 * UNIT)
