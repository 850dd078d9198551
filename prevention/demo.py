"""The prevention demo: BNNK Ogan Komering Ilir's year 2023 as the narcotics board published
it — 3 cases with 3 suspects against a target of 1; a family-resilience programme in Kutaraya
(4 meetings, 20 participants); Desa Bersinar guidance in Balian and Dabuk Makmur (30
participants); talk shows at two schools; urine tests at six government offices; 40 P4GN
activists inaugurated — and the regency's villages as BNN assessed them in 2023 and 2025
(7 Bahaya and 34 Waspada in 2025).

The report names no schools, no positives and no list of villages: the demo places the talk
shows in Kayu Agung, records no positive urine test, and picks the assessed villages with a
fixed seed. Every write goes through the services, as the BNNK's staff would make it.
"""

from __future__ import annotations

import datetime
import random

from django.conf import settings
from django.db import transaction
from django.utils import translation

from atensi.regions.models import Region

from . import services
from .models import Activity as ActivityModel
from .models import ActivityType, Assessor, Period, Vulnerability

OKI = "16.02"
KAYU_AGUNG = "16.02.05"
KUTARAYA = "16.02.05.1010"  # Kutaraja, Kec. Kayu Agung
MESUJI_RAYA = "16.02.21"
BALIAN = "16.02.21.2002"
DABUK_MAKMUR = "16.02.21.2017"
LEMPUING = "16.02.13"  # Samsat Tugumulyo

YEAR = 2023
CASES, SUSPECTS, TARGET = 3, 3, 1

# (type, date, place code, place, target group, participants, meetings, description, urine rows)
ACTIVITIES = [
    (ActivityType.FAMILY_RESILIENCE, datetime.date(2023, 7, 15), KUTARAYA, "Kelurahan Kutaraya",
     "Keluarga di Kelurahan Kutaraya", 20, 4,
     "Program Ketahanan Keluarga Anti Narkoba: empat kali pertemuan.", []),
    (ActivityType.DESA_BERSINAR_GUIDANCE, datetime.date(2023, 9, 12), MESUJI_RAYA,
     "Desa Balian dan Desa Dabuk Makmur", "Perangkat desa dan relawan Desa Bersinar", 30, 1,
     "Bimbingan teknis Desa Bersinar di Desa Balian dan Desa Dabuk Makmur.", []),
    (ActivityType.TALK_SHOW, datetime.date(2023, 10, 5), KAYU_AGUNG, "Sekolah pertama",
     "Pelajar", 0, 1, "Talk show P4GN di sekolah; jumlah peserta tidak dilaporkan.", []),
    (ActivityType.TALK_SHOW, datetime.date(2023, 10, 19), KAYU_AGUNG, "Sekolah kedua",
     "Pelajar", 0, 1, "Talk show P4GN di sekolah; jumlah peserta tidak dilaporkan.", []),
    (ActivityType.ACTIVIST_TRAINING, datetime.date(2023, 6, 20), KAYU_AGUNG, "Kayuagung",
     "Penggiat P4GN lingkungan pemerintah", 20, 1, "Pengukuhan penggiat anti narkoba.", []),
    (ActivityType.ACTIVIST_TRAINING, datetime.date(2023, 6, 21), KAYU_AGUNG, "Kayuagung",
     "Penggiat P4GN lingkungan pendidikan", 20, 1, "Pengukuhan penggiat anti narkoba.", []),
    (ActivityType.URINE_TEST, datetime.date(2023, 3, 14), KAYU_AGUNG, "Kayuagung",
     "Instansi pemerintah", 0, 1, "Tes urine pegawai instansi pemerintah.",
     [("Diskominfo", 25), ("Kecamatan Kota Kayuagung", 25), ("KPP Pratama Kayuagung", 7),
      ("Dinas Pendidikan", 17), ("DPMD", 16)]),
    (ActivityType.URINE_TEST, datetime.date(2023, 5, 9), LEMPUING, "Tugumulyo",
     "Instansi pemerintah", 0, 1, "Tes urine pegawai Samsat.", [("Samsat Tugumulyo", 18)]),
]  # fmt: skip

# The regency's villages as BNN assessed them: (date, counts per status).
ASSESSMENTS = [
    (datetime.date(2023, 8, 1), {"bahaya": 4, "waspada": 29, "siaga": 63, "aman": 45}),
    (datetime.date(2025, 8, 1), {"bahaya": 7, "waspada": 34, "siaga": 60, "aman": 40}),
]
DESA_BERSINAR = [(BALIAN, datetime.date(2023, 2, 14)), (DABUK_MAKMUR, datetime.date(2023, 2, 14))]
MARKER = "Program Ketahanan Keluarga Anti Narkoba: empat kali pertemuan."


def load(*, users: dict, stdout=None) -> bool:
    """Add BNNK OKI's programme year and the village assessments; False (changing nothing)
    when they are there already or the demo's BNNK user is missing."""
    referrer = users.get("demo-referrer")
    if referrer is None:
        return False
    if ActivityModel.objects.filter(
        organisation=referrer.organisation, description=MARKER
    ).exists():
        return False
    with translation.override(settings.LANGUAGE_CODE), transaction.atomic():
        _load(referrer)
    if stdout is not None:
        stdout.write(
            f"Demo prevention: {len(ACTIVITIES)} BNNK activities in {YEAR}, {CASES} cases "
            f"against a target of {TARGET}; village statuses 2023 and 2025 "
            f"({ASSESSMENTS[-1][1]['bahaya']} Bahaya, {ASSESSMENTS[-1][1]['waspada']} Waspada)."
        )
    return True


def _load(referrer) -> None:
    for type_, date, code, place, target, participants, meetings, text, rows in ACTIVITIES:
        services.activity_create(
            by=referrer, type=type_, date=date, village=code, place=place, target=target,
            participants=participants, meetings=meetings, description=text,
            urine_results=[{"institution": i, "tested": n, "positive": 0} for i, n in rows],
        )  # fmt: skip
    services.enforcement_target_set(by=referrer, year=YEAR, target_cases=TARGET)
    services.enforcement_record(
        by=referrer, year=YEAR, period=Period.YEAR, cases=CASES, suspects=SUSPECTS
    )
    for code, designated_on in DESA_BERSINAR:
        services.desa_bersinar_designate(by=referrer, village=code, designated_on=designated_on)
    _assessments(referrer)


def _assessments(referrer) -> None:
    """The same villages assessed twice; a village keeps or changes its status between the
    two. Desa Bersinar villages are never Bahaya."""
    villages = list(
        Region.objects.filter(code__startswith=OKI + ".", level=Region.Level.VILLAGE)
        .exclude(code__in=[code for code, _on in DESA_BERSINAR])
        .order_by("code")
        .values_list("code", flat=True)
    )
    rng = random.Random(2025)
    assessed = rng.sample(villages, sum(ASSESSMENTS[-1][1].values()))
    for assessed_on, counts in ASSESSMENTS:
        # Most villages keep their place in the order; a few move, so history shows change.
        order = assessed[:]
        for _ in range(12):
            i, j = rng.randrange(len(order)), rng.randrange(len(order))
            order[i], order[j] = order[j], order[i]
        start = 0
        for status in Vulnerability.values:
            for code in order[start : start + counts[status]]:
                services.village_status_record(
                    by=referrer, village=code, status=status, assessed_on=assessed_on,
                    assessed_by=Assessor.BNN, note="Pemetaan kawasan rawan narkoba BNN",
                )  # fmt: skip
            start += counts[status]
