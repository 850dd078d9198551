"""Reads of the satisfaction survey, always through the access rule.

Who sees a survey unit and its results:
- staff of the unit's own organisation in the roles that run services (caseworker,
  supervisor, referrer, centre) manage it: edit it, print its QR code, type in paper
  questionnaires, read its results and the respondents' suggestions;
- supervisors, viewers and administrators of any organisation whose service area covers the
  unit's region read its results (aggregates, no personal data), but not the suggestions:
  they are free text and may name someone, so only the unit's own organisation reads them;
- everybody else, in particular users whose area lies elsewhere, gets a 404.
A results export (ratings per respondent, no profile, no suggestion) follows the results.
"""

from __future__ import annotations

import calendar
import datetime
import re
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.dates import MONTHS
from django.utils.translation import gettext as _

from atensi.accounts import policy
from atensi.accounts.models import User
from atensi.errors import ApplicationError
from atensi.summaries import facts as summaries
from rehab import ikm
from rehab.models.survey import SurveyResponse, SurveyUnit

Role = User.Role
MANAGERS = {Role.CASEWORKER, Role.SUPERVISOR, Role.REFERRER, Role.CENTRE}
AREA_READERS = {Role.SUPERVISOR, Role.VIEWER, Role.ADMIN}
RATING_FIELDS = tuple(code.lower() for code in ikm.CODES)


def can_manage_units(user: User) -> bool:
    """The user may set up survey units for their own organisation."""
    return policy.has_role(user, MANAGERS)


def can_manage_unit(user: User, unit: SurveyUnit) -> bool:
    return can_manage_units(user) and unit.organisation_id == user.organisation_id


def can_read_suggestions(user: User, unit: SurveyUnit) -> bool:
    return can_manage_unit(user, unit)


def survey_unit_list(*, user: User, active: bool | None = None) -> QuerySet[SurveyUnit]:
    """The units the user may read (see the module's docstring), with their response count."""
    rules = Q(pk__in=[])
    if can_manage_units(user):
        rules |= Q(organisation_id=user.organisation_id)
    if policy.has_role(user, AREA_READERS):
        rules |= policy.area_q(user, "region__code")
    qs = (
        SurveyUnit.objects.filter(rules)
        .select_related("organisation", "region")
        .annotate(response_count=Count("responses"))
        .order_by("name")
    )
    if active is not None:
        qs = qs.filter(is_active=active)
    return qs


def survey_unit_get(*, user: User, pk) -> SurveyUnit:
    return get_object_or_404(survey_unit_list(user=user), pk=pk)


def survey_unit_by_code(*, user: User, code: str) -> SurveyUnit:
    return get_object_or_404(survey_unit_list(user=user), code=code)


def public_unit(code: str) -> SurveyUnit:
    """The unit behind a public survey link; 404 when unknown or closed."""
    return get_object_or_404(
        SurveyUnit.objects.select_related("organisation").filter(
            is_active=True, organisation__is_active=True
        ),
        code=code,
    )


# --- periods ----------------------------------------------------------------------------

PERIOD_HELP = (
    "A year (2023), a quarter (2023-Q2), a month (2023-05) or a date range "
    "(2023-01-01..2023-06-30)."
)


@dataclass(frozen=True)
class Period:
    start: datetime.date
    end: datetime.date
    key: str  # as written in ?period=

    @property
    def label(self) -> str:
        if re.fullmatch(r"\d{4}", self.key):
            return self.key
        if "Q" in self.key:
            year, quarter = self.key.split("-Q")
            return _("Quarter %(q)s %(year)s") % {"q": quarter, "year": year}
        if re.fullmatch(r"\d{4}-\d{2}", self.key):
            return f"{MONTHS[self.start.month]} {self.start.year}"
        return f"{self.start:%d-%m-%Y} – {self.end:%d-%m-%Y}"


def period_year(year: int) -> Period:
    return Period(datetime.date(year, 1, 1), datetime.date(year, 12, 31), str(year))


def parse_period(text: str) -> Period:
    """The period written as PERIOD_HELP says; ApplicationError(field="period") otherwise."""
    text = (text or "").strip()
    try:
        if m := re.fullmatch(r"(\d{4})", text):
            return period_year(int(m[1]))
        if m := re.fullmatch(r"(\d{4})-[Qq]([1-4])", text):
            year, quarter = int(m[1]), int(m[2])
            end_month = quarter * 3
            return Period(
                datetime.date(year, end_month - 2, 1),
                datetime.date(year, end_month, calendar.monthrange(year, end_month)[1]),
                f"{year}-Q{quarter}",
            )
        if m := re.fullmatch(r"(\d{4})-(\d{2})", text):
            year, month = int(m[1]), int(m[2])
            last = calendar.monthrange(year, month)[1]
            return Period(
                datetime.date(year, month, 1), datetime.date(year, month, last), f"{text}"
            )
        if m := re.fullmatch(r"(\d{4}-\d{2}-\d{2})\.\.(\d{4}-\d{2}-\d{2})", text):
            start = datetime.date.fromisoformat(m[1])
            end = datetime.date.fromisoformat(m[2])
            if start <= end:
                return Period(start, end, text)
    except ValueError:
        pass
    raise ApplicationError(
        _("Give the period as a year (2023), a quarter (2023-Q2), a month (2023-05) or a date "
          "range (2023-01-01..2023-06-30)."),
        field="period",
    )  # fmt: skip


def default_period(unit: SurveyUnit) -> Period:
    """The year of the unit's latest response, or this year."""
    latest = unit.responses.order_by("-submitted_at").values_list("submitted_at", flat=True)
    when = latest.first()
    year = timezone.localdate(when).year if when else timezone.localdate().year
    return period_year(year)


# --- results ----------------------------------------------------------------------------


def survey_responses(*, unit: SurveyUnit, period: Period) -> QuerySet[SurveyResponse]:
    """The unit's responses answered (local date) within the period, oldest first."""
    return unit.responses.filter(
        submitted_at__date__gte=period.start, submitted_at__date__lte=period.end
    ).order_by("submitted_at", "id")


def survey_results(*, unit: SurveyUnit, period: Period) -> ikm.Result | None:
    """The IKM of the unit's responses in the period against its target; None without any."""
    rows = survey_responses(unit=unit, period=period).values_list(*RATING_FIELDS)
    ratings = [dict(zip(ikm.CODES, row, strict=True)) for row in rows]
    if not ratings:
        return None
    return ikm.compute(ratings, target=unit.target)


def survey_suggestions(*, user: User, unit: SurveyUnit, period: Period) -> list[tuple]:
    """(date, text) of the period's non-empty suggestions, newest first; only for the unit's
    own organisation."""
    if not can_read_suggestions(user, unit):
        return []
    rows = (
        survey_responses(unit=unit, period=period)
        .exclude(suggestion="")
        .order_by("-submitted_at")
        .values_list("submitted_at", "suggestion")
    )
    return [(timezone.localdate(at), text) for at, text in rows[:200]]


def survey_profile(*, unit: SurveyUnit, period: Period) -> dict[str, list[tuple[str, int]]]:
    """How many respondents of the period in each profile group: {field: [(label, count)]}."""
    responses = survey_responses(unit=unit, period=period).order_by()
    profile = {}
    for field in ("sex", "age_group", "education", "occupation"):
        choices = SurveyResponse._meta.get_field(field).choices
        counts = dict(responses.values_list(field).annotate(n=Count("id")))
        profile[field] = [(str(label), counts.get(value, 0)) for value, label in choices]
    return profile


def survey_distribution(*, unit: SurveyUnit, period: Period) -> dict[str, list[int]]:
    """How many respondents of the period gave each rating: {"U1": [n1, n2, n3, n4], …}."""
    counts = survey_responses(unit=unit, period=period).order_by().aggregate(**{
        f"{field}_{rating}": Count("id", filter=Q(**{field: rating}))
        for field in RATING_FIELDS for rating in ikm.RATINGS
    })  # fmt: skip
    return {
        code: [counts[f"{code.lower()}_{rating}"] for rating in ikm.RATINGS] for code in ikm.CODES
    }


# --- aggregates for the dashboard -------------------------------------------------------


def survey_facts(start, end, codes) -> tuple[str, list]:
    """The kind "survey" of the summary tables: per month answered (local date), unit region,
    unit and element, the number of answers and the sum of their ratings. One reading of
    the responses sums the nine elements; each sum then becomes a row of its element."""
    from django.db.models import CharField, F, Sum
    from django.db.models.functions import Cast, TruncDate, TruncMonth

    qs = SurveyResponse.objects.all()
    if start is not None:
        qs = qs.filter(submitted_at__date__gte=start, submitted_at__date__lte=end)
    sums = {f"s_{field}": Sum(field) for field in RATING_FIELDS}
    per_unit = summaries.facts(
        qs, codes=codes, month=TruncMonth(TruncDate("submitted_at")),
        region=F("unit__region_id"), keys=[Cast("unit_id", CharField())],
    ).annotate(**sums)  # fmt: skip
    inner, params = per_unit.query.sql_with_params()
    elements = ", ".join(
        f"('{code}', s_{field})" for code, field in zip(ikm.CODES, RATING_FIELDS, strict=True)
    )
    columns = (
        "f_month, f_region, f_key1, e.code AS f_key2, f_key3, f_n, e.total AS f_amount, f_value"
    )
    unpivot = f"CROSS JOIN LATERAL (VALUES {elements}) AS e(code, total)"
    return f"SELECT {columns} FROM ({inner}) AS per_unit {unpivot}", list(params)  # noqa: S608


def ikm_aggregates(*, codes: list[str], start, end) -> list[dict]:
    """Per survey unit whose region lies in the given codes: its IKM for the period against
    its target (None without a response), with the respondents."""
    units = (
        SurveyUnit.objects.filter(policy.codes_q(codes, "region__code"))
        .select_related("organisation")
        .order_by("name")
    )
    totals: dict[str, dict[str, tuple[int, int]]] = {}
    for unit, code, answers, total in summaries.totals(
        "survey", codes=codes, start=start, end=end, by=["key1", "key2"],
        measures=["n", "amount"],
    ):  # fmt: skip
        totals.setdefault(unit, {})[code] = (answers, total)

    def result(unit):
        counted = totals.get(str(unit.pk))
        if not counted:
            return None
        respondents = max(answers for answers, _total in counted.values())
        return ikm.from_totals(respondents, counted, target=unit.target)

    return [
        {"unit": unit.name, "organisation": unit.organisation.name, "target": unit.target,
         "result": result(unit)}
        for unit in units
    ]  # fmt: skip


def suggestions_past_retention(now) -> list:
    """Ids of survey answers whose free-text suggestion is older than the retention time."""
    from django.conf import settings

    from atensi.retention import months_before

    cutoff = months_before(now, settings.RETENTION_SURVEY_TEXT_MONTHS)
    return list(
        SurveyResponse.objects.filter(submitted_at__lt=cutoff)
        .exclude(suggestion="")
        .values_list("pk", flat=True)
    )
