"""The clients, referrals and cases API as its callers see it: status codes, bodies, rows."""

import datetime
import io
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from atensi.audit.models import AuditEvent
from cases import services
from cases.models import Case, CaseEvent, Client, Referral, Stage

from .conftest import (
    OTHER_VILLAGE,
    VILLAGE,
    api_as,
    assert_error_body,
    nik,
    open_case,
    register_client,
    submit_referral,
)

pytestmark = pytest.mark.django_db

CLIENTS = "/api/v1/clients/"
REFERRALS = "/api/v1/referrals/"
CASES = "/api/v1/cases/"


def client_payload(**changes):
    payload = {
        "nik": nik(1),
        "full_name": "Ahmad Fauzi",
        "sex": "L",
        "birth_date": "1990-01-01",
        "address": "Jl. Merdeka No. 5",
        "village": VILLAGE,
        "substances": ["sabu"],
    }
    return payload | changes


def consent_payload(**changes):
    payload = {
        "given_by": "client",
        "basis": "consent",
        "purposes": ["assessment", "rehabilitation"],
        "date": "2025-01-06",
    }
    return payload | changes


def referral_payload(**changes):
    payload = {
        "source": "bnnk",
        "referring_officer": "AKP Suryadi",
        "referral_date": "2025-01-06",
        "full_name": "Rudi Hartono",
        "sex": "L",
        "region": VILLAGE,
        "reason": "Asesmen terpadu: rawat jalan",
    }
    return payload | changes


def views_of(obj) -> int:
    return AuditEvent.objects.filter(
        action=AuditEvent.Action.VIEW, object_id=str(obj.pk), object_type=obj._meta.model_name
    ).count()


# --- clients ---------------------------------------------------------------------------


def test_caseworker_registers_a_client(cast):
    response = api_as(cast.caseworker).post(CLIENTS, client_payload(), format="json")

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["nik"] == nik(1)
    client = Client.objects.get(pk=body["id"])
    assert (client.full_name, client.village_id, client.registered_by) == (
        "Ahmad Fauzi", VILLAGE, cast.dinsos,
    )  # fmt: skip


def test_registering_a_nik_that_is_already_registered_is_a_conflict_on_the_nik(cast):
    register_client(cast.caseworker, 1)

    response = api_as(cast.caseworker).post(
        CLIENTS, client_payload(full_name="Orang Lain"), format="json"
    )

    error = assert_error_body(response, 409)
    assert error["code"] == "conflict"
    assert list(error["fields"]) == ["nik"]


def test_malformed_nik_is_refused_with_the_indonesian_message(cast):
    response = api_as(cast.caseworker).post(CLIENTS, client_payload(nik="16020501"), format="json")

    error = assert_error_body(response, 400)
    expected = "NIK harus terdiri dari tepat 16 digit; yang diisi 8 digit."
    assert error["fields"] == {"nik": [expected]}
    assert error["message"] == expected


def test_birth_date_in_the_future_is_refused(cast):
    tomorrow = datetime.date.today() + datetime.timedelta(days=2)

    response = api_as(cast.caseworker).post(
        CLIENTS, client_payload(birth_date=tomorrow.isoformat()), format="json"
    )

    assert list(assert_error_body(response, 400)["fields"]) == ["birth_date"]
    assert not Client.objects.exists()


def test_village_outside_the_service_area_is_refused(cast):
    response = api_as(cast.caseworker).post(
        CLIENTS, client_payload(village=OTHER_VILLAGE), format="json"
    )

    assert list(assert_error_body(response, 400)["fields"]) == ["village"]


def test_probable_duplicate_is_registered_only_when_confirmed(cast):
    register_client(cast.caseworker, 1, name="Ahmad Fauzi")
    api = api_as(cast.caseworker)

    refused = api.post(CLIENTS, client_payload(nik=nik(2)), format="json")
    confirmed = api.post(
        CLIENTS, client_payload(nik=nik(2), allow_probable_duplicate=True), format="json"
    )

    assert assert_error_body(refused, 400)["code"] == "probable_duplicate"
    assert confirmed.status_code == 201, confirmed.content


def test_client_list_shows_only_the_masked_nik(cast):
    register_client(cast.caseworker, 1)

    response = api_as(cast.caseworker).get(CLIENTS)

    assert response.status_code == 200
    [row] = response.json()["results"]
    assert "nik" not in row
    assert row["nik_masked"] == "1602**********01"
    assert nik(1) not in response.content.decode()


def test_client_retrieve_shows_the_full_nik_and_is_audited(cast):
    client = register_client(cast.caseworker, 1)

    response = api_as(cast.caseworker).get(f"{CLIENTS}{client.pk}/")

    assert response.status_code == 200
    assert response.json()["nik"] == nik(1)
    assert views_of(client) == 1
    event = AuditEvent.objects.get(action=AuditEvent.Action.VIEW, object_id=str(client.pk))
    assert (event.actor, event.channel) == (cast.caseworker, "api")


def test_client_details_are_changed_through_a_partial_update(cast):
    client = register_client(cast.caseworker, 1)

    response = api_as(cast.caseworker).patch(
        f"{CLIENTS}{client.pk}/", {"phone": "081234567890", "nik": "9999"}, format="json"
    )

    assert response.status_code == 200, response.content
    client.refresh_from_db()
    assert (client.phone, client.nik) == ("081234567890", nik(1))


def test_admin_reads_a_client_without_the_full_nik(cast):
    client = register_client(cast.caseworker, 1)

    body = api_as(cast.admin).get(f"{CLIENTS}{client.pk}/").json()

    assert (body["nik"], body["nik_masked"]) == (None, "1602**********01")
    assert views_of(client) == 1


def test_client_list_is_empty_for_a_viewer(cast):
    register_client(cast.caseworker, 1)

    response = api_as(cast.viewer).get(CLIENTS)

    assert response.status_code == 200
    assert response.json()["count"] == 0


def test_viewer_cannot_register_a_client(cast):
    response = api_as(cast.viewer).post(CLIENTS, client_payload(), format="json")

    assert assert_error_body(response, 403)["code"] == "permission_denied"


def test_outsider_gets_404_for_a_client_in_another_area(cast):
    client = register_client(cast.caseworker, 1)
    api = api_as(cast.outsider)

    assert_error_body(api.get(f"{CLIENTS}{client.pk}/"), 404)
    assert_error_body(api.get(f"{CLIENTS}{client.pk}/family/"), 404)
    assert_error_body(api.post(f"{CLIENTS}{client.pk}/consents/", consent_payload()), 404)
    assert views_of(client) == 0


def test_family_members_are_added_and_listed_with_a_masked_nik(cast):
    client = register_client(cast.caseworker, 1)
    api = api_as(cast.caseworker)
    mother = {"relation": "ibu", "full_name": "Aminah", "nik": nik(7, female=True)}

    added = api.post(f"{CLIENTS}{client.pk}/family/", mother, format="json")
    listed = api.get(f"{CLIENTS}{client.pk}/family/")

    assert added.status_code == 201, added.content
    [row] = listed.json()["results"]
    assert (row["full_name"], row["nik_masked"]) == ("Aminah", "1602**********07")
    assert nik(7, female=True) not in listed.content.decode()


def test_consent_is_recorded_and_listed(cast):
    client = register_client(cast.caseworker, 1, consent=False)
    api = api_as(cast.caseworker)

    added = api.post(f"{CLIENTS}{client.pk}/consents/", consent_payload(), format="json")
    no_purpose = api.post(
        f"{CLIENTS}{client.pk}/consents/", consent_payload(purposes=[]), format="json"
    )
    listed = api.get(f"{CLIENTS}{client.pk}/consents/")

    assert added.status_code == 201, added.content
    assert list(assert_error_body(no_purpose, 400)["fields"]) == ["purposes"]
    assert [c["basis"] for c in listed.json()["results"]] == ["consent"]


# --- referrals -------------------------------------------------------------------------


def test_referral_without_nik_is_accepted_and_flagged(cast):
    response = api_as(cast.referrer).post(REFERRALS, referral_payload(), format="json")

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["nik_missing"] is True
    assert (body["status"], body["referring_org"]) == ("submitted", cast.bnnk.pk)


def test_referral_is_submitted_as_multipart_with_an_attachment(cast, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    image = io.BytesIO()
    Image.new("RGB", (8, 8), "white").save(image, "PNG")
    upload = SimpleUploadedFile("surat.png", image.getvalue(), content_type="image/png")

    response = api_as(cast.referrer).post(
        REFERRALS, referral_payload(attachments=[upload], substances=["sabu", "ganja"])
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert [(a["original_name"], a["content_type"]) for a in body["attachments"]] == [
        ("surat.png", "image/png")
    ]
    assert body["substances"] == ["sabu", "ganja"]


def test_referrer_sees_only_their_organisations_referrals(cast):
    own = submit_referral(cast.referrer)
    submit_referral(cast.caseworker, name="Rujukan Dinsos")

    referrer_rows = api_as(cast.referrer).get(REFERRALS).json()["results"]
    caseworker_rows = api_as(cast.caseworker).get(REFERRALS).json()["results"]

    assert [r["id"] for r in referrer_rows] == [str(own.pk)]
    assert len(caseworker_rows) == 2


def test_referrer_can_neither_list_nor_open_clients_and_cases(cast):
    client = register_client(cast.caseworker, 1)
    case = open_case(cast.caseworker, client)
    api = api_as(cast.referrer)

    assert api.get(CLIENTS).json()["count"] == 0
    assert api.get(CASES).json()["count"] == 0
    assert_error_body(api.get(f"{CLIENTS}{client.pk}/"), 404)
    assert_error_body(api.get(f"{CASES}{case.pk}/"), 404)


def test_outsider_gets_404_for_a_referral_in_another_area(cast):
    referral = submit_referral(cast.referrer)

    response = api_as(cast.outsider).get(f"{REFERRALS}{referral.pk}/")

    assert_error_body(response, 404)


def test_referral_retrieve_is_audited_and_list_is_not(cast):
    referral = submit_referral(cast.referrer, nik=nik(3))
    api = api_as(cast.caseworker)

    listed = api.get(REFERRALS)
    assert views_of(referral) == 0
    retrieved = api.get(f"{REFERRALS}{referral.pk}/")

    assert views_of(referral) == 1
    assert "nik" not in listed.json()["results"][0]  # the list row carries the masked NIK only
    assert retrieved.json()["nik"] == nik(3)


def test_accepting_with_a_new_client_and_consent_opens_a_case(cast):
    referral = submit_referral(cast.referrer, nik=nik(4))

    response = api_as(cast.caseworker).post(
        f"{REFERRALS}{referral.pk}/accept/",
        {"new_client": client_payload(nik=nik(4)), "consent": consent_payload()},
        format="json",
    )

    assert response.status_code == 200, response.content
    client = Client.objects.get(nik=nik(4))
    case = Case.objects.get(client=client)
    assert (case.referral, case.stage, case.assigned_to) == (
        referral,
        Stage.INTAKE,
        cast.caseworker,
    )
    assert client.consents.count() == 1
    body = response.json()
    assert (body["status"], body["client"], body["case"]) == (
        "accepted", str(client.pk), str(case.pk),
    )  # fmt: skip


def test_accepting_a_new_client_without_consent_leaves_nothing_behind(cast):
    referral = submit_referral(cast.referrer, nik=nik(4))

    response = api_as(cast.caseworker).post(
        f"{REFERRALS}{referral.pk}/accept/",
        {"new_client": client_payload(nik=nik(4))},
        format="json",
    )

    assert list(assert_error_body(response, 400)["fields"]) == ["consent"]
    assert not Client.objects.exists()
    assert not Case.objects.exists()
    referral.refresh_from_db()
    assert referral.status == Referral.Status.SUBMITTED


def test_a_new_clients_field_errors_point_into_new_client(cast):
    referral = submit_referral(cast.referrer)

    response = api_as(cast.caseworker).post(
        f"{REFERRALS}{referral.pk}/accept/",
        {"new_client": client_payload(village=OTHER_VILLAGE), "consent": consent_payload()},
        format="json",
    )

    assert list(assert_error_body(response, 400)["fields"]) == ["new_client.village"]


def test_accepting_with_an_existing_client_opens_a_case(cast):
    client = register_client(cast.caseworker, 5)
    referral = submit_referral(cast.referrer, nik=nik(5))

    response = api_as(cast.caseworker).post(
        f"{REFERRALS}{referral.pk}/accept/", {"client": str(client.pk)}, format="json"
    )

    assert response.status_code == 200, response.content
    assert Case.objects.filter(client=client, referral=referral).exists()


def test_accepting_with_a_client_outside_the_area_is_refused(cast):
    elsewhere = register_client(cast.outsider, 6, village=OTHER_VILLAGE, district="160305")
    referral = submit_referral(cast.referrer)

    response = api_as(cast.caseworker).post(
        f"{REFERRALS}{referral.pk}/accept/", {"client": str(elsewhere.pk)}, format="json"
    )

    assert list(assert_error_body(response, 400)["fields"]) == ["client"]


def test_referrer_sees_the_decision_but_not_the_client_or_case(cast):
    client = register_client(cast.caseworker, 5)
    referral = submit_referral(cast.referrer, nik=nik(5))
    services.referral_accept(referral=referral, by=cast.caseworker, client=client)

    body = api_as(cast.referrer).get(f"{REFERRALS}{referral.pk}/").json()

    assert body["status"] == "accepted"
    assert body["decided_at"] is not None
    assert (body["client"], body["case"], body["decided_by"]) == (None, None, None)
    assert "stage" not in body
    assert str(client.pk) not in str(body)


def test_referrer_cannot_accept_referrals(cast):
    referral = submit_referral(cast.referrer)

    response = api_as(cast.referrer).post(
        f"{REFERRALS}{referral.pk}/accept/",
        {"new_client": client_payload(), "consent": consent_payload()},
        format="json",
    )

    assert_error_body(response, 403)
    assert not Client.objects.exists()


def test_declining_needs_a_reason_and_records_it(cast):
    referral = submit_referral(cast.referrer)
    api = api_as(cast.caseworker)
    url = f"{REFERRALS}{referral.pk}/decline/"

    without = api.post(url, {"reason": " "}, format="json")
    declined = api.post(url, {"reason": "Domisili di luar kabupaten"}, format="json")
    again = api.post(url, {"reason": "Lagi"}, format="json")

    assert list(assert_error_body(without, 400)["fields"]) == ["reason"]
    assert declined.status_code == 200, declined.content
    assert (declined.json()["status"], declined.json()["decline_reason"]) == (
        "declined", "Domisili di luar kabupaten",
    )  # fmt: skip
    assert assert_error_body(again, 409)["code"] == "conflict"


def test_marking_a_duplicate_links_the_original(cast):
    original = submit_referral(cast.referrer)
    copy = submit_referral(cast.caseworker)

    response = api_as(cast.caseworker).post(
        f"{REFERRALS}{copy.pk}/mark-duplicate/", {"original": str(original.pk)}, format="json"
    )

    assert response.status_code == 200, response.content
    assert (response.json()["status"], response.json()["duplicate_of"]) == (
        "duplicate", str(original.pk),
    )  # fmt: skip
    copy.refresh_from_db()
    assert copy.duplicate_of == original


def test_a_duplicate_cannot_point_at_a_referral_outside_the_area(cast):
    elsewhere = submit_referral(cast.outsider, region=OTHER_VILLAGE)
    copy = submit_referral(cast.caseworker)

    response = api_as(cast.caseworker).post(
        f"{REFERRALS}{copy.pk}/mark-duplicate/", {"original": str(elsewhere.pk)}, format="json"
    )

    assert list(assert_error_body(response, 400)["fields"]) == ["original"]
    copy.refresh_from_db()
    assert copy.status == Referral.Status.SUBMITTED


# --- cases -----------------------------------------------------------------------------


@pytest.fixture
def case(cast):
    return open_case(
        cast.caseworker, register_client(cast.caseworker, 1), assigned_to=cast.caseworker
    )


def test_case_list_shows_the_client_with_a_masked_nik(cast, case):
    [row] = api_as(cast.caseworker).get(CASES).json()["results"]

    assert (row["client"], row["client_name"], row["client_nik_masked"]) == (
        str(case.client_id), "Klien Uji 1", "1602**********01",
    )  # fmt: skip
    assert (row["stage"], row["assigned_to"]) == ("intake", cast.caseworker.pk)


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ({"stage": "open"}, True),
        ({"stage": "intake"}, True),
        ({"stage": "closed"}, False),
        ({"mine": "1"}, True),
    ],
)
def test_case_list_filters(cast, case, query, found):
    response = api_as(cast.caseworker).get(CASES, query)

    assert response.status_code == 200
    assert response.json()["count"] == (1 if found else 0)


@pytest.mark.parametrize(("term", "found"), [("Klien Uji", True), ("Tidak Ada", False)])
def test_case_search_takes_the_term_in_the_body(cast, case, term, found):
    response = api_as(cast.caseworker).post(f"{CASES}search/", {"q": term, "stage": "open"})

    assert response.status_code == 200
    assert response.json()["count"] == (1 if found else 0)


@pytest.mark.parametrize("url", [CASES, CLIENTS, REFERRALS])
def test_a_search_term_in_the_url_is_refused(cast, url):
    response = api_as(cast.caseworker).get(url, {"q": "1602"})

    assert response.status_code == 400
    assert "q" in response.json()["error"]["fields"]


def test_client_search_by_nik_digits_finds_the_client(cast, case):
    response = api_as(cast.caseworker).post(f"{CLIENTS}search/", {"q": case.client.nik})

    assert [row["id"] for row in response.json()["results"]] == [str(case.client_id)]


def test_case_list_of_mine_leaves_out_other_caseworkers_cases(cast, case):
    assert api_as(cast.caseworker2).get(CASES, {"mine": "1"}).json()["count"] == 0


def test_case_list_refuses_an_unknown_stage(cast):
    response = api_as(cast.caseworker).get(CASES, {"stage": "limbo"})

    assert list(assert_error_body(response, 400)["fields"]) == ["stage"]


def test_case_retrieve_is_audited(cast, case):
    response = api_as(cast.supervisor).get(f"{CASES}{case.pk}/")

    assert response.status_code == 200
    assert response.json()["allowed_transitions"] == ["assessment", "referred_out"]
    assert views_of(case) == 1


def test_outsider_gets_404_for_a_case_in_another_area(cast, case):
    api = api_as(cast.outsider)

    assert_error_body(api.get(f"{CASES}{case.pk}/"), 404)
    assert_error_body(api.get(f"{CASES}{case.pk}/timeline/"), 404)
    response = api.post(
        f"{CASES}{case.pk}/transition/", {"to_stage": "assessment", "reason": "x"}, format="json"
    )
    assert_error_body(response, 404)


def test_case_moves_from_intake_to_assessment(cast, case):
    response = api_as(cast.caseworker).post(
        f"{CASES}{case.pk}/transition/",
        {"to_stage": "assessment", "reason": "Pendekatan awal selesai",
         "next_action_due": "2030-02-01"},
        format="json",
    )  # fmt: skip

    assert response.status_code == 200, response.content
    assert response.json()["stage"] == "assessment"
    case.refresh_from_db()
    assert (case.stage, case.next_action_due) == (Stage.ASSESSMENT, datetime.date(2030, 2, 1))
    assert case.events.filter(verb=CaseEvent.Verb.STAGE, to_stage=Stage.ASSESSMENT).exists()


def test_case_cannot_skip_from_intake_to_planning(cast, case):
    response = api_as(cast.caseworker).post(
        f"{CASES}{case.pk}/transition/", {"to_stage": "planning", "reason": "Lompat"}, format="json"
    )

    error = assert_error_body(response, 409)
    assert list(error["fields"]) == ["to_stage"]
    case.refresh_from_db()
    assert case.stage == Stage.INTAKE


def test_supervisor_assigns_a_case_to_a_caseworker_of_the_organisation(cast, case):
    response = api_as(cast.supervisor).post(
        f"{CASES}{case.pk}/assign/", {"assignee": cast.caseworker2.pk}, format="json"
    )

    assert response.status_code == 200, response.content
    assert response.json()["assigned_to"] == cast.caseworker2.pk
    case.refresh_from_db()
    assert case.assigned_to == cast.caseworker2


@pytest.mark.parametrize("who", ["outsider", "viewer"])
def test_a_case_is_assigned_only_to_a_caseworker_of_the_organisation(cast, case, who):
    response = api_as(cast.supervisor).post(
        f"{CASES}{case.pk}/assign/", {"assignee": getattr(cast, who).pk}, format="json"
    )

    assert list(assert_error_body(response, 400)["fields"]) == ["assignee"]


def test_caseworker_cannot_assign_cases(cast, case):
    response = api_as(cast.caseworker).post(
        f"{CASES}{case.pk}/assign/", {"assignee": cast.caseworker2.pk}, format="json"
    )

    assert_error_body(response, 403)


def test_case_notes_are_added_listed_and_on_the_timeline(cast, case):
    api = api_as(cast.caseworker)

    added = api.post(f"{CASES}{case.pk}/notes/", {"text": "Kunjungan rumah"}, format="json")
    empty = api.post(f"{CASES}{case.pk}/notes/", {"text": "  "}, format="json")
    notes = api.get(f"{CASES}{case.pk}/notes/").json()["results"]
    timeline = api.get(f"{CASES}{case.pk}/timeline/").json()["results"]

    assert added.status_code == 201, added.content
    assert list(assert_error_body(empty, 400)["fields"]) == ["text"]
    assert [(n["text"], n["author"]) for n in notes] == [("Kunjungan rumah", cast.caseworker.pk)]
    assert [e["verb"] for e in timeline] == ["opened", "note"]


# --- across endpoints ------------------------------------------------------------------


def _rows(cast, count: int) -> None:
    """`count` clients, each referred, accepted and so with an open case."""
    for serial in range(1, count + 1):
        client = register_client(cast.caseworker, serial)
        referral = submit_referral(cast.referrer, nik=nik(serial), name=client.full_name)
        services.referral_accept(referral=referral, by=cast.caseworker, client=client)


@pytest.mark.parametrize("count", [3, 30])
@pytest.mark.parametrize("path", [CLIENTS, REFERRALS, CASES])
def test_list_query_count_does_not_grow_with_rows(cast, path, count, django_assert_max_num_queries):
    _rows(cast, count)
    api = api_as(cast.caseworker)

    with django_assert_max_num_queries(4):
        response = api.get(path, {"page_size": 50})

    assert response.json()["count"] == count


@pytest.mark.parametrize("path", [CLIENTS, REFERRALS, CASES])
@pytest.mark.parametrize("pk", [uuid.uuid4(), "not-a-uuid", "1"])
def test_a_forged_id_is_not_found(cast, path, pk):
    assert_error_body(api_as(cast.caseworker).get(f"{path}{pk}/"), 404)


def test_error_bodies_share_one_shape(cast):
    api = api_as(cast.caseworker)

    invalid = assert_error_body(api.post(CLIENTS, {"nik": nik(1)}, format="json"), 400)
    denied = assert_error_body(
        api_as(cast.referrer).post(CLIENTS, client_payload(), format="json"), 403
    )
    missing = assert_error_body(api.get(f"{CASES}{uuid.uuid4()}/"), 404)

    assert invalid["code"] == "invalid"
    assert {"full_name", "sex", "birth_date", "address", "village"} <= set(invalid["fields"])
    assert (denied["code"], denied["fields"]) == ("permission_denied", {})
    assert (missing["code"], missing["fields"]) == ("not_found", {})
    assert all(e["message"] for e in (invalid, denied, missing))


def test_unauthenticated_callers_get_the_error_body(cast):
    error = assert_error_body(api_as(None).get(CLIENTS), 401)

    assert error["code"] == "not_authenticated"
