"""/api/v1/ for aid: programmes, aid items, proposals with their transitions, and decrees,
for each role of the cast; refusals in the house error shape."""

import pytest
from rest_framework.test import APIClient

from aid import services
from aid.models import Decree, Proposal
from tests.conftest import ROLES, role_matrix

from .conftest import UNIT, approve, verified
from .test_pages import other_supervisor

State = Proposal.State


def api_as(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def world(cast, funded, food, make_case):
    case = make_case()
    proposal = verified(cast, case.client, funded, [(food, 2)])
    decree = approve(cast, [proposal], by=other_supervisor(cast))
    return {"client": case.client, "proposal": proposal, "decree": decree, "programme": funded,
            "food": food}  # fmt: skip


def read_url(endpoint, w):
    return {
        "programme list": "/api/v1/programmes/",
        "programme detail": f"/api/v1/programmes/{w['programme'].pk}/",
        "aid item list": f"/api/v1/aid-items/?programme={w['programme'].pk}",
        "aid item detail": f"/api/v1/aid-items/{w['food'].pk}/",
        "proposal list": "/api/v1/proposals/",
        "proposal detail": f"/api/v1/proposals/{w['proposal'].pk}/",
        "decree list": "/api/v1/decrees/",
        "decree detail": f"/api/v1/decrees/{w['decree'].pk}/",
    }[endpoint]


READS = {
    #                    caseworker supervisor outsider referrer centre viewer admin
    "programme list":    (200, 200, 200, 200, 200, 200, 200),
    "programme detail":  (200, 200, 404, 404, 404, 404, 200),
    "aid item list":     (200, 200, 200, 200, 200, 200, 200),
    "aid item detail":   (200, 200, 404, 404, 404, 404, 200),
    "proposal list":     (200, 200, 200, 200, 200, 200, 200),
    "proposal detail":   (200, 200, 404, 404, 404, 404, 200),
    "decree list":       (200, 200, 200, 200, 200, 200, 200),
    "decree detail":     (200, 200, 404, 404, 404, 404, 200),
}  # fmt: skip

LIST_ROWS = {
    "programme list": (1, 1, 0, 0, 0, 0, 1),
    "aid item list": (1, 1, 0, 0, 0, 0, 1),
    "proposal list": (1, 1, 0, 0, 0, 0, 1),
    "decree list": (1, 1, 0, 0, 0, 0, 1),
}


@pytest.mark.parametrize(("endpoint", "role", "status"), role_matrix(READS))
def test_each_role_gets_the_pinned_status_on_each_aid_read(cast, world, endpoint, role, status):
    response = api_as(getattr(cast, role)).get(read_url(endpoint, world))

    assert response.status_code == status, response.content
    if status == 404:
        assert response.json()["error"]["code"] == "not_found"
    if endpoint in LIST_ROWS:
        assert response.json()["count"] == LIST_ROWS[endpoint][ROLES.index(role)]


def test_the_programme_detail_carries_the_budget_panel(cast, world):
    body = api_as(cast.caseworker).get(read_url("programme detail", world)).json()

    assert body["budget"]["reserved"] == 2 * UNIT
    assert body["budget"]["components"][0]["ceiling"] == 2_000_000
    assert body["regions"] == ["16.02"]


def test_the_proposal_list_masks_the_nik(cast, world):
    [row] = api_as(cast.caseworker).get("/api/v1/proposals/").json()["results"]

    assert row["client_nik"] == world["client"].masked_nik
    assert world["client"].nik not in str(row)


def test_the_proposal_list_takes_a_fixed_number_of_queries(
    cast, funded, food, make_client, django_assert_max_num_queries
):
    for serial in range(1, 11):
        services.proposal_create(client=make_client(serial=serial), programme=funded,
                                 items=[(food, 1)], by=cast.caseworker)  # fmt: skip
    api = api_as(cast.caseworker)

    with django_assert_max_num_queries(8):
        response = api.get("/api/v1/proposals/")

    assert response.json()["count"] == 10


def test_a_proposal_goes_from_create_to_approval_through_the_api(cast, funded, food, make_case):
    client = make_case().client
    caseworker, supervisor = api_as(cast.caseworker), api_as(cast.supervisor)

    created = caseworker.post("/api/v1/proposals/", {
        "client": str(client.pk), "programme": str(funded.pk),
        "items": [{"aid_item": str(food.pk), "quantity": 2}],
    }, format="json")  # fmt: skip
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    assert created.json()["value"] == 2 * UNIT

    assert caseworker.post(f"/api/v1/proposals/{pk}/submit/").status_code == 200
    assert supervisor.post(f"/api/v1/proposals/{pk}/verify/").status_code == 200
    approved = api_as(other_supervisor(cast)).post(f"/api/v1/proposals/{pk}/approve/", {
        "number": "SK/20/2026", "date": "2026-11-20", "signatory_name": "Kepala Dinas",
        "signatory_title": "Kepala Dinas Sosial",
    }, format="json")  # fmt: skip

    assert approved.status_code == 200, approved.content
    assert approved.json()["state"] == State.APPROVED
    assert approved.json()["decree_number"] == "SK/20/2026"


def test_four_eyes_is_refused_through_the_api(cast, funded, food, make_case):
    proposal = services.proposal_create(client=make_case().client, programme=funded,
                                        items=[(food, 1)], by=cast.supervisor)  # fmt: skip
    services.proposal_submit(proposal=proposal, by=cast.supervisor)

    response = api_as(cast.supervisor).post(f"/api/v1/proposals/{proposal.pk}/verify/")

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "four_eyes"
    proposal.refresh_from_db()
    assert proposal.state == State.SUBMITTED


def test_a_transition_from_the_wrong_state_is_a_conflict(cast, world):
    response = api_as(cast.caseworker).post(f"/api/v1/proposals/{world['proposal'].pk}/submit/")

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "conflict"


def test_a_caseworker_may_not_verify_and_an_outsider_finds_nothing(cast, funded, food,
                                                                   make_case):  # fmt: skip
    proposal = services.proposal_create(client=make_case().client, programme=funded,
                                        items=[(food, 1)], by=cast.caseworker)  # fmt: skip
    services.proposal_submit(proposal=proposal, by=cast.caseworker)

    assert (
        api_as(cast.caseworker2).post(f"/api/v1/proposals/{proposal.pk}/verify/").status_code == 403
    )
    assert api_as(cast.outsider).post(f"/api/v1/proposals/{proposal.pk}/verify/").status_code == 404
    assert api_as(cast.referrer).post(f"/api/v1/proposals/{proposal.pk}/cancel/",
                                      {"reason": "x"}).status_code == 404  # fmt: skip
    proposal.refresh_from_db()
    assert proposal.state == State.SUBMITTED


def test_reject_and_cancel_need_a_reason(cast, world):
    pk = world["proposal"].pk
    api = api_as(cast.supervisor)

    missing = api.post(f"/api/v1/proposals/{pk}/reject/", {}, format="json")
    assert missing.status_code == 400
    assert "reason" in missing.json()["error"]["fields"]

    response = api.post(f"/api/v1/proposals/{pk}/reject/", {"reason": "Data ganda"},
                        format="json")  # fmt: skip
    assert response.status_code == 200
    assert response.json()["state"] == State.REJECTED
    assert world["programme"].budget_lines.get().reserved == 0


def test_an_outsider_cannot_propose_a_client_of_our_area(cast, funded, food, make_case):
    client = make_case().client

    response = api_as(cast.outsider).post("/api/v1/proposals/", {
        "client": str(client.pk), "programme": str(funded.pk),
        "items": [{"aid_item": str(food.pk), "quantity": 1}],
    }, format="json")  # fmt: skip

    assert response.status_code == 404
    assert not Proposal.objects.exists()


def test_a_decree_approves_a_set_of_verified_proposals(cast, funded, food, make_client):
    proposals = [verified(cast, make_client(serial=s), funded, [(food, 1)]) for s in (1, 2)]

    response = api_as(other_supervisor(cast)).post("/api/v1/decrees/", {
        "number": "SK/30/2026", "date": "2026-11-20", "signatory_name": "Kepala Dinas",
        "signatory_title": "Kepala", "proposals": [str(p.pk) for p in proposals],
    }, format="json")  # fmt: skip

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["total"] == 2 * UNIT
    assert {p["client_nik"] for p in body["proposals"]} == {p.client.masked_nik for p in proposals}
    assert Decree.objects.get().proposals.count() == 2


def test_a_decree_by_the_submitter_is_refused_whole(cast, funded, food, make_client):
    proposal = verified(cast, make_client(), funded, [(food, 1)])

    response = api_as(cast.caseworker).post("/api/v1/decrees/", {
        "number": "SK/31/2026", "date": "2026-11-20", "signatory_name": "Kepala Dinas",
        "proposals": [str(proposal.pk)],
    }, format="json")  # fmt: skip

    assert response.status_code == 403
    assert not Decree.objects.exists()


def test_the_openapi_schema_lists_the_aid_endpoints(cast):
    schema = api_as(cast.caseworker).get("/api/schema/?format=json").json()

    paths = schema["paths"]
    for path in ("/api/v1/programmes/", "/api/v1/aid-items/", "/api/v1/proposals/",
                 "/api/v1/proposals/{id}/approve/", "/api/v1/proposals/{id}/reject/",
                 "/api/v1/decrees/"):  # fmt: skip
        assert path in paths
    assert {"200", "400", "403", "404", "409"} <= set(
        paths["/api/v1/proposals/{id}/verify/"]["post"]["responses"]
    )
