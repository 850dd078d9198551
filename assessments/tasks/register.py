"""Celery task of the register import: thin, takes the snapshot id, safe to run twice."""

from celery import shared_task

from assessments.services import register


@shared_task(acks_late=True)
def register_import(snapshot_id: str) -> None:
    register.register_import_run(snapshot_id=snapshot_id)
