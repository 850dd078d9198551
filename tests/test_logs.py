"""No personal data in the logs: what Django and the Celery worker print of a failure is
redacted where a database error quotes a row, and wherever a NIK appears."""

import io
import logging
import subprocess
import sys

import pytest
from django.db import IntegrityError, transaction

from atensi.logs import RedactPersonalData
from cases.models import Client
from tests.conftest import make_nik

NIK = make_nik(serial=77)


def console_handler() -> logging.StreamHandler:
    handlers = [h for h in logging.getLogger().handlers if h.get_name() == "console"]
    assert handlers, "the settings' console handler is not installed"
    return handlers[0]


@pytest.mark.django_db
def test_a_server_error_quoting_a_nik_is_logged_without_it(make_client):
    make_client(nik=NIK, full_name="Budi Rahasia")
    original = Client.objects.get(nik=NIK)
    original.pk = None
    with pytest.raises(IntegrityError) as raised, transaction.atomic():
        original.save()  # the same NIK again: PostgreSQL quotes it in its DETAIL
    error = raised.value
    assert NIK in str(error)  # what the database said

    handler = console_handler()
    assert any(isinstance(f, RedactPersonalData) for f in handler.filters)
    out = io.StringIO()
    previous = handler.setStream(out)
    try:
        logging.getLogger("django.request").error(
            "Internal Server Error: %s", "/klien/baru/", exc_info=(type(error), error, None)
        )
    finally:
        handler.setStream(previous)

    logged = out.getvalue()
    assert "Internal Server Error: /klien/baru/" in logged and "IntegrityError" in logged
    assert NIK not in logged and "[redacted]" in logged


def test_the_celery_workers_failure_lines_carry_no_nik_or_quoted_row(tmp_path):
    """Celery's own logging set-up (what `celery worker` runs) with its task-failure line."""
    logfile = tmp_path / "worker.log"
    script = (
        "import django, logging, sys; django.setup()\n"
        "from atensi.celery import app\n"
        "app.log.setup(loglevel='INFO', logfile=sys.argv[1], colorize=False)\n"
        'exc = Exception(\'new row violates check constraint "client_sex_valid"\\n'
        f"DETAIL:  Failing row contains ({NIK}, Budi Rahasia, X).')\n"
        "try:\n    raise exc\nexcept Exception as e:\n"
        "    logging.getLogger('celery.app.trace').error(\n"
        "        'Task %(name)s[%(id)s] raised unexpected: %(exc)r',\n"
        "        {'name': 'cases.x', 'id': 'abc', 'exc': e}, exc_info=True)\n"
        "from celery.utils.log import get_task_logger\n"
        f"get_task_logger('t').warning('row %s', '{NIK}')\n"
    )
    result = subprocess.run(  # noqa: S603 - our own interpreter
        [sys.executable, "-c", script, str(logfile)], capture_output=True, text=True,
        timeout=120, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr

    logged = logfile.read_text() + result.stdout + result.stderr
    assert "raised unexpected" in logged and "row [redacted]" in logged
    assert NIK not in logged and "Budi Rahasia" not in logged


@pytest.mark.django_db
def test_the_search_of_a_tests_logs_finds_a_name_the_handlers_printed(make_client):
    """The browser and fault suites search their logs with tests/logcheck.py: a name printed
    is found; a NIK printed is already blanked by the handlers' filter."""
    from tests import logcheck

    client = make_client(nik=NIK, full_name="Budi Rahasia Sekali")
    with logcheck.Tap() as tap:
        logging.getLogger("atensi").warning("looked at %s", client.full_name)
        logging.getLogger("atensi").warning("number %s", client.nik)
        logging.getLogger("atensi").warning("client %s", client.pk)

    found = logcheck.personal_data_in({"log": tap.text()}, logcheck.held_values())
    assert found == ["log, line 1: 1 value(s) of a person"]
    assert NIK not in tap.text() and "[redacted]" in tap.text()
    with pytest.raises(AssertionError, match="Personal data in the logs"):
        logcheck.check({"log": tap.text()})
