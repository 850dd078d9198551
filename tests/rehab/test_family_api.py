"""/api/v1/family-sessions/ and /api/v1/family-series/: scoped reads, audited attendance,
writes through the services."""

import datetime

import pytest
from rest_framework.test import APIClient

from atensi.audit.models import AuditEvent
from cases import services as case_services
from cases.models import CaseEvent
from rehab.models.family import FamilySession
from rehab.services import family as services
from tests.conftest import OI_VILLAGE, OKI_VILLAGE, role_matrix

SESSIONS = "/api/v1/family-sessions/"
SERIES = "/api/v1/family-series/"


def api_as(user) -> APIClient:
    api = APIClient()
    api.force_authenticate(user)
    return api


@pytest.fixture
def family(cast, make_case):
    case = make_case(full_name="Rudi Hartono")
    mother = case_services.family_member_add(
        client=case.client, by=cast.caseworker, relation="ibu", full_name="Sulastri Hartono"
    )
    return case, mother


@pytest.fixture
def session(cast, family):
    session = services.session_create(
        by=cast.caseworker, date=datetime.date(2023, 8, 12), place="Balai Desa",
        village=OKI_VILLAGE, topic="Pola asuh", facilitator="Siti",
    )  # fmt: skip
    services.attendance_add_members(session=session, by=cast.caseworker, members=[family[1]])
    return session


READS = {
    #                caseworker supervisor outsider referrer centre viewer admin
    "list rows":     (1, 1, 0, 0, 1, 0, 1),
    "detail":        (200, 200, 404, 404, 200, 404, 200),
    "series detail": (200, 200, 404, 404, 200, 404, 200),
}  # fmt: skip


@pytest.mark.parametrize(("what", "role", "expected"), role_matrix(READS))
def test_each_role_reads_the_sessions_it_may_see(cast, session, what, role, expected):
    series = services.series_create(
        by=cast.caseworker, name="Ketahanan Keluarga", village=OKI_VILLAGE, planned_meetings=4
    )
    api = api_as(getattr(cast, role))

    if what == "list rows":
        response = api.get(SESSIONS)
        assert response.status_code == 200
        assert response.json()["count"] == expected
    elif what == "detail":
        assert api.get(f"{SESSIONS}{session.pk}/").status_code == expected
    else:
        assert api.get(f"{SERIES}{series.pk}/").status_code == expected


def test_the_session_detail_lists_attendees_and_is_audited(cast, session):
    response = api_as(cast.supervisor).get(f"{SESSIONS}{session.pk}/")

    body = response.json()
    assert [(a["name"], a["kind"], a["attended"]) for a in body["attendees"]] == [
        ("Sulastri Hartono", "member", True)
    ]
    assert body["present"] == 1
    assert AuditEvent.objects.filter(
        actor=cast.supervisor, action="view", object_id=str(session.pk)
    ).exists()


def test_centre_staff_get_attendees_without_names_of_families_not_handed_to_them(cast, session):
    body = api_as(cast.centre).get(f"{SESSIONS}{session.pk}/").json()

    assert body["attendees"] == [{
        "id": body["attendees"][0]["id"], "kind": "member", "member": None, "client": None,
        "name": "", "relation": "Ibu", "attended": True,
    }]  # fmt: skip


@pytest.mark.parametrize("role", ["outsider", "referrer", "viewer"])
def test_outsiders_cannot_change_a_session(cast, session, role):
    api = api_as(getattr(cast, role))

    assert api.patch(f"{SESSIONS}{session.pk}/", {"topic": "X"}, format="json").status_code == 404
    assert (
        api.post(f"{SESSIONS}{session.pk}/attendance/", {"name": "X"}, format="json").status_code
        == 404
    )
    assert api.post(
        f"{SESSIONS}{session.pk}/mark/", {"present": []}, format="json"
    ).status_code == (404)
    session.refresh_from_db()
    assert session.topic == "Pola asuh" and session.attendances.filter(attended=True).count() == 1


def test_a_caseworker_records_a_series_meeting_and_its_attendance_through_the_api(cast, family):
    case, mother = family
    api = api_as(cast.caseworker)
    series = api.post(SERIES, {"name": "Ketahanan Keluarga", "village": OKI_VILLAGE,
                               "planned_meetings": 4}, format="json")  # fmt: skip
    assert series.status_code == 201

    created = api.post(SESSIONS, {
        "date": "2023-08-12", "place": "Balai Desa", "village": OKI_VILLAGE,
        "topic": "Komunikasi keluarga", "facilitator": "Siti", "series": series.json()["id"],
        "meeting_number": 1,
    }, format="json")  # fmt: skip
    assert created.status_code == 201, created.json()
    url = f"{SESSIONS}{created.json()['id']}/"
    member = api.post(f"{url}attendance/", {"member": str(mother.pk)}, format="json")
    walk_in = api.post(f"{url}attendance/", {"name": "Marni", "attended": False}, format="json")
    twice = api.post(f"{url}attendance/", {"member": str(mother.pk)}, format="json")
    both = api.post(f"{url}attendance/", {"member": str(mother.pk), "name": "X"}, format="json")

    assert member.status_code == 201 and walk_in.status_code == 201
    assert twice.status_code == 409 and both.status_code == 400
    marni = next(a for a in walk_in.json()["attendees"] if a["name"] == "Marni")
    marked = api.post(f"{url}mark/", {"present": [marni["id"]]}, format="json")
    assert marked.json() == {"present": 1, "absent": 1}
    assert CaseEvent.objects.filter(case=case, verb=CaseEvent.Verb.FAMILY_SESSION).count() == 1
    session = FamilySession.objects.get()
    assert session.series_id is not None and session.meeting_number == 1


def test_a_session_outside_the_area_is_refused(cast):
    response = api_as(cast.caseworker).post(SESSIONS, {
        "date": "2023-08-12", "place": "Balai Desa", "village": OI_VILLAGE, "topic": "X",
        "facilitator": "Siti",
    }, format="json")  # fmt: skip

    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"village": [response.json()["error"]["message"]]}


def test_a_family_member_of_an_unreadable_client_is_not_found(cast, session, make_client):
    stranger = make_client(by=cast.outsider, serial=7, village=OI_VILLAGE)
    member = case_services.family_member_add(
        client=stranger, by=cast.outsider, relation="ayah", full_name="Ayah Orang Lain"
    )

    response = api_as(cast.caseworker).post(
        f"{SESSIONS}{session.pk}/attendance/", {"member": str(member.pk)}, format="json"
    )

    assert response.status_code == 400 and "member" in response.json()["error"]["fields"]


def test_the_list_filters_by_period_and_costs_a_fixed_number_of_queries(
    cast, session, django_assert_max_num_queries
):
    api = api_as(cast.caseworker)

    with django_assert_max_num_queries(8):
        in_2023 = api.get(SESSIONS, {"start": "2023-01-01", "end": "2023-12-31"})
    in_2024 = api.get(SESSIONS, {"start": "2024-01-01"})

    assert in_2023.json()["count"] == 1 and in_2024.json()["count"] == 0


def test_the_outsider_lists_no_series_of_another_regency(cast):
    services.series_create(
        by=cast.caseworker, name="Ketahanan Keluarga", village=OKI_VILLAGE, planned_meetings=4
    )

    assert api_as(cast.outsider).get(SERIES).json()["count"] == 0
    assert api_as(cast.caseworker).get(SERIES).json()["count"] == 1
