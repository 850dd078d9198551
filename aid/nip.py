"""NIP (Nomor Induk Pegawai), the 18-digit number of a civil servant, as printed on a BAST.

Pure Python, no Django: the messages are English source strings marked for translation and
translated by the caller. A NIP is ``YYYYMMDD YYYYMM S NNN``: date of birth, year and month
of first appointment, sex (1 man, 2 woman) and a serial. Only what holds for every NIP is
checked: the appointment digits of contract staff (PPPK) follow a scheme of their own.
"""

from __future__ import annotations

import datetime

NIP_LENGTH = 18


def gettext_noop(s: str) -> str:
    """Mark a string for translation without translating it (read by makemessages)."""
    return s


MSG_NIP_NOT_DIGITS = gettext_noop("The NIP may contain only digits; it also contains %(chars)s.")
MSG_NIP_LENGTH = gettext_noop("The NIP must have exactly 18 digits; %(count)s were entered.")
MSG_NIP_BIRTH_DATE = gettext_noop(
    "The first 8 digits of the NIP (%(digits)s) are not a date of birth written as YYYYMMDD."
)
MSG_NIP_SEX = gettext_noop("Digit 15 of the NIP (%(digit)s) must be 1 (man) or 2 (woman).")


def normalise_nip(value: str) -> str:
    """Spaces and dots between the groups ("19850312 201001 1 003") are dropped."""
    return "".join(ch for ch in (value or "") if ch not in " .\t")


def nip_problem(value: str, *, today: datetime.date) -> tuple[str, dict] | None:
    """The first thing wrong with a normalised NIP, as (message, parameters); None if sound."""
    others = sorted({ch for ch in value if not ("0" <= ch <= "9")})
    if others:
        return MSG_NIP_NOT_DIGITS, {"chars": ", ".join(f'"{ch}"' for ch in others)}
    if len(value) != NIP_LENGTH:
        return MSG_NIP_LENGTH, {"count": len(value)}
    try:
        born = datetime.date(int(value[:4]), int(value[4:6]), int(value[6:8]))
    except ValueError:
        born = None
    if born is None or born.year < 1900 or born >= today:
        return MSG_NIP_BIRTH_DATE, {"digits": value[:8]}
    if value[14] not in "12":
        return MSG_NIP_SEX, {"digit": value[14]}
    return None
