"""The survey's staff pages: who may open which unit, the IKM of a period as the results
page and the XLSX report show it, the QR code and poster, setting up a unit and typing in a
paper questionnaire."""

import datetime
import io

import pytest
from django.test import Client as Browser
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from atensi.accounts.models import User
from atensi.audit.models import AuditEvent
from rehab.models.survey import SurveyResponse, SurveyUnit
from tests.conftest import PASSWORD, role_matrix

from .survey_world import WORKED, answer, form_data, make_unit

pytestmark = pytest.mark.django_db

DAY = datetime.date(2023, 5, 10)


@pytest.fixture
def unit(cast):
    unit = make_unit(cast)
    for ratings in WORKED:
        answer(unit, ratings, day=DAY)
    answer(unit, (4,) * 9, day=DAY, suggestion="Antrean <b>lama</b> di loket")
    answer(unit, (1,) * 9, day=datetime.date(2024, 1, 3))  # another year
    return unit


def url(name, unit, query=""):
    return reverse(f"rehab:{name}", args=[unit.pk]) + query


PAGES = {
    #                       caseworker supervisor outsider referrer centre viewer admin
    "survey-unit-detail":   (404, 200, 404, 200, 404, 200, 200),
    "survey-unit-export":   (404, 200, 404, 200, 404, 200, 200),
    "survey-unit-qr":       (404, 200, 404, 200, 404, 200, 200),
    "survey-unit-poster":   (404, 200, 404, 200, 404, 200, 200),
    "survey-unit-edit":     (404, 404, 404, 200, 404, 404, 404),
    "survey-paper-entry":   (404, 404, 404, 200, 404, 404, 404),
}  # fmt: skip


@pytest.mark.parametrize(("page", "role", "status"), role_matrix(PAGES))
def test_access_matrix(browse, unit, page, role, status):
    assert browse(role).get(url(page, unit)).status_code == status


def test_a_supervisor_of_another_regency_gets_404_everywhere(cast, unit):
    other = User.objects.create_user(
        username="kasi-oi", password=PASSWORD, organisation=cast.other_dinsos,
        role=User.Role.SUPERVISOR,
    )  # fmt: skip
    browser = Browser()
    browser.force_login(other)

    for page in PAGES:
        assert browser.get(url(page, unit)).status_code == 404, page
    assert unit.name not in browser.get(reverse("rehab:survey-unit-list")).text


def test_the_list_shows_the_unit_to_its_readers_only(browse, unit):
    assert unit.name in browse("referrer").get(reverse("rehab:survey-unit-list")).text
    assert unit.name in browse("viewer").get(reverse("rehab:survey-unit-list")).text
    assert unit.name not in browse("outsider").get(reverse("rehab:survey-unit-list")).text


def test_the_list_takes_a_fixed_number_of_queries(
    browse, cast, unit, django_assert_max_num_queries
):
    for n in range(5):
        make_unit(cast, name=f"Unit {n}")
    browser = browse("referrer")
    with django_assert_max_num_queries(8):
        assert browser.get(reverse("rehab:survey-unit-list")).status_code == 200


def test_anonymous_users_are_sent_to_login(unit):
    response = Browser().get(url("survey-unit-detail", unit))
    assert response.status_code == 302 and "/akun/" in response.url


def test_the_results_page_shows_the_worked_example(browse, unit):
    html = browse("referrer").get(url("survey-unit-detail", unit, "?period=2023-05")).text

    # Five respondents: the worked four and one of all 4s; 38.25 / 9 / 5 … by element:
    # U1 (4+4+4+3+4)/5 = 3.8, U8 (3+3+4+3+4)/5 = 3.4; index 3.8444, × 25 = 96.11.
    assert 'id="ikm-respondents">5<' in html
    assert 'id="ikm-index">3.84<' in html or 'id="ikm-index">3,84<' in html
    assert 'id="ikm-converted">96.11<' in html or 'id="ikm-converted">96,11<' in html
    assert 'id="ikm-grade">A<' in html
    assert "3.4000" in html or "3,4000" in html
    assert 'id="ikm-chart"' in html and 'id="ikm-chart-data"' in html


def test_the_index_falls_short_of_the_target_and_the_weak_elements_are_marked(browse, unit):
    html = browse("referrer").get(url("survey-unit-detail", unit, "?period=2023")).text

    assert "alert-warning" in html  # 3.84 < 3.90
    assert html.count('class="table-warning"') == 5  # U1, U2, U4, U8, U9 below 3.9


def test_the_period_form_picks_a_quarter(browse, unit):
    html = browse("referrer").get(url("survey-unit-detail", unit, "?year=2024&part=Q1")).text
    assert 'id="ikm-respondents">1<' in html and 'id="ikm-grade">D<' in html


def test_the_default_period_is_the_year_of_the_latest_response(browse, unit):
    html = browse("referrer").get(url("survey-unit-detail", unit)).text
    assert 'id="ikm-respondents">1<' in html  # 2024


def test_a_period_without_responses_says_so(browse, unit):
    html = browse("referrer").get(url("survey-unit-detail", unit, "?period=2022")).text
    assert 'id="no-results"' in html


def test_a_malformed_period_is_explained(browse, unit):
    html = browse("referrer").get(url("survey-unit-detail", unit, "?period=2023-13")).text
    assert "alert-danger" in html


def test_suggestions_are_shown_escaped_to_the_units_organisation_only(browse, unit):
    own = browse("referrer").get(url("survey-unit-detail", unit, "?period=2023")).text
    area = browse("supervisor").get(url("survey-unit-detail", unit, "?period=2023")).text

    assert "Antrean &lt;b&gt;lama&lt;/b&gt; di loket" in own and "<b>lama</b>" not in own
    assert "Antrean" not in area and 'id="suggestions"' not in area


def test_the_xlsx_report_has_the_usual_layout_and_is_audited(cast, browse, unit):
    response = browse("supervisor").get(url("survey-unit-export", unit, "?period=2023"))

    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content))["IKM"]
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    header = rows.index(next(r for r in rows if r and r[2] == "U1"))
    respondents = rows[header + 1 : header + 6]
    assert [r[0] for r in respondents] == [1, 2, 3, 4, 5]
    assert sorted(tuple(r[2:11]) for r in respondents) == sorted([*WORKED, (4,) * 9])
    sums = rows[header + 6]
    assert sums[2:11] == [19, 19, 20, 19, 20, 20, 20, 17, 19]
    nrr = rows[header + 7]
    assert nrr[2] == pytest.approx(3.8) and nrr[9] == pytest.approx(3.4)
    values = {r[0]: r[1] for r in rows[header + 9 :] if r and r[0]}
    assert pytest.approx(3.8444) in values.values() and pytest.approx(96.11) in values.values()
    assert any(str(v).startswith("A") for v in values.values())
    assert "Antrean" not in str(rows)  # no suggestions leave this way
    event = AuditEvent.objects.get(action=AuditEvent.Action.EXPORT)
    assert event.actor == cast.supervisor and event.object_id == str(unit.pk)


def test_the_qr_code_is_a_png_and_the_poster_a_pdf(browse, unit):
    browser = browse("referrer")
    png = browser.get(url("survey-unit-qr", unit))
    pdf = browser.get(url("survey-unit-poster", unit))

    assert png["Content-Type"] == "image/png" and png.content.startswith(b"\x89PNG")
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    poster = PdfReader(io.BytesIO(pdf.content))
    text = poster.pages[0].extract_text()
    assert len(poster.pages) == 1
    assert unit.name in text and reverse("rehab:survey-public", args=[unit.code]) in text


def test_staff_set_up_a_unit_in_their_area(cast, browse):
    response = browse("referrer").post(reverse("rehab:survey-unit-create"), {
        "name": "Layanan Konseling BNNK OKI", "region": "16.02", "target": "3.80",
    })  # fmt: skip

    unit = SurveyUnit.objects.get(name="Layanan Konseling BNNK OKI")
    assert response.status_code == 302
    assert unit.organisation == cast.bnnk and unit.created_by == cast.referrer
    assert len(unit.code) == 8 and unit.is_active


def test_the_target_may_be_written_with_a_decimal_comma(browse):
    browse("referrer").post(reverse("rehab:survey-unit-create"), {
        "name": "Layanan Konseling BNNK OKI", "region": "16.02", "target": "3,85",
    })  # fmt: skip

    assert str(SurveyUnit.objects.get(name="Layanan Konseling BNNK OKI").target) == "3.85"


@pytest.mark.parametrize("target", ["100", "3,856", "4,5"])
def test_a_target_out_of_range_is_told_the_range(browse, target):
    # Seen: "100" got "Pastikan jumlah angka sebelum desimal … tidak lebih dari 1 angka".
    response = browse("referrer").post(reverse("rehab:survey-unit-create"), {
        "name": "Layanan Konseling BNNK OKI", "region": "16.02", "target": target,
    })  # fmt: skip

    assert response.status_code == 200 and not SurveyUnit.objects.exists()
    text = response.content.decode()
    said = (
        "Isi indeks antara 1 dan 4 dengan paling banyak dua angka desimal, misalnya 3,90."
        if target != "4,5"
        else "Pastikan nilai ini lebih kecil dari atau sama dengan 4."
    )
    assert said in text, target
    assert "angka sebelum desimal" not in text


def test_a_unit_outside_the_area_cannot_be_set_up(browse):
    response = browse("referrer").post(reverse("rehab:survey-unit-create"), {
        "name": "Di luar wilayah", "region": "16.10", "target": "",
    })  # fmt: skip
    assert response.status_code == 200 and not SurveyUnit.objects.filter(name="Di luar wilayah")


def test_a_viewer_cannot_set_up_a_unit(browse):
    assert browse("viewer").get(reverse("rehab:survey-unit-create")).status_code == 404


def test_closing_a_unit_closes_its_public_link(browse, unit):
    browse("referrer").post(
        url("survey-unit-edit", unit),
        {
            "name": unit.name,
            "region": "16.02",
            "target": "3.90",
        },
    )  # fmt: skip  (is_active unticked)

    unit.refresh_from_db()
    assert not unit.is_active
    assert Browser().get(reverse("rehab:survey-public", args=[unit.code])).status_code == 404


def test_staff_type_in_a_paper_questionnaire(cast, browse, unit):
    response = browse("referrer").post(
        url("survey-paper-entry", unit), form_data((3,) * 9, answered_on="2023-06-01")
    )

    assert response.status_code == 302
    paper = SurveyResponse.objects.get(entered_by=cast.referrer)
    assert paper.ratings == dict.fromkeys(paper.ratings, 3)
    assert paper.submitted_at.date() == datetime.date(2023, 6, 1)


def test_a_date_range_ending_before_it_starts_is_named_on_its_field(browse, unit):
    browser = browse("referrer")

    page = browser.get(reverse("rehab:survey-unit-detail", args=[unit.pk]),
                       {"start": "2023-06-01", "end": "2023-02-01"})  # fmt: skip

    assert page.status_code == 200
    assert page.context["period_form"].errors["end"]


def test_a_month_is_named_in_the_readers_language():
    from django.utils import translation

    from rehab.selectors.survey import parse_period

    with translation.override("id"):
        assert parse_period("2023-05").label == "Mei 2023"
