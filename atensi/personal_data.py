"""Everything the system holds about one person, for an access request (UU 27/2022 art. 7).

The records are found from the model graph, not from a list kept by hand: every row that
points at the person (directly or through their cases, proposals, episodes… up to three
steps), and every row of a table with a NIK column that carries their NIK (the register, the
uploaded proposal lists, other families' members). A model added later is therefore included
without anyone remembering to add it. Each table becomes a sheet; a summary sheet comes first.
"""

from __future__ import annotations

import datetime
import json
import re
import uuid
from dataclasses import dataclass, field

from django.apps import apps
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _

from atensi import texts
from atensi.spreadsheets import SafeWorkbook

DEPTH = 3  # client → case → event; client → proposal → hand-over → item
CELL_MAX = 32_000  # a spreadsheet cell holds at most 32,767 characters
# Platform tables that point at records without being about the person.
SKIPPED_APPS = {"summaries", "audit", "pgtrigger", "contenttypes", "sessions", "admin"}


@dataclass
class Section:
    model: type[models.Model]
    rows: dict = field(default_factory=dict)  # pk → instance, in the order found

    @property
    def title(self) -> str:
        return str(self.model._meta.verbose_name_plural).capitalize()


def _paths(model, prefix: str, depth: int, seen: tuple):
    """(model, lookup to the client) of every one-to-many relation reachable from `model`."""
    for relation in model._meta.related_objects:
        if not (relation.one_to_many or relation.one_to_one):
            continue
        child = relation.related_model
        if child._meta.app_label in SKIPPED_APPS or child in seen:
            continue
        lookup = f"{relation.field.name}__{prefix}" if prefix else relation.field.name
        yield child, lookup
        if depth > 1:
            yield from _paths(child, lookup, depth - 1, (*seen, child))


def gather(client, *, copies: bool = True) -> list[Section]:
    """Every row held about the client, grouped per table, the client's own row first.
    ``copies=False`` leaves out tables that are another body's data kept as received (a model
    with ``external_copy = True``, e.g. the national register)."""
    model = type(client)
    sections: dict[type, Section] = {model: Section(model, {client.pk: client})}
    for child, lookup in _paths(model, "", DEPTH, (model,)):
        section = sections.setdefault(child, Section(child))
        for row in child._default_manager.filter(**{lookup: client}).distinct():
            section.rows.setdefault(row.pk, row)
    if client.nik:
        for candidate in apps.get_models():
            if candidate._meta.app_label in SKIPPED_APPS or candidate is model:
                continue
            if not copies and getattr(candidate, "external_copy", False):
                continue
            nik = next((f for f in candidate._meta.concrete_fields if f.name == "nik"), None)
            if nik is None or not isinstance(nik, models.CharField):
                continue
            section = sections.setdefault(candidate, Section(candidate))
            for row in candidate._default_manager.filter(nik=client.nik):
                section.rows.setdefault(row.pk, row)
    return [section for section in sections.values() if section.rows]


def _value(row, model_field, client):
    if model_field.is_relation:
        target_id = getattr(row, model_field.attname)
        if target_id is None:
            return None
        if model_field.related_model is type(client) and target_id != client.pk:
            return _("(another person)")
        return str(getattr(row, model_field.name))
    value = getattr(row, model_field.attname)
    if isinstance(model_field, texts.MessageField):
        return texts.render(value) or None
    if model_field.choices and value not in (None, ""):
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).replace(tzinfo=None) if value.tzinfo else value
    if isinstance(value, models.fields.files.FieldFile):
        return value.name or None
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, list | tuple):
        return ", ".join(str(item) for item in value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, default=str)[:CELL_MAX]
    if isinstance(value, str):
        return value[:CELL_MAX]
    return value


def _sheet_title(text: str, used: set[str]) -> str:
    title = re.sub(r"[\[\]:*?/\\]", " ", text)[:31].strip() or "Data"
    base, n = title, 2
    while title.lower() in used:
        suffix = f" ({n})"
        title, n = base[: 31 - len(suffix)] + suffix, n + 1
    used.add(title.lower())
    return title


def workbook(client, *, by) -> tuple[bytes, int]:
    """The XLSX of everything held about the client, and the number of rows it holds."""
    sections = gather(client)
    book = SafeWorkbook()
    summary = book.sheet(_("Summary"), widths=[44, 60])
    summary.append([_("Personal data held about"), client.full_name])
    summary.append([_("Exported on"), timezone.localtime().replace(tzinfo=None)])
    summary.append([_("Exported by"), f"{by} ({by.organisation})"])
    summary.append([
        _("Why"),
        _("Access request of the data subject (UU 27/2022 on personal data protection, "
          "art. 7). Each sheet is one kind of record; a row is one record."),
    ])  # fmt: skip
    summary.append([])
    summary.append([_("Sheet"), _("Records")])
    used = {str(_("Summary")).lower()}
    titles = [_sheet_title(section.title, used) for section in sections]
    for title, section in zip(titles, sections, strict=True):
        summary.append([title, len(section.rows)])
    total = 0
    for title, section in zip(titles, sections, strict=True):
        fields = list(section.model._meta.concrete_fields)
        sheet = book.sheet(title, widths=[22] * len(fields))
        sheet.append([str(f.verbose_name).capitalize() for f in fields])
        for row in section.rows.values():
            sheet.append([_value(row, f, client) for f in fields])
            total += 1
    return book.content(), total
