"""The aggregates the dashboard shows equal the hand-counted year in conftest.py."""

import datetime

from prevention.selectors import activity_summary, village_status_summary

from .conftest import CINTA_JAYA, KAYUAGUNG

SPRING = {"start": datetime.date(2026, 2, 1), "end": datetime.date(2026, 7, 31)}


def test_the_activity_summary_counts_activities_and_participants_by_type_and_field(year):
    summary = activity_summary(codes=["16.02"], **SPRING)

    assert summary["activities"] == 6
    assert summary["participants"] == 40 + 60 + 20 + 30 + 41 + 5
    assert summary["by_type"]["sosialisasi"] == {"activities": 1, "participants": 40}
    assert summary["by_type"]["tes_urine"] == {"activities": 2, "participants": 46}
    assert summary["by_type"]["advokasi"] == {"activities": 0, "participants": 0}
    assert list(summary["by_type"])[0] == "sosialisasi" and len(summary["by_type"]) == 9
    assert summary["by_field"] == {
        "pemberantasan": {"activities": 0, "participants": 0},
        "pencegahan": {"activities": 3, "participants": 120},
        "pemberdayaan": {"activities": 3, "participants": 76},
        "rehabilitasi": {"activities": 0, "participants": 0},
    }


def test_the_activity_summary_adds_urine_tests_per_institution(year):
    urine = activity_summary(codes=["16.02"], **SPRING)["urine_tests"]

    assert (urine["tested"], urine["positive"]) == (46, 3)
    assert urine["by_institution"] == [
        {"institution": "DPMD", "tested": 16, "positive": 0},
        {"institution": "Diskominfo", "tested": 30, "positive": 3},
    ]


def test_the_activity_summary_counts_only_the_periods_inside_the_range_with_the_target(year):
    # Q1 (January to March) starts before February: only Q2 lies inside.
    assert activity_summary(codes=["16.02"], **SPRING)["enforcement"] == {
        "cases": 1, "suspects": 1, "target_cases": 4,
    }  # fmt: skip
    half = activity_summary(
        codes=["16.02"], start=datetime.date(2026, 1, 1), end=datetime.date(2026, 6, 30)
    )
    assert half["enforcement"] == {"cases": 3, "suspects": 4, "target_cases": 4}
    whole = activity_summary(
        codes=["16"], start=datetime.date(2026, 1, 1), end=datetime.date(2026, 12, 31)
    )
    assert whole["enforcement"] == {"cases": 8, "suspects": 10, "target_cases": 4}


def test_the_activity_summary_of_a_district_counts_its_villages_only(year):
    summary = activity_summary(codes=["16.02.03"], **SPRING)

    assert (summary["activities"], summary["participants"]) == (2, 65)
    assert summary["urine_tests"]["by_institution"] == [
        {"institution": "Diskominfo", "tested": 5, "positive": 2}
    ]
    # Enforcement is counted for organisations serving the codes: none serves only a district.
    assert summary["enforcement"] == {"cases": 0, "suspects": 0, "target_cases": None}


def test_the_activity_summary_of_another_regency_is_empty(year):
    summary = activity_summary(codes=["16.10"], **SPRING)

    assert summary["activities"] == 0 and summary["participants"] == 0
    assert summary["urine_tests"] == {"tested": 0, "positive": 0, "by_institution": []}


def test_the_village_summary_takes_each_villages_latest_assessment_on_the_date(year):
    summary = village_status_summary(codes=["16.02"], on=datetime.date(2026, 6, 30))

    assert summary["assessed"] == 4
    assert summary["by_status"] == {"bahaya": 2, "waspada": 0, "siaga": 1, "aman": 1}
    assert summary["desa_bersinar"] == 1
    assert summary["bahaya_villages"] == [
        {"code": CINTA_JAYA, "name": "Cinta Jaya", "district_code": "16.02.03",
         "district_name": "Pedamaran", "assessed_on": datetime.date(2026, 1, 10)},
        {"code": KAYUAGUNG, "name": "Kayuagung", "district_code": "16.02.05",
         "district_name": "Kayu Agung", "assessed_on": datetime.date(2026, 5, 1)},
    ]  # fmt: skip
    assert summary["by_district"] == [
        {"code": "16.02.03", "name": "Pedamaran", "bahaya": 1, "waspada": 0, "siaga": 0,
         "aman": 0, "total": 1},
        {"code": "16.02.05", "name": "Kayu Agung", "bahaya": 1, "waspada": 0, "siaga": 1,
         "aman": 0, "total": 2},
        {"code": "16.02.21", "name": "Mesuji Raya", "bahaya": 0, "waspada": 0, "siaga": 0,
         "aman": 1, "total": 1},
    ]  # fmt: skip


def test_the_village_summary_on_an_earlier_date_shows_the_earlier_statuses(year):
    summary = village_status_summary(codes=["16.02"], on=datetime.date(2024, 12, 31))

    assert summary["by_status"] == {"bahaya": 1, "waspada": 1, "siaga": 0, "aman": 0}
    assert [v["code"] for v in summary["bahaya_villages"]] == ["16.02.05.1010"]
    assert summary["desa_bersinar"] == 0


def test_the_village_summary_later_counts_the_new_assessment_and_designation(year):
    summary = village_status_summary(codes=["16.02.21"], on=datetime.date(2026, 12, 1))

    assert summary["by_status"] == {"bahaya": 0, "waspada": 1, "siaga": 0, "aman": 1}
    assert summary["desa_bersinar"] == 2
