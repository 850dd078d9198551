"""The aid pages lead from one step to the next: an approved proposal to its hand-over and
hand-over records, a decree to its annex."""

from django.urls import reverse

from aid.forms.handovers import SELF
from tests.conftest import shown

from .conftest import approve, verified


def test_an_approved_proposal_offers_the_hand_over_and_then_its_record(
    cast, funded, food, make_client, browse
):
    proposal = verified(cast, make_client(serial=3), funded, [(food, 1)])
    approve(cast, [proposal])
    caseworker = browse("caseworker")
    page = reverse("aid:proposal-detail", args=[proposal.reference])

    before = caseworker.get(page).content.decode()
    assert reverse("aid:handover-create", args=[proposal.pk]) in before
    assert shown("Hand over") in before

    caseworker.post(
        reverse("aid:handover-create", args=[proposal.pk]),
        {
            "handed_on": "2026-11-20",
            "place": "Rumah Singgah",
            "recipient": SELF,
            "items": [str(i.pk) for i in proposal.items.all()],
        },  # fmt: skip
    )
    handover = proposal.handovers.get()
    after = caseworker.get(page).content.decode()
    assert reverse("aid:handover-create", args=[proposal.pk]) not in after
    assert reverse("aid:handover-detail", args=[handover.pk]) in after and handover.number in after


def test_the_decree_page_offers_the_annex_to_its_supervisor_only(
    cast, funded, food, make_client, browse
):
    decree = approve(cast, [verified(cast, make_client(serial=4), funded, [(food, 1)])])
    page = reverse("aid:decree-detail", args=[decree.pk])
    annex = reverse("aid:decree-annex", args=[decree.pk, "pdf"])

    assert annex in browse("supervisor").get(page).content.decode()
    assert annex not in browse("caseworker").get(page).content.decode()


def test_a_proposal_rejected_after_its_decree_leaves_the_decrees_totals(
    cast, funded, food, make_client, browse
):
    # Seen: rejected after the decree, released from the budget, still in the decree's
    # "Total, 1 recipient, Rp 350.000" and in the list of decrees.
    from aid import services
    from aid.models import Proposal

    kept = verified(cast, make_client(serial=5), funded, [(food, 1)])
    dropped = verified(cast, make_client(serial=6), funded, [(food, 2)])
    decree = approve(cast, [kept, dropped])
    services.proposal_reject(proposal=dropped, by=cast.supervisor, reason="Meninggal dunia")
    assert Proposal.objects.get(pk=dropped.pk).state == "rejected"
    supervisor = browse("supervisor")

    page = supervisor.get(reverse("aid:decree-detail", args=[decree.pk])).content.decode()
    listed = supervisor.get(reverse("aid:decree-list")).content.decode()

    value = f"{kept.value:,}".replace(",", ".")
    assert "Jumlah, 1 penerima" in page
    assert f"Rp {value}</td>" in page
    assert "1 usulan yang ditolak atau dibatalkan sesudah SK tidak dihitung." in page
    assert dropped.reference in page  # still listed, with its state
    row = listed[listed.index(decree.number) :]
    assert f"Rp {value}" in row[: row.index("</tr>")]
