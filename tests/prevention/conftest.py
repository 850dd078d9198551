"""A small programme year of BNNK OKI (the cast's referrer) to read back: activities in two
districts, urine tests, an enforcement year and village assessments with history."""

import datetime

import pytest

from atensi.accounts.models import Organisation, User
from atensi.regions.models import Region
from prevention import services

KAYUAGUNG = "16.02.05.1002"  # Kec. Kayu Agung
KUTARAJA = "16.02.05.1010"  # Kec. Kayu Agung
CINTA_JAYA = "16.02.03.2008"  # Kec. Pedamaran
BALIAN = "16.02.21.2002"  # Kec. Mesuji Raya
DABUK_MAKMUR = "16.02.21.2017"  # Kec. Mesuji Raya
MUNGGU = "16.10.01.2005"  # Ogan Ilir: outside OKI


@pytest.fixture
def record(cast):
    """Record an activity as BNNK OKI's referrer."""

    def make(type="sosialisasi", date=datetime.date(2026, 3, 10), village=KAYUAGUNG, by=None,
             **extra):  # fmt: skip
        data = {"place": "Balai desa", "target": "Karang taruna", "participants": 10}
        data.update(extra)
        return services.activity_create(
            by=by or cast.referrer, type=type, date=date, village=village, **data
        )

    return make


@pytest.fixture
def assess(cast):
    def make(village, status, on, by=None, assessed_by="BNN"):
        return services.village_status_record(
            by=by or cast.referrer, village=village, status=status, assessed_on=on,
            assessed_by=assessed_by,
        )  # fmt: skip

    return make


@pytest.fixture
def other_bnnk(db):
    """The referrer of a BNNK serving Ogan Ilir."""
    org = Organisation.objects.create(name="BNNK Ogan Ilir", kind=Organisation.Kind.BNNK)
    org.service_area.set(Region.objects.filter(code="16.10"))
    return User.objects.create_user(
        username="referrer-oi", password="x", organisation=org, role=User.Role.REFERRER
    )


@pytest.fixture
def year(cast, record, assess):
    """The hand-counted fixture the summaries are checked against."""
    d = datetime.date
    record(type="sosialisasi", date=d(2026, 2, 3), village=KAYUAGUNG, participants=40)
    record(type="talkshow", date=d(2026, 3, 4), village=CINTA_JAYA, participants=60)
    record(type="ketahanan_keluarga", date=d(2026, 4, 5), village=KUTARAJA, participants=20,
           meetings=4)  # fmt: skip
    record(type="bimtek_desa_bersinar", date=d(2026, 5, 6), village="16.02.21", participants=30)
    record(type="tes_urine", date=d(2026, 6, 7), village=KAYUAGUNG, participants=0,
           urine_results=[{"institution": "Diskominfo", "tested": 25, "positive": 1},
                          {"institution": "DPMD", "tested": 16, "positive": 0}])  # fmt: skip
    record(type="tes_urine", date=d(2026, 7, 8), village=CINTA_JAYA, participants=0,
           urine_results=[{"institution": "Diskominfo", "tested": 5, "positive": 2}])  # fmt: skip
    # Outside the range the summaries are asked about (2026-02-01 .. 2026-07-31):
    record(type="sosialisasi", date=d(2025, 12, 30), village=KAYUAGUNG, participants=99)
    record(type="sosialisasi", date=d(2026, 8, 1), village=KAYUAGUNG, participants=77)

    services.enforcement_target_set(by=cast.referrer, year=2026, target_cases=4)
    services.enforcement_record(by=cast.referrer, year=2026, period="Q1", cases=2, suspects=3)
    services.enforcement_record(by=cast.referrer, year=2026, period="Q2", cases=1, suspects=1)
    services.enforcement_record(by=cast.referrer, year=2026, period="Q3", cases=5, suspects=6)

    assess(KAYUAGUNG, "waspada", d(2024, 5, 1))
    assess(KAYUAGUNG, "bahaya", d(2026, 5, 1))
    assess(KUTARAJA, "bahaya", d(2024, 5, 1))
    assess(KUTARAJA, "siaga", d(2026, 5, 1))
    assess(CINTA_JAYA, "bahaya", d(2026, 1, 10))
    assess(BALIAN, "aman", d(2025, 1, 10))
    assess(DABUK_MAKMUR, "waspada", d(2026, 9, 1))  # after the date asked about
    services.desa_bersinar_designate(by=cast.referrer, village=BALIAN,
                                     designated_on=d(2025, 2, 1))  # fmt: skip
    services.desa_bersinar_designate(by=cast.referrer, village=DABUK_MAKMUR,
                                     designated_on=d(2026, 9, 2))  # fmt: skip
