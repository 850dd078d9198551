import pytest
from django.urls import reverse
from rest_framework.test import APIClient


@pytest.fixture
def api(oki_caseworker):
    client = APIClient()
    client.force_authenticate(oki_caseworker)
    return client


def get(api, **params):
    response = api.get(reverse("api:region-list"), params)
    assert response.status_code == 200, response.content
    return response.json()


def test_anonymous_callers_cannot_read_regions(db, regions_loaded):
    response = APIClient().get(reverse("api:region-list"))

    assert response.status_code in (401, 403)


def test_regions_are_paginated_in_code_order(api):
    body = get(api)

    assert body["count"] == 91599
    assert len(body["results"]) == 50
    assert body["results"][0] == {
        "code": "11",
        "name": "Aceh",
        "level": 1,
        "parent": None,
        "label": "Aceh",
    }


def test_filter_by_level_and_parent(api):
    assert get(api, level=1)["count"] == 38
    districts = get(api, parent="16.02", page_size=200)

    assert districts["count"] == 18
    assert {row["parent"] for row in districts["results"]} == {"16.02"}
    assert {row["level"] for row in districts["results"]} == {3}


def test_name_search_covers_the_whole_country_unless_asked_for_the_area(api):
    everywhere = {row["code"] for row in get(api, q="sukamaju", level=4)["results"]}
    in_area = get(api, q="sukamaju", in_area=1)["results"]

    assert {"16.01.13.2012", "16.02.22.2008", "12.06.04.2023"} <= everywhere
    assert in_area == [
        {
            "code": "16.02.22.2008",
            "name": "Sukamaju",
            "level": 4,
            "parent": "16.02.22",
            "label": "Sukamaju — Kec. Lempuing Jaya, Kab. Ogan Komering Ilir",
        }
    ]


def test_in_area_without_a_level_spans_every_level_inside_the_area(api):
    body = get(api, in_area="true", q="16.02", page_size=200)

    assert body["count"] == 1 + 18 + 327
    assert all(row["code"].startswith("16.02") for row in body["results"])


def test_one_region_by_its_code(api):
    response = api.get(reverse("api:region-detail", args=["16.02.05.1002"]))

    assert response.status_code == 200
    assert response.json() == {
        "code": "16.02.05.1002",
        "name": "Kayuagung",
        "level": 4,
        "parent": "16.02.05",
        "label": "Kayuagung — Kec. Kayu Agung, Kab. Ogan Komering Ilir",
    }
    assert api.get(reverse("api:region-detail", args=["16.02.05.9999"])).status_code == 404


def test_an_invalid_filter_is_a_400_with_the_field_named(api):
    response = api.get(reverse("api:region-list"), {"level": 9})

    assert response.status_code == 400
    assert "level" in response.json()["error"]["fields"]


def test_regions_are_read_only(api):
    assert api.post(reverse("api:region-list"), {"code": "99", "name": "X"}).status_code == 405
    assert api.delete(reverse("api:region-detail", args=["16"])).status_code == 405


def test_a_page_of_regions_takes_a_fixed_number_of_queries(api, django_assert_max_num_queries):
    with django_assert_max_num_queries(3):  # service area, count, page
        get(api, in_area=1, q="a", page_size=200)
