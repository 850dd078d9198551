"""Benchmark of issue 7 §7: approving one decree of 10,000 proposals, then building its
annex as PDF and as XLSX.

    python -m atensi.dev exec .venv/bin/python tests/bench/aid.py [--rows N] [--keep]

Not a test: it prints seconds and memory against the targets and exits 0 when a target is
missed. It works in a database of its own, ``<name>_aidbench``. The set-up (clients,
verified proposals and their items) is written with bulk inserts, not the services: the
services are what is measured, the set-up only has to be quick. The decree is approved
through ``decree_approve``, the XLSX annex through ``decree_document_build`` (the function
its Celery task runs), and the PDF annex as a supervisor gets it: asked for, and built by a
real Celery worker with two processes that share its parts. Each step runs in a child
process of its own (``--step``), so the peak RSS it reports is that step's: the process as
imported and set up, then its highest point (for the PDF: the highest of any one worker
process). Names are of one to five words, as recipients' names are, so rows take one or
two lines.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import json
import os
import resource
import secrets
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from tests.bench.run import drop_database, machine, recreate_database  # noqa: E402

APPROVE_TARGET_S = 10.0
ANNEX_TARGET_S = 60.0
UNIT = 150_000


def say(text: str = "") -> None:
    print(text, flush=True)


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def setup_django(url: str, media: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ["MEDIA_ROOT"] = media
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "atensi.settings")
    import django

    django.setup()
    import logging

    logging.getLogger("weasyprint").setLevel(logging.WARNING)
    logging.getLogger("fontTools").setLevel(logging.WARNING)


FIRST = ("MUHAMMAD", "SITI", "AHMAD", "NUR", "DEWI", "RAHMAT", "ABDURRAHMAN", "PUTRI", "BUDI",
         "KHAIRUNNISA")  # fmt: skip
REST = ("RIZKI", "AMINAH", "PRATAMA", "HIDAYAT", "SAPUTRA", "WULANDARI", "BINTI", "BIN",
        "ABDULLAH", "KURNIAWAN", "SETIAWAN", "PURNAMASARI", "YUSUF")  # fmt: skip


def name(i: int) -> str:
    """A recipient's name of one to five words, the same for the same i."""
    words = [FIRST[i % len(FIRST)]]
    words += [REST[(i * k + k) % len(REST)] for k in range(1, 1 + (i * 7) % 5)]
    return " ".join(words)


def make_world(rows: int):
    import io

    from django.core.management import call_command
    from django.utils import timezone

    from aid import services
    from aid.models import AidItem, Programme, Proposal, ProposalItem
    from atensi.accounts.models import Organisation, User
    from atensi.regions.models import Region
    from cases.models import Client

    started = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    call_command("load_regions", stdout=io.StringIO())
    say(f"migrate + load_regions {time.perf_counter() - started:.1f} s")

    started = time.perf_counter()
    org = Organisation.objects.create(name="Dinsos OKI", kind=Organisation.Kind.DINSOS_REGENCY)
    org.service_area.set(Region.objects.filter(code="16.02"))
    worker = User.objects.create_user(username="pekerja", organisation=org,
                                      role=User.Role.CASEWORKER)  # fmt: skip
    boss = User.objects.create_user(username="kepala", organisation=org, role=User.Role.SUPERVISOR)
    programme = Programme.objects.create(
        name="Bantuan ATENSI KPN", kind=Programme.Kind.REGULAR, year=2026, organisation=org,
        budget_ceiling=rows * UNIT * 2, max_decile=10, requires_assessment=False,
    )  # fmt: skip
    item = AidItem.objects.create(programme=programme, name="Paket nutrisi",
                                  component="hidup_layak", kind="goods", unit="paket",
                                  unit_cost=UNIT)  # fmt: skip
    services.budget_allocate(programme=programme, component="hidup_layak",
                             amount=rows * UNIT * 2, by=boss, reason="DPA 2026")  # fmt: skip
    villages = [
        code
        for code in Region.objects.filter(code__startswith="16.02.").values_list("code", flat=True)
        if code.count(".") == 3
    ][:200]
    now = timezone.now()
    for start in range(0, rows, 2000):
        batch = range(start, min(start + 2000, rows))
        clients = Client.objects.bulk_create(
            Client(
                nik=f"160205{(i % 28) + 1:02d}0190{i % 10000:04d}",
                full_name=name(i), sex="L", birth_date=datetime.date(1990, 1, 1),
                address="Jl. Uji", village_id=villages[i % len(villages)],
                registered_by=org, created_by=worker,
            )
            for i in batch
        )  # fmt: skip
        proposals = Proposal.objects.bulk_create(
            Proposal(
                reference=f"USL-BENCH-{i:06d}", programme=programme, client=c,
                state=Proposal.State.VERIFIED, value=UNIT, created_by=worker,
                submitted_by=worker, submitted_at=now, verified_by=boss, verified_at=now,
            )
            for i, c in zip(batch, clients, strict=True)
        )  # fmt: skip
        ProposalItem.objects.bulk_create(
            ProposalItem(proposal=p, aid_item=item, component="hidup_layak", quantity=1,
                         unit_cost=UNIT, value=UNIT)
            for p in proposals
        )  # fmt: skip
    say(f"set-up of {rows:,} clients and verified proposals (bulk inserts) "
        f"{time.perf_counter() - started:.1f} s")  # fmt: skip
    return programme, boss


def step(name: str, rows: int) -> dict:
    """Run one measured step in this (child) process and return its figures."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from aid import services
    from aid.models import Decree, DecreeDocument, Proposal
    from aid.services import documents
    from atensi.accounts.models import User

    boss = User.objects.get(username="kepala")
    result = {}
    if name == "approve":
        proposals = list(Proposal.objects.order_by("reference"))
        base = rss_mb()
        started = time.perf_counter()
        with CaptureQueriesContext(connection) as queries:
            services.decree_approve(
                proposals=proposals, number="SK/BENCH/2026", date=datetime.date(2026, 11, 20),
                signatory_name="Kepala Dinas Sosial", signatory_title="Kepala Dinas", by=boss,
            )  # fmt: skip
        result["seconds"] = time.perf_counter() - started
        result["detail"] = f"{len(queries)} queries"
    elif name == "xlsx":
        decree = Decree.objects.get(number="SK/BENCH/2026")
        document = DecreeDocument.objects.create(decree=decree, kind=name, requested_by=boss)
        base = rss_mb()
        started = time.perf_counter()
        document = documents.decree_document_build(document_id=document.pk)
        result["seconds"] = time.perf_counter() - started
        result["detail"] = f"{document.file.size / 1e6:.1f} MB, status {document.status}"
    else:
        return pdf_through_workers(boss)
    result.update(base_mb=base, peak_mb=rss_mb())
    return result


def pdf_through_workers(boss) -> dict:
    """The annex PDF as a supervisor gets it: asked for, then built by a real Celery worker
    (prefork, --concurrency 2, the parts shared by its two processes); the clock runs from
    the request to the document being ready. Memory: the highest RSS of any one worker
    process, sampled every 0.1 s."""
    import psutil
    from django.db import transaction
    from pypdf import PdfReader

    from aid.models import Decree, DecreeDocument
    from aid.services import documents
    from tests.bench.run import Worker

    decree = Decree.objects.get(number="SK/BENCH/2026")
    # As in production: DEBUG off (its query log would grow), a secret key of its own.
    env = {
        **os.environ,
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "localhost",
    }
    with tempfile.TemporaryDirectory() as tmp, Worker(env, 2, Path(tmp) / "worker.log") as worker:
        pool = psutil.Process(worker.proc.pid)
        base = max(p.memory_info().rss for p in [pool, *pool.children()]) / 2**20
        peak = base
        started = time.perf_counter()
        with transaction.atomic():
            document = documents.decree_document_request(decree=decree, kind="pdf", by=boss)
        while True:
            for process in [pool, *pool.children()]:
                with contextlib.suppress(psutil.NoSuchProcess):
                    peak = max(peak, process.memory_info().rss / 2**20)
            status = DecreeDocument.objects.filter(pk=document.pk).values_list("status", flat=True)[
                0
            ]
            if status in ("done", "failed") or not worker.alive():
                break
            time.sleep(0.1)
        seconds = time.perf_counter() - started
        if status != "done":
            raise RuntimeError(f"the annex ended {status}:\n{worker.tail()}")
    document.refresh_from_db()
    with document.file.open("rb") as f:
        pages = len(PdfReader(f).pages)
    return {"seconds": seconds, "base_mb": base, "peak_mb": peak,
            "detail": f"{document.file.size / 1e6:.1f} MB, {pages} pages, through a worker "
                      f"with 2 processes"}  # fmt: skip


def run_step(name: str, url: str, media: str, rows: int) -> dict:
    """The step in a child process: its own peak RSS, nothing left over from the others."""
    done = subprocess.run(
        [sys.executable, __file__, "--step", name, "--url", url, "--media", media,
         "--rows", str(rows)],  # fmt: skip
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    if done.returncode != 0:
        raise RuntimeError(f"step {name} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--step", choices=["approve", "xlsx", "pdf"], help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    parser.add_argument("--media", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.step:
        setup_django(args.url, args.media)
        print(json.dumps(step(args.step, args.rows)), flush=True)
        return 0
    source = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/atensi")
    parts = urlsplit(source)
    url = parts._replace(path=f"{parts.path}_aidbench").geturl()
    say(f"== aid: decree of {args.rows:,} proposals, annex PDF and XLSX")
    recreate_database(url)
    for name, value in machine(url, os.environ.get("REDIS_URL", "")):
        say(f"{name:>10}: {value}")
    media = tempfile.mkdtemp(prefix="aidbench-")
    try:
        setup_django(url, media)
        make_world(args.rows)
        from django.db import connections

        connections.close_all()
        targets = {"approve": APPROVE_TARGET_S, "xlsx": ANNEX_TARGET_S, "pdf": ANNEX_TARGET_S}
        labels = {"approve": f"approve {args.rows:,} by one decree", "xlsx": "annex xlsx",
                  "pdf": "annex pdf"}  # fmt: skip
        for name in ("approve", "xlsx", "pdf"):
            got = run_step(name, url, media, args.rows)
            seconds, target = got["seconds"], targets[name]
            detail = f"; {got['detail']}" if "detail" in got else ""
            say(f"{labels[name]}: {seconds:.1f} s (target ≤ {target:.0f} s) "
                f"{'OK' if seconds <= target else 'MISSED'}{detail}; process peak RSS "
                f"{got['peak_mb']:.0f} MB (at start of step {got['base_mb']:.0f} MB, "
                f"+{got['peak_mb'] - got['base_mb']:.0f} MB)")  # fmt: skip
    finally:
        from django.db import connections

        connections.close_all()
        if not args.keep:
            drop_database(url)
    return 0


if __name__ == "__main__":
    sys.exit(main())
