"""Benchmark of issue 3 §7 and issue 8: register import, batch screening through real Celery
workers, matching quality against the generator's ground truth (per noise kind, per seed),
and Splink 5 on the same files.

    python -m atensi.dev exec .venv/bin/python tests/bench/run.py [--small] [--keep]
        [--noise ordinary|hard] [--seeds 1,2,3]

Not a test: it prints its figures and the targets, and exits 0 when a target is missed
(non-zero only on an error). It works in a database of its own, ``<name>_bench`` next to
the one DATABASE_URL names (dropped at the end unless ``--keep``), with its files in a
temporary directory, and starts its own worker on REDIS_URL, whose queue it purges: point
REDIS_URL at a Redis database no other worker uses (it refuses to start if one answers).
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import datetime
import gzip
import importlib.util
import io
import json
import logging
import os
import platform
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import traceback
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import psycopg
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict

REPO = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
PROVINCES = ("16",)  # Sumatera Selatan: the generator's default
FULL = (2_000_000, 100_000)
SMALL = (200_000, 10_000)
POLL_SECONDS = 0.2
SCREEN_TIMEOUT = 1800
# Targets on the 2-core development machine: the import's of issue 3 §7, the rest issue 8's
# (each judged on the worst of the seeds run).
IMPORT_TARGET_S = 60.0
SCREEN_TARGET_S = 15.0
QUALITY_TARGETS = {  # noise profile -> (precision at least, F1 at least)
    "ordinary": (0.9999, 0.9995),
    "hard": (0.9995, 0.995),
}
REVIEW_SHARE_TARGET = 0.01  # pending reviews, as a share of the rows, at most
RIGHT_FIRST_TARGET = 0.90  # reviews whose candidate is the right person, at least
NOISE_PROFILES = ("ordinary", "hard")
# Splink: match probabilities at which its links are scored; the first is the headline.
SPLINK_THRESHOLDS = (0.9, 0.5, 0.8, 0.95, 0.99, 0.999)
SPLINK_U_MAX_PAIRS = 1e7

sys.path.insert(0, str(REPO))


def say(text: str = "") -> None:
    print(text, flush=True)


def heading(text: str) -> None:
    say()
    say(f"== {text} " + "=" * max(0, 74 - len(text)))


def rate(rows: int, seconds: float) -> str:
    return f"{rows / seconds:,.0f} rows/s" if seconds > 0 else "-"


class BenchError(Exception):
    """A step did not work; the benchmark stops with this message."""


# --- the database and the machine ------------------------------------------------------


def bench_url(url: str) -> str:
    """The same server, database ``<name>_bench``."""
    name = conninfo_to_dict(url).get("dbname")
    if not name:
        raise BenchError("DATABASE_URL names no database")
    parts = urlsplit(url)
    return parts._replace(path=f"/{name}_bench").geturl()


def recreate_database(url: str) -> None:
    name = conninfo_to_dict(url)["dbname"]
    with psycopg.connect(url, dbname="postgres", autocommit=True, connect_timeout=10) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def drop_database(url: str) -> None:
    name = conninfo_to_dict(url)["dbname"]
    with psycopg.connect(url, dbname="postgres", autocommit=True, connect_timeout=10) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )


def machine(url: str, redis_url: str) -> list[tuple[str, str]]:
    cpu = "?"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    ram = "?"
    with contextlib.suppress(OSError, ValueError, IndexError):
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                ram = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    with psycopg.connect(url, connect_timeout=10) as conn:
        pg = conn.execute("SHOW server_version").fetchone()[0]
    import redis

    redis_version = redis.Redis.from_url(redis_url).info("server").get("redis_version", "?")
    return [
        ("cores (nproc)", str(len(os.sched_getaffinity(0)))),
        ("RAM", ram),
        ("CPU", cpu),
        ("PostgreSQL", pg),
        ("Redis", str(redis_version)),
        ("Python", platform.python_version()),
        ("load average", load_average()),
    ]


def load_average() -> str:
    """Other work on the machine skews the timings: shown at the start and at the end."""
    return " ".join(f"{x:.2f}" for x in os.getloadavg()) + " (1, 5, 15 min)"


# --- data -------------------------------------------------------------------------------


def generate(
    register_n: int, proposals_n: int, seed: int, out: Path, noise: str = "ordinary"
) -> float:
    spec = importlib.util.spec_from_file_location("bench_generate", HERE / "generate.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    started = time.perf_counter()
    module.main([
        "--register", str(register_n), "--proposals", str(proposals_n), "--out", str(out),
        "--seed", str(seed), "--provinces", ",".join(PROVINCES), "--noise", noise,
    ])  # fmt: skip
    return time.perf_counter() - started


@dataclass
class Truth:
    """The generator's truth, by data row (1 = first row under the header)."""

    id_dtsen: dict[int, str]
    noise: dict[int, list[str]]

    @classmethod
    def read(cls, path: Path) -> Truth:
        ids, noise = {}, {}
        with path.open(encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                number = int(row["row"])
                ids[number] = row["id_dtsen"]
                noise[number] = [t for t in row["noise"].split(";") if t]
        return cls(ids, noise)


@dataclass
class Scores:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    fp_tags: Counter = field(default_factory=Counter)
    fn_tags: Counter = field(default_factory=Counter)
    rows: int = 0  # proposal rows scored
    in_register: int = 0  # of them, people the register has (the ones that can be found)

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def line(self) -> str:
        return (
            f"precision {self.precision:.5f}  recall {self.recall:.5f}  F1 {self.f1:.5f}  "
            f"(TP {self.tp:,}, FP {self.fp:,}, FN {self.fn:,})"
        )


def score(links: dict[int, str], truth: Truth) -> Scores:
    """Pairwise over proposal -> register links: every proposal row (duplicates too) is one
    query; a wrong link is both a false positive and a false negative."""
    s = Scores()
    for row, true_id in truth.id_dtsen.items():
        _count(s, links.get(row, ""), true_id, truth.noise[row])
    return s


def _count(s: Scores, found: str, true_id: str, tags: list[str]) -> None:
    s.rows += 1
    s.in_register += bool(true_id)
    if found and found == true_id:
        s.tp += 1
        return
    if found:
        s.fp += 1
        s.fp_tags.update(tags or ["(none)"])
    if true_id:
        s.fn += 1
        s.fn_tags.update(tags or ["(none)"])


ALL_ROWS, NO_NOISE = "(all rows)", "(no noise)"


def score_by_tag(links: dict[int, str], truth: Truth) -> dict[str, Scores]:
    """The scores of the rows that carry each noise tag (a row counts under each of its
    tags), of all rows, and of the rows without noise."""
    out: dict[str, Scores] = {ALL_ROWS: Scores()}
    for row, true_id in truth.id_dtsen.items():
        found = links.get(row, "")
        tags = truth.noise[row]
        for tag in [ALL_ROWS, *(tags or [NO_NOISE])]:
            _count(out.setdefault(tag, Scores()), found, true_id, tags)
    return out


def tags_line(counter: Counter, top: int = 8) -> str:
    return ", ".join(f"{tag} {n}" for tag, n in counter.most_common(top)) or "-"


# --- Django -----------------------------------------------------------------------------


def setup_django(url: str, media_root: Path) -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "atensi.settings"
    os.environ["DATABASE_URL"] = url
    os.environ["MEDIA_ROOT"] = str(media_root)
    import django

    django.setup()


def make_people():
    """A provincial Dinsos serving the generated provinces, its supervisor, a programme."""
    from aid.models import Programme
    from atensi.accounts.models import Organisation, User
    from atensi.regions.models import Region

    org = Organisation.objects.create(
        name="Dinsos Provinsi (bench)", kind=Organisation.Kind.DINSOS_PROVINCE
    )
    org.service_area.set(Region.objects.filter(code__in=PROVINCES))
    if org.service_area.count() != len(PROVINCES):
        raise BenchError(f"regions {PROVINCES} are not loaded")
    user = User.objects.create_user(
        username="bench-supervisor", password=None, organisation=org, role=User.Role.SUPERVISOR
    )
    programme = Programme.objects.create(
        name="Bantuan ATENSI Reguler (bench)", kind=Programme.Kind.REGULAR,
        year=datetime.date.today().year, organisation=org, max_decile=4,
    )  # fmt: skip
    return user, programme


@dataclass
class ImportResult:
    rows: int
    good: int
    bad: int
    upload_s: float
    run_s: float
    file_note: str
    bad_codes: Counter

    @property
    def total_s(self) -> float:
        return self.upload_s + self.run_s


def upload_file(path: Path, tmp: Path) -> tuple[Path, str]:
    """The file a user would upload: the CSV, or gzipped when over the upload limit (the
    service reads .csv.gz); the limit is raised only if even that is too big."""
    from django.conf import settings

    from assessments.services import register

    limit = register.upload_max_bytes()
    size = path.stat().st_size
    if size <= limit:
        return path, f"CSV, {size / 1e6:.0f} MB"
    packed = tmp / (path.name + ".gz")
    started = time.perf_counter()
    with path.open("rb") as src, gzip.open(packed, "wb", compresslevel=6) as dst:
        shutil.copyfileobj(src, dst, 1 << 20)
    seconds = time.perf_counter() - started
    packed_size = packed.stat().st_size
    note = (
        f"CSV is {size / 1e6:.0f} MB, over the {limit / 2**20:.0f} MiB upload limit: "
        f"uploaded gzipped, {packed_size / 1e6:.1f} MB (compressed in {seconds:.1f} s, untimed)"
    )
    if packed_size > limit:
        settings.REGISTER_UPLOAD_MAX_BYTES = packed_size + 1
        note += "; still over the limit, so the limit was raised for the bench"
    return packed, note


def import_register(user, path: Path, tmp: Path) -> tuple[ImportResult, object]:
    from django.core.files import File

    from assessments.models import RegisterBadRow, RegisterSnapshot
    from assessments.services import register

    upload, note = upload_file(path, tmp)
    started = time.perf_counter()
    with upload.open("rb") as handle:
        snapshot = register.register_import_start(
            by=user, file=File(handle, name=upload.name), source="DTSEN bench",
            extract_date=datetime.date.today(),
        )  # fmt: skip
    uploaded = time.perf_counter()
    snapshot = register.register_import_run(snapshot_id=snapshot.pk)
    finished = time.perf_counter()
    if snapshot.status != RegisterSnapshot.Status.DONE:
        raise BenchError(f"register import ended {snapshot.status}: {snapshot.error}")
    codes = Counter(RegisterBadRow.objects.filter(snapshot=snapshot).values_list("code", flat=True))
    result = ImportResult(
        rows=snapshot.processed_rows, good=snapshot.good_rows, bad=snapshot.bad_rows,
        upload_s=uploaded - started, run_s=finished - uploaded, file_note=note, bad_codes=codes,
    )  # fmt: skip
    return result, snapshot


def bare_copy(url: str, path: Path, *, unlogged: bool) -> float:
    """psycopg 3 COPY of the CSV into a table with the same columns, no index or key."""
    kind = "UNLOGGED TABLE" if unlogged else "TABLE"
    with psycopg.connect(url) as conn:
        conn.execute("DROP TABLE IF EXISTS bench_copy")
        conn.execute(
            f"CREATE {kind} bench_copy (id_dtsen text, nik text, no_kk text, nama text, "
            "tgl_lahir date, jenis_kelamin text, kode_wilayah text, alamat text, desil smallint)"
        )
        conn.commit()
        started = time.perf_counter()
        with (
            conn.cursor() as cur,
            cur.copy("COPY bench_copy FROM STDIN (FORMAT csv, HEADER true)") as copy,
            path.open("rb") as handle,
        ):
            while block := handle.read(1 << 20):
                copy.write(block)
        conn.commit()
        seconds = time.perf_counter() - started
        conn.execute("DROP TABLE bench_copy")
        conn.commit()
    return seconds


# --- the Celery worker ------------------------------------------------------------------


class Worker:
    """``celery -A atensi worker`` (prefork) on the bench database, stopped on exit."""

    def __init__(self, env: dict, concurrency: int, log: Path):
        self.name = f"bench-{os.getpid()}@{socket.gethostname()}"
        self.cmd = [
            sys.executable, "-m", "celery", "-A", "atensi", "worker",
            "--concurrency", str(concurrency), "-l", "warning", "-n", self.name,
        ]  # fmt: skip
        self.env = env
        self.log = log
        self.proc: subprocess.Popen | None = None

    def __enter__(self) -> Worker:
        from atensi.celery import app

        others = app.control.ping(timeout=1.0)
        if others:
            names = ", ".join(name for reply in others for name in reply)
            raise BenchError(
                f"other Celery workers consume this Redis database ({names}); point "
                "REDIS_URL at a database of its own (e.g. redis://127.0.0.1:6379/1)"
            )
        purged = app.control.purge()
        say(f"queue purged: {purged} waiting message(s) dropped")
        self.handle = self.log.open("wb")
        self.proc = subprocess.Popen(  # noqa: S603 - our own command
            self.cmd, cwd=REPO, env=self.env, stdout=self.handle, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
        started = time.perf_counter()
        while not any(self.name in reply for reply in app.control.ping(timeout=0.5)):
            if self.proc.poll() is not None:
                raise BenchError(f"the worker exited ({self.proc.returncode}):\n{self.tail()}")
            if time.perf_counter() - started > 60:
                raise BenchError(f"the worker did not answer in 60 s:\n{self.tail()}")
        seconds = time.perf_counter() - started
        say(f"worker {self.name} up in {seconds:.1f} s: {' '.join(self.cmd[1:])}")
        return self

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def failed(self) -> bool:
        """Whether the worker logged a task that raised."""
        self.handle.flush()
        with self.log.open("rb") as log:
            return b"raised unexpected" in log.read()

    def tail(self, lines: int = 30) -> str:
        self.handle.flush()
        text = self.log.read_text(errors="replace").splitlines()
        return "\n".join(text[-lines:])

    def __exit__(self, *exc) -> None:
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)  # warm shutdown
            try:
                self.proc.wait(60)
            except subprocess.TimeoutExpired:
                say("worker did not stop in 60 s; killing it")
        # The pool's children, if any are left: our own process group.
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait()
        self.handle.close()


# --- screening --------------------------------------------------------------------------


@dataclass
class ScreenResult:
    rows: int
    seconds: float
    load_s: float
    chunks: int
    chunk_sizes: list[int]
    verdicts: Counter
    status: str
    estimate_s: float | None = None  # the matcher's parameters, learnt in the load task
    first_done_s: float | None = None  # when the first chunk was done, from the start
    last_done_s: float | None = None


def screen(user, programme, snapshot, path: Path, worker: Worker) -> tuple[ScreenResult, object]:
    from django.core.files import File
    from django.db import transaction
    from django.db.models import Count, Max, Min

    from assessments.models import BatchRow, EligibilityBatch
    from assessments.services import eligibility

    Status = EligibilityBatch.Status
    with path.open("rb") as handle:
        started = time.perf_counter()
        created_at = time.time()
        with transaction.atomic():  # on_commit sends load_batch when this block commits
            batch = eligibility.batch_create(
                by=user, programme=programme, snapshot=snapshot, name="bench",
                file=File(handle, name=path.name),
            )  # fmt: skip
    last_print = 0.0
    while True:
        status, processed, total = (
            EligibilityBatch.objects.filter(pk=batch.pk)
            .values_list("status", "processed_rows", "total_rows")
            .get()
        )
        elapsed = time.perf_counter() - started
        if status in (Status.DONE, Status.FAILED):
            break
        if not worker.alive():
            raise BenchError(f"the worker died during screening:\n{worker.tail()}")
        if worker.failed():
            # A chunk whose task raised is never done: the batch would wait for ever.
            raise BenchError(f"a task failed in the worker:\n{worker.tail()}")
        if elapsed > SCREEN_TIMEOUT:
            raise BenchError(f"screening not done after {SCREEN_TIMEOUT} s ({processed}/{total})")
        if elapsed - last_print >= 5:
            say(f"  ... {elapsed:5.1f} s  {status}  {processed:,}/{total:,} rows")
            last_print = elapsed
        time.sleep(POLL_SECONDS)
    seconds = elapsed
    batch.refresh_from_db()
    if status == Status.FAILED:
        raise BenchError(f"the batch failed: {batch.error}")
    # started_at is stamped when the rows are loaded and split into chunks.
    load_s = batch.started_at.timestamp() - created_at if batch.started_at else float("nan")
    sizes = sorted(batch.chunks.values_list("row_count", flat=True))
    done = batch.chunks.aggregate(first=Min("done_at"), last=Max("done_at"))
    learnt = batch.linkage_parameters or {}
    estimate_s = None if "borrowed_from" in learnt else learnt.get("stats", {}).get("seconds")
    verdicts = Counter(
        dict(
            BatchRow.objects.filter(batch=batch)
            .values_list("verdict")
            .annotate(n=Count("id"))
            .order_by()
        )
    )
    return (
        ScreenResult(
            rows=batch.total_rows,
            seconds=seconds,
            load_s=load_s,
            chunks=len(sizes),
            chunk_sizes=sizes,
            verdicts=verdicts,
            status=status,
            estimate_s=estimate_s,
            first_done_s=done["first"].timestamp() - created_at if done["first"] else None,
            last_done_s=done["last"].timestamp() - created_at if done["last"] else None,
        ),  # fmt: skip
        batch,
    )


@dataclass
class Review:
    """A pending review: the row as the batch read it, and the candidate it shows."""

    method: str
    score: float | None
    row: tuple  # (NIK as given, KK, name, birth date, sex, village)
    candidate: tuple  # (id_dtsen, NIK, KK, name, birth date, sex, village)
    offered: tuple = ()  # every candidate offered, in order: (id_dtsen, probability)


def atensi_links(batch, proposals: Path, truth: Truth):
    """Links from the batch: a row is linked when it has a match that is automatic or
    confirmed (review not pending). Also the pending reviews (row -> the candidate's
    id_dtsen; a review stores one candidate, the match it proposes), links per method, and
    what each pending review shows."""
    from django.db import connection

    with proposals.open(encoding="utf-8", newline="") as handle:
        given = [row["nik"].strip() for row in csv.DictReader(handle)]
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT b.row_number, b.nik_input, b.match_method, b.review, r.id_dtsen,
                   b.match_score, b.kk_number, b.name, b.birth_date, b.sex, b.village_code,
                   r.nik, r.kk_number, r.name, r.birth_date, r.sex, r.village_code
            FROM assessments_batchrow b LEFT JOIN assessments_registerrow r ON r.id = b.match_id
            WHERE b.batch_id = %s
            """,
            [batch.pk],
        )
        rows = cursor.fetchall()
    if len(rows) != len(given):
        raise BenchError(f"{len(rows)} batch rows for {len(given)} proposal rows")
    links: dict[int, str] = {}
    pending: dict[int, str] = {}
    reviews: dict[int, Review] = {}
    method_of: dict[int, str] = {}
    for row_number, nik_input, method, review, id_dtsen, match_score, *fields in rows:
        data_row = row_number - 1  # the header is line 1
        if given[data_row - 1] != nik_input:
            raise BenchError(
                f"row numbering: batch row {row_number} is not proposal row {data_row}"
            )
        if id_dtsen is None:
            continue
        if review == "pending":
            pending[data_row] = id_dtsen
            reviews[data_row] = Review(
                method, match_score, (nik_input, *fields[:5]), (id_dtsen, *fields[5:])
            )
        else:
            links[data_row] = id_dtsen
            method_of[data_row] = method
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT b.row_number, r.id_dtsen, (c.item ->> 'probability')::float8
            FROM assessments_batchrow b
            CROSS JOIN LATERAL jsonb_array_elements(b.candidates) WITH ORDINALITY AS c(item, n)
            JOIN assessments_registerrow r
              ON r.id = (c.item ->> 'id')::bigint AND r.snapshot_id = %s
            WHERE b.batch_id = %s AND b.review = 'pending'
            ORDER BY b.row_number, c.n
            """,
            [batch.snapshot_id, batch.pk],
        )
        offered: dict[int, list[tuple[str, float]]] = {}
        for row_number, id_dtsen, probability in cursor.fetchall():
            offered.setdefault(row_number - 1, []).append((id_dtsen, probability))
    for data_row, review in reviews.items():
        review.offered = tuple(offered.get(data_row, ()))
    per_method: dict[str, list[int]] = {}
    for data_row, id_dtsen in links.items():
        counts = per_method.setdefault(method_of[data_row], [0, 0])
        counts[0 if truth.id_dtsen[data_row] == id_dtsen else 1] += 1
    return links, pending, per_method, reviews


def _name_key(name: str) -> str:
    return " ".join("".join(c if c.isalnum() else " " for c in (name or "").upper()).split())


def review_profile(reviews: dict[int, Review], truth: Truth) -> dict:
    """What the pending reviews whose candidate is not the right person look like: by the
    row's noise, whether the person is in the register at all, and what agrees between the
    row and the candidate."""
    wrong = {r: v for r, v in reviews.items() if truth.id_dtsen[r] != v.candidate[0]}
    tags: Counter = Counter()
    agrees: Counter = Counter()
    methods: Counter = Counter()
    outside = 0
    for row, review in wrong.items():
        tags.update(truth.noise[row] or [NO_NOISE])
        methods[review.method or "(none)"] += 1
        outside += not truth.id_dtsen[row]
        nik, kk, name, born, sex, village = review.row
        _id, c_nik, c_kk, c_name, c_born, c_sex, c_village = review.candidate
        nik = nik.strip().lstrip("'")
        same = []
        if nik and nik == c_nik:
            same.append("NIK")
        if kk and kk == c_kk:
            same.append("KK")
        if _name_key(name) == _name_key(c_name):
            same.append("name")
        if born and born == c_born:
            same.append("birth date")
        if village and village == c_village:
            same.append("village")
        elif village and c_village and village[:8] == c_village[:8]:
            same.append("district")
        agrees[" + ".join(same) or "nothing"] += 1
    examples = [
        (row, truth.id_dtsen[row], truth.noise[row], review)
        for row, review in sorted(wrong.items())[:4]
    ]
    return {
        "wrong": len(wrong), "not_in_register": outside, "tags": tags, "agrees": agrees,
        "methods": methods, "examples": examples, "places": review_places(reviews, truth),
    }  # fmt: skip


# Where the right person is among a review's candidates (``review_places``).
FIRST, TIE, LATER, NOT_OFFERED, NOBODY = (
    "first", "tied with the first", "offered later", "not offered", "not in the register"
)  # fmt: skip
PLACES = (FIRST, TIE, LATER, NOT_OFFERED, NOBODY)


def review_places(reviews: dict[int, Review], truth: Truth) -> Counter:
    """Pending reviews by where the right person is among the candidates offered: first;
    tied with the first (another candidate first with the same probability: which of the
    two comes first is arbitrary, nothing tells them apart); offered later; not offered;
    or nobody, the person not being in the register (no candidate can be right)."""
    places: Counter = Counter(dict.fromkeys(PLACES, 0))
    for row, review in reviews.items():
        right = truth.id_dtsen[row]
        offered = review.offered or ((review.candidate[0], review.score),)
        found = next((p for id_, p in offered if id_ == right), None)
        if not right:
            places[NOBODY] += 1
        elif offered[0][0] == right:
            places[FIRST] += 1
        elif found is None:
            places[NOT_OFFERED] += 1
        elif found == offered[0][1]:
            places[TIE] += 1
        else:
            places[LATER] += 1
    return places


def order_ceiling(places: Counter) -> float:
    """The share of reviews with the right person first that any order of the same
    candidates could reach: every one offered first, ties won half the time (two alike),
    none for people not in the register."""
    total = sum(places.values())
    best = places[FIRST] + places[LATER] + places[TIE] / 2
    return best / total if total else 1.0


# --- Splink -----------------------------------------------------------------------------


@dataclass
class SplinkResult:
    seconds: float
    load_s: float
    train_s: float
    predict_s: float
    pairs: int
    best: dict[int, tuple[str, float]]  # proposal row -> (id_dtsen, match probability)
    steps: dict[str, float]  # training step -> seconds


def _clean_name(column: str) -> str:
    """Upper case, letters only, single spaces: what a careful user does before Splink."""
    return (
        f"nullif(trim(regexp_replace(regexp_replace(upper({column}), '[^A-Z]', ' ', 'g'), "
        f"' +', ' ', 'g')), '')"
    )


def _clean_address(column: str) -> str:
    """Upper case, letters and digits, single spaces, leading zeros of numbers dropped
    ("RT 005/RW 001" -> "RT 5 RW 1")."""
    text = f"regexp_replace(upper({column}), '[^A-Z0-9]', ' ', 'g')"
    text = f"regexp_replace({text}, '(^| )0+([0-9])', '\\1\\2', 'g')"
    return f"nullif(trim(regexp_replace({text}, ' +', ' ', 'g')), '')"


def _clean_id(column: str) -> str:
    """A 16-digit number, the spreadsheet's leading apostrophe removed; else NULL."""
    value = f"ltrim(trim({column}), '''')"
    return f"CASE WHEN regexp_full_match({value}, '[0-9]{{16}}') THEN {value} END"


def _parse_date(column: str) -> str:
    return (
        f"coalesce(try_strptime({column}, '%Y-%m-%d'), try_strptime({column}, '%d-%m-%Y'), "
        f"try_strptime({column}, '%d/%m/%Y'))::date"
    )


def run_splink(register_csv: Path, proposals_csv: Path, threshold: float) -> SplinkResult:
    """A link_only model over the two files, DuckDB backend: load and clean, estimate the
    prior, u by random sampling, m by EM on two blocking rules, predict; best pair per
    proposal row."""
    import duckdb
    import splink.comparison_level_library as cll
    import splink.comparison_library as cl
    from splink import DuckDBAPI, Linker, SettingsCreator, block_on

    started = time.perf_counter()
    con = duckdb.connect()
    con.execute(f"""
        CREATE TABLE register AS
        SELECT id_dtsen AS unique_id, {_clean_id("nik")} AS nik, {_clean_id("no_kk")} AS no_kk,
               {_clean_name("nama")} AS nama, {_parse_date("tgl_lahir")} AS tgl_lahir,
               nullif(upper(trim(jenis_kelamin)), '') AS jenis_kelamin,
               nullif(trim(kode_wilayah), '') AS kode_wilayah,
               nullif(left(trim(kode_wilayah), 8), '') AS district,
               {_clean_address("alamat")} AS alamat
        FROM read_csv('{register_csv}', header = true, all_varchar = true)
    """)  # noqa: S608 - our own paths
    # The proposals are read by Python so that each keeps its row number as its id.
    import pyarrow as pa

    with proposals_csv.open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader)
        data = list(reader)
    arrow = pa.table(
        {"row_no": list(range(1, len(data) + 1))}
        | {name: [row[i] for row in data] for i, name in enumerate(header)}
    )
    con.register("proposals_arrow", arrow)
    con.execute(f"""
        CREATE TABLE proposals AS
        SELECT 'P' || row_no AS unique_id, {_clean_id("nik")} AS nik,
               {_clean_id("no_kk")} AS no_kk, {_clean_name("nama")} AS nama,
               {_parse_date("tgl_lahir")} AS tgl_lahir,
               nullif(upper(trim(jenis_kelamin)), '') AS jenis_kelamin,
               nullif(trim(kode_wilayah), '') AS kode_wilayah,
               nullif(left(trim(kode_wilayah), 8), '') AS district,
               {_clean_address("alamat")} AS alamat
        FROM proposals_arrow
    """)  # noqa: S608
    con.unregister("proposals_arrow")
    db_api = DuckDBAPI(connection=con)
    register = db_api.register("register", dataset_display_name="register")
    proposals = db_api.register("proposals", dataset_display_name="proposals")
    loaded = time.perf_counter()

    # The first 12 digits of a NIK are the district, birth date and sex, which the other
    # comparisons score already: counting a serial-only difference as a near match counted
    # them twice and linked ~5,000 people who are not in the register to a neighbour's NIK.
    nik = cl.CustomComparison(
        output_column_name="nik",
        comparison_levels=[
            cll.NullLevel("nik"),
            cll.ExactMatchLevel("nik"),
            cll.CustomLevel(
                "left(nik_l, 12) <> left(nik_r, 12) AND damerau_levenshtein(nik_l, nik_r) <= 1",
                "nik",
            ).configure(label_for_charts="one typo in the region or date digits"),
            cll.ElseLevel(),
        ],
        comparison_description="exact, one typo outside the serial, else",
    )
    village = cl.CustomComparison(
        output_column_name="kode_wilayah",
        comparison_levels=[
            cll.NullLevel("kode_wilayah"),
            cll.ExactMatchLevel("kode_wilayah"),
            cll.ExactMatchLevel("district"),
            cll.ElseLevel(),
        ],
        comparison_description="village, else district",
    )
    settings = SettingsCreator(
        link_type="link_only",
        unique_id_column_name="unique_id",
        comparisons=[
            nik,
            cl.JaroWinklerAtThresholds("nama", [0.95, 0.88, 0.80]).configure(
                term_frequency_adjustments=True
            ),
            cl.DateOfBirthComparison("tgl_lahir", input_is_string=False),
            cl.ExactMatch("no_kk"),
            cl.ExactMatch("jenis_kelamin"),
            village,
            cl.JaroWinklerAtThresholds("alamat", [0.95, 0.85]),
        ],
        blocking_rules_to_generate_predictions=[
            block_on("nik"),
            block_on("no_kk"),
            block_on("district", "tgl_lahir"),
            block_on("nama", "tgl_lahir"),
        ],
        retain_intermediate_calculation_columns=False,
    )
    linker = Linker([register, proposals], settings, log_level=logging.WARNING)
    steps: dict[str, float] = {}
    step = time.perf_counter()

    def lap(name: str) -> None:
        nonlocal step
        now = time.perf_counter()
        steps[name] = now - step
        step = now

    linker.training.estimate_probability_two_random_records_match(
        [block_on("nik"), block_on("no_kk", "nama")], recall=0.8
    )
    lap("prior")
    linker.training.estimate_u_using_random_sampling(max_pairs=SPLINK_U_MAX_PAIRS, seed=1)
    lap("u")
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("nik"))
    lap("EM on NIK")
    linker.training.estimate_parameters_using_expectation_maximisation(
        block_on("district", "tgl_lahir")
    )
    lap("EM on district+birth date")
    trained = time.perf_counter()
    lowest = min(SPLINK_THRESHOLDS + (threshold,))
    predictions = linker.inference.predict(threshold_match_probability=lowest)
    table = predictions.physical_name
    best_rows = con.execute(f"""
        WITH oriented AS (
            SELECT CASE WHEN source_dataset_l = 'proposals' THEN unique_id_l ELSE unique_id_r END
                       AS proposal,
                   CASE WHEN source_dataset_l = 'proposals' THEN unique_id_r ELSE unique_id_l END
                       AS register_id,
                   match_weight, match_probability
            FROM {table}
        )
        SELECT proposal, register_id, match_probability FROM oriented
        QUALIFY row_number() OVER (
            PARTITION BY proposal ORDER BY match_weight DESC, register_id
        ) = 1
    """).fetchall()  # noqa: S608
    pairs = con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]  # noqa: S608
    finished = time.perf_counter()
    best = {int(p[1:]): (r, prob) for p, r, prob in best_rows}
    con.close()
    return SplinkResult(
        seconds=finished - started, load_s=loaded - started, train_s=trained - loaded,
        predict_s=finished - trained, pairs=pairs, best=best, steps=steps,
    )  # fmt: skip


# --- the run ----------------------------------------------------------------------------


def verdict(ok: bool | None) -> str:
    return "n/a" if ok is None else ("PASS" if ok else "MISS")


def parse_seeds(text: str) -> list[int]:
    """``1,2,3`` -> [1, 2, 3] (each once, in the order given)."""
    seeds: list[int] = []
    for part in text.split(","):
        if not part.strip():
            continue
        try:
            seed = int(part)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not a seed: {part.strip()!r}") from None
        if seed not in seeds:
            seeds.append(seed)
    if not seeds:
        raise argparse.ArgumentTypeError("no seed given")
    return seeds


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--register", type=int, default=FULL[0], help="register rows")
    parser.add_argument("--proposals", type=int, default=FULL[1], help="proposal rows")
    parser.add_argument("--small", action="store_true", help="200,000 / 10,000 rows")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--seeds",
        type=parse_seeds,
        metavar="1,2,3",
        help="several seeds: the data generated and the whole bench run for each (each in a "
        "process and a database of its own), then tables per seed and per noise kind, and "
        "the targets judged on the worst seed",
    )
    parser.add_argument(
        "--noise",
        choices=NOISE_PROFILES,
        default="ordinary",
        help="the generator's noise profile (default ordinary; hard adds spelling variants, "
        "reordered, joined and cut names, default and swapped birth dates, moves, namesakes "
        "and more, see generate.py HardNoise)",
    )
    parser.add_argument("--concurrency", type=int, default=2, help="worker processes (2)")
    parser.add_argument(
        "--data", type=Path, help="use register.csv, proposals.csv and truth.csv from here"
    )
    parser.add_argument("--splink-threshold", type=float, default=SPLINK_THRESHOLDS[0])
    parser.add_argument("--no-splink", action="store_true", help="skip the Splink comparison")
    parser.add_argument(
        "--keep", action="store_true", help="keep the bench database and the generated files"
    )
    # A seed's run started by --seeds writes its figures there for the tables at the end.
    parser.add_argument("--result-json", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.small:
        args.register, args.proposals = SMALL
    seeds = args.seeds or [args.seed]
    if args.data and len(seeds) > 1:
        parser.error("--data is one data set: give --seed (or nothing), not several --seeds")
    if len(seeds) > 1:
        return run_seeds(args, seeds)
    args.seed = seeds[0]

    source_url = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/atensi")
    redis_url = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
    url = bench_url(source_url)
    tmp = Path(tempfile.mkdtemp(prefix="atensi-bench-"))
    results: dict = {}
    code = 0
    try:
        record = run(args, url, redis_url, tmp, results)
        if args.result_json:
            args.result_json.write_text(json.dumps(record), encoding="utf-8")
            say("\n(the tables across seeds and the summary follow the last seed)")
        else:
            report(args, [record])
    except BenchError as exc:
        say(f"\nbench error: {exc}")
        code = 1
    except Exception:
        traceback.print_exc()
        code = 1
    finally:
        with contextlib.suppress(Exception):
            from django.db import connections

            connections.close_all()
        if args.keep:
            say(f"\nkept: database {conninfo_to_dict(url)['dbname']}, files in {tmp}")
        else:
            with contextlib.suppress(Exception):
                drop_database(url)
            shutil.rmtree(tmp, ignore_errors=True)
    return code


def run_seeds(args, seeds: list[int]) -> int:
    """Each seed in a process of its own (a fresh database, Django and Splink), its figures
    back as JSON; then the tables across seeds and the summary on the worst seed."""
    say(f"{len(seeds)} seeds ({', '.join(map(str, seeds))}), {args.noise} noise, "
        f"{args.register:,} register rows / {args.proposals:,} proposals each; "
        f"load average at the start {load_average()}")  # fmt: skip
    records, failed = [], []
    tmp = Path(tempfile.mkdtemp(prefix="atensi-bench-seeds-"))
    try:
        for seed in seeds:
            say()
            say("#" * 78)
            say(f"# seed {seed} ({args.noise} noise)")
            say("#" * 78)
            out = tmp / f"seed-{seed}.json"
            cmd = [
                sys.executable, str(Path(__file__).resolve()),
                "--register", str(args.register), "--proposals", str(args.proposals),
                "--seed", str(seed), "--noise", args.noise,
                "--concurrency", str(args.concurrency),
                "--splink-threshold", str(args.splink_threshold), "--result-json", str(out),
            ]  # fmt: skip
            cmd += ["--no-splink"] if args.no_splink else []
            cmd += ["--keep"] if args.keep else []
            code = subprocess.call(cmd, cwd=REPO)  # noqa: S603 - our own command
            if code or not out.exists():
                say(f"seed {seed}: the run failed (exit {code})")
                failed.append(seed)
                continue
            records.append(json.loads(out.read_text(encoding="utf-8")))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    if records:
        report(args, records)
    if failed:
        say(f"\nseeds that failed: {', '.join(map(str, failed))}")
    return 1 if failed else 0


def run(args, url: str, redis_url: str, tmp: Path, results: dict) -> dict:
    """One data set through the whole bench; returns its figures (see ``seed_record``)."""
    heading("machine")
    recreate_database(url)
    facts = machine(url, redis_url)
    for name, value in facts:
        say(f"{name:<15} {value}")
    say(f"{'database':<15} {conninfo_to_dict(url)['dbname']} (created for this run)")
    say(f"{'Redis URL':<15} {redis_url}")

    heading("data")
    if args.data:
        data = args.data
        say(f"using {data}")
    else:
        data = tmp / "data"
        seconds = generate(args.register, args.proposals, args.seed, data, args.noise)
        results["generate_s"] = seconds
        say(f"generated {args.register:,} register rows and {args.proposals:,} proposals "
            f"(seed {args.seed}, {args.noise} noise) in {seconds:.1f} s (not a target)")  # fmt: skip
    register_csv, proposals_csv = data / "register.csv", data / "proposals.csv"
    truth = Truth.read(data / "truth.csv")
    in_register = sum(1 for v in truth.id_dtsen.values() if v)
    say(f"register.csv {register_csv.stat().st_size / 1e6:.0f} MB, proposals.csv "
        f"{proposals_csv.stat().st_size / 1e6:.1f} MB; {len(truth.id_dtsen):,} proposal rows, "
        f"{in_register:,} of them in the register")  # fmt: skip
    kinds = Counter(tag for tags in truth.noise.values() for tag in tags)
    say("noise on the rows: " + tags_line(kinds, top=len(kinds)))

    heading("set-up")
    media = tmp / "media"
    started = time.perf_counter()
    setup_django(url, media)
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    migrated = time.perf_counter()
    call_command("load_regions", stdout=io.StringIO())
    loaded = time.perf_counter()
    user, programme = make_people()
    say(f"migrate {migrated - started:.1f} s, load_regions {loaded - migrated:.1f} s; "
        f"supervisor of '{user.organisation}' serving {', '.join(PROVINCES)}; "
        f"programme max decile {programme.max_decile}")  # fmt: skip

    heading("register import (register_import_start + register_import_run, in process)")
    imported, snapshot = import_register(user, register_csv, tmp)
    results["import"] = imported
    say(f"upload: {imported.file_note}")
    say(f"rows {imported.rows:,}: good {imported.good:,}, bad {imported.bad:,}"
        + (f" ({tags_line(imported.bad_codes)})" if imported.bad else ""))  # fmt: skip
    say(f"register_import_start (check, hash, store) {imported.upload_s:6.1f} s")
    say(f"register_import_run (read, COPY, indexes)  {imported.run_s:6.1f} s  "
        f"{rate(imported.rows, imported.run_s)}")  # fmt: skip
    say(f"total                                      {imported.total_s:6.1f} s  "
        f"{rate(imported.rows, imported.total_s)}")  # fmt: skip
    for unlogged in (False, True):
        seconds = bare_copy(url, register_csv, unlogged=unlogged)
        kind = "UNLOGGED" if unlogged else "logged (ordinary)"
        results["copy_unlogged" if unlogged else "copy"] = seconds
        say(f"bare COPY of the same CSV (psycopg 3 copy.write, FORMAT csv) into a {kind} "
            f"table, same columns, no index/key: {seconds:.1f} s  "
            f"{rate(imported.rows, seconds)}")  # fmt: skip

    heading(f"screening through Celery (prefork, concurrency {args.concurrency})")
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="atensi.settings", DATABASE_URL=url, REDIS_URL=redis_url,
        MEDIA_ROOT=str(media),
    )  # fmt: skip
    with Worker(env, args.concurrency, tmp / "worker.log") as worker:
        screened, batch = screen(user, programme, snapshot, proposals_csv, worker)
    results["screen"] = screened
    sizes = screened.chunk_sizes
    say(f"{screened.rows:,} proposals against {imported.good:,} register rows: "
        f"{screened.seconds:.1f} s end to end, {rate(screened.rows, screened.seconds)}")  # fmt: skip
    say(f"  of which upload + queue + load (rows in, split into chunks): {screened.load_s:.1f} s")
    if screened.estimate_s is not None:
        say(f"  then the matcher's parameters learnt from the batch (in the load task): "
            f"{screened.estimate_s:.1f} s")  # fmt: skip
    if screened.first_done_s is not None:
        say(f"  the first chunk done at {screened.first_done_s:.1f} s, the last at "
            f"{screened.last_done_s:.1f} s")  # fmt: skip
    if sizes:
        say(f"  {screened.chunks} district chunks; rows per chunk min {sizes[0]}, median "
            f"{sizes[len(sizes) // 2]}, max {sizes[-1]}")  # fmt: skip
    say("verdicts: " + ", ".join(f"{v} {n:,}" for v, n in screened.verdicts.most_common()))

    heading("matching quality against the ground truth")
    links, pending, per_method, reviews = atensi_links(batch, proposals_csv, truth)
    quality = score(links, truth)
    results["atensi_scores"] = quality
    results["atensi_by_tag"] = score_by_tag(links, truth)
    say("linked = a match that is automatic or confirmed; a pending review counts as no link")
    say(f"ATENSI  {quality.line()}")
    right_pending = sum(1 for row, id_ in pending.items() if truth.id_dtsen[row] == id_)
    results["pending"], results["pending_right"] = len(pending), right_pending
    rows_n = len(truth.id_dtsen)
    say(f"pending reviews: {len(pending):,} = {len(pending) / rows_n:.2%} of the rows; the "
        f"candidate shown is the right person in {right_pending:,} "
        f"({right_pending / len(pending) if pending else 1:.1%}), another in "
        f"{len(pending) - right_pending:,}")  # fmt: skip
    if pending:
        reviewed = score(
            links | {r: i for r, i in pending.items() if truth.id_dtsen[r] == i}, truth
        )
        say(f"  if every review were decided right: {reviewed.line()}")
    profile = review_profile(reviews, truth)
    results["wrong_reviews"] = profile
    if profile["wrong"]:
        say(f"  reviews showing another person: {profile['wrong']:,}, of which "
            f"{profile['not_in_register']:,} for people not in the register at all")  # fmt: skip
        say(f"    by the row's noise: {tags_line(profile['tags'], top=10)}")
        say(f"    what agrees between the row and that candidate: "
            f"{tags_line(profile['agrees'], top=8)}")  # fmt: skip
        say(f"    by method: {tags_line(profile['methods'])}")
        places = profile["places"]
        say("  where the right person is among a review's candidates: "
            + ", ".join(f"{place} {places[place]:,}" for place in PLACES))  # fmt: skip
        say(f"    the most any order of these candidates could put right first: "
            f"{order_ceiling(places):.1%} (ties won half the time; nobody is right for "
            f"people not in the register)")  # fmt: skip
        for row, true_id, tags, review in profile["examples"]:
            nik, kk, name, born, sex, village = review.row
            c_id, c_nik, c_kk, c_name, c_born, c_sex, c_village = review.candidate
            say(f"    e.g. row {row} ({true_id or 'not in the register'}; "
                f"{';'.join(tags) or 'no noise'}): {name!r} {born} {sex} {village} "
                f"NIK {nik or '-'} KK {kk or '-'}")  # fmt: skip
            say(f"         shows {c_id} {c_name!r} {c_born} {c_sex} {c_village} NIK {c_nik} "
                f"KK {c_kk or '-'} ({review.method}, {review.score})")  # fmt: skip
    for method, (right, wrong) in sorted(per_method.items(), key=lambda m: -sum(m[1])):
        total = right + wrong
        say(f"  {method or '(none)':<18} {total:>8,} links  precision {right / total:.5f}  "
            f"wrong {wrong:,}")  # fmt: skip
    say(f"false positives by noise: {tags_line(quality.fp_tags)}")
    say(f"false negatives by noise: {tags_line(quality.fn_tags)}")

    if not args.no_splink:
        heading("Splink 5 (DuckDB) on the same two files")
        import duckdb
        import splink

        say(f"splink {splink.__version__}, duckdb {duckdb.__version__}; link_only; comparisons: "
            "NIK exact / one typo (Damerau-Levenshtein 1) outside the serial / else, name "
            "Jaro-Winkler 0.95/0.88/0.80 with term frequencies, "
            "birth date (exact, 1 edit, 1 month, 1 year, 10 years), KK exact, "
            "sex exact, village/district; blocking: NIK, KK, district+birth date, "
            f"name+birth date; u by random sampling ({SPLINK_U_MAX_PAIRS:.0e} pairs), m by "
            "EM on NIK and on district+birth date; best pair per proposal")  # fmt: skip
        result = run_splink(register_csv, proposals_csv, args.splink_threshold)
        results["splink"] = result
        say(f"total {result.seconds:.1f} s (load and clean {result.load_s:.1f} s, train "
            f"{result.train_s:.1f} s, predict {result.predict_s:.1f} s); "
            f"{result.pairs:,} scored pairs")  # fmt: skip
        say("  training: " + ", ".join(f"{k} {v:.1f} s" for k, v in result.steps.items()))
        sweep = {}
        for threshold in sorted(set(SPLINK_THRESHOLDS + (args.splink_threshold,))):
            chosen = {r: i for r, (i, p) in result.best.items() if p >= threshold}
            sweep[threshold] = score(chosen, truth)
            say(f"  p >= {threshold:<5} {sweep[threshold].line()}")
        headline = sweep[args.splink_threshold]
        best_threshold = max(sweep, key=lambda t: sweep[t].f1)
        results["splink_scores"] = headline
        results["splink_best"] = (best_threshold, sweep[best_threshold])
        chosen = {r: i for r, (i, p) in result.best.items() if p >= args.splink_threshold}
        results["splink_by_tag"] = score_by_tag(chosen, truth)
        say(
            f"false positives by noise (p >= {args.splink_threshold}): {tags_line(headline.fp_tags)}"
        )
        say(
            f"false negatives by noise (p >= {args.splink_threshold}): {tags_line(headline.fn_tags)}"
        )
        say()
        say(f"{'':<28}{'seconds':>10}{'F1':>10}")
        say(f"{'ATENSI screening (Celery)':<28}{screened.seconds:>10.1f}{quality.f1:>10.5f}")
        say(
            f"{'Splink p >= ' + str(args.splink_threshold):<28}{result.seconds:>10.1f}{headline.f1:>10.5f}"
        )
        if best_threshold != args.splink_threshold:
            say(f"{'Splink best, p >= ' + str(best_threshold):<28}{result.seconds:>10.1f}"
                f"{sweep[best_threshold].f1:>10.5f}")  # fmt: skip
        say(
            f"(a Splink model trained once and reused would take load + predict, "
            f"{result.load_s + result.predict_s:.1f} s; u from {SPLINK_U_MAX_PAIRS:.0e} pairs "
            "costs most of the training)"
        )

    heading(f"per noise kind (seed {args.seed}, {args.noise} noise)")
    tag_table(results["atensi_by_tag"], results.get("splink_by_tag"), args.splink_threshold)
    return seed_record(args, results, facts)


# --- figures of a seed, and the tables across seeds ----------------------------------------


def _counts(s: Scores) -> list[int]:
    return [s.tp, s.fp, s.fn, s.rows, s.in_register]


def _scores(counts: list[int]) -> Scores:
    tp, fp, fn, rows, in_register = counts
    return Scores(tp=tp, fp=fp, fn=fn, rows=rows, in_register=in_register)


def seed_record(args, results: dict, facts) -> dict:
    """A seed's figures, as JSON can carry them."""
    imported, screened = results["import"], results["screen"]
    profile = results["wrong_reviews"]
    record = {
        "seed": args.seed,
        "noise": args.noise,
        "register": imported.rows,
        "proposals": screened.rows,
        "generate_s": results.get("generate_s"),
        "import_s": imported.total_s,
        "import_run_s": imported.run_s,
        "screen_s": screened.seconds,
        "atensi": {tag: _counts(s) for tag, s in results["atensi_by_tag"].items()},
        "pending": results["pending"],
        "pending_right": results["pending_right"],
        "wrong_reviews": {
            key: dict(profile[key]) if isinstance(profile[key], Counter) else profile[key]
            for key in ("wrong", "not_in_register", "tags", "agrees", "methods", "places")
        },
        "splink": None,
        "facts": [list(f) for f in facts],
        "load_end": load_average(),
    }
    if "splink" in results:
        best_threshold, best = results["splink_best"]
        record["splink"] = {
            "seconds": results["splink"].seconds,
            "reused_s": results["splink"].load_s + results["splink"].predict_s,
            "threshold": args.splink_threshold,
            "by_tag": {tag: _counts(s) for tag, s in results["splink_by_tag"].items()},
            "best_threshold": best_threshold,
            "best": _counts(best),
        }
    return record


def _prf(s: Scores | None) -> str:
    """P, R, F1, FP, FN of some rows; P/R/F1 '-' when none of them is in the register."""
    if s is None:
        return f"{'':>7} {'':>7} {'':>7} {'':>5} {'':>5}"
    if not s.in_register:
        return f"{'-':>7} {'-':>7} {'-':>7} {s.fp:>5} {s.fn:>5}"
    return f"{s.precision:>7.4f} {s.recall:>7.4f} {s.f1:>7.4f} {s.fp:>5} {s.fn:>5}"


def _tag_order(by_tag: dict[str, Scores]) -> list[str]:
    rest = sorted(
        (t for t in by_tag if t not in (ALL_ROWS, NO_NOISE)), key=lambda t: (-by_tag[t].rows, t)
    )
    return [t for t in (ALL_ROWS, NO_NOISE) if t in by_tag] + rest


def tag_table(atensi: dict[str, Scores], splink: dict[str, Scores] | None, threshold) -> None:
    """Precision, recall, F1 and the false links / missed people, per noise kind (a row
    counts under each of its tags); '-' where no row of the kind is in the register."""
    head = f"{'P':>7} {'R':>7} {'F1':>7} {'FP':>5} {'FN':>5}"
    say(f"{'':<41}   {'ATENSI':<37}" + (f"   Splink p >= {threshold}" if splink else ""))
    say(f"{'noise kind':<27} {'rows':>6} {'in reg':>6}   {head}" + (f"   {head}" if splink else ""))
    for tag in _tag_order(atensi):
        s = atensi[tag]
        line = f"{tag:<27} {s.rows:>6} {s.in_register:>6}   {_prf(s)}"
        if splink is not None:
            line += f"   {_prf(splink.get(tag))}"
        say(line)
    say("(P, R, F1 over the rows with that noise; FP: linked to the wrong person or to someone "
        "when not in the register; FN: in the register and not linked to them)")  # fmt: skip


def _worst(records: list[dict], value, lowest: bool = True) -> tuple[float, int]:
    pairs = [(value(r), r["seed"]) for r in records]
    return min(pairs) if lowest else max(pairs, key=lambda p: (p[0], -p[1]))


def report(args, records: list[dict]) -> None:
    """The table per seed, F1 per noise kind across seeds (several seeds), the summary."""
    noise = records[0]["noise"]
    size = f"{records[0]['register']:,} register rows / {records[0]['proposals']:,} proposals"
    heading(f"per seed ({noise} noise, {size})")
    say(f"{'seed':>6}   {'ATENSI P':>9} {'R':>8} {'F1':>8} {'FP':>5} {'FN':>5}   "
        f"{'reviews':>7} {'% rows':>7} {'right 1st':>9}   {'screen s':>8}   "
        f"{'Splink P':>9} {'R':>8} {'F1':>8} {'FP':>5} {'FN':>5} {'Splink s':>9}")  # fmt: skip
    for r in records:
        a = _scores(r["atensi"][ALL_ROWS])
        right = f"{r['pending_right'] / r['pending']:.1%}" if r["pending"] else "-"
        line = (f"{r['seed']:>6}   {a.precision:>9.5f} {a.recall:>8.5f} {a.f1:>8.5f} {a.fp:>5} "
                f"{a.fn:>5}   {r['pending']:>7} {r['pending'] / a.rows:>7.2%} {right:>9}   "
                f"{r['screen_s']:>8.1f}")  # fmt: skip
        if r["splink"]:
            sp = _scores(r["splink"]["by_tag"][ALL_ROWS])
            line += (f"   {sp.precision:>9.5f} {sp.recall:>8.5f} {sp.f1:>8.5f} {sp.fp:>5} "
                     f"{sp.fn:>5} {r['splink']['seconds']:>9.1f}")  # fmt: skip
        say(line)
    if records[0]["splink"]:
        say(f"(Splink at p >= {records[0]['splink']['threshold']}; reviews: pending, as a share "
            "of the rows; right 1st: reviews whose candidate is the right person)")  # fmt: skip
    if any(r["pending"] for r in records):
        say("")
        say("reviews by where the right person is among their candidates:")
        say(f"{'seed':>6}  " + "".join(f"{place:>21}" for place in PLACES)
            + f"{'order ceiling':>15}")  # fmt: skip
        for r in records:
            places = Counter(r["wrong_reviews"]["places"])
            say(f"{r['seed']:>6}  " + "".join(f"{places[place]:>21,}" for place in PLACES)
                + f"{order_ceiling(places):>15.1%}")  # fmt: skip
        say("(order ceiling: the most any order of the same candidates could put right first)")

    if len(records) > 1:
        seeds = [r["seed"] for r in records]
        heading(f"F1 per noise kind and seed ({noise} noise)")
        combined: dict[str, Scores] = {}
        for r in records:
            for tag, counts in r["atensi"].items():
                combined.setdefault(tag, Scores()).rows += counts[3]
        tags = _tag_order(combined)
        cols = " ".join(f"{'s' + str(s):>7}" for s in seeds)
        splink = all(r["splink"] for r in records)
        atensi_width = 8 * len(seeds) + 24
        say(f"{'':<27} {'rows':>6}   {'ATENSI F1 per seed, the worst with its P and R':<{atensi_width}}"
            + ("   Splink F1 per seed, the worst" if splink else ""))  # fmt: skip
        say(f"{'noise kind':<27} {'(mean)':>6}   {cols} {'worst':>8} {'P':>7} {'R':>7}"
            + (f"   {cols} {'worst':>8}" if splink else ""))  # fmt: skip
        for tag in tags:
            per = [_scores(r["atensi"][tag]) if tag in r["atensi"] else None for r in records]
            present = [s for s in per if s]
            mean_rows = sum(s.rows for s in present) / len(present)
            line = f"{tag:<27} {mean_rows:>6.0f}   " + _f1_cells(per) + " " + _worst_cell(per)
            if splink:
                sp = [_scores(r["splink"]["by_tag"][tag]) if tag in r["splink"]["by_tag"] else None
                      for r in records]  # fmt: skip
                line += "   " + _f1_cells(sp) + " " + _worst_cell(sp, short=True)
            say(line)
        say("(F1 of the rows with that noise; where none of them is in the register, 'fp N': "
            "N of them linked to someone; worst: the lowest F1 of the seeds, with its P and R)")  # fmt: skip

    summary(args, records)


def _f1_cells(per: list[Scores | None]) -> str:
    cells = []
    for s in per:
        if s is None:
            cells.append(f"{'':>7}")
        elif not s.in_register:
            cells.append(f"{'fp ' + str(s.fp):>7}")
        else:
            cells.append(f"{s.f1:>7.4f}")
    return " ".join(cells)


def _worst_cell(per: list[Scores | None], short: bool = False) -> str:
    present = [s for s in per if s is not None]
    findable = [s for s in present if s.in_register]
    if not findable:
        text = f"{'fp ' + str(max(s.fp for s in present)):>8}"
        return text if short else text + f" {'':>7} {'':>7}"
    s = min(findable, key=lambda x: x.f1)
    return f"{s.f1:>8.4f}" if short else f"{s.f1:>8.4f} {s.precision:>7.4f} {s.recall:>7.4f}"


def summary(args, records: list[dict]) -> None:
    heading("summary")
    noise = records[0]["noise"]
    full = records[0]["register"] >= FULL[0] and records[0]["proposals"] >= FULL[1]
    quality = {r["seed"]: _scores(r["atensi"][ALL_ROWS]) for r in records}
    worst_seed = min(records, key=lambda r: (quality[r["seed"]].f1, r["seed"]))["seed"]
    w = quality[worst_seed]
    seeds_text = ", ".join(str(r["seed"]) for r in records)
    say(f"seeds {seeds_text}, {noise} noise; the WORST seed (lowest ATENSI F1) is {worst_seed}: "
        f"{w.line()}")  # fmt: skip
    worst_record = next(r for r in records if r["seed"] == worst_seed)
    if worst_record["splink"]:
        sp = _scores(worst_record["splink"]["by_tag"][ALL_ROWS])
        say(f"  Splink on seed {worst_seed} (p >= {worst_record['splink']['threshold']}): "
            f"{sp.line()}")  # fmt: skip
    min_precision, seed_p = _worst(records, lambda r: quality[r["seed"]].precision)
    min_f1, seed_f1 = _worst(records, lambda r: quality[r["seed"]].f1)
    p_target, f1_target = QUALITY_TARGETS.get(noise, QUALITY_TARGETS["ordinary"])
    share, seed_share = _worst(
        records, lambda r: r["pending"] / quality[r["seed"]].rows, lowest=False
    )
    with_reviews = [r for r in records if r["pending"]]
    rows = [
        (f"{noise} noise: precision >= {p_target}", f"{min_precision:.5f} (seed {seed_p})",
         verdict(min_precision >= p_target)),
        (f"{noise} noise: F1 >= {f1_target}", f"{min_f1:.5f} (seed {seed_f1})",
         verdict(min_f1 >= f1_target)),
        (f"reviews <= {REVIEW_SHARE_TARGET:.0%} of the rows", f"{share:.2%} (seed {seed_share})",
         verdict(share <= REVIEW_SHARE_TARGET)),
    ]  # fmt: skip
    if with_reviews:
        right, seed_right = _worst(with_reviews, lambda r: r["pending_right"] / r["pending"])
        rows.append((f"right person first in >= {RIGHT_FIRST_TARGET:.0%} of the reviews",
                     f"{right:.1%} (seed {seed_right})", verdict(right >= RIGHT_FIRST_TARGET)))  # fmt: skip
    else:
        rows.append((f"right person first in >= {RIGHT_FIRST_TARGET:.0%} of the reviews",
                     "no reviews", verdict(True)))  # fmt: skip
    if all(r["splink"] for r in records):
        # At or above Splink's F1 (ordinary), above it (hard), on every seed: the smallest
        # margin, against the better of Splink's headline and its best threshold.
        margins = []
        for r in records:
            sp = _scores(r["splink"]["by_tag"][ALL_ROWS])
            rival = max(sp.f1, _scores(r["splink"]["best"]).f1)
            margins.append((quality[r["seed"]].f1 - rival, r["seed"], rival))
        margin, seed_m, rival = min(margins)
        ok = margin >= 0 if noise == "ordinary" else margin > 0
        rows.append((f"F1 {'at or above' if noise == 'ordinary' else 'above'} Splink's",
                     f"seed {seed_m}: {quality[seed_m].f1:.5f} vs Splink {rival:.5f} "
                     f"({margin:+.5f}; Splink's better of p >= {records[0]['splink']['threshold']} "
                     "and its best threshold)", verdict(ok)))  # fmt: skip
        slowest = max(records, key=lambda r: r["screen_s"] - r["splink"]["seconds"])
        rows.append(("screening faster than Splink",
                     f"seed {slowest['seed']}: {slowest['screen_s']:.1f} s vs Splink "
                     f"{slowest['splink']['seconds']:.1f} s (reused model "
                     f"{slowest['splink']['reused_s']:.1f} s)",
                     verdict(all(r["screen_s"] < r["splink"]["seconds"] for r in records))))  # fmt: skip
    screen_s, seed_s = _worst(records, lambda r: r["screen_s"], lowest=False)
    import_s, seed_i = _worst(records, lambda r: r["import_s"], lowest=False)
    rows += [
        (f"screen {FULL[1]:,} vs {FULL[0]:,} <= {SCREEN_TARGET_S:.0f} s",
         f"{screen_s:.1f} s (seed {seed_s}), {rate(records[0]['proposals'], screen_s)}",
         verdict(screen_s <= SCREEN_TARGET_S if full else None)),
        (f"import {FULL[0]:,} register rows < {IMPORT_TARGET_S:.0f} s",
         f"{import_s:.1f} s (seed {seed_i}), {rate(records[0]['register'], import_s)}",
         verdict(import_s < IMPORT_TARGET_S if full else None)),
    ]  # fmt: skip
    width = max(len(r[0]) for r in rows)
    for target, measured, result in rows:
        say(f"{result:<5} {target:<{width}}  {measured}")
    if not full:
        say(f"(timing targets are for {FULL[0]:,} / {FULL[1]:,} rows; this run had "
            f"{records[0]['register']:,} / {records[0]['proposals']:,})")  # fmt: skip
    facts = records[0]["facts"]
    say("machine: " + "; ".join(f"{name} {value}" for name, value in facts[:-1]))
    say(f"load average at the start {facts[-1][1]}, at the end {load_average()}")


if __name__ == "__main__":
    sys.exit(main())
