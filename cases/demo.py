"""The demo data set: Ogan Komering Ilir's Dinsos, BNNK and a Kemensos Sentra, Ogan Ilir's
Dinsos, one user per role, and clients, referrals and cases enough to fill every page.

Every write goes through the services, so the demo obeys the same rules as real work.
Loading twice changes nothing: the demo is skipped when its organisations exist.
"""

from __future__ import annotations

import datetime
import os
import random

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Permission
from django.db import transaction
from django.utils import timezone

from atensi.accounts.models import Organisation, User
from atensi.regions.models import Region
from cases import services
from cases.models import Case, Referral, Stage

PASSWORD_ENV = "DEMO_PASSWORD"
DEFAULT_PASSWORD = "atensi-demo-2026"

# The administrator manages users, organisations, programmes and reference data, not cases.
ADMIN_APPS = ["accounts", "aid", "regions", "audit"]

OKI = "16.02"
OGAN_ILIR = "16.10"

ORGANISATIONS = [
    ("Dinas Sosial Kabupaten Ogan Komering Ilir", Organisation.Kind.DINSOS_REGENCY, [OKI]),
    ("BNNK Ogan Komering Ilir", Organisation.Kind.BNNK, [OKI]),
    ("Sentra Phalamarta Sukabumi", Organisation.Kind.SENTRA, ["16", "32", "36"]),
    ("Pemerintah Kabupaten Ogan Komering Ilir", Organisation.Kind.OTHER, [OKI]),
    ("Dinas Sosial Kabupaten Ogan Ilir", Organisation.Kind.DINSOS_REGENCY, [OGAN_ILIR]),
]

USERS = [
    # username, first name, last name, role, organisation index, staff
    ("demo-caseworker", "Siti", "Rahmawati", User.Role.CASEWORKER, 0, False),
    ("demo-supervisor", "Hendra", "Saputra", User.Role.SUPERVISOR, 0, False),
    ("demo-referrer", "Andi", "Pratama", User.Role.REFERRER, 1, False),
    ("demo-centre", "Dewi", "Lestari", User.Role.CENTRE, 2, False),
    ("demo-viewer", "Bupati", "OKI", User.Role.VIEWER, 3, False),
    ("demo-admin", "Admin", "ATENSI", User.Role.ADMIN, 0, True),
    ("demo-caseworker-2", "Rina", "Marlina", User.Role.CASEWORKER, 4, False),
]

FIRST_MALE = ["Ahmad", "Budi", "Dedi", "Eko", "Fajar", "Hendri", "Irwan", "Joko", "Rizki",
              "Yudi", "Agus", "Bayu", "Doni", "Feri", "Rahmat", "Sandi"]  # fmt: skip
FIRST_FEMALE = ["Ayu", "Dian", "Fitri", "Indah", "Lina", "Nur", "Putri", "Sri"]
STREETS = ["Merdeka", "Lintas Timur", "Letnan Muchtar Saleh", "Pahlawan", "Kartini"]
LAST = ["Saputra", "Pratama", "Hidayat", "Kurniawan", "Setiawan", "Gunawan", "Wijaya",
        "Susanto", "Firmansyah", "Ramadhan", "Syahputra", "Maulana"]  # fmt: skip


def password() -> str:
    return os.environ.get(PASSWORD_ENV, DEFAULT_PASSWORD)


def make_nik(district: str, birth: datetime.date, sex: str, serial: int) -> str:
    day = birth.day + (40 if sex == "P" else 0)
    return (
        f"{district.replace('.', '')}{day:02d}{birth.month:02d}{birth.year % 100:02d}{serial:04d}"
    )


class DemoPerson:
    def __init__(self, rng: random.Random, villages: list[Region], serial: int):
        self.sex = rng.choice(["L"] * 5 + ["P"])
        first = rng.choice(FIRST_MALE if self.sex == "L" else FIRST_FEMALE)
        self.full_name = f"{first} {rng.choice(LAST)}"
        self.birth_date = datetime.date(
            rng.randint(1975, 2006), rng.randint(1, 12), rng.randint(1, 28)
        )
        self.village = rng.choice(villages)
        self.nik = make_nik(self.village.parent_id, self.birth_date, self.sex, serial)
        self.kk = f"{self.village.parent_id.replace('.', '')}{rng.randint(10**9, 10**10 - 1)}"
        self.substances = rng.sample(
            ["sabu", "ganja", "ekstasi", "obat_keras", "alkohol"], k=rng.randint(1, 2)
        )
        self.phone = f"08{rng.randint(10**9, 10**10 - 1)}"
        self.address = f"Jl. {rng.choice(STREETS)} No. {rng.randint(1, 120)}"

    def client_kwargs(self) -> dict:
        return {
            "nik": self.nik, "kk_number": self.kk, "full_name": self.full_name, "sex": self.sex,
            "birth_date": self.birth_date, "birth_place": "Kayuagung", "address": self.address,
            "village": self.village.code, "phone": self.phone, "substances": self.substances,
            "religion": "islam", "education": "sma", "marital_status": "belum_kawin",
            "occupation": "Buruh harian",
        }  # fmt: skip


def consent(client, by, days_ago=0):
    return services.consent_record(
        client=client, by=by, given_by="client", basis="consent",
        purposes=["assessment", "rehabilitation", "aid"],
        date=timezone.localdate() - datetime.timedelta(days=days_ago),
    )  # fmt: skip


@transaction.atomic
def load(*, users=None, stdout=None) -> bool:
    """Create the demo set; return False (and change nothing) when it is already there."""
    if Organisation.objects.filter(name=ORGANISATIONS[0][0]).exists():
        return False
    orgs = []
    for name, kind, area in ORGANISATIONS:
        org = Organisation.objects.create(name=name, kind=kind)
        org.service_area.set(Region.objects.filter(code__in=area))
        orgs.append(org)
    users = {}
    hashed = make_password(password())  # one shared password: hash it once, not seven times
    for username, first, last, role, org_index, staff in USERS:
        users[username] = User.objects.create(
            username=username, password=hashed, first_name=first, last_name=last,
            role=role, organisation=orgs[org_index], is_staff=staff,
        )  # fmt: skip
    users["demo-admin"].user_permissions.set(Permission.objects.filter(
        content_type__app_label__in=ADMIN_APPS
    ))  # fmt: skip
    _cases_and_referrals(users, orgs)
    if stdout is not None:
        stdout.write(f"Demo data loaded: {len(orgs)} organisations, {len(users)} users.")
    return True


def _villages(regency: str) -> list[Region]:
    return list(
        Region.objects.filter(code__startswith=regency + ".", level=Region.Level.VILLAGE)
        .select_related("parent")
        .order_by("code")[:400:7]
    )


def _cases_and_referrals(users, orgs):
    rng = random.Random(2611)  # fixed: the demo is the same on every machine
    cw, sup, ref = users["demo-caseworker"], users["demo-supervisor"], users["demo-referrer"]
    villages = _villages(OKI)
    today = timezone.localdate()
    people = [DemoPerson(rng, villages, serial=101 + i) for i in range(16)]

    # Clients registered directly by Dinsos, at every stage of the ATENSI path.
    path = [Stage.ASSESSMENT, Stage.PLANNING, Stage.INTERVENTION, Stage.REINTEGRATION,
            Stage.TERMINATION, Stage.AFTERCARE]  # fmt: skip
    targets = [Stage.INTAKE, Stage.ASSESSMENT, Stage.ASSESSMENT, Stage.PLANNING, Stage.INTERVENTION,
               Stage.INTERVENTION, Stage.REINTEGRATION, Stage.AFTERCARE]  # fmt: skip
    for i, (person, target) in enumerate(zip(people[:8], targets, strict=True)):
        client = services.client_register(by=cw, **person.client_kwargs())
        consent(client, cw, days_ago=60 - i)
        services.family_member_add(
            client=client, by=cw, relation="ibu", full_name=f"Ibu {person.full_name.split()[-1]}",
            phone=f"0812{rng.randint(10**7, 10**8 - 1)}",
        )  # fmt: skip
        case = services.case_open(
            client=client, by=cw, organisation=cw.organisation, assigned_to=cw
        )
        for stage in path[: path.index(target) + 1] if target in path else []:
            due = today + datetime.timedelta(days=rng.randint(-10, 21))
            case = services.case_transition(
                case=case, by=cw, to_stage=stage, reason="Tahap sebelumnya selesai.",
                next_action_due=max(due, today),
            )  # fmt: skip
            if due < today:  # set days ago, now overdue: as if those days had passed
                Case.objects.filter(pk=case.pk).update(next_action_due=due)
        services.case_note_add(
            case=case, by=cw,
            text="Kunjungan rumah: klien kooperatif, keluarga mendukung proses pemulihan.",
        )  # fmt: skip

    # BNNK referrals: waiting, one without NIK, accepted, declined and a duplicate.
    referral_people = people[8:14]
    referrals = []
    for i, person in enumerate(referral_people):
        referrals.append(services.referral_submit(
            by=ref, source=Referral.Source.BNNK, referring_officer="Andi Pratama, S.Psi",
            referral_date=today - datetime.timedelta(days=12 - i),
            nik="" if i == 1 else person.nik, full_name=person.full_name, sex=person.sex,
            birth_date=person.birth_date, region=person.village.code, phone=person.phone,
            address=person.address, substances=person.substances,
            urine_test=Referral.UrineTest.POSITIVE, legal_status=Referral.LegalStatus.NONE,
            reason="Hasil asesmen terpadu BNNK: rawat jalan, perlu dukungan rehabilitasi sosial.",
        ))  # fmt: skip
    accepted = referrals[2]
    client = services.client_register(by=cw, **referral_people[2].client_kwargs())
    consent(client, cw)
    services.referral_accept(referral=accepted, by=cw, client=client)
    services.referral_decline(
        referral=referrals[3], by=sup,
        reason="Klien telah menjalani rehabilitasi rawat inap di BNN; tidak perlu layanan ganda.",
    )  # fmt: skip
    dup_person = referral_people[4]
    services.referral_mark_duplicate(referral=referrals[4], by=cw, original=referrals[0])
    del dup_person

    # A self-report by a family, entered by the caseworker.
    family = people[14]
    services.referral_submit(
        by=cw, source=Referral.Source.FAMILY, referring_officer="Ibu kandung (laporan keluarga)",
        referral_date=today - datetime.timedelta(days=2), nik=family.nik,
        full_name=family.full_name, sex=family.sex, birth_date=family.birth_date,
        region=family.village.code, address=family.address, substances=family.substances,
        reason="Keluarga melaporkan anaknya memakai sabu dan meminta bantuan pemulihan.",
    )  # fmt: skip

    # Referred out to the Sentra for residential care, which took the client over: the one
    # client its staff see (centres read only the clients handed to them).
    centre = users["demo-centre"]
    handed = people[15]
    client = services.client_register(by=cw, **handed.client_kwargs())
    consent(client, cw, days_ago=30)
    case = services.case_open(client=client, by=cw, organisation=cw.organisation, assigned_to=cw)
    services.case_transition(
        case=case, by=cw, to_stage=Stage.REFERRED_OUT, referred_to_org=centre.organisation,
        reason="Perlu rehabilitasi sosial residensial di Sentra.",
    )  # fmt: skip
    services.case_open(
        client=client, by=centre, organisation=centre.organisation, assigned_to=centre,
        reason="Rujukan Dinsos OKI diterima untuk rehabilitasi residensial.",
    )  # fmt: skip

    # The second regency: its own caseworker and clients, invisible to OKI's users.
    cw2 = users["demo-caseworker-2"]
    for j, person in enumerate(
        DemoPerson(rng, _villages(OGAN_ILIR), serial=201 + k) for k in range(3)
    ):
        client = services.client_register(by=cw2, **person.client_kwargs())
        consent(client, cw2)
        case = services.case_open(
            client=client, by=cw2, organisation=cw2.organisation, assigned_to=cw2
        )
        if j:
            services.case_transition(
                case=case, by=cw2, to_stage=Stage.ASSESSMENT, reason="Asesmen dimulai."
            )
