"""View helpers shared by every app's pages."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages

from atensi.errors import ApplicationError


def perform(request, action: Callable[[], Any], success: str | Callable[[Any], str]) -> Any:
    """A button's POST: call the service and say how it went.

    A refusal (``ApplicationError``) becomes an error message and the result None; otherwise
    ``success`` (a text, or a function of the service's result) becomes a success message
    and the service's result is returned.
    """
    try:
        result = action()
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return None
    messages.success(request, success(result) if callable(success) else success)
    return result
