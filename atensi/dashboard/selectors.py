"""The district head's dashboard: aggregates only, never a name or an ID number.

The dashboard is a consumer of every app: each app counts its own records by region codes
and period (``*_aggregates`` in its selectors), and this module composes them. Every count
of the page, its charts, tables, exports and the API becomes one value of a single system of
"these parts add up to that total" equations, suppressed once by ``suppression.suppress``,
so that a figure shown in two places reads the same in both and no total gives away a
hidden count. Money (the budget) is not a count of people and is shown as it is.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from aid import selectors as aid_selectors
from aid.models import Proposal
from assessments import verdicts
from assessments.selectors import eligibility as eligibility_selectors
from atensi.accounts import policy
from atensi.regions.models import Region
from atensi.summaries import facts as summaries
from cases import selectors as case_selectors
from prevention import selectors as prevention_selectors
from rehab import ikm
from rehab.selectors import episodes as episode_selectors
from rehab.selectors import survey as survey_selectors
from rehab.selectors.survey import Period

from . import suppression
from .suppression import HIDDEN, SMALL

# The code length of the areas one level below: province → regency → district → village.
CHILD_WIDTH = {2: 5, 5: 8, 8: 13, 13: 13}
ALL = "*"


# --- area and period -----------------------------------------------------------------------


@dataclass(frozen=True)
class Area:
    codes: tuple[str, ...]
    code: str  # "" for the reader's whole service area
    name: str
    width: int  # code length of the rows of the breakdown table

    @property
    def child_level(self) -> str:
        return {5: _("Regency/City"), 8: _("District"), 13: _("Village")}[self.width]


def _names(codes) -> dict[str, str]:
    return dict(Region.objects.filter(code__in=list(codes)).values_list("code", "name"))


def area_choices(user) -> list[tuple[str, str]]:
    """The areas a reader may pick: their whole service area, each of its codes and, for a
    province, its regencies."""
    own = policy.area_codes(user)
    provinces = [c for c in own if len(c) == 2]
    regions = Region.objects.filter(code__in=own) | Region.objects.filter(parent_id__in=provinces)
    choices = [("", _("Whole service area"))]
    choices += [(code, f"{name} ({code})") for code, name in regions.values_list("code", "name")]
    return choices


def area_of_codes(codes) -> Area:
    """A whole service area made of these region codes."""
    names = _names(codes)
    name = ", ".join(names.get(c, c) for c in codes)
    return Area(tuple(codes), "", name, CHILD_WIDTH[min(len(c) for c in codes)])


def area_for(user, code: str = "") -> Area | None:
    """The area ``code`` (any region inside the reader's service area, "" for all of it);
    None when it lies outside (the caller answers 404)."""
    own = policy.area_codes(user)
    if not own:
        return None
    if not code:
        return area_of_codes(own)
    if not policy.code_in_area(code, own):
        return None
    name = _names([code]).get(code)
    if name is None or len(code) not in CHILD_WIDTH:
        return None
    return Area((code,), code, name, CHILD_WIDTH[len(code)])


def parse_period(text: str, *, today: datetime.date | None = None) -> Period:
    """A year (2023), a quarter (2023-Q2), a month (2023-05) or a date range
    (2023-01-01..2023-06-30); this year when empty."""
    if not (text or "").strip():
        return survey_selectors.period_year((today or datetime.date.today()).year)
    return survey_selectors.parse_period(text)


def previous_period(period: Period) -> Period:
    """The period of the same length just before: last year, quarter or month."""
    key = period.key
    if len(key) == 4:
        return survey_selectors.period_year(int(key) - 1)
    if "-Q" in key:
        year, quarter = int(key[:4]), int(key[-1])
        year, quarter = (year - 1, 4) if quarter == 1 else (year, quarter - 1)
        return survey_selectors.parse_period(f"{year}-Q{quarter}")
    if len(key) == 7:
        year, month = int(key[:4]), int(key[5:])
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
        return survey_selectors.parse_period(f"{year}-{month:02d}")
    days = (period.end - period.start).days + 1
    end = period.start - datetime.timedelta(days=1)
    start = end - datetime.timedelta(days=days - 1)
    return Period(start, end, f"{start.isoformat()}..{end.isoformat()}")


def _months(period: Period) -> list[datetime.date]:
    months, day = [], period.start.replace(day=1)
    while day <= period.end:
        months.append(day)
        day = (day + datetime.timedelta(days=32)).replace(day=1)
    return months


# --- the system of counts --------------------------------------------------------------------


@dataclass
class Counts:
    """Every count of one period, and the equations that tie them."""

    values: dict = field(default_factory=dict)
    lines: list = field(default_factory=list)

    def set(self, key, n) -> None:
        self.values[key] = int(n or 0)

    def line(self, parts, total) -> None:
        self.lines.append((tuple(parts), total))

    def table(self, name, rows, columns, count) -> None:
        """A table with row, column and grand totals: keys (name, row, column), ALL for a
        total."""
        for r in rows:
            for c in columns:
                self.set((name, r, c), count(r, c))
            self.set((name, r, ALL), sum(self.values[name, r, c] for c in columns))
            self.line([(name, r, c) for c in columns], (name, r, ALL))
        for c in [*columns, ALL]:
            self.set((name, ALL, c), sum(self.values[name, r, c] for r in rows))
            self.line([(name, r, c) for r in rows], (name, ALL, c))
        self.line([(name, ALL, c) for c in columns], (name, ALL, ALL))


# The columns of the breakdown table: the figure and the total its rows add up to.
AREA_COLUMNS = (
    ("referrals", gettext_lazy("Referrals"), ("ref", ALL, ALL)),
    ("screened", gettext_lazy("Screened for aid"), ("funnel", "proposed")),
    ("aided", gettext_lazy("People aided"), ("aid", "people")),
    ("episodes", gettext_lazy("Rehabilitation episodes"), ("ep", ALL, ALL)),
    ("fu_due", gettext_lazy("Follow-ups due"), ("fu", "due")),
    ("fu_done", gettext_lazy("Follow-ups done"), ("fu", "done")),
)
FUNNEL_LABELS = {
    "proposed": gettext_lazy("On the screened lists"),
    "in_area": gettext_lazy("In the service area"),
    "valid": gettext_lazy("Valid NIK"),
    "matched": gettext_lazy("Matched in the register"),
    "within_decile": gettext_lazy("Within the decile"),
    "assessed": gettext_lazy("Assessed"),
    "eligible": gettext_lazy("Eligible"),
    "approved": gettext_lazy("Approved"),
    "handed_over": gettext_lazy("Handed over"),
}
# A verdict's label on the lists speaks to the organisation that screened them ("your
# service area"); a district head reads another's.
DASHBOARD_VERDICT_LABELS = {
    verdicts.OUTSIDE_AREA: gettext_lazy("Outside the service area of the organisation screening"),
}
# Why an eligible person was not approved: the proposal states behind each reason.
NOT_APPROVED = (
    ("not_proposed", gettext_lazy("No proposal made"), ()),
    ("in_progress", gettext_lazy("Proposal in progress"), Proposal.BEFORE_APPROVAL),
    ("rejected", gettext_lazy("Rejected"), ("rejected",)),
    ("cancelled", gettext_lazy("Cancelled"), ("cancelled",)),
)
APPROVED = ("approved", "handed_over", "reported")
HANDED = ("handed_over", "reported")
FOLLOW_UPS = (
    ("due", gettext_lazy("Due in the period")),
    ("done", pgettext_lazy("follow-ups", "Done")),  # as the card says: "terlaksana"
    ("reached", gettext_lazy("Reached")),
    ("not_reached", gettext_lazy("Not reached")),
    ("open", gettext_lazy("Still open")),
    ("overdue", gettext_lazy("Overdue")),
)


# What complementary suppression hides last: the figures of the cards.
HEADLINES = (
    ("ref", ALL, ALL), ("funnel", "proposed"), ("funnel", "eligible"), ("funnel", "approved"),
    ("funnel", "handed_over"), ("aid", "people"), ("ep", ALL, ALL), ("fu", "due"), ("fu", "done"),
)  # fmt: skip


@dataclass
class Raw:
    """What the apps counted for one area and period, before suppression."""

    period: Period
    months: list
    referrals: dict
    screening: dict
    proposals: dict
    handovers: dict
    budget: dict
    episodes: dict
    follow_ups: dict
    ikm: list
    area_rows: list  # (code, name)
    activities: dict
    villages: dict


def collect(area: Area, period: Period, *, today: datetime.date | None = None) -> Raw:
    """Ask every app for its counts of the area and period (the database counts)."""
    with summaries.counted():
        return _collect(area, period, today=today)


def _collect(area: Area, period: Period, *, today: datetime.date | None = None) -> Raw:
    codes, start, end, width = list(area.codes), period.start, period.end, area.width
    scope = {"codes": codes, "start": start, "end": end}
    referrals = case_selectors.referral_aggregates(**scope, width=width)
    screening = eligibility_selectors.screening_aggregates(**scope, width=width)
    handovers = aid_selectors.handover_aggregates(**scope, width=width)
    episodes = episode_selectors.episode_aggregates(**scope, width=width)
    follow_ups = episode_selectors.follow_up_aggregates(**scope, today=today, width=width)
    seen = set(referrals["by_area"]) | set(screening["by_area"]) | set(handovers["by_area"])
    seen |= set(episodes["by_area"]) | set(follow_ups["by_area"])
    children = dict(
        Region.objects.filter(parent_id__in=codes).values_list("code", "name").order_by("code")
    )
    names = {**_names(seen - set(children)), **children}
    rows = [(code, names.get(code, "")) for code in sorted(set(children) | seen)]
    return Raw(
        period=period,
        months=_months(period),
        referrals=referrals,
        screening=screening,
        proposals=aid_selectors.screened_proposals(**scope),
        handovers=handovers,
        budget=aid_selectors.budget_aggregates(**scope),
        episodes=episodes,
        follow_ups=follow_ups,
        ikm=survey_selectors.ikm_aggregates(**scope),
        area_rows=rows,
        activities=prevention_selectors.activity_summary(**scope),
        # As things stand now, for a period not yet over (not "on 31-12" of this year).
        villages=prevention_selectors.village_status_summary(
            codes=codes, on=min(end, today or timezone.localdate())
        ),
    )


def _step_of(reason: str) -> str:
    for step, lost in verdicts.FUNNEL:
        if reason in lost:
            return step
    return "eligible"


def count(raw: Raw) -> Counts:
    """The system of counts of one period: values and the equations tying them."""
    c = Counts()
    ref = raw.referrals
    sources = [code for code, _label in ref["sources"]]
    c.table("ref", sources, raw.months, lambda s, m: ref["by_source_month"].get((s, m), 0))
    for status, _label in ref["statuses"]:
        c.set(("ref_status", status), ref["by_status"].get(status, 0))
    c.line([("ref_status", s) for s, _label in ref["statuses"]], ("ref", ALL, ALL))

    # The funnel: each step keeps what the step before kept, less what it lost.
    steps = raw.screening["funnel"]
    for k, (step, remaining, lost) in enumerate(steps):
        c.set(("funnel", step), remaining)
        if k:
            c.set(("lost", step), lost)
            c.line([("lost", step), ("funnel", step)], ("funnel", steps[k - 1][0]))
    by_verdict = raw.screening["by_verdict"]
    for step, _remaining, _lost in steps[1:]:
        reasons = [v for v, _label in raw.screening["verdicts"] if _step_of(v) == step]
        reasons = [v for v in reasons if v != verdicts.ELIGIBLE]
        for v in reasons:
            c.set(("why", v), by_verdict.get(v, 0))
        c.line([("why", v) for v in reasons], ("lost", step))
    states: dict[str, int] = {}
    deciles: dict = {}
    for (state, decile), n in raw.proposals.items():
        states[state] = states.get(state, 0) + n
        if state in APPROVED:
            deciles[decile] = deciles.get(decile, 0) + n
    eligible = c.values["funnel", steps[-1][0]]
    approved = sum(states.get(s, 0) for s in APPROVED)
    handed = sum(states.get(s, 0) for s in HANDED)
    proposals = sum(states.values())
    c.set(("funnel", "approved"), approved)
    c.set(("lost", "approved"), eligible - approved)
    c.line([("lost", "approved"), ("funnel", "approved")], ("funnel", steps[-1][0]))
    c.set(("why", "not_proposed"), eligible - proposals)
    for key, _label, in_states in NOT_APPROVED[1:]:
        c.set(("why", key), sum(states.get(s, 0) for s in in_states))
    c.line([("why", key) for key, _label, _states in NOT_APPROVED], ("lost", "approved"))
    c.set(("funnel", "handed_over"), handed)
    c.set(("lost", "handed_over"), approved - handed)
    c.line([("lost", "handed_over"), ("funnel", "handed_over")], ("funnel", "approved"))
    for d in range(1, 11):
        c.set(("decile", d), deciles.get(d, 0))
    c.set(("decile", None), deciles.get(None, 0))
    c.line([("decile", d) for d in [*range(1, 11), None]], ("funnel", "approved"))

    # Aid handed over: a person may get several components, so these do not add up.
    ho = raw.handovers
    c.set(("aid", "people"), ho["people"])
    for component, _label in ho["components"]:
        c.set(("aid_c", component), ho["by_component"].get(component, {}).get("people", 0))
    for i, row in enumerate(ho["by_item"]):
        c.set(("aid_i", i), row["people"])

    ep = raw.episodes
    modalities = [m for m, _label in ep["modalities"]]
    outcomes = ["", *(o for o, _label in ep["outcomes"])]
    c.table("ep", modalities, outcomes, lambda m, o: ep["by_modality_outcome"].get((m, o), 0))

    fu = raw.follow_ups
    for key, _label in FOLLOW_UPS:
        c.set(("fu", key), fu[key])
    c.set(("fu", "open_later"), fu["open"] - fu["overdue"])  # latent: never shown
    c.line([("fu", "reached"), ("fu", "not_reached")], ("fu", "done"))
    c.line([("fu", "done"), ("fu", "open")], ("fu", "due"))
    c.line([("fu", "overdue"), ("fu", "open_later")], ("fu", "open"))

    # The breakdown by district (or regency, or village): each column adds up to its total.
    sources = {
        "referrals": raw.referrals["by_area"],
        "screened": raw.screening["by_area"],
        "aided": ho["by_area"],
        "episodes": ep["by_area"],
        "fu_due": {a: r["due"] for a, r in fu["by_area"].items()},
        "fu_done": {a: r["done"] for a, r in fu["by_area"].items()},
    }
    for column, _label, total in AREA_COLUMNS:
        for code, _name in raw.area_rows:
            c.set(("area", column, code), sources[column].get(code, 0))
        c.line([("area", column, code) for code, _name in raw.area_rows], total)
    for i, unit in enumerate(raw.ikm):
        result = unit["result"]
        c.set(("ikm", i), result.respondents if result else 0)

    # BNNK's work: people who took part, were tested or found positive, and suspects are
    # counts of people; the number of activities and of villages are not.
    act = raw.activities
    types = [t for t, _label in act["types"]]
    for t in types:
        c.set(("act_people", t), act["by_type"][t]["participants"])
    c.set(("act_people", ALL), act["participants"])
    c.line([("act_people", t) for t in types], ("act_people", ALL))
    urine = act["urine_tests"]
    for i, row in enumerate(urine["by_institution"]):
        c.set(("urine", i, "tested"), row["tested"])
        c.set(("urine", i, "positive"), row["positive"])
    for column in ("tested", "positive"):
        c.set(("urine", ALL, column), urine[column])
        c.line([("urine", i, column) for i in range(len(urine["by_institution"]))],
               ("urine", ALL, column))  # fmt: skip
    c.set(("enforce", "cases"), act["enforcement"]["cases"])
    c.set(("enforce", "suspects"), act["enforcement"]["suspects"])
    return c


# --- publishing: sections of display values ---------------------------------------------------


def file_area(code: str, codes) -> str:
    """An area as download file names give it: its region code, or, for a whole service
    area, its codes joined ("16.02-16.03")."""
    return code or "-".join(codes)


@dataclass
class Section:
    """One figure of the dashboard as a table (what the chart draws, the page shows, the
    XLSX and the API give): display values only."""

    key: str
    title: str
    columns: list[str]
    rows: list[dict]  # {"label", "code", "cells": [...], "total"?}
    total: dict | None = None  # {"label", "cells", "total"}
    chart: dict | None = None
    note: str = ""
    money: bool = False
    # A second heading column (the step, the component): the rows' key, and its heading.
    detail_key: str = ""
    detail_heading: str = ""

    def as_dict(self) -> dict:
        return {
            "key": self.key,
            "title": self.title,
            "columns": [str(c) for c in self.columns],
            "rows": [_plain(r) for r in self.rows],
            "total": _plain(self.total) if self.total else None,
            "note": self.note,
            "detail_key": self.detail_key,
            "detail_heading": str(self.detail_heading),
        }


def _plain(row: dict) -> dict:
    return {k: (str(v) if k == "label" else v) for k, v in row.items()}


def chart_value(value):
    """A hidden figure is a gap in a chart, never a guess."""
    return value if isinstance(value, int | float) and not isinstance(value, bool) else None


def _marked(label, marks: list[str]) -> str:
    """A chart's category label with the marks of the figures hidden in it: "Kayuagung (<5)"."""
    shown = sorted(set(marks))
    return f"{label} ({', '.join(shown)})" if shown else str(label)


def _chart(kind: str, labels, datasets, *, stacked=False, horizontal=False, decimals=False) -> dict:
    values = [v for _label, data, *_extra in datasets for v in data]
    labels = list(labels)
    # A hidden figure is a gap in the chart, and its category's label carries its mark
    # ("<5" or "x"); the page says so under the chart.
    marks = [
        [data[i] for _label, data, *_extra in datasets if isinstance(data[i], str)]
        for i in range(len(labels))
    ]
    hidden = any(isinstance(v, str) for v in values)
    return {
        # A share of a whole with slices left out would show the rest as the whole ("all
        # referrals accepted"): with a hidden figure, bars instead.
        "type": "bar" if hidden and kind in ("pie", "doughnut") else kind,
        "hidden": hidden,
        # Nothing to draw (every figure 0 or hidden): the page shows the table and says so.
        "empty": not any(chart_value(v) for v in values),
        "stacked": stacked,
        "horizontal": horizontal,
        "decimals": decimals,
        "labels": [_marked(x, m) for x, m in zip(labels, marks, strict=True)],
        "datasets": [
            {"label": str(label), "data": [chart_value(v) for v in data], "type": extra[0]}
            if extra
            else {"label": str(label), "data": [chart_value(v) for v in data]}
            for label, data, *extra in datasets
        ],
    }


def _ikm_label(row: dict) -> str:
    """A unit's bar label with its index and grade, as the table gives them: a bar alone
    says neither ("Klinik Pratama: 3,94 (A)")."""
    index, grade = row["cells"][1], row["cells"][3]
    if index is None:
        return row["label"]
    return f"{row['label']}: {number_format(index, 2)} ({grade})"


def _labels(rows: list[dict]) -> list:
    return [r["label"] for r in rows]


def _series(label, rows: list[dict], column: int = 0) -> tuple:
    return (label, [r["cells"][column] for r in rows])


def _month_label(month: datetime.date) -> str:
    return f"{month:%m-%Y}"


def _cross_rows(show: dict, name: str, rows, columns) -> tuple[list[dict], dict]:
    """The rows (``(code, label)``) of a table counted by ``Counts.table`` with their totals,
    and its total row, as shown."""
    body = [
        {"label": label, "code": code, "cells": [show[name, code, c] for c in columns],
         "total": show[name, code, ALL]}
        for code, label in rows
    ]  # fmt: skip
    total = {"label": _("Total"), "cells": [show[name, ALL, c] for c in columns],
             "total": show[name, ALL, ALL]}  # fmt: skip
    return body, total


def shown(counts: Counts) -> dict:
    """The system of counts suppressed once, as every publication of the period shows it:
    the dashboard and the yearly report hide the same cells, so that neither gives what
    the other hides."""
    show, _hidden = suppression.suppress(counts.values, counts.lines, keep=HEADLINES)
    return show


def publish(raw: Raw, counts: Counts) -> dict:
    """Suppress the system of counts once and lay it out as the dashboard's sections."""
    show = shown(counts)
    sections: list[Section] = []

    ref = raw.referrals
    months = raw.months
    rows, total = _cross_rows(show, "ref", ref["sources"], months)
    sections.append(
        Section(
            key="referrals",
            title=_("Referrals by source and month"),
            columns=[_month_label(m) for m in months],
            rows=rows,
            total=total,
            chart=_chart(
                "bar",
                [_month_label(m) for m in months],
                [
                    *((r["label"], r["cells"]) for r in rows if r["total"] != 0),
                    (_("Total"), total["cells"], "line"),
                ],
                stacked=True,
            ),
        )
    )
    rows = [
        {"label": label, "code": code, "cells": [show["ref_status", code]]}
        for code, label in ref["statuses"]
    ]
    sections.append(
        Section(
            key="referral_status",
            title=_("Referrals by status"),
            columns=[_("Referrals")],
            rows=rows,
            total={"label": _("Total"), "cells": [show["ref", ALL, ALL]]},
            chart=_chart("doughnut", _labels(rows), [_series(_("Referrals"), rows, 0)]),
        )
    )

    steps = [step for step, *_rest in raw.screening["funnel"]] + ["approved", "handed_over"]
    rows = [
        {
            "label": FUNNEL_LABELS.get(step, step),
            "code": step,
            "cells": [show["funnel", step], show.get(("lost", step), 0) if k else None],
        }
        for k, step in enumerate(steps)
    ]
    sections.append(
        Section(
            key="funnel",
            title=_("The aid funnel"),
            columns=[_("Remaining"), _("Lost at this step")],
            rows=rows,
            chart=_chart("bar", _labels(rows), [_series(_("Remaining"), rows, 0)], horizontal=True),
            note=_(
                "Rows of the period's screened proposal lists (a person on two lists counts "
                "twice; a row repeating another of its own list is lost as a duplicate), and the "
                "proposals made for the eligible ones."
            ),
        )
    )
    verdict_labels = dict(raw.screening["verdicts"]) | DASHBOARD_VERDICT_LABELS
    rows = []
    for step in steps[1:]:
        reasons = [
            (v, verdict_labels[v])
            for v in verdict_labels
            if v != verdicts.ELIGIBLE and _step_of(v) == step
        ]
        if step == "approved":
            reasons = [(key, label) for key, label, _states in NOT_APPROVED]
        for code, label in reasons:
            rows.append(
                {
                    "label": label,
                    "code": code,
                    "step": str(FUNNEL_LABELS[step]),
                    "cells": [show["why", code]],
                }
            )
        if step == "handed_over":
            rows.append(
                {
                    "label": _("Awaiting hand-over"),
                    "code": "awaiting_handover",
                    "step": str(FUNNEL_LABELS[step]),
                    "cells": [show["lost", step]],
                }
            )
    sections.append(
        Section(
            key="funnel_reasons",
            detail_key="step",
            detail_heading=_("Step"),
            title=_("Why people left the funnel"),
            columns=[_("People")],
            rows=rows,
        )
    )

    ho = raw.handovers
    labels = dict(ho["components"])
    rows = []
    for code, label in ho["components"]:
        row = ho["by_component"].get(code, {})
        people = show["aid_c", code]
        rows.append(
            {
                "label": label,
                "code": code,
                "cells": [
                    people,
                    _with(people, row.get("quantity", 0)),
                    _with(people, row.get("value", 0)),
                ],
            }
        )
    sections.append(
        Section(
            key="aid_components",
            title=_("Aid handed over by ATENSI component"),
            columns=[_("People"), _("Quantity"), _("Value (Rp)")],
            rows=rows,
            total={"label": _("People aided"), "cells": [show["aid", "people"], None, None]},
            chart=_chart("bar", _labels(rows), [_series(_("People"), rows, 0)], horizontal=True),
            note=_("A person may receive aid of several components."),
        )
    )
    rows = []
    for i, item in enumerate(ho["by_item"]):
        people = show["aid_i", i]
        component = item["proposal_item__component"]
        rows.append(
            {
                "label": item["proposal_item__aid_item__name"],
                "code": component,
                "component": str(labels.get(component, component)),
                "cells": [people, _with(people, item["quantity"]), _with(people, item["value"])],
            }
        )
    sections.append(
        Section(
            key="aid_items",
            title=_("Aid handed over by item"),
            detail_key="component",
            detail_heading=_("ATENSI component"),
            columns=[_("People"), _("Quantity"), _("Value (Rp)")],
            rows=rows,
        )
    )

    budget = raw.budget
    rows = [
        {
            "label": labels.get(code, code),
            "code": code,
            "cells": [row["ceiling"], row["reserved"], row["spent"]],
        }
        for code, row in sorted(budget["by_component"].items())
    ]
    sections.append(
        Section(
            key="budget",
            title=_("Budget: allocated, reserved and spent (Rp)"),
            columns=[_("Allocated"), _("Reserved"), _("Spent")],
            rows=rows,
            total={
                "label": _("Total"),
                "cells": [budget["ceiling"], budget["reserved"], budget["spent"]],
            },
            chart=_chart(
                "bar",
                _labels(rows),
                [
                    (col, [r["cells"][i] for r in rows])
                    for i, col in enumerate([_("Allocated"), _("Reserved"), _("Spent")])
                ],
                horizontal=True,
            ),
            note=_(
                "Programmes of the period's years run by organisations of this area; their "
                "ceiling: Rp %(ceiling)s."
            )
            % {"ceiling": f"{budget['programme_ceiling']:,}".replace(",", ".")},
            money=True,
        )
    )

    rows = [
        {"label": str(d) if d else _("Unknown"), "code": str(d or ""), "cells": [show["decile", d]]}
        for d in [*range(1, 11), None]
    ]
    sections.append(
        Section(
            key="deciles",
            title=_("Approved beneficiaries by decile"),
            columns=[_("People")],
            rows=rows,
            total={"label": _("Total"), "cells": [show["funnel", "approved"]]},
            chart=_chart("bar", _labels(rows), [_series(_("People"), rows, 0)]),
        )
    )

    ep = raw.episodes
    outcomes = [("", _("Still open")), *ep["outcomes"]]
    rows, total = _cross_rows(show, "ep", ep["modalities"], [o for o, _l in outcomes])
    sections.append(
        Section(
            key="episodes",
            title=_("Rehabilitation episodes by modality and outcome"),
            columns=[label for _o, label in outcomes],
            rows=rows,
            total=total,
            chart=_chart(
                "bar",
                _labels(rows),
                [
                    (label, [show["ep", m, o] for m, _l in ep["modalities"]])
                    for o, label in outcomes
                ],
                stacked=True,
                horizontal=True,
            ),
            note=_("Episodes started in the period."),
        )
    )

    rows = [{"label": label, "code": key, "cells": [show["fu", key]]} for key, label in FOLLOW_UPS]
    fu_labels = {key: str(label) for key, label in FOLLOW_UPS}
    sections.append(
        Section(
            key="follow_ups",
            title=_("Aftercare follow-ups"),
            columns=[_("Follow-ups")],
            rows=rows,
            chart=_chart(
                "bar",
                [fu_labels["done"], fu_labels["open"]],  # the table's words
                [(_("Follow-ups"), [show["fu", "done"], show["fu", "open"]])],
            ),
        )
    )

    rows = []
    for i, unit in enumerate(raw.ikm):
        result, respondents = unit["result"], show["ikm", i]
        known = isinstance(respondents, int) and result is not None
        rows.append(
            {
                "label": unit["unit"],
                "code": str(i),
                "organisation": unit["organisation"],
                "cells": [
                    respondents,
                    float(result.index) if known else None,
                    float(result.converted) if known else None,
                    result.grade.letter if known else None,
                    float(unit["target"]) if unit["target"] is not None else None,
                    (_("Yes") if result.meets_target else _("No"))
                    if known and result.target is not None
                    else None,
                ],
            }
        )
    sections.append(
        Section(
            key="ikm",
            title=_("Satisfaction index (IKM) per service unit"),
            detail_key="organisation",
            detail_heading=_("Organisation"),
            columns=[
                _("Respondents"),
                _("Index"),
                _("Converted"),
                _("Grade"),
                _("Target"),
                _("Meets the target"),
            ],
            rows=rows,
            chart=_chart(
                "bar",
                [_ikm_label(r) for r in rows],
                [_series(_("Index"), rows, 1)],
                horizontal=True,
                decimals=True,
            ),  # fmt: skip
            note=_("With fewer than 5 respondents a unit's index is not shown. Grades: %(grades)s.")
            % {"grades": ", ".join(f"{g.letter} {_(g.label)}" for g in ikm.GRADES)},
        )
    )

    # PREVENTION: the BNNK activities (prevention.selectors.activity_summary(codes=, start=,
    # end=)) and village vulnerability (prevention.selectors.village_status_summary(codes=,
    # on=period.end)) are composed here after the merge: their counts go into ``count`` as
    # values and lines, and their sections are appended here (see ``prevention_sections``).
    sections.extend(prevention_sections(raw, show))

    area_rows = [
        {
            "label": name or code,
            "code": code,
            "cells": [show["area", column, code] for column, _l, _t in AREA_COLUMNS],
        }
        for code, name in raw.area_rows
    ]
    area_total = {"label": _("Total"), "cells": [show[t] for _c, _l, t in AREA_COLUMNS]}
    _shade(area_rows)
    return {
        "sections": sections,
        "areas": Section(
            key="areas", title=_("By area"), columns=[label for _c, label, _t in AREA_COLUMNS],
            rows=area_rows, total=area_total,
        ),
        "cards": {
            "referrals": show["ref", ALL, ALL],
            "proposed": show["funnel", "proposed"],
            "eligible": show["funnel", steps[-3]],
            "approved": show["funnel", "approved"],
            "handed_over": show["funnel", "handed_over"],
            "aided": show["aid", "people"],
            "episodes": show["ep", ALL, ALL],
            "fu_due": show["fu", "due"],
            "fu_done": show["fu", "done"],
        },
    }  # fmt: skip


def prevention_sections(raw: Raw, show: dict) -> list[Section]:
    """BNNK's activities by type, its urine tests by institution, enforcement against the
    year's target, and the villages by vulnerability (places, not people: not suppressed)."""
    # The yearly report publishes these programme statistics as the board does (report.py);
    # the dashboard hides small counts in every figure, so each of them says why they differ.
    as_published = _(
        "Here a count from 1 to 4 reads <5; the yearly report gives the BNNK's figures as "
        "the board publishes them."
    )
    held = _("Activities held in the period, by the village or district they were held in.")
    act = raw.activities
    rows = [
        {"label": label, "code": t,
         "cells": [act["by_type"][t]["activities"], show["act_people", t]]}
        for t, label in act["types"]
    ]  # fmt: skip
    sections = [
        Section(
            key="activities",
            title=_("BNNK activities by type"),
            columns=[_("Activities"), _("Participants")],
            rows=rows,
            total={
                "label": _("Total"),
                "cells": [act["activities"], show["act_people", ALL]],
            },  # fmt: skip
            chart=_chart(
                "bar", _labels(rows), [_series(_("Participants"), rows, 1)], horizontal=True
            ),  # fmt: skip
            note=f"{held} {as_published}",
        )
    ]
    urine = act["urine_tests"]["by_institution"]
    rows = [
        {"label": row["institution"], "code": str(i),
         "cells": [show["urine", i, "tested"], show["urine", i, "positive"]]}
        for i, row in enumerate(urine)
    ]  # fmt: skip
    sections.append(
        Section(
            key="urine_tests",
            title=_("Urine tests by institution"),
            columns=[_("Tested"), _("Positive")],
            rows=rows,
            total={"label": _("Total"),
                   "cells": [show["urine", ALL, "tested"], show["urine", ALL, "positive"]]},
            chart=_chart("bar", _labels(rows), [_series(_("Tested"), rows, 0),
                                                _series(_("Positive"), rows, 1)]),
            note=as_published,
        )
    )  # fmt: skip
    enforcement = act["enforcement"]
    target = enforcement["target_cases"]
    sections.append(
        Section(
            key="enforcement",
            title=_("Enforcement"),
            columns=[_("Count")],
            rows=[
                {"label": _("Cases"), "code": "cases", "cells": [show["enforce", "cases"]]},
                {"label": _("Suspects"), "code": "suspects",
                 "cells": [show["enforce", "suspects"]]},
                {"label": _("Target (cases)"), "code": "target",
                 "cells": [target if target is not None else None]},
            ],
            note=" ".join([
                _("The periods recorded by the narcotics boards serving this area."), as_published,
            ]),
        )
    )  # fmt: skip
    villages = raw.villages
    statuses = villages["statuses"]
    rows = [
        {"label": d["name"], "code": d["code"],
         "cells": [d[s] for s, _label in statuses], "total": d["total"]}
        for d in villages["by_district"]
    ]  # fmt: skip
    bahaya = ", ".join(f"{v['name']} ({v['district_name']})" for v in villages["bahaya_villages"])
    sections.append(
        Section(
            key="villages",
            title=_("Village vulnerability (kawasan rawan narkoba)"),
            columns=[label for _s, label in statuses],
            rows=rows,
            total={"label": _("Total"),
                   "cells": [villages["by_status"][s] for s, _label in statuses],
                   "total": villages["assessed"]},
            chart=_chart("bar", [label for _s, label in statuses],
                         [(_("Villages"), [villages["by_status"][s] for s, _l in statuses])]),
            note=_("The latest assessment of each village up to %(on)s; %(n)s Desa Bersinar. "
                   "Bahaya: %(villages)s.")
            % {"on": f"{villages['on']:%d-%m-%Y}", "n": villages["desa_bersinar"],
               "villages": bahaya or "—"},
        )
    )  # fmt: skip
    return sections


def _with(people, amount):
    """A quantity or value is hidden with the number of people it was given to."""
    if people == 0:
        return 0
    return amount if isinstance(people, int) else HIDDEN


def _shade(rows: list[dict]) -> None:
    """The shade (0–4) of each row's first shown figure against the largest, for the
    shaded table (a map in numbers)."""
    for column in range(len(AREA_COLUMNS)):
        shown = [r["cells"][column] for r in rows if isinstance(r["cells"][column], int)]
        top = max(shown, default=0)
        for r in rows:
            v = r["cells"][column]
            shade = min(4, 1 + (4 * v - 1) // top) if isinstance(v, int) and v and top else 0
            r.setdefault("shades", []).append(shade)


CARDS = (
    ("referrals", gettext_lazy("Referrals")),
    # rows of the screened proposal lists, not aid proposals (those are "Approved" once decided)
    ("proposed", gettext_lazy("Screened for aid")),
    ("eligible", gettext_lazy("Eligible")),
    ("approved", gettext_lazy("Approved")),
    ("handed_over", gettext_lazy("Handed over")),
    ("aided", gettext_lazy("People aided")),
    ("episodes", gettext_lazy("Rehabilitation episodes")),
    ("fu_done", gettext_lazy("Follow-ups done")),
    ("fu_due", gettext_lazy("Follow-ups due")),
)


def dashboard(
    area: Area, period: Period, *, today: datetime.date | None = None, before: dict | None = None
) -> dict:
    """The whole dashboard of an area and period, suppressed, with the previous period's
    cards (``before``: {key: shown value}, when already published; otherwise counted) and
    the change (unknown when either figure is hidden)."""
    raw = collect(area, period, today=today)
    current = publish(raw, count(raw))
    before_period = previous_period(period)
    if before is None:
        before_raw = collect(area, before_period, today=today)
        before = publish(before_raw, count(before_raw))["cards"]
    current["cards"] = [
        {"key": key, "label": str(label), "value": current["cards"][key],
         "previous": before[key], "delta": suppression.delta(current["cards"][key], before[key])}
        for key, label in CARDS
    ]  # fmt: skip
    current["period"] = period
    current["previous_period"] = before_period
    current["area"] = area
    return current


def as_json(data: dict) -> dict:
    """The dashboard as the API gives it (display values: a number, "<5" or "x")."""
    return {
        "area": {"code": data["area"].code, "name": data["area"].name,
                 "codes": list(data["area"].codes)},
        "period": {"key": data["period"].key, "start": data["period"].start.isoformat(),
                   "end": data["period"].end.isoformat()},
        "previous_period": data["previous_period"].key,
        "computed_at": data["computed_at"].isoformat() if data.get("computed_at") else None,
        "suppression": {"small": SMALL, "hidden": HIDDEN},
        "cards": data["cards"],
        "sections": [s.as_dict() for s in data["sections"]],
        "areas": data["areas"].as_dict(),
    }  # fmt: skip
