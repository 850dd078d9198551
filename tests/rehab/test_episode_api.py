"""/api/v1/episodes/, /api/v1/sessions/ and /api/v1/follow-ups/: the same rules as the pages,
through the API (BNNK only its own episodes; an outsider gets 404)."""

import datetime

import pytest
from rest_framework.test import APIClient

from atensi.audit.models import AuditEvent
from rehab.models import Episode
from rehab.services import episodes as services
from tests.conftest import role_matrix

D = datetime.date


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_bnnk_starts_an_episode_through_the_api_on_its_accepted_referral(cast, bnnk_case):
    response = api(cast.referrer).post("/api/v1/episodes/", {
        "case": str(bnnk_case.pk), "modality": "rawat_jalan", "legal_route": "wajib_lapor",
        "started_on": "2026-02-01", "planned_end_on": "2026-05-01",
    }, format="json")  # fmt: skip

    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["provider"] == cast.bnnk.pk and body["worker"] == cast.referrer.pk
    assert body["client_name"] == bnnk_case.client.full_name
    assert "nik" not in str(body).lower()


def test_starting_on_a_case_the_caller_may_not_start_on_is_a_field_error(cast, make_case):
    case = make_case()

    response = api(cast.referrer).post("/api/v1/episodes/", {
        "case": str(case.pk), "modality": "rawat_jalan", "legal_route": "sukarela",
        "started_on": "2026-02-01",
    }, format="json")  # fmt: skip

    assert response.status_code == 400
    assert "case" in response.json()["error"]["fields"]
    assert not Episode.objects.exists()


def test_a_service_refusal_names_its_field_in_the_api_body(cast, make_case):
    response = api(cast.caseworker).post("/api/v1/episodes/", {
        "case": str(make_case().pk), "modality": "ibm", "legal_route": "sukarela",
        "started_on": "2026-02-01",
    }, format="json")  # fmt: skip

    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["ibm_unit"]


def test_ending_through_the_api_with_a_relapse_links_the_next_episode(
    cast, make_case, start_episode
):
    episode = start_episode(make_case(), modality="rawat_inap", started_on=D(2026, 1, 1))
    client = api(cast.caseworker)
    url = f"/api/v1/episodes/{episode.pk}/"

    phase = client.post(url + "phases/", {"phase": "detoks", "started_on": "2026-01-01"})
    wrong = client.post(url + "phases/", {"phase": "detoks", "started_on": "2026-01-02"})
    ended = client.post(url + "end/", {"ended_on": "2026-03-01", "outcome": "kambuh"})
    again = client.post(url + "end/", {"ended_on": "2026-03-02", "outcome": "selesai"})

    assert phase.status_code == 201 and wrong.status_code == 400
    assert ended.status_code == 200
    following = Episode.objects.get(previous=episode)
    assert ended.json()["next"] == str(following.pk)
    assert client.get(f"/api/v1/episodes/{following.pk}/").json()["previous"] == str(episode.pk)
    assert again.status_code == 409


def test_sessions_are_recorded_and_listed_per_episode(cast, make_case, start_episode):
    episode = start_episode(make_case())
    other = start_episode(make_case(serial=2))
    client = api(cast.caseworker)

    created = client.post("/api/v1/sessions/", {
        "episode": str(episode.pk), "date": "2026-02-02", "kind": "tes_urin",
        "attendance": "hadir", "urine_result": "positif", "substances_found": ["ganja"],
    }, format="json")  # fmt: skip
    services.session_record(episode=other, by=cast.caseworker, date=D(2026, 2, 3),
                            kind="konseling")  # fmt: skip
    listed = client.get("/api/v1/sessions/", {"episode": str(episode.pk)}).json()

    assert created.status_code == 201, created.json()
    assert [s["id"] for s in listed["results"]] == [created.json()["id"]]
    assert listed["results"][0]["substances_found"] == ["ganja"]


def test_a_follow_up_is_recorded_through_the_api_once(cast, make_case, start_episode):
    episode = start_episode(make_case(), started_on=D(2025, 10, 1))
    services.episode_end(episode=episode, by=cast.caseworker, ended_on=D(2026, 1, 10),
                         outcome="selesai")  # fmt: skip
    client = api(cast.caseworker)
    due = client.get("/api/v1/follow-ups/", {"status": "open"}).json()["results"]
    url = f"/api/v1/follow-ups/{due[0]['id']}/record/"

    missing = client.post(url, {"contacted_on": "2026-02-10"}, format="json")
    recorded = client.post(url, {
        "contacted_on": "2026-02-10", "used_since": False, "activity": "sekolah",
        "relapse": False, "urine_test": "negatif",
    }, format="json")  # fmt: skip
    twice = client.post(url, {"contacted_on": "2026-02-11", "reached": False}, format="json")

    assert [f["months"] for f in due] == [1, 3, 6]
    assert missing.status_code == 400 and "used_since" in missing.json()["error"]["fields"]
    assert recorded.status_code == 200 and recorded.json()["status"] == "reached"
    assert twice.status_code == 409


READS = {
    # caseworker, supervisor, outsider, referrer, centre, viewer, admin
    "episode": [200, 200, 404, 404, 404, 404, 200],
    "bnnk episode": [200, 200, 404, 200, 404, 404, 200],
    "follow-up": [200, 200, 404, 404, 404, 404, 200],
}
LIST_ROWS = {
    "episodes": [2, 2, 0, 1, 0, 0, 2],
    "sessions": [1, 1, 0, 0, 0, 0, 1],
    "follow-ups": [3, 3, 0, 0, 0, 0, 3],
}


@pytest.fixture
def world(cast, make_case, bnnk_case, start_episode):
    episode = start_episode(make_case(), started_on=D(2025, 10, 1))
    services.session_record(episode=episode, by=cast.caseworker, date=D(2025, 11, 1),
                            kind="konseling")  # fmt: skip
    services.episode_end(episode=episode, by=cast.caseworker, ended_on=D(2026, 1, 10),
                         outcome="selesai")  # fmt: skip
    return {
        "episode": episode,
        "bnnk episode": start_episode(bnnk_case, by=cast.referrer),
        "follow-up": episode.follow_ups.first(),
    }


@pytest.mark.parametrize(("what", "role", "expected"), role_matrix(READS))
def test_each_role_gets_the_pinned_status_on_each_read(cast, world, what, role, expected):
    path = "follow-ups" if what == "follow-up" else "episodes"

    response = api(getattr(cast, role)).get(f"/api/v1/{path}/{world[what].pk}/")

    assert response.status_code == expected


@pytest.mark.parametrize(("what", "role", "expected"), role_matrix(LIST_ROWS))
def test_each_role_finds_only_the_rows_it_may_read(cast, world, what, role, expected):
    response = api(getattr(cast, role)).get(f"/api/v1/{what}/")

    assert response.status_code == 200
    assert response.json()["count"] == expected


def test_reading_an_episode_through_the_api_is_audited(cast, world):
    api(cast.supervisor).get(f"/api/v1/episodes/{world['episode'].pk}/")

    assert AuditEvent.objects.filter(actor=cast.supervisor, action="view", channel="api",
                                     object_id=str(world["episode"].pk)).exists()  # fmt: skip


def test_an_outsider_cannot_write_to_an_episode(cast, world):
    episode = world["episode"]
    client = api(cast.outsider)

    bnnk = str(world["bnnk episode"].pk)
    session = client.post("/api/v1/sessions/",
                          {"episode": bnnk, "date": "2026-02-02", "kind": "konseling"})  # fmt: skip
    end = client.post(f"/api/v1/episodes/{world['bnnk episode'].pk}/end/",
                      {"ended_on": "2026-03-01", "outcome": "selesai"})  # fmt: skip
    record = client.post(f"/api/v1/follow-ups/{world['follow-up'].pk}/record/",
                         {"contacted_on": "2026-02-10", "reached": False})  # fmt: skip

    assert session.status_code == 400 and end.status_code == 404 and record.status_code == 404
    assert episode.follow_ups.filter(status="due").count() == 3
    assert Episode.objects.get(pk=world["bnnk episode"].pk).is_open


def test_the_episode_list_endpoint_does_not_grow_its_queries_with_rows(
    cast, make_case, start_episode, django_assert_max_num_queries
):
    for serial in range(1, 8):
        start_episode(make_case(serial=serial), modality="rawat_inap")
    client = api(cast.caseworker)

    with django_assert_max_num_queries(8):
        response = client.get("/api/v1/episodes/")

    assert response.json()["count"] == 7


def test_unknown_filters_are_a_clear_400(cast):
    client = api(cast.caseworker)

    assert client.get("/api/v1/episodes/", {"modality": "x"}).status_code == 400
    assert client.get("/api/v1/episodes/", {"year": "20x6"}).status_code == 400
    assert client.get("/api/v1/sessions/", {"episode": "not-an-id"}).status_code == 400
    assert client.get("/api/v1/follow-ups/", {"due_by": "31-31-2026"}).status_code == 400


@pytest.mark.parametrize(
    "query", [{"year": "945007"}, {"year": "0"}, {"provider": "99999999999"}, {"year": "²"}]
)
def test_a_filter_no_year_or_organisation_can_have_is_a_400(cast, query):
    response = api(cast.caseworker).get("/api/v1/episodes/", query)

    assert response.status_code == 400, response.content
    assert set(response.json()["error"]["fields"]) == set(query)
