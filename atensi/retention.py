"""The retention policy: what is anonymised or removed once the time to keep it has passed.

Each app registers its rules (from its ``AppConfig.ready``); ``manage.py apply_retention``
shows what each would change (a dry run, the default) and, with ``--apply``, changes it and
leaves an audit event per rule and per person anonymised.

Anonymising a person (``anonymise_person``) reuses the access-request graph
(``atensi.personal_data.gather``): every row held about them loses what identifies them — the
NIK and KK, names, phone numbers, addresses, the date of birth (kept as its year), free text
and files — while what the service and the aid were (dates, stages, items, amounts, region)
stays for the statistics and the legal duty. The history snapshots of those rows, which hold
the earlier values, are deleted.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass

import pgtrigger
from django.db import models, transaction

from atensi import texts

# Fields that identify a person wherever they appear (besides every free-text field).
IDENTIFYING = {
    "nik", "kk_number", "full_name", "alias", "birth_place", "phone", "address",
    "given_by_name", "withdrawn_by_name", "referring_officer", "occupation", "religion",
    "name", "recipient_name", "witness_name",
}  # fmt: skip
MASK = "[anonim]"


@dataclass(frozen=True)
class Rule:
    name: str
    description: str
    due: Callable[[datetime.datetime], list]  # the ids whose time has passed
    apply: Callable[[list, object], int]  # anonymise or remove them; returns rows changed


RULES: dict[str, Rule] = {}


def register(name: str, description: str, *, due, apply) -> None:
    RULES[name] = Rule(name, description, due, apply)


PLACEHOLDER_PREFIX = "00"  # no province has the code 00


def years_before(moment: datetime.datetime, years: int) -> datetime.datetime:
    """The same day `years` earlier (28 February for a 29th in a common year)."""
    try:
        return moment.replace(year=moment.year - years)
    except ValueError:
        return moment.replace(year=moment.year - years, day=28)


def months_before(moment: datetime.datetime, months: int) -> datetime.datetime:
    index = moment.year * 12 + moment.month - 1 - months
    year, month = divmod(index, 12)
    try:
        return moment.replace(year=year, month=month + 1)
    except ValueError:
        return moment.replace(year=year, month=month + 1, day=28)


def placeholder_nik(pk) -> str:
    """A NIK no person has, unique per anonymised record."""
    return PLACEHOLDER_PREFIX + str(int(str(pk).replace("-", ""), 16) % 10**14).zfill(14)


def _protections(model) -> list[str]:
    return [
        f"{model._meta.label}:{trigger.name}"
        for trigger in getattr(model._meta, "triggers", [])
        if isinstance(trigger, pgtrigger.Protect)
    ]


def _is_history(model) -> bool:
    import pghistory.models

    return issubclass(model, pghistory.models.Event)


def _scrubbed(row, field):
    value = getattr(row, field.attname)
    if value in (None, "", [], {}):
        return value
    if isinstance(field, models.FileField):
        value.delete(save=False)
        return ""
    if field.name == "birth_date" and isinstance(value, datetime.date):
        return value.replace(month=7, day=1)  # the year stays for the statistics
    if field.name in ("nik", "kk_number"):
        return "" if field.blank else placeholder_nik(row.pk)
    if field.choices:
        return "" if field.blank else value
    if isinstance(field, texts.MessageField):  # a timeline line may quote what was typed
        return None
    if isinstance(field, models.TextField) or (
        isinstance(field, models.CharField) and field.name in IDENTIFYING
    ):
        return "" if field.blank else MASK
    return value


@transaction.atomic
def anonymise_person(client) -> int:
    """Remove what identifies the client from every row held about them; returns the number
    of rows changed or deleted."""
    from atensi.personal_data import gather

    changed = 0
    for section in gather(client, copies=False):
        model = section.model
        if _is_history(model):
            changed += model.objects.filter(pk__in=list(section.rows)).delete()[0]
            continue
        fields = [f for f in model._meta.concrete_fields if not f.primary_key and not f.is_relation]
        for row in section.rows.values():
            updates = {}
            for field in fields:
                value = _scrubbed(row, field)
                if value != getattr(row, field.attname):
                    updates[field.attname] = value
            if updates:
                # An append-only table (a case's timeline) lets the policy scrub its text.
                with pgtrigger.ignore(*_protections(model)):
                    model._default_manager.filter(pk=row.pk).update(**updates)
                changed += 1
    return changed
