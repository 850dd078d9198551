"""Logs carry no personal data: a filter on every handler (Django's and the Celery worker's)
blanks what a database error quotes of a row and any 16-digit number (a NIK or KK).

The application logs ids only; the risk is in what others log for it: Django's "Internal
Server Error" and Celery's "Task … raised unexpected" lines print the exception, and
PostgreSQL's errors quote the row that broke a rule ("DETAIL: Key (nik)=(…) already
exists", "Failing row contains (…)").
"""

import logging
import re

SIXTEEN_DIGITS = re.compile(r"(?<!\d)\d{16}(?!\d)")
# PostgreSQL's DETAIL line, to its end: it quotes the values of the row.
DETAIL = re.compile(r"(DETAIL:\s*).*?(?=\\n|\n|'\)|\"\)|$)", re.S)
REDACTED = "[redacted]"


def redact(text: str) -> str:
    return SIXTEEN_DIGITS.sub(REDACTED, DETAIL.sub(r"\1" + REDACTED, text))


class RedactPersonalData(logging.Filter):
    """Formats the record's message and traceback once, redacted, and keeps only that."""

    _formatter = logging.Formatter()

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = redact(record.getMessage())
        record.args = ()
        if record.exc_info:
            record.exc_text = redact(self._formatter.formatException(record.exc_info))
            record.exc_info = None
        elif record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


def redact_handlers(logger: logging.Logger) -> None:
    """Put the filter on every handler of `logger` (the Celery worker's, once set up)."""
    for handler in logger.handlers:
        if not any(isinstance(f, RedactPersonalData) for f in handler.filters):
            handler.addFilter(RedactPersonalData())
