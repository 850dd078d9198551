"""The demo of ATENSI aid, continuing the screening demo's round in Ogan Komering Ilir: the
programme gets its budget and items; the 24 eligible people are proposed from the demo batch,
verified and approved in one decree, and handed over at the Dinsos shelter (Rumah Singgah)
with numbered hand-over records; the 12 whose assessment records a running business also get
the entrepreneurship equipment package; one more proposal is rejected with its reason.

Programmes and items are reference data an administrator keeps (written here as the admin
would); every other step goes through the services, as the users would take it.
"""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone

from aid import services
from aid.models import AidItem, AidRecord, Programme
from assessments.demo import PROGRAMME
from assessments.models import EligibilityBatch
from assessments.models.assessment import Assessment, Component
from atensi.regions.models import Region
from cases.models import Client

OKI = "16.02"
CEILING = 300_000_000
# name, component, kind, unit, unit cost (whole rupiah)
ITEMS = [
    ("Paket nutrisi", Component.DECENT_LIVING, AidItem.Kind.GOODS, "paket", 350_000),
    ("Paket kebersihan diri", Component.DECENT_LIVING, AidItem.Kind.GOODS, "paket", 150_000),
    ("Alat bantu", Component.ACCESSIBILITY, AidItem.Kind.GOODS, "unit", 1_200_000),
    ("Perlengkapan sekolah", Component.AID, AidItem.Kind.GOODS, "paket", 400_000),
    ("Pelatihan vokasional", Component.VOCATIONAL, AidItem.Kind.SERVICE, "orang", 2_000_000),
    ("Paket peralatan usaha", Component.VOCATIONAL, AidItem.Kind.ENTREPRENEURSHIP, "paket",
     1_500_000),
]  # fmt: skip
ALLOCATIONS = {
    Component.DECENT_LIVING: 60_000_000,
    Component.ACCESSIBILITY: 20_000_000,
    Component.AID: 20_000_000,
    Component.VOCATIONAL: 100_000_000,
}
SHELTER = "Rumah Singgah Dinas Sosial Kabupaten Ogan Komering Ilir, Kayuagung"


@transaction.atomic
def load(*, users, stdout=None) -> bool:
    """Add the aid story; return False (changing nothing) when it is already there."""
    caseworker, supervisor = users["demo-caseworker"], users["demo-supervisor"]
    programme = Programme.objects.filter(
        organisation=supervisor.organisation, name=PROGRAMME
    ).first()
    if programme is None or programme.items.exists():
        return False
    batch = EligibilityBatch.objects.get(programme=programme)
    today = timezone.localdate()
    # The round's dates follow its screening: decided ten days ago, handed over a week ago.
    decided_on = today - datetime.timedelta(days=10)
    handed_on = today - datetime.timedelta(days=7)

    programme.funding_source = Programme.Funding.APBD_REGENCY
    programme.budget_ceiling = CEILING
    programme.period_start = datetime.date(programme.year, 1, 1)
    programme.period_end = datetime.date(programme.year, 12, 31)
    programme.save()
    programme.regions.set(Region.objects.filter(code=OKI))
    items = {
        name: AidItem.objects.create(
            programme=programme, name=name, component=component, kind=kind, unit=unit,
            unit_cost=cost,
        )
        for name, component, kind, unit, cost in ITEMS
    }  # fmt: skip
    for component, amount in ALLOCATIONS.items():
        services.budget_allocate(
            programme=programme, component=component, amount=amount, by=supervisor,
            reason="DPA Dinas Sosial tahun berjalan",
        )  # fmt: skip

    basic = [(items["Paket nutrisi"], 2), (items["Paket kebersihan diri"], 1)]
    created = services.proposals_create_from_batch(batch=batch, by=caseworker, items=basic).created
    for proposal in created:
        business = (
            Assessment.objects.filter(case__client=proposal.client, has_business=True)
            .order_by("-assessed_on")
            .first()
        )
        if business is not None:
            services.proposal_items_set(
                proposal=proposal, by=caseworker,
                items=[*basic, (items["Paket peralatan usaha"], 1)],
                business_plan=f"Mengembangkan usaha {business.business_kind.lower()} yang "
                "sudah berjalan: menambah peralatan dan stok.",
            )  # fmt: skip
        services.proposal_submit(proposal=proposal, by=caseworker)
        services.proposal_verify(proposal=proposal, by=supervisor)
    decree = services.decree_approve(
        proposals=created, number=f"460/{len(created):03d}/SK/DINSOS/{programme.year}",
        date=decided_on, signatory_name="Drs. H. Ahmad Yani, M.Si.",
        signatory_title="Kepala Dinas Sosial Kabupaten Ogan Komering Ilir", by=supervisor,
    )  # fmt: skip
    for proposal in decree.proposals.order_by("reference"):
        services.handover_record(
            proposal=proposal, by=caseworker, handed_on=handed_on, place=SHELTER
        )

    # One more person was proposed by hand, and the supervisor turned the proposal down.
    aided = AidRecord.objects.filter(programme=programme, client__isnull=True).first()
    rejected = None
    if aided is not None:
        client = Client.objects.filter(nik=aided.nik).first()
        if client is not None:
            rejected = services.proposal_create(
                client=client, programme=programme, items=basic, by=caseworker
            )
            services.proposal_submit(proposal=rejected, by=caseworker)
            services.proposal_reject(
                proposal=rejected, by=supervisor,
                reason="Sudah menerima Bantuan ATENSI Reguler tahun ini (riwayat bantuan).",
            )  # fmt: skip
    if stdout is not None:
        business = decree.proposals.filter(
            items__aid_item__kind=AidItem.Kind.ENTREPRENEURSHIP
        ).count()
        stdout.write(
            f"Demo aid: {decree.proposals.count()} approved in decree {decree.number} and handed "
            f"over ({business} with entrepreneurship aid); {1 if rejected else 0} rejected."
        )
    return True
