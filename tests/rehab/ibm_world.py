"""The shared world of the IBM unit tests: a unit BNNK OKI set up in Kayuagung with two
agents, and two clients it supports (one in an episode BNNK provides, one in a Dinsos one)."""

import datetime
from dataclasses import dataclass

import pytest

from rehab.models.episodes import Episode, IbmUnit, RecoveryAgent
from rehab.services import ibm as services
from tests.conftest import OKI_VILLAGE


@dataclass
class IbmWorld:
    unit: IbmUnit
    agent: RecoveryAgent
    other_agent: RecoveryAgent
    bnnk_episode: Episode
    dinsos_episode: Episode


def make_episode(*, case, provider, unit, worker, agent=None, serial=1, ended_on=None):
    return Episode.objects.create(
        reference=f"EPS-TEST-{serial:03d}", client=case.client, case=case, provider=provider,
        modality="ibm", ibm_unit=unit, recovery_agent=agent, legal_route="sukarela",
        started_on=datetime.date(2026, 1, 5), ended_on=ended_on,
        outcome="selesai" if ended_on else "", worker=worker, created_by=worker,
    )  # fmt: skip


@pytest.fixture
def ibm(cast, make_case):
    unit = services.ibm_unit_create(
        by=cast.referrer, name="IBM Kayuagung Bersinar", village=OKI_VILLAGE,
        established_on=datetime.date(2023, 3, 1),
    )  # fmt: skip
    agent = services.recovery_agent_add(
        unit=unit, by=cast.referrer, full_name="Ahmad Fauzi", phone="0812",
        trained_on=datetime.date(2023, 3, 14),
    )  # fmt: skip
    other = services.recovery_agent_add(
        unit=unit, by=cast.referrer, full_name="Siti Aminah", trained_on=datetime.date(2023, 8, 22)
    )
    first = make_case(serial=1, full_name="Klien Binaan BNNK")
    second = make_case(serial=2, full_name="Klien Binaan Dinsos")
    return IbmWorld(
        unit=unit, agent=agent, other_agent=other,
        bnnk_episode=make_episode(case=first, provider=cast.bnnk, unit=unit,
                                  worker=cast.referrer, agent=agent, serial=1),
        dinsos_episode=make_episode(case=second, provider=cast.dinsos, unit=unit,
                                    worker=cast.caseworker, agent=other, serial=2),
    )  # fmt: skip
