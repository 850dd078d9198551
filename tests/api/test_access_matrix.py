"""Who gets what from the clients, referrals and cases API: one pinned status per role and
endpoint, for records inside Ogan Komering Ilir.

The outsider works in Muara Enim; the referrer at BNNK OKI; centre staff at a Sentra whose
area is the whole province, who read only the clients handed to them (none here: issue 12
item 3); the viewer and the admin at Dinsos OKI itself. A refused write
leaves the database as it was; an allowed one changes it.
"""

from dataclasses import dataclass

import pytest

from atensi.audit.models import AuditEvent
from cases.models import Case, CaseEvent, CaseNote, Client, Consent, FamilyMember, Referral
from tests.conftest import ROLES, role_matrix

from .conftest import api_as, open_case, register_client, submit_referral

pytestmark = pytest.mark.django_db


@dataclass
class World:
    client: Client  # with an open case at Dinsos OKI
    walk_in: Client  # registered, with consent, no case yet
    case: Case
    referral: Referral  # submitted by BNNK
    original: Referral  # an earlier BNNK referral of the same person
    family_report: Referral  # entered by Dinsos on behalf of a family


@pytest.fixture
def world(cast):
    client = register_client(cast.caseworker, 1)
    return World(
        client=client,
        walk_in=register_client(cast.caseworker, 2),
        case=open_case(cast.caseworker, client, assigned_to=cast.caseworker),
        referral=submit_referral(cast.referrer, name="Rujukan Baru"),
        original=submit_referral(cast.referrer, name="Rujukan Lama"),
        family_report=submit_referral(cast.caseworker, name="Laporan Keluarga"),
    )


def read_url(endpoint: str, w: World) -> str:
    return {
        "client list": "/api/v1/clients/",
        "client detail": f"/api/v1/clients/{w.client.pk}/",
        "family list": f"/api/v1/clients/{w.client.pk}/family/",
        "consent list": f"/api/v1/clients/{w.client.pk}/consents/",
        "case list": "/api/v1/cases/",
        "case detail": f"/api/v1/cases/{w.case.pk}/",
        "case timeline": f"/api/v1/cases/{w.case.pk}/timeline/",
        "case notes": f"/api/v1/cases/{w.case.pk}/notes/",
        "referral list": "/api/v1/referrals/",
        "referral detail": f"/api/v1/referrals/{w.referral.pk}/",
        "dinsos referral detail": f"/api/v1/referrals/{w.family_report.pk}/",
    }[endpoint]


# The status each role gets on each read.
READS = {
    #                          caseworker supervisor outsider referrer centre viewer admin
    "client list":             (200, 200, 200, 200, 200, 200, 200),
    "client detail":           (200, 200, 404, 404, 404, 404, 200),
    "family list":             (200, 200, 404, 404, 404, 404, 200),
    "consent list":            (200, 200, 404, 404, 404, 404, 200),
    "case list":               (200, 200, 200, 200, 200, 200, 200),
    "case detail":             (200, 200, 404, 404, 404, 404, 200),
    "case timeline":           (200, 200, 404, 404, 404, 404, 200),
    "case notes":              (200, 200, 404, 404, 404, 404, 200),
    "referral list":           (200, 200, 200, 200, 200, 200, 200),
    "referral detail":         (200, 200, 404, 200, 404, 404, 200),
    "dinsos referral detail":  (200, 200, 404, 404, 404, 404, 200),
}  # fmt: skip

# How many rows each role finds in each list: the referrer only their own organisation's
# referrals, the outsider, the viewer and centre staff (no client handed to them) nothing.
LIST_ROWS = {
    #                          caseworker supervisor outsider referrer centre viewer admin
    "client list":             (2, 2, 0, 0, 0, 0, 2),
    "case list":               (1, 1, 0, 0, 0, 0, 1),
    "referral list":           (3, 3, 0, 2, 0, 0, 3),
}  # fmt: skip


@pytest.mark.parametrize(
    ("endpoint", "role", "status"),
    role_matrix(READS),
)
def test_each_role_gets_the_pinned_status_on_each_read(cast, world, endpoint, role, status):
    response = api_as(getattr(cast, role)).get(read_url(endpoint, world))

    assert response.status_code == status, response.content
    if status == 404:
        assert response.json()["error"]["code"] == "not_found"
    if endpoint in LIST_ROWS:
        assert response.json()["count"] == LIST_ROWS[endpoint][ROLES.index(role)]


def write(endpoint: str, w: World, cast) -> tuple[str, dict]:
    return {
        "add family member": (
            f"/api/v1/clients/{w.client.pk}/family/",
            {"relation": "ibu", "full_name": "Ibu Klien"},
        ),
        "record consent": (
            f"/api/v1/clients/{w.client.pk}/consents/",
            {"given_by": "client", "basis": "consent", "purposes": ["aid"], "date": "2025-02-01"},
        ),
        "add note": (f"/api/v1/cases/{w.case.pk}/notes/", {"text": "Kunjungan rumah"}),
        "transition": (
            f"/api/v1/cases/{w.case.pk}/transition/",
            {"to_stage": "assessment", "reason": "Siap asesmen"},
        ),
        "assign": (f"/api/v1/cases/{w.case.pk}/assign/", {"assignee": cast.caseworker2.pk}),
        "accept referral": (
            f"/api/v1/referrals/{w.referral.pk}/accept/",
            {"client": str(w.walk_in.pk)},
        ),
        "decline referral": (
            f"/api/v1/referrals/{w.referral.pk}/decline/",
            {"reason": "Domisili di luar kabupaten"},
        ),
        "mark referral duplicate": (
            f"/api/v1/referrals/{w.referral.pk}/mark-duplicate/",
            {"original": str(w.original.pk)},
        ),
        "open case": ("/api/v1/cases/", {"client": str(w.walk_in.pk)}),
    }[endpoint]


# The status each role gets on each write. 404: the record is outside what the role may
# see (for centre staff, a client not handed to them); 403: the role sees it but may not do
# this (the admin does not work on a Dinsos case); 400: the client named in the body is not
# found for this caller.
WRITES = {
    #                          caseworker supervisor outsider referrer centre viewer admin
    "add family member":       (201, 201, 404, 404, 404, 404, 403),
    "record consent":          (201, 201, 404, 404, 404, 404, 403),
    "add note":                (201, 201, 404, 404, 404, 404, 403),
    "transition":              (200, 200, 404, 404, 404, 404, 403),
    "assign":                  (403, 200, 404, 404, 404, 404, 403),
    "accept referral":         (200, 200, 404, 400, 404, 404, 403),
    "decline referral":        (200, 200, 404, 403, 404, 404, 403),
    "mark referral duplicate": (200, 200, 404, 403, 404, 404, 403),
    "open case":               (201, 201, 400, 400, 400, 400, 403),
}  # fmt: skip


def database(w: World) -> dict:
    """What the writes above could change."""
    case = Case.objects.get(pk=w.case.pk)
    return {
        "cases": sorted(Case.objects.values_list("reference", "organisation_id", "stage")),
        "assigned to": case.assigned_to_id,
        "notes": CaseNote.objects.count(),
        "events": CaseEvent.objects.count(),
        "family": FamilyMember.objects.count(),
        "consents": Consent.objects.count(),
        "clients": Client.objects.count(),
        "referrals": sorted(Referral.objects.values_list("reference", "status", "client_id")),
        "changes audited": AuditEvent.objects.exclude(action=AuditEvent.Action.VIEW).count(),
    }


@pytest.mark.parametrize(
    ("endpoint", "role", "status"),
    role_matrix(WRITES),
)
def test_each_role_gets_the_pinned_status_on_each_write_and_a_refused_one_changes_nothing(
    cast, world, endpoint, role, status
):
    url, body = write(endpoint, world, cast)
    before = database(world)

    response = api_as(getattr(cast, role)).post(url, body, format="json")

    assert response.status_code == status, response.content
    if status < 300:
        assert database(world) != before
    else:
        assert set(response.json()) == {"error"}
        assert database(world) == before
