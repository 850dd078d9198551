"""Texts stored as a message and its parameters, rendered in the reader's language.

A timeline line written by the system ("Assessment completed. Recommended: …") is stored as
the English source string and its parameters, not as the sentence in the writer's language,
so that an Indonesian inspector and an English administrator read the same event each in
their own. The stored form is plain JSON::

    {"m": "Phase: %(what)s", "p": {"what": {"c": ["rehab.models", "Phase.Kind"], "v": "detox"}}}

A parameter is one of:

- a literal (a number, a reference, a name someone typed): shown as stored;
- another message (``msg``): translated in its turn;
- a choice (``choice``): the label of a TextChoices member, looked up when read;
- a field (``field``): a model field's verbose name;
- a list (``joined``): its items rendered and joined.

The message itself is marked with ``gettext_noop`` where it is written, so ``makemessages``
extracts it. Reading never fails: a message whose translation does not fit its parameters is
shown in English, and a choice or field that no longer exists is shown by its stored value.
"""

from __future__ import annotations

import enum
import importlib
from collections.abc import Iterable
from typing import Any

from django.db import models
from django.utils.translation import gettext

Stored = dict[str, Any]


class MessageField(models.JSONField):
    """A column holding a text in the stored form above; read it with ``render``."""


def msg(message: str, **params: Any) -> Stored:
    """A message (marked with gettext_noop by the caller) and its parameters."""
    stored: Stored = {"m": str(message)}
    if params:
        stored["p"] = {name: _param(value) for name, value in params.items()}
    return stored


def choice(choices: type[enum.Enum], value: Any) -> Stored:
    """The label of a value of a choices class (``choice(Referral.Source, "bnnk")``), read in
    the reader's language. A choices member as a parameter is stored the same way."""
    return {"c": [choices.__module__, choices.__qualname__], "v": value}


def field(model: type, name: str) -> Stored:
    """A model field's verbose name (``field(Client, "birth_date")``)."""
    return {"f": [model.__module__, model.__qualname__], "n": name}


def joined(items: Iterable[Any], separator: str = ", ") -> Stored:
    """Items rendered one by one and joined with the separator."""
    return {"l": [_param(item) for item in items], "s": separator}


def _param(value: Any) -> Any:
    if isinstance(value, dict):  # already stored form (msg, choice, field, joined)
        return value
    if isinstance(value, enum.Enum):
        return choice(type(value), value.value)
    if isinstance(value, int | float) and not isinstance(value, bool):
        return value
    return str(value)


def render(stored: Any) -> str:
    """The stored text in the active language."""
    if isinstance(stored, dict):
        if "m" in stored:
            return _message(stored)
        if "c" in stored:
            return _choice_label(stored)
        if "f" in stored:
            return _field_label(stored)
        if "l" in stored:
            return str(stored.get("s", ", ")).join(render(item) for item in stored["l"])
        return ""
    return "" if stored is None else str(stored)


def _message(stored: Stored) -> str:
    message = str(stored["m"])
    params = stored.get("p")
    if not params:
        return gettext(message)
    values = {name: render(value) for name, value in params.items()}
    try:
        return gettext(message) % values
    except (KeyError, TypeError, ValueError):  # a translation that does not fit
        try:
            return message % values
        except (KeyError, TypeError, ValueError):
            return message


def _resolve(path: list[str]) -> Any:
    module_name, qualname = path
    if module_name.split(".")[0] not in _APPS:
        return None
    try:
        found: Any = importlib.import_module(module_name)
    except ImportError:
        return None
    for name in qualname.split("."):
        found = getattr(found, name, None)
        if found is None:
            return None
    return found


def _choice_label(stored: Stored) -> str:
    cls = _resolve(stored["c"])
    try:
        return str(cls(stored["v"]).label)
    except (TypeError, ValueError, AttributeError):
        return str(stored["v"])


def _field_label(stored: Stored) -> str:
    model = _resolve(stored["f"])
    try:
        return str(model._meta.get_field(stored["n"]).verbose_name)
    except Exception:  # noqa: BLE001 - a field since removed is shown by its name
        return str(stored["n"])


# Only the project's own modules are imported to read a label.
_APPS = {"aid", "assessments", "atensi", "cases", "prevention", "rehab"}
