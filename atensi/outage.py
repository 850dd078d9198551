"""When a service the system needs is away.

- PostgreSQL down (restarted, unreachable): every request that needs it gets a clean 503 —
  an Indonesian page, or the API's error body — and the next request after it is back works
  again (Django checks a kept connection before use: ``conn_health_checks``).
- Redis down: pages work (sessions live in the database); starting a background job is
  refused with a clear message (``require_queue``) and works again once Redis answers.
"""

from __future__ import annotations

import sys

import redis
from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.template import loader
from django.utils.translation import gettext as _
from django.views import defaults

from atensi.errors import ApplicationError

RETRY_AFTER = "30"  # seconds a client should wait before trying again


def database_unavailable(exc: BaseException | None) -> bool:
    return isinstance(exc, OperationalError | InterfaceError)


def server_error(request, *args, **kwargs):
    """Django's 500 handler: a database that does not answer is a 503, said plainly."""
    exc = sys.exc_info()[1]
    if not database_unavailable(exc):
        return defaults.server_error(request, *args, **kwargs)
    message = _(
        "The database is not reachable at the moment. Nothing was changed; try again in a "
        "minute. If it lasts, tell the administrator."
    )
    if request.path.startswith("/api/"):
        response = JsonResponse(
            {"error": {"code": "unavailable", "message": message, "fields": {}}}, status=503
        )
    else:
        # No request context: its processors would ask the database for the user.
        response = HttpResponse(loader.render_to_string("503.html", {"message": message}),
                                status=503)  # fmt: skip
    response["Retry-After"] = RETRY_AFTER
    return response


def require_queue() -> None:
    """Refuse to start a background job while the broker does not answer (nothing is stored
    by the caller, who checks this first)."""
    try:
        client = redis.Redis.from_url(
            settings.CELERY_BROKER_URL, socket_timeout=2, socket_connect_timeout=2
        )
        client.ping()
    except redis.RedisError as exc:
        raise ApplicationError(
            _("Background jobs cannot start right now: the job queue does not answer. "
              "Nothing was started or stored; try again in a few minutes."),
            code="unavailable",
        ) from exc  # fmt: skip
