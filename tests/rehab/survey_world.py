"""Shared set-up of the survey tests: a unit of BNNK OKI and answers given to it."""

import datetime
from decimal import Decimal

from django.utils import timezone

from atensi.regions.models import Region
from rehab import ikm
from rehab.services import survey as services

PROFILE = {"sex": "L", "age_group": "30-39", "education": "sma", "occupation": "wirausaha"}

# Four respondents; per element (U1..U9) the means are 3.75, 3.75, 4, 3.75, 4, 4, 4, 3.25, 3.75;
# index 34.25 / 9 = 3.8056, converted 95.14, grade A, below a target of 3.9.
WORKED = [
    (4, 4, 4, 3, 4, 4, 4, 3, 4),
    (4, 3, 4, 4, 4, 4, 4, 3, 4),
    (4, 4, 4, 4, 4, 4, 4, 4, 4),
    (3, 4, 4, 4, 4, 4, 4, 3, 3),
]


def make_unit(cast, *, name="Layanan Rawat Jalan Klinik Pratama BNNK OKI", target="3.90"):
    return services.survey_unit_create(
        by=cast.referrer, name=name, region=Region.objects.get(code="16.02"),
        target=Decimal(target) if target else None,
    )  # fmt: skip


def answer(unit, ratings, *, day=None, suggestion="", **profile):
    at = None
    if day is not None:
        at = timezone.make_aware(datetime.datetime.combine(day, datetime.time(10)))
    return services.survey_response_submit(
        unit=unit, ratings=dict(zip(ikm.CODES, ratings, strict=True)),
        suggestion=suggestion, submitted_at=at, **{**PROFILE, **profile},
    )  # fmt: skip


def form_data(ratings=(4,) * 9, **extra):
    data = {f"u{n}": str(r) for n, r in enumerate(ratings, start=1)}
    data.update(PROFILE)
    data.update(extra)
    return data
