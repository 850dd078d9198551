"""The world the schema test fuzzes: the demo data set (`manage.py load_demo`), its users
as the cast, the ids its paths can name, and what the outsider must never read back.

The demo fills every page and endpoint through the services: clients, referrals and cases
in Ogan Komering Ilir, a register import and an eligibility batch, a programme with
proposals, a decree and hand-overs, rehabilitation episodes, family guidance, IBM units,
survey units and BNNK's prevention work. The outsider is the caseworker of Dinsos Ogan Ilir.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from django.apps import apps
from django.db import models

from atensi import demos
from atensi.accounts.models import User

DEMO_USERS = {
    "caseworker": "demo-caseworker",
    "supervisor": "demo-supervisor",
    "outsider": "demo-caseworker-2",
    "referrer": "demo-referrer",
    "centre": "demo-centre",
    "viewer": "demo-viewer",
    "admin": "demo-admin",
}

OKI = "16.02"

# The model behind each collection of /api/v1/, and the field its path id names.
COLLECTIONS = {
    "clients": ("cases.Client", "pk"),
    "referrals": ("cases.Referral", "pk"),
    "cases": ("cases.Case", "pk"),
    "regions": ("regions.Region", "code"),
    "screenings": ("assessments.Screening", "pk"),
    "assessments": ("assessments.Assessment", "pk"),
    "plan-items": ("assessments.PlanItem", "pk"),
    "register-imports": ("assessments.RegisterSnapshot", "pk"),
    "eligibility-batches": ("assessments.EligibilityBatch", "pk"),
    "programmes": ("aid.Programme", "pk"),
    "aid-items": ("aid.AidItem", "pk"),
    "proposals": ("aid.Proposal", "pk"),
    "decrees": ("aid.Decree", "pk"),
    "handovers": ("aid.Handover", "pk"),
    "decree-documents": ("aid.DecreeDocument", "pk"),
    "episodes": ("rehab.Episode", "pk"),
    "sessions": ("rehab.Session", "pk"),
    "follow-ups": ("rehab.AftercareFollowUp", "pk"),
    "family-series": ("rehab.FamilySeries", "pk"),
    "family-sessions": ("rehab.FamilySession", "pk"),
    "ibm-units": ("rehab.IbmUnit", "pk"),
    "survey-units": ("rehab.SurveyUnit", "code"),
    "activities": ("prevention.Activity", "pk"),
    "village-status": ("prevention.VillageStatus", "village_id"),
    "dashboard-reports": ("dashboard.DashboardReport", "pk"),
}
# Ids inside a path, after the collection's own: {member_id} and {row_pk}.
NESTED = {
    "member_id": ("cases.FamilyMember", "pk"),
    "row_pk": ("assessments.BatchRow", "pk"),
}
# How many records of each collection a path may name; the rest of the values are generated.
PER_COLLECTION = 3

# The apps whose records the outsider must not read back when they lie in Ogan Komering Ilir.
DOMAIN_APPS = ("cases", "assessments", "aid", "rehab", "prevention")


@dataclass
class Cast:
    caseworker: User
    supervisor: User
    outsider: User
    referrer: User
    centre: User
    viewer: User
    admin: User


def build_world() -> Cast:
    """Load the demo (the regions must be there) and return its users by role."""
    demos.load_all(stdout=io.StringIO())
    users = {u.username: u for u in User.objects.filter(username__in=DEMO_USERS.values())}
    return Cast(**{role: users[username] for role, username in DEMO_USERS.items()})


def _values(label: str, field: str) -> list[str]:
    model = apps.get_model(label)
    rows = model.objects.order_by(field).values_list(field, flat=True)[:PER_COLLECTION]
    return [str(value) for value in rows]


def path_ids(paths) -> dict[tuple[str, str], list[str]]:
    """{(path, parameter): real ids} for every path parameter of the schema's paths."""
    out = {}
    for path in paths:
        collection = path.removeprefix("/api/v1/").split("/")[0]
        for part in path.split("/"):
            if not part.startswith("{"):
                continue
            name = part.strip("{}")
            source = NESTED.get(name) or COLLECTIONS.get(collection)
            if source is not None:
                out[(path, name)] = _values(*source)
    return out


def _region_path(model) -> str | None:
    """The lookup from a record to the region code it lies in, when it has one."""
    names = {f.name for f in model._meta.get_fields()}
    for path in ("village", "region", "client__village", "case__client__village",
                 "episode__client__village", "proposal__client__village"):  # fmt: skip
        if path.split("__")[0] in names:
            return f"{path}__code"
    return None


def outsider_secrets() -> set[str]:
    """The ids of the records that lie in Ogan Komering Ilir, and its clients' NIKs (names
    are left out: the demo draws them from short lists, so Ogan Ilir has the same ones)."""
    secrets: set[str] = set()
    for app in DOMAIN_APPS:
        for model in apps.get_app_config(app).get_models():
            region = _region_path(model)
            if region is None or not isinstance(model._meta.pk, models.UUIDField):
                continue
            rows = model.objects.filter(**{f"{region}__startswith": OKI})
            secrets.update(str(pk) for pk in rows.values_list("pk", flat=True))
    Client = apps.get_model("cases.Client")
    secrets.update(
        Client.objects.filter(village__code__startswith=OKI).values_list("nik", flat=True)
    )
    return secrets
