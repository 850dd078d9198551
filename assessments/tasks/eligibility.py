"""Celery tasks of batch eligibility screening: thin, take ids, safe to run twice."""

from celery import shared_task

from assessments.services import eligibility


@shared_task(acks_late=True)
def load_batch(batch_id: str) -> None:
    keys = eligibility.batch_load(batch_id=batch_id)
    eligibility.enqueue_chunks(batch_id, keys)


@shared_task(acks_late=True)
def screen_chunk(batch_id: str, key: str) -> None:
    eligibility.batch_screen_chunk(batch_id=batch_id, key=key)
