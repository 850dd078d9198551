"""The demo data set `make run` loads: the users, and the district's screening story."""

import io
from collections import Counter

import pytest
from django.core.management import call_command
from django.test import Client as Browser
from django.urls import reverse

from assessments.models import BatchRow, EligibilityBatch, RegisterSnapshot
from atensi.accounts.models import User
from cases.demo import DEFAULT_PASSWORD, USERS


@pytest.fixture
def demo(db):
    out = io.StringIO()
    call_command("load_demo", stdout=out)
    return out.getvalue()


def test_the_demo_users_log_in_with_the_printed_password(demo):
    usernames = {username for username, *_rest in USERS}

    assert set(User.objects.filter(username__in=usernames).values_list("username", flat=True)) == (
        usernames
    )
    for username in ("demo-caseworker", "demo-referrer", "demo-viewer"):
        browser = Browser()
        response = browser.post(
            reverse("accounts:login"), {"username": username, "password": DEFAULT_PASSWORD}
        )
        assert response.status_code == 302 and response.url == reverse("home"), username


def test_the_demo_screening_tells_the_districts_story(demo):
    batch = EligibilityBatch.objects.get()
    verdicts = Counter(batch.rows.values_list("verdict", flat=True))

    assert batch.status == EligibilityBatch.Status.DONE
    assert batch.snapshot.status == RegisterSnapshot.Status.DONE
    assert sum(verdicts.values()) == 51
    assert verdicts == {
        "ELIGIBLE": 24,
        "DECILE_ABOVE_THRESHOLD": 8,
        "ASSESSMENT_MISSING": 6,
        "NOT_IN_REGISTER": 5,
        "ALREADY_AIDED": 3,
        "NIK_INVALID": 2,
        "DUPLICATE_IN_BATCH": 2,
        "NEEDS_REVIEW": 1,
    }
    # One likely match confirmed by the supervisor (now eligible), one still waiting.
    reviews = Counter(batch.rows.values_list("review", flat=True))
    assert reviews[BatchRow.Review.CONFIRMED] == 1 and reviews[BatchRow.Review.PENDING] == 1
    confirmed = batch.rows.get(review=BatchRow.Review.CONFIRMED)
    assert confirmed.verdict == "ELIGIBLE" and confirmed.reviewed_by.username == "demo-supervisor"
    assert "Demo screening: 51 proposed, 24 eligible." in demo


def test_the_caseworker_sees_the_funnel_on_the_batch_page(demo):
    batch = EligibilityBatch.objects.get()
    browser = Browser()
    browser.force_login(User.objects.get(username="demo-caseworker"))

    html = browser.get(reverse("assessments:batch-detail", args=[batch.pk])).content.decode()

    assert "Usulan ATENSI Kab. OKI November" in html
    assert "Saring ulang" in html and "Antrean tinjauan" in html


def test_the_demo_aid_round_hands_over_to_the_24_eligible_people(demo):
    from aid.models import AidItem, AidRecord, Decree, Handover, Proposal
    from aid.selectors import budget_panel

    decree = Decree.objects.get()
    approved = decree.proposals.all()
    handovers = Handover.objects.filter(proposal__decree=decree)

    assert approved.count() == 24
    assert set(approved.values_list("state", flat=True)) == {Proposal.State.HANDED_OVER}
    assert handovers.count() == 24
    assert sorted(handovers.values_list("seq", flat=True)) == list(range(1, 25))
    assert {h.place for h in handovers} == {
        "Rumah Singgah Dinas Sosial Kabupaten Ogan Komering Ilir, Kayuagung"
    }
    entrepreneurs = approved.filter(items__aid_item__kind=AidItem.Kind.ENTREPRENEURSHIP)
    assert entrepreneurs.count() == 12
    assert all(p.business_plan for p in entrepreneurs)
    rejected = Proposal.objects.get(state=Proposal.State.REJECTED)
    assert rejected.reason and rejected.decree is None
    spent = sum(p.value for p in approved)
    panel = budget_panel(decree.programme)
    assert (panel["reserved"], panel["spent"]) == (0, spent)
    assert AidRecord.objects.filter(client__in=approved.values("client")).count() == 24
    assert "Demo aid: 24 approved in decree" in demo and "(12 with entrepreneurship aid)" in demo


def test_loading_the_demo_again_changes_nothing(demo):
    from aid.models import BudgetEntry, Proposal

    counts = (
        User.objects.count(), BatchRow.objects.count(), RegisterSnapshot.objects.count(),
        Proposal.objects.count(), BudgetEntry.objects.count(),
    )  # fmt: skip
    out = io.StringIO()

    call_command("load_demo", stdout=out)

    assert "already present" in out.getvalue()
    assert (
        User.objects.count(), BatchRow.objects.count(), RegisterSnapshot.objects.count(),
        Proposal.objects.count(), BudgetEntry.objects.count(),
    ) == counts  # fmt: skip


def test_no_demo_case_waits_at_an_early_stage_while_its_client_is_treated(demo):
    # Seen: cases at intake ("Pendekatan awal") with rehabilitation running since months.
    from cases.models import Case, Stage
    from rehab.models import Episode

    running = Counter(
        Episode.objects.filter(ended_on__isnull=True).values_list("case__stage", flat=True)
    )
    ended = Case.objects.filter(episodes__isnull=False).exclude(episodes__ended_on__isnull=True)
    assert running and set(running) == {Stage.INTERVENTION}
    assert not ended.filter(stage__in=(Stage.INTAKE, Stage.ASSESSMENT, Stage.PLANNING)).exists()
    assert ended.filter(stage=Stage.AFTERCARE).count() >= 3  # followed up after treatment
