"""The pages of BNNK work: who sees them, what they show, the forms, and the exports."""

import datetime
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from atensi.audit.models import AuditEvent
from atensi.regions.models import Region
from prevention.models import Activity, EnforcementSummary, VillageStatus
from tests.conftest import role_matrix, said, shown

from .conftest import BALIAN, CINTA_JAYA, KAYUAGUNG, MUNGGU

LIST_PAGES = ["activity-list", "enforcement", "village-status-list", "activity-export",
              "village-status-export"]  # fmt: skip
# caseworker, supervisor, outsider, referrer, centre, viewer, admin
READERS = [404, 200, 404, 200, 404, 200, 200]


@pytest.mark.parametrize(
    ("page", "role", "status"), role_matrix({page: READERS for page in LIST_PAGES})
)
def test_who_may_open_the_list_pages(browse, page, role, status):
    assert browse(role).get(reverse(f"prevention:{page}")).status_code == status


@pytest.mark.parametrize("page", ["activity-create", "village-status-create"])
@pytest.mark.parametrize(
    ("role", "status"), [("referrer", 200), ("supervisor", 404), ("viewer", 404),
                         ("admin", 404), ("outsider", 404)],
)  # fmt: skip
def test_only_bnnk_staff_open_the_forms(browse, page, role, status):
    assert browse(role).get(reverse(f"prevention:{page}")).status_code == status


def test_an_activity_outside_the_area_is_a_404(browse, record, other_bnnk):
    activity = record(village=MUNGGU, by=other_bnnk)

    for role in ("referrer", "supervisor", "viewer", "outsider"):
        for page in ("activity-detail", "activity-edit"):
            url = reverse(f"prevention:{page}", args=[activity.pk])
            assert browse(role).get(url).status_code == 404, (role, page)


def test_readers_see_an_activity_but_only_its_organisation_changes_it(browse, record):
    activity = record(type="tes_urine", urine_results=[{"institution": "DPMD", "tested": 16}])
    url = reverse("prevention:activity-detail", args=[activity.pk])

    html = browse("supervisor").get(url).content.decode()
    assert "DPMD" in html and reverse("prevention:activity-edit", args=[activity.pk]) not in html
    assert browse("supervisor").get(
        reverse("prevention:activity-edit", args=[activity.pk])).status_code == 404  # fmt: skip
    assert reverse("prevention:activity-edit", args=[activity.pk]) in (
        browse("referrer").get(url).content.decode()
    )


def _activity_form(**extra):
    data = {
        "type": "tes_urine", "date": "2026-03-14", "village": KAYUAGUNG, "place": "Kantor",
        "target": "Instansi pemerintah", "participants": "0", "meetings": "1",
        "description": "", "urine-TOTAL_FORMS": "3", "urine-INITIAL_FORMS": "0",
        "urine-MIN_NUM_FORMS": "0", "urine-MAX_NUM_FORMS": "50",
        "urine-0-institution": "Diskominfo", "urine-0-tested": "25", "urine-0-positive": "0",
        "urine-1-institution": "DPMD", "urine-1-tested": "16", "urine-1-positive": "1",
    }  # fmt: skip
    data.update(extra)
    return data


def test_bnnk_staff_record_a_urine_test_with_rows_per_institution(browse, cast):
    response = browse("referrer").post(reverse("prevention:activity-create"), _activity_form())

    activity = Activity.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("prevention:activity-detail", args=[activity.pk])
    assert (activity.organisation, activity.field, activity.participants) == (
        cast.bnnk, "pemberdayaan", 41,
    )  # fmt: skip
    assert sorted(activity.urine_results.values_list("institution", "tested", "positive")) == [
        ("DPMD", 16, 1), ("Diskominfo", 25, 0),
    ]  # fmt: skip


def test_the_form_says_when_more_were_positive_than_tested(browse):
    response = browse("referrer").post(
        reverse("prevention:activity-create"), _activity_form(**{"urine-1-positive": "20"})
    )

    assert response.status_code == 200
    assert shown("At %(name)s more were positive than were tested.", name="DPMD") in (
        response.content.decode()
    )
    assert not Activity.objects.exists()


def test_editing_an_activity_keeps_its_rows_on_the_page_and_saves_changes(browse, record):
    activity = record(type="tes_urine", urine_results=[{"institution": "DPMD", "tested": 16}])
    url = reverse("prevention:activity-edit", args=[activity.pk])
    assert 'value="DPMD"' in browse("referrer").get(url).content.decode()

    response = browse("referrer").post(url, _activity_form(**{
        "urine-INITIAL_FORMS": "1", "urine-0-institution": "DPMD", "urine-0-tested": "17",
        "urine-1-institution": "", "urine-1-tested": "", "urine-1-positive": "",
    }))  # fmt: skip

    assert response.status_code == 302
    assert list(activity.urine_results.values_list("institution", "tested")) == [("DPMD", 17)]


def test_the_activity_list_filters_by_type_and_field(browse, year):
    url = reverse("prevention:activity-list")

    html = browse("viewer").get(url, {"year": 2026, "type": "tes_urine"}).content.decode()
    assert "Diskominfo" not in html  # rows per institution are on the activity's page
    assert html.count(said("Urine test")) >= 2
    assert said("Talk show") + " <span" not in html
    html = browse("viewer").get(url, {"field": "pencegahan", "year": 2026}).content.decode()
    assert "Karang taruna" in html and said("Socialisation") in html


def test_the_activity_list_has_a_fixed_number_of_queries(
    browse, year, record, django_assert_max_num_queries
):
    for day in range(1, 15):
        record(date=datetime.date(2026, 10, day), village=CINTA_JAYA)
    browser = browse("supervisor")

    with django_assert_max_num_queries(13):
        response = browser.get(reverse("prevention:activity-list"))
    assert response.status_code == 200


def test_the_activity_export_lists_the_urine_rows_and_is_audited(browse, year, cast):
    response = browse("supervisor").get(reverse("prevention:activity-export"), {"year": 2026})

    workbook = load_workbook(io.BytesIO(response.content))
    assert len(list(workbook.worksheets[0].values)) == 1 + 7
    rows = list(workbook.worksheets[1].values)
    assert [(r[2], r[3], r[4]) for r in rows[1:]] == [
        ("Diskominfo", 5, 2),
        ("Diskominfo", 25, 1),
        ("DPMD", 16, 0),
    ]
    assert AuditEvent.objects.filter(
        actor=cast.supervisor, action="export", object_type="activity"
    ).exists()


def test_the_enforcement_page_shows_the_year_against_its_target(browse, year):
    html = browse("viewer").get(reverse("prevention:enforcement"), {"tahun": 2026}).content
    html = html.decode()

    assert "BNNK OKI" in html
    assert "8" in html and shown("target %(target)s cases", target=4) in html
    assert "200%" in html


def test_bnnk_staff_record_a_period_and_the_target_on_the_enforcement_page(browse, cast):
    browser = browse("referrer")

    browser.post(reverse("prevention:enforcement-target"), {"year": 2025, "target_cases": 1})
    response = browser.post(reverse("prevention:enforcement-record"),
                            {"year": 2025, "period": "Y", "cases": 3, "suspects": 3})  # fmt: skip

    assert response.status_code == 302 and response.url.endswith("?tahun=2025")
    summary = EnforcementSummary.objects.get()
    assert (summary.year, summary.cases, summary.suspects) == (2025, 3, 3)
    assert cast.bnnk.enforcement_targets.get(year=2025).target_cases == 1
    assert browse("viewer").post(
        reverse("prevention:enforcement-record"),
        {"year": 2025, "period": "Q1", "cases": 1, "suspects": 1},
    ).status_code == 404  # fmt: skip


def test_the_village_list_shows_current_statuses_shaded_by_district(browse, year):
    html = (
        browse("supervisor")
        .get(reverse("prevention:village-status-list"), {"on": "2026-06-30"})
        .content.decode()
    )

    assert "Pedamaran" in html and "Cinta Jaya" in html
    assert 'class="text-end bg-danger bg-opacity-75" data-status="bahaya">1<' in html
    html = (
        browse("supervisor")
        .get(reverse("prevention:village-status-list"), {"on": "2026-06-30", "status": "aman"})
        .content.decode()
    )
    assert "Balian" in html and "Cinta Jaya" not in html
    assert said("Desa Bersinar") in html  # Balian was designated in 2025


def test_the_village_list_has_a_fixed_number_of_queries(
    browse, year, assess, django_assert_max_num_queries
):
    pedamaran = Region.objects.filter(code__startswith="16.02.03.").exclude(code=CINTA_JAYA)
    for village in pedamaran.order_by("code")[:11]:
        assess(village.code, "siaga", datetime.date(2026, 2, 1))
    browser = browse("viewer")

    with django_assert_max_num_queries(12):
        assert browser.get(reverse("prevention:village-status-list")).status_code == 200


def test_a_villages_page_shows_its_history_and_designation(browse, year):
    html = (
        browse("viewer")
        .get(reverse("prevention:village-detail", args=[KAYUAGUNG]))
        .content.decode()
    )

    assert html.index("01-05-2026") < html.index("01-05-2024")
    assert said("Bahaya (danger)") in html and said("Waspada (alert)") in html
    html = browse("viewer").get(reverse("prevention:village-detail", args=[BALIAN])).content
    assert "01-02-2025" in html.decode()


def test_a_village_outside_the_area_is_a_404(browse, assess, other_bnnk):
    assess(MUNGGU, "bahaya", datetime.date(2025, 1, 1), by=other_bnnk)
    url = reverse("prevention:village-detail", args=[MUNGGU])

    for role in ("referrer", "supervisor", "viewer", "outsider", "caseworker"):
        assert browse(role).get(url).status_code == 404, role
    assert (
        browse("referrer")
        .post(reverse("prevention:desa-bersinar", args=[MUNGGU]), {"designated_on": "2025-01-01"})
        .status_code
        == 404
    )


def test_bnnk_staff_record_an_assessment_and_a_designation(browse, cast):
    browser = browse("referrer")
    response = browser.post(reverse("prevention:village-status-create"), {
        "village": KAYUAGUNG, "status": "waspada", "assessed_on": "2025-08-01",
        "assessed_by": "BNN", "note": "",
    })  # fmt: skip
    assert response.status_code == 302
    assert response.url == reverse("prevention:village-detail", args=[KAYUAGUNG])
    assert VillageStatus.objects.get().status == "waspada"

    browser.post(reverse("prevention:desa-bersinar", args=[KAYUAGUNG]),
                 {"designated_on": "2025-09-01", "decree_no": "SK 12/2025"})  # fmt: skip

    html = browser.get(response.url).content.decode()
    assert "SK 12/2025" in html and said("Waspada (alert)") in html


def test_the_village_export_is_audited(browse, year, cast):
    response = browse("viewer").get(reverse("prevention:village-status-export"),
                                    {"on": "2026-06-30"})  # fmt: skip

    rows = list(load_workbook(io.BytesIO(response.content)).worksheets[0].values)
    assert [r[0] for r in rows[1:5]] == [CINTA_JAYA, KAYUAGUNG, "16.02.05.1010", BALIAN]
    assert AuditEvent.objects.filter(actor=cast.viewer, object_type="villagestatus").exists()
