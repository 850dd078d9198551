"""The hand-over's witness (name, role or relationship) and the officer's NIP: given on the
page or through the API, checked, and printed in the BAST's signature blocks."""

import datetime
import io

import pytest
from django.db import IntegrityError, transaction
from pypdf import PdfReader
from rest_framework.test import APIClient

from aid import services
from aid.models import BastCounter, Handover
from aid.nip import nip_problem, normalise_nip
from aid.services import documents
from tests.conftest import said, shown

from .conftest import TODAY, approve, verified

NIP = "198503122010011003"  # born 12-03-1985, appointed 01-2010, a man, serial 003
DOTS = "................................"


def pdf_text(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    return " ".join(" ".join(page.extract_text().split()) for page in reader.pages)


@pytest.fixture
def approved(cast, funded, food, make_client):
    proposal = verified(cast, make_client(), funded, [(food, 1)])
    approve(cast, [proposal])
    return proposal


def form(proposal, **extra):
    data = {
        "items": [str(i.pk) for i in proposal.items.all()], "recipient": "self",
        "handed_on": TODAY.isoformat(), "place": "Balai Desa Kayuagung",
        "officer_nip": "", "witness_name": "", "witness_role": "",
    }  # fmt: skip
    data.update(extra)
    return data


def page_url(proposal):
    return f"/bantuan/usulan/{proposal.pk}/serah-terima/"


def test_the_officer_gives_the_witness_and_their_nip_and_the_bast_prints_them(
    cast, approved, browse
):
    browser = browse("caseworker")
    data = form(approved, officer_nip="19850312 201001 1 003", witness_name="H. Sulaiman",
                witness_role="Kepala Desa Kayuagung")  # fmt: skip

    response = browser.post(page_url(approved), data)

    handover = Handover.objects.get()
    assert response.status_code == 302
    assert (handover.officer_nip, handover.witness_name, handover.witness_role) == (
        NIP,
        "H. Sulaiman",
        "Kepala Desa Kayuagung",
    )
    detail = browser.get(response.url).content.decode()
    assert "H. Sulaiman" in detail and f"NIP {NIP}" in detail
    bast = browser.get(f"/bantuan/serah-terima/{handover.pk}/bast.pdf")
    text = pdf_text(b"".join(bast.streaming_content) if bast.streaming else bast.content)
    assert f"( {cast.caseworker.get_full_name()} ) ( H. Sulaiman )" in text
    assert f"NIP. {NIP} Kepala Desa Kayuagung" in text
    assert "Saksi : H. Sulaiman (Kepala Desa Kayuagung)" in text
    assert DOTS not in text


def test_a_bast_without_witness_or_nip_keeps_the_dotted_line_and_prints_no_nip(cast, approved):
    handover = services.handover_record(proposal=approved, by=cast.caseworker, handed_on=TODAY,
                                        place="Balai Desa")  # fmt: skip

    text = pdf_text(documents.bast_pdf(handover=handover))

    assert f"( {DOTS} )" in text
    assert "NIP." not in text


@pytest.mark.parametrize("nip, message, params", [
    ("1985031220100110", "The NIP must have exactly 18 digits; %(count)s were entered.",
     {"count": 16}),
    ("19850312201001100X", "The NIP may contain only digits; it also contains %(chars)s.",
     {"chars": '"X"'}),
    ("198513122010011003",
     "The first 8 digits of the NIP (%(digits)s) are not a date of birth written as YYYYMMDD.",
     {"digits": "19851312"}),
    ("198503122010013003", "Digit 15 of the NIP (%(digit)s) must be 1 (man) or 2 (woman).",
     {"digit": "3"}),
])  # fmt: skip
def test_a_wrong_nip_is_refused_on_the_page_saying_what_is_wrong(
    cast, approved, browse, nip, message, params
):
    response = browse("caseworker").post(page_url(approved), form(approved, officer_nip=nip))

    assert response.status_code == 200
    assert shown(message, **params) in response.content.decode()
    assert not Handover.objects.exists()
    assert not BastCounter.objects.exists()  # no BAST number used up


def test_a_witness_role_without_a_name_is_refused(cast, approved, browse):
    response = browse("caseworker").post(page_url(approved),
                                         form(approved, witness_role="Ketua RT"))  # fmt: skip

    assert response.status_code == 200
    assert shown("Give the witness's name as well as their role.") in response.content.decode()
    assert not Handover.objects.exists()


def test_the_form_offers_the_nip_the_officer_gave_last_time(cast, funded, food, make_client,
                                                            browse):  # fmt: skip
    first = verified(cast, make_client(serial=1), funded, [(food, 1)])
    second = verified(cast, make_client(serial=2), funded, [(food, 1)])
    approve(cast, [first, second])
    services.handover_record(proposal=first, by=cast.caseworker, handed_on=TODAY,
                             place="Balai Desa", officer_nip=NIP)  # fmt: skip

    mine = browse("caseworker").get(page_url(second)).content.decode()
    theirs = browse("caseworker2").get(page_url(second)).content.decode()

    assert f'value="{NIP}"' in mine
    assert NIP not in theirs


def test_the_api_takes_and_returns_the_witness_and_the_nip(cast, approved):
    api = APIClient()
    api.force_authenticate(cast.caseworker)

    response = api.post("/api/v1/handovers/", {
        "proposal": str(approved.pk), "handed_on": TODAY.isoformat(), "place": "Balai Desa",
        "officer_nip": "19850312.201001.1.003", "witness_name": "Siti Aminah",
        "witness_role": "Ibu kandung",
    }, format="json")  # fmt: skip

    assert response.status_code == 201
    body = response.json()
    assert (body["officer_nip"], body["witness_name"], body["witness_role"]) == (
        NIP,
        "Siti Aminah",
        "Ibu kandung",
    )
    assert api.get(f"/api/v1/handovers/{body['id']}/").json()["witness_name"] == "Siti Aminah"


def test_the_api_refuses_a_wrong_nip_with_the_field_named(cast, approved):
    api = APIClient()
    api.force_authenticate(cast.caseworker)

    response = api.post("/api/v1/handovers/", {
        "proposal": str(approved.pk), "handed_on": TODAY.isoformat(), "place": "Balai Desa",
        "officer_nip": "12345",
    }, format="json")  # fmt: skip

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["fields"]["officer_nip"] == [
        said("The NIP must have exactly 18 digits; %(count)s were entered.", count=5)
    ]
    assert not Handover.objects.exists()


def test_the_database_refuses_a_nip_that_is_not_18_digits(cast, approved):
    handover = services.handover_record(proposal=approved, by=cast.caseworker, handed_on=TODAY,
                                        place="Balai Desa")  # fmt: skip

    with pytest.raises(IntegrityError), transaction.atomic():
        Handover.objects.filter(pk=handover.pk).update(officer_nip="12345")


# --- the NIP on its own ----------------------------------------------------------------------

DAY = datetime.date(2026, 11, 20)


@pytest.mark.parametrize("value", [NIP, "199201082023082001", "200002292024021001"])
def test_a_sound_nip_has_no_problem(value):
    assert nip_problem(value, today=DAY) is None


@pytest.mark.parametrize("value", [
    "19850230" "2010011003",  # 30 February
    "20270101" "2010011003",  # born after today
    "18991231" "2010011003",  # before 1900
])  # fmt: skip
def test_a_nip_whose_first_digits_are_no_birth_date_is_refused(value):
    assert nip_problem(value, today=DAY)[1] == {"digits": value[:8]}


def test_spaces_and_dots_between_the_groups_of_a_nip_are_dropped():
    assert normalise_nip(" 19850312 201001 1 003 ") == NIP
    assert normalise_nip("19850312.201001.1.003") == NIP
