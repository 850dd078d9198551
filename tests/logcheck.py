"""The logs a test produced hold no name or NIK of the people in the database.

`Tap` sends what the project's own log handlers print (the handlers that carry the redaction
filter: the web server's and an in-process worker's output) to a buffer for the length of a
test, in place of the console. `personal_data_in` searches texts (that buffer, a separate
worker's log file) for every full name, NIK, family card number and phone number held about a
person, and for any 16-digit number. The browser suite and the fault tests (a worker killed, the
database or the broker away) run with it, so their logs are searched as a whole.
"""

from __future__ import annotations

import io
import logging
import re
from pathlib import Path

from atensi.logs import RedactPersonalData

SIXTEEN_DIGITS = re.compile(r"(?<!\d)\d{16}(?!\d)")
# (app label, model, fields) of what identifies a person; names of one word are too common
# to search for ("Budi") and are left out.
PERSONAL = [
    ("cases", "Client", ("full_name", "nik", "kk_number", "phone")),
    ("cases", "FamilyMember", ("full_name", "nik", "phone")),
    ("cases", "Referral", ("full_name", "nik", "phone")),
    ("assessments", "RegisterRow", ("name", "nik", "kk_number")),
    ("assessments", "BatchRow", ("name", "nik", "kk_number")),
]
SHORTEST = 8


class Tap:
    """What the redacting handlers print, kept in a buffer while the tap is on."""

    def __init__(self) -> None:
        self.buffer = io.StringIO()
        self._streams: list[tuple[logging.StreamHandler, object]] = []

    def __enter__(self) -> Tap:
        for handler in _redacting_handlers():
            self._streams.append((handler, handler.setStream(self.buffer)))
        if not self._streams:
            raise AssertionError("No log handler carries the redaction filter: see LOGGING.")
        return self

    def __exit__(self, *exc) -> None:
        for handler, stream in self._streams:
            handler.setStream(stream)

    def text(self) -> str:
        return self.buffer.getvalue()


def _redacting_handlers() -> list[logging.StreamHandler]:
    loggers = [logging.getLogger()] + [
        logger
        for logger in logging.Logger.manager.loggerDict.values()
        if isinstance(logger, logging.Logger)
    ]
    found = []
    for logger in loggers:
        for handler in logger.handlers:
            redacting = any(isinstance(f, RedactPersonalData) for f in handler.filters)
            if redacting and isinstance(handler, logging.StreamHandler) and handler not in found:
                found.append(handler)
    return found


def held_values() -> set[str]:
    """Every identifying value held about a person now (read before the test's data goes)."""
    from django.apps import apps

    values: set[str] = set()
    for app_label, model_name, fields in PERSONAL:
        model = apps.get_model(app_label, model_name)
        for row in model.objects.values_list(*fields).iterator(chunk_size=5000):
            for value in row:
                value = " ".join(str(value or "").split())
                if len(value) >= SHORTEST and (" " in value or value.isdigit()):
                    values.add(value)
    return values


def personal_data_in(texts: dict[str, str], values: set[str]) -> list[str]:
    """Where (source and line) a held value or a 16-digit number appears in the texts."""
    found = []
    for source, text in texts.items():
        present = [v for v in values if v in text]
        for number, line in enumerate(text.splitlines(), 1):
            hits = [v for v in present if v in line] + SIXTEEN_DIGITS.findall(line)
            if hits:
                # Said by kind and place only: the report itself must not repeat the data.
                found.append(f"{source}, line {number}: {len(hits)} value(s) of a person")
    return found


def check(texts: dict[str, str]) -> None:
    """Fail with the places where the texts hold personal data."""
    found = personal_data_in(texts, held_values())
    if found:
        raise AssertionError("Personal data in the logs:\n  " + "\n  ".join(found))


def read(paths: list[Path]) -> dict[str, str]:
    return {str(path): path.read_text(errors="replace") for path in paths if path.exists()}
