"""The social assessment (asesmen) and the intervention plan: the rules, the pages, the API.

The cast is the one of tests/conftest.py: the case belongs to Dinsos OKI and is assessed by
its assigned caseworker; the outsider works in Ogan Ilir.
"""

import datetime
import uuid

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client as Browser
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape
from rest_framework.test import APIClient

from assessments.models import Assessment, AssessmentDomain, PlanItem
from assessments.selectors import assessment as selectors
from assessments.services import assessment as services
from atensi.accounts.models import User
from atensi.audit.models import AuditEvent
from atensi.errors import ApplicationError
from cases import services as case_services
from cases.models import CaseEvent, Stage
from tests.conftest import OI_VILLAGE, PASSWORD, ROLES, role_matrix

Domain = AssessmentDomain.Domain
TODAY = timezone.localdate
ASSESSMENTS = "/api/v1/assessments/"
PLAN_ITEMS = "/api/v1/plan-items/"


def indonesian(message) -> str:
    """A message as the interface says it: in Indonesian (English where the catalogue has
    no entry yet)."""
    with translation.override("id"):
        return translation.gettext(str(message))


def shown(message, **params) -> str:
    """A message as the Indonesian page shows it: translated, filled in, HTML-escaped."""
    text = indonesian(message)
    return escape(text % params if params else text)


def rated(level: int = 2, **overrides) -> dict:
    """All six domains rated `level`, with notes; `overrides` replaces single domains."""
    domains = {d: {"notes": f"Catatan {d}", "troubled": level, "help_needed": level}
               for d in Domain.values}  # fmt: skip
    return domains | overrides


RESULT = {"recommended_components": ["keluarga", "terapi"], "recommended_modality": "outpatient"}
BUSINESS = {
    "has_business": True,
    "business_kind": "Warung kelontong",
    "business_since": datetime.date(2024, 3, 1),
    "business_monthly_income": 1_500_000,
}


@pytest.fixture(autouse=True)
def _english_messages():
    """The services' refusals are matched by their English source text below."""
    with translation.override("en"):
        yield


@pytest.fixture
def case(make_case):
    return make_case()


@pytest.fixture
def draft(cast, case):
    return services.assessment_start(case=case, by=cast.caseworker, assessed_on=TODAY())


@pytest.fixture
def filled(cast, draft):
    """A draft ready to complete: every domain rated, a component and a modality."""
    return services.assessment_update(assessment=draft, by=cast.caseworker, domains=rated(),
                                      **RESULT)  # fmt: skip


@pytest.fixture
def completed(cast, filled):
    return services.assessment_complete(assessment=filled, by=cast.caseworker)


def walk(case, by, *stages):
    for stage in stages:
        case = case_services.case_transition(case=case, by=by, to_stage=stage, reason="Lanjut")
    return case


def fresh(obj):
    obj.refresh_from_db()
    return obj


def second_supervisor(cast) -> User:
    return User.objects.create_user(
        username="supervisor2", password=PASSWORD, organisation=cast.dinsos,
        role=User.Role.SUPERVISOR, first_name="Kasi Dua",
    )  # fmt: skip


# --- the lifecycle ---------------------------------------------------------------------


def test_starting_an_assessment_makes_a_draft_assessed_by_the_caseworker(cast, case):
    assessment = services.assessment_start(case=case, by=cast.caseworker, assessed_on=TODAY())

    assert (assessment.status, assessment.assessor, assessment.case) == (
        Assessment.Status.DRAFT, cast.caseworker, case,
    )  # fmt: skip
    assert case.events.filter(verb=CaseEvent.Verb.ASSESSMENT).count() == 1
    assert AuditEvent.objects.filter(action="create", object_id=str(assessment.pk)).exists()


def test_an_assessment_goes_from_draft_to_completed_to_approved(cast, filled):
    completed = services.assessment_complete(assessment=filled, by=cast.caseworker)
    assert completed.status == Assessment.Status.COMPLETED and completed.completed_at

    approved = services.assessment_approve(assessment=completed, by=cast.supervisor)

    approved = fresh(approved)
    assert (approved.status, approved.approved_by) == (Assessment.Status.APPROVED, cast.supervisor)
    assert approved.approved_at is not None
    # started, completed, approved
    assert filled.case.events.filter(verb=CaseEvent.Verb.ASSESSMENT).count() == 3
    audit = AuditEvent.objects.filter(object_id=str(filled.pk)).values_list("summary", flat=True)
    assert {"completed", "approved"} <= set(audit)


def test_a_closed_cases_assessment_leaves_the_supervisors_approval_list(cast, completed):
    """Seen in the browser: a case closed without its assessment approved stayed on the
    supervisor's home page list, with nothing to say it was closed."""
    home = Browser()
    home.force_login(cast.supervisor)
    assert completed.case.reference in home.get(reverse("home")).content.decode()

    walk(completed.case, cast.caseworker, Stage.INTERVENTION, Stage.REINTEGRATION,
         Stage.TERMINATION, Stage.CLOSED)  # fmt: skip

    assert list(selectors.assessments_to_approve(user=cast.supervisor)) == []
    assert completed.case.reference not in home.get(reverse("home")).content.decode()


def test_completing_moves_the_case_from_intake_through_assessment_to_planning(cast, filled):
    case = filled.case
    assert case.stage == Stage.INTAKE

    services.assessment_complete(assessment=filled, by=cast.caseworker)

    assert fresh(case).stage == Stage.PLANNING
    moves = case.events.filter(verb=CaseEvent.Verb.STAGE).order_by("at", "id")
    assert [(e.from_stage, e.to_stage) for e in moves] == [
        (Stage.INTAKE, Stage.ASSESSMENT), (Stage.ASSESSMENT, Stage.PLANNING),
    ]  # fmt: skip
    assert all(e.text for e in moves)
    # The timeline in the order things happened (seen: "completed" above "into assessment").
    events = case.events.filter(verb__in=[CaseEvent.Verb.STAGE, CaseEvent.Verb.ASSESSMENT])
    order = [(e.verb, e.to_stage) for e in events.order_by("at", "id")][-3:]
    assert order == [
        (CaseEvent.Verb.STAGE, Stage.ASSESSMENT), (CaseEvent.Verb.ASSESSMENT, ""),
        (CaseEvent.Verb.STAGE, Stage.PLANNING),
    ]  # fmt: skip


def test_completing_moves_a_case_in_the_assessment_stage_to_planning(cast, filled):
    walk(filled.case, cast.caseworker, Stage.ASSESSMENT)

    services.assessment_complete(assessment=filled, by=cast.caseworker)

    assert fresh(filled.case).stage == Stage.PLANNING


def test_completing_leaves_a_case_already_past_planning_where_it_is(cast, filled):
    walk(filled.case, cast.caseworker, Stage.ASSESSMENT, Stage.PLANNING, Stage.INTERVENTION)

    services.assessment_complete(assessment=filled, by=cast.caseworker)

    assert fresh(filled.case).stage == Stage.INTERVENTION
    assert fresh(filled).status == Assessment.Status.COMPLETED


def test_a_second_draft_for_the_same_case_is_refused(cast, draft):
    with pytest.raises(ApplicationError, match="already has an assessment in draft"):
        services.assessment_start(case=draft.case, by=cast.supervisor, assessed_on=TODAY())

    assert Assessment.objects.count() == 1


def test_a_reassessment_can_start_once_the_first_is_completed(cast, completed):
    again = services.assessment_start(case=completed.case, by=cast.caseworker, assessed_on=TODAY())

    assert again.status == Assessment.Status.DRAFT


def test_an_assessment_dated_in_the_future_is_refused(cast, case):
    with pytest.raises(ApplicationError) as refused:
        services.assessment_start(
            case=case, by=cast.caseworker, assessed_on=TODAY() + datetime.timedelta(days=1)
        )

    assert refused.value.field == "assessed_on"
    assert not Assessment.objects.exists()


def test_centre_staff_cannot_assess_a_case_of_the_dinsos(cast, case):
    with pytest.raises(PermissionDenied):
        services.assessment_start(case=case, by=cast.centre, assessed_on=TODAY())


# --- who may do what -------------------------------------------------------------------


def test_a_supervisor_cannot_approve_their_own_assessment(cast, make_case):
    case = make_case(by=cast.supervisor)
    own = services.assessment_start(case=case, by=cast.supervisor, assessed_on=TODAY())
    services.assessment_update(assessment=own, by=cast.supervisor, domains=rated(), **RESULT)
    services.assessment_complete(assessment=own, by=cast.supervisor)

    with pytest.raises(ApplicationError, match="made yourself"):
        services.assessment_approve(assessment=own, by=cast.supervisor)

    assert fresh(own).status == Assessment.Status.COMPLETED
    services.assessment_approve(assessment=own, by=second_supervisor(cast))
    assert fresh(own).status == Assessment.Status.APPROVED


@pytest.mark.parametrize("role", ["caseworker", "caseworker2", "centre", "outsider", "admin"])
def test_only_a_supervisor_can_approve(cast, completed, role):
    with pytest.raises(PermissionDenied):
        services.assessment_approve(assessment=completed, by=getattr(cast, role))

    assert fresh(completed).status == Assessment.Status.COMPLETED


def test_a_draft_cannot_be_approved(cast, filled):
    with pytest.raises(ApplicationError, match="Only a completed assessment"):
        services.assessment_approve(assessment=filled, by=cast.supervisor)


def test_an_approved_assessment_cannot_be_approved_again(cast, completed):
    services.assessment_approve(assessment=completed, by=cast.supervisor)

    with pytest.raises(ApplicationError) as refused:
        services.assessment_approve(assessment=completed, by=second_supervisor(cast))

    assert refused.value.code == "conflict"
    assert fresh(completed).approved_by == cast.supervisor


@pytest.mark.parametrize("role", ["caseworker2", "supervisor"])
def test_only_the_assessor_can_complete(cast, filled, role):
    with pytest.raises(ApplicationError, match="Only the assessor"):
        services.assessment_complete(assessment=filled, by=getattr(cast, role))

    assert fresh(filled).status == Assessment.Status.DRAFT
    assert fresh(filled.case).stage == Stage.INTAKE


def test_another_caseworker_cannot_change_the_draft_but_a_supervisor_can(cast, draft):
    with pytest.raises(ApplicationError, match="Only the assessor or a supervisor"):
        services.assessment_update(assessment=draft, by=cast.caseworker2, strengths="Rajin")

    services.assessment_update(assessment=draft, by=cast.supervisor, strengths="Rajin")
    assert fresh(draft).strengths == "Rajin"


def test_a_completed_assessment_cannot_be_changed(cast, completed):
    with pytest.raises(ApplicationError, match="Only a draft"):
        services.assessment_update(assessment=completed, by=cast.caseworker, summary="Ubah")

    assert fresh(completed).summary == ""


# --- ratings ---------------------------------------------------------------------------


def test_completion_with_unrated_domains_is_refused_naming_them(cast, draft):
    partial = {d: v for d, v in rated().items() if d not in ("legal", "psychiatric")}
    services.assessment_update(assessment=draft, by=cast.caseworker, domains=partial, **RESULT)

    with pytest.raises(ApplicationError) as refused:
        services.assessment_complete(assessment=draft, by=cast.caseworker)

    message = str(refused.value.message)
    assert str(Domain.LEGAL.label) in message and str(Domain.PSYCHIATRIC.label) in message
    assert str(Domain.MEDICAL.label) not in message
    assert fresh(draft).status == Assessment.Status.DRAFT
    assert fresh(draft.case).stage == Stage.INTAKE


def test_completion_names_every_gap_at_once(cast, draft):
    partial = {d: v for d, v in rated().items() if d != "legal"}
    services.assessment_update(assessment=draft, by=cast.caseworker, domains=partial)

    with pytest.raises(ApplicationError) as refused:
        services.assessment_complete(assessment=draft, by=cast.caseworker)

    message = str(refused.value.message)
    assert str(Domain.LEGAL.label) in message
    assert "Recommend at least one ATENSI component." in message
    assert "Recommend a rehabilitation modality." in message
    assert fresh(draft).status == Assessment.Status.DRAFT


@pytest.mark.parametrize("value", [5, -1, "2", True, 2.5])
def test_a_rating_outside_0_to_4_is_refused_naming_the_domain(cast, filled, value):
    domains = {"family": {"troubled": value}}

    with pytest.raises(ApplicationError) as refused:
        services.assessment_update(assessment=filled, by=cast.caseworker, domains=domains)

    assert str(Domain.FAMILY.label) in str(refused.value.message)
    assert refused.value.field == "domains.family.troubled"
    assert filled.domains.get(domain="family").troubled == 2


def test_a_domain_with_only_one_rating_is_refused_naming_it(cast, draft):
    with pytest.raises(ApplicationError) as refused:
        services.assessment_update(
            assessment=draft, by=cast.caseworker, domains={"legal": {"troubled": 3}}
        )

    assert str(Domain.LEGAL.label) in str(refused.value.message)
    assert refused.value.field == "domains.legal.help_needed"
    assert not draft.domains.exists()


def test_only_the_domains_given_change(cast, filled):
    services.assessment_update(
        assessment=filled, by=cast.caseworker, domains={"drugs": {"troubled": 4}}
    )

    ratings = dict(filled.domains.values_list("domain", "troubled"))
    assert ratings == {**{d: 2 for d in Domain.values}, "drugs": 4}
    assert filled.domains.get(domain="drugs").notes == "Catatan drugs"


def test_completion_needs_a_component_and_a_modality(cast, draft):
    services.assessment_update(assessment=draft, by=cast.caseworker, domains=rated())

    with pytest.raises(ApplicationError) as refused:
        services.assessment_complete(assessment=draft, by=cast.caseworker)
    assert refused.value.field == "recommended_components"

    services.assessment_update(
        assessment=draft, by=cast.caseworker, recommended_components=["keluarga"]
    )
    with pytest.raises(ApplicationError) as refused:
        services.assessment_complete(assessment=draft, by=cast.caseworker)
    assert refused.value.field == "recommended_modality"


def test_an_unknown_component_is_refused(cast, draft):
    with pytest.raises(ApplicationError) as refused:
        services.assessment_update(
            assessment=draft, by=cast.caseworker, recommended_components=["keluarga", "uang"]
        )

    assert refused.value.field == "recommended_components"
    assert fresh(draft).recommended_components == []


# --- the small business ----------------------------------------------------------------


def test_a_business_is_recorded_with_kind_since_and_income(cast, draft):
    services.assessment_update(assessment=draft, by=cast.caseworker, **BUSINESS)

    draft = fresh(draft)
    assert (draft.business_kind, draft.business_monthly_income) == ("Warung kelontong", 1_500_000)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"business_kind": "  "}, "business_kind"),
        ({"business_since": None}, "business_since"),
        ({"business_since": datetime.date.today() + datetime.timedelta(days=30)}, "business_since"),
        ({"business_monthly_income": None}, "business_monthly_income"),
        ({"business_monthly_income": -1}, "business_monthly_income"),
    ],
)
def test_an_inconsistent_business_is_refused_and_nothing_changes(cast, draft, change, field):
    with pytest.raises(ApplicationError) as refused:
        services.assessment_update(
            assessment=draft, by=cast.caseworker, domains=rated(), strengths="Rajin",
            **(BUSINESS | change),
        )  # fmt: skip

    assert refused.value.field == field
    draft = fresh(draft)
    assert (draft.has_business, draft.strengths, draft.domains.count()) == (False, "", 0)


def test_unticking_the_business_clears_its_details(cast, draft):
    services.assessment_update(assessment=draft, by=cast.caseworker, **BUSINESS)

    services.assessment_update(assessment=draft, by=cast.caseworker, has_business=False)

    draft = fresh(draft)
    assert (draft.business_kind, draft.business_since, draft.business_monthly_income) == (
        "", None, None,
    )  # fmt: skip


def test_the_screening_helpers_find_completed_assessments_and_businesses_in_one_query(
    cast, make_case, django_assert_num_queries
):
    def assessed(serial, *, complete, business):
        case = make_case(serial=serial)
        a = services.assessment_start(case=case, by=cast.caseworker, assessed_on=TODAY())
        extra = BUSINESS if business else {}
        services.assessment_update(
            assessment=a, by=cast.caseworker, domains=rated(), **RESULT, **extra
        )
        if complete:
            services.assessment_complete(assessment=a, by=cast.caseworker)
        return case.client_id

    done_with_business = assessed(1, complete=True, business=True)
    done = assessed(2, complete=True, business=False)
    draft_with_business = assessed(3, complete=False, business=True)
    ids = [done_with_business, done, draft_with_business, uuid.uuid4()]

    with django_assert_num_queries(1):
        completed = selectors.clients_with_completed_assessment(ids)
    with django_assert_num_queries(1):
        business = selectors.clients_with_business(ids)

    assert completed == {done_with_business, done}
    assert business == {done_with_business}


# --- the intervention plan -------------------------------------------------------------


def plan_kwargs(**extra):
    data = {
        "component": "keluarga",
        "goal": "Keluarga mengikuti bimbingan tiga kali",
        "responsible": "Pekerja sosial",
        "target_date": TODAY() + datetime.timedelta(days=30),
    }
    return data | extra


def test_a_plan_item_is_added_in_planning_and_tied_to_the_assessment(cast, completed):
    item = services.plan_item_add(case=completed.case, by=cast.caseworker, **plan_kwargs())

    assert (item.assessment, item.created_by) == (completed, cast.caseworker)
    assert completed.case.events.filter(verb=CaseEvent.Verb.PLAN).count() == 1


def test_a_plan_item_cannot_be_added_before_the_assessment(cast, case):
    with pytest.raises(ApplicationError, match="Complete the social assessment first"):
        services.plan_item_add(case=case, by=cast.caseworker, **plan_kwargs())

    assert not PlanItem.objects.exists()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"target_date": datetime.date.today() - datetime.timedelta(days=1)}, "target_date"),
        ({"goal": "  "}, "goal"),
        ({"responsible": ""}, "responsible"),
        ({"component": "uang"}, "component"),
    ],
)
def test_a_bad_plan_item_is_refused(cast, completed, change, field):
    with pytest.raises(ApplicationError) as refused:
        services.plan_item_add(case=completed.case, by=cast.caseworker, **plan_kwargs(**change))

    assert refused.value.field == field
    assert not PlanItem.objects.exists()


def test_the_plan_of_a_closed_case_cannot_change(cast, completed):
    item = services.plan_item_add(case=completed.case, by=cast.caseworker, **plan_kwargs())
    case_services.case_transition(
        case=completed.case, by=cast.caseworker, to_stage=Stage.REFERRED_OUT, reason="Rujuk",
        referred_to="RS Ernaldi Bahar",
    )  # fmt: skip

    with pytest.raises(ApplicationError):
        services.plan_item_add(case=completed.case, by=cast.caseworker, **plan_kwargs())
    with pytest.raises(ApplicationError):
        services.plan_item_remove(item=item, by=cast.caseworker)

    assert PlanItem.objects.count() == 1


def test_removing_a_plan_item_keeps_it_on_the_timeline(cast, completed):
    item = services.plan_item_add(case=completed.case, by=cast.caseworker, **plan_kwargs())

    services.plan_item_remove(item=item, by=cast.caseworker)

    assert not PlanItem.objects.exists()
    last = completed.case.events.filter(verb=CaseEvent.Verb.PLAN).order_by("at", "id").last()
    assert "Keluarga mengikuti bimbingan" in last.description


# --- the pages -------------------------------------------------------------------------


CASE_PAGES = ("assessment-list", "assessment-create", "plan")


def page(name, obj):
    key = "case_pk" if name in CASE_PAGES else "pk"
    return reverse(f"assessments:{name}", kwargs={key: obj.pk})


# Centre staff read only the clients handed to them (issue 12 item 3): here none, a 404.
READ_MATRIX = {
    #                     caseworker supervisor outsider referrer centre viewer admin
    "assessment-list":   (200, 200, 404, 404, 404, 404, 200),
    "assessment-create": (200, 200, 404, 404, 404, 404, 404),
    "assessment-detail": (200, 200, 404, 404, 404, 404, 200),
    "assessment-edit":   (200, 200, 404, 404, 404, 404, 404),
    "plan":              (200, 200, 404, 404, 404, 404, 200),
}  # fmt: skip


@pytest.mark.parametrize(
    ("name", "role", "status"),
    role_matrix(READ_MATRIX),
)
def test_who_may_open_each_page(browse, draft, name, role, status):
    obj = draft.case if name in CASE_PAGES else draft

    assert browse(role).get(page(name, obj)).status_code == status


@pytest.mark.parametrize(
    ("role", "status"),
    list(zip(ROLES, (302, 302, 404, 404, 404, 404, 403), strict=True)),
)
def test_who_may_complete_from_the_page(browse, filled, role, status):
    response = browse(role).post(page("assessment-complete", filled))

    assert response.status_code == status
    expected = Assessment.Status.COMPLETED if role == "caseworker" else Assessment.Status.DRAFT
    assert fresh(filled).status == expected


@pytest.mark.parametrize(
    ("role", "status"),
    list(zip(ROLES, (403, 302, 404, 404, 404, 404, 403), strict=True)),
)
def test_who_may_approve_from_the_page(browse, completed, role, status):
    response = browse(role).post(page("assessment-approve", completed))

    assert response.status_code == status
    expected = Assessment.Status.APPROVED if role == "supervisor" else Assessment.Status.COMPLETED
    assert fresh(completed).status == expected


def plan_form(**extra):
    data = plan_kwargs(**extra)
    data["target_date"] = data["target_date"].isoformat()
    return data


@pytest.mark.parametrize(
    ("role", "status"),
    list(zip(ROLES, (302, 302, 404, 404, 404, 404, 404), strict=True)),
)
def test_who_may_add_to_the_plan_from_the_page(browse, completed, role, status):
    response = browse(role).post(page("plan", completed.case), plan_form())

    assert response.status_code == status
    assert PlanItem.objects.count() == (1 if status == 302 else 0)


@pytest.mark.parametrize(
    ("role", "status"),
    list(zip(ROLES, (302, 302, 404, 404, 404, 404, 403), strict=True)),
)
def test_who_may_remove_from_the_plan_from_the_page(cast, browse, completed, role, status):
    item = services.plan_item_add(case=completed.case, by=cast.caseworker, **plan_kwargs())

    response = browse(role).post(page("plan-item-remove", item))

    assert response.status_code == status
    assert PlanItem.objects.exists() == (status != 302)


@pytest.mark.parametrize(
    "name", ["assessment-detail", "assessment-edit", "assessment-list", "assessment-create", "plan"]
)
def test_a_forged_id_is_not_found_on_the_pages(browse, draft, name):
    key = "case_pk" if name in CASE_PAGES else "pk"

    response = browse("caseworker").get(reverse(f"assessments:{name}", kwargs={key: uuid.uuid4()}))

    assert response.status_code == 404


def test_an_assessment_of_another_regency_is_not_found_and_not_listed(cast, browse, make_case):
    foreign_case = make_case(by=cast.outsider, village=OI_VILLAGE, serial=5)
    foreign = services.assessment_start(case=foreign_case, by=cast.outsider, assessed_on=TODAY())
    caseworker = browse("caseworker")

    assert caseworker.get(page("assessment-detail", foreign)).status_code == 404
    assert caseworker.get(page("assessment-edit", foreign)).status_code == 404
    assert caseworker.post(page("assessment-complete", foreign)).status_code == 404
    assert not selectors.assessment_list(user=cast.caseworker).filter(pk=foreign.pk).exists()


def assessment_form(level="2", **extra):
    data = {"assessed_on": TODAY().isoformat(), "recommended_components": ["keluarga", "terapi"],
            "recommended_modality": "outpatient", "strengths": "Dukungan ibu kuat"}  # fmt: skip
    for domain in Domain.values:
        notes = f"Catatan {domain}" if level else ""
        data |= {f"asi_{domain}_notes": notes, f"asi_{domain}_troubled": level,
                 f"asi_{domain}_help_needed": level}  # fmt: skip
    return data | extra


def test_the_form_shows_six_domains_with_rating_meanings_and_a_hidden_business_part(browse, case):
    html = browse("caseworker").get(page("assessment-create", case)).text

    assert all(shown(label) in html for label in Domain.labels)
    assert html.count('name="asi_medical_troubled"') == 5
    assert shown("not at all") in html and shown("extremely") in html
    assert 'data-show-when="has_business=on"' in html
    assert 'name="complete"' in html


def test_the_form_saves_a_draft_and_then_completes_it(cast, browse, case):
    caseworker = browse("caseworker")

    response = caseworker.post(page("assessment-create", case), assessment_form(level=""))

    assessment = Assessment.objects.get()
    assert response.status_code == 302 and response.url == page("assessment-edit", assessment)
    assert (assessment.status, assessment.strengths) == ("draft", "Dukungan ibu kuat")
    assert not assessment.domains.exists()

    response = caseworker.post(
        page("assessment-edit", assessment), assessment_form(complete="1"), follow=True
    )

    assessment = fresh(assessment)
    assert assessment.status == Assessment.Status.COMPLETED
    assert assessment.domains.count() == 6
    assert fresh(case).stage == Stage.PLANNING
    assert response.redirect_chain[-1][0] == page("assessment-detail", assessment)


def test_the_business_income_is_typed_as_people_write_rupiah(browse, case):
    data = assessment_form(level="", has_business="on", business_kind="Warung kopi",
                           business_since="2024-03-01",
                           business_monthly_income="Rp 1.500.000")  # fmt: skip

    response = browse("caseworker").post(page("assessment-create", case), data)

    assert response.status_code == 302
    assessment = Assessment.objects.get()
    assert assessment.business_monthly_income == 1_500_000
    # and read back as it was typed, with the thousands separated
    shown = browse("caseworker").get(page("assessment-detail", assessment)).content.decode()
    assert ">1.500.000</dd>" in shown


def test_the_family_domain_notes_and_the_family_situation_are_kept_apart(browse, case):
    data = assessment_form(family_notes="Tinggal bersama ibu", asi_family_notes="Sering bertengkar")

    browse("caseworker").post(page("assessment-create", case), data)

    assessment = Assessment.objects.get()
    assert assessment.family_notes == "Tinggal bersama ibu"
    assert assessment.domains.get(domain="family").notes == "Sering bertengkar"


def test_completing_from_the_form_with_an_unrated_domain_keeps_the_draft_and_says_which(
    browse, case
):
    data = assessment_form(
        complete="1", asi_legal_troubled="", asi_legal_help_needed="", asi_legal_notes=""
    )

    response = browse("caseworker").post(page("assessment-create", case), data, follow=True)

    assessment = Assessment.objects.get()
    assert assessment.status == Assessment.Status.DRAFT
    assert assessment.domains.count() == 5
    assert shown(Domain.LEGAL.label) in response.text
    assert response.redirect_chain[-1][0] == page("assessment-edit", assessment)


def test_one_save_says_every_problem_of_the_form_at_once(browse, case):
    """Seen in the browser: an almost empty form took five saves to show its five problems,
    one refusal each."""
    data = assessment_form(
        complete="1", has_business="on", business_kind="", business_since="2999-01-01",
        business_monthly_income="", asi_legal_troubled="", asi_medical_help_needed="",
    )  # fmt: skip

    response = browse("caseworker").post(page("assessment-create", case), data)

    assert response.status_code == 200 and not Assessment.objects.exists()
    errors = response.context["form"].errors
    assert set(errors) == {
        "business_kind", "business_since", "business_monthly_income", "asi_legal_troubled",
        "asi_medical_help_needed",
    }  # fmt: skip
    assert errors["business_since"] == [indonesian("The business start date lies in the future.")]
    for message in (
        "Say what kind of business the client runs.",
        "Give the business's monthly income in rupiah (0 if none yet).",
    ):
        assert escape(indonesian(message)) in response.text


def test_notes_without_ratings_are_refused_on_the_form_naming_the_domain(browse, case):
    data = assessment_form(asi_legal_troubled="", asi_legal_help_needed="")

    response = browse("caseworker").post(page("assessment-create", case), data)

    assert response.status_code == 200
    assert response.context["form"].errors["asi_legal_troubled"]
    assert shown(Domain.LEGAL.label) in response.text
    assert not Assessment.objects.exists()


def test_an_inconsistent_business_is_refused_on_the_form(browse, case):
    data = assessment_form(has_business="on", business_kind="Bengkel", business_since="",
                           business_monthly_income="500000")  # fmt: skip

    response = browse("caseworker").post(page("assessment-create", case), data)

    assert response.status_code == 200
    assert response.context["form"].errors["business_since"]
    assert not Assessment.objects.exists()


def test_a_rating_outside_the_scale_is_refused_on_the_form(browse, case):
    response = browse("caseworker").post(
        page("assessment-create", case), assessment_form(asi_medical_troubled="7")
    )

    assert response.status_code == 200
    assert response.context["form"].errors["asi_medical_troubled"]
    assert not Assessment.objects.exists()


def test_the_case_assessments_page_offers_a_new_assessment_or_the_open_draft(browse, case):
    caseworker = browse("caseworker")
    new = page("assessment-create", case)

    assert new in caseworker.get(page("assessment-list", case)).text

    caseworker.post(new, assessment_form(level=""))
    html = caseworker.get(page("assessment-list", case)).text
    assert new not in html
    assert page("assessment-edit", Assessment.objects.get()) in html


def test_a_completed_assessment_opens_read_only(browse, completed):
    response = browse("caseworker").get(page("assessment-edit", completed))

    assert response.status_code == 302
    assert response.url == page("assessment-detail", completed)


def test_opening_an_assessment_writes_one_view_event(cast, browse, completed):
    browse("supervisor").get(page("assessment-detail", completed))

    views = AuditEvent.objects.filter(action="view")
    assert [(e.actor, e.object_type, e.object_id) for e in views] == [
        (cast.supervisor, "assessment", str(completed.pk))
    ]


def test_the_supervisor_sees_the_approve_button_but_not_the_assessor(browse, completed):
    url = reverse("assessments:assessment-approve", args=[completed.pk])

    assert url in browse("supervisor").get(page("assessment-detail", completed)).text
    assert url not in browse("caseworker").get(page("assessment-detail", completed)).text


def test_the_plan_page_lists_items_and_adds_one(cast, browse, completed):
    caseworker = browse("caseworker")

    response = caseworker.post(page("plan", completed.case), plan_form(), follow=True)

    assert response.status_code == 200
    assert "Keluarga mengikuti bimbingan tiga kali" in response.text
    assert PlanItem.objects.get().assessment == completed


def test_a_plan_item_with_a_past_date_is_refused_on_the_page(browse, completed):
    yesterday = TODAY() - datetime.timedelta(days=1)

    response = browse("caseworker").post(
        page("plan", completed.case), plan_form(target_date=yesterday)
    )

    assert response.status_code == 200
    assert response.context["form"].errors["target_date"]
    assert not PlanItem.objects.exists()


def test_the_plan_page_of_a_case_in_intake_offers_no_form(browse, case):
    response = browse("caseworker").get(page("plan", case))

    assert response.status_code == 200 and response.context["form"] is None


# --- the API ---------------------------------------------------------------------------


def api_as(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def error_of(response, status):
    assert response.status_code == status, response.content
    return response.json()["error"]


def test_the_api_runs_the_whole_lifecycle(cast, case):
    api = api_as(cast.caseworker)

    created = api.post(ASSESSMENTS, {"case": case.pk, "assessed_on": TODAY()}, format="json")
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["status"] == "draft"
    assert [d["domain"] for d in body["domains"]] == Domain.values
    assert all(d["troubled"] is None for d in body["domains"])
    url = f"{ASSESSMENTS}{body['id']}/"

    domains = [{"domain": d, "notes": "Baik", "troubled": 1, "help_needed": 3}
               for d in Domain.values]  # fmt: skip
    changed = api.patch(url, {"domains": domains, **RESULT, "has_business": True,
                              "business_kind": "Jahit", "business_since": "2023-01-01",
                              "business_monthly_income": 0}, format="json")  # fmt: skip
    assert changed.status_code == 200, changed.content
    assert {d["help_needed"] for d in changed.json()["domains"]} == {3}

    assert api.post(f"{url}complete/").json()["status"] == "completed"
    assert fresh(case).stage == Stage.PLANNING
    approved = api_as(cast.supervisor).post(f"{url}approve/")
    assert approved.json()["status"] == "approved"
    assert approved.json()["approved_by"] == cast.supervisor.pk


def test_a_bad_rating_through_the_api_names_the_domain_and_changes_nothing(cast, filled):
    url = f"{ASSESSMENTS}{filled.pk}/"

    response = api_as(cast.caseworker).patch(
        url, {"summary": "Baru", "domains": [{"domain": "medical", "troubled": 9}]}, format="json"
    )

    error = error_of(response, 400)
    assert list(error["fields"]) == ["domains.medical.troubled"]
    assert fresh(filled).summary == ""
    assert filled.domains.get(domain="medical").troubled == 2


def test_completing_through_the_api_with_unrated_domains_is_refused(cast, draft):
    error = error_of(api_as(cast.caseworker).post(f"{ASSESSMENTS}{draft.pk}/complete/"), 400)

    assert all(indonesian(label) in error["message"] for label in Domain.labels)
    assert fresh(draft).status == Assessment.Status.DRAFT


def test_a_completed_assessment_cannot_be_patched_through_the_api(cast, completed):
    response = api_as(cast.caseworker).patch(
        f"{ASSESSMENTS}{completed.pk}/", {"summary": "x"}, format="json"
    )

    assert error_of(response, 409)["code"] == "conflict"


def test_the_supervisor_cannot_approve_their_own_assessment_through_the_api(cast, make_case):
    case = make_case(by=cast.supervisor)
    own = services.assessment_start(case=case, by=cast.supervisor, assessed_on=TODAY())
    services.assessment_update(assessment=own, by=cast.supervisor, domains=rated(), **RESULT)
    services.assessment_complete(assessment=own, by=cast.supervisor)

    error_of(api_as(cast.supervisor).post(f"{ASSESSMENTS}{own.pk}/approve/"), 400)

    assert fresh(own).status == Assessment.Status.COMPLETED


def test_a_caseworker_cannot_approve_through_the_api(cast, completed):
    error_of(api_as(cast.caseworker).post(f"{ASSESSMENTS}{completed.pk}/approve/"), 403)

    assert fresh(completed).status == Assessment.Status.COMPLETED


@pytest.mark.parametrize("role", ["outsider", "referrer", "viewer"])
@pytest.mark.parametrize(
    ("method", "suffix", "payload"),
    [("get", "", None), ("patch", "", {"summary": "x"}), ("post", "complete/", None),
     ("post", "approve/", None)],
)  # fmt: skip
def test_outsiders_get_404_for_an_assessment(cast, filled, role, method, suffix, payload):
    api = api_as(getattr(cast, role))

    response = getattr(api, method)(f"{ASSESSMENTS}{filled.pk}/{suffix}", payload, format="json")

    error_of(response, 404)
    assert (fresh(filled).status, fresh(filled).summary) == (Assessment.Status.DRAFT, "")


@pytest.mark.parametrize("role", ["outsider", "referrer", "viewer"])
def test_outsiders_list_no_assessments_or_plan_items(cast, completed, role):
    services.plan_item_add(case=completed.case, by=cast.caseworker, **plan_kwargs())
    api = api_as(getattr(cast, role))

    assert api.get(ASSESSMENTS).json()["count"] == 0
    assert api.get(PLAN_ITEMS).json()["count"] == 0


@pytest.mark.parametrize("role", ["outsider", "referrer", "viewer"])
def test_outsiders_cannot_start_an_assessment_or_add_to_a_plan(cast, completed, role):
    api = api_as(getattr(cast, role))

    started = api.post(ASSESSMENTS, {"case": completed.case.pk, "assessed_on": TODAY()})
    added = api.post(PLAN_ITEMS, {"case": completed.case.pk, **plan_form()})

    assert started.status_code == added.status_code == 400
    assert "case" in started.json()["error"]["fields"] and "case" in added.json()["error"]["fields"]
    assert Assessment.objects.count() == 1 and not PlanItem.objects.exists()


def test_retrieving_an_assessment_through_the_api_is_audited(cast, completed):
    api_as(cast.supervisor).get(f"{ASSESSMENTS}{completed.pk}/")

    views = AuditEvent.objects.filter(action="view", object_id=str(completed.pk))
    assert [(e.actor, e.channel) for e in views] == [(cast.supervisor, "api")]


def test_the_assessment_list_filters_by_case(cast, completed, make_case):
    other = services.assessment_start(case=make_case(serial=2), by=cast.caseworker,
                                      assessed_on=TODAY())  # fmt: skip
    api = api_as(cast.caseworker)

    ids = [a["id"] for a in api.get(ASSESSMENTS, {"case": completed.case.pk}).json()["results"]]

    assert ids == [str(completed.pk)]
    assert api.get(ASSESSMENTS).json()["count"] == 2
    assert api.get(ASSESSMENTS, {"status": "draft"}).json()["results"][0]["id"] == str(other.pk)


def test_the_plan_items_api_adds_lists_and_removes(cast, completed):
    api = api_as(cast.caseworker)

    created = api.post(PLAN_ITEMS, {"case": completed.case.pk, **plan_form()}, format="json")
    assert created.status_code == 201, created.content
    listed = api.get(PLAN_ITEMS, {"case": completed.case.pk}).json()
    assert [i["id"] for i in listed["results"]] == [created.json()["id"]]
    assert listed["results"][0]["component"] == "keluarga"

    assert error_of(api_as(cast.outsider).delete(f"{PLAN_ITEMS}{created.json()['id']}/"), 404)
    assert api.delete(f"{PLAN_ITEMS}{created.json()['id']}/").status_code == 204
    assert not PlanItem.objects.exists()


def test_a_plan_item_in_the_past_is_refused_through_the_api(cast, completed):
    yesterday = (TODAY() - datetime.timedelta(days=1)).isoformat()

    response = api_as(cast.caseworker).post(
        PLAN_ITEMS, {"case": completed.case.pk, **plan_form(), "target_date": yesterday}
    )

    assert list(error_of(response, 400)["fields"]) == ["target_date"]
    assert not PlanItem.objects.exists()


@pytest.mark.parametrize("pk", [uuid.uuid4(), "not-a-uuid"])
@pytest.mark.parametrize("path", [ASSESSMENTS, PLAN_ITEMS])
def test_a_forged_id_is_not_found_in_the_api(cast, path, pk):
    method = "get" if path == ASSESSMENTS else "delete"

    error_of(getattr(api_as(cast.caseworker), method)(f"{path}{pk}/"), 404)


def fill_rows(cast, make_case, n):
    for serial in range(1, n + 1):
        case = make_case(serial=serial)
        a = services.assessment_start(case=case, by=cast.caseworker, assessed_on=TODAY())
        services.assessment_update(assessment=a, by=cast.caseworker, domains=rated(), **RESULT)
        services.assessment_complete(assessment=a, by=cast.caseworker)
        services.assessment_approve(assessment=a, by=cast.supervisor)
        services.plan_item_add(case=case, by=cast.caseworker, **plan_kwargs())


@pytest.mark.parametrize("rows", [2, 12])
@pytest.mark.parametrize("path", [ASSESSMENTS, PLAN_ITEMS])
def test_list_endpoints_take_a_fixed_number_of_queries(
    cast, make_case, django_assert_max_num_queries, path, rows
):
    fill_rows(cast, make_case, rows)
    api = api_as(cast.caseworker)

    with django_assert_max_num_queries(4):
        response = api.get(path, {"page_size": 50})

    assert response.json()["count"] == rows


@pytest.mark.parametrize("rows", [2, 12])
def test_the_assessment_list_page_takes_a_fixed_number_of_queries(
    cast, browse, make_case, django_assert_max_num_queries, rows
):
    fill_rows(cast, make_case, 1)
    case = make_case(serial=50)
    for _ in range(rows):
        a = services.assessment_start(case=case, by=cast.caseworker, assessed_on=TODAY())
        services.assessment_update(assessment=a, by=cast.caseworker, domains=rated(), **RESULT)
        services.assessment_complete(assessment=a, by=cast.caseworker)
    browser = browse("caseworker")

    with django_assert_max_num_queries(11):
        response = browser.get(page("assessment-list", case))

    assert len(response.context["assessments"]) == rows


def test_the_supervisors_home_lists_the_assessments_waiting_for_approval(browse, completed):
    home = browse("supervisor").get(reverse("home")).content.decode()
    own_home = browse("caseworker").get(reverse("home")).content.decode()

    approval = reverse("assessments:assessment-detail", args=[completed.pk])
    assert "Asesmen menunggu persetujuan" in home and approval in home
    assert approval not in own_home  # the assessor cannot approve their own
