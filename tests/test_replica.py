"""The optional read replica (DATABASE_REPLICA_URL): only reads inside `replica()` go there,
never writes, never reads inside a transaction on the primary, and without the setting
nothing changes."""

import json
import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.db import transaction

from atensi.db import ReplicaRouter, replica
from cases.models import Client

pytestmark = pytest.mark.django_db(transaction=True)


def test_only_reads_inside_replica_and_outside_a_transaction_go_to_the_replica(settings):
    router = ReplicaRouter()
    settings.DATABASES = {**settings.DATABASES, "replica": settings.DATABASES["default"]}

    assert router.db_for_read(Client) == "default"
    with replica():
        assert router.db_for_read(Client) == "replica"
        assert router.db_for_write(Client) == "default"
        with transaction.atomic():  # may need to see its own writes
            assert router.db_for_read(Client) == "default"
    assert router.allow_migrate("replica", "cases") is False
    assert router.allow_migrate("default", "cases") is True


def test_without_a_replica_everything_stays_on_the_primary():
    assert "replica" not in settings.DATABASES
    with replica():
        assert ReplicaRouter().db_for_read(Client) == "default"


def test_the_yearly_reports_figures_are_read_from_the_replica_when_one_is_configured():
    """A real second connection (the replica's URL names the same database here): the
    report's figures are read through it, none on the primary."""
    db = settings.DATABASES["default"]
    url = (f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST'] or '127.0.0.1'}:"
           f"{db['PORT'] or 5432}/{db['NAME']}")  # fmt: skip
    script = """
import json
import django
django.setup()
from django.db import connections
from django.test.utils import CaptureQueriesContext
from atensi.db import replica
from atensi.dashboard import selectors
from atensi.dashboard.report import report_data
area = selectors.area_of_codes(["16"])
from atensi.summaries import facts
facts.refresh()
with CaptureQueriesContext(connections["default"]) as primary, \\
        CaptureQueriesContext(connections["replica"]) as copy:
    with replica():
        report_data(area, 2025)
print(json.dumps({"primary": [q["sql"][:300] for q in primary.captured_queries],
                  "replica": len(copy)}))
"""
    env = {**os.environ, "DATABASE_URL": url, "DATABASE_REPLICA_URL": url, "DEBUG": "true"}
    result = subprocess.run(  # noqa: S603 - our own interpreter
        [sys.executable, "-c", script], cwd=settings.BASE_DIR, env=env, capture_output=True,
        text=True, timeout=120, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-2000:]
    counts = json.loads(result.stdout.strip().splitlines()[-1])
    assert counts["replica"] > 0
    # The primary only takes the (empty) marks of the summary tables: no figure is read there.
    assert not [sql for sql in counts["primary"] if "summaries_monthlycount" in sql]
