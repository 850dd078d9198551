"""The demo of rehabilitation: BNNK Ogan Komering Ilir's year 2023 — 63 people, 50 treated as
outpatients in its own clinic and 13 referred on to BNN rehabilitation centres — with their
sessions, outcomes, relapses and aftercare; this year's ongoing work with follow-ups falling
due; an inpatient at the Kemensos Sentra going through its phases; and three people of the
aid round whose pages run from referral through screening and aid to rehabilitation and
aftercare.

Every write goes through the services, as the users would make it.
"""

from __future__ import annotations

import datetime
import random

from django.db import transaction
from django.utils import timezone

from aid.models import Proposal
from cases import services as case_services
from cases.demo import OKI, DemoPerson, _villages
from cases.models import Case, Referral, Stage
from rehab.models import Episode, IbmUnit
from rehab.services import episodes as services

D = datetime.date
YEAR = 2023
OUTPATIENT, REFERRED = 50, 13
CENTRES = [
    "Balai Besar Rehabilitasi BNN Lido, Bogor",
    "Loka Rehabilitasi BNN Kalianda, Lampung Selatan",
    "Balai Rehabilitasi BNN Baddoka, Makassar",
]
# Outcomes of the 50 outpatients of the year, in the clinic's proportions.
# The four relapses come last in the year: their next episodes start in January.
OUTCOMES = ["selesai"] * 38 + ["putus"] * 7 + ["pindah"] + ["kambuh"] * 4
NOTES = [
    "Klien datang tepat waktu, motivasi berhenti baik.",
    "Dibahas pemicu pemakaian dan cara menolak ajakan teman.",
    "Keluarga hadir; dukungan orang tua menguat.",
    "Klien mengeluh sulit tidur; dirujuk ke dokter klinik.",
    "Latihan keterampilan mengelola stres.",
]


def _refer_and_accept(person, *, referrer, caseworker, on: datetime.date, client=None) -> Case:
    """BNNK refers the person, Dinsos accepts; the case BNNK treats on."""
    referral = case_services.referral_submit(
        by=referrer, source=Referral.Source.BNNK, referring_officer="Andi Pratama, S.Psi",
        referral_date=on, nik=person.nik if person else client.nik,
        full_name=person.full_name if person else client.full_name,
        sex=person.sex if person else client.sex,
        birth_date=person.birth_date if person else client.birth_date,
        region=(person.village.code if person else client.village_id),
        urine_test=Referral.UrineTest.POSITIVE,
        reason="Hasil asesmen terpadu BNNK: perlu rehabilitasi dan dukungan sosial.",
    )  # fmt: skip
    if client is None:
        client = case_services.client_register(by=caseworker, **person.client_kwargs())
        case_services.consent_record(
            client=client, by=caseworker, given_by="client", basis="consent",
            purposes=["assessment", "rehabilitation", "contact"], date=on,
        )  # fmt: skip
    return case_services.referral_accept(referral=referral, by=caseworker, client=client)


def _close(case, by, clinic) -> None:
    """Dinsos hands the 2023 cases on to the BNNK clinic that treated them."""
    case_services.case_transition(
        case=case, by=by, to_stage="referred_out", referred_to_org=clinic,
        reason="Rehabilitasi medis dan sosial di Klinik Pratama BNNK OKI.",
    )  # fmt: skip


# The stages a case goes through as its client's treatment starts, and after it ends.
TREATED = (Stage.ASSESSMENT, Stage.PLANNING, Stage.INTERVENTION)
TREATMENT_ENDED = (Stage.REINTEGRATION, Stage.TERMINATION, Stage.AFTERCARE)


def _moved_on(case, by, stages) -> Case:
    """The case moved on through ``stages``: not left at intake while its client is treated."""
    for stage in stages:
        case = case_services.case_transition(
            case=case, by=by, to_stage=stage, reason="Sejalan dengan rehabilitasi klien."
        )
    return case


def _sessions(episode, by, rng, start: datetime.date, end: datetime.date, weekly=True) -> None:
    day = start
    while day <= end:
        kind = "tes_urin" if (day - start).days % 28 == 0 else rng.choice(
            ["konseling", "konseling", "kelompok", "psikososial", "keluarga"]
        )  # fmt: skip
        present = rng.random() > 0.12
        result = ""
        if kind == "tes_urin" and present:
            result = "positif" if (day - start).days < 15 and rng.random() < 0.5 else "negatif"
        services.session_record(
            episode=episode, by=by, date=day, kind=kind,
            attendance="hadir" if present else rng.choice(["tidak_hadir", "izin"]),
            urine_result=result, substances_found=["sabu"] if result == "positif" else [],
            notes=rng.choice(NOTES) if present else "",
        )  # fmt: skip
        day += datetime.timedelta(days=7 if weekly else 14)


def _follow_up(follow_up, by, rng, *, relapse=False) -> None:
    if rng.random() < 0.12 and not relapse:
        services.follow_up_record(follow_up=follow_up, by=by, reached=False,
                                  contacted_on=follow_up.due_on)  # fmt: skip
        return
    services.follow_up_record(
        follow_up=follow_up, by=by, contacted_on=follow_up.due_on + datetime.timedelta(days=2),
        used_since=relapse, substances=["sabu"] if relapse else [],
        urine_test="positif" if relapse else rng.choice(["negatif", "tidak_dites"]),
        activity=rng.choice(["bekerja", "bekerja", "sekolah", "tidak"]), relapse=relapse,
        note="Kunjungan rumah bersama keluarga.",
    )  # fmt: skip


@transaction.atomic
def load(*, users, stdout=None) -> bool:
    """Add the rehabilitation story; return False (changing nothing) when it is there."""
    referrer, caseworker = users["demo-referrer"], users["demo-caseworker"]
    if Episode.objects.filter(provider=referrer.organisation).exists():
        return False
    rng = random.Random(63)
    villages = _villages(OKI)
    today = timezone.localdate()
    people = [DemoPerson(rng, villages, serial=6001 + i) for i in range(OUTPATIENT + REFERRED)]

    for i, person in enumerate(people):
        start = D(YEAR, 1, 9) + datetime.timedelta(days=5 * i + rng.randint(0, 3))
        referred_on = start - datetime.timedelta(days=rng.randint(3, 10))
        case = _refer_and_accept(person, referrer=referrer, caseworker=caseworker, on=referred_on)
        if i < OUTPATIENT:
            episode = services.episode_start(
                by=referrer, case=case, provider=referrer.organisation, modality="rawat_jalan",
                legal_route=rng.choice(["sukarela", "sukarela", "lapor_keluarga", "wajib_lapor"]),
                started_on=start, planned_end_on=start + datetime.timedelta(days=56),
            )  # fmt: skip
            outcome = OUTCOMES[i]
            end = start + datetime.timedelta(days=rng.choice([49, 56, 63]) if outcome == "selesai"
                                             else rng.randint(14, 40))  # fmt: skip
            _sessions(episode, referrer, rng, start, end, weekly=False)
            services.episode_end(
                episode=episode, by=referrer, ended_on=end, outcome=outcome,
                note="Pindah domisili ke Palembang." if outcome == "pindah" else "",
                relapse_started_on=D(YEAR + 1, 1, 8 + i % 7) if outcome == "kambuh" else None,
            )  # fmt: skip
            if outcome == "kambuh":
                # The relapse: the next episode, from January, ends completed.
                following = Episode.objects.get(previous=episode)
                following_end = following.started_on + datetime.timedelta(days=70)
                _sessions(following, referrer, rng, following.started_on, following_end,
                          weekly=False)  # fmt: skip
                services.episode_end(episode=following, by=referrer, ended_on=following_end,
                                     outcome="selesai")  # fmt: skip
                episode = following
            for follow_up in episode.follow_ups.all():
                if follow_up.due_on <= today:
                    _follow_up(follow_up, referrer, rng)
            _close(case, caseworker, referrer.organisation)
        else:
            centre = CENTRES[i % len(CENTRES)]
            legal = "putusan" if i % 4 == 0 else "wajib_lapor"
            episode = services.episode_start(
                by=referrer, case=case, provider=referrer.organisation, modality="rujukan",
                legal_route=legal, referred_to=centre,
                referral_accepted_on=start + datetime.timedelta(days=rng.randint(2, 9)),
                started_on=start, tat_assessed_on=start - datetime.timedelta(days=2),
                tat_recommendation="Rawat inap di lembaga rehabilitasi BNN.",
                court_decision_no=f"{100 + i}/Pid.Sus/{YEAR}/PN Kag" if legal == "putusan" else "",
                court_decision_date=start - datetime.timedelta(days=5) if legal == "putusan"
                else None,
            )  # fmt: skip
            services.session_record(episode=episode, by=referrer, date=start, kind="tes_urin",
                                    urine_result="positif", substances_found=["sabu"])  # fmt: skip
            services.episode_end(episode=episode, by=referrer,
                                 ended_on=start + datetime.timedelta(days=rng.randint(3, 12)),
                                 outcome="dirujuk", note=centre)  # fmt: skip
            _close(case, caseworker, referrer.organisation)

    _this_year(users, rng, villages, today)
    _community(users, rng, villages, today)
    _sentra_inpatient(users, today)
    _aid_people(users, rng, today)
    if stdout is not None:
        stdout.write(f"Demo rehabilitation loaded: {Episode.objects.count()} episodes.")
    return True


def _this_year(users, rng, villages, today) -> None:
    """BNNK's current work: ongoing outpatients, and recent ends whose follow-ups fall due."""
    referrer, caseworker = users["demo-referrer"], users["demo-caseworker"]
    for k in range(6):
        person = DemoPerson(rng, villages, serial=6201 + k)
        start = today - datetime.timedelta(days=30 + 14 * k)
        case = _refer_and_accept(person, referrer=referrer, caseworker=caseworker,
                                 on=start - datetime.timedelta(days=4))  # fmt: skip
        case = _moved_on(case, caseworker, TREATED)
        episode = services.episode_start(
            by=referrer, case=case, provider=referrer.organisation, modality="rawat_jalan",
            legal_route="sukarela", started_on=start,
            planned_end_on=start + datetime.timedelta(days=56),
        )  # fmt: skip
        end = start + datetime.timedelta(days=49)
        _sessions(episode, referrer, rng, start, min(end, today))
        if end <= today - datetime.timedelta(days=20):
            services.episode_end(episode=episode, by=referrer, ended_on=end, outcome="selesai")
            _moved_on(case, caseworker, TREATMENT_ENDED)


def _community(users, rng, villages, today) -> None:
    """Three people in recovery with BNNK's IBM units, each with a recovery agent."""
    referrer, caseworker = users["demo-referrer"], users["demo-caseworker"]
    units = list(IbmUnit.objects.filter(organisation=referrer.organisation).order_by("name"))
    for k, unit in enumerate(units[:2] + units[:1]):
        agent = unit.agents.filter(is_active=True).order_by("full_name")[k % 2]
        person = DemoPerson(rng, [unit.village], serial=6301 + k)
        start = today - datetime.timedelta(days=40 + 20 * k)
        case = _refer_and_accept(person, referrer=referrer, caseworker=caseworker,
                                 on=start - datetime.timedelta(days=3))  # fmt: skip
        case = _moved_on(case, caseworker, TREATED)
        episode = services.episode_start(
            by=referrer, case=case, provider=referrer.organisation, modality="ibm",
            ibm_unit=unit, recovery_agent=agent, legal_route="sukarela", started_on=start,
            planned_end_on=start + datetime.timedelta(days=90),
        )  # fmt: skip
        _sessions(episode, referrer, rng, start, today, weekly=False)


def _sentra_inpatient(users, today) -> None:
    """The client Dinsos referred out to the Sentra, now a resident going through phases."""
    centre = users["demo-centre"]
    case = Case.objects.filter(organisation=centre.organisation).select_related("client").first()
    if case is None:
        return
    start = today - datetime.timedelta(days=75)
    case = _moved_on(case, centre, TREATED)
    episode = services.episode_start(
        by=centre, case=case, provider=centre.organisation, modality="rawat_inap",
        legal_route="lapor_keluarga", started_on=start,
        planned_end_on=start + datetime.timedelta(days=180),
    )  # fmt: skip
    for phase, offset in (("detoks", 0), ("entry", 14), ("primer", 35)):
        day = start + datetime.timedelta(days=offset)
        services.episode_phase_start(episode=episode, by=centre, phase=phase, started_on=day)
    for offset, kind in ((1, "tes_urin"), (7, "fisik"), (15, "kelompok"), (21, "mental_spiritual"),
                         (36, "vokasional"), (50, "keluarga"), (64, "konseling")):  # fmt: skip
        services.session_record(
            episode=episode, by=centre, date=start + datetime.timedelta(days=offset), kind=kind,
            urine_result="negatif" if kind == "tes_urin" else "",
            notes="Residen mengikuti kegiatan sesuai jadwal.",
        )  # fmt: skip


def _aid_people(users, rng, today) -> None:
    """Three people of this year's aid round were referred by BNNK earlier in the year and
    treated in its clinic: their pages show the whole path, and their follow-ups are due."""
    referrer, caseworker = users["demo-referrer"], users["demo-caseworker"]
    proposals = (
        Proposal.objects.filter(state__in=["handed_over", "reported"])
        .select_related("client")
        .order_by("reference")[:3]
    )
    for n, proposal in enumerate(proposals):
        client = proposal.client
        start = today - datetime.timedelta(days=150 + 10 * n)
        case = _refer_and_accept(None, client=client, referrer=referrer, caseworker=caseworker,
                                 on=start - datetime.timedelta(days=5))  # fmt: skip
        case = _moved_on(case, caseworker, TREATED)
        episode = services.episode_start(
            by=referrer, case=case, provider=referrer.organisation, modality="rawat_jalan",
            legal_route="lapor_keluarga", started_on=start,
            planned_end_on=start + datetime.timedelta(days=63),
        )  # fmt: skip
        end = today - datetime.timedelta(days=38 + 3 * n)
        _sessions(episode, referrer, rng, start, end, weekly=False)
        services.episode_end(episode=episode, by=referrer, ended_on=end, outcome="selesai")
        _moved_on(case, caseworker, TREATMENT_ENDED)
