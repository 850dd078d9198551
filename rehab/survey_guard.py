"""Flood protection of the public survey, kept in the cache (Redis) and nowhere else.

- At most SURVEY_RESPONSES_PER_ADDRESS submissions (default 30) per network address per
  hour, counted under a keyed hash of the address that expires with the hour: the address
  itself is never stored, and the hash cannot be turned back into it without the secret key.
- One response per device per unit per day: the browser gets a random cookie (no meaning,
  no link to a person); its hash, with the unit, is remembered until the day's end.
The honeypot field is the form's business (rehab/forms/survey.py).
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import re
import secrets

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

DEVICE_COOKIE = "ikm_device"
DEVICE_COOKIE_AGE = 400 * 24 * 60 * 60
WINDOW = 60 * 60  # seconds of the address count
DEFAULT_PER_ADDRESS = 30  # a clinic's waiting room may share one mobile network address
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{20,64}$")


def _digest(kind: str, value: str) -> str:
    key = f"{settings.SECRET_KEY}:survey:{kind}".encode()
    return hmac.new(key, value.encode(), hashlib.sha256).hexdigest()[:32]


def _address(request) -> str:
    from axes.helpers import get_client_ip_address

    return get_client_ip_address(request) or "unknown"


def address_key(request) -> str:
    return f"survey:address:{_digest('address', _address(request))}"


def allow_address(request) -> bool:
    """Count one submission from the request's address; False once past the hour's limit."""
    limit = getattr(settings, "SURVEY_RESPONSES_PER_ADDRESS", DEFAULT_PER_ADDRESS)
    key = address_key(request)
    cache.add(key, 0, timeout=WINDOW)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=WINDOW)
        count = 1
    return count <= limit


def device_token(request) -> str | None:
    token = request.COOKIES.get(DEVICE_COOKIE, "")
    return token if _TOKEN.match(token) else None


def new_device_token() -> str:
    return secrets.token_urlsafe(24)


def set_device_cookie(response, token: str) -> None:
    response.set_cookie(
        DEVICE_COOKIE, token, max_age=DEVICE_COOKIE_AGE, httponly=True, samesite="Lax",
        secure=not settings.DEBUG,
    )  # fmt: skip


def _device_key(unit, token: str) -> str:
    day = timezone.localdate().isoformat()
    return f"survey:device:{unit.code}:{day}:{_digest('device', token)}"


def _until_midnight() -> int:
    now = timezone.localtime()
    midnight = (now + datetime.timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
    return max(60, int((midnight - now).total_seconds()))


def answered_today(unit, token: str | None) -> bool:
    return token is not None and cache.get(_device_key(unit, token)) is not None


def claim_today(unit, token: str | None) -> bool:
    """Take the device's one response of the day for the unit; False when it was taken.
    Atomic (cache.add): two answers sent at once from one device count once. A browser that
    keeps no cookie has no token and is held back by the address limit alone."""
    if token is None:
        return True
    return cache.add(_device_key(unit, token), 1, timeout=_until_midnight())


def release_today(unit, token: str | None) -> None:
    """Give the day's response back when it could not be recorded after all."""
    if token is not None:
        cache.delete(_device_key(unit, token))
