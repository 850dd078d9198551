"""Celery tasks of this feature."""
