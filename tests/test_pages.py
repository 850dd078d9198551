"""The pages: who may open what, what they see there, and the referral-to-case flow.

The pages render in Indonesian by default. Messages are looked for as `shown()` renders them:
translated by the Indonesian catalogue (or left in English where it has no entry yet).
"""

import datetime
import uuid
from dataclasses import dataclass

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client as Browser
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape

from atensi.audit.models import AuditEvent
from cases import services
from cases.models import Case, Client, Referral, Stage
from tests.conftest import (
    OI_VILLAGE,
    OKI_VILLAGE,
    client_form,
    client_kwargs,
    make_nik,
    pdf_file,
    png_bytes,
    referral_form,
    role_matrix,
)

# Session, user, organisation, service area, count, rows, session save (3); plus attachments.
LIST_QUERY_BOUNDS = {"cases:client-list": 9, "cases:case-list": 9, "cases:referral-list": 10}


def shown(message: str, **params) -> str:
    """A message as the Indonesian page shows it: translated, filled in, HTML-escaped."""
    with translation.override("id"):
        text = translation.gettext(message)
    return escape(text % params if params else text)


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@dataclass
class World:
    client: Client
    case: Case
    referral: Referral


@pytest.fixture
def world(cast, make_client, make_referral):
    """A client with an open case and a BNNK referral with a PDF, all in Ogan Komering Ilir."""
    client = make_client()
    case = services.case_open(
        client=client, by=cast.caseworker, organisation=cast.dinsos, assigned_to=cast.caseworker
    )
    referral = make_referral(attachments=[pdf_file()])
    return World(client=client, case=case, referral=referral)


def page_url(page: str, world: World) -> str:
    pk = {
        "client": world.client.pk,
        "case": world.case.pk,
        "referral": world.referral.pk,
        "attachment": world.referral.attachments.get().pk,
    }
    urls = {
        "client list": reverse("cases:client-list"),
        "client detail": reverse("cases:client-detail", args=[pk["client"]]),
        "client create": reverse("cases:client-create"),
        "client edit": reverse("cases:client-edit", args=[pk["client"]]),
        "family add": reverse("cases:family-add", args=[pk["client"]]),
        "consent add": reverse("cases:consent-add", args=[pk["client"]]),
        "referral list": reverse("cases:referral-list"),
        "referral create": reverse("cases:referral-create"),
        "referral detail": reverse("cases:referral-detail", args=[pk["referral"]]),
        "referral accept": reverse("cases:referral-accept", args=[pk["referral"]]),
        "case list": reverse("cases:case-list"),
        "case detail": reverse("cases:case-detail", args=[pk["case"]]),
        "case transition": reverse("cases:case-transition", args=[pk["case"]]),
        "case note": reverse("cases:case-note", args=[pk["case"]]),
        "attachment": reverse("cases:attachment", args=[pk["attachment"]]),
        "audit log": reverse("audit:list"),
        "dashboard": reverse("dashboard:index"),
        "home": reverse("home"),
    }
    return urls[page]


POSTS = {
    "case transition": {"to_stage": Stage.ASSESSMENT, "reason": "Siap asesmen"},
    "case note": {"text": "Kunjungan rumah"},
}

# The status each role gets on each page, for records inside Ogan Komering Ilir.
# The outsider works in Ogan Ilir; the referrer at BNNK OKI; centre staff at a Sentra whose
# area covers the whole province, but who read only the clients handed to them (none here:
# a 404, issue 12 item 3); the viewer at the regency government.
MATRIX = {
    #                   caseworker supervisor outsider referrer centre viewer admin
    "client list":      (200, 200, 200, 404, 200, 404, 200),
    "client detail":    (200, 200, 404, 404, 404, 404, 200),
    "client create":    (200, 200, 200, 404, 200, 404, 404),
    "client edit":      (200, 200, 404, 404, 404, 404, 404),
    "family add":       (200, 200, 404, 404, 404, 404, 404),
    "consent add":      (200, 200, 404, 404, 404, 404, 404),
    "referral list":    (200, 200, 200, 200, 200, 404, 200),
    "referral create":  (200, 200, 200, 200, 200, 404, 404),
    "referral detail":  (200, 200, 404, 200, 404, 404, 200),
    "referral accept":  (200, 200, 404, 404, 404, 404, 404),
    "case list":        (200, 200, 200, 404, 200, 404, 200),
    "case detail":      (200, 200, 404, 404, 404, 404, 200),
    "case transition":  (302, 302, 404, 404, 404, 404, 403),
    "case note":        (302, 302, 404, 404, 404, 404, 403),
    "attachment":       (200, 200, 404, 200, 404, 404, 200),
    "audit log":        (404, 200, 404, 404, 404, 404, 200),
    "dashboard":        (200, 200, 200, 404, 200, 200, 200),
    "home":             (200, 200, 200, 200, 200, 302, 200),
}  # fmt: skip


@pytest.mark.parametrize(
    ("page", "role", "status"),
    role_matrix(MATRIX),
)
def test_access_matrix(browse, world, page, role, status):
    browser = browse(role)
    url = page_url(page, world)

    response = browser.post(url, POSTS[page]) if page in POSTS else browser.get(url)

    assert response.status_code == status
    if page in POSTS and status != 302:
        world.case.refresh_from_db()
        assert world.case.stage == Stage.INTAKE
        assert not world.case.notes.exists()


@pytest.mark.parametrize(
    "name",
    ["client-detail", "client-edit", "family-add", "consent-add", "referral-detail",
     "referral-accept", "case-detail", "attachment"],
)  # fmt: skip
def test_a_forged_id_is_not_found(browse, world, name):
    response = browse("caseworker").get(reverse(f"cases:{name}", args=[uuid.uuid4()]))

    assert response.status_code == 404


@pytest.mark.parametrize("name", ["case-transition", "case-note"])
def test_a_post_to_a_forged_case_id_is_not_found(browse, world, name):
    response = browse("caseworker").post(
        reverse(f"cases:{name}", args=[uuid.uuid4()]), POSTS[name.replace("-", " ")]
    )

    assert response.status_code == 404


def test_the_outsider_does_not_see_records_of_another_regency_in_lists(browse, world):
    outsider = browse("outsider")

    assert world.client.full_name not in outsider.get(reverse("cases:client-list")).text
    assert world.case.reference not in outsider.get(reverse("cases:case-list") + "?stage=all").text
    assert world.referral.reference not in outsider.get(reverse("cases:referral-list")).text


def test_a_caseworker_gets_404_for_a_client_of_another_regency(cast, browse):
    foreign = services.client_register(by=cast.outsider, **client_kwargs(village=OI_VILLAGE))

    response = browse("caseworker").get(reverse("cases:client-detail", args=[foreign.pk]))

    assert response.status_code == 404


# --- language --------------------------------------------------------------------------


def test_pages_render_in_indonesian_by_default():
    response = Browser().get(reverse("accounts:login"))

    assert response.status_code == 200
    assert '<html lang="id">' in response.text
    assert "Masuk ke ATENSI" in response.text


def test_a_user_can_switch_the_pages_to_english():
    browser = Browser()

    browser.post(reverse("set_language"), {"language": "en", "next": "/"})

    html = browser.get(reverse("accounts:login")).text
    assert '<html lang="en">' in html and "Log in to ATENSI" in html


# --- the referrer ----------------------------------------------------------------------


def test_the_referrer_sees_only_their_own_organisations_referrals(cast, browse, make_referral):
    own = make_referral(full_name="Rujukan BNNK")
    on_behalf = make_referral(by=cast.caseworker, source="family", full_name="Laporan Keluarga")
    referrer = browse("referrer")

    listing = referrer.get(reverse("cases:referral-list")).text

    assert own.reference in listing
    assert on_behalf.reference not in listing and "Laporan Keluarga" not in listing
    assert referrer.get(reverse("cases:referral-detail", args=[on_behalf.pk])).status_code == 404
    assert on_behalf.reference in browse("caseworker").get(reverse("cases:referral-list")).text


def test_the_referrers_home_shows_their_referrals_and_their_organisations_episodes(
    browse, make_referral
):
    referral = make_referral()

    response = browse("referrer").get(reverse("home"))

    assert response.status_code == 200
    assert reverse("cases:referral-detail", args=[referral.pk]) in response.text
    assert reverse("rehab:episode-list") in response.text


# --- the viewer and the dashboard ------------------------------------------------------


def test_the_dashboard_shows_counts_but_no_names_or_niks(browse, world):
    response = browse("viewer").get(reverse("dashboard:index"), {"period": "2026"})

    assert response.status_code == 200
    html = response.text
    assert world.client.full_name not in html and world.referral.full_name not in html
    assert world.client.nik not in html and world.client.masked_nik not in html
    cards = {card["key"]: card["value"] for card in response.context["data"]["cards"]}
    assert cards["referrals"] == "<5"  # one referral: a small count is never shown


# --- NIK display and the audit of views ------------------------------------------------


def test_the_client_list_shows_the_nik_masked(browse, world):
    html = browse("caseworker").get(reverse("cases:client-list")).text

    assert world.client.full_name in html
    assert "1602**********01" in html
    assert world.client.nik not in html


def test_the_client_detail_shows_the_full_nik_to_the_caseworker(browse, world):
    html = browse("caseworker").get(reverse("cases:client-detail", args=[world.client.pk])).text

    assert world.client.nik in html


@pytest.mark.parametrize(
    ("name", "record"), [("client-detail", "client"), ("case-detail", "case"),
                         ("referral-detail", "referral")],
)  # fmt: skip
def test_opening_a_record_writes_one_view_event(cast, browse, world, name, record):
    obj = getattr(world, record)

    browse("supervisor").get(reverse(f"cases:{name}", args=[obj.pk]))

    views = AuditEvent.objects.filter(action="view")
    assert [(e.actor, e.object_type, e.object_id) for e in views] == [
        (cast.supervisor, record, str(obj.pk))
    ]


def test_downloading_an_attachment_is_audited(cast, browse, world):
    attachment = world.referral.attachments.get()

    response = browse("caseworker").get(reverse("cases:attachment", args=[attachment.pk]))

    assert b"".join(response.streaming_content).startswith(b"%PDF-1.4")
    assert "surat-rujukan.pdf" in response["Content-Disposition"]
    downloads = AuditEvent.objects.filter(action="download", actor=cast.caseworker)
    assert list(downloads.values_list("object_id", flat=True)) == [str(attachment.pk)]


# --- the audit log ---------------------------------------------------------------------


def test_the_audit_log_filters_by_action(browse, world):
    supervisor = browse("supervisor")
    supervisor.get(reverse("cases:client-detail", args=[world.client.pk]))

    response = supervisor.get(reverse("audit:list") + "?action=view")

    events = list(response.context["page"])
    assert [(e.action, e.object_id) for e in events] == [("view", str(world.client.pk))]
    unfiltered = supervisor.get(reverse("audit:list")).context["page"]
    assert {e.action for e in unfiltered} >= {"view", "create"}


# --- home ------------------------------------------------------------------------------


def test_the_caseworkers_home_shows_cases_by_stage_waiting_referrals_and_overdue_items(
    cast, browse, world, make_case
):
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    late = services.case_transition(
        case=make_case(serial=2), by=cast.caseworker, to_stage=Stage.ASSESSMENT,
        reason="Asesmen",
    )  # fmt: skip
    # A day passed: the next action, due yesterday, is overdue.
    Case.objects.filter(pk=late.pk).update(next_action_due=yesterday)
    late.refresh_from_db()

    response = browse("caseworker").get(reverse("home"))

    assert response.status_code == 200
    stages = {stage: n for stage, _label, n in response.context["summary"]["stages"]}
    assert (stages["intake"], stages["assessment"], stages["planning"]) == (1, 1, 0)
    html = response.text
    assert shown("My open cases by stage") in html
    assert world.referral.reference in html
    assert [case.pk for case in response.context["overdue"]] == [late.pk]
    assert late.reference in html and yesterday.strftime("%d-%m-%Y") in html
    assert world.case.reference not in html


# --- the referral-to-case flow ---------------------------------------------------------


def accept_form(**extra):
    data = {
        "mode": "new",
        "nik": make_nik(serial=7),
        "full_name": "Budi Saputra",
        "sex": "L",
        "birth_date": "1990-01-01",
        "address": "Jl. Letnan Muchtar Saleh 12",
        "village": OKI_VILLAGE,
        "consent-basis": "consent",
        "consent-given_by": "client",
        "consent-purposes": ["assessment", "rehabilitation"],
        "consent-date": "2026-01-12",
    }
    data.update(extra)
    return data


def test_a_referral_goes_from_the_referrers_form_to_an_open_case(browse):
    response = browse("referrer").post(
        reverse("cases:referral-create"), referral_form(attachments=pdf_file())
    )

    referral = Referral.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("cases:referral-detail", args=[referral.pk])
    assert referral.attachments.get().original_name == "surat-rujukan.pdf"

    caseworker = browse("caseworker")
    response = caseworker.post(reverse("cases:referral-accept", args=[referral.pk]), accept_form())

    case = Case.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("cases:case-detail", args=[case.pk])
    assert (case.client.nik, case.referral, case.stage) == (make_nik(serial=7), referral, "intake")
    assert case.reference in caseworker.get(response.url).text


def test_accepting_without_consent_shows_the_errors_and_saves_nothing(browse, make_referral):
    referral = make_referral()
    without_consent = {k: v for k, v in accept_form().items() if not k.startswith("consent-")}

    response = browse("caseworker").post(
        reverse("cases:referral-accept", args=[referral.pk]), without_consent
    )

    assert response.status_code == 200
    assert response.context["consent_form"].errors
    assert shown("Please correct the marked fields.") in response.text
    assert not Client.objects.exists() and not Case.objects.exists()
    referral.refresh_from_db()
    assert referral.status == Referral.Status.SUBMITTED


# --- bad input through the pages -------------------------------------------------------


def test_the_client_form_registers_a_client_with_consent(browse):
    response = browse("caseworker").post(reverse("cases:client-create"), client_form())

    client = Client.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("cases:client-detail", args=[client.pk])
    assert client.consents.count() == 1


def test_a_malformed_nik_is_explained_in_indonesian_on_the_client_form(browse):
    response = browse("caseworker").post(
        reverse("cases:client-create"), client_form(nik="160205010190001")
    )

    assert response.status_code == 200
    assert "NIK harus terdiri dari tepat 16 digit; yang diisi 15 digit." in response.text
    assert not Client.objects.exists()


def test_the_register_anyway_box_appears_only_for_a_probable_duplicate(browse):
    caseworker = browse("caseworker")
    box = 'name="allow_probable_duplicate"'
    assert box not in caseworker.get(reverse("cases:client-create")).text
    missing = caseworker.post(reverse("cases:client-create"), client_form(address=""))
    assert box not in missing.text  # another error: no box

    caseworker.post(reverse("cases:client-create"), client_form())
    twin = caseworker.post(reverse("cases:client-create"), client_form(nik=make_nik(serial=8)))

    assert twin.status_code == 200 and box in twin.text
    assert Client.objects.count() == 1


def test_a_village_outside_the_area_is_refused_on_the_client_form(browse):
    response = browse("caseworker").post(
        reverse("cases:client-create"),
        client_form(nik=make_nik(OI_VILLAGE, serial=9), village=OI_VILLAGE),
    )

    assert response.status_code == 200
    message = "Village %(code)s lies outside your organisation's service area."
    assert shown(message, code=OI_VILLAGE) in response.text
    assert not Client.objects.exists()


def test_a_bad_nik_and_a_missing_village_are_said_in_one_round(browse):
    response = browse("referrer").post(
        reverse("cases:referral-create"), referral_form(nik="160205010190000", region="")
    )

    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"nik", "region"}
    assert not Referral.objects.exists()


def test_a_fake_pdf_is_refused_on_the_referral_form(browse):
    fake = SimpleUploadedFile("surat-palsu.pdf", b"bukan pdf\n", "application/pdf")

    response = browse("referrer").post(
        reverse("cases:referral-create"), referral_form(attachments=fake)
    )

    assert response.status_code == 200
    message = "%(name)s is not a PDF, JPG or PNG file (its content was checked, not its name)."
    assert shown(message, name="surat-palsu.pdf") in response.text
    assert not Referral.objects.exists()


def test_an_oversized_attachment_is_refused_on_the_referral_form(browse, settings):
    settings.ATTACHMENT_MAX_BYTES = 1024

    big = pdf_file("besar.pdf", padding=4096)

    response = browse("referrer").post(
        reverse("cases:referral-create"), referral_form(attachments=big)
    )

    assert response.status_code == 200
    message = "%(name)s is %(size).1f MB; the limit is %(limit).0f MB."
    assert (
        shown(message, name="besar.pdf", size=big.size / 2**20, limit=1024 / 2**20) in response.text
    )
    assert not Referral.objects.exists()


def test_a_png_is_accepted_on_the_referral_form(browse):
    png = SimpleUploadedFile("tes-urin.png", png_bytes(), "image/png")

    response = browse("referrer").post(
        reverse("cases:referral-create"), referral_form(attachments=png)
    )

    assert response.status_code == 302
    assert Referral.objects.get().attachments.get().content_type == "image/png"


@pytest.mark.parametrize("original", ["forged", "malformed", "other-regency"])
def test_a_forged_original_in_the_duplicate_form_changes_nothing(
    cast, browse, make_referral, original
):
    referral = make_referral()
    foreign = make_referral(by=cast.outsider, region=OI_VILLAGE, source="family")
    original_id = {"forged": uuid.uuid4(), "malformed": "bukan-id", "other-regency": foreign.pk}

    response = browse("caseworker").post(
        reverse("cases:referral-duplicate", args=[referral.pk]),
        {"original": original_id[original]},
        follow=True,
    )

    assert shown("Choose the original referral from the list.") in response.text
    referral.refresh_from_db()
    assert (referral.status, referral.duplicate_of) == (Referral.Status.SUBMITTED, None)


# --- query counts ----------------------------------------------------------------------


def fill(cast, make_client, make_referral, n: int) -> None:
    for serial in range(1, n + 1):
        client = make_client(serial=serial)
        services.case_open(
            client=client, by=cast.caseworker, organisation=cast.dinsos,
            assigned_to=cast.caseworker,
        )  # fmt: skip
        make_referral(nik=client.nik, birth_date=client.birth_date, full_name=client.full_name)


@pytest.mark.parametrize("rows", [3, 30])
@pytest.mark.parametrize("name", LIST_QUERY_BOUNDS)
def test_list_pages_take_a_fixed_number_of_queries(
    cast, browse, make_client, make_referral, django_assert_max_num_queries, name, rows
):
    fill(cast, make_client, make_referral, rows)
    browser = browse("caseworker")

    with django_assert_max_num_queries(LIST_QUERY_BOUNDS[name]):
        response = browser.get(reverse(name))

    assert response.status_code == 200
    assert len(response.context["page"]) == min(rows, 25)


def test_a_page_outside_the_users_reach_says_so_in_indonesian(browse):
    response = browse("referrer").get(reverse("assessments:batch-list"))

    assert response.status_code == 404
    assert "Halaman tidak ditemukan" in response.text
    assert "Kembali ke beranda" in response.text


def test_a_list_search_stays_out_of_the_url_and_can_be_cleared(browse, world, make_client):
    other = make_client(serial=5, full_name="Sutrisno Wibowo")
    caseworker = browse("caseworker")
    url = reverse("cases:client-list")

    searched = caseworker.post(url, {"q": "Sutrisno"})
    assert searched.status_code == 302 and "Sutrisno" not in searched.url
    page = caseworker.get(url).text
    assert other.full_name in page and world.client.full_name not in page
    assert "Hapus pencarian" in page

    caseworker.post(url, {"q": "Sutrisno", "clear": "1"})
    page = caseworker.get(url).text
    assert other.full_name in page and world.client.full_name in page
    assert "Hapus pencarian" not in page


def test_the_case_and_referral_lists_find_a_person_by_the_digits_of_their_nik(
    browse, world, make_referral
):
    # Seen: the client list found a NIK, the case and referral lists "found nothing".
    referred = make_referral(
        full_name="Wahyu Ramadhan", nik=make_nik(serial=77), birth_date=datetime.date(1990, 1, 1)
    )
    caseworker = browse("caseworker")
    for name, person in (("cases:case-list", world.client), ("cases:referral-list", referred)):
        assert person.nik and person.full_name
        url = reverse(name)
        caseworker.post(url, {"q": person.nik[:10]})
        found = caseworker.get(url).text
        caseworker.post(url, {"q": "9" * 16})
        nobody = caseworker.get(url).text
        assert person.full_name in found, name
        assert person.full_name not in nobody, name


def test_moving_into_intervention_says_what_the_plan_and_the_assessment_still_lack(
    browse, world, cast
):
    # Seen: a case moved into "Pelaksanaan ATENSI" with no plan item and an assessment no
    # supervisor approved, without a word.
    caseworker = browse("caseworker")
    url = reverse("cases:case-detail", args=[world.case.pk])
    assert "data-starting-checks" not in caseworker.get(url).text  # at intake: not asked
    for stage in (Stage.ASSESSMENT, Stage.PLANNING):
        services.case_transition(case=world.case, by=cast.caseworker, to_stage=stage, reason="x")

    page = caseworker.get(url).text
    box = page[page.index("data-starting-checks") :]
    box = box[: box.index("</div>")]
    assert 'data-show-when="to_stage=intervention"' in page
    assert "Rencana intervensi belum punya butir" in box
    assert "Kasus ini belum punya asesmen." in box
    response = caseworker.post(
        reverse("cases:case-transition", args=[world.case.pk]),
        {"to_stage": "intervention", "reason": "Rencana disepakati"},
    )
    assert response.status_code == 302  # said, not refused
    assert Case.objects.get(pk=world.case.pk).stage == Stage.INTERVENTION


# --- the case page's stage change: a refusal keeps what was entered ----------------------


def test_an_incomplete_referral_out_keeps_the_stage_and_reason_and_says_the_error_at_the_field(
    browse, world
):
    response = browse("caseworker").post(
        reverse("cases:case-transition", args=[world.case.pk]),
        {"to_stage": "referred_out", "reason": "Perlu rehabilitasi medis"},
    )

    assert response.status_code == 200
    page = response.text
    assert '<option value="referred_out" selected>' in page
    assert ">\nPerlu rehabilitasi medis</textarea>" in page
    error = f'<ul class="errorlist"><li>{shown("Say where the client is referred to.")}</li></ul>'
    assert error in page
    # At the destination question, between its free-text answer and the reason.
    assert page.index('name="referred_to"') < page.index(error) < page.index('name="reason"')
    assert Case.objects.get(pk=world.case.pk).stage == Stage.INTAKE


def test_a_destination_that_cannot_take_the_case_is_refused_at_the_organisation_field(
    cast, browse, world
):
    response = browse("caseworker").post(
        reverse("cases:case-transition", args=[world.case.pk]),
        {"to_stage": "referred_out", "reason": "Pindah", "referred_to_org": cast.other_dinsos.pk},
    )

    page = response.text
    assert response.status_code == 200
    assert shown("Select a valid choice. That choice is not one of the available choices.") in page
    assert page.index('name="referred_to_org"') < page.index('class="errorlist"')
    assert Case.objects.get(pk=world.case.pk).stage == Stage.INTAKE


def test_a_stage_change_without_a_reason_is_said_at_the_reason(browse, world):
    response = browse("caseworker").post(
        reverse("cases:case-transition", args=[world.case.pk]), {"to_stage": "assessment"}
    )

    page = response.text
    assert response.status_code == 200
    assert '<option value="assessment" selected>' in page
    assert page.index('name="reason"') < page.index('class="errorlist"')
    assert Case.objects.get(pk=world.case.pk).stage == Stage.INTAKE


def test_the_referral_destination_is_one_question_shown_by_a_script_file(browse, world):
    page = browse("caseworker").get(reverse("cases:case-detail", args=[world.case.pk])).text

    assert shown("Where is the client referred to?") in page
    assert 'data-referral-destination="referred_out"' in page
    assert shown("An organisation that works in ATENSI") in page
    assert shown("Or another place, if it is not in the list") in page
    # Without the script the question stays, saying when it applies; the CSP allows no
    # inline script, so the behaviour comes from a static file.
    assert "data-without-script" in page
    assert "js/case-transition.js" in page
    assert all(' src="' in tag for tag in page.split("<script")[1:])
