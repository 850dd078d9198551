"""Celery tasks of the dashboard: thin, safe to run twice."""

from celery import shared_task

from atensi.tasks import RecordTask

from . import report, services


@shared_task(soft_time_limit=20 * 60, time_limit=25 * 60)
def refresh_summaries() -> int:
    """Celery beat: refresh the snapshots of the periods that still change."""
    return services.snapshots_refresh()


class ReportTask(RecordTask):
    max_retries = 3

    def mark_failed(self, record_id, exc):
        report.report_fail(report_id=record_id, exc=exc)


@shared_task(base=ReportTask, acks_late=True, soft_time_limit=20 * 60, time_limit=25 * 60)
def build_report(report_id: str) -> None:
    """Build a yearly report (PDF or XLSX) and store it, with its progress."""
    report.report_build(report_id=report_id)
