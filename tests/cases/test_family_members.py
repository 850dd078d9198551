"""Family members on the client page: corrected and removed by the client's organisation,
with the history of who changed what, and attendance kept when a member is removed."""

import datetime

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from atensi.audit.models import AuditEvent
from cases import services
from cases.models import CaseEvent, FamilyMember
from rehab.services import family as family_services
from tests.conftest import OKI_VILLAGE, make_nik


@pytest.fixture
def family(cast, make_case):
    case = make_case(full_name="Rudi Hartono")
    member = services.family_member_add(
        client=case.client, by=cast.caseworker, relation="ibu", full_name="Sulastri",
        phone="081200000001",
    )  # fmt: skip
    return case, member


def edit_url(member):
    return reverse("cases:family-edit", args=[member.client_id, member.pk])


def remove_url(member):
    return reverse("cases:family-remove", args=[member.client_id, member.pk])


def test_a_caseworker_corrects_a_family_member_on_the_client_page(cast, family, browse):
    case, member = family

    response = browse("caseworker2").post(edit_url(member), {
        "relation": "ibu", "full_name": "Sulastri Hartono", "nik": "", "phone": "081299999999",
    })  # fmt: skip

    assert response.status_code == 302
    member.refresh_from_db()
    assert (member.full_name, member.phone) == ("Sulastri Hartono", "081299999999")
    event = CaseEvent.objects.get(case=case, verb=CaseEvent.Verb.FAMILY_UPDATED)
    assert event.actor == cast.caseworker2
    audit = AuditEvent.objects.get(action="update", object_type="familymember")
    assert audit.summary.endswith("fields: full_name, phone") and "Sulastri" not in audit.summary


def test_the_client_page_shows_who_changed_the_family_record_and_how(cast, family, browse):
    case, member = family
    browser = browse("caseworker2")
    browser.post(edit_url(member), {"relation": "ibu", "full_name": "Sulastri Hartono",
                                    "nik": "", "phone": "081200000001"})  # fmt: skip

    html = browser.get(reverse("cases:client-detail", args=[case.client_id])).content.decode()

    assert 'id="family-history"' in html
    assert "“Sulastri” → “Sulastri Hartono”" in html
    assert "Caseworker2" in html  # who changed it
    assert "Caseworker" in html  # who added the member


def test_a_wrong_nik_is_refused_with_its_reason(family, browse):
    _case, member = family

    response = browse("caseworker").post(
        edit_url(member), {"relation": "ibu", "full_name": "Sulastri", "nik": "123"}
    )

    assert response.status_code == 200
    member.refresh_from_db()
    assert member.nik == ""


def test_removing_a_family_member_keeps_the_row_and_their_attendance(cast, family, browse):
    case, member = family
    session = family_services.session_create(
        by=cast.caseworker, date=datetime.date(2023, 8, 12), place="Balai Desa",
        village=OKI_VILLAGE, topic="Pola asuh", facilitator="Siti",
    )  # fmt: skip
    family_services.attendance_add_members(session=session, by=cast.caseworker, members=[member])
    browser = browse("caseworker")

    response = browser.post(remove_url(member))

    assert response.status_code == 302
    member.refresh_from_db()
    assert member.removed_at is not None
    assert not case.client.family.current().exists()
    assert session.attendances.get().member == member
    assert CaseEvent.objects.filter(case=case, verb=CaseEvent.Verb.FAMILY_REMOVED).exists()
    html = browser.get(reverse("cases:client-detail", args=[case.client_id])).content.decode()
    assert 'id="family-' + str(member.pk) + '"' not in html  # no longer in the family list
    session_page = browser.get(reverse("rehab:family-session-detail", args=[session.pk]))
    assert "Sulastri" in session_page.content.decode()
    fragment = browser.get(reverse("rehab:family-client-sessions", args=[case.client_id]))
    assert "Pola asuh" in fragment.content.decode()


def test_a_removed_member_cannot_be_changed_or_removed_again(family, browse):
    _case, member = family
    browser = browse("caseworker")
    browser.post(remove_url(member))

    assert browser.get(edit_url(member)).status_code == 404
    assert browser.post(remove_url(member)).status_code == 404


def test_the_api_lists_only_the_current_family(cast, family):
    case, member = family
    services.family_member_add(client=case.client, by=cast.caseworker, relation="ayah",
                               full_name="Hartono")  # fmt: skip
    services.family_member_remove(member=member, by=cast.caseworker)
    api = APIClient()
    api.force_authenticate(cast.caseworker)

    response = api.get(f"/api/v1/clients/{case.client_id}/family/")

    assert [row["full_name"] for row in response.json()["results"]] == ["Hartono"]


@pytest.mark.parametrize(
    ("role", "expected"),
    [("outsider", 404), ("referrer", 404), ("viewer", 404), ("centre", 404), ("admin", 404)],
)
def test_only_the_client_organisation_changes_the_family(family, browse, role, expected):
    _case, member = family
    browser = browse(role)

    assert browser.get(edit_url(member)).status_code == expected
    assert browser.post(edit_url(member), {"relation": "ayah", "full_name": "X"}).status_code == (
        expected
    )
    assert browser.post(remove_url(member)).status_code == expected
    member.refresh_from_db()
    assert member.full_name == "Sulastri" and member.removed_at is None


def test_another_organisation_in_the_area_may_read_but_not_change_the_family(cast, family, browse):
    _case, member = family
    cast.outsider.organisation = cast.bnnk
    cast.outsider.save()

    # A caseworker of another organisation serving OKI reads the client but gets a 403 here,
    # as on the client's edit page.
    assert browse("outsider").get(edit_url(member)).status_code == 403
    assert FamilyMember.objects.get(pk=member.pk).full_name == "Sulastri"


def test_a_member_id_of_another_client_is_not_found(cast, family, make_client, browse):
    _case, member = family
    other = make_client(serial=5, nik=make_nik(serial=5))

    url = reverse("cases:family-edit", args=[other.pk, member.pk])

    assert browse("caseworker").get(url).status_code == 404


def test_the_api_corrects_and_removes_a_family_member(cast, family):
    case, member = family
    api = APIClient()
    api.force_authenticate(cast.caseworker)
    url = f"/api/v1/clients/{case.client_id}/family/{member.pk}/"

    changed = api.patch(url, {"phone": "081277777777"}, format="json")
    removed = api.delete(url)
    again = api.delete(url)

    assert changed.status_code == 200 and changed.json()["phone"] == "081277777777"
    assert removed.status_code == 204 and again.status_code == 404
    member.refresh_from_db()
    assert member.removed_at is not None and member.phone == "081277777777"


@pytest.mark.parametrize("role", ["outsider", "referrer", "viewer", "centre"])
def test_the_api_hides_a_family_member_from_outsiders(cast, family, role):
    case, member = family
    api = APIClient()
    api.force_authenticate(getattr(cast, role))
    url = f"/api/v1/clients/{case.client_id}/family/{member.pk}/"

    assert api.patch(url, {"phone": "0"}, format="json").status_code == 404
    assert api.delete(url).status_code == 404
    member.refresh_from_db()
    assert member.removed_at is None
