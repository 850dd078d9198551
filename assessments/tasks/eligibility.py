"""Celery tasks of batch eligibility screening: thin, take ids, safe to run twice.

A lost database connection is retried with backoff (5, 10, 20, 40, 80 s); any other
error, or the last retry, marks the batch failed so that its page says so instead of
waiting for ever. (A worker process that dies mid-task is another matter: with acks late
and reject-on-worker-lost the task goes back to the queue and runs again.)

Each task has a time limit: reading the list stops first, with its own message (the batch
fails as a file that cannot be used); the soft limit then stops any step, the hard one kills
it, and both mark the batch failed. Rows are capped by the reader.
"""

import logging

from celery import Task, shared_task
from django.db import InterfaceError, OperationalError, close_old_connections, connection

from assessments import tabular
from assessments.services import eligibility

# Seconds; all below the broker's visibility timeout (2 h), after which a task is redelivered.
READ_SECONDS = 30 * 60
SOFT_SECONDS = 40 * 60
HARD_SECONDS = 45 * 60

logger = logging.getLogger(__name__)


class BatchTask(Task):
    autoretry_for = (OperationalError, InterfaceError)
    max_retries = 5
    retry_backoff = 5
    retry_backoff_max = 120
    retry_jitter = False

    def on_failure(self, exc, task_id, args, kwargs, einfo):
        batch_id = args[0] if args else kwargs["batch_id"]
        if not connection.in_atomic_block:
            # The failure may have been the connection itself: take a fresh one.
            close_old_connections()
        try:
            eligibility.batch_fail(batch_id=batch_id, exc=exc)
        except Exception as error:  # the database is still away: say so, do not mask exc
            logger.error("Eligibility batch %s could not be marked failed: %s", batch_id,
                         error.__class__.__name__)  # fmt: skip


@shared_task(base=BatchTask, acks_late=True, soft_time_limit=SOFT_SECONDS, time_limit=HARD_SECONDS)
def load_batch(batch_id: str) -> None:
    with tabular.time_budget(READ_SECONDS):
        keys = eligibility.batch_load(batch_id=batch_id)
    eligibility.enqueue_chunks(batch_id, keys)


@shared_task(base=BatchTask, acks_late=True, soft_time_limit=SOFT_SECONDS, time_limit=HARD_SECONDS)
def screen_chunk(batch_id: str, key: str) -> None:
    eligibility.batch_screen_chunk(batch_id=batch_id, key=key)
