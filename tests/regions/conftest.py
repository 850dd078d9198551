import io

import pytest
from django.core.management import call_command

from atensi.accounts.models import Organisation, User
from atensi.regions.models import Region


@pytest.fixture(scope="session")
def regions_loaded(django_db_setup, django_db_blocker):
    """All 91,599 Kemendagri regions, loaded once per test session by `load_regions`.

    The rows are committed outside any test's transaction, so they stay for the whole session
    (a few seconds to load). Tests using it still need `db`; their own changes roll back. A
    `transactional_db` test flushes every table, regions included: do not mix the two.
    """
    with django_db_blocker.unblock():
        call_command("load_regions", stdout=io.StringIO())


def make_user(username: str, *area_codes: str, role: str = User.Role.CASEWORKER) -> User:
    org = Organisation.objects.create(name=f"Org {username}", kind="dinsos_kab")
    org.service_area.add(*Region.objects.filter(code__in=area_codes))
    return User.objects.create_user(
        username=username, password="pw-not-used-1234", organisation=org, role=role
    )


@pytest.fixture
def oki_caseworker(db, regions_loaded):
    """A caseworker of Dinsos Ogan Komering Ilir: service area regency 16.02."""
    return make_user("oki", "16.02")


@pytest.fixture
def palembang_caseworker(db, regions_loaded):
    """An outsider: a caseworker whose area is Kota Palembang (16.71)."""
    return make_user("plg", "16.71")
