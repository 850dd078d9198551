"""The demo data set that ``manage.py load_demo`` loads: each app registers the part it
fills (from its ``AppConfig.ready``) with its place in the order; the platform knows the
parts only by name and imports no domain app. Every part is idempotent: it returns False
and changes nothing when its data is already there."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Part:
    order: int
    name: str
    load: str  # dotted path of load(*, users, stdout) -> whether it loaded anything
    present: str  # said when the part was already there


PARTS: dict[str, Part] = {}


def register(order: int, name: str, load: str, *, present: str) -> None:
    """Add a part: ``load`` is the dotted path of its function, imported only when the
    demo is loaded."""
    PARTS[name] = Part(order, name, load, present)


def load_all(*, stdout) -> None:
    """Load every registered part in order; each is given the demo users made so far."""
    from django.utils.module_loading import import_string

    from atensi.accounts.models import User

    for part in sorted(PARTS.values(), key=lambda p: p.order):
        users = {u.username: u for u in User.objects.filter(username__startswith="demo-")}
        if not import_string(part.load)(users=users, stdout=stdout):
            stdout.write(part.present)
