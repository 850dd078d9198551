"""The rehabilitation fixtures, for the episodes of the dashboard's known data set."""

from tests.rehab.conftest import start_episode  # noqa: F401
