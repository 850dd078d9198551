"""The rules of recording BNNK work: who may, where, when, and counts that add up."""

import datetime
import re

import pytest
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone

from atensi.audit.models import AuditEvent
from atensi.errors import ApplicationError
from prevention import services
from prevention.models import FIELD_OF, Activity, ActivityType, Field, UrineTestResult
from tests.conftest import said

from .conftest import KAYUAGUNG, MUNGGU

OUTSIDE = "%(code)s lies outside your organisation's service area."


def msg(message: str, **params) -> str:
    """The refusal as the service words it (in the interface's language), as a pattern."""
    return re.escape(said(message, **params))


def test_every_activity_type_belongs_to_a_field_of_work():
    assert set(FIELD_OF) == set(ActivityType.values)
    assert set(FIELD_OF.values()) <= set(Field.values)


def test_the_field_of_an_activity_follows_from_its_type(record):
    assert record(type="tes_urine", participants=5).field == "pemberdayaan"
    assert record(type="talkshow").field == "pencegahan"
    assert record(type="pembentukan_ibm").field == "rehabilitasi"


def test_the_database_refuses_a_field_that_does_not_match_the_type(record):
    activity = record(type="talkshow")

    with pytest.raises(IntegrityError), transaction.atomic():
        Activity.objects.filter(pk=activity.pk).update(field="pemberdayaan")


def test_recording_an_activity_is_audited(record, cast):
    activity = record()

    assert AuditEvent.objects.filter(
        object_id=str(activity.pk), action="create", actor=cast.referrer
    ).exists()


def test_a_urine_test_without_participants_counts_those_tested(record):
    activity = record(
        type="tes_urine", participants=0,
        urine_results=[{"institution": "Diskominfo", "tested": 25, "positive": 0},
                       {"institution": "DPMD", "tested": 16, "positive": 2}],
    )  # fmt: skip

    assert activity.participants == 41
    assert activity.urine_results.count() == 2


def test_more_positive_than_tested_is_refused(record):
    with pytest.raises(
        ApplicationError, match=msg("At %(name)s more were positive than were tested.", name="DPMD")
    ):
        record(type="tes_urine",
               urine_results=[{"institution": "DPMD", "tested": 3, "positive": 4}])  # fmt: skip
    assert not Activity.objects.exists()


def test_the_database_refuses_more_positive_than_tested_too(record):
    activity = record(type="tes_urine",
                      urine_results=[{"institution": "DPMD", "tested": 3}])  # fmt: skip

    with pytest.raises(IntegrityError), transaction.atomic():
        UrineTestResult.objects.filter(activity=activity).update(positive=5)


def test_urine_results_belong_only_to_a_urine_test_or_early_detection(record):
    with pytest.raises(
        ApplicationError,
        match=msg("Urine test results belong to a urine test or an early detection."),
    ):
        record(type="talkshow", urine_results=[{"institution": "DPMD", "tested": 3}])


def test_an_institution_is_listed_once_per_activity(record):
    with pytest.raises(ApplicationError, match=msg("%(name)s is listed twice.", name="dpmd")):
        rows = [{"institution": "DPMD", "tested": 3}, {"institution": "dpmd", "tested": 2}]
        record(type="tes_urine", urine_results=rows)


def test_an_activity_cannot_be_dated_in_the_future(record):
    with pytest.raises(ApplicationError, match=msg("The date lies in the future.")):
        record(date=datetime.date.today() + datetime.timedelta(days=2))


def test_a_bnnk_records_only_in_its_own_area(record, other_bnnk):
    with pytest.raises(ApplicationError, match=msg(OUTSIDE, code=MUNGGU)):
        record(village=MUNGGU)
    with pytest.raises(ApplicationError, match=msg(OUTSIDE, code=KAYUAGUNG)):
        record(village=KAYUAGUNG, by=other_bnnk)
    assert record(village=MUNGGU, by=other_bnnk).organisation.name == "BNNK Ogan Ilir"


def test_an_activity_may_be_placed_in_a_district_but_not_a_regency(record):
    assert record(village="16.02.21").village_id == "16.02.21"
    with pytest.raises(
        ApplicationError, match=msg("%(code)s is not a known village or district.", code="16.02")
    ):
        record(village="16.02")


@pytest.mark.parametrize("role", ["caseworker", "supervisor", "viewer", "admin", "centre"])
def test_only_bnnk_staff_record_activities(cast, record, role):
    with pytest.raises(PermissionDenied):
        record(by=getattr(cast, role))


def test_a_dinsos_referrer_is_not_bnnk_staff(cast, record):
    cast.referrer.organisation = cast.dinsos
    with pytest.raises(PermissionDenied):
        record(by=cast.referrer)


def test_another_bnnk_cannot_change_an_activity(record, other_bnnk):
    activity = record()

    with pytest.raises(PermissionDenied):
        services.activity_update(activity=activity, by=other_bnnk, type="talkshow",
                                 date=activity.date, village=MUNGGU)  # fmt: skip


def test_changing_an_activity_replaces_its_urine_rows(record, cast):
    activity = record(type="tes_urine", urine_results=[{"institution": "DPMD", "tested": 3}])

    services.activity_update(
        activity=activity, by=cast.referrer, type="deteksi_dini", date=activity.date,
        village=KAYUAGUNG, participants=9,
        urine_results=[{"institution": "Samsat", "tested": 9, "positive": 1}],
    )  # fmt: skip

    activity.refresh_from_db()
    assert (activity.type, activity.field, activity.participants) == (
        "deteksi_dini", "pemberdayaan", 9,
    )  # fmt: skip
    assert list(activity.urine_results.values_list("institution", "tested", "positive")) == [
        ("Samsat", 9, 1)
    ]


def test_enforcement_periods_of_a_year_may_not_overlap(cast):
    services.enforcement_record(by=cast.referrer, year=2025, period="Q1", cases=1, suspects=1)

    overlaps = msg("This period overlaps a period already recorded for %(year)s.", year=2025)
    with pytest.raises(ApplicationError, match=overlaps) as refused:
        services.enforcement_record(by=cast.referrer, year=2025, period="M02", cases=1,
                                    suspects=1)  # fmt: skip
    assert refused.value.code == "conflict"
    with pytest.raises(ApplicationError, match=overlaps):
        services.enforcement_record(by=cast.referrer, year=2025, period="Y", cases=1, suspects=1)


def test_recording_a_period_again_corrects_it(cast):
    services.enforcement_record(by=cast.referrer, year=2025, period="Q1", cases=1, suspects=1)
    summary = services.enforcement_record(by=cast.referrer, year=2025, period="Q1", cases=2,
                                          suspects=5)  # fmt: skip

    assert (summary.cases, summary.suspects) == (2, 5)
    assert summary.period_start == datetime.date(2025, 1, 1)
    assert summary.period_end == datetime.date(2025, 3, 31)


def test_enforcement_of_a_future_year_is_refused(cast):
    with pytest.raises(ApplicationError, match=msg("Give a year from 2000 to this year.")):
        services.enforcement_record(by=cast.referrer, year=datetime.date.today().year + 1,
                                    period="Y", cases=0, suspects=0)  # fmt: skip


def test_a_village_assessment_cannot_lie_in_the_future_or_outside_the_area(assess, other_bnnk):
    with pytest.raises(ApplicationError, match=msg("The date lies in the future.")):
        assess(KAYUAGUNG, "bahaya", timezone.localdate() + datetime.timedelta(days=1))
    with pytest.raises(ApplicationError, match=msg(OUTSIDE, code=MUNGGU)):
        assess(MUNGGU, "bahaya", datetime.date(2025, 1, 1))
    with pytest.raises(ApplicationError, match=msg(OUTSIDE, code=KAYUAGUNG)):
        assess(KAYUAGUNG, "bahaya", datetime.date(2025, 1, 1), by=other_bnnk)


def test_a_village_is_assessed_once_a_day(assess):
    assess(KAYUAGUNG, "bahaya", datetime.date(2025, 1, 1))

    with pytest.raises(
        ApplicationError, match=msg("This village already has an assessment on that date.")
    ) as refused:
        assess(KAYUAGUNG, "aman", datetime.date(2025, 1, 1))
    assert refused.value.code == "conflict"


def test_a_district_is_not_assessed_as_a_village(assess):
    with pytest.raises(
        ApplicationError, match=msg("%(code)s is not a known village or district.", code="16.02.05")
    ):
        assess("16.02.05", "bahaya", datetime.date(2025, 1, 1))
