"""Celery tasks (thin wrappers over services), one module per feature."""

from . import eligibility, register  # noqa: F401
