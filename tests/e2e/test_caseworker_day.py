"""A Dinsos caseworker's day in the browser: a BNNK referral accepted into a case, the ASSIST
screening and the social assessment of the person, then a proposal list uploaded, screened by
the Celery worker while the progress bar shows, and the rows waiting for review looked into."""

import re

import pytest
from django.db import connection
from playwright.sync_api import expect

from assessments.models import Assessment, EligibilityBatch, Screening
from assessments.services import eligibility
from cases import services as case_services
from cases.models import Case, Referral, Stage
from tests.assessments.test_eligibility import psycopg_connection
from tests.assessments.test_review_queue import (
    BORN,
    HEADER,
    LINES,
    make_register,
    nik,
    programme_of,
)
from tests.conftest import OKI_VILLAGE, referral_kwargs, said

from .browsing import link, login, shot

pytestmark = pytest.mark.e2e

# The ASSIST answers for methamphetamine (sabu), the only substance ever used: 4+5+5+0+6 = 20.
ATS = {"q2": "weekly", "q3": "weekly", "q4": "monthly", "q5": "never", "q6": "never",
       "q7": "recent"}  # fmt: skip
SUBSTANCES = ["tobacco", "alcohol", "cannabis", "cocaine", "ats", "inhalants", "sedatives",
              "hallucinogens", "opioids", "other"]  # fmt: skip


@pytest.fixture
def world(page, cast, media):
    snapshot, _people = make_register(cast)
    programme_of(cast.dinsos)
    referral = case_services.referral_submit(
        by=cast.referrer, **referral_kwargs(
            full_name="Joko Susilo", nik=nik(9), birth_date=BORN, region=OKI_VILLAGE,
            address="Jl. Lintas Timur 8", reason="Asesmen terpadu BNNK: rehabilitasi sosial.",
        ),
    )  # fmt: skip
    proposals = media / "usulan-desember.csv"
    proposals.write_text(HEADER + "".join(f"{line}\n" for line in LINES.values()))
    return referral, proposals


def choose(page, name, value):
    """Click the button-like label of a radio choice, as a person does."""
    page.click(f"input[name={name}][value={value}] + label")


def test_a_caseworker_accepts_screens_assesses_and_screens_a_proposal_list(
    page, world, celery_worker
):
    referral, proposals = world

    # The referral waits on the home page; accepted, it becomes a case.
    login(page, "caseworker")
    page.click(f"main a:has-text('{referral.reference}')")
    shot(page, "referral")
    page.click(f"a[href='/rujukan/{referral.pk}/terima/']")
    shot(page, "accept")
    # No purpose comes ticked: the caseworker ticks what the person agreed to.
    page.check("input[name=consent-purposes][value=assessment]")
    page.check("input[name=consent-purposes][value=rehabilitation]")
    page.click("main form button[type=submit]")
    expect(page).to_have_url(re.compile(r"/kasus/[0-9a-f-]+/$"))
    case = Case.objects.get(referral=referral)
    expect(page.locator("h1")).to_contain_text(case.reference)
    shot(page, "case opened")

    # ASSIST: only sabu was ever used.
    link(page, "New ASSIST screening").click()
    for code in SUBSTANCES:
        choose(page, f"{code}_q1", "yes" if code == "ats" else "no")
    for question, answer in ATS.items():
        choose(page, f"ats_{question}", answer)
    choose(page, "injection", "never")
    shot(page, "assist form")
    page.click("main form button[type=submit]")
    expect(page.locator(".alert-success")).to_contain_text(
        said("The ASSIST screening has been recorded.")
    )
    shot(page, "assist result")
    screening = Screening.objects.get(case=case)
    assert screening.substances.get(substance="ats").score == 20

    # The social assessment, completed: the case moves on to planning.
    page.click(f"main a:has-text('{case.reference}')")
    shot(page, "case after screening")
    link(page, "Social assessment").click()
    shot(page, "assessments")
    link(page, "New assessment").click()
    for fieldset in page.locator("fieldset[id^=domain-]").all():
        fieldset.locator("textarea").fill("Diceritakan oleh klien.")
        for rating in fieldset.locator("[role=radiogroup]").all():
            rating.locator("input[value='2']").check()
    page.fill("textarea[name=strengths]", "Keluarga mendukung, ingin bekerja lagi.")
    page.check("input[name=recommended_components][value=terapi]")
    page.select_option("select[name=recommended_modality]", "outpatient")
    page.fill("textarea[name=summary]", "Rawat jalan dengan dukungan keluarga.")
    shot(page, "assessment form")
    page.click("button[name=complete]")
    expect(page.locator(".alert-success")).to_contain_text(
        said("The assessment has been completed; the case is in planning.")
    )
    shot(page, "assessment completed")
    assessment = Assessment.objects.get(case=case)
    assert assessment.status == Assessment.Status.COMPLETED and assessment.domains.count() == 6
    assert Case.objects.get(pk=case.pk).stage == Stage.PLANNING

    # A proposal list: uploaded, waiting for the worker, screened while the page looks on.
    page.click("nav a[href='/kelayakan/']")
    shot(page, "eligibility")
    page.click("main a[href='/kelayakan/baru/']")
    page.fill("input[name=name]", "Usulan Desember")
    page.select_option("select[name=programme]", label="Bantuan ATENSI 2026")
    page.set_input_files("input[name=file]", proposals)
    shot(page, "upload")
    page.click("main form button[type=submit]")
    bar = page.locator("#batch-progress progress")
    expect(bar).to_be_visible()
    expect(page.locator("#batch-progress")).to_contain_text(said("Waiting for a worker…"))
    shot(page, "progress waiting")
    batch = EligibilityBatch.objects.get(name="Usulan Desember")

    # The list read here and one of its rows held, so that the worker's screening waits on it
    # and the bar shows the screening under way before it ends.
    eligibility.batch_load(batch_id=batch.pk)
    holder = psycopg_connection(connection)
    try:
        holder.execute(
            "SELECT id FROM assessments_batchrow WHERE batch_id = %s ORDER BY row_number "
            "LIMIT 1 FOR UPDATE", (batch.pk,),
        )  # fmt: skip
        celery_worker()
        running = re.escape(said("Screening: %(n)s of %(total)s rows", n="0", total=len(LINES)))
        expect(page.locator("#batch-progress")).to_contain_text(
            re.compile(running.replace("0", r"\d+", 1)), timeout=15_000
        )
        expect(bar).to_be_visible()
        shot(page, "progress running")
    finally:
        holder.rollback()
        holder.close()
    expect(link(page, "Review queue")).to_be_visible(timeout=30_000)
    expect(bar).to_have_count(0)
    shot(page, "screened")
    batch.refresh_from_db()
    assert batch.status == EligibilityBatch.Status.DONE and batch.total_rows == len(LINES)
    verdicts = dict(batch.rows.values_list("row_number", "verdict"))
    assert verdicts[6] == "ELIGIBLE" and "NEEDS_REVIEW" in verdicts.values()

    # The rows waiting for review, each beside its candidates from the register; the
    # decision is the supervisor's.
    link(page, "Review queue").click()
    expect(page).to_have_url(re.compile(f"/kelayakan/{batch.pk}/tinjauan/$"))
    rows = page.locator("[data-review-row]")
    expect(rows.first).to_be_visible()
    expect(rows.first).to_contain_text("Siti Nur Aisyah")
    expect(page.locator(".review-actions")).to_have_count(0)
    expect(page.locator("main [role=note]")).to_contain_text(
        said(
            "Only a supervisor decides these rows; you can read them here. Ask your supervisor "
            "to review them."
        )
    )
    shot(page, "review queue")
    assert Referral.objects.get(pk=referral.pk).status == Referral.Status.ACCEPTED
