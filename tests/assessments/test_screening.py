"""ASSIST screenings end to end: the service, the pages, the API, and who may see what."""

import datetime
import uuid

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client as Browser
from django.urls import reverse
from django.utils import timezone, translation
from rest_framework.test import APIClient

from assessments import assist
from assessments.models import Screening, ScreeningSubstance
from assessments.services.screening import screening_record
from atensi.audit.models import AuditEvent
from atensi.errors import ApplicationError
from cases import services as case_services
from cases.models import CaseEvent, Stage
from tests.conftest import OI_VILLAGE, client_kwargs, consent_kwargs, role_matrix

SCREENINGS = "/api/v1/screenings/"

NOT_USED = {"q1": False}
# Sabu weekly, a strong urge weekly, others worried lately: 4 + 5 + 0 + 0 + 6 + 0 = 15.
SABU_MODERATE = {"q1": True, "q2": "weekly", "q3": "weekly", "q4": "never", "q5": "never",
                 "q6": "recent", "q7": "never"}  # fmt: skip
# Beer once or twice lately, nothing else: 2.
ALCOHOL_LOW = {"q1": True, "q2": "once_twice", "q3": "never", "q4": "never", "q5": "never",
               "q6": "never", "q7": "never"}  # fmt: skip
# Heroin daily, with problems: 6 + 6 + 7 + 8 + 6 + 6 = 39.
HEROIN_HIGH = {"q1": True, "q2": "daily", "q3": "daily", "q4": "daily", "q5": "daily",
               "q6": "recent", "q7": "recent"}  # fmt: skip
# Glue once, years ago: Q2 never, so Q3–Q5 are skipped.
GLUE_LONG_AGO = {"q1": True, "q2": "never", "q6": "never", "q7": "never"}


def answers(**used) -> dict:
    return {s.code: used.get(s.code, NOT_USED) for s in assist.SUBSTANCES}


TYPICAL = answers(ats=SABU_MODERATE, alcohol=ALCOHOL_LOW, inhalants=GLUE_LONG_AGO)


@pytest.fixture(autouse=True)
def english():
    """Service messages are asserted on their English source text."""
    with translation.override("en"):
        yield


def today() -> datetime.date:
    return timezone.localdate()


@pytest.fixture
def case(cast, make_case):
    return make_case()


@pytest.fixture
def record(cast):
    def make(client, by=None, **kwargs):
        params = {"screened_on": today(), "answers": TYPICAL, "injection": "never"} | kwargs
        return screening_record(client=client, by=by or cast.caseworker, **params)

    return make


@pytest.fixture
def foreign_client(cast):
    client = case_services.client_register(by=cast.outsider, **client_kwargs(village=OI_VILLAGE))
    case_services.consent_record(client=client, by=cast.outsider, **consent_kwargs())
    return client


def refused(**kwargs) -> ApplicationError:
    with pytest.raises(ApplicationError) as info:
        screening_record(**kwargs)
    return info.value


def nothing_stored():
    assert not Screening.objects.exists()
    assert not ScreeningSubstance.objects.exists()
    assert not CaseEvent.objects.filter(verb=CaseEvent.Verb.SCREENING).exists()
    assert not AuditEvent.objects.filter(object_type="screening").exists()


# --- the service -----------------------------------------------------------------------


def test_recording_a_screening_stores_the_answers_the_scores_and_the_pathway(cast, case, record):
    screening = record(case.client, case=case, notes="  Wawancara di rumah  ")

    assert (screening.client, screening.case, screening.screened_by) == (
        case.client, case, cast.caseworker,
    )  # fmt: skip
    assert (screening.recommendation, screening.injection, screening.notes) == (
        "further", "never", "Wawancara di rumah",
    )  # fmt: skip
    assert screening.answers == TYPICAL
    rows = list(screening.substances.values_list("substance", "score", "risk"))
    assert rows == [("ats", 15, "moderate"), ("alcohol", 2, "low"), ("inhalants", 0, "low")]


def test_a_substance_never_used_gets_no_score_row(case, record):
    screening = record(case.client, case=case)

    assert set(screening.substances.values_list("substance", flat=True)) == {
        "ats", "alcohol", "inhalants",
    }  # fmt: skip


def test_the_screening_is_audited_and_told_on_the_case_timeline(cast, case, record):
    screening = record(case.client, case=case)

    audit = AuditEvent.objects.get(object_type="screening")
    assert (audit.actor, audit.action, audit.object_id) == (
        cast.caseworker, "create", str(screening.pk),
    )  # fmt: skip
    assert case.client.full_name not in audit.summary
    event = case.events.get(verb=CaseEvent.Verb.SCREENING)
    assert event.actor == cast.caseworker
    assert event.description == (
        "Highest risk: Amphetamine-type stimulants (Moderate risk, score 15 of 39). "
        "Recommendation: Further (comprehensive) assessment."
    )


def test_a_screening_without_a_case_is_told_on_each_open_case_of_the_client(
    cast, make_client, record
):
    client = make_client()
    closed = case_services.case_open(client=client, by=cast.caseworker, organisation=cast.dinsos)
    case_services.case_transition(
        case=closed, by=cast.caseworker, to_stage=Stage.REFERRED_OUT, reason="Rujuk",
        referred_to="RSJ",
    )  # fmt: skip
    open_case = case_services.case_open(client=client, by=cast.caseworker, organisation=cast.dinsos)

    record(client, answers=answers())

    assert open_case.events.get(verb="screening").description == (
        "No substance ever used. Recommendation: No intervention needed."
    )
    assert not closed.events.filter(verb="screening").exists()


def test_high_risk_suggests_inpatient_care_and_recent_injection_is_kept(case, record):
    screening = record(case.client, answers=answers(opioids=HEROIN_HIGH), injection="recent")

    assert (screening.recommendation, screening.injection) == ("inpatient", "recent")
    assert list(screening.substances.values_list("score", "risk")) == [(39, "high")]


def test_a_broken_answer_set_is_refused_naming_substance_and_question_and_stores_nothing(
    cast, case
):
    broken = answers(ats=SABU_MODERATE, inhalants=GLUE_LONG_AGO | {"q3": "daily"})

    error = refused(
        client=case.client, case=case, by=cast.caseworker, screened_on=today(), answers=broken,
        injection="never",
    )  # fmt: skip

    assert error.field == "answers"
    assert error.message == (
        "Inhalants, question 3: Not asked: the substance was not used in the past three "
        "months (the answer to question 2 is never)."
    )
    nothing_stored()


def test_an_unknown_injection_answer_is_refused_on_the_injection_field(cast, case):
    error = refused(
        client=case.client, by=cast.caseworker, screened_on=today(), answers=TYPICAL,
        injection="kadang",
    )  # fmt: skip

    assert error.field == "injection"
    assert "Question 8" in error.message
    nothing_stored()


def test_a_future_screening_date_is_refused(cast, case):
    error = refused(
        client=case.client, by=cast.caseworker, answers=TYPICAL, injection="never",
        screened_on=today() + datetime.timedelta(days=1),
    )  # fmt: skip

    assert (error.field, error.message) == ("screened_on", "The screening date lies in the future.")
    nothing_stored()


def test_a_screening_date_before_the_clients_birth_is_refused(cast, case):
    error = refused(
        client=case.client, by=cast.caseworker, answers=TYPICAL, injection="never",
        screened_on=datetime.date(1989, 12, 31),
    )  # fmt: skip

    assert error.field == "screened_on"
    nothing_stored()


def test_the_case_must_belong_to_the_client(cast, case, make_client):
    other = make_client(serial=2)

    error = refused(
        client=other, case=case, by=cast.caseworker, screened_on=today(), answers=TYPICAL,
        injection="never",
    )  # fmt: skip

    assert (error.field, error.message) == ("case", "The case belongs to another client.")
    nothing_stored()


def test_a_closed_case_takes_no_screening(cast, case):
    case_services.case_transition(
        case=case, by=cast.caseworker, to_stage=Stage.REFERRED_OUT, reason="Rujuk",
        referred_to="RSJ",
    )  # fmt: skip
    case.refresh_from_db()

    error = refused(
        client=case.client, case=case, by=cast.caseworker, screened_on=today(), answers=TYPICAL,
        injection="never",
    )  # fmt: skip

    assert (error.field, error.code) == ("case", "conflict")
    nothing_stored()


@pytest.mark.parametrize("role", ["outsider", "referrer", "viewer", "admin"])
def test_only_case_writers_of_the_clients_area_may_record_a_screening(cast, case, role):
    with pytest.raises(PermissionDenied):
        screening_record(
            client=case.client, by=getattr(cast, role), screened_on=today(), answers=TYPICAL,
            injection="never",
        )  # fmt: skip

    nothing_stored()


def test_within_a_case_only_the_holding_organisation_screens(cast, case, record):
    with pytest.raises(PermissionDenied):
        record(case.client, case=case, by=cast.centre)
    nothing_stored()

    # Nor outside a case: the client is not the centre's (issue 12 item 3).
    with pytest.raises(PermissionDenied):
        record(case.client, by=cast.centre)
    nothing_stored()


def test_the_instruments_codes_match_the_stored_choices():
    assert set(assist.RISKS) == set(ScreeningSubstance.Risk.values)
    assert set(assist.RECOMMENDATIONS) == set(Screening.Recommendation.values)
    assert set(assist.INJECTION) == set(Screening.Injection.values)
    assert max(s.max_score for s in assist.SUBSTANCES) == 39  # the score's check constraint


# --- the pages -------------------------------------------------------------------------


def form_data(answer_set=TYPICAL, injection="never", **extra) -> dict:
    data = {"screened_on": today().isoformat(), "notes": ""}
    if injection:
        data["injection"] = injection
    for code, entry in answer_set.items():
        for key, value in entry.items():
            data[f"{code}_{key}"] = ("yes" if value else "no") if key == "q1" else value
    return data | extra


@pytest.fixture
def screened(case, record):
    return record(case.client, case=case)


def page_url(page, case, screening=None) -> str:
    client_pk = case.client.pk
    if page == "screening create":
        return reverse("assessments:screening-create", args=[case.pk])
    if page == "client screening create":
        return reverse("assessments:client-screening-create", args=[client_pk])
    if page == "client screenings":
        return reverse("assessments:client-screenings", args=[client_pk])
    return reverse("assessments:screening-detail", args=[screening.pk])


MATRIX = {
    #                          caseworker supervisor outsider referrer centre viewer admin
    "screening create":        (200, 200, 404, 404, 404, 404, 404),
    "client screening create": (200, 200, 404, 404, 404, 404, 404),
    "client screenings":       (200, 200, 404, 404, 404, 404, 200),
    "screening detail":        (200, 200, 404, 404, 404, 404, 200),
}  # fmt: skip


@pytest.mark.parametrize(
    ("page", "role", "status"),
    role_matrix(MATRIX),
)
def test_page_access_matrix(browse, case, screened, page, role, status):
    response = browse(role).get(page_url(page, case, screened))

    assert response.status_code == status


@pytest.mark.parametrize("page", ["screening create", "client screening create"])
@pytest.mark.parametrize("role", ["outsider", "referrer", "viewer", "admin"])
def test_a_post_by_someone_who_may_not_screen_is_not_found_and_stores_nothing(
    browse, case, page, role
):
    response = browse(role).post(page_url(page, case), form_data())

    assert response.status_code == 404
    nothing_stored()


@pytest.mark.parametrize(
    "name", ["screening-create", "client-screening-create", "client-screenings", "screening-detail"]
)
def test_a_forged_id_is_not_found(browse, screened, name):
    response = browse("caseworker").get(reverse(f"assessments:{name}", args=[uuid.uuid4()]))

    assert response.status_code == 404


def test_the_pages_need_a_login(case):
    response = Browser().get(reverse("assessments:client-screenings", args=[case.client.pk]))

    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


def test_the_form_asks_every_substance_and_loads_the_skip_rules_script(browse, case):
    response = browse("caseworker").get(page_url("screening create", case))

    html = response.text
    assert "js/assist-form.js" in html
    assert "<script>" not in html  # the CSP forbids inline scripts
    for substance in assist.SUBSTANCES:
        assert f'name="{substance.code}_q1"' in html
        assert f'data-assist-substance="{substance.code}"' in html
    assert 'name="tobacco_q5"' not in html
    assert 'name="ats_q5"' in html
    assert "sabu" in html and "putaw" in html and "Lexotan" in html


def test_a_caseworker_fills_in_the_form_and_sees_the_result_card(cast, browse, case):
    caseworker = browse("caseworker")

    response = caseworker.post(
        page_url("screening create", case), form_data(notes="Didampingi ibu")
    )

    screening = Screening.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("assessments:screening-detail", args=[screening.pk])
    assert (screening.case, screening.answers, screening.notes) == (case, TYPICAL, "Didampingi ibu")
    html = caseworker.get(response.url).text
    assert 'data-recommendation="further"' in html
    assert 'data-substance="ats"' in html and 'value="15"' in html
    assert "text-bg-warning" in html  # moderate risk badge
    assert case.events.filter(verb="screening").exists()


def test_a_screening_from_the_client_history_has_no_case(browse, case):
    url = page_url("client screening create", case)

    response = browse("supervisor").post(url, form_data(answers(), injection=""))

    screening = Screening.objects.get()
    assert response.status_code == 302
    assert (screening.case, screening.recommendation, screening.injection) == (
        None,
        "none",
        "never",
    )


def test_an_answer_to_a_skipped_question_is_shown_at_that_question_and_nothing_is_stored(
    browse, case
):
    data = form_data(answers(cannabis=NOT_USED, ats=SABU_MODERATE)) | {"cannabis_q2": "daily"}
    data["tobacco_q5"] = "daily"  # not a field: ignored

    response = browse("caseworker").post(page_url("screening create", case), data)

    assert response.status_code == 200
    errors = response.context["form"].errors
    with translation.override("id"):
        expected = translation.gettext(assist.MSG_NOT_USED)
    assert errors == {"cannabis_q2": [expected]}
    nothing_stored()


def test_a_missing_answer_is_shown_at_its_question(browse, case):
    data = form_data(answers(ats=SABU_MODERATE))
    del data["ats_q4"], data["alcohol_q1"]

    response = browse("caseworker").post(page_url("screening create", case), data)

    assert set(response.context["form"].errors) == {"ats_q4", "alcohol_q1"}
    nothing_stored()


def test_injection_must_be_answered_when_a_substance_was_used(browse, case):
    response = browse("caseworker").post(
        page_url("screening create", case), form_data(injection="")
    )

    assert set(response.context["form"].errors) == {"injection"}
    nothing_stored()


def test_every_gap_is_shown_in_one_round_the_injection_question_included(browse, case):
    data = form_data(answers(ats=SABU_MODERATE), injection="")
    del data["ats_q4"], data["ats_q5"]

    response = browse("caseworker").post(page_url("screening create", case), data)

    assert set(response.context["form"].errors) == {"injection", "ats_q4", "ats_q5"}
    nothing_stored()


def test_a_refusal_of_the_service_is_shown_on_the_form(browse, case):
    tomorrow = (today() + datetime.timedelta(days=1)).isoformat()

    response = browse("caseworker").post(
        page_url("screening create", case), form_data(screened_on=tomorrow)
    )

    assert "screened_on" in response.context["form"].errors
    nothing_stored()


def test_the_result_card_warns_of_recent_injection(browse, case, record):
    screening = record(case.client, answers=answers(opioids=HEROIN_HIGH), injection="recent")

    html = browse("caseworker").get(page_url("screening detail", case, screening)).text

    assert 'data-recommendation="inpatient"' in html
    assert "bi-exclamation-octagon" in html and "text-bg-danger" in html


def test_every_view_of_a_screening_is_audited(cast, browse, case, screened):
    supervisor = browse("supervisor")

    supervisor.get(page_url("screening detail", case, screened))
    supervisor.get(page_url("screening detail", case, screened))

    views = AuditEvent.objects.filter(action="view", object_type="screening")
    assert [(e.actor, e.object_id, e.channel) for e in views] == [
        (cast.supervisor, str(screened.pk), "web")
    ] * 2


def test_the_history_lists_only_this_clients_screenings_and_is_audited(
    cast, browse, case, record, make_client
):
    own = record(case.client, case=case)
    other = record(make_client(serial=2))

    response = browse("caseworker").get(page_url("client screenings", case, own))

    assert [s.pk for s, _rows in response.context["items"]] == [own.pk]
    assert str(other.pk) not in response.text
    view = AuditEvent.objects.get(action="view")
    assert (view.object_type, view.object_id, view.summary) == (
        "client", str(case.client.pk), "screenings",
    )  # fmt: skip


@pytest.mark.parametrize("count", [2, 20])
def test_the_history_page_query_count_does_not_grow_with_rows(
    browse, case, record, count, django_assert_max_num_queries
):
    for _ in range(count):
        record(case.client, case=case)
    caseworker = browse("caseworker")

    with django_assert_max_num_queries(12):
        response = caseworker.get(page_url("client screenings", case))

    assert len(response.context["items"]) == count


# --- the API ---------------------------------------------------------------------------


def api_as(user) -> APIClient:
    """An API client that asks for English, so errors read as their source text."""
    api = APIClient()
    api.credentials(HTTP_ACCEPT_LANGUAGE="en")
    if user is not None:
        api.force_authenticate(user)
    return api


def payload(who, **changes) -> dict:
    body = {
        "client": str(who.pk),
        "case": None,
        "screened_on": today().isoformat(),
        "answers": TYPICAL,
        "injection": "never",
    }
    return body | changes


def error_of(response, status: int) -> dict:
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message", "fields"}
    return body["error"]


def test_posting_a_screening_returns_its_scores_risks_and_recommendation(cast, case):
    response = api_as(cast.caseworker).post(
        SCREENINGS, payload(case.client, case=str(case.pk), notes="Lewat telepon"), format="json"
    )

    assert response.status_code == 201, response.content
    body = response.json()
    screening = Screening.objects.get()
    assert body["id"] == str(screening.pk)
    assert (body["client"], body["case"], body["recommendation"], body["injection"]) == (
        str(case.client.pk), str(case.pk), "further", "never",
    )  # fmt: skip
    assert body["substances"] == [
        {"substance": "ats", "score": 15, "max_score": 39, "risk": "moderate"},
        {"substance": "alcohol", "score": 2, "max_score": 39, "risk": "low"},
        {"substance": "inhalants", "score": 0, "max_score": 39, "risk": "low"},
    ]
    assert (body["answers"], body["notes"]) == (TYPICAL, "Lewat telepon")
    assert AuditEvent.objects.filter(action="create", object_id=str(screening.pk)).count() == 1
    assert AuditEvent.objects.get(object_type="screening").channel == "api"


def test_a_broken_answer_set_is_refused_per_substance_and_question(cast, case):
    broken = answers(
        tobacco={"q1": True, "q2": "daily", "q3": "never", "q4": "never", "q5": "never",
                 "q6": "never", "q7": "never"},
        ats={"q1": True, "q2": "never", "q3": "weekly"},
    )  # fmt: skip
    broken["kratom"] = {"q1": True}
    del broken["alcohol"]

    response = api_as(cast.caseworker).post(
        SCREENINGS, payload(case.client, answers=broken), format="json"
    )

    error = error_of(response, 400)
    fields = error["fields"]
    assert set(fields) == {"answers"}
    assert fields["answers"]["tobacco"] == {"q5": ["Question 5 is not asked for tobacco."]}
    assert fields["answers"]["alcohol"] == {"q1": ["This question must be answered."]}
    assert set(fields["answers"]["ats"]) == {"q3", "q6", "q7"}
    assert fields["answers"]["kratom"][0].startswith("“kratom” is not a substance of the ASSIST")
    nothing_stored()


def test_injection_without_any_substance_used_is_refused_on_the_injection_field(cast, case):
    response = api_as(cast.caseworker).post(
        SCREENINGS, payload(case.client, answers=answers(), injection="recent"), format="json"
    )

    assert error_of(response, 400)["fields"] == {"injection": [assist.MSG_INJECTION_NO_USE]}
    nothing_stored()


@pytest.mark.parametrize(
    ("change", "field"),
    [({"answers": "tobacco"}, "answers"), ({"answers": None}, "answers"),
     ({"screened_on": "kemarin"}, "screened_on"), ({"injection": "kadang"}, "injection"),
     ({"client": "bukan-uuid"}, "client")],
)  # fmt: skip
def test_malformed_input_gets_a_clear_error_and_stores_nothing(cast, case, change, field):
    response = api_as(cast.caseworker).post(
        SCREENINGS, payload(case.client, **change), format="json"
    )

    assert field in error_of(response, 400)["fields"]
    nothing_stored()


def test_a_future_date_is_refused_by_the_service(cast, case):
    tomorrow = (today() + datetime.timedelta(days=1)).isoformat()

    response = api_as(cast.caseworker).post(
        SCREENINGS, payload(case.client, screened_on=tomorrow), format="json"
    )

    assert error_of(response, 400)["fields"] == {
        "screened_on": ["The screening date lies in the future."]
    }
    nothing_stored()


def test_a_client_outside_the_area_is_simply_not_found(cast, foreign_client):
    response = api_as(cast.caseworker).post(SCREENINGS, payload(foreign_client), format="json")

    assert error_of(response, 400)["fields"] == {"client": ["Not found."]}
    nothing_stored()


def test_a_case_of_another_client_is_refused(cast, case, make_client):
    other = make_client(serial=2)

    response = api_as(cast.caseworker).post(
        SCREENINGS, payload(other, case=str(case.pk)), format="json"
    )

    assert error_of(response, 400)["fields"] == {"case": ["The case belongs to another client."]}
    nothing_stored()


def test_a_case_outside_the_area_is_simply_not_found(cast, case, foreign_client):
    foreign_case = case_services.case_open(
        client=foreign_client, by=cast.outsider, organisation=cast.other_dinsos
    )

    response = api_as(cast.caseworker).post(
        SCREENINGS, payload(case.client, case=str(foreign_case.pk)), format="json"
    )

    assert error_of(response, 400)["fields"] == {"case": ["Not found."]}
    nothing_stored()


@pytest.mark.parametrize("role", ["referrer", "viewer", "admin"])
def test_who_may_not_screen_is_forbidden_to_post(cast, case, role):
    response = api_as(getattr(cast, role)).post(SCREENINGS, payload(case.client), format="json")

    error_of(response, 403)
    nothing_stored()


def test_centre_staff_may_not_screen_within_a_case_held_by_dinsos(cast, make_client, make_referral):
    # A Dinsos case of a client the centre registered, so that the centre may read it.
    client = make_client(by=cast.centre, serial=8)
    case = case_services.referral_accept(
        referral=make_referral(nik=client.nik), by=cast.caseworker, client=client
    )
    response = api_as(cast.centre).post(
        SCREENINGS, payload(case.client, case=str(case.pk)), format="json"
    )

    error_of(response, 403)
    nothing_stored()


def test_the_api_needs_authentication(case):
    assert api_as(None).get(SCREENINGS).status_code == 401


@pytest.mark.parametrize(
    ("role", "sees"),
    [("caseworker", True), ("supervisor", True), ("centre", False), ("admin", True),
     ("outsider", False), ("referrer", False), ("viewer", False)],
)  # fmt: skip
def test_the_list_holds_only_screenings_of_clients_in_the_users_area(cast, screened, role, sees):
    response = api_as(getattr(cast, role)).get(SCREENINGS)

    assert response.status_code == 200
    ids = [row["id"] for row in response.json()["results"]]
    assert ids == ([str(screened.pk)] if sees else [])


def test_the_list_leaves_out_answers_and_notes(cast, screened):
    row = api_as(cast.caseworker).get(SCREENINGS).json()["results"][0]

    assert "answers" not in row and "notes" not in row
    assert row["substances"][0] == {"substance": "ats", "score": 15, "max_score": 39,
                                    "risk": "moderate"}  # fmt: skip
    assert not AuditEvent.objects.filter(action="view").exists()


def test_the_list_filters_by_client_and_by_case(cast, case, record, make_client):
    own = record(case.client, case=case)
    loose = record(case.client)
    other = record(make_client(serial=2))
    api = api_as(cast.caseworker)

    def ids(**params):
        return {row["id"] for row in api.get(SCREENINGS, params).json()["results"]}

    assert ids(client=str(case.client.pk)) == {str(own.pk), str(loose.pk)}
    assert ids(case=str(case.pk)) == {str(own.pk)}
    assert ids() == {str(own.pk), str(loose.pk), str(other.pk)}


def test_filtering_by_a_client_outside_the_area_gives_an_empty_list(cast, foreign_client, record):
    record(foreign_client, by=cast.outsider)

    response = api_as(cast.caseworker).get(SCREENINGS, {"client": str(foreign_client.pk)})

    assert response.json()["count"] == 0


def test_a_malformed_client_filter_is_a_clear_error(cast):
    response = api_as(cast.caseworker).get(SCREENINGS, {"client": "budi"})

    assert "client" in error_of(response, 400)["fields"]


def test_reading_one_screening_gives_the_answers_and_is_audited(cast, screened):
    response = api_as(cast.supervisor).get(f"{SCREENINGS}{screened.pk}/")

    assert response.status_code == 200
    assert response.json()["answers"] == TYPICAL
    views = AuditEvent.objects.filter(action="view", object_type="screening")
    assert [(e.actor, e.object_id, e.channel) for e in views] == [
        (cast.supervisor, str(screened.pk), "api")
    ]


# Centre staff: the client is not one handed to them (issue 12 item 3).
@pytest.mark.parametrize("role", ["outsider", "referrer", "viewer", "centre"])
def test_one_screening_outside_the_users_reach_is_not_found(cast, screened, role):
    response = api_as(getattr(cast, role)).get(f"{SCREENINGS}{screened.pk}/")

    error_of(response, 404)
    assert not AuditEvent.objects.filter(action="view").exists()


@pytest.mark.parametrize("pk", [uuid.uuid4(), "not-a-uuid", "1"])
def test_a_forged_screening_id_is_not_found(cast, pk):
    error_of(api_as(cast.caseworker).get(f"{SCREENINGS}{pk}/"), 404)


@pytest.mark.parametrize("count", [3, 30])
def test_list_query_count_does_not_grow_with_rows(
    cast, case, record, count, django_assert_max_num_queries
):
    for _ in range(count):
        record(case.client, case=case)
    api = api_as(cast.caseworker)

    with django_assert_max_num_queries(5):
        response = api.get(SCREENINGS, {"page_size": 50})

    assert response.json()["count"] == count
