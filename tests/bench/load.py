"""Load benchmark of issue 11 §2: the real server under concurrent users.

    python -m atensi.dev exec .venv/bin/python tests/bench/load.py [--scale 0.1] [--duration 120]

Not a test: it prints the figures against the targets (OK/MISSED) and exits 0 either way.
It builds, in a database of its own (``<name>_loadbench``), the province of the dashboard
benchmark at ``--scale`` (0.1: 100,000 clients with their referrals, cases, screening
batches, aid, episodes, aftercare and survey answers), counts the summary tables, and starts
what production runs: gunicorn (``--web-workers``) and a Celery worker. Locust then drives
``--caseworkers`` caseworkers (client, referral and case lists, a search, a client's page,
now and then a referral typed in) and ``--heads`` district heads (the dashboard for a year,
a quarter or a month, and its XLSX) for ``--duration`` seconds, with the think times of
tests/bench/locustfile.py. Reported: p50/p95/p99 and requests per second, per request kind
and overall, and the errors. Targets: p95 ≤ 150 ms, no error. Locust runs on the same
machine as the server and takes part of its CPU.
"""

from __future__ import annotations

import argparse
import csv
import os
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from tests.bench.dashboard import make_world, say, setup_django  # noqa: E402
from tests.bench.run import drop_database, machine, recreate_database  # noqa: E402

P95_TARGET_MS = 150
PASSWORD = "bench-load-2026"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def prepare(scale: float, reuse: bool) -> dict:
    """The world, its summary tables and snapshots counted, the users' passwords set."""
    from django.contrib.auth.hashers import make_password
    from django.core.management import call_command

    from atensi.accounts.models import Organisation, User
    from atensi.dashboard import services
    from atensi.summaries import facts
    from cases.models import Client

    if not reuse:
        started = time.perf_counter()
        make_world(scale)
        say(f"data {time.perf_counter() - started:.0f} s")
        started = time.perf_counter()
        facts.rebuild()
        services.snapshots_refresh()
        say(f"summary tables and snapshots {time.perf_counter() - started:.0f} s")
    province = Organisation.objects.get(name="Dinsos Sumsel")
    User.objects.update_or_create(
        username="pekerja-prov",
        defaults={"organisation": province, "role": User.Role.CASEWORKER},
    )
    User.objects.filter(username__in=["pekerja-prov", "pimpinan-16.02"]).update(
        password=make_password(PASSWORD)
    )
    started = time.perf_counter()
    call_command("collectstatic", "--noinput", verbosity=0)
    say(f"collectstatic {time.perf_counter() - started:.0f} s")
    clients = list(Client.objects.order_by("?").values_list("pk", flat=True)[:500])
    village = Client.objects.values_list("village_id", flat=True).first()
    return {
        "clients": ",".join(str(pk) for pk in clients),
        "village": village,
        "count": Client.objects.count(),
    }


def certificate(folder: Path) -> tuple[Path, Path]:
    """A self-signed certificate: production cookies are Secure, so the server speaks TLS."""
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(  # noqa: S603, S607 - openssl on the PATH
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-subj", "/CN=127.0.0.1", "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )  # fmt: skip
    return cert, key


def serve(env: dict, web_workers: int, threads: int, log: Path):
    """gunicorn as the image runs it (threaded workers, which keep a browser's connection
    open as the reverse proxy in front of production does), and a Celery worker."""
    port = free_port()
    cert, key = certificate(log.parent)
    kind = (
        ["--worker-class", "gthread", "--threads", str(threads), "--keep-alive", "75"]
        if threads > 1
        else []
    )
    web = subprocess.Popen(  # noqa: S603 - our own server
        [sys.executable, "-m", "gunicorn", "atensi.wsgi", "-b", f"127.0.0.1:{port}",
         "-w", str(web_workers), *kind, "--timeout", "120", "--certfile", str(cert),
         "--keyfile", str(key)],
        cwd=REPO, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT,
        start_new_session=True,
    )  # fmt: skip
    worker = subprocess.Popen(  # noqa: S603 - our own worker
        [sys.executable, "-m", "celery", "-A", "atensi", "worker", "--concurrency", "1",
         "-l", "warning", "-n", f"load-{os.getpid()}@bench"],
        cwd=REPO, env=env, stdout=(log.parent / "worker.log").open("wb"),
        stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    base = f"https://127.0.0.1:{port}"
    insecure = ssl.create_default_context()
    insecure.check_hostname = False
    insecure.verify_mode = ssl.CERT_NONE  # our own self-signed certificate
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(base + "/healthz", timeout=2, context=insecure)  # noqa: S310
            return base, (web, worker)
        except OSError:
            time.sleep(0.5)
    raise SystemExit(f"the server did not start; see {log}")


def stop(processes) -> None:
    for proc in processes:
        try:
            os.killpg(proc.pid, signal.SIGTERM)
        except ProcessLookupError:
            continue
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)


def report(stats_csv: Path, duration: int) -> bool:
    rows = list(csv.DictReader(stats_csv.open()))
    say(f"\n{'request':<34} {'n':>6} {'fail':>5} {'p50':>6} {'p95':>6} {'p99':>6} {'max':>7} "
        f"{'req/s':>6}")  # fmt: skip
    ok = True
    for row in rows:
        name = row["Name"] if row["Name"] != "Aggregated" else "ALL"
        say(f"{name[:34]:<34} {int(row['Request Count']):>6} {int(row['Failure Count']):>5} "
            f"{row['50%']:>6} {row['95%']:>6} {row['99%']:>6} "
            f"{float(row['Max Response Time']):>7.0f} {float(row['Requests/s']):>6.1f}")  # fmt: skip
        if row["Name"] == "Aggregated":
            if row["95%"] == "N/A":
                say("\nno request was measured")
                return False
            p95 = float(row["95%"])
            failures = int(row["Failure Count"])
            ok = p95 <= P95_TARGET_MS and failures == 0
            say(f"\noverall over {duration} s: p95 {p95:.0f} ms (target ≤ {P95_TARGET_MS}), "
                f"{failures} errors (target 0): {'OK' if ok else 'MISSED'}")  # fmt: skip
    return ok


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", type=float, default=0.1, help="0.1: 100,000 clients")
    parser.add_argument("--duration", type=int, default=120, help="seconds of load")
    parser.add_argument("--caseworkers", type=int, default=20)
    parser.add_argument("--heads", type=int, default=5)
    parser.add_argument("--web-workers", type=int, default=3, help="gunicorn processes")
    parser.add_argument("--threads", type=int, default=4,
                        help="threads per gunicorn process (1: the sync worker, a TLS "
                        "handshake per request)")  # fmt: skip
    parser.add_argument("--keep", action="store_true", help="keep the database")
    parser.add_argument("--reuse", action="store_true", help="reuse the data of a --keep run")
    args = parser.parse_args()
    source = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/atensi")
    parts = urlsplit(source)
    url = parts._replace(path=f"{parts.path}_loadbench").geturl()
    say(f"== load: {args.caseworkers} caseworkers and {args.heads} district heads for "
        f"{args.duration} s (scale {args.scale})")  # fmt: skip
    if not args.reuse:
        recreate_database(url)
    for name, value in machine(url, os.environ.get("REDIS_URL", "")):
        say(f"{name:>10}: {value}")
    tmp = Path(tempfile.mkdtemp(prefix="loadbench-"))
    processes = ()
    try:
        setup_django(url, str(tmp))
        world = prepare(args.scale, args.reuse)
        say(f"{world['count']:,} clients")
        from django.db import connections

        connections.close_all()
        env = {
            **os.environ, "DATABASE_URL": url, "MEDIA_ROOT": str(tmp), "DEBUG": "false",
            "SECRET_KEY": "bench-" + "x" * 50, "ALLOWED_HOSTS": "127.0.0.1",
            "TWO_FACTOR_REQUIRED_ROLES": "",
            "AXES_FAILURE_LIMIT": "1000", "DJANGO_SETTINGS_MODULE": "atensi.settings",
            "LOAD_PASSWORD": PASSWORD, "LOAD_CLIENTS": world["clients"],
            "LOAD_VILLAGE": world["village"], "LOAD_CASEWORKER": "pekerja-prov",
            "LOAD_HEAD": "pimpinan-16.02",
        }  # fmt: skip
        # STATIC_ROOT as collected by setup_django's settings (under the temporary folder).
        env["STATIC_ROOT"] = str(tmp / "static")
        base, processes = serve(env, args.web_workers, args.threads, tmp / "web.log")
        users = args.caseworkers + args.heads
        started = time.perf_counter()
        subprocess.run(  # noqa: S603 - our own load generator
            [sys.executable, "-m", "locust", "-f", str(REPO / "tests/bench/locustfile.py"),
             "--headless", "-u", str(users), "-r", "5", "--reset-stats",
             "-t", f"{args.duration + users // 5}s",
             "--host", base, "--csv", str(tmp / "load"), "--only-summary",
             "--loglevel", "WARNING"],
            env=env, check=False, cwd=REPO,
        )  # fmt: skip
        say(f"locust ran {time.perf_counter() - started:.0f} s")
        ok = report(tmp / "load_stats.csv", args.duration)
        say(f"\n== summary\n  {'OK    ' if ok else 'MISSED'} p95 ≤ {P95_TARGET_MS} ms, no error")
    finally:
        stop(processes)
        from django.db import connections

        connections.close_all()
        if not args.keep:
            drop_database(url)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
