"""Celery tasks of the aid module: thin, take ids, safe to run twice."""

from celery import shared_task

from aid.services import documents
from atensi.tasks import RecordTask

SOFT_SECONDS = 20 * 60
HARD_SECONDS = 25 * 60  # below the broker's visibility timeout (2 h)


class DocumentTask(RecordTask):
    max_retries = 3

    def mark_failed(self, record_id, exc):
        documents.decree_document_fail(document_id=record_id, exc=exc)


@shared_task(base=DocumentTask, acks_late=True, soft_time_limit=SOFT_SECONDS,
             time_limit=HARD_SECONDS)  # fmt: skip
def build_decree_document(document_id: str) -> None:
    documents.decree_document_build(document_id=document_id, inline=False)


@shared_task(base=DocumentTask, acks_late=True, soft_time_limit=SOFT_SECONDS,
             time_limit=HARD_SECONDS)  # fmt: skip
def build_annex_part(document_id: str, index: int) -> None:
    documents.annex_part_build(document_id=document_id, index=index)
