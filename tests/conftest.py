"""Shared test set-up: the real Kemendagri regions, and the fixed cast of people.

The regions are loaded once per session into the test database, as `make run` does.
The cast follows STYLE.md: the assigned caseworker, a supervisor, an outsider from another
regency, a BNNK referrer, centre staff, a viewer and an admin.
"""

import contextlib
import datetime
import io
import uuid
from dataclasses import dataclass

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import transaction
from django.test import Client as Browser
from django.test import TestCase, override_settings
from django.utils import translation
from django.utils.html import escape
from PIL import Image

from atensi.accounts.models import Organisation, User
from atensi.regions.models import Region
from cases import services
from tests import logcheck

PASSWORD = "kata-sandi-uji-2026"
OKI_VILLAGE = "16.02.05.1002"  # Kayuagung, Kec. Kayu Agung, Kab. Ogan Komering Ilir
OKI_VILLAGE_2 = "16.02.03.2008"  # Cinta Jaya, Kec. Pedamaran
OI_VILLAGE = "16.10.01.2005"  # Munggu, Kab. Ogan Ilir: outside OKI


def make_nik(village: str = OKI_VILLAGE, birth=datetime.date(1990, 1, 1), sex="L", serial=1):
    day = birth.day + (40 if sex == "P" else 0)
    district = "".join(village.split(".")[:3])
    return f"{district}{day:02d}{birth.month:02d}{birth.year % 100:02d}{serial:04d}"


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        call_command("load_regions", stdout=io.StringIO())


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


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


def _org(name, kind, *codes):
    org = Organisation.objects.create(name=name, kind=kind)
    org.service_area.set(Region.objects.filter(code__in=codes))
    return org


@pytest.fixture
def cast(db, _fast_passwords):
    return make_cast()


def make_cast() -> Cast:
    """The cast, made in the database now (a test module may share one)."""
    dinsos = _org("Dinsos OKI", Organisation.Kind.DINSOS_REGENCY, "16.02")
    other = _org("Dinsos Ogan Ilir", Organisation.Kind.DINSOS_REGENCY, "16.10")
    bnnk = _org("BNNK OKI", Organisation.Kind.BNNK, "16.02")
    sentra = _org("Sentra Phalamarta", Organisation.Kind.SENTRA, "16", "32")
    viewer_org = _org("Pemkab OKI", Organisation.Kind.OTHER, "16.02")

    def user(username, org, role, **extra):
        return User.objects.create_user(
            username=username, password=PASSWORD, organisation=org, role=role,
            first_name=username.title(), **extra,
        )  # fmt: skip

    return Cast(
        dinsos=dinsos, other_dinsos=other, bnnk=bnnk, sentra=sentra,
        caseworker=user("caseworker", dinsos, User.Role.CASEWORKER),
        caseworker2=user("caseworker2", dinsos, User.Role.CASEWORKER),
        supervisor=user("supervisor", dinsos, User.Role.SUPERVISOR),
        outsider=user("outsider", other, User.Role.CASEWORKER),
        referrer=user("referrer", bnnk, User.Role.REFERRER),
        centre=user("centre", sentra, User.Role.CENTRE),
        viewer=user("viewer", viewer_org, User.Role.VIEWER),
        admin=user("admin", dinsos, User.Role.ADMIN, is_staff=True),
    )  # fmt: skip


def client_kwargs(serial=1, village=OKI_VILLAGE, sex="L", birth=datetime.date(1990, 1, 1), **extra):
    data = {
        "nik": make_nik(village, birth, sex, serial),
        "full_name": f"Klien Uji {serial}",
        "sex": sex,
        "birth_date": birth,
        "address": "Jl. Merdeka 1",
        "village": village,
    }
    data.update(extra)
    return data


def consent_kwargs(**extra):
    data = {
        "given_by": "client",
        "basis": "consent",
        "purposes": ["assessment", "rehabilitation", "aid"],
        "date": datetime.date(2026, 1, 5),
    }
    data.update(extra)
    return data


@pytest.fixture
def make_client(cast):
    """Register a client (with consent) through the service, as a caseworker would."""

    def make(by=None, consent=True, **kwargs):
        by = by or cast.caseworker
        client = services.client_register(by=by, **client_kwargs(**kwargs))
        if consent:
            services.consent_record(client=client, by=by, **consent_kwargs())
        return client

    return make


def referral_kwargs(**extra):
    data = {
        "source": "bnnk",
        "referring_officer": "Petugas BNNK",
        "referral_date": datetime.date(2026, 1, 10),
        "full_name": "Orang Dirujuk",
        "sex": "L",
        "region": OKI_VILLAGE,
        "reason": "Rawat jalan",
    }
    data.update(extra)
    return data


@pytest.fixture
def make_referral(cast):
    def make(by=None, **extra):
        return services.referral_submit(by=by or cast.referrer, **referral_kwargs(**extra))

    return make


@pytest.fixture
def make_case(cast, make_client):
    def make(client=None, by=None, **kwargs):
        by = by or cast.caseworker
        client = client or make_client(by=by, **kwargs)
        return services.case_open(
            client=client, by=by, organisation=by.organisation, assigned_to=by
        )

    return make


def pdf_file(name="surat-rujukan.pdf", padding=0):
    """A small but structurally complete PDF (objects, xref pointer, end marker)."""
    body = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\n" + b" " * padding
    tail = b"xref\n0 1\n0000000000 65535 f \ntrailer\n<< /Root 1 0 R >>\nstartxref\n9\n%%EOF\n"
    return SimpleUploadedFile(name, body + tail, "application/pdf")


def png_bytes(size=(4, 4)):
    buffer = io.BytesIO()
    Image.new("RGB", size, "white").save(buffer, "PNG")
    return buffer.getvalue()


def png_file(name="hasil-tes-urin.png"):
    return SimpleUploadedFile(name, png_bytes(), "image/png")


# The cast's roles in the order of the access matrices' columns.
ROLES = ["caseworker", "supervisor", "outsider", "referrer", "centre", "viewer", "admin"]


def role_matrix(table: dict) -> list[tuple]:
    """(key, role, expected) for every cell of an access matrix {key: one value per role}."""
    return [(key, role, row[i]) for key, row in table.items() for i, role in enumerate(ROLES)]


@pytest.fixture
def browse(cast):
    """A browser logged in as one of the cast, by role name."""

    def as_(role: str) -> Browser:
        browser = Browser()
        browser.force_login(getattr(cast, role))
        return browser

    return as_


def referral_form(**extra):
    """The referral page's fields, filled in for a BNNK referral in Ogan Komering Ilir."""
    data = {
        "source": "bnnk",
        "referring_officer": "Petugas BNNK",
        "referral_date": "2026-01-10",
        "nik": "",
        "full_name": "Budi Saputra",
        "sex": "L",
        "birth_date": "1990-01-01",
        "region": OKI_VILLAGE,
        "urine_test": "positive",
        "legal_status": "none",
        "reason": "Hasil asesmen terpadu: rawat jalan",
    }
    data.update(extra)
    return data


def client_form(**extra):
    """The client page's fields with consent, filled in for a client in Ogan Komering Ilir."""
    data = {
        "nik": make_nik(serial=9),
        "full_name": "Dedi Hidayat",
        "sex": "L",
        "birth_date": "1990-01-01",
        "address": "Jl. Pahlawan 3",
        "village": OKI_VILLAGE,
        "consent-basis": "consent",
        "consent-given_by": "client",
        "consent-purposes": ["assessment"],
        "consent-date": "2026-01-12",
    }
    data.update(extra)
    return data


def said(message: str, **params) -> str:
    """A text in Indonesian as the page or the API says it (not escaped)."""
    with translation.override("id"):
        text = translation.gettext(message)
    return text % params if params else text


def shown(message: str, **params) -> str:
    """A message as the Indonesian page shows it: translated, filled in, HTML-escaped."""
    return escape(said(message, **params))


@contextlib.contextmanager
def module_world(django_db_blocker, tmp_path_factory, name: str):
    """The set-up of records built once for a whole module and rolled back at its end: a
    media folder (yielded), fast password hashes, a cache of the module's own (the API's
    throttles count in it), one transaction around it all."""
    media = tmp_path_factory.mktemp("media")
    fast = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    cache = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                         "LOCATION": f"{name}-{media.name}"}}  # fmt: skip
    with (
        django_db_blocker.unblock(),
        override_settings(MEDIA_ROOT=media, PASSWORD_HASHERS=fast, CACHES=cache),
        transaction.atomic(),
        pytest.MonkeyPatch.context() as patch,
    ):
        # After each test Django checks the deferred constraints of the whole transaction,
        # which here holds the module's records: 70 ms a test. The tests write nothing to check.
        patch.setattr(TestCase, "_should_check_constraints", lambda self, connection: False)
        yield media
        transaction.set_rollback(True)


@pytest.fixture
def logs_checked(db):
    """Fails the test when what the project's log handlers printed during it, or a log file
    added to the list it yields (a separate worker's), holds a person's name or NIK."""
    files = []
    with logcheck.Tap() as tap:
        yield files
    logcheck.check({"the log handlers' output": tap.text(), **logcheck.read(files)})


@pytest.fixture
def private_cache(settings):
    """An empty cache of the test's own: throttles count in the cache."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": uuid.uuid4().hex,
        }
    }
