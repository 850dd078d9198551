"""The rights UU 27/2022 gives the people in the records: consent withdrawn with its effect,
corrections kept with their history, and a referrer's own undecided referral corrected or
withdrawn."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from assessments.services.screening import screening_record
from atensi.audit.models import AuditEvent
from atensi.errors import ApplicationError
from cases import services
from cases.models import CaseEvent, ConsentWithdrawal, Referral
from tests.api.conftest import api_as
from tests.assessments.test_screening import TYPICAL
from tests.conftest import OKI_VILLAGE, consent_kwargs, make_nik, referral_form, said, shown

pytestmark = pytest.mark.django_db


def withdraw(client, by, **extra):
    data = {
        "withdrawn_by": "client",
        "purposes": ["assessment"],
        "date": timezone.localdate(),
        "reason": "Tidak ingin diwawancarai lagi",
    } | extra
    return services.consent_withdraw(client=client, by=by, **data)


def screen(client, by):
    return screening_record(
        client=client, by=by, screened_on=timezone.localdate(), answers=TYPICAL,
        injection="never",
    )  # fmt: skip


# --- consent withdrawn ------------------------------------------------------------------


def test_a_withdrawn_purpose_refuses_new_processing_for_it_and_keeps_the_rest(cast, make_case):
    case = make_case()
    client = case.client
    earlier = screen(client, cast.caseworker)
    withdraw(client, cast.caseworker)

    with pytest.raises(ApplicationError) as refused:
        screen(client, cast.caseworker)
    assert refused.value.field == "consent"
    assert refused.value.message == said(
        "Consent for “%(purpose)s” was withdrawn on %(date)s: nothing new may be recorded for "
        "it until consent is given again.",
        purpose=said("Screening and assessment"), date=timezone.localdate().strftime("%d-%m-%Y"),
    )  # fmt: skip
    # What was recorded before stays, and the timeline says what happened.
    assert client.screenings.filter(pk=earlier.pk).exists()
    assert case.events.filter(verb=CaseEvent.Verb.CONSENT_WITHDRAWN).exists()
    assert AuditEvent.objects.filter(
        object_type="consentwithdrawal", action=AuditEvent.Action.CREATE
    ).exists()


def test_consent_given_again_after_a_withdrawal_allows_processing_again(cast, make_client):
    client = make_client()
    withdraw(client, cast.caseworker, date=timezone.localdate() - datetime.timedelta(days=3))
    services.consent_record(
        client=client, by=cast.caseworker,
        **consent_kwargs(purposes=["assessment"], date=timezone.localdate()),
    )  # fmt: skip

    assert screen(client, cast.caseworker).pk


def test_a_withdrawal_of_one_purpose_leaves_the_others_allowed(cast, make_client):
    client = make_client()
    withdraw(client, cast.caseworker, purposes=["rehabilitation"])

    assert screen(client, cast.caseworker).pk


def test_a_withdrawal_needs_a_purpose_and_a_parent_needs_a_name(cast, make_client):
    client = make_client()
    with pytest.raises(ApplicationError) as no_purpose:
        withdraw(client, cast.caseworker, purposes=[])
    with pytest.raises(ApplicationError) as no_name:
        withdraw(client, cast.caseworker, withdrawn_by="parent")
    with pytest.raises(ApplicationError) as future:
        withdraw(client, cast.caseworker, date=timezone.localdate() + datetime.timedelta(days=1))

    assert (no_purpose.value.field, no_name.value.field, future.value.field) == (
        "purposes", "withdrawn_by_name", "date",
    )  # fmt: skip
    assert not ConsentWithdrawal.objects.exists()


def test_an_outsider_cannot_withdraw_a_clients_consent(cast, make_client):
    client = make_client()
    with pytest.raises(PermissionDenied):
        withdraw(client, cast.outsider)
    assert not ConsentWithdrawal.objects.exists()


def test_the_caseworker_withdraws_consent_on_the_page_and_the_client_page_shows_it(
    cast, make_client, browse
):
    client = make_client()
    page = browse("caseworker")
    url = reverse("cases:consent-withdraw", args=[client.pk])
    assert shown("Withdraw consent") in page.get(url).content.decode()

    response = page.post(url, {
        "withdrawn_by": "parent", "withdrawn_by_name": "Ibu Sari", "purposes": ["assessment"],
        "date": timezone.localdate().isoformat(), "reason": "", "retained_basis": "legal_duty",
    }, follow=True)  # fmt: skip

    html = response.content.decode()
    assert shown("The withdrawal of consent has been recorded.") in html
    assert "Ibu Sari" in html
    assert shown("What is already recorded is kept on this basis:") in html
    state = html[html.index('id="consent-state"') :]
    state = state[: state.index("</table>")]
    assert shown("withdrawn") in state and shown("allowed") in state
    withdrawal = ConsentWithdrawal.objects.get(client=client)
    assert withdrawal.withdrawn_by_name == "Ibu Sari"


def test_a_withdrawal_without_a_purpose_on_the_page_says_so_and_stores_nothing(
    cast, make_client, browse
):
    client = make_client()
    response = browse("caseworker").post(
        reverse("cases:consent-withdraw", args=[client.pk]),
        {"withdrawn_by": "client", "date": timezone.localdate().isoformat(),
         "retained_basis": "legal_duty"},
    )  # fmt: skip
    assert response.status_code == 200
    assert "errorlist" in response.content.decode()
    assert not ConsentWithdrawal.objects.exists()


def test_the_api_records_and_lists_withdrawals(cast, make_client):
    client = make_client()
    api = api_as(cast.caseworker)
    url = f"/api/v1/clients/{client.pk}/consent-withdrawals/"

    created = api.post(url, {"withdrawn_by": "client", "purposes": ["rehabilitation"],
                             "date": timezone.localdate().isoformat()}, format="json")  # fmt: skip
    listed = api.get(url)

    assert created.status_code == 201, created.content
    assert created.json()["retained_basis"] == "legal_duty"
    assert [row["purposes"] for row in listed.json()["results"]] == [["rehabilitation"]]
    assert api_as(cast.outsider).get(url).status_code == 404


# --- corrections with history -------------------------------------------------------------


def test_a_corrected_client_shows_the_earlier_value_and_who_changed_it(cast, make_client, browse):
    client = make_client(full_name="Dedi Hidayat")
    services.client_update(client=client, by=cast.caseworker2, full_name="Dedy Hidayat")

    html = browse("caseworker").get(reverse("cases:client-detail", args=[client.pk]))
    html = html.content.decode()
    history = html[html.index('id="client-history"') :]
    assert "“Dedi Hidayat” → “Dedy Hidayat”" in history
    assert str(cast.caseworker2) in history


# --- the referrer corrects or withdraws its own undecided referral ------------------------


def test_the_referrer_corrects_its_undecided_referral_and_the_history_keeps_the_old_value(
    cast, make_referral, browse
):
    referral = make_referral(full_name="Budi Saputra")
    page = browse("referrer")
    url = reverse("cases:referral-correct", args=[referral.pk])
    assert page.get(url).status_code == 200

    form = referral_form(full_name="Budi Saputra Jaya", nik=make_nik(serial=7))
    form.pop("source")
    response = page.post(url, form, follow=True)

    html = response.content.decode()
    assert shown("The referral has been corrected.") in html
    referral.refresh_from_db()
    assert referral.full_name == "Budi Saputra Jaya"
    assert referral.nik == make_nik(serial=7)
    history = html[html.index('id="referral-history"') :]
    assert "“Budi Saputra” → “Budi Saputra Jaya”" in history


def test_a_bad_correction_says_which_field_and_changes_nothing(cast, make_referral, browse):
    referral = make_referral(full_name="Budi Saputra")
    form = referral_form(full_name="Nama Baru", region="16.10.01.2001")  # Ogan Ilir
    form.pop("source")
    response = browse("referrer").post(reverse("cases:referral-correct", args=[referral.pk]), form)
    assert response.status_code == 200
    referral.refresh_from_db()
    assert referral.full_name == "Budi Saputra"


def test_the_referrer_withdraws_its_undecided_referral_and_it_leaves_the_queue(
    cast, make_referral, browse
):
    referral = make_referral()
    response = browse("referrer").post(
        reverse("cases:referral-withdraw", args=[referral.pk]),
        {"reason": "Orangnya sudah dirawat di RS"},
        follow=True,
    )
    assert shown("The referral has been withdrawn.") in response.content.decode()
    referral.refresh_from_db()
    assert referral.status == Referral.Status.WITHDRAWN
    assert referral.withdraw_reason == "Orangnya sudah dirawat di RS"
    queue = browse("caseworker").get(reverse("cases:referral-list") + "?status=submitted")
    assert referral.reference not in queue.content.decode()


def test_a_decided_referral_can_no_longer_be_corrected_or_withdrawn(
    cast, make_referral, make_client
):
    referral = make_referral()
    services.referral_decline(referral=referral, by=cast.caseworker, reason="Bukan wilayah")

    with pytest.raises(ApplicationError) as corrected:
        services.referral_update(referral=referral, by=cast.referrer, full_name="Lain")
    with pytest.raises(ApplicationError) as withdrawn:
        services.referral_withdraw(referral=referral, by=cast.referrer, reason="x")
    assert corrected.value.code == withdrawn.value.code == "conflict"
    referral.refresh_from_db()
    assert (referral.status, referral.full_name) == ("declined", "Orang Dirujuk")


def test_only_the_submitting_organisation_may_correct_a_referral(cast, make_referral, browse):
    referral = make_referral()
    for role in ("caseworker", "supervisor", "outsider"):
        page = browse(role)
        assert page.get(reverse("cases:referral-correct", args=[referral.pk])).status_code == 404
        page.post(reverse("cases:referral-withdraw", args=[referral.pk]), {"reason": "x"})
    referral.refresh_from_db()
    assert referral.status == Referral.Status.SUBMITTED


def test_the_api_corrects_and_withdraws_a_referral(cast, make_referral):
    referral = make_referral()
    api = api_as(cast.referrer)
    url = f"/api/v1/referrals/{referral.pk}/"

    patched = api.patch(url, {"full_name": "Nama Dikoreksi", "region": OKI_VILLAGE},
                        format="json")  # fmt: skip
    refused = api_as(cast.caseworker).patch(url, {"full_name": "X"}, format="json")
    withdrawn = api.post(url + "withdraw/", {"reason": "Salah kirim"}, format="json")
    again = api.post(url + "withdraw/", {"reason": "Salah kirim"}, format="json")

    assert patched.status_code == 200, patched.content
    assert patched.json()["full_name"] == "Nama Dikoreksi"
    assert refused.status_code in (403, 404)
    assert withdrawn.json()["status"] == "withdrawn"
    assert withdrawn.json()["withdraw_reason"] == "Salah kirim"
    assert again.status_code == 409


# --- everything held about one person -----------------------------------------------------


def sheets_of(content: bytes) -> dict[str, list[tuple]]:
    import io

    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(content), read_only=True)
    return {sheet.title: list(sheet.iter_rows(values_only=True)) for sheet in book.worksheets}


def test_the_access_request_export_holds_every_kind_of_record_of_the_person_and_is_audited(
    cast, make_case, make_referral, browse
):
    case = make_case(full_name="Dedi Hidayat")
    client = case.client
    screen(client, cast.caseworker)
    services.family_member_add(client=client, by=cast.caseworker, relation="mother",
                               full_name="Ibu Dedi")  # fmt: skip
    services.case_note_add(case=case, by=cast.caseworker, text="Catatan kunjungan rumah")
    services.client_update(client=client, by=cast.caseworker, phone="081234567890")
    withdraw(client, cast.caseworker, purposes=["contact"])
    stranger = make_referral(full_name="Orang Lain Sama Sekali")

    response = browse("caseworker").get(reverse("cases:personal-data", args=[client.pk]))

    assert response.status_code == 200
    sheets = sheets_of(response.content)
    text = repr(sheets)
    for expected in ("Dedi Hidayat", "Ibu Dedi", "Catatan kunjungan rumah", "081234567890",
                     client.nik):  # fmt: skip
        assert expected in text
    assert "Orang Lain Sama Sekali" not in text and stranger.reference not in text
    # the summary counts each sheet's rows
    summary = dict(row[:2] for row in sheets[next(iter(sheets))] if row and len(row) > 1)
    for title, rows in sheets.items():
        if title in summary:
            assert summary[title] == len(rows) - 1
    assert len(sheets) >= 8  # client, family, consent, withdrawal, case, events, notes, screening…
    event = AuditEvent.objects.get(action=AuditEvent.Action.EXPORT, object_id=str(client.pk))
    assert event.summary.startswith("access request")


def test_the_access_request_export_is_refused_outside_the_area_and_to_readers(
    cast, make_client, browse
):
    client = make_client()
    url = reverse("cases:personal-data", args=[client.pk])
    assert browse("outsider").get(url).status_code == 404
    assert browse("viewer").get(url).status_code in (403, 404)
    assert (
        api_as(cast.outsider).get(f"/api/v1/clients/{client.pk}/personal-data/").status_code == 404
    )
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT).exists()


def test_the_api_gives_the_access_request_export(cast, make_client):
    client = make_client(full_name="Dedi Hidayat")
    response = api_as(cast.caseworker).get(f"/api/v1/clients/{client.pk}/personal-data/")
    assert response.status_code == 200
    assert "Dedi Hidayat" in repr(sheets_of(response.content))
