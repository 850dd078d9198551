"""Celery tasks of the summary tables: thin, safe to run twice."""

from celery import shared_task

from . import facts


@shared_task(soft_time_limit=20 * 60, time_limit=25 * 60)
def rebuild() -> dict[str, int]:
    """Celery beat, daily: count every month of every kind again from the records."""
    return facts.rebuild()
