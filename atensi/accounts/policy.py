"""The one access rule.

A user sees a record when the record's region code lies inside their organisation's
service area; Kemendagri codes nest as dotted prefixes, so "inside" is a prefix test.
Roles then narrow what kind of record a user may see or change at all. Every selector,
page, API endpoint, export and dashboard goes through the functions here.
"""

from __future__ import annotations

from functools import reduce
from operator import or_

from django.db.models import Q, QuerySet

from .models import User

Role = User.Role

# What each role may do with case data. Anything not listed is refused.
CASE_READERS = {Role.CASEWORKER, Role.SUPERVISOR, Role.CENTRE, Role.ADMIN}
CASE_WRITERS = {Role.CASEWORKER, Role.SUPERVISOR, Role.CENTRE}
# Centre staff refer the people their outreach finds to the district's Dinsos.
REFERRAL_SUBMITTERS = {Role.REFERRER, Role.CASEWORKER, Role.SUPERVISOR, Role.CENTRE}
# Who follows only their own organisation's referrals (and decides none).
OWN_REFERRALS_ONLY = {Role.REFERRER, Role.CENTRE}
REFERRAL_DECIDERS = {Role.CASEWORKER, Role.SUPERVISOR}
AUDIT_READERS = {Role.SUPERVISOR, Role.ADMIN}
DASHBOARD_READERS = {Role.VIEWER, Role.SUPERVISOR, Role.CENTRE, Role.ADMIN, Role.CASEWORKER}


def area_codes(user: User) -> list[str]:
    """The region codes of the user's service area, cached on the user for the request."""
    if not user.is_authenticated or user.organisation_id is None:
        return []
    if not user.organisation.is_active:
        return []
    cached = getattr(user, "_area_codes", None)
    if cached is None:
        cached = organisation_area_codes(user.organisation)
        user._area_codes = cached
    return cached


def code_in_area(code: str | None, codes: list[str]) -> bool:
    if not code:
        return False
    return any(code == area or code.startswith(area + ".") for area in codes)


def in_area(user: User, code: str | None) -> bool:
    return code_in_area(code, area_codes(user))


def organisation_area_codes(organisation) -> list[str]:
    """The region codes of an organisation's service area (none while it is inactive)."""
    if organisation is None or not organisation.is_active:
        return []
    return sorted(organisation.service_area.values_list("code", flat=True))


def codes_q(codes: list[str], field: str) -> Q:
    """A filter keeping rows whose `field` (a region code) lies inside the given codes."""
    if not codes:
        return Q(pk__in=[])
    return reduce(
        or_, (Q(**{field: code}) | Q(**{f"{field}__startswith": code + "."}) for code in codes)
    )


def area_q(user: User, field: str) -> Q:
    """A filter keeping rows whose `field` (a region code) lies inside the user's area."""
    return codes_q(area_codes(user), field)


def scope(qs: QuerySet, user: User, field: str) -> QuerySet:
    return qs.filter(area_q(user, field))


def reads_handed_over_only(user: User) -> bool:
    """Centre staff serve three provinces but work on few people: they read only the clients
    their organisation registered, holds a case of, or received a case of by referral."""
    return user.is_authenticated and user.role == Role.CENTRE


def scope_clients(qs: QuerySet, user: User, client: str = "") -> QuerySet:
    """Keep rows whose client (the path `client` to it, "" for clients themselves) the user
    may read: inside the area and, for centre staff, handed to their organisation."""
    prefix = f"{client}__" if client else ""
    qs = scope(qs, user, f"{prefix}village__code")
    if reads_handed_over_only(user):
        org = user.organisation_id
        handed = (
            Q(**{f"{prefix}registered_by_id": org})
            | Q(**{f"{prefix}cases__organisation_id": org})
            | Q(**{f"{prefix}cases__referred_to_org_id": org})
        )
        # A subquery, not a join: a client with several cases stays one row.
        qs = qs.filter(pk__in=qs.model._default_manager.filter(handed).values("pk"))
    return qs


def has_role(user: User, roles: set) -> bool:
    """The user holds one of the roles, in an organisation that is still active."""
    return bool(
        user.is_authenticated
        and user.is_active
        and user.role in roles
        and user.organisation_id is not None
        and user.organisation.is_active
    )


def can_read_cases(user: User) -> bool:
    return has_role(user, CASE_READERS)


def can_write_cases(user: User) -> bool:
    return has_role(user, CASE_WRITERS)


def can_write_case(user: User, case) -> bool:
    """Case work is done by the organisation that holds the case; others in the area may read."""
    return can_write_cases(user) and case.organisation_id == user.organisation_id


def can_write_client(user: User, client) -> bool:
    """A client's details, family and consent are changed by the organisation that registered
    the client, holds an open case of them, or received a case of them by referral; others
    in the area may only read."""
    if not can_write_cases(user) or not in_area(user, client.village_id):
        return False
    org = user.organisation_id
    if client.registered_by_id == org:
        return True
    return client.cases.filter(
        Q(organisation_id=org, closed_at__isnull=True) | Q(referred_to_org_id=org)
    ).exists()


def can_submit_referrals(user: User) -> bool:
    return has_role(user, REFERRAL_SUBMITTERS)


def can_read_referrals(user: User) -> bool:
    return has_role(user, REFERRAL_SUBMITTERS | REFERRAL_DECIDERS | {Role.ADMIN})


def can_decide_referrals(user: User) -> bool:
    return has_role(user, REFERRAL_DECIDERS)


def can_read_audit(user: User) -> bool:
    return has_role(user, AUDIT_READERS)


def can_see_full_nik(user: User) -> bool:
    return has_role(user, CASE_WRITERS)


def can_assign_cases(user: User) -> bool:
    return has_role(user, {Role.SUPERVISOR})


def can_export(user: User) -> bool:
    return has_role(user, {Role.SUPERVISOR})


# --- rehabilitation -------------------------------------------------------------------

# Who records rehabilitation episodes: Dinsos and centre staff on the cases their
# organisation holds, and any of these (BNNK staff too) where their organisation provides it.
REHAB_WRITERS = {Role.CASEWORKER, Role.SUPERVISOR, Role.CENTRE, Role.REFERRER}


def can_write_rehab(user: User) -> bool:
    return has_role(user, REHAB_WRITERS)


def organisations_with_staff(roles) -> QuerySet:
    """Ids of the organisations with an active user in one of ``roles`` (a subquery)."""
    return User.objects.filter(is_active=True, role__in=roles).values("organisation_id")


def can_manage_episode(user: User, episode) -> bool:
    """The provider's staff manage its episodes; the organisation holding the case does too,
    except BNNK staff, who manage only the episodes their organisation provides."""
    if not can_write_rehab(user):
        return False
    if episode.provider_id == user.organisation_id:
        return True
    return user.role != Role.REFERRER and episode.case.organisation_id == user.organisation_id
