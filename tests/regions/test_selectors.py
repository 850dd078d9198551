from atensi.accounts.models import User
from atensi.regions.models import Region
from atensi.regions.selectors import region_get, region_label, region_list, region_search

from .conftest import make_user


def codes(regions) -> list[str]:
    return [region.code for region in regions]


def test_search_finds_villages_inside_the_users_regency_only(oki_caseworker):
    found = codes(region_search(user=oki_caseworker, q="sukamaju"))

    assert found == ["16.02.22.2008"]  # not 16.01.13.2012 in Ogan Komering Ulu, nor others


def test_search_of_an_outsider_does_not_see_the_regency(palembang_caseworker):
    assert codes(region_search(user=palembang_caseworker, q="sukamaju")) == ["16.71.08.1001"]
    assert codes(region_search(user=palembang_caseworker, q="16.02.05")) == []


def test_search_is_case_insensitive_ordered_by_name_and_limited(oki_caseworker):
    found = list(region_search(user=oki_caseworker, q="SUKA", limit=5))

    assert len(found) == 5
    names = [region.name for region in found]
    assert names == sorted(names)
    assert all(region.code.startswith("16.02.") and region.level == 4 for region in found)


def test_names_starting_with_the_query_come_before_names_containing_it(oki_caseworker):
    names = [r.name.lower() for r in region_search(user=oki_caseworker, q="jaya", limit=None)]

    starting = [name.startswith("jaya") for name in names]
    assert starting == sorted(starting, reverse=True)
    assert True in starting and False in starting


def test_a_code_prefix_finds_the_villages_under_it(oki_caseworker):
    found = codes(region_search(user=oki_caseworker, q="16.02.05", limit=None))

    assert len(found) == 25
    assert all(code.startswith("16.02.05.") for code in found)


def test_search_by_level_and_over_all_levels(oki_caseworker):
    assert codes(region_search(user=oki_caseworker, q="kayu agung", level=3)) == ["16.02.05"]
    assert set(codes(region_search(user=oki_caseworker, q="16.02", level=None, limit=None))) >= {
        "16.02",
        "16.02.05",
        "16.02.05.1002",
    }


def test_a_user_without_a_service_area_finds_nothing(db, regions_loaded):
    admin = User.objects.create_superuser(username="root", password="pw-not-used-1234")

    assert codes(region_search(user=admin, q="sukamaju")) == []


def test_a_province_wide_area_covers_every_regency_in_it(db, regions_loaded):
    user = make_user("sumsel", "16")

    assert set(codes(region_search(user=user, q="sukamaju"))) == {
        "16.01.13.2012",
        "16.02.22.2008",
        "16.03.16.2017",
        "16.05.19.2003",
        "16.10.06.2021",
        "16.71.08.1001",
    }


def test_labels_of_search_results_cost_no_extra_query(oki_caseworker, django_assert_num_queries):
    oki_caseworker.organisation  # noqa: B018 - load the organisation outside the count

    with django_assert_num_queries(2):  # the service area, then the search
        labels = [region_label(r) for r in region_search(user=oki_caseworker, q="kayuagung")]

    assert "Kayuagung — Kec. Kayu Agung, Kab. Ogan Komering Ilir" in labels


def test_labels_name_each_level_the_way_an_address_does(db, regions_loaded):
    def label(code):
        return region_label(region_get(code=code))

    assert label("16") == "Sumatera Selatan"
    assert label("16.02") == "Kab. Ogan Komering Ilir — Sumatera Selatan"
    assert label("16.71") == "Kota Palembang — Sumatera Selatan"
    assert label("16.02.05") == "Kec. Kayu Agung — Kab. Ogan Komering Ilir, Sumatera Selatan"
    assert label("91.03.01") == "Distrik Sentani — Kab. Jayapura, Papua"
    assert label("16.71.01.1001") == "Tiga-puluh-lima Ilir — Kec. Ilir Barat Dua, Kota Palembang"


def test_region_get_validates_a_submitted_code(db, regions_loaded):
    assert region_get(code=" 16.02.05.1002 ").name == "Kayuagung"
    assert region_get(code="16.02.05.9999") is None
    assert region_get(code="") is None
    assert region_get(code="16.02.05.1002.1") is None


def test_region_list_filters_by_parent_and_level(db, regions_loaded):
    assert region_list(parent="16.02").count() == 18
    assert region_list(level=Region.Level.PROVINCE).count() == 38
    assert codes(region_list(q="palembang", level=2)) == ["16.71"]
