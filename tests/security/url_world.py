"""The world the URL matrix requests every page of: the demo district (Ogan Komering Ilir,
with one user per role and Ogan Ilir's caseworker as the outsider), plus what the demo does
not make: a referral attachment, a screening, a plan line, a register import with refused
rows, a decree annex, a hand-over's signed record and a yearly dashboard report.

Built once per test module inside a transaction that is rolled back when the module ends.
"""

import datetime
import io
import re
from dataclasses import dataclass, field

import openpyxl
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client as Browser
from django.utils import timezone

from aid.models import AidItem, Decree, FollowUp, Handover, Proposal
from aid.services import documents as aid_documents
from aid.services import handovers as handover_services
from assessments import assist
from assessments.models import (
    Assessment,
    BatchRow,
    EligibilityBatch,
    PlanItem,
    RegisterSnapshot,
    Screening,
)
from assessments.services import assessment as assessment_services
from assessments.services import register as register_services
from assessments.services.screening import screening_record
from atensi.accounts import policy
from atensi.accounts.models import User
from atensi.dashboard import report as dashboard_report
from atensi.dashboard import selectors as dashboard_selectors
from cases import services as case_services
from cases.models import Client, FamilyMember, Referral, ReferralAttachment
from prevention.models import Activity, VillageStatus
from rehab.models import AftercareFollowUp, IbmUnit, Outreach, RecoveryAgent, Session
from rehab.models.family import FamilyAttendance, FamilySeries, FamilySession
from rehab.models.survey import SurveyUnit
from tests.conftest import png_file

# The cast's roles as the demo's users.
DEMO_USERS = {
    "caseworker": "demo-caseworker",
    "supervisor": "demo-supervisor",
    "outsider": "demo-caseworker-2",  # Dinsos Ogan Ilir
    "referrer": "demo-referrer",
    "centre": "demo-centre",
    "viewer": "demo-viewer",
    "admin": "demo-admin",
}
OKI = "16.02"
REGISTER_HEADER = "id_dtsen;nik;no_kk;nama;tgl_lahir;jenis_kelamin;kode_wilayah;alamat;desil"


@dataclass
class Private:
    """Personal data a role may not read: NIKs, and names as one pattern."""

    niks: set[str]
    names: re.Pattern

    def found_in(self, text: str) -> list[str]:
        niks = set(re.findall(r"(?<!\d)\d{16}(?!\d)", text)) & self.niks
        return sorted(niks) + sorted(set(self.names.findall(text)))


@dataclass
class World:
    users: dict[str, User]
    # Signed-in session cookies by role ("anonymous" has none).
    sessions: dict[str, str]
    # Path arguments by the name the URL table uses ("client", "proposal", …).
    args: dict[str, str]
    # What the anonymous visitor, the outsiders, the viewer and centre staff may not read.
    private: dict[str, Private] = field(default_factory=dict)

    def browser(self, role: str) -> Browser:
        browser = Browser()
        if role in self.sessions:
            browser.cookies[settings.SESSION_COOKIE_NAME] = self.sessions[role]
        return browser


def _oki(qs, field_name):
    return qs.filter(**{f"{field_name}__startswith": OKI + "."})


def _first(qs, *order):
    """The first row by a stable order (primary keys are random UUIDs): the same record on
    every run, so that its pinned statuses hold."""
    fields = {f.name for f in qs.model._meta.concrete_fields}
    order = order or [f for f in ("created_at", "reference", "number") if f in fields][:1]
    obj = qs.order_by(*order, "pk").first()
    assert obj is not None, f"the URL world has no {qs.model.__name__}"
    return obj


def _register_with_refused_rows(by: User, village: str) -> RegisterSnapshot:
    """A small register extract of Ogan Komering Ilir in which one row is refused."""
    lines = [
        REGISTER_HEADER,
        f"DT-URL-1;1602051708880001;;Warga Uji;17-08-1988;L;{village};Jl. Uji;2",
        f"DT-URL-2;1602051708880002;;Baris Ditolak;31-02-1988;L;{village};Jl. Uji;2",
    ]
    upload = SimpleUploadedFile("dtsen-url.csv", ("\n".join(lines) + "\n").encode(), "text/csv")
    snapshot = register_services.register_import_start(
        by=by, file=upload, source="DTSEN uji matriks", extract_date=datetime.date(2026, 11, 1)
    )
    snapshot = register_services.register_import_run(snapshot_id=snapshot.pk)
    assert snapshot.status == RegisterSnapshot.Status.DONE and snapshot.bad_rows == 1
    return snapshot


def _screening(client: Client, by: User) -> Screening:
    not_used = {"q1": False}
    answers = {s.code: not_used for s in assist.SUBSTANCES}
    answers["ats"] = {"q1": True, "q2": "weekly", "q3": "weekly", "q4": "never",
                      "q5": "never", "q6": "recent", "q7": "never"}  # fmt: skip
    return screening_record(
        client=client, by=by, screened_on=timezone.localdate(), answers=answers, injection="never"
    )


def _plan_item(by: User) -> PlanItem:
    item = PlanItem.objects.filter(case__organisation=by.organisation).first()
    if item:
        return item
    assessment = _first(
        Assessment.objects.filter(
            case__organisation=by.organisation, status=Assessment.Status.COMPLETED,
            case__closed_at__isnull=True, case__stage__in=["planning", "intervention"],
        )
    )  # fmt: skip
    return assessment_services.plan_item_add(
        case=assessment.case, by=by, component="hidup_layak", goal="Kebutuhan dasar terpenuhi",
        responsible="Pendamping", target_date=timezone.localdate() + datetime.timedelta(days=30),
    )  # fmt: skip


def build_world() -> World:
    """Load the demo and add what it lacks; call inside a transaction that is rolled back."""
    call_command("load_demo", stdout=io.StringIO())
    users = {role: User.objects.get(username=name) for role, name in DEMO_USERS.items()}
    # The head of Ogan Ilir's section: exports and documents are refused to the outsider's
    # role anyway; to this one only by area.
    users["outsider_supervisor"] = User.objects.create_user(
        username="demo-supervisor-oi", password=None, role=User.Role.SUPERVISOR,
        organisation=users["outsider"].organisation, first_name="Kepala", last_name="Seksi OI",
    )  # fmt: skip
    caseworker, supervisor = users["caseworker"], users["supervisor"]

    member = _first(
        FamilyMember.objects.filter(
            client__village__code__startswith=OKI + ".",
            client__registered_by=caseworker.organisation,
            client__cases__organisation=caseworker.organisation,
        )
    )  # fmt: skip
    client = member.client
    case = _first(client.cases.filter(organisation=caseworker.organisation))
    referral = case_services.referral_submit(
        by=users["referrer"], source=Referral.Source.BNNK, referring_officer="Petugas BNNK",
        referral_date=timezone.localdate(), full_name="Rujukan Berlampiran", sex="L",
        region=client.village_id, reason="Rawat jalan", nik="1602051708880077",
        birth_date=datetime.date(1988, 8, 17), attachments=[png_file()],
    )  # fmt: skip
    attachment = ReferralAttachment.objects.get(referral=referral)
    screening = _screening(client, caseworker)
    assessment = _first(Assessment.objects.filter(case__organisation=caseworker.organisation))
    plan_item = _plan_item(caseworker)
    snapshot = _register_with_refused_rows(supervisor, client.village_id)
    batch = _first(EligibilityBatch.objects.filter(organisation=caseworker.organisation))
    batch_row = _first(
        BatchRow.objects.filter(batch=batch, review=BatchRow.Review.PENDING), "row_number"
    )

    proposal = _first(Proposal.objects.filter(programme__organisation=caseworker.organisation))
    programme = proposal.programme
    aid_item = _first(AidItem.objects.filter(programme=programme))
    decree = _first(Decree.objects.filter(organisation=caseworker.organisation))
    document = aid_documents.decree_document_request(decree=decree, kind="xlsx", by=supervisor)
    handover = _first(Handover.objects.filter(organisation=caseworker.organisation))
    if not handover.evidence:
        handover = handover_services.handover_evidence_attach(
            handover=handover, by=caseworker, evidence=png_file("bast-bertanda-tangan.png")
        )
    followup = _first(
        FollowUp.objects.filter(handover__organisation=caseworker.organisation), "due_on", "months"
    )
    area = dashboard_selectors.area_for(supervisor)
    report = dashboard_report.report_request(
        area=area, year=timezone.localdate().year, kind="xlsx", by=supervisor
    )
    report = dashboard_report.report_build(report_id=report.pk)

    session = _first(Session.objects.filter(episode__case__organisation=caseworker.organisation))
    episode = session.episode
    aftercare = _first(
        AftercareFollowUp.objects.filter(
            episode__case__organisation=caseworker.organisation,
            status=AftercareFollowUp.Status.DUE,
        ),
        "due_on", "episode__started_on", "months",
    )  # fmt: skip
    ibm_unit = _first(_oki(IbmUnit.objects, "village__code"))
    agent = _first(RecoveryAgent.objects.filter(unit=ibm_unit))
    outreach = _first(_oki(Outreach.objects, "village__code").filter(referral__isnull=True))
    family_session = _first(_oki(FamilySession.objects, "village__code"))
    attendance = _first(FamilyAttendance.objects.filter(session=family_session), "recorded_at")
    series = _first(_oki(FamilySeries.objects, "village__code"))
    survey = _first(
        _oki(SurveyUnit.objects, "region__code") | SurveyUnit.objects.filter(region=OKI)
    )
    activity = _first(_oki(Activity.objects, "village__code"))
    village_status = _first(_oki(VillageStatus.objects, "village__code"), "village", "assessed_on")

    args = {
        "client": client.pk, "member": member.pk, "case": case.pk, "referral": referral.pk,
        "attachment": attachment.pk, "screening": screening.pk, "assessment": assessment.pk,
        "plan_item": plan_item.pk, "snapshot": snapshot.pk, "batch": batch.pk,
        "batch_row": batch_row.pk, "programme": programme.pk, "aid_item": aid_item.pk,
        "proposal": proposal.pk, "proposal_ref": proposal.reference, "decree": decree.pk,
        "document": document.pk, "handover": handover.pk, "followup": followup.pk,
        "report": report.pk, "episode": episode.pk, "session": session.pk,
        "aftercare": aftercare.pk, "ibm_unit": ibm_unit.pk, "agent": agent.pk,
        "outreach": outreach.pk, "family_session": family_session.pk,
        "attendance": attendance.pk, "series": series.pk, "survey": survey.pk,
        "survey_code": survey.code, "activity": activity.pk,
        "village": village_status.village_id, "regency": OKI, "annex_kind": "pdf",
    }  # fmt: skip
    world = World(users=users, sessions={}, args={k: str(v) for k, v in args.items()})
    for role, user in users.items():
        browser = Browser()
        browser.force_login(user)
        world.sessions[role] = browser.cookies[settings.SESSION_COOKIE_NAME].value
    everyone = _personal_data(Client.objects.filter(village__code__startswith=OKI + "."))
    world.private = {
        "anonymous": everyone, "outsider": everyone, "outsider_supervisor": everyone,
        "viewer": everyone,
        # Centre staff read the clients handed to them, and no one else.
        "centre": _personal_data(
            Client.objects.filter(village__code__startswith=OKI + ".").exclude(
                pk__in=policy.scope_clients(Client.objects.all(), users["centre"])
            )
        ),
    }  # fmt: skip
    return world


def _personal_data(clients) -> Private:
    """The NIKs and names of these clients, of the referrals, outreach visits and screened
    rows of Ogan Komering Ilir. Names that another client or a user also bears are left out:
    the reader may meet those."""
    oki = OKI + "."
    referrals = Referral.objects.filter(region__code__startswith=oki).exclude(
        client__in=Client.objects.exclude(pk__in=clients)
    )
    niks = {
        *clients.values_list("nik", flat=True),
        *referrals.exclude(nik="").values_list("nik", flat=True),
        *FamilyMember.objects.filter(client__in=clients).exclude(nik="")
        .values_list("nik", flat=True),
        *BatchRow.objects.filter(village_code__startswith=oki).exclude(nik="")
        .values_list("nik", flat=True),
    }  # fmt: skip
    names = {
        *clients.values_list("full_name", flat=True),
        *referrals.values_list("full_name", flat=True),
        *Outreach.objects.filter(village__code__startswith=oki).exclude(person_name="")
        .values_list("person_name", flat=True),
    }  # fmt: skip
    names -= set(Client.objects.exclude(pk__in=clients).values_list("full_name", flat=True))
    names -= {user.get_full_name() for user in User.objects.all()}
    pattern = re.compile("|".join(re.escape(n) for n in sorted(names, key=len, reverse=True)))
    return Private(niks=niks, names=pattern)


def body_text(response) -> str:
    """The response as text: a workbook's cells, else its bytes decoded."""
    content = b"".join(response.streaming_content) if response.streaming else response.content
    if response.get("Content-Type", "").startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml"
    ):
        book = openpyxl.load_workbook(io.BytesIO(content), read_only=True)
        return "\n".join(
            str(value) for sheet in book for row in sheet.iter_rows(values_only=True)
            for value in row if value is not None
        )  # fmt: skip
    return content.decode("utf-8", errors="replace")
