"""The retention policy (`manage.py apply_retention`): a dry run first, then the people
whose time has passed are anonymised in every record held about them, audited."""

import datetime
import io

import pytest
from django.apps import apps
from django.core.management import call_command
from django.utils import timezone

from atensi.audit.models import AuditEvent
from cases import services
from cases.models import Case, CaseEvent, CaseNote, Client, FamilyMember, Referral, Stage
from tests.conftest import make_nik
from tests.rehab.survey_world import answer, make_unit

pytestmark = pytest.mark.django_db

FORWARD = [Stage.ASSESSMENT, Stage.PLANNING, Stage.INTERVENTION, Stage.REINTEGRATION,
           Stage.TERMINATION, Stage.CLOSED]  # fmt: skip


def closed_years_ago(case, by, years):
    for stage in FORWARD:
        case = services.case_transition(case=case, by=by, to_stage=stage, reason="Selesai")
    Case.objects.filter(pk=case.pk).update(
        closed_at=timezone.now() - datetime.timedelta(days=365 * years + 5)
    )
    return case


def run(*args) -> str:
    out = io.StringIO()
    call_command("apply_retention", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def old_client(cast, make_case, make_referral):
    """A client referred, cared for and closed eleven years ago, with family and notes."""
    referral = make_referral(full_name="Dedi Hidayat", nik=make_nik(serial=5),
                             phone="081200000001")  # fmt: skip
    case = make_case(full_name="Dedi Hidayat", serial=5, phone="081299999999")
    client = case.client
    Referral.objects.filter(pk=referral.pk).update(client=client, status="accepted")
    services.family_member_add(client=client, by=cast.caseworker, relation="mother",
                               full_name="Ibu Dedi", phone="081311111111")  # fmt: skip
    services.client_update(client=client, by=cast.caseworker, full_name="Dedi Hidayat S")
    services.case_note_add(case=case, by=cast.caseworker, text="Kunjungan rumah di Jl. Melati")
    closed_years_ago(case, cast.caseworker, 11)
    return client


def test_the_dry_run_counts_who_is_due_and_changes_nothing(cast, old_client, make_case):
    recent = make_case(serial=6)
    closed_years_ago(recent, cast.caseworker, 2)
    make_case(serial=7)  # still open

    out = run()

    assert "closed_cases: 1 due" in out
    assert "Dedi" not in out and old_client.nik not in out
    old_client.refresh_from_db()
    assert old_client.full_name == "Dedi Hidayat S"
    assert not AuditEvent.objects.filter(object_type="retention").exists()


def test_applying_anonymises_every_record_of_the_person_and_keeps_what_the_service_was(
    cast, old_client, make_case
):
    recent = make_case(serial=6)
    closed_years_ago(recent, cast.caseworker, 2)
    history = apps.get_model("cases", "ClientHistory")
    assert history.objects.filter(pgh_obj_id=old_client.pk).exists()

    out = run("--apply")

    assert "closed_cases: 1 due" in out
    client = Client.objects.get(pk=old_client.pk)
    assert client.nik.startswith("00") and len(client.nik) == 16
    assert (client.full_name, client.phone, client.address) == ("[anonim]", "", "[anonim]")
    assert client.birth_date == datetime.date(1990, 7, 1)  # the year stays
    assert client.village_id == old_client.village_id and client.sex == old_client.sex
    member = FamilyMember.objects.get(client=client)
    assert (member.full_name, member.phone) == ("[anonim]", "")
    referral = Referral.objects.get(client=client)
    assert (referral.full_name, referral.nik, referral.phone) == ("[anonim]", "", "")
    assert CaseNote.objects.get(case__client=client).text == "[anonim]"
    timeline = CaseEvent.objects.filter(case__client=client)
    assert not timeline.filter(message__isnull=False).exists()  # "Mother", what was changed
    assert not timeline.exclude(text__in=["", "[anonim]"]).exists()
    # The service itself stays: the case, its stage and its dates.
    case = client.cases.get()
    assert case.stage == Stage.CLOSED and case.closed_at is not None
    # The earlier values are gone with the history snapshots.
    assert not history.objects.filter(pgh_obj_id=client.pk).exists()
    # Others are untouched, and the change is audited without naming anyone.
    assert Client.objects.get(pk=recent.client.pk).full_name == "Klien Uji 6"
    events = AuditEvent.objects.filter(channel="command")
    assert events.filter(object_type="client", object_id=str(client.pk)).exists()
    assert events.filter(object_type="retention").exists()
    assert not any("Dedi" in e.summary for e in events)
    # Run again: nothing is due any more.
    assert "closed_cases: 0 due" in run()


def test_survey_suggestions_past_their_time_are_cleared_and_the_ratings_stay(cast):
    unit = make_unit(cast)
    old = answer(unit, (4,) * 9, day=timezone.localdate() - datetime.timedelta(days=800),
                 suggestion="Petugas bernama Andi kurang ramah")  # fmt: skip
    new = answer(unit, (3,) * 9, day=timezone.localdate() - datetime.timedelta(days=30),
                 suggestion="Ruang tunggu sempit")  # fmt: skip

    assert "survey_text: 1 due" in run()
    run("--apply", "--rule", "survey_text")

    old.refresh_from_db()
    new.refresh_from_db()
    assert old.suggestion == "" and old.u1 == 4
    assert new.suggestion == "Ruang tunggu sempit"
