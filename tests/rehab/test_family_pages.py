"""Family guidance pages: who may see and change sessions and series, recording a session and
its attendance, the series' attendance matrix and its spreadsheet, the client page's list."""

import datetime
import io

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils.html import escape
from openpyxl import load_workbook

from atensi.audit.models import AuditEvent
from atensi.errors import ApplicationError
from cases import services as case_services
from cases.models import CaseEvent
from rehab.models.family import FamilyAttendance, FamilySession
from rehab.services import family as services
from tests.conftest import OI_VILLAGE, OKI_VILLAGE, OKI_VILLAGE_2, ROLES, role_matrix, said, shown

DATE = datetime.date(2023, 8, 12)


@pytest.fixture
def family(cast, make_case):
    """A client with an open case and a mother on record, in OKI."""
    case = make_case(full_name="Rudi Hartono")
    mother = case_services.family_member_add(
        client=case.client, by=cast.caseworker, relation="ibu", full_name="Sulastri Hartono"
    )
    return case, mother


@pytest.fixture
def session(cast, family):
    session = services.session_create(
        by=cast.caseworker, date=DATE, place="Balai Desa Kayuagung", village=OKI_VILLAGE,
        topic="Komunikasi dalam keluarga", facilitator="Siti Rahmawati, S.Sos",
    )  # fmt: skip
    services.attendance_add_members(session=session, by=cast.caseworker, members=[family[1]])
    services.attendance_add_walk_in(
        session=session, by=cast.caseworker, name="Marni", relation="Kader PKK"
    )
    return session


def series_with_meetings(cast, family, meetings=2):
    series = services.series_create(
        by=cast.caseworker, name="Ketahanan Keluarga", village=OKI_VILLAGE, planned_meetings=4
    )
    sessions = []
    for number in range(1, meetings + 1):
        session = services.session_create(
            by=cast.caseworker, date=DATE + datetime.timedelta(weeks=number), place="Balai Desa",
            village=OKI_VILLAGE, topic=f"Pertemuan {number}", facilitator="Siti",
            series=series, meeting_number=number,
        )  # fmt: skip
        services.attendance_add_members(
            session=session, by=cast.caseworker, members=[family[1]], attended=number == 1
        )
        services.attendance_add_walk_in(session=session, by=cast.caseworker, name="Marni")
        sessions.append(session)
    return series, sessions


def page_url(page, session, series, client):
    return {
        "list": reverse("rehab:family-session-list"),
        "create": reverse("rehab:family-session-create"),
        "detail": reverse("rehab:family-session-detail", args=[session.pk]),
        "edit": reverse("rehab:family-session-edit", args=[session.pk]),
        "series create": reverse("rehab:family-series-create"),
        "series": reverse("rehab:family-series-detail", args=[series.pk]),
        "series edit": reverse("rehab:family-series-edit", args=[series.pk]),
        "series export": reverse("rehab:family-series-export", args=[series.pk]),
        "client sessions": reverse("rehab:family-client-sessions", args=[client.pk]),
    }[page]


PAGES = {
    #                    caseworker supervisor outsider referrer centre viewer admin
    "list":              (200, 200, 200, 404, 200, 404, 200),
    "create":            (200, 200, 200, 404, 200, 404, 404),
    "detail":            (200, 200, 404, 404, 200, 404, 200),
    "edit":              (200, 200, 404, 404, 404, 404, 404),
    "series create":     (200, 200, 200, 404, 200, 404, 404),
    "series":            (200, 200, 404, 404, 200, 404, 200),
    "series edit":       (200, 200, 404, 404, 404, 404, 404),
    "series export":     (200, 200, 404, 404, 404, 404, 404),
    "client sessions":   (200, 200, 404, 404, 404, 404, 200),
}  # fmt: skip


@pytest.mark.parametrize(("page", "role", "expected"), role_matrix(PAGES))
def test_each_role_gets_the_family_guidance_pages_it_may_see(
    cast, family, session, browse, page, role, expected
):
    series, _sessions = series_with_meetings(cast, family, meetings=1)
    url = page_url(page, session, series, family[0].client)

    assert browse(role).get(url).status_code == expected


@pytest.mark.parametrize("role", ["outsider", "referrer", "viewer"])
def test_outsiders_cannot_post_to_a_session(cast, family, session, browse, role):
    browser = browse(role)
    row = session.attendances.first()
    posts = [
        (reverse("rehab:family-session-edit", args=[session.pk]), {"topic": "x"}),
        (reverse("rehab:family-attendance-members", args=[session.pk]), {"members": []}),
        (reverse("rehab:family-attendance-walk-in", args=[session.pk]), {"walkin-name": "X"}),
        (reverse("rehab:family-attendance-mark", args=[session.pk]), {}),
        (reverse("rehab:family-attendance-remove", args=[session.pk, row.pk]), {}),
    ]
    for url, data in posts:
        assert browser.post(url, data).status_code == 404, url
    assert session.attendances.count() == 2
    assert session.attendances.filter(attended=True).count() == 2


def test_a_caseworker_records_a_session_and_who_came(cast, family, browse):
    case, mother = family
    browser = browse("caseworker")

    response = browser.post(reverse("rehab:family-session-create"), {
        "date": "2023-08-12", "topic": "Pola asuh", "place": "Balai Desa Kayuagung",
        "village": OKI_VILLAGE, "facilitator": "Siti Rahmawati", "notes": "",
    })  # fmt: skip
    session = FamilySession.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("rehab:family-session-detail", args=[session.pk])

    page = browser.get(response.url).content.decode()
    assert "Sulastri Hartono" in page  # offered among the family members of clients
    browser.post(reverse("rehab:family-attendance-members", args=[session.pk]),
                 {"members": [str(mother.pk)], "attended": "on"})  # fmt: skip
    browser.post(
        reverse("rehab:family-attendance-walk-in", args=[session.pk]),
        {"walkin-name": "Marni", "walkin-relation": "Kader PKK", "walkin-attended": ""},
    )

    rows = {r.name: r for r in session.attendances.select_related("member")}
    assert rows["Sulastri Hartono"].attended and rows["Sulastri Hartono"].member == mother
    assert not rows["Marni"].attended and rows["Marni"].walk_in_relation == "Kader PKK"
    event = CaseEvent.objects.get(case=case, verb=CaseEvent.Verb.FAMILY_SESSION)
    assert event.text == "12-08-2023 · Pola asuh" and event.actor == cast.caseworker

    browser.post(reverse("rehab:family-attendance-mark", args=[session.pk]),
                 {"present": [str(rows["Marni"].pk)]})  # fmt: skip
    assert set(
        session.attendances.filter(attended=True).values_list("walk_in_name", flat=True)
    ) == {"Marni"}
    page = browser.get(reverse("rehab:family-session-detail", args=[session.pk])).content.decode()
    assert "Marni" in page and "Sulastri Hartono" in page
    assert "Sulastri" not in response.url
    # Taking someone off the list asks first: it would lose the ticks not yet saved.
    confirm = said(
        "Take this person off the list? Ticks not yet saved are lost: save the attendance first."
    )
    assert page.count(f'data-confirm="{escape(confirm)}"') == 2


def test_viewing_a_session_page_is_audited(cast, session, browse):
    browse("supervisor").get(reverse("rehab:family-session-detail", args=[session.pk]))

    assert AuditEvent.objects.filter(
        actor=cast.supervisor, action="view", object_type="familysession",
        object_id=str(session.pk),
    ).exists()  # fmt: skip


def test_a_session_cannot_be_held_outside_the_area(cast, browse):
    response = browse("caseworker").post(reverse("rehab:family-session-create"), {
        "date": "2023-08-12", "topic": "Pola asuh", "place": "Balai Desa", "village": OI_VILLAGE,
        "facilitator": "Siti",
    })  # fmt: skip

    assert response.status_code == 200
    assert not FamilySession.objects.exists()


def test_family_members_of_clients_outside_the_user_reach_cannot_be_listed(
    cast, make_client, session
):
    stranger = make_client(by=cast.outsider, serial=7, village=OI_VILLAGE)
    member = case_services.family_member_add(
        client=stranger, by=cast.outsider, relation="ayah", full_name="Ayah Orang Lain"
    )

    with pytest.raises(ApplicationError) as refused:
        services.attendance_add_members(session=session, by=cast.caseworker, members=[member])
    assert refused.value.field == "members"
    assert not session.attendances.filter(member=member).exists()


def test_centre_staff_see_a_session_without_the_names_of_families_not_handed_to_them(
    session, browse
):
    page = browse("centre").get(reverse("rehab:family-session-detail", args=[session.pk]))
    html = page.content.decode()

    assert page.status_code == 200
    assert "Sulastri Hartono" not in html and "Rudi Hartono" not in html
    assert "Marni" in html


def test_the_database_keeps_one_row_per_member_and_either_a_member_or_a_name(cast, family, session):
    with pytest.raises(IntegrityError), transaction.atomic():
        FamilyAttendance.objects.create(
            session=session, member=family[1], recorded_by=cast.caseworker
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        FamilyAttendance.objects.create(
            session=session, member=family[1], walk_in_name="Dua-duanya",
            recorded_by=cast.caseworker,
        )  # fmt: skip
    with pytest.raises(IntegrityError), transaction.atomic():
        FamilyAttendance.objects.create(session=session, recorded_by=cast.caseworker)


def test_a_meeting_of_a_series_is_recorded_once(cast, family):
    series, _sessions = series_with_meetings(cast, family, meetings=1)

    with pytest.raises(ApplicationError) as refused:
        services.session_create(
            by=cast.caseworker, date=DATE, place="Balai", village=OKI_VILLAGE, topic="Lagi",
            facilitator="Siti", series=series, meeting_number=1,
        )  # fmt: skip

    assert refused.value.field == "meeting_number"
    assert series.sessions.count() == 1


def test_the_series_page_shows_attendance_across_meetings(cast, family, browse):
    series, _sessions = series_with_meetings(cast, family, meetings=2)

    html = (
        browse("caseworker")
        .get(reverse("rehab:family-series-detail", args=[series.pk]))
        .content.decode()
    )

    assert "Sulastri Hartono" in html and "Marni" in html
    # Sulastri came to meeting 1 only, Marni to both: 2 and 1 present, 3 in all.
    assert html.count("✓") == 3 and html.count("✗") == 1
    assert '<th class="text-center">2</th><th class="text-center">1</th>' in html
    assert '<th class="text-center">3</th>' in html


def test_the_series_attendance_exports_as_an_audited_spreadsheet(cast, family, browse):
    series, _sessions = series_with_meetings(cast, family, meetings=2)

    response = browse("supervisor").get(reverse("rehab:family-series-export", args=[series.pk]))

    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert rows[2][1:] == ["Marni", None, None, "✓", "✓", 2]
    assert rows[3][1:5] == ["Sulastri Hartono", said("Mother"), "Rudi Hartono", "✓"]
    assert rows[-1][4:] == [2, 1, 3]
    assert AuditEvent.objects.filter(
        actor=cast.supervisor, action="export", object_id=str(series.pk)
    ).exists()


def test_the_client_page_lists_the_sessions_their_family_attended(cast, family, session, browse):
    client = family[0].client
    browser = browse("caseworker")

    page = browser.get(reverse("cases:client-detail", args=[client.pk])).content.decode()
    fragment = browser.get(reverse("rehab:family-client-sessions", args=[client.pk]))

    assert reverse("rehab:family-client-sessions", args=[client.pk]) in page
    assert "Komunikasi dalam keluarga" in fragment.content.decode()
    assert "12-08-2023" in fragment.content.decode()


def test_the_session_list_filters_by_period_and_village(cast, family, session, browse):
    services.session_create(
        by=cast.caseworker, date=datetime.date(2024, 2, 1), place="Balai Desa Cinta Jaya",
        village=OKI_VILLAGE_2, topic="Pencegahan kekambuhan", facilitator="Siti",
    )  # fmt: skip
    browser = browse("caseworker")
    url = reverse("rehab:family-session-list")

    everything = browser.get(url).content.decode()
    in_2023 = browser.get(url, {"start": "2023-01-01", "end": "2023-12-31"}).content.decode()
    cinta_jaya = browser.get(url, {"village": OKI_VILLAGE_2}).content.decode()

    assert "Komunikasi dalam keluarga" in everything and "Pencegahan kekambuhan" in everything
    assert "Komunikasi dalam keluarga" in in_2023 and "Pencegahan kekambuhan" not in in_2023
    assert "Komunikasi dalam keluarga" not in cinta_jaya and "Pencegahan kekambuhan" in cinta_jaya
    assert shown("Family guidance sessions") in everything


def test_the_session_list_costs_a_fixed_number_of_queries(
    cast, family, browse, django_assert_max_num_queries
):
    series_with_meetings(cast, family, meetings=3)
    browser = browse("caseworker")
    browser.get(reverse("rehab:family-session-list"))

    with django_assert_max_num_queries(14):
        browser.get(reverse("rehab:family-session-list"))


def test_roles_are_pinned_for_every_column(cast):
    assert all(len(row) == len(ROLES) for row in PAGES.values())


def test_a_caseworker_starts_a_series_and_records_its_next_meeting(cast, family, browse):
    browser = browse("caseworker")

    response = browser.post(reverse("rehab:family-series-create"), {
        "name": "Ketahanan Keluarga", "village": OKI_VILLAGE, "planned_meetings": "4",
        "description": "",
    })  # fmt: skip
    series = cast.dinsos.family_series.get()
    assert response.url == reverse("rehab:family-series-detail", args=[series.pk])

    form = browser.get(reverse("rehab:family-session-create"), {"seri": str(series.pk)})
    assert form.context["form"].initial["meeting_number"] == 1
    assert form.context["form"].initial["village"] == OKI_VILLAGE
    response = browser.post(reverse("rehab:family-session-create"), {
        "series": str(series.pk), "meeting_number": "1", "date": "2023-07-15",
        "topic": "Peran keluarga", "place": "Balai Desa", "village": OKI_VILLAGE,
        "facilitator": "Siti",
    })  # fmt: skip
    assert response.status_code == 302
    assert series.sessions.get().meeting_number == 1
    again = browser.post(reverse("rehab:family-session-create"), {
        "series": str(series.pk), "meeting_number": "1", "date": "2023-07-22",
        "topic": "Lagi", "place": "Balai Desa", "village": OKI_VILLAGE, "facilitator": "Siti",
    })  # fmt: skip
    assert again.status_code == 200 and series.sessions.count() == 1


def test_another_organisations_series_is_not_offered_nor_accepted(cast, family, browse):
    series = services.series_create(
        by=cast.caseworker, name="Ketahanan Keluarga", village=OKI_VILLAGE, planned_meetings=4
    )
    cast.caseworker2.organisation = cast.sentra
    cast.caseworker2.role = "centre"
    cast.caseworker2.save()

    response = browse("caseworker2").post(reverse("rehab:family-session-create"), {
        "series": str(series.pk), "meeting_number": "1", "date": "2023-07-15",
        "topic": "Peran keluarga", "place": "Balai Desa", "village": OKI_VILLAGE,
        "facilitator": "Siti",
    })  # fmt: skip

    assert response.status_code == 200
    assert not series.sessions.exists()


def test_the_outsider_finds_no_session_or_series_of_another_regency_in_the_list(
    cast, family, session, browse
):
    series_with_meetings(cast, family, meetings=1)

    html = browse("outsider").get(reverse("rehab:family-session-list")).content.decode()

    assert "Komunikasi dalam keluarga" not in html and "Ketahanan Keluarga" not in html


def test_a_series_is_corrected_but_not_below_its_recorded_meetings(cast, family, browse):
    series, _sessions = series_with_meetings(cast, family, meetings=2)
    browser = browse("supervisor")
    url = reverse("rehab:family-series-edit", args=[series.pk])

    too_few = browser.post(url, {"name": "Ketahanan Keluarga", "planned_meetings": "1"})
    renamed = browser.post(url, {"name": "Ketahanan Keluarga Tangguh", "planned_meetings": "6"})

    assert too_few.status_code == 200
    assert renamed.status_code == 302
    series.refresh_from_db()
    assert (series.name, series.planned_meetings) == ("Ketahanan Keluarga Tangguh", 6)
    assert browse("outsider").post(url, {"name": "X", "planned_meetings": "4"}).status_code == 404
