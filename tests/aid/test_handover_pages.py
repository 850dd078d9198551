"""The hand-over page (phone-sized, in the field), its evidence, and /api/v1/handovers/ with
the Idempotency-Key header, under the access rule."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from aid import services
from aid.models import FollowUp, Handover
from atensi.audit.models import AuditEvent
from cases import services as case_services
from tests.conftest import pdf_file, png_file, said

from .conftest import TODAY, approve, make_item, verified


@pytest.fixture
def approved(cast, funded, food, make_client):
    kit = make_item(funded, "Paket kebersihan", cost=50_000)
    proposal = verified(cast, make_client(), funded, [(food, 1), (kit, 1)])
    approve(cast, [proposal])
    return proposal


def form(proposal, items=None, **extra):
    data = {
        "items": [str(i.pk) for i in (items or proposal.items.all())],
        "recipient": "self", "handed_on": TODAY.isoformat(), "place": "Rumah Singgah",
    }  # fmt: skip
    data.update(extra)
    return data


def test_the_officer_hands_over_with_a_signed_record_and_gets_the_bast(cast, approved, browse):
    mother = case_services.family_member_add(client=approved.client, by=cast.caseworker,
                                             relation="ibu", full_name="Siti Aminah")  # fmt: skip
    browser = browse("caseworker")
    assert browser.get(f"/bantuan/usulan/{approved.pk}/serah-terima/").status_code == 200

    data = form(approved, recipient=str(mother.pk), evidence=png_file())
    response = browser.post(f"/bantuan/usulan/{approved.pk}/serah-terima/", data)

    handover = Handover.objects.get()
    assert response.status_code == 302 and response.url.endswith(f"/{handover.pk}/")
    assert handover.recipient_name == "Siti Aminah" and handover.officer == cast.caseworker
    assert "hasil-tes-urin" not in handover.evidence.name  # no personal file name stored
    page = browser.get(response.url)
    assert f"/bantuan/serah-terima/{handover.pk}/bast.pdf" in page.content.decode()
    download = browser.get(f"/bantuan/serah-terima/{handover.pk}/bukti/")
    assert download.status_code == 200 and download["Content-Type"] == "image/png"
    assert AuditEvent.objects.filter(action="download", object_id=str(handover.pk)).exists()


def test_the_page_refuses_a_second_hand_over_of_the_same_item(cast, approved, browse):
    food = approved.items.get(aid_item__name="Paket nutrisi")
    browser = browse("caseworker")
    url = f"/bantuan/usulan/{approved.pk}/serah-terima/"
    browser.post(url, form(approved, items=[food]))

    response = browser.post(url, form(approved, items=[food]))

    assert response.status_code == 200
    assert Handover.objects.count() == 1
    assert "errorlist" in response.content.decode()  # the item is no longer a choice


def test_a_second_officer_on_a_stale_page_is_told_the_item_was_handed_over(cast, approved):
    food = approved.items.get(aid_item__name="Paket nutrisi")
    services.handover_record(proposal=approved, items=[food], by=cast.caseworker,
                             handed_on=TODAY, place="Balai Desa")  # fmt: skip
    from atensi.errors import ApplicationError

    with pytest.raises(ApplicationError) as error:
        services.handover_record(proposal=approved, items=[food], by=cast.caseworker2,
                                 handed_on=TODAY, place="Balai Desa")  # fmt: skip
    assert error.value.message == said("%(item)s has already been handed over.",
                                       item="Paket nutrisi")  # fmt: skip


def test_evidence_that_is_not_a_real_image_or_pdf_is_refused(cast, approved, browse):
    fake = SimpleUploadedFile("bast.jpg", b"<html><script>alert(1)</script></html>", "image/jpeg")

    response = browse("caseworker").post(f"/bantuan/usulan/{approved.pk}/serah-terima/",
                                         form(approved, evidence=fake))  # fmt: skip

    assert response.status_code == 200
    assert not Handover.objects.exists()
    assert "bast.jpg" in response.content.decode()


def test_the_signed_record_can_be_attached_later_once(cast, approved, browse):
    handover = services.handover_record(proposal=approved, by=cast.caseworker, handed_on=TODAY,
                                        place="Rumah Singgah")  # fmt: skip
    browser = browse("caseworker")
    url = f"/bantuan/serah-terima/{handover.pk}/bukti/tambah/"

    browser.post(url, {"evidence": pdf_file()})
    handover.refresh_from_db()
    assert handover.evidence
    first = handover.evidence.name
    browser.post(url, {"evidence": png_file()})
    handover.refresh_from_db()
    assert handover.evidence.name == first


@pytest.mark.parametrize("role", ["outsider", "referrer", "viewer", "centre"])
def test_others_see_nothing_of_hand_overs(cast, approved, browse, role):
    handover = services.handover_record(proposal=approved, by=cast.caseworker, handed_on=TODAY,
                                        place="Rumah Singgah", evidence=png_file())  # fmt: skip
    followup = FollowUp.objects.first()
    browser = browse(role)

    for url in (
        f"/bantuan/usulan/{approved.pk}/serah-terima/",
        f"/bantuan/serah-terima/{handover.pk}/",
        f"/bantuan/serah-terima/{handover.pk}/bukti/",
        f"/bantuan/kunjungan/{followup.pk}/",
    ):
        assert browser.get(url).status_code == 404, url
    assert browser.post(f"/bantuan/serah-terima/{handover.pk}/bukti/tambah/").status_code == 404
    assert approved.reference not in browser.get("/bantuan/serah-terima/").content.decode()
    api = APIClient()
    api.force_authenticate(getattr(cast, role))
    assert api.get(f"/api/v1/handovers/{handover.pk}/").status_code == 404
    assert api.get(f"/api/v1/handovers/{handover.pk}/bast.pdf/").status_code == 404
    assert api.get("/api/v1/handovers/").json()["count"] == 0


# --- the API ---------------------------------------------------------------------------------


@pytest.fixture
def api(cast):
    client = APIClient()
    client.force_authenticate(cast.caseworker)
    return client


def body(proposal, **extra):
    data = {"proposal": str(proposal.pk), "handed_on": TODAY.isoformat(), "place": "Rumah Singgah"}
    data.update(extra)
    return data


def test_a_retry_with_the_same_idempotency_key_returns_the_first_answer(cast, approved, api):
    answers = [api.post("/api/v1/handovers/", body(approved), format="json",
                        HTTP_IDEMPOTENCY_KEY="serah-1") for _ in range(3)]  # fmt: skip

    assert {a.status_code for a in answers} == {201}
    assert answers[0].json() == answers[1].json() == answers[2].json()
    assert Handover.objects.count() == 1


def test_the_same_key_with_a_different_body_is_a_409(cast, approved, api):
    api.post("/api/v1/handovers/", body(approved), format="json", HTTP_IDEMPOTENCY_KEY="k")

    response = api.post("/api/v1/handovers/", body(approved, place="Balai Desa"), format="json",
                        HTTP_IDEMPOTENCY_KEY="k")  # fmt: skip

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "idempotency_conflict"
    assert set(response.json()["error"]) == {"code", "message", "fields"}
    assert Handover.objects.count() == 1


def test_without_a_key_a_second_hand_over_is_refused(cast, approved, api):
    assert api.post("/api/v1/handovers/", body(approved), format="json").status_code == 201

    response = api.post("/api/v1/handovers/", body(approved), format="json")

    assert response.status_code == 409  # the proposal is handed over now
    assert Handover.objects.count() == 1


def test_the_bast_is_a_pdf_download_through_the_api(cast, approved, api):
    created = api.post("/api/v1/handovers/", body(approved), format="json").json()

    response = api.get(f"/api/v1/handovers/{created['id']}/bast.pdf/")

    assert response.status_code == 200
    assert response.content.startswith(b"%PDF")
    listed = api.get("/api/v1/handovers/").json()
    assert listed["results"][0]["number"] == created["number"]


def test_the_schema_documents_the_idempotency_key_and_its_409(api):
    schema = api.get("/api/schema/", {"format": "json"}).json()
    create = schema["paths"]["/api/v1/handovers/"]["post"]

    assert any(p["name"] == "Idempotency-Key" and p["in"] == "header" for p in create["parameters"])
    assert {"201", "400", "404", "409"} <= set(create["responses"])
    assert "/api/v1/handovers/{id}/bast.pdf/" in schema["paths"]
    assert "/api/v1/decree-documents/{id}/file/" in schema["paths"]


def test_the_api_attaches_the_signed_record_once_and_serves_it_audited(cast, approved, api):
    created = api.post("/api/v1/handovers/", body(approved), format="json").json()
    url = f"/api/v1/handovers/{created['id']}/evidence/"
    assert api.get(url).status_code == 404  # nothing yet

    response = api.post(url, {"evidence": png_file()}, format="multipart")

    assert response.status_code == 200 and response.json()["has_evidence"] is True
    download = api.get(url)
    assert download.status_code == 200 and download["Content-Type"] == "image/png"
    assert b"".join(download.streaming_content).startswith(b"\x89PNG")
    assert AuditEvent.objects.filter(action="download", object_id=created["id"]).exists()
    again = api.post(url, {"evidence": pdf_file()}, format="multipart")
    assert again.status_code == 409 and again.json()["error"]["code"] == "conflict"


def test_the_api_refuses_evidence_that_is_not_a_real_image_and_keeps_none(cast, approved, api):
    created = api.post("/api/v1/handovers/", body(approved), format="json").json()
    fake = SimpleUploadedFile("bast.jpg", b"<html><script>alert(1)</script></html>", "image/jpeg")

    response = api.post(f"/api/v1/handovers/{created['id']}/evidence/", {"evidence": fake},
                        format="multipart")  # fmt: skip

    assert response.status_code == 400
    assert "evidence" in response.json()["error"]["fields"]
    assert not Handover.objects.get().evidence


@pytest.mark.parametrize("role", ["outsider", "referrer", "viewer"])
def test_others_can_neither_attach_nor_read_the_signed_record_through_the_api(cast, approved, role):
    handover = services.handover_record(proposal=approved, by=cast.caseworker, handed_on=TODAY,
                                        place="Rumah Singgah", evidence=png_file())  # fmt: skip
    client = APIClient()
    client.force_authenticate(getattr(cast, role))
    url = f"/api/v1/handovers/{handover.pk}/evidence/"

    assert client.get(url).status_code == 404
    assert client.post(url, {"evidence": pdf_file()}, format="multipart").status_code == 404
