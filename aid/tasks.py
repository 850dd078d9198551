"""Celery tasks of the aid module: thin, take ids, safe to run twice."""

import logging

from celery import Task, shared_task
from django.db import InterfaceError, OperationalError, close_old_connections, connection

from aid.services import documents

SOFT_SECONDS = 20 * 60
HARD_SECONDS = 25 * 60  # below the broker's visibility timeout (2 h)

logger = logging.getLogger(__name__)


class DocumentTask(Task):
    autoretry_for = (OperationalError, InterfaceError)
    max_retries = 3
    retry_backoff = 5
    retry_jitter = False

    def on_failure(self, exc, task_id, args, kwargs, einfo):
        document_id = args[0] if args else kwargs["document_id"]
        if not connection.in_atomic_block:
            close_old_connections()
        try:
            documents.decree_document_fail(document_id=document_id, exc=exc)
        except Exception as error:  # the database is still away: say so, do not mask exc
            logger.error("Decree document %s could not be marked failed: %s", document_id,
                         error.__class__.__name__)  # fmt: skip


@shared_task(base=DocumentTask, acks_late=True, soft_time_limit=SOFT_SECONDS,
             time_limit=HARD_SECONDS)  # fmt: skip
def build_decree_document(document_id: str) -> None:
    documents.decree_document_build(document_id=document_id)
