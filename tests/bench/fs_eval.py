"""Offline evaluation of the Fellegi–Sunter matcher beside the current one: no Django, no
database.

    python tests/bench/fs_eval.py --seeds 1,2,3 --noise ordinary|hard [--register 200000]
        [--proposals 10000] [--data DIR] [--weights] [--refine-u] [--no-extra-blocks]

For each seed: generate the data with ``generate.py`` (``--data DIR``: read and keep the
files in ``DIR/<noise>_<seed>``), map the CSV rows to ``linkage.Person`` / ``Candidate`` as
the batch screening does (a NIK or KK the upload refuses is no NIK; dates as the upload
reads them), read the register blocks chunk by chunk as ``eligibility._register_block``
does (per kecamatan of the row's village: exact NIK and KK anywhere, NIK prefix and birth
dates inside it), run ``linkage.match_person`` over them, and ``fellegi_sunter`` over the
same blocks plus its ``ExtraKeys`` (u from 4,000 register rows drawn from the whole
register, their blocks read the same way; ``--weights`` prints what was learnt).

Scored as ``run.py`` does: a row is linked when the result is an automatic match; a pending
review counts as no link ("P/R/F1"); "F1 rev." resolves each review as a reviewer who picks
the right person when it is among the offered candidates, or none. Prints per seed and per
noise kind (truth.csv tags), the reviews as a share of the rows, with the share showing the
right person first and among those offered, the time of estimation and scoring, and the
worst seed of each matcher.
"""

from __future__ import annotations

import argparse
import csv
import datetime
import random
import sys
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from assessments import fellegi_sunter as fs  # noqa: E402
from assessments import linkage  # noqa: E402
from assessments.tabular import parse_date  # noqa: E402
from cases.nik import normalise_nik, parse_nik, validate_kk  # noqa: E402
from tests.bench import generate as gen  # noqa: E402

TODAY = datetime.date.today()
SEX = {"L": "L", "LK": "L", "LAKI-LAKI": "L", "P": "P", "PR": "P", "PEREMPUAN": "P"}
ALL_ROWS, NO_NOISE = "(all rows)", "(no noise)"


# --- the rows, as the upload reads them ---------------------------------------------------


def _nik(text: str) -> str:
    """The NIK the batch keeps: the parsed NIK, or "" when the upload refuses it."""
    text = (text or "").strip()
    if not text:
        return ""
    result = parse_nik(text, today=TODAY)
    return result.value if result.ok else ""


def _kk(text: str) -> str:
    text = (text or "").strip()
    if not text:
        return ""
    result = validate_kk(text)
    return result.value if result.ok else ""


def _date(text: str) -> datetime.date | None:
    value = parse_date(text or "")
    if value is None or value > TODAY or value.year < 1900:
        return None
    return value


def proposal_person(row: dict) -> linkage.Person:
    return linkage.make_person(
        nik=_nik(row["nik"]),
        kk=_kk(row["no_kk"]),
        name=row["nama"],
        birth_date=_date(row["tgl_lahir"]),
        sex=SEX.get(" ".join((row["jenis_kelamin"] or "").split()).upper(), ""),
        village_code=(row["kode_wilayah"] or "").strip(),
        address=row.get("alamat") or "",
    )


def register_candidate(row: dict) -> linkage.Candidate:
    return linkage.Candidate(
        id=row["id_dtsen"],
        nik=normalise_nik(row["nik"]),
        kk=normalise_nik(row["no_kk"]),
        name=row["nama"],
        name_key=linkage.name_key(row["nama"]),
        birth_date=_date(row["tgl_lahir"]),
        sex=row["jenis_kelamin"].strip().upper(),
        village_code=row["kode_wilayah"].strip(),
        address=(row.get("alamat") or "").strip(),
        decile=int(row["desil"]) if row["desil"] else None,
    )


@dataclass
class DataSet:
    register: list[linkage.Candidate]
    queries: list[linkage.Person]
    truth: list[str]  # per proposal row: the id_dtsen, "" when not in the register
    tags: list[list[str]]


def from_rows(register_rows, proposal_rows, truth_rows) -> DataSet:
    """From ``generate.generate``'s tuples (or CSV rows as tuples in the same order)."""
    register = [
        register_candidate(dict(zip(gen.REGISTER_COLUMNS, r, strict=True))) for r in register_rows
    ]
    queries = [
        proposal_person(dict(zip(gen.PROPOSAL_COLUMNS, r, strict=True))) for r in proposal_rows
    ]
    truth = [t[1] for t in truth_rows]
    tags = [[x for x in t[2].split(";") if x] for t in truth_rows]
    return DataSet(register, queries, truth, tags)


def read_dir(path: Path) -> DataSet:
    def rows(name: str) -> list[tuple]:
        with (path / name).open(encoding="utf-8", newline="") as handle:
            reader = csv.reader(handle)
            next(reader)
            return [tuple(r) for r in reader]

    return from_rows(rows("register.csv"), rows("proposals.csv"), rows("truth.csv"))


# --- reading the blocks as the batch does -------------------------------------------------


class Register:
    """The register indexed the way ``eligibility.REGISTER_SQL`` reads it."""

    def __init__(self, rows: list[linkage.Candidate]) -> None:
        self.by_nik: dict[str, list] = defaultdict(list)
        self.by_kk: dict[str, list] = defaultdict(list)
        self.by_prefix: dict[tuple[str, str], list] = defaultdict(list)
        self.by_date: dict[tuple[str, datetime.date], list] = defaultdict(list)
        self.rows = rows
        self._extra: fs.CandidateIndex | None = None
        for c in rows:
            district = linkage.district_of(c.village_code)
            if c.nik:
                self.by_nik[c.nik].append(c)
                self.by_prefix[district, c.nik[:12]].append(c)
            if c.kk:
                self.by_kk[c.kk].append(c)
            if c.birth_date is not None:
                self.by_date[district, c.birth_date].append(c)

    def read(
        self, district: str, queries: list[linkage.Person], *, extra: bool = False
    ) -> list[linkage.Candidate]:
        """The rows a chunk of ``district`` reads: NIK or KK anywhere, NIK prefix or birth
        date inside the district; with ``extra``, also ``fellegi_sunter.ExtraKeys``'s."""
        keys = linkage.block_keys(queries)
        out: dict = {}
        groups = [self.by_nik.get(n, ()) for n in keys.niks]
        groups += [self.by_kk.get(k, ()) for k in keys.kks]
        if district:
            groups += [self.by_prefix.get((district, p), ()) for p in keys.nik_prefixes]
            groups += [
                self.by_date.get((district, d), ()) for k, d in keys.district_dates if k == district
            ]
        if extra and district:
            if self._extra is None:
                self._extra = fs.CandidateIndex(self.rows)
            groups.append(self._extra.extra_blocks(fs.extra_block_keys(queries)))
        for group in groups:
            for c in group:
                out.setdefault(c.id, c)
        return list(out.values())


@dataclass
class Blocks:
    """Each query's candidates, and what was read."""

    candidates: list[list[linkage.Candidate]]
    rows_read: int
    pairs: int
    seconds: float
    read: list[linkage.Candidate] = field(default_factory=list)


def candidates_of(register: Register, people: list[linkage.Person], *, extra: bool = False):
    """Each person's candidates, chunk by district as the batch reads and indexes them
    (with ``extra``, ``fellegi_sunter``'s extra blocks too); and the rows read (by id)."""
    chunks: dict[str, list[int]] = defaultdict(list)
    for i, q in enumerate(people):
        chunks[linkage.district_of(q.village_code)].append(i)
    candidates: list[list] = [[] for _ in people]
    read: dict = {}
    rows_read = 0
    for district, members in chunks.items():
        chunk = [people[i] for i in members]
        rows = register.read(district, chunk, extra=extra)
        rows_read += len(rows)
        for c in rows:
            read.setdefault(c.id, c)
        index = fs.CandidateIndex(rows) if extra else linkage.CandidateIndex(rows)
        for i, q in zip(members, chunk, strict=True):
            candidates[i] = index.candidates_for(q)
    return candidates, read, rows_read


def block(data: DataSet, register: Register | None = None, *, extra: bool = False) -> Blocks:
    started = time.perf_counter()
    register = register or Register(data.register)
    candidates, read, rows_read = candidates_of(register, data.queries, extra=extra)
    seconds = time.perf_counter() - started
    pairs = sum(len(c) for c in candidates)
    return Blocks(candidates, rows_read, pairs, seconds, list(read.values()))


# --- running both matchers ----------------------------------------------------------------


@dataclass
class Outcome:
    """Per proposal row: the status, the offered candidates' ids (best first)."""

    status: list[str]
    offered: list[tuple]
    seconds: float
    estimate_s: float = 0.0
    parameters: fs.Parameters | None = None


def run_current(data: DataSet, blocks: Blocks) -> Outcome:
    started = time.perf_counter()
    status, offered = [], []
    for q, found in zip(data.queries, blocks.candidates, strict=True):
        r = linkage.match_person(q, found)
        status.append(r.status)
        ids = tuple(s.candidate.id for s in r.candidates)
        if not ids and r.candidate is not None:
            ids = (r.candidate.id,)
        offered.append(ids)
    return Outcome(status, offered, time.perf_counter() - started)


def run_fs(
    data: DataSet,
    blocks: Blocks,
    register: Register,
    targets: fs.Targets,
    *,
    refine_u: bool = False,
    extra: bool = True,
    estimate_rows: int = 0,
    u_sample: int = 4000,
) -> Outcome:
    """Estimate on the batch (u from register rows drawn from the whole register, their
    blocks read as a batch's), then match every row. ``estimate_rows``: estimate on a
    seeded sample of that many rows (as the screening does), 0: on all."""
    started = time.perf_counter()
    queries, candidates = data.queries, blocks.candidates
    if estimate_rows and estimate_rows < len(queries):
        picked = sorted(random.Random(0).sample(range(len(queries)), estimate_rows))
        queries = [queries[i] for i in picked]
        candidates = [candidates[i] for i in picked]
    params = fs.estimate(
        queries,
        candidates,
        rows=blocks.read,
        u_rows=data.register,
        blocks_of=lambda people: candidates_of(register, people, extra=extra)[0],
        targets=targets,
        refine_u=refine_u,
        u_sample=u_sample,
    )
    estimated = time.perf_counter()
    model = fs.Model(params)
    status, offered = [], []
    for q, found in zip(data.queries, blocks.candidates, strict=True):
        r = model.match(q, found)
        status.append(r.status)
        offered.append(tuple(s.candidate.id for s in r.candidates))
    done = time.perf_counter()
    return Outcome(status, offered, done - estimated, estimated - started, params)


# --- scoring -------------------------------------------------------------------------------


@dataclass
class Scores:
    rows: int = 0
    in_register: int = 0
    tp: int = 0
    fp: int = 0
    fn: int = 0
    tp_rev: int = 0  # with the reviews resolved by a reviewer who picks right
    fp_rev: int = 0
    fn_rev: int = 0
    reviews: int = 0
    right_first: int = 0
    right_offered: int = 0  # reviews offering the right person among their candidates
    reviews_outside: int = 0  # reviews of people the register does not have

    def add(self, status: str, offered: tuple, true_id: str) -> None:
        self.rows += 1
        self.in_register += bool(true_id)
        found = offered[0] if status == linkage.MATCH and offered else ""
        if found and found == true_id:
            self.tp += 1
        else:
            self.fp += bool(found)
            self.fn += bool(true_id)
        if status == linkage.REVIEW:
            self.reviews += 1
            self.right_first += bool(offered) and offered[0] == true_id
            self.right_offered += bool(true_id) and true_id in offered
            self.reviews_outside += not true_id
            found = true_id if true_id and true_id in offered else ""
        if found and found == true_id:
            self.tp_rev += 1
        else:
            self.fp_rev += bool(found)
            self.fn_rev += bool(true_id)

    @staticmethod
    def _prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
        p = tp / (tp + fp) if tp + fp else 1.0
        r = tp / (tp + fn) if tp + fn else 1.0
        return p, r, (2 * p * r / (p + r) if p + r else 0.0)

    @property
    def prf(self) -> tuple[float, float, float]:
        return self._prf(self.tp, self.fp, self.fn)

    @property
    def f1_rev(self) -> float:
        return self._prf(self.tp_rev, self.fp_rev, self.fn_rev)[2]


def score(data: DataSet, outcome: Outcome) -> dict[str, Scores]:
    out: dict[str, Scores] = {ALL_ROWS: Scores()}
    for status, offered, true_id, tags in zip(
        outcome.status, outcome.offered, data.truth, data.tags, strict=True
    ):
        for tag in [ALL_ROWS, *(tags or [NO_NOISE])]:
            out.setdefault(tag, Scores()).add(status, offered, true_id)
    return out


def _cells(s: Scores | None) -> str:
    if s is None:
        return " " * 55
    p, r, f1 = s.prf
    if not s.in_register:
        return f"{'-':>7} {'-':>7} {'-':>7} {s.fp:>5} {s.fn:>4} {'-':>7} {s.reviews:>5}"
    return f"{p:7.5f} {r:7.5f} {f1:7.5f} {s.fp:>5} {s.fn:>4} {s.f1_rev:7.5f} {s.reviews:>5}"


def tag_table(current: dict[str, Scores], new: dict[str, Scores]) -> None:
    order = [ALL_ROWS, NO_NOISE] + sorted(
        (t for t in current if t not in (ALL_ROWS, NO_NOISE)), key=lambda t: -current[t].rows
    )
    head = f"{'P':>7} {'R':>7} {'F1':>7} {'FP':>5} {'FN':>4} {'F1 rev.':>7} {'rev':>5}"
    print(f"{'noise kind':<26} {'rows':>5} {'in reg':>6}   current: {head}   FS: {head}")
    for tag in order:
        c = current[tag]
        print(f"{tag:<26} {c.rows:>5} {c.in_register:>6}   {'':9}{_cells(c)}   "
              f"{'':4}{_cells(new.get(tag))}")  # fmt: skip


def summary_line(name: str, s: Scores, seconds: str) -> str:
    p, r, f1 = s.prf
    share = 100 * s.reviews / s.rows
    first = 100 * s.right_first / s.reviews if s.reviews else 100.0
    offered = 100 * s.right_offered / s.reviews if s.reviews else 100.0
    return (
        f"{name:<8} P {p:.5f}  R {r:.5f}  F1 {f1:.5f}  (FP {s.fp}, FN {s.fn})  "
        f"F1 with reviews resolved {s.f1_rev:.5f}  reviews {s.reviews} ({share:.2f} %; "
        f"right first {first:.1f} %, among those offered {offered:.1f} %, not in the "
        f"register {s.reviews_outside})  {seconds}"
    )


# --- main ------------------------------------------------------------------------------------


def dataset(args, seed: int) -> DataSet:
    folder = args.data / f"{args.noise}_{seed}" if args.data else None
    if folder is not None and (folder / "truth.csv").exists():
        return read_dir(folder)
    hard = gen.HardNoise() if args.noise == "hard" else None
    rows = gen.generate(args.register, args.proposals, seed, hard=hard)
    if folder is not None:
        folder.mkdir(parents=True, exist_ok=True)
        gen._write(folder / "register.csv", gen.REGISTER_COLUMNS, rows[0])
        gen._write(folder / "proposals.csv", gen.PROPOSAL_COLUMNS, rows[1])
        gen._write(folder / "truth.csv", gen.TRUTH_COLUMNS, rows[2])
    return from_rows(*rows)


def run_seed(args, seed: int) -> dict:
    data = dataset(args, seed)
    register = Register(data.register)
    blocks = block(data, register)
    current = run_current(data, blocks)
    extra = not args.no_extra_blocks
    fs_blocks = block(data, register, extra=True) if extra else blocks
    new = run_fs(
        data,
        fs_blocks,
        register,
        fs.Targets(),
        refine_u=args.refine_u,
        extra=extra,
        estimate_rows=args.estimate_rows,
        u_sample=args.u_sample,
    )
    s_current, s_new = score(data, current), score(data, new)
    params = new.parameters
    print(f"\n== seed {seed}, {args.noise} noise: {len(data.register):,} register rows, "
          f"{len(data.queries):,} proposals; {blocks.rows_read:,} rows read, "
          f"{blocks.pairs:,} pairs, blocking {blocks.seconds:.1f} s; with the extra blocks "
          f"{fs_blocks.rows_read:,} rows read, {fs_blocks.pairs:,} pairs ==")  # fmt: skip
    print(summary_line("current", s_current[ALL_ROWS], f"scoring {current.seconds:.2f} s"))
    print(summary_line("FS", s_new[ALL_ROWS],
                       f"estimation {new.estimate_s:.2f} s, scoring {new.seconds:.2f} s"))  # fmt: skip
    print(f"FS thresholds: auto {params.auto:.6f}, review {params.review:.6f}; prior "
          f"{params.prior}; EM {params.stats['em_iterations']} iterations over "
          f"{params.stats['patterns']} patterns; auto from the false-link rate alone "
          f"{params.stats['auto_from_false_link_rate']:.6f}")  # fmt: skip
    if args.weights:
        print_weights(params)
    tag_table(s_current, s_new)
    return {"seed": seed, "current": s_current, "fs": s_new, "blocks": (blocks, fs_blocks),
            "times": (current.seconds, new.estimate_s, new.seconds)}  # fmt: skip


def print_weights(params: fs.Parameters) -> None:
    for c in fs.COMPARISONS:
        cells = []
        for level in fs.LEVELS[c]:
            w = "/".join(f"{params.weight(x, c, level):+.1f}" for x in fs.CONTEXTS)
            cells.append(f"{level} m={params.m[c][level]:.4f} w={w}")
        print(f"  {c}: " + "; ".join(cells))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", default="1")
    parser.add_argument("--noise", choices=gen.PROFILES, default="ordinary")
    parser.add_argument("--register", type=int, default=200_000)
    parser.add_argument("--proposals", type=int, default=10_000)
    parser.add_argument("--data", type=Path, help="read/keep data sets in DIR/<noise>_<seed>")
    parser.add_argument("--weights", action="store_true", help="print the learnt weights")
    parser.add_argument(
        "--refine-u", action="store_true", help="EM adds the batch's likely non-matches to u"
    )
    parser.add_argument("--no-extra-blocks", action="store_true", help="linkage's blocks only")
    parser.add_argument(
        "--estimate-rows",
        type=int,
        default=0,
        help="estimate on a seeded sample of this many rows (0: all)",
    )
    parser.add_argument("--u-sample", type=int, default=4000,
                        help="register rows made queries for u")  # fmt: skip
    args = parser.parse_args(argv)
    records = [run_seed(args, int(s)) for s in args.seeds.split(",")]
    print(f"\n== per seed ({args.noise} noise) ==")
    for r in records:
        t = r["times"]
        print(f"seed {r['seed']}")
        print("  " + summary_line("current", r["current"][ALL_ROWS], f"{t[0]:.2f} s"))
        print("  " + summary_line("FS", r["fs"][ALL_ROWS], f"{t[1]:.2f} + {t[2]:.2f} s"))
    for name in ("current", "fs"):
        worst = min(records, key=lambda r: r[name][ALL_ROWS].prf[2])
        print(f"worst seed for {name}: {worst['seed']}  "
              + summary_line(name, worst[name][ALL_ROWS], ""))  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
