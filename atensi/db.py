"""An optional read replica (``DATABASE_REPLICA_URL``, a PostgreSQL streaming replica).

Only code that asks for it reads there — ``with replica(): ...`` around reads that may lag a
few seconds behind (the yearly report's figures); everything else, every write, and every
read inside a transaction on the primary (which may need to see its own writes) stays on the
primary. Without the setting there is one database and ``replica()`` changes nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings
from django.db import connections

REPLICA = "replica"
_reading = ContextVar("atensi_replica_reads", default=False)


@contextmanager
def replica() -> Iterator[None]:
    token = _reading.set(True)
    try:
        yield
    finally:
        _reading.reset(token)


class ReplicaRouter:
    def db_for_read(self, model, **hints):
        if (
            _reading.get()
            and REPLICA in settings.DATABASES
            and not connections["default"].in_atomic_block
        ):
            return REPLICA
        return "default"

    def db_for_write(self, model, **hints):
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        return True  # the replica holds the primary's data: one database, two doors

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == "default"
