"""PostgreSQL or Redis away while the application runs (it reaches both through a TCP relay
the test cuts and restores, as a restart or a network fault would): requests fail cleanly
with a 503 in Indonesian and work again once the service is back, without restarting
anything; with Redis away, pages still work (tests/test_job_queue_down.py: starting a job
is refused with a clear message)."""

import contextlib
import io
import json
import socket
import threading
import urllib.error
import urllib.parse
import urllib.request
from wsgiref.simple_server import WSGIRequestHandler, make_server

import pytest
from django.conf import settings
from django.core.handlers.wsgi import WSGIHandler
from django.db import connection
from django.test import Client

from atensi.accounts.models import Organisation, User
from tests.assessments.test_eligibility import (  # noqa: F401 - fixtures
    _wait,
    regions_again,
    start_worker,
)
from tests.conftest import said, shown

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("logs_checked")]
PASSWORD = "kata-sandi-uji-2026"


class Relay:
    """A TCP relay on a fixed local port: `cut()` closes it and every connection through it
    (as a restarting server does); `restore()` listens again on the same port."""

    def __init__(self, host: str, port: int):
        self.target = (host, port)
        probe = socket.socket()
        probe.bind(("127.0.0.1", 0))
        self.port = probe.getsockname()[1]
        probe.close()
        self.listener = None
        self.connections: list[socket.socket] = []

    def restore(self):
        self.listener = socket.socket()
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", self.port))
        self.listener.listen(50)
        threading.Thread(target=self._accept, args=(self.listener,), daemon=True).start()

    def cut(self):
        with contextlib.suppress(OSError):  # wakes the thread waiting in accept()
            self.listener.shutdown(socket.SHUT_RDWR)
        self.listener.close()
        for conn in self.connections:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)
            conn.close()
        self.connections.clear()

    def _accept(self, listener):
        while True:
            try:
                client, _address = listener.accept()
            except OSError:
                return
            upstream = socket.create_connection(self.target)
            self.connections += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    @staticmethod
    def _pump(source, sink):
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for conn in (source, sink):
                with contextlib.suppress(OSError):
                    conn.shutdown(socket.SHUT_RDWR)


@pytest.fixture
def relays():
    db = settings.DATABASES["default"]
    pg = Relay(db["HOST"] or "127.0.0.1", int(db["PORT"] or 5432))
    broker = urllib.parse.urlsplit(settings.CELERY_BROKER_URL)
    rd = Relay(broker.hostname or "127.0.0.1", broker.port or 6379)
    pg.restore()
    rd.restore()
    yield pg, rd
    for relay in (pg, rd):
        with contextlib.suppress(OSError):
            relay.cut()


@pytest.fixture
def through_relays(relays, settings):
    """The application's database connection and its broker go through the relays, with a
    kept connection as in production (a restart breaks it)."""
    pg, rd = relays
    original = dict(connection.settings_dict)
    connection.close()
    connection.settings_dict.update(HOST="127.0.0.1", PORT=str(pg.port), CONN_MAX_AGE=600)
    broker = urllib.parse.urlsplit(settings.CELERY_BROKER_URL)
    settings.CELERY_BROKER_URL = f"redis://127.0.0.1:{rd.port}{broker.path or '/0'}"
    yield pg, rd
    connection.close()
    connection.settings_dict.clear()
    connection.settings_dict.update(original)


@pytest.fixture
def regions_for_server(transactional_db):
    from django.core.management import call_command

    call_command("load_regions", stdout=io.StringIO())


@pytest.fixture
def caseworker(regions_for_server):
    org = Organisation.objects.create(name="Dinsos OKI", kind=Organisation.Kind.DINSOS_REGENCY)
    return User.objects.create_user(username="pekerja-gangguan", password=PASSWORD,
                                    organisation=org, role=User.Role.CASEWORKER)  # fmt: skip


class QuietHandler(WSGIRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture
def server(through_relays):
    """The application behind a real WSGI server in a thread: each request runs Django's
    whole cycle (connections checked and closed as in production)."""
    httpd = make_server("127.0.0.1", 0, WSGIHandler(), handler_class=QuietHandler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_port}"
    httpd.shutdown()
    httpd.server_close()


class Browser:
    """Signed in as the user through a session cookie."""

    def __init__(self, base: str, user):
        self.base = base
        client = Client()
        client.force_login(user)
        self.cookie = f"sessionid={client.cookies['sessionid'].value}"

    def get(self, path):
        request = urllib.request.Request(self.base + path, headers={"Cookie": self.cookie})
        try:
            with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - local
                return response.status, dict(response.headers), response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, dict(error.headers), error.read().decode()


def test_a_database_restart_gives_a_clean_503_and_the_app_recovers_by_itself(
    caseworker, through_relays, server
):
    pg, _rd = through_relays
    page = Browser(server, caseworker)
    assert page.get("/klien/")[0] == 200

    pg.cut()  # PostgreSQL goes away: its connections break, new ones are refused
    status, headers, body = page.get("/klien/")
    api_status, _headers, api_body = page.get("/api/v1/clients/")

    assert status == 503 and headers["Retry-After"] == "30"
    assert said("Service temporarily unavailable") in body
    assert (
        shown(
            "The database is not reachable at the moment. Nothing was changed; try again in a "
            "minute. If it lasts, tell the administrator."
        )
        in body
    )
    assert api_status == 503 and json.loads(api_body)["error"]["code"] == "unavailable"

    pg.restore()  # back: the same process answers again, nothing restarted
    assert page.get("/klien/")[0] == 200


def test_with_redis_away_pages_work_and_health_says_the_broker_is_down(
    caseworker, through_relays, server
):
    _pg, rd = through_relays
    page = Browser(server, caseworker)

    rd.cut()
    for path in ("/", "/klien/", "/rujukan/"):
        assert page.get(path)[0] == 200, path
    status, _headers, body = page.get("/healthz")
    assert status == 503 and json.loads(body)["checks"]["broker"] == "down"

    rd.restore()
    assert page.get("/healthz")[0] == 200


def test_a_job_started_while_the_database_restarts_is_built_once_it_is_back(
    cast,
    relays,
    start_worker,  # noqa: F811 - the fixture imported above
    settings,
    tmp_path,
):
    """A worker whose database goes away: the yearly report it takes meanwhile fails to
    connect, is retried with backoff, and is built once the database is back, without
    restarting the worker."""
    from atensi.dashboard import report as reports
    from atensi.dashboard import selectors
    from atensi.dashboard.models import DashboardReport

    pg, _rd = relays
    db = connection.settings_dict
    worker = start_worker(
        loglevel="info", MEDIA_ROOT=str(tmp_path),
        DATABASE_URL=f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@127.0.0.1:{pg.port}/"
        f"{db['NAME']}",
    )  # fmt: skip
    pg.cut()
    settings.MEDIA_ROOT = tmp_path
    report = reports.report_request(
        area=selectors.area_of_codes(["16.02"]), year=2025, kind="xlsx", by=cast.supervisor
    )
    _wait(lambda: "Retry in" in worker.log_path.read_text(), 60, "the job to fail and retry")
    assert DashboardReport.objects.get(pk=report.pk).status == "queued"

    pg.restore()
    _wait(lambda: DashboardReport.objects.get(pk=report.pk).status == "done", 90, "the report")
    assert DashboardReport.objects.count() == 1
    assert len(list(tmp_path.rglob("*.xlsx"))) == 1
