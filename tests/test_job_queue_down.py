"""With the job queue (Redis) away, starting a background job is refused with a clear
message and nothing is stored; once it answers again, jobs start as before."""

import socket

import pytest
from django.urls import reverse

from atensi.dashboard.models import DashboardReport
from atensi.errors import ApplicationError
from atensi.outage import require_queue
from tests.conftest import said, shown

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("logs_checked")]

REFUSED = (
    "Background jobs cannot start right now: the job queue does not answer. Nothing was "
    "started or stored; try again in a few minutes."
)


@pytest.fixture
def queue_down(settings):
    with socket.socket() as probe:  # a port where nothing listens
        probe.bind(("127.0.0.1", 0))
        dead = probe.getsockname()[1]
    working = settings.CELERY_BROKER_URL
    settings.CELERY_BROKER_URL = f"redis://127.0.0.1:{dead}/0"
    return working


def test_starting_a_job_without_the_queue_is_refused_and_works_once_it_is_back(
    queue_down, settings
):
    with pytest.raises(ApplicationError) as refused:
        require_queue()
    assert (refused.value.code, refused.value.message) == ("unavailable", said(REFUSED))

    settings.CELERY_BROKER_URL = queue_down
    require_queue()  # answers again: no error


def test_the_report_page_says_the_job_cannot_start_and_stores_nothing(cast, browse, queue_down):
    response = browse("supervisor").post(
        reverse("dashboard:report"), {"area": "16.02", "year": 2025, "kind": "xlsx"}, follow=True
    )
    assert shown(REFUSED) in response.content.decode()
    assert not DashboardReport.objects.exists()


def test_the_api_answers_503_when_the_queue_is_away(cast, queue_down):
    from tests.api.conftest import api_as

    response = api_as(cast.supervisor).post(
        "/api/v1/dashboard-reports/", {"area": "16.02", "year": 2025, "kind": "xlsx"},
        format="json",
    )  # fmt: skip
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "unavailable"
    assert not DashboardReport.objects.exists()
