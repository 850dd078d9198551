"""Celery tasks of batch eligibility screening: thin, take ids, safe to run twice.

A lost database connection is retried (with backoff); any other error, or the last retry,
marks the batch failed so that its page says so instead of waiting for ever.
"""

from celery import Task, shared_task
from django.db import InterfaceError, OperationalError

from assessments.services import eligibility


class BatchTask(Task):
    autoretry_for = (OperationalError, InterfaceError)
    max_retries = 3
    retry_backoff = 5
    retry_jitter = True

    def on_failure(self, exc, task_id, args, kwargs, einfo):
        batch_id = args[0] if args else kwargs["batch_id"]
        eligibility.batch_fail(batch_id=batch_id, exc=exc)


@shared_task(base=BatchTask, acks_late=True)
def load_batch(batch_id: str) -> None:
    keys = eligibility.batch_load(batch_id=batch_id)
    eligibility.enqueue_chunks(batch_id, keys)


@shared_task(base=BatchTask, acks_late=True)
def screen_chunk(batch_id: str, key: str) -> None:
    eligibility.batch_screen_chunk(batch_id=batch_id, key=key)
