"""NIK (Indonesian national ID number) and KK (family card number) validation.

Pure Python, no Django: the messages are English source strings marked with
``gettext_noop`` so ``makemessages`` extracts them; callers translate when rendering.

A NIK is 16 digits ``PPKKCCDDMMYYSSSS``: province, regency and district code, birth
day (plus 40 for women), month, two-digit year, and a serial that is never 0000.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from dataclasses import dataclass

NIK_LENGTH = 16
FEMALE_DAY_OFFSET = 40
MALE = "L"
FEMALE = "P"


def gettext_noop(s: str) -> str:
    """Mark a string for translation without translating it (read by makemessages)."""
    return s


MSG_NIK_EMPTY = gettext_noop("No NIK was entered.")
MSG_NIK_SCIENTIFIC = gettext_noop(
    "The NIK %(value)s was turned into a number in scientific notation by a spreadsheet, "
    "and its last digits are lost. Format the column as Text and enter the full 16-digit "
    "NIK again."
)
MSG_NIK_NOT_DIGITS = gettext_noop("The NIK may contain only digits; it also contains %(chars)s.")
MSG_NIK_LENGTH = gettext_noop("The NIK must have exactly 16 digits; %(count)s were entered.")
MSG_BAD_DAY = gettext_noop(
    "Digits 7-8 of the NIK (%(day)s) are not a valid day of birth: men have 01-31, "
    "women the day plus 40, that is 41-71."
)
MSG_BAD_MONTH = gettext_noop(
    "Digits 9-10 of the NIK (%(month)s) are not a valid month of birth; they must be 01-12."
)
MSG_BAD_DATE = gettext_noop("The birth date in the NIK (%(date)s) does not exist in the calendar.")
MSG_FUTURE_DATE = gettext_noop("The birth date in the NIK (%(date)s) is in the future.")
MSG_NIK_SERIAL_ZERO = gettext_noop(
    "The last four digits of the NIK (the serial number) cannot be 0000."
)
MSG_BIRTH_DATE_MISMATCH = gettext_noop(
    "The birth date in the NIK (%(nik_date)s) differs from the birth date entered "
    "(%(entered_date)s)."
)
MSG_SEX_MISMATCH_NIK_MALE = gettext_noop(
    "The NIK belongs to a man (digits 7-8 are %(day)s, a day of birth from 01 to 31), "
    "but female (P) was entered. For women, 40 is added to the day of birth."
)
MSG_SEX_MISMATCH_NIK_FEMALE = gettext_noop(
    "The NIK belongs to a woman (digits 7-8 are %(day)s, that is day %(birth_day)s plus 40), "
    "but male (L) was entered. For women, 40 is added to the day of birth."
)
MSG_NIK_UNKNOWN_DISTRICT = gettext_noop(
    "The district code %(code)s (the first six digits of the NIK) is not in the current list "
    "of districts. Older NIKs may carry the code of a district that has since been split or "
    "renamed; check the NIK against the KTP or the family card."
)

MSG_KK_EMPTY = gettext_noop("No family card number (KK) was entered.")
MSG_KK_SCIENTIFIC = gettext_noop(
    "The family card number (KK) %(value)s was turned into a number in scientific notation "
    "by a spreadsheet, and its last digits are lost. Format the column as Text and enter "
    "the full 16-digit number again."
)
MSG_KK_NOT_DIGITS = gettext_noop(
    "The family card number (KK) may contain only digits; it also contains %(chars)s."
)
MSG_KK_LENGTH = gettext_noop(
    "The family card number (KK) must have exactly 16 digits; %(count)s were entered."
)
MSG_KK_SERIAL_ZERO = gettext_noop(
    "The last four digits of the family card number (KK) cannot be 0000."
)
MSG_KK_UNKNOWN_DISTRICT = gettext_noop(
    "The district code %(code)s (the first six digits of the family card number, KK) is not "
    "in the current list of districts. Older cards may carry the code of a district that "
    "has since been split or renamed; check the number against the card."
)


@dataclass(frozen=True)
class NikIssue:
    """One problem found in a NIK or KK; ``warning`` issues do not block saving."""

    code: str
    message: str
    params: dict
    warning: bool = False

    def render(self, translate: Callable[[str], str] = lambda s: s) -> str:
        return translate(self.message) % self.params


@dataclass(frozen=True)
class NikInfo:
    """What a structurally valid NIK says about its holder."""

    nik: str
    district_code: str
    regency_code: str
    province_code: str
    birth_date: datetime.date
    sex: str
    serial: str


@dataclass(frozen=True)
class KkInfo:
    """What a structurally valid family card number says."""

    kk: str
    district_code: str
    regency_code: str
    province_code: str
    serial: str


@dataclass(frozen=True)
class NikResult:
    value: str
    info: NikInfo | None
    errors: tuple[NikIssue, ...]
    warnings: tuple[NikIssue, ...]

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass(frozen=True)
class KkResult:
    value: str
    info: KkInfo | None
    errors: tuple[NikIssue, ...]
    warnings: tuple[NikIssue, ...]

    @property
    def ok(self) -> bool:
        return not self.errors


# What a spreadsheet shows after storing a 16-digit number as a float: "1.60205E+15",
# or with a decimal comma in Indonesian locales, "1,60205E+15".
_SCIENTIFIC = re.compile(r"[+-]?\d+(?:[.,]\d*)?\s*[eE]\s*[+-]?\d+")
_SEPARATORS = re.compile(r"[\s.\-\u2010-\u2015]")
_APOSTROPHES = "'\u2018\u2019`"


def _trim(raw: str | None) -> str:
    value = "" if raw is None else str(raw)
    return value.strip().lstrip(_APOSTROPHES).strip()


def _is_scientific(trimmed: str) -> bool:
    return _SCIENTIFIC.fullmatch(trimmed) is not None


def normalise_nik(raw: str) -> str:
    """Strip whitespace, a spreadsheet's leading apostrophe and group separators.

    A value in scientific notation is returned trimmed but otherwise untouched, so that
    it can be recognised and reported rather than turned into a wrong number.
    """
    trimmed = _trim(raw)
    if _is_scientific(trimmed):
        return trimmed
    return _SEPARATORS.sub("", trimmed)


def _district_codes(digits: str) -> tuple[str, str, str]:
    province = digits[0:2]
    regency = f"{province}.{digits[2:4]}"
    district = f"{regency}.{digits[4:6]}"
    return province, regency, district


def _format_date(d: datetime.date) -> str:
    return f"{d.day:02d}-{d.month:02d}-{d.year:04d}"


def _check_structure(value: str, messages: dict[str, str]) -> tuple[NikIssue, ...] | None:
    """The errors that stop any further reading of the number, or None if it is 16 digits."""
    if not value:
        return (NikIssue("empty", messages["empty"], {}),)
    if _is_scientific(value):
        return (NikIssue("scientific_notation", messages["scientific_notation"], {"value": value}),)
    errors = []
    others = [c for c in dict.fromkeys(value) if not ("0" <= c <= "9")]
    if others:
        chars = ", ".join(f'"{c}"' for c in others)
        errors.append(NikIssue("not_digits", messages["not_digits"], {"chars": chars}))
    if len(value) != NIK_LENGTH:
        errors.append(NikIssue("length", messages["length"], {"count": len(value)}))
    return tuple(errors) or None


def _district_warning(
    district: str, known_district: Callable[[str], bool] | None, message: str
) -> tuple[NikIssue, ...]:
    if known_district is None or known_district(district):
        return ()
    return (NikIssue("unknown_district", message, {"code": district}, warning=True),)


_NIK_MESSAGES = {
    "empty": MSG_NIK_EMPTY,
    "scientific_notation": MSG_NIK_SCIENTIFIC,
    "not_digits": MSG_NIK_NOT_DIGITS,
    "length": MSG_NIK_LENGTH,
}
_KK_MESSAGES = {
    "empty": MSG_KK_EMPTY,
    "scientific_notation": MSG_KK_SCIENTIFIC,
    "not_digits": MSG_KK_NOT_DIGITS,
    "length": MSG_KK_LENGTH,
}


def _resolve_year(
    yy: int, month: int, day: int, today: datetime.date, entered: datetime.date | None
) -> int:
    """The NIK has no century: 20YY unless that lies after today, then 19YY.

    An entered birth date with the same day, month and two-digit year settles the
    century instead (a person born in 1920 is not a mismatch in 2025).
    """
    if entered is not None and (entered.year % 100, entered.month, entered.day) == (
        yy,
        month,
        day,
    ):
        return entered.year
    if (2000 + yy, month, day) <= (today.year, today.month, today.day):
        return 2000 + yy
    return 1900 + yy


def parse_nik(
    raw: str,
    *,
    birth_date: datetime.date | None = None,
    sex: str | None = None,
    known_district: Callable[[str], bool] | None = None,
    today: datetime.date | None = None,
) -> NikResult:
    """Check a NIK and decode it; also compare it with an entered birth date and sex.

    All errors that apply are reported. An unknown district is only a warning, because
    older NIKs carry codes of districts that no longer exist.
    """
    if sex is not None:
        sex = sex.strip().upper() or None
        if sex not in (None, MALE, FEMALE):
            raise ValueError(f"sex must be {MALE!r} or {FEMALE!r}, not {sex!r}")
    today = today or datetime.date.today()
    value = normalise_nik(raw)

    structural = _check_structure(value, _NIK_MESSAGES)
    if structural:
        return NikResult(value=value, info=None, errors=structural, warnings=())

    province, regency, district = _district_codes(value)
    dd, mm, yy, serial = value[6:8], value[8:10], value[10:12], value[12:16]
    errors: list[NikIssue] = []

    day_digits = int(dd)
    nik_sex: str | None = None
    day: int | None = None
    if 1 <= day_digits <= 31:
        nik_sex, day = MALE, day_digits
    elif 1 + FEMALE_DAY_OFFSET <= day_digits <= 31 + FEMALE_DAY_OFFSET:
        nik_sex, day = FEMALE, day_digits - FEMALE_DAY_OFFSET
    else:
        errors.append(NikIssue("bad_day", MSG_BAD_DAY, {"day": dd}))

    month = int(mm)
    if not 1 <= month <= 12:
        errors.append(NikIssue("bad_month", MSG_BAD_MONTH, {"month": mm}))

    nik_date: datetime.date | None = None
    if day is not None and 1 <= month <= 12:
        year = _resolve_year(int(yy), month, day, today, birth_date)
        try:
            nik_date = datetime.date(year, month, day)
        except ValueError:
            shown = f"{day:02d}-{month:02d}-{year:04d}"
            errors.append(NikIssue("bad_date", MSG_BAD_DATE, {"date": shown}))
        else:
            if nik_date > today:
                errors.append(
                    NikIssue("future_date", MSG_FUTURE_DATE, {"date": _format_date(nik_date)})
                )
                nik_date = None

    if serial == "0000":
        errors.append(NikIssue("serial_zero", MSG_NIK_SERIAL_ZERO, {}))

    # From here on the NIK is compared with what was entered about the person; those
    # errors leave the decoded information in place.
    nik_is_valid = not errors
    if birth_date is not None and nik_date is not None and nik_date != birth_date:
        params = {"nik_date": _format_date(nik_date), "entered_date": _format_date(birth_date)}
        errors.append(NikIssue("birth_date_mismatch", MSG_BIRTH_DATE_MISMATCH, params))
    if sex is not None and nik_sex is not None and nik_sex != sex:
        if nik_sex == MALE:
            errors.append(NikIssue("sex_mismatch", MSG_SEX_MISMATCH_NIK_MALE, {"day": dd}))
        else:
            params = {"day": dd, "birth_day": f"{day:02d}"}
            errors.append(NikIssue("sex_mismatch", MSG_SEX_MISMATCH_NIK_FEMALE, params))

    info = None
    if nik_is_valid:
        info = NikInfo(
            nik=value,
            district_code=district,
            regency_code=regency,
            province_code=province,
            birth_date=nik_date,
            sex=nik_sex,
            serial=serial,
        )
    warnings = _district_warning(district, known_district, MSG_NIK_UNKNOWN_DISTRICT)
    return NikResult(value=value, info=info, errors=tuple(errors), warnings=warnings)


def validate_kk(raw: str, *, known_district: Callable[[str], bool] | None = None) -> KkResult:
    """Check a family card number: 16 digits, serial not 0000, district prefix known.

    Digits 7-12 are the card's issue date and are not checked.
    """
    value = normalise_nik(raw)
    structural = _check_structure(value, _KK_MESSAGES)
    if structural:
        return KkResult(value=value, info=None, errors=structural, warnings=())

    province, regency, district = _district_codes(value)
    serial = value[12:16]
    errors: tuple[NikIssue, ...] = ()
    info = None
    if serial == "0000":
        errors = (NikIssue("serial_zero", MSG_KK_SERIAL_ZERO, {}),)
    else:
        info = KkInfo(
            kk=value,
            district_code=district,
            regency_code=regency,
            province_code=province,
            serial=serial,
        )
    warnings = _district_warning(district, known_district, MSG_KK_UNKNOWN_DISTRICT)
    return KkResult(value=value, info=info, errors=errors, warnings=warnings)


def mask_nik(nik: str) -> str:
    """Hide all but the first four and last two digits: "1602**********01".

    A value too short to keep most of it hidden is masked entirely.
    """
    value = normalise_nik(nik)
    if len(value) < 12:
        return "*" * len(value)
    return value[:4] + "*" * (len(value) - 6) + value[-2:]
