"""Housekeeping tasks of the platform, and the base of the apps' record-building tasks."""

import logging

from celery import Task, shared_task
from django.conf import settings
from django.core.management import call_command
from django.db import InterfaceError, OperationalError, close_old_connections, connection
from django.utils import translation

logger = logging.getLogger(__name__)


class WorkerLostRepeatedly(Exception):
    """The worker process running the task died (killed, out of memory) every time it was
    delivered; it is not run again."""

    def __init__(self, deliveries: int):
        super().__init__(deliveries)
        self.deliveries = deliveries

    def __str__(self) -> str:
        from django.utils.translation import gettext

        return gettext(
            "The worker running this job stopped %(n)d times before finishing it (for "
            "example, it ran out of memory), so the job was not started again. Try a smaller "
            "file, or ask the administrator."
        ) % {"n": self.deliveries}


def failure_text(exc: BaseException) -> str:
    """What a failed job's page says: the words of a known stop, else only the error's kind
    (its text may quote a row)."""
    return str(exc) if isinstance(exc, WorkerLostRepeatedly) else exc.__class__.__name__


class RecordTask(Task):
    """A task that builds one record (its id the first argument): a lost database connection
    is retried with backoff; any other error, or the last retry, marks the record failed on a
    fresh connection (`mark_failed`), so that its page says so instead of waiting for ever.

    With acks late and reject-on-worker-lost, a task whose worker dies goes back to the queue.
    One that kills its worker every time would loop for ever: each delivery is counted (in
    Redis, per task id and retry), and past TASK_MAX_DELIVERIES the record is marked failed
    (`WorkerLostRepeatedly`) instead of running again."""

    autoretry_for = (OperationalError, InterfaceError)
    retry_backoff = 5
    retry_jitter = False

    def mark_failed(self, record_id, exc: BaseException) -> None:
        raise NotImplementedError

    def __call__(self, *args, **kwargs):
        request = self.request
        if request.id and not request.called_directly and not request.is_eager:
            deliveries = _count_delivery(request.id, request.retries or 0)
            if deliveries > settings.TASK_MAX_DELIVERIES:
                record_id = args[0] if args else next(iter(kwargs.values()))
                logger.error("%s %s: its worker died %d times; not run again", self.name,
                             record_id, deliveries - 1)  # fmt: skip
                with translation.override(settings.LANGUAGE_CODE):
                    self.mark_failed(record_id, WorkerLostRepeatedly(deliveries - 1))
                return None
        return super().__call__(*args, **kwargs)

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


def _count_delivery(task_id: str, retries: int) -> int:
    """This delivery's number (1 for the first) of the task's current attempt."""
    from django.core.cache import cache

    key = f"task-deliveries:{task_id}:{retries}"
    try:
        cache.add(key, 0, timeout=2 * 24 * 60 * 60)
        return cache.incr(key)
    except Exception:  # the count is a safeguard: without Redis the task still runs
        logger.warning("could not count the deliveries of task %s", task_id)
        return 1


@shared_task
def clear_sessions() -> None:
    call_command("clearsessions")
