"""The demo of community-based recovery in Ogan Komering Ilir: BNNK OKI has set up two IBM
units with ten recovery agents trained in 2023, and the social workers have made three
outreach visits after reports from the community, one of which became a referral.

Every write goes through the services, as the users would make it. Loading twice changes
nothing: the demo is skipped when BNNK's first unit exists.
"""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone

from cases.models import Referral
from rehab.models.episodes import IbmUnit, Outreach
from rehab.services import ibm as ibm_services
from rehab.services import outreach as outreach_services

D = datetime.date

# name, village (Kec. Kayu Agung and Kec. Pedamaran), set up on, agents (name, phone, trained)
UNITS = [
    ("IBM Kelurahan Kayuagung Bersinar", "16.02.05.1002", D(2023, 3, 1), [
        ("Ahmad Fauzi", "081271230001", D(2023, 3, 14)),
        ("Siti Aminah", "081271230002", D(2023, 3, 14)),
        ("Rahmat Hidayat", "081271230003", D(2023, 3, 14)),
        ("Nurlela", "081271230004", D(2023, 8, 22)),
        ("Joko Susilo", "081271230005", D(2023, 8, 22)),
    ]),
    ("IBM Desa Cinta Jaya Pulih", "16.02.03.2008", D(2023, 5, 10), [
        ("Hasanuddin", "081371230006", D(2023, 5, 24)),
        ("Rina Wati", "081371230007", D(2023, 5, 24)),
        ("Dedi Kurniawan", "081371230008", D(2023, 5, 24)),
        ("Marlina", "081371230009", D(2023, 10, 11)),
        ("Yusuf Effendi", "", D(2023, 10, 11)),
    ]),
]  # fmt: skip

R = Outreach.ReportedBy
# username, days ago, village, reported by, reporter, person found, findings, referred
VISITS = [
    ("demo-caseworker", 12, "16.02.05.1005", R.COMMUNITY, "Ketua RT 03", "Feri Saputra",
     "Laporan warga: pemuda 24 tahun sering memakai sabu, keluarga kewalahan. Keluarga "
     "bersedia mendampingi; yang bersangkutan setuju menjalani rehabilitasi.", True),
    ("demo-caseworker", 8, "16.02.03.2008", R.LKS, "LKS Cahaya Pulih", "",
     "Laporan LKS tentang dugaan penyalahgunaan ganja oleh remaja. Keluarga diberi "
     "konseling; dirujuk ke IBM Desa Cinta Jaya Pulih untuk pendampingan.", False),
    ("demo-centre", 5, "16.02.05.1002", R.FAMILY, "Ibu kandung", "Andri",
     "Ibu melaporkan anaknya kembali memakai setelah rawat jalan. Kunjungan rumah, "
     "dukungan keluarga; dipantau oleh agen pemulihan setempat.", False),
]  # fmt: skip


@transaction.atomic
def load(*, users: dict, stdout=None) -> bool:
    """Add the IBM units and outreach visits; False (changing nothing) when already there."""
    referrer = users["demo-referrer"]
    if IbmUnit.objects.filter(organisation=referrer.organisation, name=UNITS[0][0]).exists():
        return False
    agents = 0
    for name, village, established_on, people in UNITS:
        unit = ibm_services.ibm_unit_create(
            by=referrer, name=name, village=village, established_on=established_on
        )
        for full_name, phone, trained_on in people:
            ibm_services.recovery_agent_add(
                unit=unit, by=referrer, full_name=full_name, phone=phone, trained_on=trained_on
            )
            agents += 1
    today = timezone.localdate()
    for username, days, village, reported_by, reporter, person, findings, referred in VISITS:
        worker = users[username]
        visited_on = today - datetime.timedelta(days=days)
        visit = outreach_services.outreach_record(
            by=worker, visited_on=visited_on, village=village, reported_by=reported_by,
            reporter=reporter, person_name=person, findings=findings,
        )  # fmt: skip
        if referred:
            outreach_services.outreach_refer(
                outreach=visit, by=worker, source=Referral.Source.COMMUNITY,
                referring_officer=str(worker), referral_date=visited_on + datetime.timedelta(1),
                full_name=person, sex="L", region=village, reason=findings,
                urine_test=Referral.UrineTest.NOT_TESTED,
            )  # fmt: skip
    if stdout is not None:
        stdout.write(
            f"Demo IBM: {len(UNITS)} units, {agents} recovery agents, "
            f"{len(VISITS)} outreach visits."
        )
    return True
