import os

from celery import Celery
from celery.signals import after_setup_logger, after_setup_task_logger

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "atensi.settings")

app = Celery("atensi")
app.config_from_object("django.conf:settings", namespace="CELERY")
# A worker process that grew past this after a task (a large import) is replaced by a fresh
# one instead of keeping the memory for good; the tasks have their own time limits.
app.conf.worker_max_memory_per_child = int(os.environ.get("WORKER_MAX_MEMORY_MB", "1024")) * 1024


@after_setup_logger.connect
@after_setup_task_logger.connect
def _redact_worker_logs(logger=None, **kwargs):
    """The worker's own handlers get the filter that keeps personal data out of the logs."""
    from atensi.logs import redact_handlers

    redact_handlers(logger)


app.autodiscover_tasks()
app.autodiscover_tasks(["atensi"])
