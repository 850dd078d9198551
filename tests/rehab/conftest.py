"""Rehabilitation fixtures: a client referred by BNNK and accepted by Dinsos, and episodes
started through the service as a worker would."""

import datetime

import pytest

from cases import services as case_services
from rehab.services import episodes as services


@pytest.fixture
def bnnk_case(cast, make_client, make_referral):
    """A BNNK referral accepted by the Dinsos caseworker: the case BNNK treats on."""
    client = make_client(serial=31)
    referral = make_referral(full_name=client.full_name)
    return case_services.referral_accept(referral=referral, by=cast.caseworker, client=client)


@pytest.fixture
def start_episode(cast):
    def start(case, by=None, **extra):
        by = by or cast.caseworker
        data = {
            "provider": by.organisation,
            "modality": "rawat_jalan",
            "legal_route": "sukarela",
            "started_on": datetime.date(2026, 1, 15),
        }
        data.update(extra)
        return services.episode_start(by=by, case=case, **data)

    return start
