"""Housekeeping tasks of the platform, and the base of the apps' record-building tasks."""

import logging

from celery import Task, shared_task
from django.core.management import call_command
from django.db import InterfaceError, OperationalError, close_old_connections, connection

logger = logging.getLogger(__name__)


class RecordTask(Task):
    """A task that builds one record (its id the first argument): a lost database connection
    is retried with backoff; any other error, or the last retry, marks the record failed on a
    fresh connection (`mark_failed`), so that its page says so instead of waiting for ever."""

    autoretry_for = (OperationalError, InterfaceError)
    retry_backoff = 5
    retry_jitter = False

    def mark_failed(self, record_id, exc: BaseException) -> None:
        raise NotImplementedError

    def on_failure(self, exc, task_id, args, kwargs, einfo):
        record_id = args[0] if args else next(iter(kwargs.values()))
        if not connection.in_atomic_block:
            # The failure may have been the connection itself: take a fresh one.
            close_old_connections()
        try:
            self.mark_failed(record_id, exc)
        except Exception as error:  # the database is still away: say so, do not mask exc
            logger.error("%s %s could not be marked failed: %s", self.name, record_id,
                         error.__class__.__name__)  # fmt: skip


@shared_task
def clear_sessions() -> None:
    call_command("clearsessions")
