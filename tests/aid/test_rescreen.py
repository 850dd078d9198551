"""A proposal screened against an older register is screened again, before approval,
against the newest one; the new verdict becomes its evidence."""

import datetime

from django.urls import reverse

from aid import selectors, services
from aid.models import Proposal
from assessments.models import EligibilityBatch
from cases.models import CaseEvent
from tests.conftest import shown

from .conftest import approve, verified
from .test_proposals import screened_batch, snapshot_with

OUTDATED = (
    "The screening used an older register snapshot than the newest one. Screen the person "
    "again before approval."
)


def test_an_outdated_proposal_is_screened_again_from_its_page(
    cast, funded, food, make_case, browse
):
    funded.max_decile = 4
    funded.save()
    client = make_case(serial=1).client
    older = snapshot_with(cast, [(client.nik, client.full_name, 3)])
    batch = screened_batch(cast, funded, [(client.nik, client.full_name)], older)
    [proposal] = services.proposals_create_from_batch(
        batch=batch, by=cast.caseworker, items=[(food, 1)]
    ).created
    newest = snapshot_with(cast, [(client.nik, client.full_name, 6)], datetime.date(2026, 11, 1))
    page = reverse("aid:proposal-detail", args=[proposal.reference])
    caseworker = browse("caseworker")
    assert shown(OUTDATED) in caseworker.get(page).content.decode()

    response = caseworker.post(reverse("aid:proposal-rescreen", args=[proposal.reference]))

    assert response.status_code == 302
    proposal = Proposal.objects.get(pk=proposal.pk)
    assert proposal.batch_row.batch.snapshot == newest
    evidence = proposal.batch_row
    assert (evidence.verdict, evidence.decile) == ("DECILE_ABOVE_THRESHOLD", 6)
    assert selectors.proposal_warnings(proposal) == []
    assert shown(OUTDATED) not in caseworker.get(page).content.decode()
    assert CaseEvent.objects.filter(
        case__client=client, verb=CaseEvent.Verb.AID_RESCREENED
    ).exists()


def test_an_approved_proposal_is_not_screened_again(cast, funded, food, make_case, browse):
    proposal = verified(cast, make_case(serial=2).client, funded, [(food, 1)])
    approve(cast, [proposal])

    browse("caseworker").post(reverse("aid:proposal-rescreen", args=[proposal.reference]))

    proposal.refresh_from_db()
    assert proposal.batch_row is None
    assert not EligibilityBatch.objects.exists()
