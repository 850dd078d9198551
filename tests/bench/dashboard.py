"""Benchmark of issue 10 §1: the district head's dashboard over a province with a large
history.

    python -m atensi.dev exec .venv/bin/python tests/bench/dashboard.py [--scale 1.0] [--keep]

Not a test: it prints seconds against the targets (OK/MISSED) and exits 0 when a target is
missed. It works in a database of its own, ``<name>_dashbench``. The province is South
Sumatra (16) with all its villages. The history (``--scale 1``): 1,000,000 clients and
their referrals, 2,400,000 rows of proposal lists in 96 completed screening batches
(2023–2026) of which 2,000,000 became aid proposals, 400,000 aid hand-overs, 500,000
rehabilitation episodes with their aftercare follow-ups and 1,000,000 IKM survey responses
over 60 service units. It is written by SQL (``generate_series``) with the triggers off: the
set-up only has to be quick; what is measured goes through the code a reader runs.

Measured, each several times (the worst and the median printed):

1. the full refresh of the summary tables (``summaries.facts.rebuild``: every kind, every
   month) — target ≤ 60 s; then the beat's refresh of every snapshot that still changes;
2. the dashboard page as a provincial and a regency viewer open it, server time through
   Django's test client (middleware, view, template): cold (no snapshot) and warm —
   target ≤ 300 ms warm;
3. the page right after a change of each kind (a referral, an episode ended, an aid
   hand-over, a survey answer, a screening batch's row reviewed, a client who moves) —
   target ≤ 2 s; the time includes counting again the changed month of the district the
   record lies in (for a client who moves, the months of their records in both districts), with the
   snapshots the beat keeps in place;
4. a period that is not made of whole months (counted from the records, not the tables).
"""

from __future__ import annotations

import argparse
import datetime
import itertools
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from tests.bench.run import drop_database, machine, recreate_database  # noqa: E402

WARM_TARGET_MS = 300
CHANGED_TARGET_S = 2.0
REFRESH_TARGET_S = 60.0
PROVINCE = "16"
YEARS = (2023, 2024, 2025, 2026)
TODAY = datetime.date(2026, 12, 7)


def say(text: str = "") -> None:
    print(text, flush=True)


def setup_django(url: str, media: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ["MEDIA_ROOT"] = media
    os.environ["DEBUG"] = "false"  # as in production: no query log growing
    os.environ.setdefault("SECRET_KEY", "bench-" + "x" * 50)
    os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "atensi.settings")
    import django

    django.setup()
    import logging

    from django.conf import settings

    settings.STATIC_ROOT = Path(media) / "static"  # collected there, not into the checkout

    for name in ("atensi.summaries", "axes", "django.request", "py.warnings"):
        logging.getLogger(name).setLevel(logging.ERROR)


def timed(fn, *args, **kwargs):
    started = time.perf_counter()
    result = fn(*args, **kwargs)
    return time.perf_counter() - started, result


def make_world(scale: float) -> dict:
    """The organisations and users through the ORM, the history by SQL."""
    import io

    from django.core.management import call_command
    from django.db import connection

    from aid.models import AidItem, Decree, Programme
    from assessments.models import RegisterSnapshot
    from atensi.accounts.models import Organisation, User
    from atensi.regions.models import Region

    started = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    call_command("load_regions", stdout=io.StringIO())
    say(f"migrate + load_regions {time.perf_counter() - started:.1f} s")

    regencies = list(
        Region.objects.filter(parent_id=PROVINCE).order_by("code").values_list("code", flat=True)
    )
    province = Organisation.objects.create(name="Dinsos Sumsel", kind="dinsos_prov")
    province.service_area.set(Region.objects.filter(code=PROVINCE))
    boss = User.objects.create_user(
        username="kepala-prov", organisation=province, role=User.Role.SUPERVISOR
    )
    User.objects.create_user(username="pimpinan-prov", organisation=province, role="viewer")
    for code in regencies:
        org = Organisation.objects.create(name=f"Dinsos {code}", kind="dinsos_kab")
        org.service_area.set(Region.objects.filter(code=code))
        User.objects.create_user(username=f"pimpinan-{code}", organisation=org, role="viewer")
    bnnp = Organisation.objects.create(name="BNNP Sumsel", kind="bnnp")
    bnnp.service_area.set(Region.objects.filter(code=PROVINCE))
    officer = User.objects.create_user(username="petugas-bnnp", organisation=bnnp,
                                       role=User.Role.REFERRER)  # fmt: skip
    snapshot = RegisterSnapshot.objects.create(
        source="DTSEN", extract_date=datetime.date(2023, 1, 1), file_name="dtsen.csv",
        sha256="0" * 64, status="done", created_by=boss,
    )  # fmt: skip
    programmes, items, decrees = {}, {}, {}
    for year in YEARS:
        programmes[year] = Programme.objects.create(
            name=f"ATENSI KPN {year}", kind=Programme.Kind.REGULAR, year=year,
            organisation=province, budget_ceiling=10**13, max_decile=4,
            requires_assessment=False,
        )  # fmt: skip
        items[year] = AidItem.objects.create(
            programme=programmes[year], name="Paket nutrisi", component="hidup_layak",
            kind="goods", unit="paket", unit_cost=150_000,
        )  # fmt: skip
        decrees[year] = Decree.objects.create(
            organisation=province, programme=programmes[year], number=f"SK/{year}",
            date=datetime.date(year, 1, 2), signatory_name="Kepala", signatory_title="Kepala",
            approved_by=boss,
        )  # fmt: skip
    n = {
        "clients": int(1_000_000 * scale),
        "rows": int(2_400_000 * scale),
        "proposals": int(2_000_000 * scale),
        "episodes": int(500_000 * scale),
        "responses": int(1_000_000 * scale),
        "units": 60,
    }
    params = {
        **n,
        "org": province.pk, "bnnp": bnnp.pk, "boss": boss.pk, "officer": officer.pk,
        "snapshot": snapshot.pk, "days": (TODAY - datetime.date(2023, 1, 1)).days,
        "programmes": [str(programmes[y].pk) for y in YEARS],
        "items": [str(items[y].pk) for y in YEARS],
        "decrees": [str(decrees[y].pk) for y in YEARS],
    }  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute("SET session_replication_role = replica")  # no triggers, no FK checks
        for label, statement in SQL:
            started = time.perf_counter()
            cursor.execute(statement, params)
            say(f"  {label:<40} {cursor.rowcount:>10,} rows {time.perf_counter() - started:6.1f} s")
        cursor.execute("SET session_replication_role = DEFAULT")
        cursor.execute("ANALYZE")
    return n


VILLAGES = (
    "(SELECT array_agg(code ORDER BY code) AS v, count(*) AS n FROM regions_region "
    f"WHERE code LIKE '{PROVINCE}.%%' AND length(code) = 13) villages"
)
SQL = [
    (
        "clients",
        f"""
        INSERT INTO cases_client (id, nik, kk_number, full_name, alias, sex, birth_place,
            birth_date, religion, education, occupation, marital_status, phone, address,
            village_id, substances, registered_by_id, created_by_id, created_at, updated_at)
        SELECT md5('c' || i)::uuid, '7' || lpad(i::text, 15, '0'), '', 'KLIEN ' || i, '',
            CASE WHEN i %% 7 = 0 THEN 'P' ELSE 'L' END, '', DATE '1970-01-01' + i %% 15000, '',
            '', '', '', '', 'Jl. Uji', v[1 + i %% n], '{{}}', %(org)s, %(boss)s, now(), now()
        FROM generate_series(1, %(clients)s) i, {VILLAGES}""",
    ),
    (
        "referrals",
        """
        INSERT INTO cases_referral (id, reference, source, referring_org_id, referring_officer,
            referral_date, nik, full_name, sex, phone, address, region_id, substances,
            urine_test, legal_status, reason, notes, status, submitted_by_id, submitted_at,
            decline_reason, withdraw_reason, client_id)
        SELECT md5('r' || i)::uuid, 'RJK-B-' || i,
            (ARRAY['bnnk','bnnp','police','court','ipwl','lks','health','family','self',
                   'community'])[1 + i %% 10], %(bnnp)s, 'Petugas',
            DATE '2023-01-01' + i %% %(days)s, c.nik, c.full_name, c.sex, '', '', c.village_id,
            '{}', '', '', 'Rujukan', '', CASE WHEN i %% 5 = 0 THEN 'submitted' ELSE 'accepted' END,
            %(officer)s, now(), '', '', CASE WHEN i %% 5 = 0 THEN NULL ELSE c.id END
        FROM generate_series(1, %(clients)s) i JOIN cases_client c ON c.id = md5('c' || i)::uuid""",
    ),
    (
        "screening batches",
        """
        INSERT INTO assessments_eligibilitybatch (id, name, programme_id, snapshot_id,
            organisation_id, source, file, file_name, status, total_rows, processed_rows,
            error, created_by_id, created_at, started_at, finished_at, run)
        SELECT md5('b' || b)::uuid, 'Usulan ' || b, (%(programmes)s::uuid[])[1 + (b - 1) / 24],
            %(snapshot)s, %(org)s, 'upload', '', 'usulan.xlsx', 'done', 0, 0, '', %(boss)s,
            make_timestamptz(2023 + (b - 1) / 24, 1 + ((b - 1) %% 24) / 2,
                             CASE WHEN b %% 2 = 0 THEN 20 ELSE 5 END, 3, 0, 0, 'UTC'),
            now(), now(), 1
        FROM generate_series(1, 96) b""",
    ),
    (
        "rows of proposal lists",
        f"""
        INSERT INTO assessments_batchrow (batch_id, row_number, chunk_key, nik_input, nik,
            kk_number, name, birth_date, sex, village_code, address, client_id, verdict,
            reasons, problems, match_id, match_method, match_score, candidates, decile,
            review)
        SELECT md5('b' || (1 + (i - 1) / (%(rows)s / 96)))::uuid, i, '', '', '', '', 'X', NULL,
            'L', v[1 + (i * 7) %% n], '', NULL,
            CASE WHEN i %% 6 = 0 THEN (ARRAY['NIK_INVALID','NOT_IN_REGISTER',
                'DECILE_ABOVE_THRESHOLD','NEEDS_REVIEW','ALREADY_AIDED'])[1 + (i / 6) %% 5]
                ELSE 'ELIGIBLE' END,
            CASE WHEN i %% 6 = 0 THEN ARRAY[(ARRAY['NIK_INVALID','NOT_IN_REGISTER',
                'DECILE_ABOVE_THRESHOLD','NEEDS_REVIEW','ALREADY_AIDED'])[1 + (i / 6) %% 5]]
                ELSE '{{}}'::varchar[] END,
            '[]', NULL, '', NULL, '[]', 1 + i %% 4, ''
        FROM generate_series(1, %(rows)s) i, {VILLAGES}""",
    ),
    (
        "aid proposals",
        """
        INSERT INTO aid_proposal (id, reference, programme_id, client_id, state, value,
            business_plan, batch_row_id, decree_id, reason, created_by_id, created_at,
            updated_at)
        SELECT md5('p' || r.id)::uuid, 'USL-B-' || r.id, r.programme_id,
            md5('c' || r.k)::uuid, s.state, 150000, '', r.id,
            CASE WHEN s.state IN ('approved', 'handed_over', 'reported')
                 THEN (%(decrees)s::uuid[])[1 + (r.row_number - 1) / (%(rows)s / 4)] END,
            CASE WHEN s.state IN ('rejected', 'cancelled') THEN 'Tidak memenuhi' ELSE '' END,
            %(boss)s, now(), now()
        FROM (SELECT r.id, r.row_number, b.programme_id,
                     row_number() OVER (PARTITION BY b.programme_id ORDER BY r.id) AS k
              FROM assessments_batchrow r
              JOIN assessments_eligibilitybatch b ON b.id = r.batch_id
              WHERE r.reasons = '{}') AS r
        CROSS JOIN LATERAL (SELECT (ARRAY['draft','submitted','verified','approved',
            'approved','handed_over','reported','rejected','cancelled','approved'])
            [1 + r.id %% 10] AS state) s""",
    ),
    (
        "proposal items (handed over)",
        """
        INSERT INTO aid_proposalitem (id, proposal_id, aid_item_id, component, quantity,
            unit_cost, value)
        SELECT md5('i' || p.id)::uuid, p.id,
            (SELECT a.id FROM aid_aiditem a WHERE a.programme_id = p.programme_id),
            'hidup_layak', 1, 150000, 150000
        FROM aid_proposal p WHERE p.state IN ('handed_over', 'reported')""",
    ),
    (
        "aid hand-overs",
        """
        INSERT INTO aid_handover (id, proposal_id, organisation_id, year, seq, number,
            handed_on, place, officer_id, recipient_name, officer_nip, witness_name,
            witness_role, evidence, value, created_at)
        SELECT md5('h' || p.id)::uuid, p.id, %(org)s, 2026, row_number() OVER (),
            'BAST-B-' || p.id, LEAST(DATE '2023-02-01' + (abs(hashtext(p.reference)) %% 1400),
                                     DATE '2026-12-06'),
            'Kantor', %(boss)s, 'Penerima', '', '', '', '', 150000, now()
        FROM aid_proposal p WHERE p.state IN ('handed_over', 'reported')""",
    ),
    (
        "hand-over items",
        """
        INSERT INTO aid_handoveritem (handover_id, proposal_item_id, quantity, value)
        SELECT md5('h' || p.id)::uuid, md5('i' || p.id)::uuid, 1, 150000
        FROM aid_proposal p WHERE p.state IN ('handed_over', 'reported')""",
    ),
    (
        "cases",
        """
        INSERT INTO cases_case (id, reference, client_id, organisation_id, stage,
            stage_changed_at, referred_to, opened_at)
        SELECT md5('k' || i)::uuid, 'KS-B-' || i, md5('c' || i)::uuid, %(org)s, 'intervention',
            now(), '', now()
        FROM generate_series(1, %(episodes)s) i""",
    ),
    (
        "rehabilitation episodes",
        """
        INSERT INTO rehab_episode (id, reference, client_id, case_id, provider_id, modality,
            referred_to, legal_route, court_decision_no, tat_recommendation, started_on,
            worker_id, ended_on, outcome, outcome_note, created_by_id, created_at, updated_at)
        SELECT md5('e' || i)::uuid, 'EPS-B-' || i, md5('c' || i)::uuid, md5('k' || i)::uuid,
            %(bnnp)s, CASE WHEN i %% 5 = 0 THEN 'rawat_inap' ELSE 'rawat_jalan' END, '',
            'sukarela', '', '', s.started, %(officer)s,
            CASE WHEN s.started < DATE '2026-06-01' THEN s.started + 90 END,
            CASE WHEN s.started < DATE '2026-06-01'
                 THEN (ARRAY['selesai','selesai','selesai','putus','kambuh'])[1 + i %% 5]
                 ELSE '' END, '', %(officer)s, now(), now()
        FROM generate_series(1, %(episodes)s) i
        CROSS JOIN LATERAL (SELECT DATE '2023-01-01' + i %% %(days)s AS started) s""",
    ),
    (
        "aftercare follow-ups",
        """
        INSERT INTO rehab_aftercarefollowup (id, episode_id, months, due_on, status,
            contacted_on, substances, urine_test, activity, note)
        SELECT md5('f' || e.id || m)::uuid, e.id, m, (e.ended_on + make_interval(months => m))::date,
            CASE WHEN (e.ended_on + make_interval(months => m))::date >= DATE '2026-11-01'
                 THEN 'due' ELSE 'not_reached' END,
            CASE WHEN (e.ended_on + make_interval(months => m))::date >= DATE '2026-11-01'
                 THEN NULL ELSE (e.ended_on + make_interval(months => m))::date END,
            '{}', '', '', ''
        FROM rehab_episode e CROSS JOIN (VALUES (1), (3), (6)) AS months(m)
        WHERE e.outcome IN ('selesai', 'putus')""",
    ),
    (
        "survey units",
        f"""
        INSERT INTO rehab_surveyunit (id, code, name, organisation_id, region_id, target,
            is_active, created_by_id, created_at)
        SELECT md5('u' || u)::uuid, 'UNIT' || u, 'Unit layanan ' || u, %(org)s,
            substring(v[1 + (u * 53) %% n] FROM 1 FOR 8), 3.9, TRUE, %(boss)s, now()
        FROM generate_series(1, %(units)s) u, {VILLAGES}""",
    ),
    (
        "survey responses",
        """
        INSERT INTO rehab_surveyresponse (id, unit_id, submitted_at, u1, u2, u3, u4, u5, u6,
            u7, u8, u9, sex, age_group, education, occupation, suggestion)
        SELECT md5('s' || i)::uuid, md5('u' || (1 + i %% %(units)s))::uuid,
            TIMESTAMPTZ '2023-01-01 02:00+00' + make_interval(mins => (i * 97) %% (%(days)s * 1440)),
            1 + i %% 4, 1 + (i / 2) %% 4, 3, 4, 1 + (i / 3) %% 4, 4, 3, 1 + (i / 5) %% 4, 4,
            CASE WHEN i %% 2 = 0 THEN 'L' ELSE 'P' END, '30-39', 'sma', 'swasta', ''
        FROM generate_series(1, %(responses)s) i""",
    ),
]


def page(browser, **query) -> float:
    """Seconds to answer the dashboard page (server side, through the whole stack)."""
    started = time.perf_counter()
    response = browser.get("/dasbor/", query, secure=True)
    elapsed = time.perf_counter() - started
    assert response.status_code == 200, response.status_code
    return elapsed


def summary(label: str, seconds: list[float], target_ms: float | None = None) -> str:
    worst = max(seconds) * 1000
    verdict = ""
    if target_ms is not None:
        verdict = f" (target ≤ {target_ms:.0f} ms) {'OK' if worst <= target_ms else 'MISSED'}"
    return (f"{label:<52} median {statistics.median(seconds) * 1000:7.0f} ms, worst "
            f"{worst:7.0f} ms over {len(seconds)}{verdict}")  # fmt: skip


def changes():
    """One change of each kind a dashboard counts, made as the app makes it (the ORM)."""
    from django.db.models import Max
    from django.utils import timezone

    from aid.models import AidItem, Handover, HandoverItem, Proposal, ProposalItem
    from assessments.models import BatchRow
    from cases.models import Client, Referral
    from rehab.models import Episode
    from rehab.models.survey import SurveyResponse, SurveyUnit

    serial = itertools.count(Referral.objects.filter(reference__startswith="RJK-N-").count() + 1)

    def referral():
        ref = Referral.objects.filter(status="submitted").order_by("reference").first()
        Referral.objects.create(
            reference=f"RJK-N-{next(serial):08d}", source="bnnk",
            referring_org_id=ref.referring_org_id, referring_officer="Petugas",
            referral_date=datetime.date(2026, 11, 30), nik="", full_name="Baru", sex="L",
            region_id=ref.region_id, reason="Rujukan", status="submitted",
            submitted_by_id=ref.submitted_by_id,
        )  # fmt: skip

    def episode_ended():
        episode = Episode.objects.filter(ended_on__isnull=True).order_by("started_on").first()
        episode.ended_on, episode.outcome = datetime.date(2026, 12, 1), "selesai"
        episode.save(update_fields=["ended_on", "outcome", "updated_at"])

    def handover():
        proposal = (
            Proposal.objects.filter(state="approved")
            .exclude(pk__in=Handover.objects.values("proposal_id"))
            .order_by("reference")
            .first()
        )
        item = ProposalItem.objects.create(
            proposal=proposal, aid_item=AidItem.objects.get(programme=proposal.programme),
            component="hidup_layak", quantity=1, unit_cost=150_000, value=150_000,
        )  # fmt: skip
        seq = Handover.objects.aggregate(m=Max("seq"))["m"] + 1
        handover = Handover.objects.create(
            proposal=proposal, organisation_id=proposal.programme.organisation_id, year=2026,
            seq=seq, number=f"BAST-NEW-{seq}", handed_on=TODAY, place="Kantor",
            officer_id=proposal.created_by_id, recipient_name="Penerima", value=150_000,
        )  # fmt: skip
        HandoverItem.objects.create(handover=handover, proposal_item=item, quantity=1,
                                    value=150_000)  # fmt: skip
        proposal.state = "handed_over"
        proposal.save(update_fields=["state", "updated_at"])

    def survey_answer():
        unit = SurveyUnit.objects.order_by("code").first()
        SurveyResponse.objects.create(
            unit=unit, submitted_at=timezone.now(), u1=4, u2=4, u3=4, u4=4, u5=4, u6=4, u7=4,
            u8=4, u9=4, sex="L", age_group="30-39", education="sma", occupation="swasta",
        )  # fmt: skip

    def review():
        row = BatchRow.objects.filter(reasons=["NEEDS_REVIEW"]).order_by("-id").first()
        BatchRow.objects.filter(pk=row.pk).update(reasons=[], verdict="ELIGIBLE")

    def client_moves():
        # Someone with an episode this year (and its follow-ups), to a village elsewhere.
        client = Episode.objects.filter(started_on__year=2026).order_by("reference").first().client
        other = Client.objects.exclude(village__code__startswith=client.village_id[:8])
        client.village_id = other.order_by("id").values_list("village_id", flat=True).first()
        client.save(update_fields=["village_id", "updated_at"])

    return [
        ("a referral submitted", referral),
        ("an episode ended", episode_ended),
        ("an aid hand-over dated today", handover),
        ("a survey answer", survey_answer),
        ("a proposal-list row reviewed", review),
        ("a client moves to another village", client_moves),
    ]


def measure(rounds: int) -> list[tuple[str, bool]]:
    from django.core.management import call_command
    from django.test import Client as Browser

    from atensi.accounts.models import User
    from atensi.dashboard import services
    from atensi.dashboard.models import DashboardSnapshot
    from atensi.summaries import facts
    from atensi.summaries.models import MonthlyCount

    call_command("collectstatic", "--noinput", verbosity=0)  # pages as production serves them
    verdicts = []
    say("\n== full refresh of the summary tables")
    times = []
    for _ in range(rounds):
        seconds, counted = timed(facts.rebuild)
        times.append(seconds)
    rows = MonthlyCount.objects.count()
    worst = max(times)
    ok = worst <= REFRESH_TARGET_S
    verdicts.append(("full refresh", ok))
    say(f"rebuild every kind and month: median {statistics.median(times):.1f} s, worst "
        f"{worst:.1f} s over {rounds} (target ≤ {REFRESH_TARGET_S:.0f} s) "
        f"{'OK' if ok else 'MISSED'}; {rows:,} summary rows")  # fmt: skip
    per_kind = {}
    for kind in sorted(facts.KINDS):
        per_kind[kind], _ = timed(facts.rebuild, kinds=[kind])
    say("  per kind: " + ", ".join(f"{k} {s:.1f} s" for k, s in per_kind.items()))
    seconds, snapshots = timed(services.snapshots_refresh, today=TODAY)
    say(f"beat: every snapshot that still changes ({snapshots} area × period): {seconds:.1f} s")

    readers = [("province", "pimpinan-prov"), ("regency 16.02", "pimpinan-16.02")]
    periods = ["2026", "2025-Q4", "2026-11"]
    say("\n== the dashboard page (server time, test client)")
    for label, username in readers:
        browser = Browser()
        browser.force_login(User.objects.get(username=username))
        for period in periods:
            DashboardSnapshot.objects.all().delete()
            cold = [page(browser, period=period)]
            warm = [page(browser, period=period) for _ in range(rounds * 5)]
            say(summary(f"{label} {period}: cold (counted from the tables)", cold))
            line = summary(f"{label} {period}: warm", warm, WARM_TARGET_MS)
            verdicts.append((f"warm {label} {period}", max(warm) * 1000 <= WARM_TARGET_MS))
            say(line)

    say("\n== the page right after a change (counting the changed months again)")
    # As the beat keeps them: this and last period's snapshots, so that a change of this
    # year counts this year again and takes last year's cards from its snapshot.
    services.snapshots_refresh(today=TODAY)
    browser = Browser()
    browser.force_login(User.objects.get(username="pimpinan-prov"))
    page(browser, period="2026")
    for label, change in changes():
        seconds = []
        for _ in range(rounds):
            change()
            seconds.append(page(browser, period="2026"))
        ok = max(seconds) <= CHANGED_TARGET_S
        verdicts.append((f"after {label}", ok))
        say(summary(f"after {label}", seconds, CHANGED_TARGET_S * 1000))

    say("\n== a period that is not whole months (counted from the records)")
    seconds = [page(browser, period="2026-01-15..2026-11-14") for _ in range(rounds)]
    say(summary("province 2026-01-15..2026-11-14 (snapshot kept after)", seconds))
    return verdicts


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", type=float, default=1.0, help="1.0: the issue's sizes")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--reuse", action="store_true", help="keep the data of a --keep run")
    args = parser.parse_args()
    source = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/atensi")
    parts = urlsplit(source)
    url = parts._replace(path=f"{parts.path}_dashbench").geturl()
    say(f"== dashboard: a province with a large history (scale {args.scale})")
    if not args.reuse:
        recreate_database(url)
    for name, value in machine(url, os.environ.get("REDIS_URL", "")):
        say(f"{name:>10}: {value}")
    media = tempfile.mkdtemp(prefix="dashbench-")
    try:
        setup_django(url, media)
        if not args.reuse:
            started = time.perf_counter()
            make_world(args.scale)
            say(f"set-up {time.perf_counter() - started:.0f} s")
        verdicts = measure(args.rounds)
        say("\n== summary")
        for label, ok in verdicts:
            say(f"  {'OK    ' if ok else 'MISSED'} {label}")
    finally:
        from django.db import connections

        connections.close_all()
        if not args.keep:
            drop_database(url)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
