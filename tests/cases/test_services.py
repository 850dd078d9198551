"""The case spine through the services: clients, consent, referrals, cases, and the audit trail."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import ProgrammingError, transaction
from django.utils import timezone, translation

from atensi.audit.models import AuditEvent
from atensi.errors import ApplicationError
from cases import services
from cases.models import Case, CaseEvent, CaseNote, Client, Consent, Referral, Stage
from tests.conftest import (
    OI_VILLAGE,
    OKI_VILLAGE,
    OKI_VILLAGE_2,
    client_kwargs,
    consent_kwargs,
    make_nik,
    pdf_file,
    png_file,
    referral_kwargs,
)

FORWARD = [
    Stage.ASSESSMENT,
    Stage.PLANNING,
    Stage.INTERVENTION,
    Stage.REINTEGRATION,
    Stage.TERMINATION,
    Stage.AFTERCARE,
    Stage.CLOSED,
]


@pytest.fixture(autouse=True)
def english():
    """Messages are asserted on their English source text, except where Indonesian is the point."""
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def refused(call, **kwargs) -> ApplicationError:
    with pytest.raises(ApplicationError) as info:
        call(**kwargs)
    return info.value


# --- client_register -------------------------------------------------------------------


def test_registering_a_client_saves_the_row_and_an_audit_event(cast):
    client = services.client_register(by=cast.caseworker, **client_kwargs())

    saved = Client.objects.get(nik=make_nik())
    assert saved == client
    assert saved.registered_by == cast.dinsos
    assert saved.village_id == OKI_VILLAGE
    events = AuditEvent.objects.filter(action="create", object_type="client", actor=cast.caseworker)
    assert list(events.values_list("object_id", flat=True)) == [str(client.pk)]


def test_a_nik_already_registered_is_refused_as_a_conflict_on_the_nik(cast):
    services.client_register(by=cast.caseworker, **client_kwargs())

    error = refused(
        services.client_register, by=cast.supervisor, **client_kwargs(full_name="Nama Lain")
    )

    assert (error.code, error.field) == ("conflict", "nik")
    assert Client.objects.count() == 1


def test_a_nik_without_sixteen_digits_is_refused_with_an_indonesian_message(cast):
    with translation.override("id"):
        error = refused(
            services.client_register, by=cast.caseworker, **client_kwargs(nik="160205010190001")
        )

    assert error.field == "nik"
    assert "NIK harus terdiri dari tepat 16 digit; yang diisi 15 digit" in error.message
    assert not Client.objects.exists()


def test_a_nik_whose_birth_date_differs_from_the_entered_one_is_refused(cast):
    data = client_kwargs(birth=datetime.date(1990, 1, 1))
    data["birth_date"] = datetime.date(1990, 1, 2)

    error = refused(services.client_register, by=cast.caseworker, **data)

    assert error.field == "nik"
    assert "01-01-1990" in error.message and "02-01-1990" in error.message
    assert not Client.objects.exists()


def test_a_mans_nik_entered_for_a_woman_is_refused(cast):
    data = client_kwargs(sex="L")
    data["sex"] = "P"

    error = refused(services.client_register, by=cast.caseworker, **data)

    assert error.field == "nik"
    assert "belongs to a man" in error.message


def test_a_birth_date_in_the_future_is_refused(cast):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)

    error = refused(services.client_register, by=cast.caseworker, **client_kwargs(birth=tomorrow))

    assert error.field == "birth_date"
    assert not Client.objects.exists()


def test_a_village_outside_the_users_area_is_refused(cast):
    error = refused(
        services.client_register, by=cast.caseworker, **client_kwargs(village=OI_VILLAGE)
    )

    assert error.field == "village"
    assert "outside your organisation's service area" in error.message


def test_an_unknown_village_code_is_refused(cast):
    data = client_kwargs(village="16.02.05.9999")

    error = refused(services.client_register, by=cast.caseworker, **data)

    assert error.field == "village"
    assert "16.02.05.9999 is not a known village" in error.message


def test_same_name_and_birth_date_in_the_same_regency_is_a_probable_duplicate(cast):
    first = services.client_register(by=cast.caseworker, **client_kwargs(serial=1))
    twin = client_kwargs(serial=2, village=OKI_VILLAGE_2, full_name=first.full_name)

    error = refused(services.client_register, by=cast.caseworker, **twin)

    assert error.code == "probable_duplicate"
    assert first.masked_nik in error.message
    assert Client.objects.count() == 1


def test_a_confirmed_probable_duplicate_is_registered(cast):
    first = services.client_register(by=cast.caseworker, **client_kwargs(serial=1))
    twin = client_kwargs(serial=2, village=OKI_VILLAGE_2, full_name=first.full_name)

    second = services.client_register(by=cast.caseworker, allow_probable_duplicate=True, **twin)

    assert Client.objects.filter(pk__in=[first.pk, second.pk]).count() == 2


def test_a_referrer_cannot_register_a_client(cast):
    with pytest.raises(PermissionDenied):
        services.client_register(by=cast.referrer, **client_kwargs())


# --- consent_record --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"purposes": []}, "purposes"),
        ({"given_by": "none"}, "given_by"),
        ({"basis": "public_duty", "given_by": "none", "notes": "  "}, "notes"),
        ({"given_by": "parent", "given_by_name": ""}, "given_by_name"),
        ({"basis": "vital_interest"}, "basis"),
    ],
    ids=["no-purpose", "consent-given-by-none", "public-duty-without-notes",
         "parent-without-name", "basis-not-consent-although-given"],
)  # fmt: skip
def test_consent_that_breaks_a_rule_is_refused_and_not_saved(cast, make_client, changes, field):
    client = make_client(consent=False)

    error = refused(
        services.consent_record, client=client, by=cast.caseworker, **consent_kwargs(**changes)
    )

    assert error.field == field
    assert not Consent.objects.exists()


def test_public_duty_without_consent_is_recorded_with_its_reason(cast, make_client):
    client = make_client(consent=False)

    consent = services.consent_record(
        client=client, by=cast.caseworker,
        **consent_kwargs(basis="public_duty", given_by="none", notes="Klien tidak sadar penuh"),
    )  # fmt: skip

    assert Consent.objects.get(client=client) == consent
    assert AuditEvent.objects.filter(action="create", object_id=str(consent.pk)).exists()


# --- referral_submit -------------------------------------------------------------------


def test_a_referral_without_nik_is_accepted_and_flagged(cast):
    referral = services.referral_submit(by=cast.referrer, **referral_kwargs())

    referral.refresh_from_db()
    assert referral.status == Referral.Status.SUBMITTED
    assert referral.nik_missing is True
    assert referral.referring_org == cast.bnnk
    assert AuditEvent.objects.filter(action="create", object_id=str(referral.pk)).exists()


def test_a_referral_for_a_region_outside_the_area_is_refused(cast):
    error = refused(
        services.referral_submit, by=cast.referrer, **referral_kwargs(region=OI_VILLAGE)
    )

    assert error.field == "region"
    assert not Referral.objects.exists()


def test_a_referral_dated_in_the_future_is_refused(cast):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)

    error = refused(
        services.referral_submit, by=cast.referrer, **referral_kwargs(referral_date=tomorrow)
    )

    assert error.field == "referral_date"
    assert not Referral.objects.exists()


def test_a_pdf_and_a_png_are_attached_to_the_referral(cast):
    referral = services.referral_submit(
        by=cast.referrer, attachments=[pdf_file(), png_file()], **referral_kwargs()
    )

    attachments = {a.original_name: a for a in referral.attachments.all()}
    assert set(attachments) == {"surat-rujukan.pdf", "hasil-tes-urin.png"}
    assert attachments["surat-rujukan.pdf"].content_type == "application/pdf"
    assert attachments["hasil-tes-urin.png"].content_type == "image/png"
    with attachments["surat-rujukan.pdf"].file.open("rb") as stored:
        assert stored.read().startswith(b"%PDF-1.4")
    assert "surat-rujukan" not in attachments["surat-rujukan.pdf"].file.name


def test_a_text_file_named_pdf_is_refused_naming_the_file(cast):
    fake = SimpleUploadedFile("surat-palsu.pdf", b"bukan pdf, hanya teks\n", "application/pdf")

    error = refused(
        services.referral_submit, by=cast.referrer, attachments=[pdf_file(), fake],
        **referral_kwargs(),
    )  # fmt: skip

    assert error.field == "attachments"
    assert "surat-palsu.pdf" in error.message
    assert not Referral.objects.exists()


def test_an_oversized_attachment_is_refused_naming_the_file(cast, settings):
    settings.ATTACHMENT_MAX_BYTES = 1024

    error = refused(
        services.referral_submit, by=cast.referrer,
        attachments=[pdf_file("besar.pdf", padding=2048)], **referral_kwargs(),
    )  # fmt: skip

    assert error.field == "attachments"
    assert "besar.pdf" in error.message
    assert not Referral.objects.exists()


# --- referral decisions ----------------------------------------------------------------


def test_accepting_needs_the_clients_consent_and_leaves_the_referral_waiting(
    cast, make_client, make_referral
):
    client = make_client(consent=False)
    referral = make_referral()

    error = refused(services.referral_accept, referral=referral, by=cast.caseworker, client=client)

    assert error.field == "consent"
    referral.refresh_from_db()
    assert referral.status == Referral.Status.SUBMITTED
    assert referral.client is None
    assert not Case.objects.exists()


def test_accepting_links_the_client_and_opens_a_case_at_intake(cast, make_client, make_referral):
    client = make_client()
    referral = make_referral()

    case = services.referral_accept(referral=referral, by=cast.caseworker, client=client)

    referral.refresh_from_db()
    assert referral.status == Referral.Status.ACCEPTED
    assert referral.client == client
    assert referral.decided_by == cast.caseworker
    assert (case.client, case.referral, case.stage) == (client, referral, Stage.INTAKE)
    assert case.assigned_to == cast.caseworker
    assert list(case.events.values_list("verb", flat=True)) == ["referral", "opened"]


def test_a_referral_cannot_be_accepted_twice(cast, make_client, make_referral):
    client = make_client()
    referral = make_referral()
    services.referral_accept(referral=referral, by=cast.caseworker, client=client)

    error = refused(services.referral_accept, referral=referral, by=cast.supervisor, client=client)

    assert error.code == "conflict"
    assert Case.objects.count() == 1


def test_declining_needs_a_reason(cast, make_referral):
    referral = make_referral()

    error = refused(services.referral_decline, referral=referral, by=cast.caseworker, reason=" ")

    assert error.field == "reason"
    referral.refresh_from_db()
    assert referral.status == Referral.Status.SUBMITTED


def test_declining_with_a_reason_records_it(cast, make_referral):
    referral = make_referral()

    services.referral_decline(referral=referral, by=cast.caseworker, reason="Di luar sasaran")

    referral.refresh_from_db()
    assert (referral.status, referral.decline_reason) == ("declined", "Di luar sasaran")


def test_marking_a_duplicate_links_it_to_the_original(cast, make_referral):
    original = make_referral()
    copy = make_referral()

    services.referral_mark_duplicate(referral=copy, by=cast.caseworker, original=original)

    copy.refresh_from_db()
    assert (copy.status, copy.duplicate_of) == (Referral.Status.DUPLICATE, original)


def test_a_referral_cannot_be_a_duplicate_of_itself(cast, make_referral):
    referral = make_referral()

    error = refused(
        services.referral_mark_duplicate, referral=referral, by=cast.caseworker, original=referral
    )

    assert error.field == "original"
    referral.refresh_from_db()
    assert referral.status == Referral.Status.SUBMITTED


# --- case_transition -------------------------------------------------------------------


def test_a_case_walks_every_forward_step_from_intake_to_closed(cast, make_case):
    case = make_case()

    for stage in FORWARD:
        case = services.case_transition(
            case=case, by=cast.caseworker, to_stage=stage, reason=f"Siap ke {stage}"
        )

    case.refresh_from_db()
    assert case.stage == Stage.CLOSED
    assert case.closed_at is not None
    steps = list(
        case.events.filter(verb="stage").values_list("from_stage", "to_stage", "actor", "text")
    )
    assert steps == [
        (before, after, cast.caseworker.pk, f"Siap ke {after}")
        for before, after in zip([Stage.INTAKE, *FORWARD[:-1]], FORWARD, strict=True)
    ]


def test_a_case_cannot_skip_a_stage(cast, make_case):
    case = make_case()

    error = refused(
        services.case_transition, case=case, by=cast.caseworker, to_stage=Stage.PLANNING,
        reason="Lompat",
    )  # fmt: skip

    assert error.code == "conflict"
    case.refresh_from_db()
    assert case.stage == Stage.INTAKE
    assert not case.events.filter(verb="stage").exists()


@pytest.mark.parametrize("to_stage", [Stage.AFTERCARE, Stage.INTAKE, Stage.REFERRED_OUT])
def test_a_closed_case_does_not_move(cast, make_case, to_stage):
    case = make_case()
    for stage in FORWARD:
        case = services.case_transition(case=case, by=cast.caseworker, to_stage=stage, reason="ok")

    error = refused(
        services.case_transition, case=case, by=cast.caseworker, to_stage=to_stage,
        reason="Buka lagi", referred_to="RS Ernaldi Bahar",
    )  # fmt: skip

    assert error.code == "conflict"
    case.refresh_from_db()
    assert case.stage == Stage.CLOSED


def test_a_stage_change_needs_a_reason(cast, make_case):
    case = make_case()

    error = refused(
        services.case_transition, case=case, by=cast.caseworker, to_stage=Stage.ASSESSMENT,
        reason="   ",
    )  # fmt: skip

    assert error.field == "reason"
    case.refresh_from_db()
    assert case.stage == Stage.INTAKE


def test_referral_out_needs_a_destination(cast, make_case):
    case = make_case()

    error = refused(
        services.case_transition, case=case, by=cast.caseworker, to_stage=Stage.REFERRED_OUT,
        reason="Perlu rawat inap",
    )  # fmt: skip

    assert error.field == "referred_to"
    case.refresh_from_db()
    assert case.stage == Stage.INTAKE


def test_referral_out_from_an_open_stage_closes_the_case(cast, make_case):
    case = make_case()
    case = services.case_transition(
        case=case, by=cast.caseworker, to_stage=Stage.ASSESSMENT, reason="Asesmen"
    )

    services.case_transition(
        case=case, by=cast.caseworker, to_stage=Stage.REFERRED_OUT, reason="Perlu rawat inap",
        referred_to="RS Ernaldi Bahar",
    )  # fmt: skip

    case.refresh_from_db()
    assert (case.stage, case.referred_to) == (Stage.REFERRED_OUT, "RS Ernaldi Bahar")
    assert case.closed_at is not None
    assert not case.is_open


def test_a_client_has_only_one_open_case_per_organisation(cast, make_client, make_case):
    client = make_client()
    make_case(client=client)

    error = refused(make_case, client=client, by=cast.caseworker2)

    assert error.code == "conflict"
    assert Case.objects.filter(client=client).count() == 1


def test_a_closed_case_does_not_block_a_new_one(cast, make_client, make_case):
    client = make_client()
    case = make_case(client=client)
    services.case_transition(
        case=case, by=cast.caseworker, to_stage=Stage.REFERRED_OUT, reason="Rujuk",
        referred_to="IPWL Palembang",
    )  # fmt: skip

    make_case(client=client)

    assert Case.objects.filter(client=client).count() == 2


# --- notes and assignment --------------------------------------------------------------


def test_a_note_is_saved_and_shown_on_the_timeline(cast, make_case):
    case = make_case()

    note = services.case_note_add(case=case, by=cast.caseworker, text="  Kunjungan rumah  ")

    assert CaseNote.objects.get(case=case) == note
    assert note.text == "Kunjungan rumah"
    assert case.events.filter(verb="note", actor=cast.caseworker, text="Kunjungan rumah").exists()


def test_an_empty_note_is_refused(cast, make_case):
    case = make_case()

    error = refused(services.case_note_add, case=case, by=cast.caseworker, text=" \n ")

    assert error.field == "text"
    assert not CaseNote.objects.exists()


def test_a_note_cannot_be_added_to_a_closed_case(cast, make_case):
    case = make_case()
    case = services.case_transition(
        case=case, by=cast.caseworker, to_stage=Stage.REFERRED_OUT, reason="Rujuk",
        referred_to="IPWL Palembang",
    )  # fmt: skip

    error = refused(services.case_note_add, case=case, by=cast.caseworker, text="Terlambat")

    assert error.code == "conflict"
    assert not CaseNote.objects.exists()


def test_a_supervisor_assigns_a_case_to_another_caseworker(cast, make_case):
    case = make_case()

    services.case_assign(case=case, by=cast.supervisor, assignee=cast.caseworker2)

    case.refresh_from_db()
    assert case.assigned_to == cast.caseworker2
    assert case.events.filter(verb="assigned", actor=cast.supervisor).exists()


def test_a_caseworker_cannot_assign_a_case(cast, make_case):
    case = make_case()

    with pytest.raises(PermissionDenied):
        services.case_assign(case=case, by=cast.caseworker, assignee=cast.caseworker2)

    case.refresh_from_db()
    assert case.assigned_to == cast.caseworker


@pytest.mark.parametrize("assignee", ["outsider", "referrer"])
def test_a_case_is_assigned_only_to_a_caseworker_of_its_organisation(cast, make_case, assignee):
    case = make_case()

    error = refused(
        services.case_assign, case=case, by=cast.supervisor, assignee=getattr(cast, assignee)
    )

    assert error.field == "assigned_to"
    case.refresh_from_db()
    assert case.assigned_to == cast.caseworker


# --- append-only records ---------------------------------------------------------------


def test_an_audit_event_cannot_be_changed(cast, make_client):
    make_client()
    event = AuditEvent.objects.first()

    with pytest.raises(ProgrammingError, match="Cannot update or delete"), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(summary="dihapus")

    event.refresh_from_db()
    assert event.summary != "dihapus"


def test_an_audit_event_cannot_be_deleted(cast, make_client):
    make_client()
    count = AuditEvent.objects.count()

    with pytest.raises(ProgrammingError, match="Cannot update or delete"), transaction.atomic():
        AuditEvent.objects.first().delete()

    assert AuditEvent.objects.count() == count


def test_a_timeline_event_cannot_be_changed(cast, make_case):
    event = make_case().events.get(verb="opened")

    with pytest.raises(ProgrammingError, match="Cannot update or delete"), transaction.atomic():
        CaseEvent.objects.filter(pk=event.pk).update(text="diubah")

    event.refresh_from_db()
    assert event.text == ""


def test_a_timeline_event_cannot_be_deleted(cast, make_case):
    case = make_case()

    with pytest.raises(ProgrammingError, match="Cannot update or delete"), transaction.atomic():
        case.events.get(verb="opened").delete()

    assert case.events.filter(verb="opened").count() == 1
