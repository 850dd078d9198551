"""The district head's dashboard: the figures equal the records, the area rule, suppression
in every response, and no personal data anywhere."""

import datetime
import io
import re
import zipfile

import openpyxl
import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from django.test import Client as Browser
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from assessments.models import BatchRow
from atensi.accounts.models import Organisation, User
from atensi.dashboard import selectors as dashboard
from atensi.dashboard.models import DashboardSnapshot
from atensi.dashboard.tasks import refresh_summaries
from atensi.regions.models import Region
from atensi.summaries import facts as summaries
from cases.models import Client, FamilyMember, Referral
from rehab.models import Episode
from rehab.models.survey import SurveyUnit
from rehab.selectors.survey import period_year, survey_results
from tests.conftest import OI_VILLAGE, OKI_VILLAGE, OKI_VILLAGE_2, PASSWORD, said

URL = reverse("dashboard:index")
API = reverse("api:dashboard")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _cards(data) -> dict:
    return {card["key"]: card["value"] for card in data["cards"]}


def _section(data, key) -> dict:
    return next(s for s in data["sections"] if s["key"] == key)


def _row(section, code) -> dict:
    return next(r for r in section["rows"] if r["code"] == code)


@pytest.fixture
def known(cast, make_referral, make_case, start_episode):
    """Six BNNK referrals in January and seven family referrals in February 2026 in Ogan
    Komering Ilir (two districts), five referrals in Ogan Ilir, and six outpatient episodes
    of OKI clients started in January."""
    for i in range(6):
        make_referral(full_name=f"Rujukan BNNK {i}", referral_date=datetime.date(2026, 1, 5 + i))
    for i in range(7):
        make_referral(
            source="family", full_name=f"Rujukan Keluarga {i}", region=OKI_VILLAGE_2,
            referral_date=datetime.date(2026, 2, 3 + i),
        )  # fmt: skip
    for i in range(5):
        make_referral(
            by=cast.outsider, source="community", full_name=f"Rujukan OI {i}", region=OI_VILLAGE,
            referral_date=datetime.date(2026, 3, 1 + i),
        )  # fmt: skip
    for serial in range(40, 46):
        start_episode(make_case(serial=serial))


def _provincial_viewer():
    org = Organisation.objects.create(name="Pemprov Sumsel", kind=Organisation.Kind.OTHER)
    org.service_area.set(Region.objects.filter(code="16"))
    return User.objects.create_user(
        username="gubernur", password=PASSWORD, organisation=org, role=User.Role.VIEWER
    )


def _api(user, **params):
    browser = Browser()
    browser.force_login(user)
    return browser.get(API, params)


def test_the_figures_equal_the_counts_of_the_records(cast, known):
    data = _api(cast.viewer, period="2026").json()

    assert _cards(data)["referrals"] == 13
    assert (
        _cards(data)["referrals"]
        == Referral.objects.filter(region__code__startswith="16.02.").count()
    )
    referrals = _section(data, "referrals")
    assert _row(referrals, "bnnk")["cells"][0] == 6 and _row(referrals, "bnnk")["total"] == 6
    assert _row(referrals, "family")["cells"][1] == 7 and _row(referrals, "family")["total"] == 7
    assert referrals["total"]["cells"][:3] == [6, 7, 0]
    assert _row(_section(data, "referral_status"), "submitted")["cells"] == [13]
    episodes = _section(data, "episodes")
    assert _row(episodes, "rawat_jalan")["cells"][0] == 6 == Episode.objects.count()
    assert _cards(data)["episodes"] == 6
    areas = {row["code"]: row["cells"] for row in data["areas"]["rows"]}
    assert areas["16.02.05"][0] == 6 and areas["16.02.03"][0] == 7
    assert data["areas"]["total"]["cells"][0] == 13


def test_the_quarter_and_the_month_count_only_their_own_days(cast, known):
    assert _cards(_api(cast.viewer, period="2026-01").json())["referrals"] == 6
    quarter = _api(cast.viewer, period="2026-Q1").json()
    assert _cards(quarter)["referrals"] == 13
    assert [c["previous"] for c in quarter["cards"] if c["key"] == "referrals"] == [0]
    assert _cards(_api(cast.viewer, period="2025").json())["referrals"] == 0


def test_the_previous_period_is_compared(cast, known, make_referral):
    for i in range(5):
        make_referral(full_name=f"Lama {i}", referral_date=datetime.date(2025, 6, 1 + i))

    card = next(
        c for c in _api(cast.viewer, period="2026").json()["cards"] if c["key"] == "referrals"
    )

    assert (card["value"], card["previous"], card["delta"]) == (13, 5, 8)


def test_the_previous_period_is_read_from_its_own_snapshot_while_it_holds(
    cast, known, make_referral
):
    for i in range(5):
        make_referral(full_name=f"Lama {i}", referral_date=datetime.date(2025, 6, 1 + i))
    counted = _api(cast.viewer, period="2026").json()["cards"]
    DashboardSnapshot.objects.all().delete()

    assert _cards(_api(cast.viewer, period="2025").json())["referrals"] == 5
    assert _api(cast.viewer, period="2026").json()["cards"] == counted

    # A 2025 referral makes the 2025 snapshot out of date: 2026 counts 2025 again.
    make_referral(full_name="Lama 6", referral_date=datetime.date(2025, 7, 1))
    card = next(
        c for c in _api(cast.viewer, period="2026").json()["cards"] if c["key"] == "referrals"
    )
    assert (card["value"], card["previous"], card["delta"]) == (13, 6, 7)


def test_a_viewer_of_one_regency_sees_nothing_of_another(cast, known):
    assert _api(cast.viewer, period="2026", area="16.10").status_code == 404
    browser = Browser()
    browser.force_login(cast.viewer)
    assert browser.get(URL, {"area": "16.10"}).status_code == 404
    assert browser.get(URL, {"area": "16.10.01"}).status_code == 404
    data = _api(cast.viewer, period="2026").json()
    assert all(not row["code"].startswith("16.10") for row in data["areas"]["rows"])
    assert _cards(_api(cast.outsider, period="2026").json())["referrals"] == 5


def test_a_provincial_viewer_sees_the_sum_of_its_regencies(cast, known):
    viewer = _provincial_viewer()

    data = _api(viewer, period="2026").json()

    assert _cards(data)["referrals"] == 18
    areas = {row["code"]: row["cells"][0] for row in data["areas"]["rows"]}
    assert (areas["16.02"], areas["16.10"]) == (13, 5)
    assert _cards(_api(viewer, period="2026", area="16.10").json())["referrals"] == 5


def test_a_district_drills_down_to_its_villages(cast, known):
    data = _api(cast.viewer, period="2026", area="16.02.05").json()

    assert _cards(data)["referrals"] == 6
    villages = {row["code"]: row["cells"][0] for row in data["areas"]["rows"]}
    assert villages[OKI_VILLAGE] == 6
    assert all(code.startswith("16.02.05.") for code in villages)


def test_small_counts_read_less_than_five_everywhere(cast, make_referral):
    for i in range(3):
        make_referral(full_name=f"Sedikit {i}")
    browser = Browser()
    browser.force_login(cast.viewer)

    data = browser.get(API, {"period": "2026"}).json()
    page = browser.get(URL, {"period": "2026"})

    assert _cards(data)["referrals"] == "<5"
    assert _row(_section(data, "referrals"), "bnnk")["cells"][0] == "<5"
    assert page.context["data"]["cards"][0]["value"] == "<5"
    assert "&lt;5" in page.text
    workbook = _xlsx_text(browser.get(URL, {"period": "2026", "format": "xlsx"}).content)
    assert "&lt;5" in workbook and "<v>3</v>" not in workbook


def test_who_may_open_the_dashboard(cast, browse):
    for role in ("viewer", "supervisor", "centre", "admin", "caseworker"):
        assert browse(role).get(URL).status_code == 200, role
        assert browse(role).get(API).status_code == 200, role
    assert browse("referrer").get(URL).status_code == 404
    assert browse("referrer").get(API).status_code == 404
    assert Browser().get(URL).status_code == 302
    assert Browser().get(API).status_code in (401, 403)


def test_a_period_that_cannot_be_read_is_refused_by_the_api(cast):
    response = _api(cast.viewer, period="sometime")

    assert response.status_code == 400


def test_each_section_and_the_whole_dashboard_download_as_xlsx(cast, known, browse):
    browser = browse("viewer")

    whole = browser.get(URL, {"period": "2026", "format": "xlsx"})
    one = browser.get(URL, {"period": "2026", "format": "xlsx", "section": "referrals"})

    assert whole.status_code == 200 and whole["Content-Type"] == XLSX
    assert one.status_code == 200 and one["Content-Type"] == XLSX
    assert browser.get(URL, {"format": "xlsx", "section": "nothing"}).status_code == 404
    # Each sheet is named by its section's title, cut at the end of a word (seen: "Rujukan
    # menurut sumber dan b", "Anggaran  alokasi, dicadangk").
    names = openpyxl.load_workbook(io.BytesIO(whole.content)).sheetnames
    titles = {" ".join(re.sub(r"[\[\]:*?/\\]", " ", str(t)).split()) for t in _titles(browser)}
    assert len(set(map(str.lower, names))) == len(names)
    bare = [re.sub(r" \d+$", "", name) for name in names]
    assert all(len(name) <= 31 and not name.endswith((",", " ")) for name in names), names
    # Nor on a joining word (seen: "Rujukan menurut sumber dan", "Episode rehabilitasi menurut").
    assert not [n for n in bare if n.split()[-1].lower() in ("dan", "menurut", "atau")], names
    for title in (t for t in titles if len(t) > 31):
        assert any(title.startswith(b + " ") for b in bare), (title, names)


def test_the_api_answers_in_a_fixed_number_of_queries(cast, known, django_assert_max_num_queries):
    browser = Browser()
    browser.force_login(cast.viewer)
    summaries.refresh()  # the records were just written: counted once, as a beat would
    # Each period (and the previous one) asks every app once: a ceiling, whatever the rows.
    with django_assert_max_num_queries(90):
        assert browser.get(API, {"period": "2026"}).status_code == 200


# --- the demo: no personal data, and no small count shown --------------------------------


@pytest.fixture
def demo(db):
    call_command("load_demo", stdout=io.StringIO())


def _xlsx_text(content: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(content)) as book:
        return "".join(
            book.read(name).decode() for name in book.namelist() if name.endswith(".xml")
        )


def _personal(demo_data=None) -> set[str]:
    values = set()
    for model, fields in (
        (Client, ("nik", "full_name")),
        (Referral, ("nik", "full_name")),
        (FamilyMember, ("nik", "full_name")),
        (BatchRow, ("nik", "name")),
    ):
        for row in model.objects.values_list(*fields):
            values.update(v for v in row if v and len(v) >= 6)
    return values


DEMO_READERS = ("demo-viewer", "demo-supervisor", "demo-centre", "demo-admin", "demo-caseworker")


def test_no_dashboard_page_api_response_or_export_holds_a_name_or_nik_of_the_demo(demo):
    personal = _personal()
    assert len(personal) > 100
    for username in DEMO_READERS:
        browser = Browser()
        browser.force_login(User.objects.get(username=username))
        area = "16.02.05" if username != "demo-centre" else ""
        texts = []
        for params in ({}, {"period": "2023"}, {"area": area, "period": "2026"}):
            texts.append(browser.get(URL, params).text)
            texts.append(browser.get(API, params).text)
            texts.append(_xlsx_text(browser.get(URL, {**params, "format": "xlsx"}).content))
        found = {value for value in personal for text in texts if value in text}
        assert not found, (username, sorted(found)[:5])


def _figures(data):
    for card in data["cards"]:
        yield card["value"]
        yield card["previous"]
    for section in [*data["sections"], data["areas"]]:
        if section["key"] in ("budget", "villages"):
            continue  # money and villages, not counts of people
        rows = [*section["rows"], *([section["total"]] if section["total"] else [])]
        for row in rows:
            cells = row["cells"][:1] if section["key"] == "ikm" else row["cells"]
            if section["key"] in ("aid_components", "aid_items"):
                cells = cells[:1]  # quantities and rupiah follow the people they went to
            if section["key"] == "activities":
                cells = cells[1:]  # the number of activities is not a count of people
            if section["key"] == "enforcement":
                cells = [] if row["code"] == "target" else cells
            yield from cells
            yield row.get("total")


def test_no_figure_of_the_demo_dashboard_shows_a_count_from_one_to_four(demo):
    viewer = User.objects.get(username="demo-viewer")
    for params in ({"period": "2026"}, {"period": "2026-Q4"}, {"area": "16.02.05"}):
        data = _api(viewer, **params).json()
        shown = [v for v in _figures(data) if isinstance(v, int) and not isinstance(v, bool)]
        assert shown and not [v for v in shown if 1 <= v <= 4], params


def test_the_demo_funnel_counts_the_screening_rows(demo):
    viewer = User.objects.get(username="demo-viewer")
    area = dashboard.area_for(viewer, "")
    raw = dashboard.collect(area, dashboard.parse_period("2026"))
    counts = dashboard.count(raw).values

    rows = BatchRow.objects.filter(village_code__startswith="16.02.")
    assert counts["funnel", "proposed"] == rows.count() == 51
    assert counts["funnel", "eligible"] == rows.filter(verdict="ELIGIBLE").count() == 24
    assert counts["why", "DECILE_ABOVE_THRESHOLD"] == 8
    assert counts["why", "ASSESSMENT_MISSING"] == 6
    assert counts["funnel", "approved"] == 24
    assert counts["lost", "valid"] == 4  # two invalid NIKs, two duplicate rows
    data = _api(viewer, period="2026").json()
    funnel = _section(data, "funnel")
    assert _row(funnel, "proposed")["cells"][0] == 51
    assert _row(funnel, "within_decile")["cells"] == [33, 8]


# --- summary snapshots ------------------------------------------------------------------


def _referrals_on_page(browser, **params) -> object:
    page = browser.get(URL, {"period": "2026", **params})
    return next(c["value"] for c in page.context["data"]["cards"] if c["key"] == "referrals")


def _computed_at(period="2026"):
    return DashboardSnapshot.objects.get(period=period).computed_at


def test_the_figures_are_kept_until_a_record_of_the_period_changes(
    cast, known, browse, make_referral
):
    supervisor = browse("supervisor")
    assert _referrals_on_page(supervisor) == 13
    kept = _computed_at()
    assert _referrals_on_page(supervisor) == 13
    assert _computed_at() == kept  # nothing changed: the snapshot is served
    page = supervisor.get(URL, {"period": "2026"})
    assert f"{timezone.localtime(kept):%d-%m-%Y}" in page.text  # the local date, not UTC

    # A referral of another year changes neither 2026 nor 2025 (the year compared with).
    make_referral(full_name="Lama", referral_date=datetime.date(2023, 3, 1))
    assert _referrals_on_page(supervisor) == 13
    assert _computed_at() == kept

    for i in range(5):
        make_referral(full_name=f"Baru {i}", referral_date=datetime.date(2026, 4, 1 + i))
    assert _referrals_on_page(supervisor) == 18
    assert _computed_at() > kept
    assert _api(cast.viewer, period="2026").json()["cards"][0]["value"] == 18


def test_a_change_made_without_the_models_shows_too(cast, known, browse):
    """The summary tables are marked by database triggers: a bulk update counts."""
    viewer = browse("viewer")
    assert _referrals_on_page(viewer) == 13
    Referral.objects.filter(referral_date__year=2026).update(
        referral_date=datetime.date(2024, 1, 5)
    )
    assert _referrals_on_page(viewer) == 0


def test_a_supervisor_counts_the_figures_now(cast, known, browse):
    supervisor = browse("supervisor")
    assert _referrals_on_page(supervisor) == 13
    kept = _computed_at()
    response = supervisor.post(reverse("dashboard:refresh"), {"area": "", "period": "2026"})
    assert response.status_code == 302
    assert _computed_at() > kept
    assert _referrals_on_page(supervisor) == 13


def test_only_supervisors_and_administrators_count_again_and_only_their_area(cast, browse):
    refresh = reverse("dashboard:refresh")
    assert browse("viewer").post(refresh, {"period": "2026"}).status_code == 404
    assert browse("caseworker").post(refresh, {"period": "2026"}).status_code == 404
    assert browse("supervisor").post(refresh, {"area": "16.10", "period": "2026"}).status_code == (
        404
    )
    assert browse("admin").post(refresh, {"period": "2026"}).status_code == 302
    assert browse("supervisor").get(refresh).status_code == 405


def test_a_snapshot_is_counted_again_once_it_is_older_than_the_setting(
    cast, known, browse, make_referral, settings
):
    viewer = browse("viewer")
    assert _referrals_on_page(viewer) == 13
    kept = _computed_at()
    settings.DASHBOARD_SNAPSHOT_MAX_AGE = 0

    assert _referrals_on_page(viewer) == 13
    assert _computed_at() > kept  # counted again although no record changed


def test_celery_beat_refreshes_the_periods_that_still_change(cast, known):
    assert "refresh-dashboard-summaries" in django_settings.CELERY_BEAT_SCHEDULE

    refreshed = refresh_summaries()

    keys = set(DashboardSnapshot.objects.values_list("area_key", "period"))
    assert refreshed == len(keys) and refreshed % 6 == 0
    today = timezone.localdate()
    assert ("|16.02", str(today.year)) in keys
    assert ("|16.10", f"{today:%Y-%m}") in keys
    assert DashboardSnapshot.objects.filter(area_key="|16.02", period=str(today.year)).exists()
    assert not DashboardSnapshot.objects.exclude(
        area_key__in=["|16.02", "|16.10", "|16,32"]
    ).exists()


def test_the_demo_year_2023_shows_the_clinics_episodes_and_its_satisfaction_index(demo):
    viewer = User.objects.get(username="demo-viewer")
    unit = SurveyUnit.objects.get()
    expected = survey_results(unit=unit, period=period_year(2023))

    data = _api(viewer, period="2023").json()

    episodes = _section(data, "episodes")
    assert _row(episodes, "rawat_jalan")["total"] == 50
    assert _row(episodes, "rujukan")["total"] + _row(episodes, "rawat_inap")["total"] == 13
    assert episodes["total"]["total"] == 63 == Episode.objects.filter(started_on__year=2023).count()
    ikm = _row(_section(data, "ikm"), "0")["cells"]
    assert ikm[:4] == [50, float(expected.index), float(expected.converted), "A"]
    assert ikm[1] == 3.94 and ikm[4] == 3.9
    # The chart's bar is labelled with the index and grade the table gives, as Indonesian
    # numbers are written.
    browser = Browser()
    browser.force_login(viewer)
    page = browser.get(URL, {"period": "2023"})
    [chart] = [s.chart for s in page.context["data"]["sections"] if s.key == "ikm"]
    assert chart["labels"] == [f"{unit.name}: 3,94 (A)"]
    assert f"{unit.name}: 3,94 (A)" in page.text  # in the chart's JSON block


def _section(data, key):
    return next(s for s in data["sections"] if s["key"] == key)


def test_the_demo_dashboard_shows_bnnks_year_and_the_villages_of_2025(demo):
    viewer = User.objects.get(username="demo-viewer")

    year = _api(viewer, period="2023").json()
    later = _api(viewer, period="2025").json()

    urine = {r["label"]: r["cells"] for r in _section(year, "urine_tests")["rows"]}
    assert urine["Diskominfo"] == [25, 0] and urine["KPP Pratama Kayuagung"] == [7, 0]
    assert _section(year, "urine_tests")["total"]["cells"] == [108, 0]
    activists = [r for r in _section(year, "activities")["rows"] if r["cells"][1] == 40]
    assert activists  # 40 P4GN activists inaugurated
    enforcement = {r["code"]: r["cells"][0] for r in _section(year, "enforcement")["rows"]}
    assert enforcement == {"cases": "<5", "suspects": "<5", "target": 1}  # 3 and 3: suppressed
    # ... and the section says why the yearly report gives 3 and 3
    published = said(
        "Here a count from 1 to 4 reads <5; the yearly report gives the BNNK's figures as the "
        "board publishes them."
    )
    for key in ("activities", "urine_tests", "enforcement"):
        assert published in _section(year, key)["note"]
    villages = _section(later, "villages")["total"]["cells"]
    assert villages[:2] == [7, 34]  # Bahaya, Waspada


def test_a_chart_with_hidden_figures_says_so_under_it(demo):
    browser = Browser()
    browser.force_login(User.objects.get(username="demo-viewer"))

    page = browser.get(URL, {"period": "2026"})

    hidden = [s for s in page.context["data"]["sections"] if s.chart and s.chart["hidden"]]
    assert hidden  # the demo's year has small counts
    drawn = [s for s in hidden if s.rows and not s.chart["empty"]]
    assert page.text.count("bi-eye-slash") == len(drawn)
    for section in hidden:
        chart = section.chart
        for i, label in enumerate(chart["labels"]):
            gaps = {d["data"][i] is None for d in chart["datasets"]}
            # A category with a gap says what is hidden there; the others say nothing.
            assert (True in gaps) == label.endswith(("(<5)", "(x)", "(<5, x)")), label


def test_a_chart_with_nothing_to_draw_is_not_drawn_and_no_share_hides_a_slice(demo):
    """Seen in the browser: empty axes under a card that counts 13 episodes (each cell
    hidden), and a doughnut of referrals all "accepted" (the others hidden)."""
    browser = Browser()
    browser.force_login(User.objects.get(username="demo-viewer"))

    page = browser.get(URL, {"period": "2026"})

    sections = [s for s in page.context["data"]["sections"] if s.chart and s.rows]
    empty = [s for s in sections if s.chart["empty"]]
    assert empty  # the demo's year has such figures
    for s in empty:
        values = [v for d in s.chart["datasets"] for v in d["data"]]
        assert not any(values), s.key
        assert f'data-source="chart-{s.key}"' not in page.text
    for s in sections:
        if not s.chart["empty"]:
            assert f'data-source="chart-{s.key}"' in page.text
        if s.chart["hidden"]:
            assert s.chart["type"] not in ("pie", "doughnut"), s.key
    assert page.text.count(
        said("No chart for this period: every figure is 0 or hidden (<5, x).")
    ) == len(empty)


def test_an_empty_table_says_so_across_all_its_columns_and_the_ikm_table_is_full_width(cast):
    """Seen in the browser: the "nothing in this period" row stopped short of the last
    columns, and the seven IKM columns were cut off in half the page's width."""
    browser = Browser()
    browser.force_login(cast.viewer)
    html = browser.get(URL, {"period": "2026"}).content.decode()

    empty = 0
    for table in re.findall(r"<table.*?</table>", html, re.S):
        colspan = re.search(r'<td colspan="(\d+)" class="text-muted">', table)
        if colspan:
            empty += 1
            headings = re.findall(r"<th[ >]", table.split("</thead>")[0])
            assert int(colspan[1]) == len(headings), table
    assert empty >= 5
    wide = [part.split("dashboard-section")[0]
            for part in html.split('<div class="col-12 dashboard-section">')[1:]]  # fmt: skip
    assert any(said("Satisfaction index (IKM) per service unit") in part for part in wide)
    # So is the episodes' table of eight columns, cut off at 1280 px in half the width.
    assert any(said("Rehabilitation episodes by modality and outcome") in part for part in wide)


def test_a_date_range_is_a_period_the_page_explains_and_compares(demo):
    """The period field took date ranges without saying so: its help now names them."""
    browser = Browser()
    browser.force_login(User.objects.get(username="demo-viewer"))

    page = browser.get(URL, {"period": "2023-01-01..2023-06-30"})

    data = page.context["data"]
    period = data["period"]
    assert (period.start, period.end) == (datetime.date(2023, 1, 1), datetime.date(2023, 6, 30))
    before = data["previous_period"]
    assert (before.start, before.end) == (datetime.date(2022, 7, 4), datetime.date(2022, 12, 31))
    assert escape(said(
        "A year (2023), a quarter (2023-Q2), a month (2023-05) or a date range "
        "(2023-01-01..2023-06-30)."
    )) in page.text  # fmt: skip


def test_a_card_whose_figure_is_hidden_says_why(demo):
    """Seen in the browser: a card read "x" as its figure, and nothing more."""
    browser = Browser()
    browser.force_login(User.objects.get(username="demo-viewer"))
    note = escape(said(
        "Hidden to protect the people counted (<5: from 1 to 4; x: would reveal such a figure)."
    ))  # fmt: skip
    seen = 0

    for period in ("2023", "2026", "2026-Q4", f"{timezone.localdate():%Y-%m}"):
        page = browser.get(URL, {"period": period})
        hidden = [c for c in page.context["data"]["cards"] if isinstance(c["value"], str)]
        assert page.text.count("data-card-hidden") == len(hidden), period
        assert (note in page.text) == bool(hidden), period
        seen += len(hidden)

    assert seen  # the demo has such cards


def _titles(browser) -> list:
    page = browser.get(URL, {"period": "2026"})
    return [s.title for s in page.context["data"]["sections"]]


def test_the_funnel_does_not_say_your_service_area_to_a_district_head(demo):
    """A list's verdict speaks to the organisation that screened it ("Outside your service
    area"); on the district head's dashboard it names that organisation's area instead."""
    browser = Browser()
    browser.force_login(User.objects.get(username="demo-viewer"))

    page = browser.get(URL, {"period": str(timezone.localdate().year)})

    assert said("Outside the service area of the organisation screening") in page.text
    assert said("Outside your service area") not in page.text


@pytest.mark.parametrize(
    ("key", "period", "detail", "heading"),
    [
        ("aid_items", "2026", "component", "Komponen ATENSI"),
        ("ikm", "2023", "organisation", "Organisasi"),
        ("funnel_reasons", "2026", "step", "Langkah"),
    ],
)
def test_a_sheet_keeps_the_second_heading_column_the_page_shows(demo, key, period, detail, heading):
    # Seen: the sheet of aid by item had no "Komponen ATENSI" column, which the page shows.
    viewer = User.objects.get(username="demo-viewer")
    rows = _section(_api(viewer, period=period).json(), key)["rows"]
    browser = Browser()
    browser.force_login(viewer)
    response = browser.get(URL, {"period": period, "format": "xlsx", "section": key})
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).worksheets[0]

    table = list(sheet.iter_rows(min_row=4, values_only=True))
    assert table[0][:2] == (None, heading)
    assert rows and [r[:2] for r in table[1 : 1 + len(rows)]] == [
        (r["label"], r[detail]) for r in rows
    ]
    assert f'<th scope="col">{heading}</th>' in browser.get(URL, {"period": period}).text


def test_the_follow_up_chart_and_table_say_done_as_the_card_does(demo):
    # Seen: the card read "Bimbingan lanjut terlaksana", its chart and table "Selesai".
    viewer = User.objects.get(username="demo-viewer")
    browser = Browser()
    browser.force_login(viewer)
    page = browser.get(URL, {"period": "2026"})
    [section] = [s for s in page.context["data"]["sections"] if s.key == "follow_ups"]

    assert [str(r["label"]) for r in section.rows if r["code"] in ("done", "open")] == [
        "Terlaksana",
        "Masih berjalan",
    ]
    assert [label.split(" (")[0] for label in section.chart["labels"]] == [
        "Terlaksana",
        "Masih berjalan",
    ]
    assert "Bimbingan lanjut terlaksana" in page.text
