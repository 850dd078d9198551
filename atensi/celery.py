import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "atensi.settings")

app = Celery("atensi")
app.config_from_object("django.conf:settings", namespace="CELERY")
# A worker process that grew past this after a task (a large import) is replaced by a fresh
# one instead of keeping the memory for good; the tasks have their own time limits.
app.conf.worker_max_memory_per_child = int(os.environ.get("WORKER_MAX_MEMORY_MB", "1024")) * 1024
app.autodiscover_tasks()
app.autodiscover_tasks(["atensi"])
