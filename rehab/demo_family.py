"""The demo of family guidance: Dinsos Ogan Komering Ilir's family-resilience series
(Ketahanan Keluarga) in one village in 2023 — four meetings with twenty participants: the
family members on record of the demo's clients in the regency, and families of the village
who came without a client on record (walk-ins). Not everyone came to every meeting.

Every write goes through the services, as the caseworker would take it.
"""

from __future__ import annotations

import datetime
import random

from django.db import transaction

from atensi.regions.models import Region
from cases.models import FamilyMember
from rehab.models.family import FamilySeries
from rehab.services import family as services

OKI = "16.02"
SERIES = "Ketahanan Keluarga"
PARTICIPANTS = 20
MEETINGS = [
    (datetime.date(2023, 7, 15), "Peran keluarga dalam pemulihan anggota keluarga pengguna NAPZA"),
    (datetime.date(2023, 7, 29), "Komunikasi yang sehat antara orang tua dan anak"),
    (datetime.date(2023, 8, 12), "Mengenali tanda kekambuhan dan cara keluarga merespons"),
    (datetime.date(2023, 8, 26), "Ketahanan ekonomi keluarga dan dukungan lingkungan"),
]
FACILITATORS = ["Siti Rahmawati, S.Sos (pekerja sosial)", "Hendra Saputra, S.Psi"]
WALK_INS = [
    ("Rohani", "Ibu dari remaja di desa"), ("Sarmadi", "Ayah dari remaja di desa"),
    ("Yusnida", "Istri"), ("Masnun", "Kakak"), ("Jumiati", "Ibu dari remaja di desa"),
    ("Zulkifli", "Ayah"), ("Herlina", "Kader PKK"), ("Muhammad Nasir", "Tokoh agama"),
    ("Erni Yusnita", "Ibu"), ("Darmawan", "Ketua RT"), ("Nurhayati", "Nenek"),
    ("Suryani", "Istri"), ("Abdul Rozak", "Paman"), ("Marlina", "Ibu"),
    ("Rusdi", "Ayah"), ("Wati Anggraini", "Kakak"), ("Sukiman", "Kakek"),
    ("Asmawati", "Ibu"), ("Idrus", "Ayah"), ("Kartini", "Bibi"),
]  # fmt: skip
KUTARAYA = "16.02.05.1010"
# Of each hundred, how many participants come to a meeting: attendance thins, then recovers.
TURNOUT = [95, 80, 75, 85]


@transaction.atomic
def load(*, users: dict, stdout=None) -> bool:
    """Add the family-resilience series; return False (changing nothing) when it is there
    already or the demo's caseworker is missing."""
    caseworker = users.get("demo-caseworker")
    if caseworker is None or FamilySeries.objects.filter(name=SERIES).exists():
        return False
    members = list(
        FamilyMember.objects.current()
        .filter(
            client__registered_by=caseworker.organisation, client__village__code__startswith=OKI
        )
        .select_related("client__village")
        .order_by("client__created_at", "created_at")[:PARTICIPANTS]
    )
    # The board's published year names the village: Kutaraya (Kutaraja, Kec. Kayu Agung).
    village = Region.objects.get(code=KUTARAYA)
    walk_ins = WALK_INS[: PARTICIPANTS - len(members)]
    series = services.series_create(
        by=caseworker, name=SERIES, village=village.code, planned_meetings=len(MEETINGS),
        description="Program bimbingan sosial keluarga: empat pertemuan bagi keluarga klien "
        "ATENSI dan keluarga di desa, untuk memperkuat dukungan keluarga dalam pemulihan.",
    )  # fmt: skip
    rng = random.Random(2023)  # fixed: the demo is the same on every machine
    count = len(members) + len(walk_ins)
    marks = [[rng.randrange(100) < turnout for turnout in TURNOUT] for _ in range(count)]
    for row in marks:  # everyone on the list came at least once
        if not any(row):
            row[rng.randrange(len(row))] = True
    place = f"Balai Desa {village.name}"
    for number, (date, topic) in enumerate(MEETINGS, 1):
        session = services.session_create(
            by=caseworker, date=date, place=place, village=village.code, topic=topic,
            facilitator=FACILITATORS[(number - 1) % len(FACILITATORS)], series=series,
            meeting_number=number,
        )  # fmt: skip
        present = [m for i, m in enumerate(members) if marks[i][number - 1]]
        absent = [m for i, m in enumerate(members) if not marks[i][number - 1]]
        for group, attended in ((present, True), (absent, False)):
            if group:
                services.attendance_add_members(
                    session=session, by=caseworker, members=group, attended=attended
                )
        for j, (name, relation) in enumerate(walk_ins):
            services.attendance_add_walk_in(
                session=session, by=caseworker, name=name, relation=relation,
                attended=marks[len(members) + j][number - 1],
            )  # fmt: skip
    if stdout is not None:
        present = sum(sum(row) for row in marks)
        stdout.write(
            f"Demo family guidance: {SERIES} in {village.name}, {len(MEETINGS)} meetings, "
            f"{count} participants ({len(members)} family members of clients), "
            f"{present} attendances."
        )
    return True
