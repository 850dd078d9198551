"""Hand-over rules, idempotency keys, and who reads what of the aid module."""

import pytest
from django.http import Http404

from aid import selectors, services
from aid.models import Handover, IdempotencyKey
from atensi.errors import ApplicationError
from cases import services as case_services

from .conftest import TODAY, approve, make_item, verified


@pytest.fixture
def approved(cast, funded, food, make_client):
    proposal = verified(cast, make_client(), funded, [(food, 1)])
    approve(cast, [proposal])
    return proposal


def test_a_family_member_may_receive_the_aid(cast, approved):
    mother = case_services.family_member_add(client=approved.client, by=cast.caseworker,
                                             relation="ibu", full_name="Siti Aminah")  # fmt: skip

    handover = services.handover_record(proposal=approved, by=cast.caseworker, handed_on=TODAY,
                                        place="Rumah Singgah", recipient_member=mother)  # fmt: skip

    assert (handover.recipient_member, handover.recipient_name) == (mother, "Siti Aminah")


def test_the_same_item_is_not_handed_over_twice(cast, funded, food, make_client):
    kit = make_item(funded, "Paket kebersihan", cost=50_000)
    proposal = verified(cast, make_client(), funded, [(food, 1), (kit, 1)])
    approve(cast, [proposal])
    first = proposal.items.get(aid_item=food)
    services.handover_record(proposal=proposal, items=[first], by=cast.caseworker,
                             handed_on=TODAY, place="Kantor Desa")  # fmt: skip

    with pytest.raises(ApplicationError) as error:
        services.handover_record(proposal=proposal, items=[first], by=cast.caseworker,
                                 handed_on=TODAY, place="Kantor Desa")  # fmt: skip
    assert error.value.code == "already_handed_over"

    services.handover_record(proposal=proposal, by=cast.caseworker, handed_on=TODAY,
                             place="Kantor Desa")  # fmt: skip  # the rest
    numbers = list(Handover.objects.order_by("seq").values_list("number", flat=True))
    # The organisation is named by its region code (Kab. OKI), never its database id.
    assert numbers == ["BAST/0001/16.02/2026", "BAST/0002/16.02/2026"]
    proposal.refresh_from_db()
    assert proposal.state == "handed_over"


def test_an_idempotency_key_replays_the_first_result_and_refuses_other_content(cast, approved):
    def hand(place):
        return services.idempotent(
            user=cast.caseworker, key="k-1", params={"proposal": str(approved.pk), "place": place},
            fn=lambda: services.handover_record(proposal=approved, by=cast.caseworker,
                                                handed_on=TODAY, place=place),
        )  # fmt: skip

    first, retry = hand("Rumah Singgah"), hand("Rumah Singgah")
    with pytest.raises(ApplicationError) as error:
        hand("Balai Desa")

    assert first.pk == retry.pk
    assert error.value.code == "idempotency_conflict"
    assert Handover.objects.count() == 1
    assert IdempotencyKey.objects.get().result_id == str(first.pk)


def test_a_failed_call_stores_no_idempotency_key(cast, approved):
    with pytest.raises(ApplicationError):
        services.idempotent(
            user=cast.caseworker, key="k-2", params={"place": ""},
            fn=lambda: services.handover_record(proposal=approved, by=cast.caseworker,
                                                handed_on=TODAY, place=""),
        )  # fmt: skip

    assert not IdempotencyKey.objects.exists()


@pytest.mark.parametrize(
    "role, sees",
    [("caseworker", True), ("supervisor", True), ("admin", True), ("outsider", False),
     ("referrer", False), ("viewer", False), ("centre", False)],
)  # fmt: skip
def test_proposals_are_read_by_those_who_may_read_the_client(cast, approved, role, sees):
    user = getattr(cast, role)

    assert selectors.proposal_list(user=user).filter(pk=approved.pk).exists() is sees
    assert selectors.programme_list(user=user).exists() is (role in {"caseworker", "supervisor",
                                                                     "admin"})  # fmt: skip
    if not sees:
        with pytest.raises(Http404):
            selectors.proposal_get(user=user, pk=approved.pk)


def test_the_proposal_list_reads_in_a_fixed_number_of_queries(
    cast, approved, django_assert_max_num_queries
):
    with django_assert_max_num_queries(3):
        rows = [(p.client.village.name, p.programme.name, p.decree.number)
                for p in selectors.proposal_list(user=cast.supervisor)]  # fmt: skip

    assert len(rows) == 1
