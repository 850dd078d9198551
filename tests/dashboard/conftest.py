"""The rehabilitation fixtures, for the episodes of the dashboard's known data set, and the
regions put back after a transactional test."""

from tests.aid.conftest import regions_again  # noqa: F401
from tests.rehab.conftest import start_episode  # noqa: F401
