"""/api/v1/activities/ and /api/v1/village-status/: scoped reads, writes by BNNK staff only,
and outsiders get a 404."""

import pytest
from rest_framework.test import APIClient

from prevention.models import Activity, VillageStatus
from tests.conftest import role_matrix

from .conftest import BALIAN, CINTA_JAYA, KAYUAGUNG, KUTARAJA, MUNGGU

pytestmark = pytest.mark.django_db


def api_as(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def urine_activity():
    return Activity.objects.get(type="tes_urine", date__month=6)


READS = {
    #            caseworker supervisor outsider referrer centre viewer admin
    "activities": (0, 8, 0, 8, 0, 8, 8),
    "activity":   (404, 200, 404, 200, 404, 200, 200),
    "villages":   (0, 5, 0, 5, 0, 5, 5),
    "village":    (404, 200, 404, 200, 404, 200, 200),
}  # fmt: skip


@pytest.mark.parametrize(("read", "role", "expected"), role_matrix(READS))
def test_each_role_reads_what_its_area_and_role_allow(cast, year, read, role, expected):
    client = api_as(getattr(cast, role))

    if read in ("activities", "villages"):
        path = "/api/v1/activities/" if read == "activities" else "/api/v1/village-status/"
        response = client.get(path)
        assert response.status_code == 200
        assert response.json()["count"] == expected
    elif read == "activity":
        response = client.get(f"/api/v1/activities/{urine_activity().pk}/")
        assert response.status_code == expected
    else:
        assert client.get(f"/api/v1/village-status/{KAYUAGUNG}/").status_code == expected


def test_the_activity_list_filters_and_nests_urine_rows(cast, year):
    client = api_as(cast.supervisor)

    body = client.get("/api/v1/activities/", {"type": "tes_urine", "year": 2026}).json()
    assert body["count"] == 2
    first = body["results"][0]
    assert (first["date"], first["field"], first["village"]) == (
        "2026-07-08", "pemberdayaan", CINTA_JAYA,
    )  # fmt: skip
    assert first["urine_results"] == [{"institution": "Diskominfo", "tested": 5, "positive": 2}]
    assert client.get("/api/v1/activities/", {"field": "pencegahan"}).json()["count"] == 5
    assert client.get("/api/v1/activities/", {"village": "16.02.05"}).json()["count"] == 5
    assert client.get("/api/v1/activities/", {"year": "dua"}).status_code == 400


def test_the_activity_list_has_a_fixed_number_of_queries(cast, year, django_assert_max_num_queries):
    client = api_as(cast.viewer)
    with django_assert_max_num_queries(5):
        assert client.get("/api/v1/activities/").status_code == 200


def test_bnnk_staff_create_an_activity_with_urine_rows(cast):
    response = api_as(cast.referrer).post("/api/v1/activities/", {
        "type": "tes_urine", "date": "2026-03-14", "village": KAYUAGUNG,
        "target": "Instansi pemerintah",
        "urine_results": [{"institution": "Diskominfo", "tested": 25},
                          {"institution": "DPMD", "tested": 16, "positive": 1}],
    }, format="json")  # fmt: skip

    assert response.status_code == 201
    body = response.json()
    assert (body["participants"], body["field"], body["organisation"]) == (
        41, "pemberdayaan", "BNNK OKI",
    )  # fmt: skip
    assert len(body["urine_results"]) == 2


def test_more_positive_than_tested_is_a_400_naming_the_rows(cast):
    response = api_as(cast.referrer).post("/api/v1/activities/", {
        "type": "tes_urine", "date": "2026-03-14", "village": KAYUAGUNG,
        "urine_results": [{"institution": "DPMD", "tested": 3, "positive": 4}],
    }, format="json")  # fmt: skip

    assert response.status_code == 400
    assert "urine_results" in response.json()["error"]["fields"]
    assert not Activity.objects.exists()


@pytest.mark.parametrize(
    ("role", "status"),
    [("supervisor", 403), ("viewer", 403), ("admin", 403), ("outsider", 403), ("centre", 403)],
)
def test_only_bnnk_staff_create(cast, role, status):
    response = api_as(getattr(cast, role)).post("/api/v1/activities/", {
        "type": "talkshow", "date": "2026-03-14", "village": KAYUAGUNG,
    }, format="json")  # fmt: skip

    assert response.status_code == status


def test_an_activity_outside_the_area_is_a_404(cast, record, other_bnnk):
    activity = record(village=MUNGGU, by=other_bnnk)

    assert api_as(cast.referrer).get(f"/api/v1/activities/{activity.pk}/").status_code == 404
    assert api_as(other_bnnk).get(f"/api/v1/activities/{activity.pk}/").status_code == 200


def test_village_statuses_are_current_on_a_date_and_filter_by_status(cast, year):
    client = api_as(cast.viewer)

    body = client.get("/api/v1/village-status/", {"on": "2026-06-30"}).json()
    assert [(r["village"], r["status"]) for r in body["results"]] == [
        (CINTA_JAYA, "bahaya"), (KAYUAGUNG, "bahaya"), (KUTARAJA, "siaga"), (BALIAN, "aman"),
    ]  # fmt: skip
    body = client.get("/api/v1/village-status/", {"on": "2024-12-31", "status": "bahaya"}).json()
    assert [r["village"] for r in body["results"]] == [KUTARAJA]
    assert client.get("/api/v1/village-status/", {"on": "kemarin"}).status_code == 400
    assert client.get("/api/v1/village-status/", {"status": "merah"}).status_code == 400


def test_a_villages_history_comes_latest_first_with_its_designation(cast, year):
    body = api_as(cast.supervisor).get(f"/api/v1/village-status/{BALIAN}/").json()

    assert body["district_name"] == "Mesuji Raya"
    assert body["current"]["status"] == "aman"
    assert body["desa_bersinar"] == {"designated_on": "2025-02-01", "decree_no": ""}
    body = api_as(cast.supervisor).get(f"/api/v1/village-status/{KAYUAGUNG}/").json()
    assert [h["status"] for h in body["history"]] == ["bahaya", "waspada"]
    assert body["desa_bersinar"] is None


def test_a_village_outside_the_area_is_a_404(cast, other_bnnk, assess):
    import datetime

    assess(MUNGGU, "bahaya", datetime.date(2025, 1, 1), by=other_bnnk)

    assert api_as(cast.supervisor).get(f"/api/v1/village-status/{MUNGGU}/").status_code == 404
    assert api_as(cast.outsider).get(f"/api/v1/village-status/{MUNGGU}/").status_code == 404
    assert api_as(other_bnnk).get(f"/api/v1/village-status/{MUNGGU}/").status_code == 200


def test_bnnk_staff_record_an_assessment_and_a_second_on_the_same_day_is_a_409(cast):
    client = api_as(cast.referrer)
    data = {"village": KAYUAGUNG, "status": "waspada", "assessed_on": "2025-08-01",
            "assessed_by": "BNN"}  # fmt: skip

    assert client.post("/api/v1/village-status/", data, format="json").status_code == 201
    assert client.post("/api/v1/village-status/", data, format="json").status_code == 409
    assert api_as(cast.viewer).post(
        "/api/v1/village-status/", {**data, "assessed_on": "2025-08-02"}, format="json"
    ).status_code == 403  # fmt: skip
    assert VillageStatus.objects.count() == 1


@pytest.mark.parametrize(
    ("query", "status"),
    [({"year": "945007"}, 400), ({"type": "lomba"}, 400), ({"field": "x"}, 400),
     ({"page": ""}, 404)],
)  # fmt: skip
def test_an_activity_filter_that_cannot_match_is_refused(cast, query, status):
    response = api_as(cast.referrer).get("/api/v1/activities/", query)

    assert response.status_code == status, response.content
    assert response.json()["error"]["code"] == {400: "invalid", 404: "not_found"}[status]
