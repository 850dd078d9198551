import re

import pytest
from django.urls import reverse

OPTION_RE = re.compile(r'<option value="([0-9.]*)"[^>]*>([^<]*)</option>')


@pytest.fixture
def oki_client(client, oki_caseworker):
    client.force_login(oki_caseworker)
    return client


def options(client, q):
    response = client.get(reverse("regions:village_options"), {"q": q})
    assert response.status_code == 200
    return OPTION_RE.findall(response.content.decode())


def test_village_options_list_matching_villages_inside_the_users_area(oki_client):
    assert options(oki_client, "sukamaju") == [
        ("16.02.22.2008", "Sukamaju — Kec. Lempuing Jaya, Kab. Ogan Komering Ilir")
    ]


def test_village_options_never_offer_another_regency(client, palembang_caseworker):
    client.force_login(palembang_caseworker)

    assert [code for code, _ in options(client, "sukamaju")] == ["16.71.08.1001"]
    assert [code for code, _ in options(client, "kayuagung")] == [""]  # only the hint


def test_a_query_shorter_than_two_letters_gives_only_a_hint(oki_client):
    response = oki_client.get(reverse("regions:village_options"), {"q": " s "})

    assert response.status_code == 200
    assert response.content.decode().count("<option") == 1
    assert '<option value="" disabled data-hint>' in response.content.decode()


def test_many_matches_show_twenty_and_a_hint_to_type_more(oki_client):
    found = options(oki_client, "an")

    assert len(found) == 21
    assert all(code.startswith("16.02.") for code, _ in found[:20])
    assert found[20][0] == ""


def test_the_query_is_escaped_in_the_no_match_hint(oki_client):
    response = oki_client.get(reverse("regions:village_options"), {"q": "<b>zzz"})

    assert "<b>zzz" not in response.content.decode()
    assert "&lt;b&gt;zzz" in response.content.decode()


def test_village_options_need_a_signed_in_user(client, db):
    response = client.get(reverse("regions:village_options"), {"q": "sukamaju"})

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_village_options_answer_only_get(oki_client):
    assert oki_client.post(reverse("regions:village_options"), {"q": "suka"}).status_code == 405


def test_village_options_take_a_fixed_number_of_queries(oki_client, django_assert_max_num_queries):
    # session, user, organisation, service area, search; then the session save (3 with its
    # savepoint). The labels of the 21 options cost nothing more.
    with django_assert_max_num_queries(8):
        options(oki_client, "an")
