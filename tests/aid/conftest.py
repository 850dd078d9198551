"""The aid module's set-up: a funded programme of Dinsos OKI with a small catalogue, and
people ready to propose (a client with an open case and a completed assessment)."""

import datetime
import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from aid import services
from aid.models import AidItem, Programme
from assessments.models import Assessment
from atensi.regions.models import Region

TODAY = datetime.date(2026, 11, 20)
UNIT = 100_000


@pytest.fixture
def regions_again(transactional_db):
    """A transactional test flushes every table at its end; put the regions back first."""
    call_command("load_regions", stdout=io.StringIO())


def make_programme(cast, *, ceiling=10_000_000, name="Bantuan ATENSI KPN", **rules):
    """A programme of Dinsos OKI serving regency 16.02, without decile screening unless
    `max_decile` says otherwise, and without the assessment rule unless asked."""
    values = {"max_decile": 10, "requires_assessment": False, "once_per_year": True}
    values.update(rules)
    programme = Programme.objects.create(
        name=name, kind=Programme.Kind.REGULAR, year=2026,
        organisation=cast.dinsos, funding_source=Programme.Funding.APBD_REGENCY,
        budget_ceiling=ceiling, period_start=datetime.date(2026, 1, 1),
        # The period contains today: the proposal form offers only such programmes.
        period_end=max(datetime.date(2026, 12, 31), timezone.localdate()), **values,
    )  # fmt: skip
    programme.regions.set(Region.objects.filter(code="16.02"))
    return programme


def make_item(programme, name="Paket nutrisi", *, component="hidup_layak", kind="goods",
              cost=UNIT):  # fmt: skip
    return AidItem.objects.create(
        programme=programme, name=name, component=component, kind=kind, unit="paket",
        unit_cost=cost,
    )  # fmt: skip


def fund(cast, programme, amount, component="hidup_layak"):
    return services.budget_allocate(
        programme=programme, component=component, amount=amount, by=cast.supervisor,
        reason="DPA 2026",
    )  # fmt: skip


def assess(case, *, business=False):
    return Assessment.objects.create(
        case=case, assessor=case.assigned_to, assessed_on=datetime.date(2026, 10, 5),
        status=Assessment.Status.COMPLETED, completed_at=timezone.now(),
        has_business=business, business_kind="Warung kelontong" if business else "",
    )  # fmt: skip


def verified(cast, client, programme, items, *, plan=""):
    """A proposal created and submitted by the caseworker, verified by the supervisor."""
    proposal = services.proposal_create(
        client=client, programme=programme, items=items, business_plan=plan, by=cast.caseworker
    )
    services.proposal_submit(proposal=proposal, by=cast.caseworker)
    return services.proposal_verify(proposal=proposal, by=cast.supervisor)


def approve(cast, proposals, number="SK/001/2026", by=None):
    return services.decree_approve(
        proposals=proposals, number=number, date=TODAY, signatory_name="Kepala Dinas Sosial",
        signatory_title="Kepala Dinas", by=by or cast.supervisor,
    )  # fmt: skip


@pytest.fixture
def programme(cast):
    return make_programme(cast)


@pytest.fixture
def food(programme):
    return make_item(programme)


@pytest.fixture
def funded(cast, programme, food):
    fund(cast, programme, 2_000_000)
    return programme
