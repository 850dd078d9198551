"""A referrer follows the person they referred: seen in the browser, the referral page said
only "Accepted" once the Dinsos took it, with no case, stage or outcome."""

import pytest
from django.utils import timezone
from django.utils.html import escape

from cases import services
from cases.models import Stage
from tests.conftest import said

pytestmark = pytest.mark.django_db


def test_the_referrer_reads_the_case_number_its_stage_and_where_it_went(
    cast, make_client, make_referral, browse
):
    referral = make_referral()
    case = services.referral_accept(referral=referral, by=cast.caseworker, client=make_client())
    case = services.case_transition(
        case=case, by=cast.caseworker, to_stage=Stage.ASSESSMENT, reason="Asesmen"
    )
    browser = browse("referrer")

    page = browser.get(f"/rujukan/{referral.pk}/").content.decode()

    since = timezone.localtime(case.stage_changed_at).strftime("%d-%m-%Y")  # Jakarta's date
    line = said(
        "Case %(reference)s at %(organisation)s: %(stage)s since %(since)s.",
        reference=case.reference, organisation=case.organisation.name,
        stage=said("Assessment (asesmen)"), since=since,
    )  # fmt: skip
    assert escape(line) in page
    assert f"/kasus/{case.pk}/" not in page  # the referrer does not read the case itself
    services.case_transition(
        case=case, by=cast.caseworker, to_stage=Stage.REFERRED_OUT, reason="Rawat inap",
        referred_to="RS Ernaldi Bahar",
    )  # fmt: skip
    page = browser.get(f"/rujukan/{referral.pk}/").content.decode()
    assert escape(said("Referred on to %(place)s.", place="RS Ernaldi Bahar")) in page
