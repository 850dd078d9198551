"""/api/v1/ibm-units/: the units a caller may read with their agents nested, set up by an
organisation in its area, agents added by that organisation only; in the OpenAPI schema."""

import pytest
from rest_framework.test import APIClient

from rehab.models.episodes import IbmUnit, RecoveryAgent
from tests.conftest import OI_VILLAGE, OKI_VILLAGE_2, ROLES, role_matrix

from .ibm_world import ibm  # noqa: F401  (a fixture)

pytestmark = pytest.mark.django_db


def api_as(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


# How many units each role finds in the list, and the status of the unit's detail.
READS = {
    #            caseworker supervisor outsider referrer centre viewer admin
    "list rows": (1, 1, 0, 1, 1, 0, 1),
    "detail":    (200, 200, 404, 200, 200, 404, 200),
}  # fmt: skip


@pytest.mark.parametrize(("read", "role", "expected"), role_matrix(READS))
def test_each_role_reads_the_pinned_units(cast, ibm, read, role, expected):  # noqa: F811
    client = api_as(getattr(cast, role))

    if read == "list rows":
        response = client.get("/api/v1/ibm-units/")
        assert response.status_code == 200
        assert response.json()["count"] == expected
    else:
        assert client.get(f"/api/v1/ibm-units/{ibm.unit.pk}/").status_code == expected


def test_a_unit_comes_with_its_agents_and_counts_but_no_client(cast, ibm):  # noqa: F811
    body = api_as(cast.caseworker).get(f"/api/v1/ibm-units/{ibm.unit.pk}/").json()

    assert body["village"] == ibm.unit.village_id and body["organisation"] == "BNNK OKI"
    assert (body["active_agents"], body["clients_supported"]) == (2, 2)
    assert [(a["full_name"], a["trained_on"]) for a in body["agents"]] == [
        ("Ahmad Fauzi", "2023-03-14"), ("Siti Aminah", "2023-08-22"),
    ]  # fmt: skip
    assert "Klien" not in str(body)


@pytest.mark.parametrize("role", ROLES)
def test_only_the_organisation_that_set_the_unit_up_adds_an_agent(cast, ibm, role):  # noqa: F811
    response = api_as(getattr(cast, role)).post(
        f"/api/v1/ibm-units/{ibm.unit.pk}/agents/",
        {"full_name": "Agen Baru", "trained_on": "2023-11-02"}, format="json",
    )  # fmt: skip

    expected = {"referrer": 201, "outsider": 404, "viewer": 404}.get(role, 403)
    assert response.status_code == expected
    assert RecoveryAgent.objects.filter(full_name="Agen Baru").exists() == (expected == 201)


def test_bnnk_sets_up_a_unit_in_its_area(cast):
    response = api_as(cast.referrer).post("/api/v1/ibm-units/", {
        "name": "IBM Cinta Jaya", "village": OKI_VILLAGE_2, "established_on": "2023-05-10",
    }, format="json")  # fmt: skip

    assert response.status_code == 201, response.json()
    unit = IbmUnit.objects.get(pk=response.json()["id"])
    assert unit.organisation == cast.bnnk and response.json()["agents"] == []


def test_a_unit_outside_the_area_is_refused_on_the_village(cast):
    response = api_as(cast.referrer).post(
        "/api/v1/ibm-units/", {"name": "IBM Munggu", "village": OI_VILLAGE}, format="json"
    )

    assert response.status_code == 400
    assert "village" in response.json()["error"]["fields"]


def test_a_second_unit_of_the_same_name_is_a_conflict(cast, ibm):  # noqa: F811
    response = api_as(cast.referrer).post(
        "/api/v1/ibm-units/", {"name": ibm.unit.name, "village": OKI_VILLAGE_2}, format="json"
    )

    assert response.status_code == 409


def test_a_viewer_may_not_set_up_a_unit(cast):
    response = api_as(cast.viewer).post(
        "/api/v1/ibm-units/", {"name": "IBM", "village": OKI_VILLAGE_2}, format="json"
    )

    assert response.status_code == 403 and not IbmUnit.objects.exists()


def test_the_list_takes_a_fixed_number_of_queries(cast, ibm, django_assert_max_num_queries):  # noqa: F811
    client = api_as(cast.caseworker)

    with django_assert_max_num_queries(6):
        response = client.get("/api/v1/ibm-units/")

    assert response.status_code == 200


def test_the_openapi_schema_lists_the_ibm_endpoints(cast):
    paths = api_as(cast.caseworker).get("/api/schema/?format=json").json()["paths"]

    assert {"get", "post"} <= set(paths["/api/v1/ibm-units/"])
    assert "get" in paths["/api/v1/ibm-units/{id}/"]
    agents = paths["/api/v1/ibm-units/{id}/agents/"]["post"]
    assert {"201", "400", "403", "404", "409"} <= set(agents["responses"])
