"""IBM unit pages and services: who reads and changes a unit, its agents, and whose client
names the unit page shows."""

import datetime
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from atensi.audit.models import AuditEvent
from atensi.errors import ApplicationError
from rehab.models.episodes import IbmUnit, RecoveryAgent
from rehab.services import ibm as services
from tests.conftest import OI_VILLAGE, OKI_VILLAGE, OKI_VILLAGE_2, ROLES, role_matrix

from .ibm_world import ibm, make_episode  # noqa: F401  (a fixture)

pytestmark = pytest.mark.django_db


def page_url(name: str, w) -> str:
    return {
        "list": reverse("rehab:ibm-unit-list"),
        "export": reverse("rehab:ibm-unit-export"),
        "create": reverse("rehab:ibm-unit-create"),
        "detail": reverse("rehab:ibm-unit-detail", args=[w.unit.pk]),
        "edit": reverse("rehab:ibm-unit-edit", args=[w.unit.pk]),
    }[name]


# The unit was set up by BNNK OKI in Kayuagung. The outsider works in Ogan Ilir, the viewer
# at the regency government, centre staff at a Sentra whose area holds the whole province.
PAGES = {
    #          caseworker supervisor outsider referrer centre viewer admin
    "list":    (200, 200, 200, 200, 200, 404, 200),
    "export":  (200, 200, 200, 200, 200, 404, 200),
    "create":  (200, 200, 200, 200, 200, 404, 404),
    "detail":  (200, 200, 404, 200, 200, 404, 200),
    "edit":    (404, 404, 404, 200, 404, 404, 404),
}  # fmt: skip


@pytest.mark.parametrize(("page", "role", "status"), role_matrix(PAGES))
def test_each_role_gets_the_pinned_status_on_each_ibm_page(browse, ibm, page, role, status):  # noqa: F811
    response = browse(role).get(page_url(page, ibm))

    assert response.status_code == status


@pytest.mark.parametrize("role", ROLES)
def test_only_the_organisation_that_set_the_unit_up_adds_an_agent(browse, ibm, role):  # noqa: F811
    response = browse(role).post(
        reverse("rehab:ibm-agent-add", args=[ibm.unit.pk]),
        {"full_name": "Agen Baru", "trained_on": "2023-11-02"},
    )

    added = RecoveryAgent.objects.filter(full_name="Agen Baru").exists()
    assert (response.status_code, added) == ((302, True) if role == "referrer" else (404, False))


@pytest.mark.parametrize("role", ROLES)
def test_only_the_organisation_that_set_the_unit_up_deactivates_an_agent(browse, ibm, role):  # noqa: F811
    response = browse(role).post(reverse("rehab:ibm-agent-deactivate", args=[ibm.agent.pk]))

    ibm.agent.refresh_from_db()
    expected = (302, False) if role == "referrer" else (404, True)
    assert (response.status_code, ibm.agent.is_active) == expected


def test_outsider_gets_404_for_the_unit_and_sees_none_in_the_list(browse, ibm):  # noqa: F811
    browser = browse("outsider")

    assert browser.get(page_url("detail", ibm)).status_code == 404
    assert ibm.unit.name not in browser.get(page_url("list", ibm)).text
    assert ibm.unit.name not in browser.get(page_url("export", ibm)).content.decode("latin-1")


def test_the_list_shows_village_organisation_active_agents_and_clients_supported(
    cast,
    browse,
    ibm,  # noqa: F811
):
    services.recovery_agent_deactivate(agent=ibm.other_agent, by=cast.referrer)

    response = browse("caseworker").get(page_url("list", ibm))

    unit = response.context["units"].get()
    assert (unit.active_agents, unit.clients_supported) == (1, 2)
    assert "Kayuagung" in response.text and "BNNK OKI" in response.text


def test_an_ended_episode_no_longer_counts_as_a_client_supported(cast, browse, ibm):  # noqa: F811
    episode = ibm.dinsos_episode
    episode.ended_on, episode.outcome = datetime.date(2026, 2, 1), "selesai"
    episode.save()

    response = browse("caseworker").get(page_url("list", ibm))

    assert response.context["units"].get().clients_supported == 1


def test_the_detail_shows_the_agents_with_their_training_dates(browse, ibm):  # noqa: F811
    response = browse("supervisor").get(page_url("detail", ibm))

    assert "Ahmad Fauzi" in response.text and "14-03-2023" in response.text
    assert "Siti Aminah" in response.text and "22-08-2023" in response.text


def test_a_caseworker_sees_the_names_of_the_clients_they_may_read_and_the_view_is_audited(
    cast,
    browse,
    ibm,  # noqa: F811
):
    response = browse("caseworker").get(page_url("detail", ibm))

    assert "Klien Binaan BNNK" in response.text and "Klien Binaan Dinsos" in response.text
    assert AuditEvent.objects.filter(
        actor=cast.caseworker, action="view", object_type="ibmunit", object_id=str(ibm.unit.pk)
    ).exists()


def test_bnnk_sees_only_the_clients_of_episodes_it_provides(browse, ibm):  # noqa: F811
    response = browse("referrer").get(page_url("detail", ibm))

    assert "Klien Binaan BNNK" in response.text
    assert "Klien Binaan Dinsos" not in response.text
    assert response.context["clients"]["open"] == 2
    # BNNK cannot open the client's record, so the page does not link to it.
    assert reverse("cases:client-detail", args=[ibm.bnnk_episode.client_id]) not in response.text


def test_centre_staff_with_no_client_handed_to_them_see_counts_only(cast, browse, ibm):  # noqa: F811
    response = browse("centre").get(page_url("detail", ibm))

    assert "Klien Binaan" not in response.text
    assert response.context["clients"]["open"] == 2
    assert not AuditEvent.objects.filter(actor=cast.centre, object_type="ibmunit").exists()


def test_open_episodes_come_before_ended_ones(cast, browse, ibm):  # noqa: F811
    episode = ibm.bnnk_episode
    episode.ended_on, episode.outcome = datetime.date(2026, 2, 1), "selesai"
    episode.save()

    shown = browse("caseworker").get(page_url("detail", ibm)).context["clients"]["shown"]

    assert [e.pk for e in shown] == [ibm.dinsos_episode.pk, ibm.bnnk_episode.pk]


def test_a_dinsos_caseworker_sets_up_a_unit_of_their_own_organisation(cast, browse):
    response = browse("caseworker").post(reverse("rehab:ibm-unit-create"), {
        "name": "IBM Cinta Jaya", "village": OKI_VILLAGE_2, "established_on": "2023-05-10",
    })  # fmt: skip

    unit = IbmUnit.objects.get(name="IBM Cinta Jaya")
    assert response.status_code == 302
    assert response.url == reverse("rehab:ibm-unit-detail", args=[unit.pk])
    assert unit.organisation == cast.dinsos and unit.created_by == cast.caseworker
    assert AuditEvent.objects.filter(action="create", object_id=str(unit.pk)).exists()


def test_a_unit_outside_the_service_area_is_refused_on_the_village(browse):
    response = browse("referrer").post(
        reverse("rehab:ibm-unit-create"), {"name": "IBM Munggu", "village": OI_VILLAGE}
    )

    assert response.status_code == 200
    assert response.context["form"].errors["village"]
    assert not IbmUnit.objects.exists()


def test_two_units_of_one_organisation_may_not_share_a_name(cast, ibm):  # noqa: F811
    with pytest.raises(ApplicationError) as refused:
        services.ibm_unit_create(by=cast.referrer, name="ibm kayuagung  bersinar",
                                 village=OKI_VILLAGE_2)  # fmt: skip

    assert refused.value.field == "name" and refused.value.code == "conflict"


def test_the_organisation_changes_its_unit_and_marks_it_inactive(cast, browse, ibm):  # noqa: F811
    response = browse("referrer").post(page_url("edit", ibm), {
        "name": "IBM Kayuagung Sehat", "village": OKI_VILLAGE_2, "established_on": "2023-03-01",
    })  # fmt: skip

    ibm.unit.refresh_from_db()
    assert response.status_code == 302
    assert (ibm.unit.name, ibm.unit.village_id, ibm.unit.is_active) == (
        "IBM Kayuagung Sehat",
        OKI_VILLAGE_2,
        False,
    )


def test_an_inactive_unit_takes_no_new_agent(cast, ibm):  # noqa: F811
    services.ibm_unit_update(unit=ibm.unit, by=cast.referrer, is_active=False)

    with pytest.raises(ApplicationError):
        services.recovery_agent_add(unit=ibm.unit, by=cast.referrer, full_name="Agen Terlambat")


def test_a_training_date_in_the_future_is_refused(cast, ibm):  # noqa: F811
    with pytest.raises(ApplicationError) as refused:
        services.recovery_agent_add(
            unit=ibm.unit, by=cast.referrer, full_name="Agen",
            trained_on=datetime.date.today() + datetime.timedelta(days=2),
        )  # fmt: skip

    assert refused.value.field == "trained_on"


def test_the_export_lists_each_agent_under_its_unit_and_is_audited(cast, browse, ibm):  # noqa: F811
    response = browse("supervisor").get(page_url("export", ibm))

    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert [row[7] for row in rows[1:]] == ["Ahmad Fauzi", "Siti Aminah"]
    assert all(row[0] == "IBM Kayuagung Bersinar" for row in rows[1:])
    assert not any("Klien Binaan" in str(cell) for row in rows for cell in row)
    assert AuditEvent.objects.filter(actor=cast.supervisor, action="export").exists()


@pytest.mark.parametrize("units", [1, 10])
def test_the_list_takes_a_fixed_number_of_queries(
    cast, browse, make_case, django_assert_max_num_queries, units
):
    for n in range(units):
        unit = services.ibm_unit_create(by=cast.referrer, name=f"IBM {n}", village=OKI_VILLAGE)
        agent = services.recovery_agent_add(unit=unit, by=cast.referrer, full_name=f"Agen {n}")
        case = make_case(serial=n + 1)
        make_episode(case=case, provider=cast.bnnk, unit=unit, worker=cast.referrer,
                     agent=agent, serial=n + 1)  # fmt: skip
    browser = browse("caseworker")

    with django_assert_max_num_queries(8):
        response = browser.get(reverse("rehab:ibm-unit-list"))

    assert len(response.context["units"]) == units


@pytest.mark.parametrize("clients", [1, 6])
def test_the_unit_page_takes_a_fixed_number_of_queries(
    cast, browse, make_case, django_assert_max_num_queries, clients
):
    unit = services.ibm_unit_create(by=cast.referrer, name="IBM Paku", village=OKI_VILLAGE)
    agent = services.recovery_agent_add(unit=unit, by=cast.referrer, full_name="Agen Paku")
    for n in range(clients):
        make_episode(case=make_case(serial=n + 1), provider=cast.bnnk, unit=unit,
                     worker=cast.referrer, agent=agent, serial=n + 1)  # fmt: skip
    browser = browse("caseworker")

    with django_assert_max_num_queries(12):
        response = browser.get(reverse("rehab:ibm-unit-detail", args=[unit.pk]))

    assert len(response.context["clients"]["shown"]) == clients
