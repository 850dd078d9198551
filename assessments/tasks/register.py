"""Celery task of the register import: thin, takes the snapshot id, safe to run twice.

Reading the file stops after READ_SECONDS with its own message (the import fails as a file
that cannot be used, no rows kept); the soft limit stops any step after that, and the import
fails too. Rows are capped by the reader.
"""

from celery import shared_task

from assessments import tabular
from assessments.services import register
from atensi.tasks import RecordTask

# Seconds; all below the broker's visibility timeout (2 h), after which a task is redelivered.
READ_SECONDS = 90 * 60
SOFT_SECONDS = 100 * 60
HARD_SECONDS = 110 * 60
BUSY_RETRY_SECONDS = 20


class RegisterTask(RecordTask):
    max_retries = 3

    def mark_failed(self, record_id, exc):
        register.register_import_fail(snapshot_id=record_id, exc=exc)


@shared_task(
    base=RegisterTask, acks_late=True, soft_time_limit=SOFT_SECONDS, time_limit=HARD_SECONDS
)
def register_import(snapshot_id: str) -> None:
    try:
        with tabular.time_budget(READ_SECONDS):
            register.register_import_run(snapshot_id=snapshot_id)
    except register.RegisterImportBusy as exc:
        # A run elsewhere, or a dead worker's session PostgreSQL has not ended yet.
        raise register_import.retry(exc=exc, countdown=BUSY_RETRY_SECONDS) from exc
