"""Reads of the Kemendagri area codes.

Regions are reference data, not personal data: any signed-in user may look them up.
`region_search` is the one read that narrows to the user's service area (pickers offer only
villages a user may record a person in).
"""

from __future__ import annotations

import re

from django.db.models import Case, IntegerField, Q, QuerySet, Value, When

from atensi.accounts import policy
from atensi.accounts.models import User

from .models import Region

CODE_QUERY_RE = re.compile(r"^[0-9]{1,2}(\.[0-9]{0,4})*$")

# Papua's provinces call their districts "distrik" (UU 21/2001); everywhere else "kecamatan".
PAPUA_PROVINCES = frozenset({"91", "92", "93", "94", "95", "96"})


def _matching(qs: QuerySet, q: str) -> QuerySet:
    """Name contains `q`; when `q` looks like a code (`16.02`), also codes starting with it.

    Names that start with `q` come first, then by name.
    """
    q = " ".join(q.split())
    if not q:
        return qs.order_by("name", "code")
    condition = Q(name__icontains=q)
    if CODE_QUERY_RE.match(q):
        condition |= Q(code__startswith=q)
    return qs.filter(condition).order_by(
        Case(
            When(name__istartswith=q, then=Value(0)),
            default=Value(1),
            output_field=IntegerField(),
        ),
        "name",
        "code",
    )


def region_list(*, q: str = "", level: int | None = None, parent: str | None = None) -> QuerySet:
    """All regions (reference data), optionally by level, parent code and name/code search."""
    qs = Region.objects.select_related("parent__parent")
    if level is not None:
        qs = qs.filter(level=level)
    if parent:
        qs = qs.filter(parent_id=parent)
    return _matching(qs, q) if q.strip() else qs.order_by("code")


def region_search(
    *,
    user: User,
    q: str,
    level: int | None = Region.Level.VILLAGE,
    limit: int | None = 20,
) -> QuerySet:
    """Regions inside the user's service area whose name (or code prefix) matches `q`.

    Ordered by name with the parent and grandparent joined, so `region_label` costs no query.
    `limit=None` returns the unsliced queryset (for pagination).
    """
    qs = policy.scope(Region.objects.select_related("parent__parent"), user, "code")
    if level is not None:
        qs = qs.filter(level=level)
    qs = _matching(qs, q)
    return qs if limit is None else qs[:limit]


def region_get(*, code: str) -> Region | None:
    """The region with this exact code, or None (for validating a submitted code)."""
    code = (code or "").strip()
    if not code or len(code) > 13:
        return None
    return Region.objects.select_related("parent__parent").filter(code=code).first()


def region_short_name(region: Region) -> str:
    """The name as used in an address: "Kab. Ogan Komering Ilir", "Kec. Kayu Agung"."""
    if region.level == Region.Level.REGENCY and region.name.startswith("Kabupaten "):
        return "Kab. " + region.name.removeprefix("Kabupaten ")
    if region.level == Region.Level.DISTRICT:
        prefix = "Distrik" if region.code[:2] in PAPUA_PROVINCES else "Kec."
        return f"{prefix} {region.name}"
    return region.name


def region_label(region: Region) -> str:
    """The name and up to two levels above it: "Sukamaju — Kec. Kayu Agung, Kab. Ogan
    Komering Ilir". Select `parent__parent` first, or this costs up to two queries."""
    own = region.name if region.level == Region.Level.VILLAGE else region_short_name(region)
    ancestors = []
    parent = region.parent
    while parent is not None and len(ancestors) < 2:
        ancestors.append(region_short_name(parent))
        parent = parent.parent if len(ancestors) < 2 else None
    return f"{own} — {', '.join(ancestors)}" if ancestors else own
