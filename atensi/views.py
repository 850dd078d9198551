"""View helpers shared by every app's pages."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.http import QueryDict
from django.shortcuts import redirect

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


def search_term(request, key: str, *, carry: tuple[str, ...] = ()):
    """A list's search term. It may be a name or NIK digits, so it never travels in a URL:
    the form POSTs it, it is kept in the session, and the list redirects to itself.

    Returns (the redirect to answer a POST with, or None; the term). The redirect keeps the
    list's query string, with the POSTed fields named in ``carry`` (filters that say nothing
    about a person, such as a programme or a state) put in it, and without its page."""
    session_key = f"search:{key}"
    if request.method == "POST":
        clear = "clear" in request.POST
        request.session[session_key] = "" if clear else request.POST.get("q", "").strip()[:100]
        query: QueryDict = request.GET.copy()
        query.pop("page", None)
        for name in carry:
            query.pop(name, None)
            if value := request.POST.get(name, "").strip():
                query[name] = value
        return redirect(f"{request.path}?{query.urlencode()}" if query else request.path), ""
    return None, request.session.get(session_key, "")
