"""The demo of the satisfaction survey: BNNK Ogan Komering Ilir's outpatient clinic, whose 50
respondents of 2023 (the 50 people it treated as outpatients) give an IKM of 3.94 (converted
98.50, grade A) against its target of 3.90. Time to complete (U3) and the facilities (U9)
fall below the target. The responses are drawn from a fixed seed: the same on every machine.
"""

from __future__ import annotations

import datetime
import random
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from atensi.regions.models import Region
from rehab import ikm
from rehab.models.survey import SurveyResponse, SurveyUnit
from rehab.services import survey as services

UNIT_NAME = "Layanan Rawat Jalan Klinik Pratama BNNK OKI"
TARGET = Decimal("3.90")
YEAR = 2023
RESPONDENTS = 50
# How many of the 50 rated each element 3 rather than 4: 27 of 450 ratings, so the index is
# (450 × 4 − 27) / 450 = 3.94 exactly.
THREES = {"U1": 2, "U2": 3, "U3": 7, "U4": 0, "U5": 2, "U6": 2, "U7": 1, "U8": 4, "U9": 6}
SUGGESTIONS = [
    "Ruang tunggu klinik perlu ditambah kursi dan kipas angin.",
    "Petugas sangat ramah dan sabar, terima kasih.",
    "Mohon jadwal konseling bisa sore hari untuk yang bekerja.",
    "Antrean pemeriksaan urine kadang lama.",
    "Pelayanan gratis sangat membantu keluarga kami.",
]


def responses(seed: int = 2023) -> list[dict]:
    """The 50 respondents' ratings and profiles, and the day each answered."""
    rng = random.Random(seed)
    people = [{code: 4 for code in ikm.CODES} for _ in range(RESPONDENTS)]
    for code, threes in THREES.items():
        for person in rng.sample(people, threes):
            person[code] = 3
    start = datetime.date(YEAR, 1, 2)
    for number, person in enumerate(people):
        person["day"] = start + datetime.timedelta(days=number * 7 + rng.randint(0, 4))
        person["sex"] = rng.choice(["L"] * 4 + ["P"])
        person["age_group"] = rng.choice(["<20", "20-29", "20-29", "30-39", "30-39", "40-49"])
        person["education"] = rng.choice(["smp", "sma", "sma", "sma", "diploma", "s1"])
        person["occupation"] = rng.choice(["swasta", "wirausaha", "wirausaha", "lainnya"])
        person["suggestion"] = SUGGESTIONS[number // 10] if number % 10 == 3 else ""
    return people


@transaction.atomic
def load(*, users: dict, stdout=None) -> bool:
    """Set up the BNNK clinic's survey and its 2023 responses; return False (changing
    nothing) when the unit is already there."""
    referrer = users["demo-referrer"]
    if SurveyUnit.objects.filter(organisation=referrer.organisation, name=UNIT_NAME).exists():
        return False
    unit = services.survey_unit_create(
        by=referrer, name=UNIT_NAME, region=Region.objects.get(code="16.02"), target=TARGET
    )
    for person in responses():
        at = timezone.make_aware(datetime.datetime.combine(person["day"], datetime.time(10)))
        services.survey_response_submit(
            unit=unit,
            ratings={code: person[code] for code in ikm.CODES},
            sex=person["sex"],
            age_group=person["age_group"],
            education=person["education"],
            occupation=person["occupation"],
            suggestion=person["suggestion"],
            submitted_at=at,
        )
    if stdout is not None:
        count = SurveyResponse.objects.filter(unit=unit).count()
        stdout.write(f"Demo survey: {count} responses of {YEAR} at {UNIT_NAME}.")
    return True
