"""The timeline is stored as messages and parameters and read in the reader's language.

An event written while the writer's page was in one language reads in the other language to a
reader who chose it: an Indonesian inspector and an English administrator read the same event
each in their own (the page, the API and the access-request export).
"""

import datetime
import io

import openpyxl
import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_noop

from assessments import assist
from assessments.services.screening import screening_record
from atensi import texts
from cases import services
from cases.models import CaseEvent, Client, FamilyMember, Referral

pytestmark = pytest.mark.django_db

# Sabu weekly, a strong urge weekly, others worried lately: a moderate risk.
SABU = {"q1": True, "q2": "weekly", "q3": "weekly", "q4": "never", "q5": "never",
        "q6": "recent", "q7": "never"}  # fmt: skip
ANSWERS = {s.code: SABU if s.code == "ats" else {"q1": False} for s in assist.SUBSTANCES}


def read_in(language: str, stored) -> str:
    with translation.override(language):
        return texts.render(stored)


# --- the stored form -------------------------------------------------------------------


def test_a_message_with_a_choice_a_field_and_a_list_reads_in_each_language():
    stored = texts.msg(
        gettext_noop("Changed: %(fields)s"),
        fields=texts.joined([texts.field(Client, "birth_date"), texts.field(Client, "address")]),
    )
    relation = texts.choice(FamilyMember.Relation, "ibu")

    assert read_in("en", stored) == "Changed: date of birth, address"
    assert read_in("id", stored) == "Diubah: tanggal lahir, alamat"
    assert (read_in("en", relation), read_in("id", relation)) == ("Mother", "Ibu")


def test_a_choices_member_as_a_parameter_is_stored_as_its_code_not_its_label():
    stored = texts.msg(gettext_noop("Phase: %(what)s"), what=Referral.Source.BNNK)

    assert stored["p"]["what"] == {"c": ["cases.models", "Referral.Source"], "v": "bnnk"}


def test_reading_never_fails_on_what_no_longer_fits():
    gone = texts.choice(FamilyMember.Relation, "no-such-relation")
    no_field = texts.field(Client, "no_such_field")
    outside = {"c": ["os", "path"], "v": "x"}  # only the project's own modules are read
    bad_params = {"m": "Changed: %(fields)s", "p": {"other": "x"}}

    assert texts.render(gone) == "no-such-relation"
    assert texts.render(no_field) == "no_such_field"
    assert texts.render(outside) == "x"
    assert texts.render(bad_params) == "Changed: %(fields)s"
    assert texts.render(None) == "" and texts.render("as typed") == "as typed"


# --- through the services, the page, the API and the export ---------------------------------


@pytest.fixture
def written_in_english(cast, make_case):
    """A case whose events were all written by a caseworker whose page was in English."""
    case = make_case()
    with translation.override("en"):
        screening_record(
            client=case.client, case=case, by=cast.caseworker, answers=ANSWERS,
            injection="never", screened_on=datetime.date(2026, 1, 15),
        )  # fmt: skip
        services.family_member_add(
            client=case.client, by=cast.caseworker, relation="ibu", full_name="Siti Aminah"
        )
        services.client_update(client=case.client, by=cast.caseworker, address="Jl. Baru 7")
    return case


def test_an_event_written_in_english_reads_in_indonesian_and_in_english(written_in_english):
    case = written_in_english
    screening = case.events.get(verb=CaseEvent.Verb.SCREENING)
    family = case.events.get(verb=CaseEvent.Verb.FAMILY)
    changed = case.events.get(verb=CaseEvent.Verb.CLIENT_UPDATED)

    assert screening.text == "" and screening.message["m"].startswith("Highest risk")
    with translation.override("id"):
        assert screening.description.startswith("Risiko tertinggi: ")
        assert "Risiko sedang" in screening.description
        assert (family.description, changed.description) == ("Ibu", "Diubah: alamat")
    with translation.override("en"):
        assert screening.description.startswith("Highest risk: ")
        assert (family.description, changed.description) == ("Mother", "Changed: address")


def test_the_case_page_and_the_api_speak_the_readers_language(written_in_english, browse):
    case = written_in_english
    page = reverse("cases:case-detail", args=[case.pk])
    api = reverse("api:case-timeline", args=[case.pk])

    indonesian = browse("supervisor")
    english = browse("supervisor")
    english.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    html_id = indonesian.get(page).content.decode()
    html_en = english.get(page).content.decode()
    assert "Risiko tertinggi: " in html_id and "Highest risk: " not in html_id
    assert "Highest risk: " in html_en and "Risiko tertinggi: " not in html_en

    said_id = {e["verb"]: e["text"] for e in indonesian.get(api).json()["results"]}
    said_en = {
        e["verb"]: e["text"]
        for e in english.get(api, headers={"accept-language": "en"}).json()["results"]
    }
    assert (said_id["family"], said_en["family"]) == ("Ibu", "Mother")
    assert said_id["screening"].startswith("Risiko tertinggi: ")
    assert said_en["screening"].startswith("Highest risk: ")


def test_the_access_request_export_reads_the_timeline_not_its_codes(written_in_english, browse):
    case = written_in_english
    response = browse("caseworker").get(reverse("cases:personal-data", args=[case.client_id]))
    book = openpyxl.load_workbook(io.BytesIO(response.content), read_only=True)
    cells = [
        str(cell) for sheet in book.worksheets for row in sheet.iter_rows(values_only=True)
        for cell in row if cell is not None
    ]  # fmt: skip

    assert any(cell.startswith("Risiko tertinggi: ") for cell in cells)
    assert not any('"m":' in cell for cell in cells)


def test_a_note_and_a_reason_stay_as_typed_beside_the_systems_words(cast, make_case):
    case = make_case()
    services.case_note_add(case=case, by=cast.caseworker, text="Kunjungan rumah, ibu hadir")

    [note] = case.events.filter(verb=CaseEvent.Verb.NOTE)
    assert note.message is None
    with translation.override("en"):
        assert note.description == "Kunjungan rumah, ibu hadir"
