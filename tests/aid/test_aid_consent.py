"""Aid is processing for the purpose "ATENSI aid and register matching": a person is proposed
only when consent (or another lawful basis) for it is on record. Seen in the browser: a
client whose consent covered screening and rehabilitation only was proposed, submitted and
verified while the client page said aid was not allowed."""

import datetime

import pytest
from django.utils import translation
from django.utils.html import escape

from aid import services
from aid.models import Proposal
from atensi.errors import ApplicationError
from cases import services as case_services
from cases.models import Case
from tests.api.conftest import api_as
from tests.conftest import consent_kwargs, said

from .conftest import assess
from .test_proposals import screened_batch, snapshot_with

pytestmark = pytest.mark.django_db

REFUSED = (
    "No consent or other lawful basis for “%(purpose)s” is on record for this person. Record "
    "it on the client's page first."
)


def without_aid_consent(cast, make_client, **kwargs):
    """A client with an open case whose consent covers screening and rehabilitation only."""
    client = make_client(consent=False, **kwargs)
    case_services.consent_record(
        client=client, by=cast.caseworker,
        **consent_kwargs(purposes=["assessment", "rehabilitation"]),
    )  # fmt: skip
    case_services.case_open(
        client=client, by=cast.caseworker, organisation=cast.dinsos, assigned_to=cast.caseworker
    )
    return client


def refused_text() -> str:
    return said(REFUSED, purpose=said("ATENSI aid and register matching"))


def test_no_proposal_for_a_person_whose_consent_does_not_cover_aid(cast, funded, food, make_client):
    client = without_aid_consent(cast, make_client)

    with pytest.raises(ApplicationError) as refused:
        services.proposal_create(
            client=client, programme=funded, items=[(food, 1)], by=cast.caseworker
        )

    assert refused.value.field == "consent"
    assert refused.value.message == refused_text()
    assert not Proposal.objects.exists()


def test_the_proposal_page_and_the_api_say_why_and_create_nothing(
    cast, funded, food, make_client, browse
):
    client = without_aid_consent(cast, make_client)

    page = browse("caseworker").post(f"/bantuan/klien/{client.pk}/usulan/baru/", {
        "programme": funded.pk, f"qty_{food.pk}": "1", "business_plan": "",
    })  # fmt: skip
    api = api_as(cast.caseworker).post("/api/v1/proposals/", {
        "client": str(client.pk), "programme": str(funded.pk),
        "items": [{"aid_item": str(food.pk), "quantity": 1}],
    }, format="json")  # fmt: skip

    assert page.status_code == 200
    assert escape(refused_text()) in page.content.decode()
    # said up front, with the way to record it, before anything is typed
    form = browse("caseworker").get(f"/bantuan/klien/{client.pk}/usulan/baru/").content.decode()
    assert escape(
        said("No consent or other lawful basis for aid and register matching is on record for "
             "this person: the proposal cannot be saved until it is.")
    ) in form  # fmt: skip
    assert f'href="/klien/{client.pk}/persetujuan/"' in form
    assert api.status_code in (400, 409)
    assert refused_text() in api.content.decode()
    assert not Proposal.objects.exists()


def test_consent_recorded_for_aid_lets_the_person_be_proposed(cast, funded, food, make_client):
    client = without_aid_consent(cast, make_client)
    case_services.consent_record(
        client=client, by=cast.caseworker, **consent_kwargs(purposes=["aid"])
    )

    proposal = services.proposal_create(
        client=client, programme=funded, items=[(food, 1)], by=cast.caseworker
    )

    assert proposal.client == client


def test_proposing_a_batch_skips_and_counts_the_people_without_aid_consent(
    cast, funded, food, make_client, make_case, browse
):
    with_consent = make_case(serial=1, full_name="Dodi Harahap")
    without = without_aid_consent(cast, make_client, serial=2, full_name="Lina Setiawan")
    for case in (with_consent, Case.objects.get(client=without)):
        assess(case)
    people = [(c.nik, c.full_name, 3) for c in (with_consent.client, without)]
    snapshot = snapshot_with(cast, people)
    batch = screened_batch(cast, funded, [(nik, name) for nik, name, _d in people], snapshot)

    response = browse("caseworker").post(
        f"/bantuan/kelayakan/{batch.pk}/usulkan/", {f"qty_{food.pk}": "1"}, follow=True
    )

    assert list(Proposal.objects.values_list("client__full_name", flat=True)) == ["Dodi Harahap"]
    with translation.override("id"):
        counted = translation.ngettext(
            "%(n)d person has no consent to aid and register matching on record.",
            "%(n)d people have no consent to aid and register matching on record.", 1,
        ) % {"n": 1}  # fmt: skip
    assert escape(counted) in response.content.decode()


def _withdraw_aid(cast, client, day):
    case_services.consent_withdraw(
        client=client, by=cast.caseworker, withdrawn_by="client", purposes=["aid"], date=day
    )


def _batch_of(cast, funded, cases):
    for case in cases:
        assess(case)
    people = [(c.client.nik, c.client.full_name, 3) for c in cases]
    snapshot = snapshot_with(cast, people)
    return screened_batch(cast, funded, [(nik, name) for nik, name, _d in people], snapshot)


def test_proposing_a_batch_follows_each_persons_latest_consent_for_aid(
    cast, funded, food, make_case
):
    """Withdrawn: skipped and counted as withdrawn; withdrawn and then given again: proposed."""
    cases = [make_case(serial=n, full_name=name) for n, name in
             enumerate(("Dodi Harahap", "Lina Setiawan", "Rudi Hartono"), start=1)]  # fmt: skip
    withdrawn, again = cases[1].client, cases[2].client
    day = datetime.date.today() - datetime.timedelta(days=10)
    for client in (withdrawn, again):
        _withdraw_aid(cast, client, day)
    case_services.consent_record(
        client=again, by=cast.caseworker,
        **consent_kwargs(purposes=["aid"], date=day + datetime.timedelta(days=1)),
    )  # fmt: skip
    batch = _batch_of(cast, funded, cases)

    result = services.proposals_create_from_batch(
        batch=batch, by=cast.caseworker, items=[(food, 1)]
    )

    assert [p.client for p in result.created] == [cases[0].client, again]
    assert +result.skipped == {"consent_withdrawn": 1}


def test_proposing_a_batch_reads_the_consents_of_all_its_people_at_once(
    cast, funded, food, make_case, django_assert_max_num_queries
):
    """The consent check makes no query of its own: three people cost what one costs."""
    cases = [make_case(serial=n, full_name=name) for n, name in
             enumerate(("Dodi Harahap", "Lina Setiawan", "Rudi Hartono"), start=1)]  # fmt: skip
    day = datetime.date.today() - datetime.timedelta(days=10)
    for case in cases:
        _withdraw_aid(cast, case.client, day)
    batch = _batch_of(cast, funded, cases)
    batch.rows.exclude(nik=cases[0].client.nik).update(verdict="NOT_IN_REGISTER")

    def propose():
        return services.proposals_create_from_batch(
            batch=batch, by=cast.caseworker, items=[(food, 1)]
        )

    with django_assert_max_num_queries(100) as one:
        first = propose()
    batch.rows.update(verdict="ELIGIBLE")
    with django_assert_max_num_queries(len(one.captured_queries)):
        every = propose()

    assert +first.skipped == {"consent_withdrawn": 1, "not_eligible": 2}
    assert +every.skipped == {"consent_withdrawn": 3}
