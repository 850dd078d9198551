"""The audit page shows each stored summary in the reader's language."""

import pytest
from django.urls import reverse
from django.utils import translation

from atensi.audit.models import AuditEvent
from atensi.audit.summaries import summary_label
from cases import services
from cases.models import Stage


@pytest.mark.parametrize(
    "stored, shown",
    [
        ("stage intake -> assessment", "tahap Pendekatan awal → Asesmen"),
        ("row 12 match confirmed", "baris 12: padanan dikonfirmasi"),
        ("row 7 match rejected", "baris 7: padanan ditolak"),
        ("re-run", "disaring ulang"),
        ("eligibility results, rows=51", "hasil kelayakan, 51 baris"),
        ("eligibility results, rows=51, nik=full", "hasil kelayakan, 51 baris, NIK lengkap"),
        ("results, nik=masked", "hasil, NIK disamarkan"),
        ("proposal verified -> approved", "usulan diverifikasi → disetujui"),
        (
            "budget vokasional +1500000",
            "anggaran Pelatihan vokasional dan/atau pembinaan kewirausahaan +Rp 1500000",
        ),
        (
            "budget vokasional -500000",
            "anggaran Pelatihan vokasional dan/atau pembinaan kewirausahaan −Rp 500000",
        ),
        ("proposals created: 24", "usulan dibuat: 24"),
        ("register import queued, 498 bytes", "impor register diantrekan, 498 bita"),
        ("accept form, 0 candidate client(s)", "formulir penerimaan, 0 calon klien"),
        ("fields: phone", "diubah: phone"),
        ("completed", "diselesaikan"),
        ("something new", "something new"),  # a summary no pattern knows: as stored
    ],
)
def test_a_stored_summary_is_shown_in_indonesian(stored, shown):
    with translation.override("id"):
        assert summary_label(stored) == shown


def test_the_audit_page_shows_a_real_events_summary_in_indonesian(cast, client, make_case):
    case = make_case()
    services.case_transition(case=case, by=cast.caseworker, to_stage=Stage.ASSESSMENT,
                             reason="Siap asesmen")  # fmt: skip
    client.force_login(cast.supervisor)

    html = client.get(reverse("audit:list") + "?action=update").content.decode()

    stored = AuditEvent.objects.get(action="update", object_id=str(case.pk)).summary
    assert stored == "stage intake -> assessment"
    assert "tahap Pendekatan awal → Asesmen" in html
