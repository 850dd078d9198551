"""A fixed cast for the API tests: the organisations and users of two regencies.

Built once per test module inside a transaction that is rolled back when the module ends
(each test's own rows roll back after the test as usual), so it shadows the per-test `cast`
of tests/conftest.py here. The users have no usable password; tests that sign in with one
set it first (`with_passwords`), under whichever password hasher the test runs with.
"""

import datetime
from dataclasses import dataclass

import pytest
from django.contrib.auth.hashers import make_password
from django.db import transaction
from rest_framework.test import APIClient

from atensi.accounts.models import Organisation, User
from atensi.regions.models import Region
from cases import services
from cases.models import Client, Consent, Referral

PASSWORD = "kata-sandi-uji-2025"
VILLAGE = "16.02.05.2001"  # Ogan Komering Ilir
OTHER_VILLAGE = "16.03.05.2001"  # Muara Enim, outside Dinsos OKI's area
BIRTH_DATE = datetime.date(1990, 1, 1)


def nik(serial: int = 1, *, district: str = "160205", female: bool = False) -> str:
    """A valid NIK of someone born on 1 January 1990 (the day plus 40 for a woman)."""
    day = "41" if female else "01"
    return f"{district}{day}0190{serial:04d}"


@dataclass
class Cast:
    dinsos: Organisation
    other_dinsos: Organisation
    bnnk: Organisation
    sentra: Organisation
    caseworker: User
    caseworker2: User
    supervisor: User
    outsider: User
    referrer: User
    centre: User
    viewer: User
    admin: User


def _region(code: str, name: str, level: int, parent: Region | None) -> Region:
    # get_or_create: another module may have loaded the full region list into this session.
    region, _ = Region.objects.get_or_create(
        code=code, defaults={"name": name, "level": level, "parent": parent}
    )
    return region


def _org(name: str, kind: str, *area: Region) -> Organisation:
    org = Organisation.objects.create(name=name, kind=kind)
    org.service_area.add(*area)
    return org


@pytest.fixture(scope="module")
def cast(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        Level = Region.Level
        province = _region("16", "Sumatera Selatan", Level.PROVINCE, None)
        oki = _region("16.02", "Ogan Komering Ilir", Level.REGENCY, province)
        district = _region("16.02.05", "Kayu Agung", Level.DISTRICT, oki)
        _region(VILLAGE, "Sukadana", Level.VILLAGE, district)
        muara_enim = _region("16.03", "Muara Enim", Level.REGENCY, province)
        other_district = _region("16.03.05", "Gunung Megang", Level.DISTRICT, muara_enim)
        _region(OTHER_VILLAGE, "Gunung Megang Dalam", Level.VILLAGE, other_district)

        dinsos = _org("Dinsos OKI (uji API)", Organisation.Kind.DINSOS_REGENCY, oki)
        other = _org("Dinsos Muara Enim (uji API)", Organisation.Kind.DINSOS_REGENCY, muara_enim)
        bnnk = _org("BNNK OKI (uji API)", Organisation.Kind.BNNK, oki)
        sentra = _org("Sentra Phalamarta (uji API)", Organisation.Kind.SENTRA, province)

        def user(username, org, role, first_name, **extra):
            return User.objects.create_user(
                username=username, password=None, organisation=org, role=role,
                first_name=first_name, **extra,
            )  # fmt: skip

        Role = User.Role
        yield Cast(
            dinsos=dinsos,
            other_dinsos=other,
            bnnk=bnnk,
            sentra=sentra,
            caseworker=user("api-pekerja", dinsos, Role.CASEWORKER, "Siti"),
            caseworker2=user("api-pekerja2", dinsos, Role.CASEWORKER, "Budi"),
            supervisor=user("api-kasi", dinsos, Role.SUPERVISOR, "Rahmat"),
            outsider=user("api-luar", other, Role.CASEWORKER, "Dewi"),
            referrer=user("api-bnnk", bnnk, Role.REFERRER, "Andi"),
            centre=user("api-sentra", sentra, Role.CENTRE, "Wati"),
            viewer=user("api-bupati", dinsos, Role.VIEWER, "Bupati"),
            admin=user("api-admin", dinsos, Role.ADMIN, "Admin", is_staff=True),
        )
        transaction.set_rollback(True)


@pytest.fixture
def with_passwords(cast):
    """Give every user of the cast the password PASSWORD, hashed by the current hasher."""
    users = User.objects.filter(username__startswith="api-")
    users.update(password=make_password(PASSWORD))


def api_as(user: User | None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def register_client(
    by: User, serial: int = 1, *, village: str = VILLAGE, district: str = "160205",
    name: str | None = None, consent: bool = True,
) -> Client:  # fmt: skip
    client = services.client_register(
        by=by,
        nik=nik(serial, district=district),
        full_name=name or f"Klien Uji {serial}",
        sex="L",
        birth_date=BIRTH_DATE,
        address="Jl. Lintas Timur No. 1",
        village=village,
    )
    if consent:
        services.consent_record(
            client=client, by=by, given_by=Consent.GivenBy.CLIENT, basis=Consent.Basis.CONSENT,
            purposes=[Consent.Purpose.ASSESSMENT], date=datetime.date(2025, 1, 6),
        )  # fmt: skip
    return client


def submit_referral(by: User, *, region: str = VILLAGE, nik: str = "", name: str = "Rujukan Uji"):
    # Partners refer with their own source; Dinsos staff enter a family's report.
    source = Referral.Source.BNNK if by.role == User.Role.REFERRER else Referral.Source.FAMILY
    return services.referral_submit(
        by=by,
        source=source,
        referring_officer="Petugas BNNK",
        referral_date=datetime.date(2025, 1, 6),
        full_name=name,
        sex="L",
        region=region,
        reason="Hasil asesmen terpadu",
        nik=nik,
        birth_date=BIRTH_DATE if nik else None,
    )


def open_case(by: User, client: Client, **kwargs):
    return services.case_open(client=client, by=by, organisation=by.organisation, **kwargs)


def assert_error_body(response, status: int) -> dict:
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "fields"}
    return body["error"]
