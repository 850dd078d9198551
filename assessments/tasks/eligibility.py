"""Celery tasks of batch eligibility screening: thin, take ids, safe to run twice.

A lost database connection is retried with backoff (5, 10, 20, 40, 80 s); any other
error, or the last retry, marks the batch failed so that its page says so instead of
waiting for ever. (A worker process that dies mid-task is another matter: with acks late
and reject-on-worker-lost the task goes back to the queue and runs again.)

Each task has a time limit: reading the list stops first, with its own message (the batch
fails as a file that cannot be used); the soft limit then stops any step, the hard one kills
it, and both mark the batch failed. Rows are capped by the reader.
"""

from celery import shared_task

from assessments import tabular
from assessments.services import eligibility, matching
from atensi.tasks import RecordTask

# Seconds; all below the broker's visibility timeout (2 h), after which a task is redelivered.
READ_SECONDS = 30 * 60
SOFT_SECONDS = 40 * 60
HARD_SECONDS = 45 * 60


class BatchTask(RecordTask):
    max_retries = 5
    retry_backoff_max = 120

    def mark_failed(self, record_id, exc):
        eligibility.batch_fail(batch_id=record_id, exc=exc)


@shared_task(base=BatchTask, acks_late=True, soft_time_limit=SOFT_SECONDS, time_limit=HARD_SECONDS)
def load_batch(batch_id: str) -> None:
    with tabular.time_budget(READ_SECONDS):
        keys = eligibility.batch_load(batch_id=batch_id)
    if keys:
        matching.batch_estimate(batch_id=batch_id)
    eligibility.enqueue_chunks(batch_id, keys)


@shared_task(base=BatchTask, acks_late=True, soft_time_limit=SOFT_SECONDS, time_limit=HARD_SECONDS)
def screen_chunk(batch_id: str, key: str, run: int | None = None) -> None:
    eligibility.batch_screen_chunk(batch_id=batch_id, key=key, run=run)
