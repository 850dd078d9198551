"""Celery tasks of the dashboard: thin, safe to run twice."""

from celery import shared_task

from . import services


@shared_task(soft_time_limit=20 * 60, time_limit=25 * 60)
def refresh_summaries() -> int:
    """Celery beat: refresh the snapshots of the periods that still change."""
    return services.snapshots_refresh()
