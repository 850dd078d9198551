"""Every list page and list endpoint of ATENSI asks the database as often for six rows as for
one, generated from the URLconf.

LISTS holds one row per list URL name: the role that reads it, the records it shows (made by
`Rows`, through the services as the users make them) and the path and query it is asked
with. NOT_LISTS names every other URL (details, forms, actions, documents of one record). A
URL name in neither fails the suite, so a new list cannot land without its row. Each list is
asked once to warm up (caches of content types and the like), then counted with one record
on it, then counted again with five more: the count must not move and the five must be on
the page, so that pagination cannot hide a query per row.
"""

import csv
import datetime
import io
import itertools
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property

import openpyxl
import pytest
from django.conf import settings
from django.core.cache import caches
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client as Browser
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from aid import services as aid_services
from aid.models import AidItem, Programme
from assessments import assist
from assessments.models.assessment import Component, Modality
from assessments.services import assessment as assessment_services
from assessments.services import eligibility as eligibility_services
from assessments.services import register as register_services
from assessments.services.screening import screening_record
from atensi.audit.models import AuditEvent
from atensi.audit.services import audit_record
from atensi.dashboard import report as dashboard_report
from atensi.dashboard import selectors as dashboard_selectors
from atensi.regions.models import Region
from cases import services as case_services
from cases.models import Case
from prevention import services as prevention_services
from rehab import ikm
from rehab.services import episodes as episode_services
from rehab.services import family as family_services
from rehab.services import ibm as ibm_services
from rehab.services import outreach as outreach_services
from rehab.services import survey as survey_services
from tests.conftest import (
    OKI_VILLAGE,
    Cast,
    client_kwargs,
    consent_kwargs,
    make_cast,
    make_nik,
    module_world,
    png_file,
)
from tests.security.test_url_matrix import url_names

pytestmark = pytest.mark.django_db

MORE = 5
UUID = "00000000-0000-0000-0000-000000000000"
TODAY = timezone.localdate()
OKI = "16.02"
ROLES = ["caseworker", "supervisor", "referrer", "centre", "viewer", "admin"]
SCREENED = {s.code: {"q1": False} for s in assist.SUBSTANCES} | {
    "ats": {"q1": True, "q2": "weekly", "q3": "weekly", "q4": "never", "q5": "never",
            "q6": "recent", "q7": "never"},
}  # fmt: skip
PROPOSAL_HEADER = "nik;no_kk;nama;tgl_lahir;jenis_kelamin;kode_wilayah;alamat"
REGISTER_HEADER = "id_dtsen;nik;no_kk;nama;tgl_lahir;jenis_kelamin;kode_wilayah;alamat;desil"
PROFILE = {"sex": "L", "age_group": "30-39", "education": "sma", "occupation": "wirausaha"}


class Rows:
    """The records the lists show, made through the services as the cast would make them.
    A test has its own: what it makes is rolled back when the test ends."""

    def __init__(self, cast: Cast):
        self.cast = cast
        self._serial = itertools.count(1)

    def serial(self) -> int:
        return next(self._serial)

    # --- clients and cases ---------------------------------------------------------------

    def client(self, **kwargs):
        n = self.serial()
        kwargs = client_kwargs(serial=n, full_name=f"Klien {n:03d}") | kwargs
        client = case_services.client_register(by=self.cast.caseworker, **kwargs)
        case_services.consent_record(client=client, by=self.cast.caseworker, **consent_kwargs(
            purposes=["assessment", "rehabilitation", "aid"]
        ))  # fmt: skip
        case_services.family_member_add(
            client=client, by=self.cast.caseworker, relation="ibu", full_name=f"Ibu {n:03d}"
        )
        return client

    def case(self, client=None):
        cw = self.cast.caseworker
        client = client or self.client()
        case = case_services.case_open(
            client=client, by=cw, organisation=cw.organisation, assigned_to=cw
        )
        case_services.case_note_add(case=case, by=cw, text="Kunjungan rumah.")
        return case

    def assessed_case(self, client=None):
        """An open case in planning, its assessment completed."""
        case = self.case(client)
        assessment = assessment_services.assessment_start(
            case=case, by=self.cast.caseworker, assessed_on=TODAY - datetime.timedelta(days=3)
        )
        self.complete(assessment)
        case_services.case_transition(
            case=case, by=self.cast.caseworker, to_stage="assessment", reason="Asesmen."
        )
        case_services.case_transition(
            case=case, by=self.cast.caseworker, to_stage="planning", reason="Rencana."
        )
        case.refresh_from_db()
        return case

    def complete(self, assessment):
        domains = {
            domain: {"notes": "Dinilai.", "troubled": 1, "help_needed": 2}
            for domain in assessment.domains.model.Domain.values
        }
        assessment_services.assessment_update(
            assessment=assessment, by=self.cast.caseworker, domains=domains,
            family_support="some", strengths="Keluarga mendukung.",
            recommended_components=[Component.DECENT_LIVING], recommended_modality=Modality.FAMILY,
        )  # fmt: skip
        return assessment_services.assessment_complete(
            assessment=assessment, by=self.cast.caseworker
        )

    @cached_property
    def the_client(self):
        return self.client()

    @cached_property
    def the_case(self):
        return self.assessed_case(self.the_client)

    def clients(self, n):
        for _ in range(n):
            self.case()

    def referrals(self, n):
        for _ in range(n):
            k = self.serial()
            person = {"full_name": f"Rujukan {k:03d}", "nik": make_nik(serial=5000 + k),
                      "birth_date": datetime.date(1990, 1, 1), "sex": "L"}  # fmt: skip
            referral = case_services.referral_submit(
                by=self.cast.referrer, source="bnnk", referring_officer="Petugas BNNK",
                referral_date=TODAY, region=OKI_VILLAGE, reason="Rawat jalan",
                attachments=[png_file()], **person,
            )  # fmt: skip
            if k % 2:
                client = self.client(**person)
                case_services.referral_accept(
                    referral=referral, by=self.cast.caseworker, client=client
                )

    def screenings(self, n, client=None):
        client = client or self.the_client
        for _ in range(n):
            screening_record(
                client=client, by=self.cast.caseworker, screened_on=TODAY, answers=SCREENED,
                injection="never",
            )  # fmt: skip

    def screened_clients(self, n):
        for _ in range(n):
            self.screenings(1, client=self.client())

    def case_assessments(self, n):
        case = self.the_case
        for _ in range(n):
            assessment = assessment_services.assessment_start(
                case=case, by=self.cast.caseworker, assessed_on=TODAY
            )
            self.complete(assessment)

    def assessments(self, n):
        for _ in range(n):
            self.assessed_case()

    def plan_items(self, n):
        case = self.the_case
        for k in range(n):
            assessment_services.plan_item_add(
                case=case, by=self.cast.caseworker, component="hidup_layak",
                goal=f"Tujuan {k}", responsible="Pendamping",
                target_date=TODAY + datetime.timedelta(days=30),
            )  # fmt: skip

    def consents(self, n):
        for _ in range(n):
            case_services.consent_record(
                client=self.the_client, by=self.cast.caseworker, **consent_kwargs()
            )

    def withdrawals(self, n):
        for _ in range(n):
            case_services.consent_withdraw(
                client=self.the_client, by=self.cast.caseworker, withdrawn_by="client",
                purposes=["rehabilitation"], date=TODAY, reason="Tidak bersedia.",
            )  # fmt: skip

    def family(self, n):
        for k in range(n):
            case_services.family_member_add(
                client=self.the_client, by=self.cast.caseworker, relation="saudara",
                full_name=f"Saudara {k}", nik=make_nik(serial=7000 + self.serial()),
            )  # fmt: skip

    def notes(self, n):
        for k in range(n):
            case_services.case_note_add(case=self.the_case, by=self.cast.caseworker,
                                        text=f"Catatan {k}")  # fmt: skip

    def work(self, n):
        """A caseworker's queue on the home page: per unit, a referral waiting for a decision,
        a case whose next step is overdue, an episode running and one ended (its follow-ups
        fall due)."""
        cw = self.cast.caseworker
        self.referrals_waiting(n)
        for _ in range(n):
            case = case_services.case_transition(
                case=self.case(), by=cw, to_stage="assessment", reason="Asesmen."
            )
            # Three days passed: its next action is overdue.
            Case.objects.filter(pk=case.pk).update(next_action_due=TODAY - datetime.timedelta(3))
            self.episode()
            self.episode(ended=True)

    def referrals_waiting(self, n):
        for _ in range(n):
            k = self.serial()
            case_services.referral_submit(
                by=self.cast.referrer, source="bnnk", referring_officer="Petugas BNNK",
                referral_date=TODAY, region=OKI_VILLAGE, reason="Rawat jalan", sex="L",
                full_name=f"Menunggu {k:03d}", nik=make_nik(serial=6000 + k),
            )  # fmt: skip

    def audit_events(self, n):
        # Events of the supervisor's own organisation: the ones a supervisor reads.
        users = [self.cast.caseworker, self.cast.caseworker2, self.cast.supervisor]
        for user in itertools.islice(itertools.cycle(users), n):
            audit_record(actor=user, action=AuditEvent.Action.EXPORT, obj=self.the_client)

    # --- register and eligibility ------------------------------------------------------

    def register_line(self, k, *, bad=False):
        nik = make_nik(serial=8000 + k)
        born = "31-02-1988" if bad else "17-08-1988"
        return f"DT-Q-{k};{nik};;Warga {k};{born};L;{OKI_VILLAGE};Jl. Uji;2"

    def snapshot(self, *lines):
        upload = SimpleUploadedFile(
            "dtsen.csv", ("\n".join([REGISTER_HEADER, *lines]) + "\n").encode(), "text/csv"
        )
        snapshot = register_services.register_import_start(
            by=self.cast.supervisor, file=upload, source="DTSEN uji",
            extract_date=TODAY - datetime.timedelta(days=30),
        )  # fmt: skip
        return register_services.register_import_run(snapshot_id=snapshot.pk)

    def snapshots(self, n):
        for _ in range(n):
            self.snapshot(self.register_line(self.serial()))

    @cached_property
    def the_snapshot(self):
        return self.snapshot(self.register_line(self.serial()))

    def bad_rows(self, n):
        """A register extract with n more refused rows than the last one: `bad_snapshot`."""
        self.refused = getattr(self, "refused", 0) + n
        lines = [self.register_line(k, bad=True) for k in range(1, self.refused + 1)]
        self.bad_snapshot = self.snapshot(*lines)

    @cached_property
    def the_register(self):
        """An extract of the register in which the batches' people are found."""
        return self.snapshot(*(self.register_line(k) for k in range(1, 1 + 1 + MORE)))

    def batch_rows(self, n):
        """A proposal list with n more rows than the last one, screened: `batch`. Each names a
        person of the register by NIK under another name, so each waits for review."""
        self.proposed = getattr(self, "proposed", 0) + n
        lines = [
            f"{make_nik(serial=8000 + k)};;Nama Lain {k};17-08-1988;L;{OKI_VILLAGE};Jl. Uji"
            for k in range(1, self.proposed + 1)
        ]
        upload = SimpleUploadedFile(
            "usulan.csv", ("\n".join([PROPOSAL_HEADER, *lines]) + "\n").encode(), "text/csv"
        )
        batch = eligibility_services.batch_create(
            by=self.cast.caseworker, programme=self.the_programme, snapshot=self.the_register,
            name="Usulan uji", file=upload,
        )  # fmt: skip
        for key in eligibility_services.batch_load(batch_id=batch.pk):
            eligibility_services.batch_screen_chunk(batch_id=batch.pk, key=key)
        self.batch = batch

    def batches(self, n):
        for k in range(n):
            eligibility_services.batch_create(
                by=self.cast.caseworker, programme=self.the_programme,
                snapshot=self.the_snapshot, name=f"Usulan {k}",
                client_ids=[self.assessed_case().client_id],
            )  # fmt: skip

    # --- aid -----------------------------------------------------------------------------

    def programme(self, name="Bantuan ATENSI Uji"):
        programme = Programme.objects.create(
            name=name, kind=Programme.Kind.REGULAR, year=TODAY.year,
            organisation=self.cast.dinsos, funding_source=Programme.Funding.APBD_REGENCY,
            budget_ceiling=100_000_000, period_start=datetime.date(TODAY.year, 1, 1),
            period_end=datetime.date(TODAY.year, 12, 31), max_decile=10,
            requires_assessment=False,
        )  # fmt: skip
        programme.regions.set(Region.objects.filter(code=OKI))
        for component in ("hidup_layak", "vokasional"):
            AidItem.objects.create(
                programme=programme, name=f"Paket {component}", component=component,
                kind="goods", unit="paket", unit_cost=100_000,
            )  # fmt: skip
            aid_services.budget_allocate(
                programme=programme, component=component, amount=10_000_000,
                by=self.cast.supervisor, reason="DPA",
            )  # fmt: skip
        return programme

    @cached_property
    def the_programme(self):
        return self.programme()

    def programmes(self, n):
        for _ in range(n):
            self.programme(f"Bantuan {self.serial()}")

    def aid_items(self, n):
        for _ in range(n):
            AidItem.objects.create(
                programme=self.the_programme, name=f"Barang {self.serial()}",
                component="hidup_layak", kind="goods", unit="paket", unit_cost=50_000,
            )  # fmt: skip

    def ledger(self, n):
        for _ in range(n):
            aid_services.budget_allocate(
                programme=self.the_programme, component="hidup_layak", amount=100_000,
                by=self.cast.supervisor, reason="Tambahan",
            )  # fmt: skip

    def proposal(self, client=None, *, verified=False):
        client = client or self.assessed_case().client
        items = [(item, 1) for item in self.the_programme.items.all()]
        proposal = aid_services.proposal_create(
            client=client, programme=self.the_programme, items=items, by=self.cast.caseworker
        )
        if verified:
            aid_services.proposal_submit(proposal=proposal, by=self.cast.caseworker)
            aid_services.proposal_verify(proposal=proposal, by=self.cast.supervisor)
        return proposal

    def proposals(self, n):
        for k in range(n):
            self.proposal(verified=bool(k % 2))

    def client_proposals(self, n):
        """One open proposal per client and programme: the earlier ones were turned down."""
        for _ in range(n):
            proposal = self.proposal(self.the_client)
            aid_services.proposal_submit(proposal=proposal, by=self.cast.caseworker)
            aid_services.proposal_reject(proposal=proposal, by=self.cast.supervisor,
                                         reason="Belum memenuhi syarat.")  # fmt: skip

    def decree(self, proposals):
        k = self.serial()
        return aid_services.decree_approve(
            proposals=proposals, number=f"SK/{k:03d}/{TODAY.year}", date=TODAY,
            signatory_name="Kepala Dinas", signatory_title="Kepala Dinas", by=self.cast.supervisor,
        )  # fmt: skip

    def decrees(self, n):
        for _ in range(n):
            self.decree([self.proposal(verified=True)])

    def handovers(self, n):
        decree = self.decree([self.proposal(verified=True) for _ in range(n)])
        for proposal in decree.proposals.all():
            aid_services.handover_record(
                proposal=proposal, by=self.cast.caseworker, handed_on=TODAY, place="Rumah Singgah"
            )

    # --- rehabilitation -------------------------------------------------------------------

    def episode(self, case=None, *, ended=False):
        cw = self.cast.caseworker
        case = case or self.case()
        episode = episode_services.episode_start(
            by=cw, case=case, provider=cw.organisation, modality="rawat_jalan",
            legal_route="sukarela", started_on=TODAY - datetime.timedelta(days=400),
        )  # fmt: skip
        episode_services.session_record(
            episode=episode, by=cw, date=TODAY - datetime.timedelta(days=399), kind="konseling"
        )
        if ended:
            episode_services.episode_end(
                episode=episode, by=cw, ended_on=TODAY - datetime.timedelta(days=380),
                outcome="selesai",
            )  # fmt: skip
        return episode

    @cached_property
    def the_episode(self):
        return self.episode()

    def episodes(self, n):
        for k in range(n):
            self.episode(ended=bool(k % 2))

    def client_episodes(self, n):
        for _ in range(n):
            self.episode(self.the_case, ended=True)

    def sessions(self, n):
        for k in range(n):
            episode_services.session_record(
                episode=self.the_episode, by=self.cast.caseworker,
                date=TODAY - datetime.timedelta(days=398 - k), kind="tes_urin",
                urine_result="negatif",
            )  # fmt: skip

    def follow_ups(self, n):
        for _ in range(n):
            # Each ended episode schedules its follow-ups: count the first one of each.
            self.episode(ended=True)

    def ibm_unit(self):
        k = self.serial()
        unit = ibm_services.ibm_unit_create(by=self.cast.referrer, name=f"IBM {k}",
                                            village=OKI_VILLAGE)  # fmt: skip
        ibm_services.recovery_agent_add(unit=unit, by=self.cast.referrer, full_name=f"Agen {k}")
        return unit

    def ibm_units(self, n):
        for _ in range(n):
            self.ibm_unit()

    def outreach(self, n):
        for k in range(n):
            outreach_services.outreach_record(
                by=self.cast.caseworker, visited_on=TODAY, village=OKI_VILLAGE,
                reported_by="lks", reporter="LKS Cahaya", person_name=f"Orang {k}",
                findings="Ditemukan di pos ronda.",
            )  # fmt: skip

    def family_session(self, series=None, number=None):
        session = family_services.session_create(
            by=self.cast.caseworker, date=TODAY, place="Balai Desa", village=OKI_VILLAGE,
            topic="Pola asuh", facilitator="Siti", series=series, meeting_number=number,
        )  # fmt: skip
        family_services.attendance_add_walk_in(session=session, by=self.cast.caseworker,
                                               name="Tetangga")  # fmt: skip
        return session

    def family_sessions(self, n):
        for _ in range(n):
            self.family_session()

    def client_family_sessions(self, n):
        member = self.the_client.family.first()
        for _ in range(n):
            session = self.family_session()
            family_services.attendance_add_members(
                session=session, by=self.cast.caseworker, members=[member]
            )

    def family_series(self, n):
        for _ in range(n):
            series = family_services.series_create(
                by=self.cast.caseworker, name=f"Seri {self.serial()}", village=OKI_VILLAGE,
                planned_meetings=4,
            )  # fmt: skip
            self.family_session(series, 1)

    @cached_property
    def the_series(self):
        return family_services.series_create(
            by=self.cast.caseworker, name="Seri Ketahanan", village=OKI_VILLAGE,
            planned_meetings=1 + MORE,
        )  # fmt: skip

    def series_attendees(self, n):
        """People at the series' meetings: a client's mother at each, and n walk-ins more."""
        if not self.the_series.sessions.exists():
            for k in range(1, 3):
                session = self.family_session(self.the_series, k)
                family_services.attendance_add_members(
                    session=session, by=self.cast.caseworker,
                    members=[self.the_client.family.first()],
                )  # fmt: skip
        session = self.the_series.sessions.order_by("meeting_number").first()
        for _ in range(n):
            family_services.attendance_add_walk_in(
                session=session, by=self.cast.caseworker, name=f"Tamu {self.serial()}"
            )

    def regions(self, n):
        district = Region.objects.get(code=OKI_VILLAGE.rsplit(".", 1)[0])
        for _ in range(n):
            Region.objects.create(
                code=f"{district.code}.{9000 + self.serial()}", name=f"Desa Baru {self.serial()}",
                level=Region.Level.VILLAGE, parent=district,
            )  # fmt: skip

    def reports(self, n):
        area = dashboard_selectors.area_for(self.cast.supervisor)
        for k in range(n):
            dashboard_report.report_request(
                area=area, year=TODAY.year - k, kind="xlsx", by=self.cast.supervisor
            )

    def survey_unit(self):
        return survey_services.survey_unit_create(
            by=self.cast.referrer, name=f"Layanan {self.serial()}",
            region=Region.objects.get(code=OKI), target=Decimal("3.50"),
        )  # fmt: skip

    def survey_units(self, n):
        for _ in range(n):
            self.answers(1, self.survey_unit())

    @cached_property
    def the_survey(self):
        return self.survey_unit()

    def answers(self, n, unit=None):
        for _ in range(n):
            survey_services.survey_response_submit(
                unit=unit or self.the_survey, ratings=dict.fromkeys(ikm.CODES, 4),
                suggestion="Lebih cepat.", **PROFILE,
            )  # fmt: skip

    # --- prevention -----------------------------------------------------------------------

    def activities(self, n):
        for k in range(n):
            prevention_services.activity_create(
                by=self.cast.referrer, type="tes_urine", date=TODAY, village=OKI_VILLAGE,
                place="Kantor", target="Pegawai", participants=0, description=f"Tes {k}",
                urine_results=[{"institution": "Dinas", "tested": 10, "positive": 0}],
            )  # fmt: skip

    def village_statuses(self, n):
        villages = Region.objects.filter(code__startswith=OKI + ".", level=Region.Level.VILLAGE)
        done = self.__dict__.setdefault("_villages", 0)
        for code in villages.order_by("code").values_list("code", flat=True)[done : done + n]:
            prevention_services.village_status_record(
                by=self.cast.referrer, village=code, status="waspada", assessed_on=TODAY,
                assessed_by="BNN",
            )  # fmt: skip
        self._villages = done + n


@dataclass(frozen=True)
class List:
    role: str
    add: Callable[[Rows, int], None]
    # Path arguments: parameter → a record of Rows (its primary key).
    args: dict[str, str] = field(default_factory=dict)
    query: str = ""
    # Rows the list shows for each record added (an ended episode schedules three follow-ups).
    per: int = 1
    # A page that is not a table: the URL names its rows link to (one link each), or the
    # text each row carries once.
    links: str = ""
    marker: str = ""

    def url(self, name: str, rows: Rows) -> str:
        """The list's address; a record named in `args` may be a new one after each add (a
        batch of one row, then one of six: rows are not added to a screened batch)."""
        kwargs = {param: str(getattr(rows, attr).pk) for param, attr in self.args.items()}
        return reverse(name, kwargs=kwargs) + (f"?{self.query}" if self.query else "")


LISTS = {
    "home": List("caseworker", Rows.work, per=6, links=" ".join([
        "cases:referral-detail", "cases:case-detail", "rehab:episode-detail",
        "rehab:follow-up-record",
    ])),  # fmt: skip
    "dashboard:report": List("supervisor", Rows.reports, links="dashboard:report-job"),
    "audit:list": List("supervisor", Rows.audit_events, query="action=export"),
    "cases:client-list": List("caseworker", Rows.clients),
    "cases:referral-list": List("caseworker", Rows.referrals),
    "cases:case-list": List("caseworker", Rows.clients),
    "cases:case-export": List("supervisor", Rows.clients),
    "assessments:client-screenings": List(
        "caseworker", Rows.screenings, {"client_pk": "the_client"}
    ),
    "assessments:assessment-list": List(
        "caseworker", Rows.case_assessments, {"case_pk": "the_case"}
    ),
    "assessments:register-list": List("supervisor", Rows.snapshots),
    "assessments:register-detail": List("supervisor", Rows.bad_rows, {"pk": "bad_snapshot"}),
    "assessments:register-bad-rows-csv": List(
        "supervisor", Rows.bad_rows, {"pk": "bad_snapshot"}
    ),
    "assessments:register-bad-rows-xlsx": List(
        "supervisor", Rows.bad_rows, {"pk": "bad_snapshot"}
    ),
    "assessments:batch-detail": List("caseworker", Rows.batch_rows, {"pk": "batch"}),
    "assessments:batch-review": List(
        "caseworker", Rows.batch_rows, {"pk": "batch"}, marker="data-review-row"
    ),
    "assessments:batch-export": List("caseworker", Rows.batch_rows, {"pk": "batch"}),
    "assessments:plan": List("caseworker", Rows.plan_items, {"case_pk": "the_case"}),
    "assessments:batch-list": List("caseworker", Rows.batches),
    "aid:programme-list": List("caseworker", Rows.programmes, links="aid:programme-detail"),
    "aid:proposal-list": List("caseworker", Rows.proposals),
    "aid:programme-proposals-xlsx": List(
        "supervisor", Rows.proposals, {"pk": "the_programme"}
    ),
    "aid:client-proposals": List("caseworker", Rows.client_proposals, {"client_pk": "the_client"}),
    "aid:decree-list": List("caseworker", Rows.decrees),
    "aid:handover-list": List("caseworker", Rows.handovers, links="aid:handover-detail"),
    "rehab:client-episodes": List(
        "caseworker", Rows.client_episodes, {"pk": "the_client"}, links="rehab:episode-detail"
    ),
    "rehab:episode-list": List("caseworker", Rows.episodes),
    "rehab:episode-export": List("supervisor", Rows.episodes),
    "rehab:follow-up-list": List("caseworker", Rows.follow_ups, per=3),
    "rehab:ibm-unit-list": List("caseworker", Rows.ibm_units),
    "rehab:ibm-unit-export": List("caseworker", Rows.ibm_units),
    "rehab:outreach-list": List("caseworker", Rows.outreach),
    "rehab:family-session-list": List(
        "caseworker", Rows.family_sessions, links="rehab:family-session-detail"
    ),
    "rehab:family-client-sessions": List(
        "caseworker", Rows.client_family_sessions, {"client_pk": "the_client"},
        links="rehab:family-session-detail",
    ),
    "rehab:family-series-export": List("caseworker", Rows.series_attendees, {"pk": "the_series"}),
    "rehab:episode-choose": List("caseworker", Rows.clients, links="rehab:episode-create"),
    "rehab:survey-unit-export": List("referrer", Rows.answers, {"pk": "the_survey"}),
    "rehab:survey-unit-list": List("referrer", Rows.survey_units, links="rehab:survey-unit-detail"),
    "prevention:activity-list": List("referrer", Rows.activities),
    # A sheet of activities and one of their urine tests.
    "prevention:activity-export": List("referrer", Rows.activities, per=2),
    "prevention:village-status-list": List("referrer", Rows.village_statuses),
    "prevention:village-status-export": List("referrer", Rows.village_statuses),
    # The API's lists.
    "api:client-list": List("caseworker", Rows.clients),
    "api:client-consents": List("caseworker", Rows.consents, {"pk": "the_client"}),
    "api:client-consent-withdrawals": List("caseworker", Rows.withdrawals, {"pk": "the_client"}),
    "api:client-family": List("caseworker", Rows.family, {"pk": "the_client"}),
    "api:referral-list": List("caseworker", Rows.referrals),
    "api:case-list": List("caseworker", Rows.clients),
    "api:case-notes": List("caseworker", Rows.notes, {"pk": "the_case"}),
    "api:case-timeline": List("caseworker", Rows.notes, {"pk": "the_case"}),
    "api:screening-list": List("caseworker", Rows.screened_clients),
    "api:assessment-list": List("caseworker", Rows.assessments),
    "api:plan-item-list": List("caseworker", Rows.plan_items),
    "api:register-import-list": List("supervisor", Rows.snapshots),
    "api:register-import-bad-rows": List("supervisor", Rows.bad_rows, {"pk": "bad_snapshot"}),
    "api:eligibility-batch-results": List("caseworker", Rows.batch_rows, {"pk": "batch"}),
    "api:region-list": List("caseworker", Rows.regions, query="parent=16.02.05"),
    "api:eligibility-batch-list": List("caseworker", Rows.batches),
    "api:programme-list": List("caseworker", Rows.programmes),
    "api:programme-ledger": List("caseworker", Rows.ledger, {"pk": "the_programme"}),
    "api:aid-item-list": List("caseworker", Rows.aid_items),
    "api:proposal-list": List("caseworker", Rows.proposals),
    "api:decree-list": List("caseworker", Rows.decrees),
    "api:handover-list": List("caseworker", Rows.handovers),
    "api:episode-list": List("caseworker", Rows.episodes),
    "api:session-list": List("caseworker", Rows.sessions),
    "api:follow-up-list": List("caseworker", Rows.follow_ups, per=3),
    "api:ibm-unit-list": List("caseworker", Rows.ibm_units),
    "api:family-session-list": List("caseworker", Rows.family_sessions),
    "api:family-series-list": List("caseworker", Rows.family_series),
    "api:survey-unit-list": List("referrer", Rows.survey_units),
    "api:activity-list": List("referrer", Rows.activities),
    "api:village-status-list": List("referrer", Rows.village_statuses),
}  # fmt: skip

# Every other URL: one record's page, a form, an action, a document, a job's progress.
NOT_LISTS = {
    "healthz", "set_language", "schema", "api-docs", "admin-login",
    "accounts:login", "accounts:logout", "accounts:password-change", "accounts:two-factor",
    "accounts:two-factor-disable",
    "regions:village_options",
    "dashboard:index", "dashboard:refresh", "dashboard:report-job", "dashboard:report-progress",
    "dashboard:report-download",
    "cases:client-create", "cases:client-detail", "cases:client-edit", "cases:case-open",
    "cases:family-add", "cases:family-edit", "cases:family-remove", "cases:consent-add",
    "cases:consent-withdraw", "cases:personal-data", "cases:referral-create",
    "cases:referral-detail", "cases:referral-accept", "cases:referral-correct",
    "cases:referral-withdraw", "cases:referral-decline", "cases:referral-duplicate",
    "cases:attachment", "cases:case-detail", "cases:case-transition", "cases:case-note",
    "cases:case-assign",
    "assessments:screening-create", "assessments:client-screening-create",
    "assessments:screening-detail", "assessments:assessment-create",
    "assessments:assessment-detail", "assessments:assessment-edit",
    "assessments:assessment-complete", "assessments:assessment-approve",
    "assessments:plan-item-remove", "assessments:register-import",
    "assessments:register-progress", "assessments:batch-create", "assessments:batch-template",
    "assessments:batch-progress",
    "assessments:batch-review-obvious", "assessments:batch-row-review",
    "assessments:batch-row-reopen",
    "assessments:batch-rerun",
    "aid:programme-detail", "aid:programme-realisation-xlsx", "aid:proposal-bulk",
    "aid:proposal-create", "aid:batch-propose", "aid:proposal-detail", "aid:proposal-edit",
    "aid:proposal-submit", "aid:proposal-verify", "aid:proposal-reject", "aid:proposal-cancel",
    "aid:decree-create", "aid:decree-detail", "aid:proposal-rescreen", "aid:programme-edit",
    "aid:programme-allocations", "aid:handover-create", "aid:handover-detail",
    "aid:handover-evidence", "aid:handover-evidence-add", "aid:followup-record",
    "aid:handover-bast", "aid:handovers-export", "aid:decree-annex", "aid:decree-document",
    "aid:decree-document-progress", "aid:decree-document-download",
    "rehab:episode-create", "rehab:episode-detail", "rehab:episode-phase",
    "rehab:episode-session", "rehab:episode-end", "rehab:follow-up-record",
    "rehab:ibm-unit-create", "rehab:ibm-unit-detail", "rehab:ibm-unit-edit",
    "rehab:ibm-agent-add", "rehab:ibm-agent-deactivate", "rehab:outreach-create",
    "rehab:outreach-detail", "rehab:outreach-refer", "rehab:family-session-create",
    "rehab:family-session-detail", "rehab:family-session-edit",
    "rehab:family-attendance-members", "rehab:family-attendance-walk-in",
    "rehab:family-attendance-mark", "rehab:family-attendance-remove",
    "rehab:family-series-create", "rehab:family-series-detail", "rehab:family-series-edit",
    "rehab:survey-unit-create", "rehab:survey-unit-detail", "rehab:survey-unit-edit",
    "rehab:survey-unit-qr", "rehab:survey-unit-poster", "rehab:survey-paper-entry",
    "rehab:survey-public", "rehab:survey-thanks",
    "prevention:activity-create", "prevention:activity-detail", "prevention:activity-edit",
    "prevention:enforcement", "prevention:enforcement-record", "prevention:enforcement-target",
    "prevention:village-status-create", "prevention:village-detail", "prevention:desa-bersinar",
    "api:token", "api:logout", "api:logout-all", "api:me", "api:dashboard", "api:client-search",
    "api:client-detail", "api:client-personal-data", "api:client-family-member",
    "api:referral-search", "api:referral-detail", "api:referral-accept", "api:referral-decline",
    "api:referral-withdraw", "api:referral-mark-duplicate", "api:case-search",
    "api:case-detail", "api:case-assign", "api:case-transition", "api:region-detail",
    "api:screening-detail", "api:assessment-detail", "api:assessment-approve",
    "api:assessment-complete", "api:plan-item-detail", "api:register-import-detail",
    "api:eligibility-batch-detail", "api:eligibility-batch-rerun",
    "api:eligibility-batch-review", "api:eligibility-batch-reopen", "api:programme-detail",
    "api:programme-allocations",
    "api:programme-move", "api:aid-item-detail", "api:proposal-detail", "api:proposal-approve",
    "api:proposal-cancel", "api:proposal-reject", "api:proposal-submit", "api:proposal-verify",
    "api:decree-detail", "api:handover-detail", "api:handover-bast", "api:handover-evidence",
    "api:decree-document-list", "api:decree-document-detail", "api:decree-document-file",
    "api:episode-detail", "api:episode-end", "api:episode-phases", "api:session-detail",
    "api:follow-up-detail", "api:follow-up-record", "api:ibm-unit-detail",
    "api:ibm-unit-agents", "api:family-session-detail", "api:family-session-attendance",
    "api:family-session-mark", "api:family-series-detail", "api:survey-unit-detail",
    "api:survey-unit-results", "api:survey-response-list", "api:activity-detail",
    "api:village-status-detail", "api:dashboard-report-list", "api:dashboard-report-detail",
    "api:dashboard-report-file", "api:api-root",
}  # fmt: skip


@dataclass
class World:
    cast: Cast
    sessions: dict[str, str]

    def browser(self, role: str) -> Browser:
        browser = Browser()
        browser.cookies[settings.SESSION_COOKIE_NAME] = self.sessions[role]
        return browser


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    with module_world(django_db_blocker, tmp_path_factory, "list-queries"):
        cast = make_cast()
        sessions = {}
        for role in ROLES:
            browser = Browser()
            browser.force_login(getattr(cast, role))
            sessions[role] = browser.cookies[settings.SESSION_COOKIE_NAME].value
        yield World(cast=cast, sessions=sessions)


def shown_rows(response, links: str = "", marker: str = "") -> int:
    """How many rows the answer shows: table rows of a page (or its distinct links to the
    records of `links`), results of the API, rows of a workbook or a CSV file."""
    content = b"".join(response.streaming_content) if response.streaming else response.content
    kind = response.get("Content-Type", "")
    if kind.startswith("application/json"):
        data = response.json() if not response.streaming else None
        return len(data["results"] if isinstance(data, dict) else data)
    if kind.startswith("application/vnd.openxmlformats-officedocument.spreadsheetml"):
        book = openpyxl.load_workbook(io.BytesIO(content), read_only=True)
        return sum(1 for sheet in book for row in sheet.iter_rows(values_only=True) if any(row))
    if kind.startswith("text/csv"):
        return len(list(csv.reader(io.StringIO(content.decode("utf-8-sig")))))
    if links:
        any_pk = "|".join(
            "[0-9a-f-]{36}".join(map(re.escape, reverse(name, args=[UUID]).split(UUID)))
            for name in links.split()
        )
        return len(set(re.findall(f'href="({any_pk})"', content.decode())))
    return content.decode().count(marker or "<tr")


def counted(browser, url, spec: List) -> tuple[int, list[str]]:
    caches["default"].clear()
    with CaptureQueriesContext(connection) as queries:
        response = browser.get(url)
    assert response.status_code == 200, f"GET {url}: {response.status_code}"
    sql = [query["sql"] for query in queries.captured_queries]
    return shown_rows(response, spec.links, spec.marker), sql


def shapes(queries: list[str]) -> Counter:
    """The queries without their literals: the same query for another row is the same shape."""
    return Counter(re.sub(r"'[^']*'|\bs\d+_x\d+\b|\b\d+\b", "?", sql) for sql in queries)


def test_every_url_name_is_a_list_or_not():
    names = set(url_names())

    unknown = sorted(names - set(LISTS) - NOT_LISTS)
    assert not unknown, f"URLs neither in LISTS nor in NOT_LISTS of {__name__}: {unknown}"
    assert not (set(LISTS) | NOT_LISTS) - names, "LISTS or NOT_LISTS name URLs no longer there"
    assert not set(LISTS) & NOT_LISTS


def test_a_route_named_like_a_list_of_the_api_is_in_lists_or_takes_no_get(world):
    """DRF names a viewset's list route `<basename>-list`: it is in LISTS, or it only
    creates (a POST route; a GET is refused)."""
    names = url_names()
    routes = {name for name in names if name.startswith("api:") and name.endswith("-list")}

    for name in sorted(routes - set(LISTS)):
        url = reverse(name, kwargs=dict.fromkeys(names[name], "x"))
        assert world.browser("admin").get(url).status_code == 405, name


@pytest.mark.parametrize("name", sorted(LISTS))
def test_a_lists_query_count_does_not_grow_with_its_rows(world, name):
    spec = LISTS[name]
    rows = Rows(world.cast)
    spec.add(rows, 1)
    browser = world.browser(spec.role)
    browser.get(spec.url(name, rows))

    shown_before, before = counted(browser, spec.url(name, rows), spec)
    spec.add(rows, MORE)
    shown_after, after = counted(browser, spec.url(name, rows), spec)

    assert shown_after == shown_before + MORE * spec.per, f"{name}: the new rows are not all shown"
    assert len(after) == len(before), (
        f"{name}: {len(before)} queries for one row, {len(after)} for {1 + MORE}; more often:\n"
        + "\n".join(f"{n} × {sql}" for sql, n in (shapes(after) - shapes(before)).items())
    )
