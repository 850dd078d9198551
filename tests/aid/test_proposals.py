"""Proposals from draft to decree: transitions, four eyes, and the programme's rules."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile

from aid import selectors, services
from aid.models import AidRecord, Proposal
from assessments import linkage
from assessments.models import RegisterRow, RegisterSnapshot
from assessments.services import eligibility
from assessments.services.register import register_partition_create
from atensi.accounts.models import User
from atensi.audit.models import AuditEvent
from atensi.errors import ApplicationError
from atensi.regions.models import Region
from cases.models import CaseEvent
from tests.conftest import OKI_VILLAGE, make_nik, said

from .conftest import TODAY, UNIT, approve, assess, fund, make_item, make_programme, verified

State = Proposal.State
Verb = CaseEvent.Verb


def other_supervisor(cast):
    return User.objects.create_user(
        username="supervisor2", password="x-not-used-12345", organisation=cast.dinsos,
        role=User.Role.SUPERVISOR,
    )  # fmt: skip


# --- creating ------------------------------------------------------------------------------


def test_a_proposal_takes_its_value_from_the_items_at_the_unit_cost_of_the_day(
    cast, programme, food, make_case
):
    case = make_case()
    kit = make_item(programme, "Paket kebersihan", cost=75_000)

    proposal = services.proposal_create(
        client=case.client, programme=programme, items=[(food, 2), (kit, 3)], by=cast.caseworker
    )
    kit.unit_cost = 90_000
    kit.save()

    proposal.refresh_from_db()
    assert proposal.state == State.DRAFT
    assert proposal.value == 2 * UNIT + 3 * 75_000
    assert sorted(proposal.items.values_list("unit_cost", "quantity", "value")) == [
        (75_000, 3, 225_000),
        (UNIT, 2, 2 * UNIT),
    ]
    assert case.events.filter(verb=Verb.AID_PROPOSED).count() == 1
    assert AuditEvent.objects.filter(object_id=str(proposal.pk), action="create").exists()


@pytest.mark.parametrize("quantity", [0, -1, 1.5, True])
def test_a_quantity_must_be_a_whole_number_above_zero(cast, programme, food, make_client, quantity):
    with pytest.raises(ApplicationError) as error:
        services.proposal_create(
            client=make_client(), programme=programme, items=[(food, quantity)], by=cast.caseworker
        )

    assert error.value.field == "items"
    assert not Proposal.objects.exists()


def test_an_item_of_another_programme_is_refused(cast, programme, food, make_client):
    other = make_programme(cast, ceiling=0, name="Lain")
    stranger = make_item(other, "Barang lain")

    with pytest.raises(ApplicationError):
        services.proposal_create(client=make_client(), programme=programme,
                                 items=[(stranger, 1)], by=cast.caseworker)  # fmt: skip


def test_a_client_has_at_most_one_open_proposal_per_programme(cast, programme, food, make_client):
    client = make_client()
    first = services.proposal_create(client=client, programme=programme, items=[(food, 1)],
                                     by=cast.caseworker)  # fmt: skip

    with pytest.raises(ApplicationError) as error:
        services.proposal_create(client=client, programme=programme, items=[(food, 1)],
                                 by=cast.caseworker)  # fmt: skip
    assert error.value.code == "conflict"

    services.proposal_cancel(proposal=first, by=cast.caseworker, reason="Salah program")
    again = services.proposal_create(client=client, programme=programme, items=[(food, 1)],
                                     by=cast.caseworker)  # fmt: skip
    assert again.state == State.DRAFT


@pytest.mark.parametrize("role", ["outsider", "referrer", "viewer", "admin"])
def test_only_staff_of_the_programmes_organisation_may_propose(cast, programme, food, make_client,
                                                               role):  # fmt: skip
    client = make_client()

    with pytest.raises(PermissionDenied):
        services.proposal_create(client=client, programme=programme, items=[(food, 1)],
                                 by=getattr(cast, role))  # fmt: skip


# --- transitions ---------------------------------------------------------------------------


def test_a_proposal_goes_from_draft_to_handed_over_and_each_step_is_on_the_timeline(
    cast, funded, food, make_case
):
    case = make_case()
    proposal = services.proposal_create(client=case.client, programme=funded,
                                        items=[(food, 2)], by=cast.caseworker)  # fmt: skip

    services.proposal_submit(proposal=proposal, by=cast.caseworker)
    services.proposal_verify(proposal=proposal, by=cast.supervisor)
    decree = approve(cast, [proposal])
    handover = services.handover_record(proposal=proposal, by=cast.caseworker, handed_on=TODAY,
                                        place="Rumah Singgah Dinsos OKI")  # fmt: skip

    proposal.refresh_from_db()
    assert proposal.state == State.HANDED_OVER
    assert proposal.decree == decree
    assert handover.number == "BAST/0001/16.02/2026"
    assert list(case.events.filter(verb__startswith="aid_").values_list("verb", flat=True)) == [
        Verb.AID_PROPOSED, Verb.AID_SUBMITTED, Verb.AID_VERIFIED, Verb.AID_APPROVED,
        Verb.AID_HANDED_OVER,
    ]  # fmt: skip
    summaries = AuditEvent.objects.filter(object_id=str(proposal.pk), action="update")
    assert set(summaries.values_list("summary", flat=True)) == {
        "proposal draft -> submitted", "proposal submitted -> verified",
        "proposal verified -> approved", "proposal approved -> handed_over",
    }  # fmt: skip
    record = AidRecord.objects.get(programme=funded, nik=case.client.nik)
    assert (record.client, record.year, record.given_on) == (case.client, 2026, TODAY)


def test_a_draft_without_items_cannot_be_submitted(cast, programme, make_client):
    proposal = services.proposal_create(client=make_client(), programme=programme,
                                        by=cast.caseworker)  # fmt: skip

    with pytest.raises(ApplicationError) as error:
        services.proposal_submit(proposal=proposal, by=cast.caseworker)

    assert error.value.field == "items"


def test_steps_out_of_order_are_refused(cast, funded, food, make_client):
    proposal = services.proposal_create(client=make_client(), programme=funded,
                                        items=[(food, 1)], by=cast.caseworker)  # fmt: skip

    with pytest.raises(ApplicationError):
        services.proposal_verify(proposal=proposal, by=cast.supervisor)  # still a draft
    with pytest.raises(ApplicationError):
        services.proposal_reject(proposal=proposal, by=cast.supervisor, reason="x")  # a draft
    services.proposal_submit(proposal=proposal, by=cast.caseworker)
    with pytest.raises(ApplicationError):
        services.proposal_submit(proposal=proposal, by=cast.caseworker)  # twice
    with pytest.raises(ApplicationError):
        approve(cast, [proposal])  # not verified
    with pytest.raises(ApplicationError):
        services.handover_record(proposal=proposal, by=cast.caseworker, handed_on=TODAY,
                                 place="Kantor")  # fmt: skip
    services.proposal_reject(proposal=proposal, by=cast.supervisor, reason="Dokumen tidak lengkap")
    with pytest.raises(ApplicationError):
        services.proposal_cancel(proposal=proposal, by=cast.caseworker, reason="x")  # closed

    proposal.refresh_from_db()
    assert proposal.state == State.REJECTED
    assert proposal.reason == "Dokumen tidak lengkap"


def test_rejecting_or_cancelling_needs_a_reason(cast, programme, food, make_client):
    proposal = services.proposal_create(client=make_client(), programme=programme,
                                        items=[(food, 1)], by=cast.caseworker)  # fmt: skip

    with pytest.raises(ApplicationError) as error:
        services.proposal_cancel(proposal=proposal, by=cast.caseworker, reason="  ")

    assert error.value.field == "reason"


def test_a_caseworker_cannot_verify_reject_or_cancel_an_approved_proposal(
    cast, funded, food, make_client
):
    proposal = services.proposal_create(client=make_client(), programme=funded,
                                        items=[(food, 1)], by=cast.caseworker2)  # fmt: skip
    services.proposal_submit(proposal=proposal, by=cast.caseworker2)

    with pytest.raises(PermissionDenied):
        services.proposal_verify(proposal=proposal, by=cast.caseworker)
    services.proposal_verify(proposal=proposal, by=cast.supervisor)
    with pytest.raises(PermissionDenied):
        approve(cast, [proposal], by=cast.caseworker)
    approve(cast, [proposal])
    with pytest.raises(PermissionDenied):
        services.proposal_reject(proposal=proposal, by=cast.caseworker, reason="x")
    with pytest.raises(PermissionDenied):
        services.proposal_cancel(proposal=proposal, by=cast.caseworker, reason="x")


# --- four eyes -----------------------------------------------------------------------------


def test_a_supervisor_cannot_verify_a_proposal_they_created(cast, programme, food, make_client):
    proposal = services.proposal_create(client=make_client(), programme=programme,
                                        items=[(food, 1)], by=cast.supervisor)  # fmt: skip
    services.proposal_submit(proposal=proposal, by=cast.caseworker)

    with pytest.raises(ApplicationError) as error:
        services.proposal_verify(proposal=proposal, by=cast.supervisor)

    assert error.value.code == "four_eyes"


def test_a_supervisor_cannot_verify_a_proposal_they_submitted(cast, programme, food, make_client):
    proposal = services.proposal_create(client=make_client(), programme=programme,
                                        items=[(food, 1)], by=cast.caseworker)  # fmt: skip
    services.proposal_submit(proposal=proposal, by=cast.supervisor)

    with pytest.raises(ApplicationError) as error:
        services.proposal_verify(proposal=proposal, by=cast.supervisor)

    assert error.value.code == "four_eyes"


def test_a_supervisor_cannot_approve_their_own_proposal(cast, funded, food, make_client):
    second = other_supervisor(cast)
    proposal = services.proposal_create(client=make_client(), programme=funded,
                                        items=[(food, 1)], by=cast.supervisor)  # fmt: skip
    services.proposal_submit(proposal=proposal, by=cast.caseworker)
    services.proposal_verify(proposal=proposal, by=second)

    with pytest.raises(ApplicationError) as error:
        approve(cast, [proposal], by=cast.supervisor)
    assert error.value.code == "four_eyes"

    approve(cast, [proposal], by=second)
    proposal.refresh_from_db()
    assert proposal.state == State.APPROVED


# --- the programme's rules at approval --------------------------------------------------------


def test_entrepreneurship_aid_needs_a_business_plan_to_be_submitted(cast, funded, make_client):
    tools = make_item(funded, "Paket peralatan usaha", component="vokasional",
                      kind="entrepreneurship", cost=1_500_000)  # fmt: skip
    proposal = services.proposal_create(client=make_client(), programme=funded,
                                        items=[(tools, 1)], by=cast.caseworker)  # fmt: skip

    with pytest.raises(ApplicationError) as error:
        services.proposal_submit(proposal=proposal, by=cast.caseworker)

    assert error.value.field == "business_plan"


def test_entrepreneurship_aid_needs_a_business_recorded_in_the_assessment(cast, funded, make_case):
    fund(cast, funded, 3_000_000, component="vokasional")
    tools = make_item(funded, "Paket peralatan usaha", component="vokasional",
                      kind="entrepreneurship", cost=1_500_000)  # fmt: skip
    case = make_case()
    assess(case, business=False)
    proposal = verified(cast, case.client, funded, [(tools, 1)], plan="Menambah stok warung")

    with pytest.raises(ApplicationError) as error:
        approve(cast, [proposal])
    assert error.value.code == "not_eligible"
    assert proposal.reference in error.value.message
    assert "embrio usaha" in error.value.message

    assess(case, business=True)  # a later assessment records the business
    approve(cast, [proposal])
    proposal.refresh_from_db()
    assert proposal.state == State.APPROVED


def test_a_person_outside_the_programmes_regions_is_not_approved(cast, funded, food, make_client):
    funded.regions.set(Region.objects.filter(code="16.02.03"))  # Kec. Pedamaran only
    proposal = verified(cast, make_client(village=OKI_VILLAGE), funded, [(food, 1)])

    with pytest.raises(ApplicationError) as error:
        approve(cast, [proposal])

    assert said("the person lives outside the programme's regions") in error.value.message
    proposal.refresh_from_db()
    assert proposal.state == State.VERIFIED


def test_a_completed_assessment_is_required_when_the_programme_says_so(
    cast, funded, food, make_case
):
    funded.requires_assessment = True
    funded.save()
    case = make_case()
    proposal = verified(cast, case.client, funded, [(food, 1)])

    with pytest.raises(ApplicationError) as error:
        approve(cast, [proposal])
    assert said("there is no completed social assessment") in error.value.message

    assess(case)
    approve(cast, [proposal])


def test_a_person_aided_this_year_is_not_approved_again(cast, funded, food, make_client):
    client = make_client()
    AidRecord.objects.create(programme=funded, nik=client.nik, year=2026,
                             given_on=datetime.date(2026, 3, 1))  # fmt: skip
    proposal = verified(cast, client, funded, [(food, 1)])

    with pytest.raises(ApplicationError) as error:
        approve(cast, [proposal])

    assert said("the person already received this programme's aid this year") in error.value.message


def snapshot_with(cast, rows, extract=datetime.date(2026, 10, 1)):
    """A completed register snapshot of regency 16.02 with (nik, name, decile) rows."""
    snapshot = RegisterSnapshot.objects.create(
        source="DTSEN uji", extract_date=extract, file_name="uji.csv",
        sha256=f"{extract:%Y%m%d}".ljust(64, "0"),
        status=RegisterSnapshot.Status.DONE, created_by=cast.supervisor,
        area_rows={"16.02": max(len(rows), 1)},
    )  # fmt: skip
    register_partition_create(snapshot=snapshot)
    for number, (nik, name, decile) in enumerate(rows, start=1):
        RegisterRow.objects.create(
            snapshot=snapshot, row_number=number, id_dtsen=f"DT-{number:04d}", nik=nik,
            name=name, name_key=linkage.name_key(name), birth_date=datetime.date(1990, 1, 1),
            sex="L", village_code=OKI_VILLAGE, decile=decile,
        )  # fmt: skip
    return snapshot


def test_the_decile_is_checked_at_approval_against_the_register(cast, funded, food, make_client):
    funded.max_decile = 4
    funded.save()
    poor, richer, unknown = make_client(serial=1), make_client(serial=2), make_client(serial=3)
    snapshot_with(cast, [(poor.nik, poor.full_name, 3), (richer.nik, richer.full_name, 7)])
    proposals = {c: verified(cast, c, funded, [(food, 1)]) for c in (poor, richer, unknown)}

    with pytest.raises(ApplicationError) as error:
        approve(cast, [proposals[richer]], number="SK/1")
    assert said("decile %(decile)d is above the programme's highest, %(max)d", decile=7, max=4) in (
        error.value.message
    )
    with pytest.raises(ApplicationError) as error:
        approve(cast, [proposals[unknown]], number="SK/2")
    assert said("no register decile is known for the person") in error.value.message
    approve(cast, [proposals[poor]], number="SK/3")


def test_one_refused_proposal_fails_the_whole_decree(cast, funded, food, make_client):
    good = verified(cast, make_client(serial=1), funded, [(food, 1)])
    client = make_client(serial=2)
    AidRecord.objects.create(programme=funded, nik=client.nik, year=2026, given_on=TODAY)
    bad = verified(cast, client, funded, [(food, 1)])

    with pytest.raises(ApplicationError) as error:
        approve(cast, [good, bad])

    assert bad.reference in error.value.message and client.full_name not in error.value.message
    assert set(Proposal.objects.values_list("state", flat=True)) == {State.VERIFIED}


def test_decree_numbers_are_unique_per_organisation(cast, funded, food, make_client):
    first = verified(cast, make_client(serial=1), funded, [(food, 1)])
    second = verified(cast, make_client(serial=2), funded, [(food, 1)])
    approve(cast, [first], number="SK/7")

    with pytest.raises(ApplicationError) as error:
        approve(cast, [second], number="SK/7")

    assert error.value.field == "number"


# --- from a screening batch ----------------------------------------------------------------

HEADER = "nik;no_kk;nama;tgl_lahir;jenis_kelamin;kode_wilayah;alamat\n"


def screened_batch(cast, programme, lines, snapshot):
    text = HEADER + "".join(f"{nik};;{name};01-01-1990;L;{OKI_VILLAGE};Jl. Uji\n"
                            for nik, name in lines)  # fmt: skip
    batch = eligibility.batch_create(
        by=cast.caseworker, programme=programme, snapshot=snapshot, name="Usulan uji",
        file=SimpleUploadedFile("usulan.csv", text.encode(), "text/csv"),
    )  # fmt: skip
    for key in eligibility.batch_load(batch_id=batch.pk):
        eligibility.batch_screen_chunk(batch_id=batch.pk, key=key)
    batch.refresh_from_db()
    return batch


def test_proposals_come_from_the_eligible_rows_of_a_batch_once_with_their_evidence(
    cast, funded, food, make_client
):
    funded.max_decile = 4
    funded.save()
    registered, richer = make_client(serial=1), make_client(serial=2)
    stranger = make_nik(serial=5)  # eligible in the register but not a client of ours
    people = [(registered.nik, registered.full_name, 3), (richer.nik, richer.full_name, 7),
              (stranger, "Orang Lain", 1)]  # fmt: skip
    snapshot = snapshot_with(cast, people)
    batch = screened_batch(cast, funded, [(nik, name) for nik, name, _decile in people], snapshot)

    result = services.proposals_create_from_batch(batch=batch, by=cast.caseworker,
                                                  items=[(food, 1)])  # fmt: skip
    again = services.proposals_create_from_batch(batch=batch, by=cast.caseworker,
                                                 items=[(food, 1)])  # fmt: skip

    [proposal] = Proposal.objects.all()
    assert [p.pk for p in result.created] == [proposal.pk]
    assert dict(result.skipped) == {"not_eligible": 1, "no_client": 1}
    assert again.created == []
    assert dict(again.skipped) == {"not_eligible": 1, "no_client": 1, "already_proposed": 1}
    assert proposal.client == registered
    assert proposal.value == UNIT
    evidence = proposal.batch_row
    assert (evidence.verdict, evidence.decile, evidence.match_method) == (
        "ELIGIBLE",
        3,
        "nik_exact",
    )
    assert evidence.batch.snapshot == snapshot
    assert selectors.proposal_warnings(proposal) == []

    snapshot_with(cast, people, extract=datetime.date(2026, 11, 1))  # a newer register arrives
    assert selectors.proposal_warnings(proposal) == [selectors.REGISTER_OUTDATED]
    # a warning, not a refusal
    services.proposal_submit(proposal=proposal, by=cast.caseworker)
    services.proposal_verify(proposal=proposal, by=cast.supervisor)
    approve(cast, [proposal])
