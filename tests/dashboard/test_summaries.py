"""The summary tables: counted from the records, marked out of date by the database's
triggers whatever writes the records, counted again month by month."""

import datetime
import io
import itertools

import pytest
from django.core.management import call_command

from atensi.summaries import facts
from atensi.summaries.models import Dirty, MonthlyCount
from cases.models import Client, Referral
from rehab.models import Episode
from tests.conftest import OKI_VILLAGE, OKI_VILLAGE_2

MEASURES = ["n", "amount", "value", "people"]
GROUPINGS = [(), ("key1",), ("key1", "key2"), ("month",), ("area",)]


def _periods():
    for year in (2023, 2024, 2025, 2026):
        yield datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    yield datetime.date(2023, 4, 1), datetime.date(2023, 6, 30)
    yield datetime.date(2026, 11, 1), datetime.date(2026, 11, 30)


def _both(kind, codes, start, end, by, width=8):
    scope = {"codes": codes, "start": start, "end": end, "by": by, "width": width,
             "measures": MEASURES}  # fmt: skip
    return (
        sorted(facts.totals(kind, **scope)),
        sorted(facts.totals(kind, **scope, from_records=True)),
    )


def _table():
    return sorted(
        MonthlyCount.objects.values_list(
            "kind", "month", "region", "key1", "key2", "key3", "n", "amount", "value"
        )
    )


@pytest.mark.django_db
def test_the_tables_equal_the_records_for_every_kind_period_and_grouping():
    call_command("load_demo", stdout=io.StringIO())
    counted = {}
    for kind, (start, end), by in itertools.product(sorted(facts.KINDS), _periods(), GROUPINGS):
        # A province, two regencies and a district, each by regency, district and village:
        # every level of the tables.
        for codes, width in itertools.product(
            (["16"], ["16.02"], ["16.10"], [OKI_VILLAGE[:8]]), (5, 8, 13) if by else (8,)
        ):
            table, records = _both(kind, codes, start, end, by, width)
            assert table == records, (kind, start, end, by, codes, width)
            if not by and codes == ["16"]:
                counted[kind] = counted.get(kind, 0) + table[0][0]
        # Read at once (GROUPING SETS), each grouping gives what it gives alone.
        sets = {str(i): by for i, by in enumerate(GROUPINGS)}
        together = facts.grouped(
            kind, codes=["16.02"], start=start, end=end, sets=sets, width=8, measures=MEASURES
        )
        for i, by in enumerate(GROUPINGS):
            alone = _both(kind, ["16.02"], start, end, by)[0]
            assert sorted(together[str(i)]) == alone, (kind, start, end, by)
    # Every kind has records in the demo: the comparison is not between empty tables.
    assert all(counted[kind] > 0 for kind in facts.KINDS), counted


@pytest.mark.django_db
def test_a_change_marks_its_month_and_only_that_month_is_counted_again(make_referral):
    make_referral(full_name="Awal", referral_date=datetime.date(2026, 1, 5))
    facts.refresh()
    assert not Dirty.objects.exists()

    make_referral(full_name="Baru", referral_date=datetime.date(2026, 3, 3))

    # The month, and the district of the referral's village: only that is counted again.
    assert set(Dirty.objects.values_list("kind", "month", "area")) == {
        ("referrals", datetime.date(2026, 3, 1), OKI_VILLAGE[:8])
    }
    assert facts.refresh() == {"referrals": 1}
    assert not Dirty.objects.exists()
    assert facts.total(
        "referrals", codes=["16.02"], start=datetime.date(2026, 1, 1),
        end=datetime.date(2026, 12, 31),
    ) == 2  # fmt: skip


@pytest.mark.django_db
def test_a_bulk_update_and_a_delete_are_marked_too(make_referral):
    for day in (5, 6, 7):
        make_referral(full_name=f"Rujukan {day}", referral_date=datetime.date(2026, 1, day))
    facts.refresh()
    year = {"codes": ["16"], "start": datetime.date(2026, 1, 1), "end": datetime.date(2026, 12, 31)}

    Referral.objects.filter(referral_date__day=5).update(referral_date=datetime.date(2026, 5, 9))
    assert set(Dirty.objects.values_list("month", flat=True)) == {
        datetime.date(2026, 1, 1), datetime.date(2026, 5, 1)
    }  # fmt: skip
    by_month = dict(facts.totals("referrals", **year, by=["month"]))
    assert by_month == {datetime.date(2026, 1, 1): 2, datetime.date(2026, 5, 1): 1}

    Referral.objects.filter(referral_date__day=6).delete()
    assert facts.total("referrals", **year) == 2


@pytest.mark.django_db
def test_a_client_who_moves_takes_their_episodes_to_the_new_village(make_case, start_episode):
    episode = start_episode(make_case(serial=41))
    client = episode.client
    assert client.village_id == OKI_VILLAGE
    year = episode.started_on.year
    scope = {"start": datetime.date(year, 1, 1), "end": datetime.date(year, 12, 31)}
    assert facts.total("episodes", codes=[OKI_VILLAGE], **scope) == 1
    facts.refresh()

    Client.objects.filter(pk=client.pk).update(village_id=OKI_VILLAGE_2)

    # The month of the client's episode, in the two districts the client left and joined.
    month = episode.started_on.replace(day=1)
    assert set(Dirty.objects.values_list("kind", "month", "area")) == {
        ("episodes", month, OKI_VILLAGE[:8]), ("episodes", month, OKI_VILLAGE_2[:8])
    }  # fmt: skip
    assert facts.total("episodes", codes=[OKI_VILLAGE], **scope) == 0
    assert facts.total("episodes", codes=[OKI_VILLAGE_2], **scope) == 1
    assert Episode.objects.filter(client__village_id=OKI_VILLAGE_2).count() == 1


@pytest.mark.django_db
def test_counting_month_by_month_gives_what_counting_everything_gives(
    make_referral, make_case, start_episode
):
    for i in range(4):
        make_referral(full_name=f"Rujukan {i}", referral_date=datetime.date(2026, 1 + i, 2))
        facts.refresh()
    episode = start_episode(make_case(serial=42))
    facts.refresh()
    Episode.objects.filter(pk=episode.pk).update(
        ended_on=episode.started_on, outcome=Episode.Outcome.COMPLETED
    )
    Referral.objects.filter(referral_date__month=2).update(status="declined", decline_reason="x")
    facts.refresh()
    incremental = _table()

    facts.rebuild()

    assert incremental == _table()
    assert len(incremental) >= 5


@pytest.mark.django_db
def test_a_count_that_fails_keeps_its_marks_for_the_next_refresh():
    def broken(start, end, codes):
        raise RuntimeError("the records could not be read")

    facts.register("broken", broken)
    try:
        Dirty.objects.create(kind="broken", month=datetime.date(2026, 2, 1))
        with pytest.raises(RuntimeError):
            facts.refresh(kinds=["broken"])
        assert Dirty.objects.filter(kind="broken").count() == 1
    finally:
        del facts.KINDS["broken"]


@pytest.mark.django_db
def test_the_daily_count_and_the_command_count_what_no_trigger_saw(make_referral, settings):
    from django.db import connection

    from atensi.summaries.tasks import rebuild

    assert settings.CELERY_BEAT_SCHEDULE["count-summaries-again"]["task"] == rebuild.name
    make_referral(full_name="Terlihat", referral_date=datetime.date(2026, 1, 5))
    facts.refresh()
    year = {"codes": ["16"], "start": datetime.date(2026, 1, 1), "end": datetime.date(2026, 12, 31)}
    with connection.cursor() as cursor:  # a restore with the triggers off
        cursor.execute("SET session_replication_role = replica")
        cursor.execute("DELETE FROM cases_referral")
        cursor.execute("SET session_replication_role = DEFAULT")
    assert facts.total("referrals", **year) == 1  # nothing marked it

    out = io.StringIO()
    call_command("count_summaries", "--all", stdout=out)

    assert "referrals: every month counted again" in out.getvalue()
    assert facts.total("referrals", **year) == 0
    make_referral(full_name="Sesudah", referral_date=datetime.date(2026, 2, 5))
    assert "referrals" in rebuild()
    assert facts.total("referrals", **year) == 1


@pytest.mark.django_db
def test_a_programme_and_its_budget_change_only_the_months_of_its_year(cast):
    from aid.models import Programme

    Dirty.objects.all().delete()
    Programme.objects.create(
        name="ATENSI 2025", kind=Programme.Kind.REGULAR, year=2025,
        organisation=cast.caseworker.organisation, budget_ceiling=10**9, max_decile=4,
    )  # fmt: skip

    marks = set(Dirty.objects.values_list("kind", "month", "area"))
    assert marks == {("other", datetime.date(2025, m, 1), "") for m in range(1, 13)}


@pytest.mark.django_db(transaction=True)
def test_a_full_count_side_by_side_gives_what_one_after_the_other_gives(
    regions_again, make_referral, make_case, start_episode, settings
):
    """Outside a transaction the kinds are counted on connections of their own."""
    for i in range(3):
        make_referral(full_name=f"Rujukan {i}", referral_date=datetime.date(2026, 2 + i, 2))
    start_episode(make_case(serial=43))
    settings.SUMMARY_WORKERS = 1
    facts.rebuild()
    one_by_one = _table()

    settings.SUMMARY_WORKERS = 3
    assert set(facts.rebuild()) == set(facts.KINDS)

    assert _table() == one_by_one
    assert {row[0] for row in one_by_one} >= {"referrals", "episodes"}
