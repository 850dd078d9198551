"""The demo of screening and eligibility: Ogan Komering Ilir's register extract and the
district's 51 proposals, of which 24 turn out eligible after matching and assessment — each
of the other 27 with its reason, the way the November 2025 round went.

Like the rest of the demo, everything goes through the services; it is loaded once.
"""

from __future__ import annotations

import csv
import datetime
import io
import random

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from aid.models import AidRecord, Programme
from assessments.models import AssessmentDomain, BatchRow, RegisterSnapshot
from assessments.models.assessment import Component, Modality
from assessments.services import assessment as assessment_services
from assessments.services import eligibility as eligibility_services
from assessments.services import register as register_services
from cases import services as case_services
from cases.demo import OKI, DemoPerson, _villages, consent

PROGRAMME = "Bantuan ATENSI Reguler"
NICKNAMES = ["Ucok", "Atok", "Iwan", "Dodi", "Anto"]
CLANS = ["Lubis", "Nasution", "Harahap", "Siregar"]
REGISTER_HEADER = ["id_dtsen", "nik", "no_kk", "nama", "tgl_lahir", "jenis_kelamin",
                   "kode_wilayah", "alamat", "desil"]  # fmt: skip
PROPOSAL_HEADER = ["nik", "no_kk", "nama", "tgl_lahir", "jenis_kelamin", "kode_wilayah",
                   "alamat"]  # fmt: skip

# How the 51 proposals are made up (the story a new user reads in the funnel).
STORY = (
    [("eligible", 23), ("review_confirmed", 1), ("review_pending", 1),
     ("nik_lost", 1), ("nik_short", 1), ("duplicate", 2), ("not_in_register", 5),
     ("decile_high", 8), ("no_assessment", 6), ("already_aided", 3)]
)  # fmt: skip


def _register_row(person: DemoPerson, decile: int, number: int) -> list:
    return [
        f"DTSEN-1602-{number:07d}", person.nik, person.kk, person.full_name.upper(),
        f"{person.birth_date:%Y-%m-%d}", person.sex, person.village.code, person.address, decile,
    ]  # fmt: skip


def _proposal_row(person: DemoPerson, *, nik=None, born=True, kk=True) -> list:
    return [
        person.nik if nik is None else nik, person.kk if kk else "", person.full_name,
        f"{person.birth_date:%d-%m-%Y}" if born else "", person.sex, person.village.code,
        person.address,
    ]  # fmt: skip


def _csv(header, rows, delimiter=";") -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8-sig")  # a BOM, as spreadsheets write it


# The small businesses (embrio usaha) that 12 of the eligible people already run: their
# assessments record them, so the aid demo can give them entrepreneurship aid.
BUSINESSES = [
    "Warung kelontong", "Bengkel motor", "Jahit pakaian", "Kedai kopi", "Ternak ayam",
    "Pangkas rambut", "Cuci motor", "Kerajinan purun", "Jual pempek", "Sablon kaos",
    "Servis ponsel", "Budidaya ikan patin",
]  # fmt: skip


def _assess(client, by, business: str = ""):
    """Open a case and complete a social assessment for the client, as a caseworker would;
    `business` names the small business the client already runs, if any."""
    case = case_services.case_open(
        client=client, by=by, organisation=by.organisation, assigned_to=by
    )
    day = timezone.localdate() - datetime.timedelta(days=20)
    assessment = assessment_services.assessment_start(case=case, by=by, assessed_on=day)
    domains = {
        domain: {
            "notes": "Dinilai saat kunjungan rumah.",
            "troubled": rating,
            "help_needed": rating,
        }
        for domain, rating in zip(AssessmentDomain.Domain.values, (1, 2, 3, 1, 2, 1), strict=True)
    }
    assessment_services.assessment_update(
        assessment=assessment, by=by, domains=domains, family_support="some",
        strengths="Keluarga mendukung; klien mau berubah.",
        recommended_components=[Component.FAMILY, Component.THERAPY, Component.AID],
        recommended_modality=Modality.FAMILY,
        **({"has_business": True, "business_kind": business,
            "business_since": day - datetime.timedelta(days=400),
            "business_monthly_income": 1_200_000} if business else {}),
    )  # fmt: skip
    return assessment_services.assessment_complete(assessment=assessment, by=by)


@transaction.atomic
def load(*, users, stdout=None) -> bool:
    """Add the screening story; return False (changing nothing) when it is already there."""
    caseworker, supervisor = users["demo-caseworker"], users["demo-supervisor"]
    if Programme.objects.filter(organisation=caseworker.organisation, name=PROGRAMME).exists():
        return False
    rng = random.Random(51)
    villages = _villages(OKI)
    year = timezone.localdate().year
    programme = Programme.objects.create(
        name=PROGRAMME, kind=Programme.Kind.REGULAR, year=year, max_decile=4,
        organisation=caseworker.organisation,
    )  # fmt: skip
    Programme.objects.create(
        name="Bantuan Kewirausahaan ATENSI", kind=Programme.Kind.ENTREPRENEURSHIP, year=year,
        max_decile=4, requires_business=True, organisation=caseworker.organisation,
    )  # fmt: skip

    serial = iter(range(401, 9999))
    businesses = iter(BUSINESSES)
    register, proposals = [], []
    for kind, count in STORY:
        for _ in range(count):
            person = DemoPerson(rng, villages, serial=next(serial))
            decile = rng.randint(6, 9) if kind == "decile_high" else rng.randint(1, 4)
            if kind != "not_in_register":
                register.append(_register_row(person, decile, len(register) + 1))
            if kind in ("eligible", "review_confirmed", "already_aided"):
                client = case_services.client_register(by=caseworker, **person.client_kwargs())
                consent(client, caseworker, days_ago=30)
                business = next(businesses, "") if kind == "eligible" else ""
                _assess(client, caseworker, business)
            if kind == "already_aided":
                AidRecord.objects.create(
                    programme=programme, nik=person.nik, year=year,
                    given_on=timezone.localdate() - datetime.timedelta(days=90),
                )  # fmt: skip
            if kind.startswith("review"):
                # The right NIK under a name the register does not know (a nickname, a
                # clerk's mistake): the match is likely but a supervisor must decide.
                row = _proposal_row(person, kk=False)
                row[2] = f"{rng.choice(NICKNAMES)} {rng.choice(CLANS)}"
                proposals.append(row)
            elif kind == "nik_lost":
                proposals.append(_proposal_row(person, nik=f"{int(person.nik[:6]) / 1e5:.5f}E+15"))
            elif kind == "nik_short":
                proposals.append(_proposal_row(person, nik=person.nik[:15]))
            elif kind == "duplicate":
                proposals.append(proposals[rng.randrange(0, 10)])
            else:
                proposals.append(_proposal_row(person))
    # The rest of the district's register: people nobody proposed.
    for _ in range(1500):
        person = DemoPerson(rng, villages, serial=next(serial))
        register.append(_register_row(person, rng.randint(1, 10), len(register) + 1))

    snapshot = register_services.register_import_start(
        by=supervisor,
        file=SimpleUploadedFile("dtsen-oki-2026-10.csv", _csv(REGISTER_HEADER, register)),
        source="DTSEN Kemensos — ekstrak Kab. Ogan Komering Ilir",
        extract_date=datetime.date(year, 10, 1),
    )
    register_services.register_import_run(snapshot_id=snapshot.pk)
    snapshot.refresh_from_db()
    assert snapshot.status == RegisterSnapshot.Status.DONE, snapshot.error

    batch = eligibility_services.batch_create(
        by=caseworker, programme=programme, snapshot=snapshot,
        name="Usulan ATENSI Kab. OKI November",
        file=SimpleUploadedFile("usulan-atensi-oki.csv", _csv(PROPOSAL_HEADER, proposals)),
    )  # fmt: skip
    for key in eligibility_services.batch_load(batch_id=batch.pk):
        eligibility_services.batch_screen_chunk(batch_id=batch.pk, key=key)
    # The supervisor looks at the first match that needed review and confirms it.
    pending = batch.rows.filter(review=BatchRow.Review.PENDING).order_by("row_number").first()
    if pending is not None:
        eligibility_services.batch_row_review(row=pending, by=supervisor, confirm=True)
    if stdout is not None:
        eligible = batch.rows.filter(verdict="ELIGIBLE").count()
        stdout.write(f"Demo screening: {len(proposals)} proposed, {eligible} eligible.")
    return True
