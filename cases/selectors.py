"""Reads of clients, referrals and cases, always through the access policy."""

from __future__ import annotations

import datetime

from django.db.models import Count, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from atensi.accounts import policy
from atensi.accounts.models import Organisation, User
from atensi.summaries import facts as summaries

from .models import (
    CLOSED_STAGES,
    Case,
    CaseEvent,
    Client,
    Consent,
    ConsentWithdrawal,
    Referral,
    Stage,
)

REFERRAL_REGION = "region__code"


def client_list(*, user: User, q: str = "") -> QuerySet[Client]:
    if not policy.can_read_cases(user):
        return Client.objects.none()
    qs = policy.scope_clients(Client.objects.all(), user).select_related("village__parent__parent")
    q = q.strip()
    if q.isdigit():
        qs = qs.filter(Q(nik__startswith=q) | Q(kk_number__startswith=q))
    elif q:
        qs = qs.filter(Q(full_name__icontains=q) | Q(alias__icontains=q))
    return qs


def client_get(*, user: User, pk) -> Client:
    return get_object_or_404(client_list(user=user), pk=pk)


def referral_list(*, user: User, status: str = "", q: str = "") -> QuerySet[Referral]:
    """Referrers and centre staff see their own organisation's referrals; deciders, those in
    their area."""
    qs = Referral.objects.select_related(
        "referring_org", "region__parent", "client", "case", "joined_case"
    ).prefetch_related("attachments")
    if policy.has_role(user, policy.OWN_REFERRALS_ONLY):
        qs = qs.filter(referring_org_id=user.organisation_id)
    elif policy.can_read_referrals(user):
        qs = policy.scope(qs, user, REFERRAL_REGION)
    else:
        return Referral.objects.none()
    if status:
        qs = qs.filter(status=status)
    q = q.strip()
    if q.isdigit():  # the first digits of a NIK, as the client list takes them
        qs = qs.filter(nik__startswith=q)
    elif q:
        qs = qs.filter(Q(reference__icontains=q) | Q(full_name__icontains=q))
    # Newest first by the date the list shows (a referral entered late, or imported with
    # others at once, takes its place by its own date).
    return qs.order_by("-referral_date", "-submitted_at")


def referral_get(*, user: User, pk) -> Referral:
    return get_object_or_404(referral_list(user=user), pk=pk)


def case_list(*, user: User, stage: str = "", mine: bool = False, q: str = "") -> QuerySet[Case]:
    if not policy.can_read_cases(user):
        return Case.objects.none()
    qs = policy.scope_clients(Case.objects.all(), user, "client").select_related(
        "client__village__parent", "organisation", "assigned_to", "referred_to_org"
    )
    if stage == "open":
        qs = qs.exclude(stage__in=CLOSED_STAGES)
    elif stage:
        qs = qs.filter(stage=stage)
    if mine:
        qs = qs.filter(assigned_to=user)
    q = q.strip()
    if q.isdigit():  # the first digits of a NIK, as the client list takes them
        qs = qs.filter(client__nik__startswith=q)
    elif q:
        qs = qs.filter(Q(reference__icontains=q) | Q(client__full_name__icontains=q))
    return qs


def case_get(*, user: User, pk) -> Case:
    return get_object_or_404(case_list(user=user), pk=pk)


def handover_case(*, client: Client, organisation: Organisation) -> Case | None:
    """The newest case of the client referred out to the organisation: the handover that
    lets it open its own case on a client another organisation registered."""
    return (
        client.cases.filter(stage=Stage.REFERRED_OUT, referred_to_org=organisation)
        .select_related("organisation")
        .order_by("-closed_at")
        .first()
    )


def referral_destinations(*, case: Case) -> QuerySet[Organisation]:
    """Organisations a case can be referred out to within the system: active ones, other
    than its own, whose service area holds the client's village, and with staff who work
    with clients (a regency's government, whose users only read the dashboard, is not)."""
    code = case.client.village_id
    parts = code.split(".")
    prefixes = [".".join(parts[:i]) for i in range(1, len(parts) + 1)]
    return (
        Organisation.objects.filter(is_active=True, service_area__code__in=prefixes)
        .filter(pk__in=policy.organisations_with_staff(policy.REHAB_WRITERS))
        .exclude(pk=case.organisation_id)
        .distinct()
        .order_by("name")
    )


def case_timeline(*, case: Case) -> QuerySet[CaseEvent]:
    return case.events.select_related("actor")


def overdue_cases(
    *, user: User, today: datetime.date | None = None, mine: bool = True
) -> QuerySet[Case]:
    today = today or timezone.localdate()
    return case_list(user=user, stage="open", mine=mine).filter(next_action_due__lt=today)


def home_summary(*, user: User) -> dict:
    """The home page: open cases by stage (my own; a supervisor's whole team), referrals
    waiting, overdue items."""
    mine = user.role != User.Role.SUPERVISOR
    by_stage = dict(
        case_list(user=user, stage="open", mine=mine)
        .filter(organisation_id=user.organisation_id)
        .order_by()
        .values_list("stage")
        .annotate(n=Count("id"))
    )
    stages = [
        (s, label, by_stage.get(s, 0)) for s, label in Stage.choices if s not in CLOSED_STAGES
    ]
    return {
        "stages": stages,
        "open_total": sum(by_stage.values()),
        "waiting": referral_list(user=user, status=Referral.Status.SUBMITTED)
        if policy.can_decide_referrals(user)
        else Referral.objects.none(),
        "overdue": overdue_cases(user=user, mine=mine)
        .filter(organisation_id=user.organisation_id)
        .order_by("next_action_due"),
        "mine": mine,
        # The aid app sits after cases in the flow: imported here, not at the top.
        "followups": _followups_due(user=user, mine=mine),
    }


def _followups_due(*, user: User, mine: bool):
    from aid.selectors import followups_due

    return followups_due(user=user, mine=mine)


FAMILY_HISTORY_FIELDS = ("relation", "full_name", "nik", "phone")
CLIENT_HISTORY_FIELDS = (
    "kk_number", "full_name", "alias", "sex", "birth_place", "birth_date", "religion",
    "education", "occupation", "marital_status", "phone", "address", "village_id", "substances",
)  # fmt: skip


def clients_past_retention(now: datetime.datetime) -> list:
    """Ids of clients not yet anonymised whose every case has been closed for longer than
    RETENTION_CLOSED_CASE_YEARS."""
    from django.conf import settings
    from django.db.models import Max

    from atensi.retention import PLACEHOLDER_PREFIX, years_before

    cutoff = years_before(now, settings.RETENTION_CLOSED_CASE_YEARS)
    return list(
        Client.objects.exclude(nik__startswith=PLACEHOLDER_PREFIX)
        .annotate(
            still_open=Count("cases", filter=~Q(cases__stage__in=CLOSED_STAGES)),
            last_closed=Max("cases__closed_at"),
        )
        .filter(still_open=0, last_closed__lt=cutoff)
        .values_list("pk", flat=True)
    )


def starting_checks(*, case: Case) -> dict | None:
    """What is missing before a case in planning moves into intervention, said (not
    refused) beside the move: a plan without items, an assessment not yet approved (its
    status, or None without any). None for a case in another stage."""
    if case.stage != Stage.PLANNING:
        return None
    assessment = case.assessments.order_by("-assessed_on", "-created_at").first()
    return {
        "no_plan": not case.plan_items.exists(),
        "assessment": assessment,
        "unapproved": assessment is None or assessment.status != "approved",
    }


def closing_checks(*, case: Case) -> dict:
    """What is still under way in a case, said before it is closed or referred out: its
    rehabilitation episodes not yet ended (closing waits for them), and, for information,
    its plan items whose target date is ahead, its aftercare follow-ups still due, and the
    client's aid proposals of the case's organisation still on their way."""
    from django.apps import apps  # rehab and aid come after cases in the flow

    follow_ups = apps.get_model("rehab", "AftercareFollowUp").objects
    under_way = apps.get_model("aid", "Proposal").UNDER_WAY
    today = timezone.localdate()
    return {
        "episodes": list(
            case.episodes.filter(ended_on__isnull=True)
            .select_related("provider")
            .order_by("started_on")
        ),
        "plan_ahead": list(case.plan_items.filter(target_date__gt=today).order_by("target_date")),
        "follow_ups": list(follow_ups.filter(episode__case=case, status="due").order_by("due_on")),
        "proposals": list(
            case.client.proposals.filter(
                state__in=under_way, programme__organisation_id=case.organisation_id
            ).order_by("created_at")
        ),
    }


def consent_withdrawn(*, client: Client, purpose: str) -> ConsentWithdrawal | None:
    """The withdrawal in force for a purpose: the latest one, unless consent for the purpose
    was given again after it."""
    withdrawal = (
        client.withdrawals.filter(purposes__contains=[purpose])
        .order_by("-date", "-recorded_at")
        .first()
    )
    if withdrawal is None:
        return None
    given_again = client.consents.filter(purposes__contains=[purpose]).filter(
        Q(date__gt=withdrawal.date)
        | Q(date=withdrawal.date, recorded_at__gt=withdrawal.recorded_at)
    )
    return None if given_again.exists() else withdrawal


def consent_covers(*, client: Client, purpose: str) -> bool:
    """Whether consent (or another lawful basis) covers the purpose now: recorded for it, and
    not withdrawn since (``consent_state``'s "given")."""
    return consent_now(client=client, purpose=purpose) == "given"


def consent_now(*, client: Client, purpose: str) -> str | None:
    """``consent_state``'s state of one purpose: "given", "withdrawn", or None when nothing
    was ever recorded for it. Reads ``client.consents`` and ``client.withdrawals`` through
    ``.all()``, so a caller that prefetched them for many clients makes no query."""
    return next((s["state"] for s in consent_state(client=client) if s["code"] == purpose), None)


def consent_state(*, client: Client) -> list[dict]:
    """Per purpose: whether consent (or another lawful basis) covers it now, and since when."""
    consents = list(client.consents.all())
    withdrawals = list(client.withdrawals.all())
    state = []
    for code, label in Consent.Purpose.choices:
        events = [(c.date, c.recorded_at, "given", c) for c in consents if code in c.purposes]
        events += [
            (w.date, w.recorded_at, "withdrawn", w) for w in withdrawals if code in w.purposes
        ]
        if not events:
            continue
        date, _at, kind, record = max(events, key=lambda e: (e[0], e[1]))
        state.append({"code": code, "label": label, "state": kind, "date": date, "record": record})
    return state


def family_history(*, client: Client, show_nik: bool) -> list[dict]:
    """Who added, changed or removed which of the client's family members, and when: read
    from the members' pghistory snapshots, newest first. NIKs masked unless `show_nik`."""
    from django.apps import apps

    from .models import FamilyMember
    from .nik import mask_nik

    history = apps.get_model("cases", "FamilyMemberHistory")
    events = list(
        history.objects.filter(client_id=client.pk)
        .select_related("pgh_context")
        .order_by("pgh_obj_id", "pgh_id")
    )
    user_ids = {e.pgh_context.metadata.get("user") for e in events if e.pgh_context_id is not None}
    users = {u.pk: str(u) for u in User.objects.filter(pk__in=[i for i in user_ids if i])}
    labels = {
        name: FamilyMember._meta.get_field(name).verbose_name for name in FAMILY_HISTORY_FIELDS
    }
    relations = dict(FamilyMember.Relation.choices)

    def shown(name, value):
        if name == "relation":
            return relations.get(value, value)
        if name == "nik" and value and not show_nik:
            return mask_nik(value)
        return value or "—"

    rows, previous = [], {}
    for event in events:
        before = previous.get(event.pgh_obj_id)
        previous[event.pgh_obj_id] = event
        if before is None:
            action, changes = "added", []
        elif event.removed_at is not None and before.removed_at is None:
            action, changes = "removed", []
        else:
            action = "changed"
            changes = [
                (
                    labels[name],
                    shown(name, getattr(before, name)),
                    shown(name, getattr(event, name)),
                )
                for name in FAMILY_HISTORY_FIELDS
                if getattr(before, name) != getattr(event, name)
            ]
            if not changes:
                continue
        context = event.pgh_context.metadata if event.pgh_context_id is not None else {}
        rows.append({
            "at": event.pgh_created_at, "action": action, "changes": changes,
            "name": event.full_name, "relation": relations.get(event.relation, event.relation),
            "actor": users.get(context.get("user"), ""),
        })  # fmt: skip
    rows.sort(key=lambda row: row["at"], reverse=True)
    return rows


def _corrections(history_model, obj_id, fields, model, shown) -> list[dict]:
    """The changes of `fields` between consecutive pghistory snapshots of one record, newest
    first, with who made them (the user in the pghistory context)."""
    events = list(
        history_model.objects.filter(pgh_obj_id=obj_id)
        .select_related("pgh_context")
        .order_by("pgh_id")
    )
    user_ids = {e.pgh_context.metadata.get("user") for e in events if e.pgh_context_id is not None}
    users = {u.pk: str(u) for u in User.objects.filter(pk__in=[i for i in user_ids if i])}
    labels = {name: model._meta.get_field(name).verbose_name for name in fields}
    rows = []
    for before, event in zip(events, events[1:], strict=False):
        changes = [
            (labels[name], shown(name, getattr(before, name)), shown(name, getattr(event, name)))
            for name in fields
            if getattr(before, name) != getattr(event, name)
        ]
        if changes:
            context = event.pgh_context.metadata if event.pgh_context_id is not None else {}
            rows.append({"at": event.pgh_created_at, "changes": changes,
                         "actor": users.get(context.get("user"), "")})  # fmt: skip
    rows.reverse()
    return rows


def _shown(model, show_nik: bool):
    from .models import substance_labels
    from .nik import mask_nik

    def shown(name, value):
        field = model._meta.get_field(name)
        if name == "nik" and value and not show_nik:
            return mask_nik(value)
        if field.choices:
            return dict(field.flatchoices).get(value, value) or "—"
        if isinstance(value, list):
            return ", ".join(substance_labels(value)) or "—"
        if name.endswith("_id"):
            return value or "—"
        if isinstance(value, datetime.date):
            return value.strftime("%d-%m-%Y")
        return value or "—"

    return shown


def client_history(*, client: Client, show_nik: bool) -> list[dict]:
    """Corrections of the client's details, newest first (the earlier values are kept)."""
    from django.apps import apps

    fields = ("nik", *CLIENT_HISTORY_FIELDS)
    return _corrections(
        apps.get_model("cases", "ClientHistory"), client.pk, fields, Client,
        _shown(Client, show_nik),
    )  # fmt: skip


def referral_history(*, referral: Referral) -> list[dict]:
    """Corrections the referrer made to its referral, newest first."""
    from django.apps import apps

    from .services import REFERRAL_CORRECTABLE

    fields = tuple(f"{name}_id" if name == "region" else name for name in REFERRAL_CORRECTABLE)
    return _corrections(
        apps.get_model("cases", "ReferralHistory"), referral.pk, fields, Referral,
        _shown(Referral, show_nik=True),
    )  # fmt: skip


# --- aggregates for the dashboard -------------------------------------------------------
# Counts only, already scoped to the region codes given (the caller checks that the reader
# may see them), computed by the database. ``width`` groups by the first characters of the
# region code: 5 regency, 8 district (kecamatan), 13 village.


def referral_facts(start, end, codes) -> QuerySet:
    """The kind "referrals" of the summary tables: referrals per month, region, source and
    status (``summaries.facts``)."""
    from django.db.models import F
    from django.db.models.functions import TruncMonth

    qs = Referral.objects.all()
    if start is not None:
        qs = qs.filter(referral_date__gte=start, referral_date__lte=end)
    return summaries.facts(
        qs, codes=codes, month=TruncMonth("referral_date"), region=F("region_id"),
        keys=[F("source"), F("status")],
    )  # fmt: skip


def referral_aggregates(
    *, codes: list[str], start: datetime.date, end: datetime.date, width: int = 8
) -> dict:
    """Referrals dated within the period: by source and month, by status and by area."""
    sets = {"status": ["key2"], "source_month": ["key1", "month"], "area": ["area"]}
    got = summaries.grouped(
        "referrals", codes=codes, start=start, end=end, sets=sets, width=width
    )  # fmt: skip
    by_status = dict(got["status"])
    return {
        "sources": list(Referral.Source.choices),
        "statuses": list(Referral.Status.choices),
        "total": sum(by_status.values()),
        "by_source_month": {(source, month): n for source, month, n in got["source_month"]},
        "by_status": by_status,
        "by_area": dict(got["area"]),
    }
