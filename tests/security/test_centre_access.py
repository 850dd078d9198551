"""Issue 12 item 3: a centre works only on the clients handed to it.

Writes to a client belong to the organisation that registered it, holds its open case, or
received its case by referral; opening a case on another agency's client needs that
referral. Centre staff (a Sentra over whole provinces) read only the clients whose case they
hold or received; other clients of their area are not found. Dinsos staff keep their area.
Also item 7's two API schema points: the timeline's stages and the search endpoints.
"""

import datetime
import io

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.test import Client as Browser
from django.urls import reverse
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from assessments import assist
from assessments.models import Screening
from assessments.services.screening import screening_record
from atensi.accounts.models import User
from cases import services
from cases.models import Case, CaseEvent, Client, Consent, FamilyMember, Stage
from cases.selectors import client_list
from tests.conftest import OKI_VILLAGE_2, shown

pytestmark = pytest.mark.django_db

ALCOHOL_LOW = {"q1": True, "q2": "once_twice", "q3": "never", "q4": "never", "q5": "never",
               "q6": "never", "q7": "never"}  # fmt: skip
ANSWERS = {s.code: ALCOHOL_LOW if s.code == "alcohol" else {"q1": False} for s in assist.SUBSTANCES}
CONSENT_BODY = {"given_by": "client", "basis": "consent", "purposes": ["aid"], "date": "2026-01-15"}


def api_as(user) -> APIClient:
    api = APIClient()
    api.force_authenticate(user)
    return api


def browser_for(user) -> Browser:
    browser = Browser()
    browser.force_login(user)
    return browser


@pytest.fixture
def dinsos_client(make_client):
    """A client Dinsos OKI registered, with consent, and no case referred anywhere."""
    return make_client(serial=1)


@pytest.fixture
def dinsos_case(make_case, dinsos_client):
    return make_case(client=dinsos_client)


def refer_to_centre(case, cast):
    return services.case_transition(
        case=case, by=cast.caseworker, to_stage=Stage.REFERRED_OUT,
        reason="Perlu rehabilitasi residensial", referred_to_org=cast.sentra,
    )  # fmt: skip


def client_row(client):
    return Client.objects.filter(pk=client.pk).values().get()


# --- writes: refused, database unchanged ------------------------------------------------


def test_centre_patch_of_a_dinsos_client_is_refused_and_changes_nothing(cast, dinsos_case):
    client = dinsos_case.client
    before = client_row(client)

    response = api_as(cast.centre).patch(
        f"/api/v1/clients/{client.pk}/", {"phone": "081200000000"}, format="json"
    )

    assert response.status_code == 404
    assert client_row(client) == before


def test_centre_cannot_add_family_or_record_consent_through_the_api(cast, dinsos_client):
    family = api_as(cast.centre).post(
        f"/api/v1/clients/{dinsos_client.pk}/family/",
        {"relation": "ibu", "full_name": "Ibu Klien"},
        format="json",
    )
    consent = api_as(cast.centre).post(
        f"/api/v1/clients/{dinsos_client.pk}/consents/", CONSENT_BODY, format="json"
    )

    assert (family.status_code, consent.status_code) == (404, 404)
    assert FamilyMember.objects.count() == 0
    assert Consent.objects.filter(client=dinsos_client).count() == 1


def test_centre_cannot_add_family_or_record_consent_through_the_pages(cast, dinsos_client):
    browser = browser_for(cast.centre)
    family = browser.post(
        reverse("cases:family-add", args=[dinsos_client.pk]),
        {"relation": "ibu", "full_name": "Ibu Klien"},
    )
    consent = browser.post(
        reverse("cases:consent-add", args=[dinsos_client.pk]),
        {"basis": "consent", "given_by": "client", "purposes": ["aid"], "date": "2026-01-15"},
    )
    edit = browser.post(
        reverse("cases:client-edit", args=[dinsos_client.pk]),
        {"full_name": "Nama Lain", "sex": "L", "birth_date": "1990-01-01", "address": "X",
         "village": dinsos_client.village_id},
    )  # fmt: skip

    assert (family.status_code, consent.status_code, edit.status_code) == (404, 404, 404)
    assert FamilyMember.objects.count() == 0
    assert Consent.objects.filter(client=dinsos_client).count() == 1
    assert Client.objects.get(pk=dinsos_client.pk).full_name == dinsos_client.full_name


def test_centre_empty_post_to_open_a_case_on_a_dinsos_client_opens_nothing(cast, dinsos_client):
    response = browser_for(cast.centre).post(reverse("cases:case-open", args=[dinsos_client.pk]))
    api = api_as(cast.centre).post("/api/v1/cases/", {"client": str(dinsos_client.pk)})

    assert response.status_code == 404
    assert api.status_code == 400
    assert not Case.objects.exists()


def test_the_service_refuses_a_case_on_another_agencys_client_without_a_referral(
    cast, dinsos_client
):
    with pytest.raises(services.ApplicationError) as refused:
        services.case_open(
            client=dinsos_client, by=cast.centre, organisation=cast.sentra, reason="Ingin"
        )

    assert "Dinsos OKI" in refused.value.message
    assert not Case.objects.exists()


def test_dinsos_may_read_but_not_change_a_client_the_centre_registered(cast, make_client):
    theirs = make_client(by=cast.centre, serial=3)
    before = client_row(theirs)
    api = api_as(cast.caseworker)

    read = api.get(f"/api/v1/clients/{theirs.pk}/")
    patch = api.patch(f"/api/v1/clients/{theirs.pk}/", {"phone": "0812"}, format="json")
    family = api.post(
        f"/api/v1/clients/{theirs.pk}/family/", {"relation": "ibu", "full_name": "Ibu"}
    )
    page = browser_for(cast.caseworker).get(reverse("cases:client-edit", args=[theirs.pk]))
    opened = browser_for(cast.caseworker).post(reverse("cases:case-open", args=[theirs.pk]))

    assert read.status_code == 200
    assert (patch.status_code, family.status_code, page.status_code) == (403, 403, 403)
    assert client_row(theirs) == before
    assert FamilyMember.objects.count() == 0
    assert not Case.objects.exists()
    assert opened.status_code == 302


# --- the handover: referred out to the centre, then the centre works --------------------


def test_a_case_referred_out_to_the_centre_names_it_on_the_case(cast, dinsos_case):
    browser = browser_for(cast.caseworker)
    page = browser.get(reverse("cases:case-detail", args=[dinsos_case.pk]))
    assert "Sentra Phalamarta" in page.content.decode()  # offered as a destination

    browser.post(
        reverse("cases:case-transition", args=[dinsos_case.pk]),
        {"to_stage": "referred_out", "reason": "Residensial", "referred_to_org": cast.sentra.pk},
    )

    case = Case.objects.get(pk=dinsos_case.pk)
    assert (case.stage, case.referred_to_org, case.referred_to) == (
        Stage.REFERRED_OUT, cast.sentra, "Sentra Phalamarta",
    )  # fmt: skip


def test_the_api_refers_a_case_out_to_an_organisation_of_the_system(cast, dinsos_case):
    response = api_as(cast.caseworker).post(
        f"/api/v1/cases/{dinsos_case.pk}/transition/",
        {"to_stage": "referred_out", "reason": "Residensial", "referred_to_org": cast.sentra.pk},
        format="json",
    )

    assert response.status_code == 200, response.content
    assert (response.json()["referred_to_org"], response.json()["referred_to"]) == (
        cast.sentra.pk, "Sentra Phalamarta",
    )  # fmt: skip


def test_a_case_cannot_be_referred_to_an_organisation_that_does_not_serve_the_client(
    cast, dinsos_case
):
    response = api_as(cast.caseworker).post(
        f"/api/v1/cases/{dinsos_case.pk}/transition/",
        {"to_stage": "referred_out", "reason": "Pindah", "referred_to_org": cast.other_dinsos.pk},
        format="json",
    )

    assert response.status_code == 400
    assert response.json()["error"]["fields"] == ["referred_to_org"] or "referred_to_org" in str(
        response.json()
    )
    assert Case.objects.get(pk=dinsos_case.pk).stage == Stage.INTAKE


def test_after_the_referral_the_centre_opens_its_case_with_a_reason_and_then_writes(
    cast, dinsos_case
):
    refer_to_centre(dinsos_case, cast)
    client = dinsos_case.client
    browser = browser_for(cast.centre)
    url = reverse("cases:case-open", args=[client.pk])

    detail = browser.get(reverse("cases:client-detail", args=[client.pk]))
    assert detail.status_code == 200
    assert 'name="reason"' in detail.content.decode()

    empty = browser.post(url, follow=True)
    assert not Case.objects.filter(organisation=cast.sentra).exists()
    shown = empty.content.decode()
    assert "Sebutkan alasan organisasi Anda mengambil alih klien ini." in shown or (
        "Say why your organisation takes the client over." in shown
    )

    browser.post(url, {"reason": "Rujukan Dinsos OKI diterima untuk residensial"})
    case = Case.objects.get(organisation=cast.sentra)
    opened = case.events.get(verb=CaseEvent.Verb.OPENED)
    assert "Rujukan Dinsos OKI diterima untuk residensial" in opened.description
    assert dinsos_case.reference in opened.description

    patch = api_as(cast.centre).patch(
        f"/api/v1/clients/{client.pk}/", {"phone": "081299999999"}, format="json"
    )
    family = api_as(cast.centre).post(
        f"/api/v1/clients/{client.pk}/family/", {"relation": "ibu", "full_name": "Ibu Klien"}
    )
    assert (patch.status_code, family.status_code) == (200, 201)
    assert Client.objects.get(pk=client.pk).phone == "081299999999"


def test_the_api_opens_the_handed_over_case_only_with_a_reason(cast, dinsos_case):
    refer_to_centre(dinsos_case, cast)
    api = api_as(cast.centre)

    without = api.post("/api/v1/cases/", {"client": str(dinsos_case.client.pk)}, format="json")
    with_reason = api.post(
        "/api/v1/cases/",
        {"client": str(dinsos_case.client.pk), "reason": "Serah terima residensial"},
        format="json",
    )

    assert without.status_code == 400
    assert with_reason.status_code == 201, with_reason.content
    assert Case.objects.filter(organisation=cast.sentra).count() == 1


def test_the_centre_opens_a_case_on_a_client_it_registered_itself(cast, make_client):
    mine = make_client(by=cast.centre, serial=4)

    response = browser_for(cast.centre).post(reverse("cases:case-open", args=[mine.pk]))

    assert response.status_code == 302
    assert Case.objects.get(client=mine).organisation == cast.sentra


def test_accepting_a_referral_still_opens_a_case_on_a_client_another_agency_registered(
    cast, make_client, make_referral
):
    theirs = make_client(by=cast.centre, serial=5)
    referral = make_referral(nik=theirs.nik)

    case = services.referral_accept(referral=referral, by=cast.caseworker, client=theirs)

    assert (case.organisation, case.client) == (cast.dinsos, theirs)


# --- reads: centre staff see the clients handed to them only -----------------------------


def test_centre_reads_nothing_of_a_client_not_referred_to_it(cast, dinsos_case):
    client = dinsos_case.client
    screening = screening_record(
        client=client, by=cast.caseworker, screened_on=datetime.date(2026, 1, 20),
        answers=ANSWERS, injection="never",
    )  # fmt: skip
    api = api_as(cast.centre)
    browser = browser_for(cast.centre)

    assert api.get("/api/v1/clients/").json()["count"] == 0
    assert api.get("/api/v1/cases/").json()["count"] == 0
    assert api.get("/api/v1/screenings/").json()["count"] == 0
    assert api.post("/api/v1/clients/search/", {"q": "Klien"}).json()["count"] == 0
    assert api.get(f"/api/v1/clients/{client.pk}/").status_code == 404
    assert api.get(f"/api/v1/cases/{dinsos_case.pk}/").status_code == 404
    assert api.get(f"/api/v1/screenings/{screening.pk}/").status_code == 404
    assert browser.get(reverse("cases:client-detail", args=[client.pk])).status_code == 404
    assert browser.get(reverse("cases:case-detail", args=[dinsos_case.pk])).status_code == 404
    assert (
        browser.get(reverse("assessments:client-screenings", args=[client.pk])).status_code == 404
    )
    assert (
        browser.get(reverse("assessments:screening-detail", args=[screening.pk])).status_code == 404
    )
    assert client.full_name not in browser.get(reverse("cases:client-list")).content.decode()
    assert dinsos_case.reference not in browser.get(reverse("cases:case-list")).content.decode()


def test_once_referred_the_centre_reads_the_client_and_its_screening(cast, dinsos_case):
    screening = screening_record(
        client=dinsos_case.client, by=cast.caseworker, screened_on=datetime.date(2026, 1, 20),
        answers=ANSWERS, injection="never",
    )  # fmt: skip
    refer_to_centre(dinsos_case, cast)
    api = api_as(cast.centre)

    assert api.get("/api/v1/clients/").json()["count"] == 1
    assert api.get(f"/api/v1/clients/{dinsos_case.client.pk}/").status_code == 200
    assert api.get(f"/api/v1/screenings/{screening.pk}/").status_code == 200
    assert Screening.objects.count() == 1


def test_centre_may_not_screen_a_dinsos_client_outside_any_case(cast, dinsos_client):
    response = browser_for(cast.centre).get(
        reverse("assessments:client-screening-create", args=[dinsos_client.pk])
    )

    assert response.status_code == 404
    assert not Screening.objects.exists()


def test_the_dinsos_supervisor_is_unaffected(cast, dinsos_case, make_client):
    centre_client = make_client(by=cast.centre, serial=6, village=OKI_VILLAGE_2)
    api = api_as(cast.supervisor)

    assert api.get("/api/v1/clients/").json()["count"] == 2
    assert api.get("/api/v1/cases/").json()["count"] == 1
    assert api.get(f"/api/v1/clients/{centre_client.pk}/").status_code == 200
    patch = api.patch(
        f"/api/v1/clients/{dinsos_case.client.pk}/", {"phone": "0812345"}, format="json"
    )
    assert patch.status_code == 200
    assert Client.objects.get(pk=dinsos_case.client.pk).phone == "0812345"


# --- item 7: the schema tells the truth --------------------------------------------------


@pytest.fixture(scope="module")
def schema():
    return SchemaGenerator().get_schema(request=None, public=True)


def _resolve(schema, ref_or_schema):
    if "$ref" in ref_or_schema:
        return schema["components"]["schemas"][ref_or_schema["$ref"].split("/")[-1]]
    return ref_or_schema


def test_the_timeline_stages_match_their_schema(cast, dinsos_case, schema):
    response = api_as(cast.caseworker).get(f"/api/v1/cases/{dinsos_case.pk}/timeline/")
    event = schema["components"]["schemas"]["CaseEvent"]["properties"]

    opened = response.json()["results"][0]
    assert opened["verb"] == "opened"
    assert opened["from_stage"] is None
    assert opened["to_stage"] == "intake"
    for name in ("from_stage", "to_stage"):
        field = event[name]
        assert field.get("nullable") is True
        values = [
            value
            for part in field.get("oneOf", field.get("allOf", [field]))
            for value in _resolve(schema, part).get("enum", [])
        ]
        assert "intake" in values
        assert "" not in values


@pytest.mark.parametrize(
    ("path", "row"),
    [
        ("/api/v1/clients/search/", "ClientList"),
        ("/api/v1/referrals/search/", "ReferralList"),
        ("/api/v1/cases/search/", "Case"),
    ],
)
def test_the_search_endpoints_are_documented_as_the_paginated_list(
    cast, dinsos_case, schema, path, row
):
    body = schema["paths"][path]["post"]["responses"]["200"]["content"]["application/json"]
    page = _resolve(schema, body["schema"])
    assert page["properties"]["results"]["items"]["$ref"].endswith(f"/{row}")
    assert "count" in page["properties"]

    response = api_as(cast.supervisor).post(path, {"q": ""}, format="json")
    assert response.status_code == 200
    listed = schema["components"]["schemas"][row]["properties"]
    for result in response.json()["results"]:
        assert set(result) == set(listed)


def test_a_screening_outside_any_case_is_recorded_only_by_the_clients_own_organisation(
    cast, make_client
):
    theirs = make_client(by=cast.centre, serial=7)

    with pytest.raises(PermissionDenied):
        screening_record(
            client=theirs, by=cast.caseworker, screened_on=datetime.date(2026, 1, 20),
            answers=ANSWERS, injection="never",
        )  # fmt: skip

    assert not Screening.objects.exists()


def test_the_demo_centre_sees_the_one_client_handed_to_it(db):
    call_command("load_demo", stdout=io.StringIO())
    centre = User.objects.get(username="demo-centre")

    clients = client_list(user=centre)
    assert clients.count() == 1
    assert Case.objects.filter(client=clients.get(), organisation=centre.organisation).exists()


# --- the client page offers only what the user may do -----------------------------------


def test_a_reader_who_may_not_write_is_offered_no_edit_family_or_consent(cast, make_client):
    theirs = make_client(by=cast.centre, serial=8)
    browser = browser_for(cast.caseworker)
    names = ("cases:client-edit", "cases:family-add", "cases:consent-add")

    page = browser.get(reverse("cases:client-detail", args=[theirs.pk]))

    assert page.status_code == 200
    for name in names:
        url = reverse(name, args=[theirs.pk])
        assert url not in page.text
        refused = browser.get(url)
        assert refused.status_code == 403
        assert shown("Not allowed") in refused.text


def test_the_writer_is_offered_edit_family_and_consent(cast, dinsos_client):
    page = browser_for(cast.caseworker).get(reverse("cases:client-detail", args=[dinsos_client.pk]))

    for name in ("cases:client-edit", "cases:family-add", "cases:consent-add"):
        assert reverse(name, args=[dinsos_client.pk]) in page.text


def test_the_take_over_box_marks_the_reason_required_and_says_take_over(cast, dinsos_case):
    refer_to_centre(dinsos_case, cast)

    page = browser_for(cast.centre).get(
        reverse("cases:client-detail", args=[dinsos_case.client.pk])
    )

    assert 'class="form-label required" for="id_reason"' in page.text
    assert shown("Take over the case") in page.text
    assert shown("Open a case") not in page.text


def test_an_empty_take_over_says_the_error_at_the_reason_in_indonesian(cast, dinsos_case):
    refer_to_centre(dinsos_case, cast)
    client = dinsos_case.client

    response = browser_for(cast.centre).post(reverse("cases:case-open", args=[client.pk]))

    assert response.status_code == 200
    error = shown("Say why your organisation takes the client over.")
    assert f'<ul class="errorlist"><li>{error}</li></ul>' in response.text
    assert error == "Sebutkan alasan organisasi Anda mengambil alih klien ini."
    assert response.text.index('id="id_reason"') < response.text.index(error)
    assert not Case.objects.filter(organisation=cast.sentra).exists()
