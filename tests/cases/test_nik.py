"""Tests of the pure NIK / KK module: no database, no Django settings needed."""

from datetime import date

import pytest

from cases.nik import mask_nik, normalise_nik, parse_nik, validate_kk

TODAY = date(2025, 11, 23)
MALE_NIK = "1602050101900001"  # 16.02.05, 01-01-1990, male, serial 0001
FEMALE_NIK = "1602054507850002"  # 16.02.05, 05-07-1985, female, serial 0002


def nik(*, region="160205", dd="01", mm="01", yy="90", serial="0001"):
    return f"{region}{dd}{mm}{yy}{serial}"


def parse(raw, **kwargs):
    kwargs.setdefault("today", TODAY)
    return parse_nik(raw, **kwargs)


def codes(result):
    return [issue.code for issue in result.errors]


def test_male_nik_decodes_region_birth_date_sex_and_serial():
    result = parse(MALE_NIK)

    assert result.ok
    assert result.errors == () and result.warnings == ()
    info = result.info
    assert info.nik == MALE_NIK
    assert info.province_code == "16"
    assert info.regency_code == "16.02"
    assert info.district_code == "16.02.05"
    assert info.birth_date == date(1990, 1, 1)
    assert info.sex == "L"
    assert info.serial == "0001"


def test_female_birth_day_has_forty_added():
    info = parse(FEMALE_NIK).info

    assert info.birth_date == date(1985, 7, 5)
    assert info.sex == "P"


@pytest.mark.parametrize(
    ("dd", "sex", "day"), [("01", "L", 1), ("31", "L", 31), ("41", "P", 1), ("71", "P", 31)]
)
def test_day_part_at_the_edges_of_each_range_is_accepted(dd, sex, day):
    info = parse(nik(dd=dd)).info

    assert (info.sex, info.birth_date) == (sex, date(1990, 1, day))


@pytest.mark.parametrize("raw", ["160205010190001", "16020501019000011", "1602"])
def test_nik_without_exactly_sixteen_digits_is_rejected_with_the_count(raw):
    result = parse(raw)

    assert codes(result) == ["length"]
    assert result.info is None
    assert f"; {len(raw)} were entered" in result.errors[0].render()


@pytest.mark.parametrize("raw", ["", "   ", "'", None])
def test_missing_nik_is_reported_as_empty(raw):
    assert codes(parse(raw)) == ["empty"]


def test_letters_in_nik_are_named_in_the_message():
    result = parse("16020501O19OOO01")

    assert codes(result) == ["not_digits"]
    assert '"O"' in result.errors[0].render()


def test_non_digits_and_wrong_length_are_reported_together():
    assert codes(parse("16020501x1900")) == ["not_digits", "length"]


@pytest.mark.parametrize("raw", ["1.60205E+15", "1,60205E+15", " '1.60205e15 "])
def test_scientific_notation_is_rejected_with_its_own_message(raw):
    result = parse(raw)

    assert codes(result) == ["scientific_notation"]
    assert result.info is None
    message = result.errors[0].render()
    assert raw.strip(" '") in message
    assert "scientific notation" in message


@pytest.mark.parametrize(
    "raw",
    [
        "'1602050101900001",
        "  1602050101900001\t",
        " '1602050101900001 ",
        "1602 0501 0190 0001",
        "1602.0501.0190.0001",
        "1602-0501-0190-0001",
        "160205 010190 0001",
    ],
)
def test_apostrophe_whitespace_and_group_separators_are_stripped(raw):
    result = parse(raw)

    assert normalise_nik(raw) == MALE_NIK
    assert result.value == MALE_NIK
    assert result.ok


@pytest.mark.parametrize("mm", ["00", "13", "99"])
def test_month_outside_one_to_twelve_is_a_bad_month(mm):
    result = parse(nik(mm=mm))

    assert codes(result) == ["bad_month"]
    assert mm in result.errors[0].render()


@pytest.mark.parametrize("dd", ["00", "32", "40", "72", "99"])
def test_day_part_outside_both_ranges_is_a_bad_day(dd):
    result = parse(nik(dd=dd))

    assert codes(result) == ["bad_day"]
    assert dd in result.errors[0].render()


@pytest.mark.parametrize("dd", ["30", "70"])
def test_thirtieth_of_february_is_not_a_real_date_for_either_sex(dd):
    result = parse(nik(dd=dd, mm="02"))

    assert codes(result) == ["bad_date"]
    assert "30-02-1990" in result.errors[0].render()


@pytest.mark.parametrize("dd", ["29", "69"])
def test_twenty_ninth_of_february_in_a_non_leap_year_is_not_a_real_date_for_either_sex(dd):
    result = parse(nik(dd=dd, mm="02", yy="23"))

    assert codes(result) == ["bad_date"]
    assert "29-02-2023" in result.errors[0].render()


@pytest.mark.parametrize(("dd", "yy", "year"), [("29", "96", 1996), ("69", "00", 2000)])
def test_leap_day_in_a_leap_year_is_valid(dd, yy, year):
    result = parse(nik(dd=dd, mm="02", yy=yy))

    assert result.ok
    assert result.info.birth_date == date(year, 2, 29)


@pytest.mark.parametrize(
    ("dd", "mm", "yy", "expected"),
    [
        ("01", "01", "05", date(2005, 1, 1)),
        ("23", "11", "25", date(2025, 11, 23)),  # today itself is not after today
        ("24", "11", "25", date(1925, 11, 24)),  # tomorrow would be in the future
        ("01", "12", "25", date(1925, 12, 1)),
        ("01", "01", "90", date(1990, 1, 1)),
    ],
)
def test_century_is_2000s_unless_that_date_is_after_today(dd, mm, yy, expected):
    assert parse(nik(dd=dd, mm=mm, yy=yy)).info.birth_date == expected


def test_birth_date_after_today_is_a_future_date():
    result = parse(nik(dd="01", mm="12", yy="99"), today=date(1999, 6, 1))

    assert codes(result) == ["future_date"]
    assert "01-12-1999" in result.errors[0].render()
    assert result.info is None


def test_serial_0000_is_rejected():
    result = parse(nik(serial="0000"))

    assert codes(result) == ["serial_zero"]
    assert result.info is None


def test_entered_birth_date_that_differs_is_a_mismatch_naming_both_dates():
    result = parse(MALE_NIK, birth_date=date(1990, 1, 2))

    assert codes(result) == ["birth_date_mismatch"]
    message = result.errors[0].render()
    assert "01-01-1990" in message and "02-01-1990" in message
    assert result.info.birth_date == date(1990, 1, 1)


def test_entered_birth_date_settles_the_century_the_nik_leaves_open():
    result = parse(nik(yy="20"), birth_date=date(1920, 1, 1))

    assert result.ok
    assert result.info.birth_date == date(1920, 1, 1)


@pytest.mark.parametrize(("raw", "entered"), [(MALE_NIK, "P"), (FEMALE_NIK, "L")])
def test_sex_that_differs_from_the_nik_is_a_mismatch_explaining_the_forty_rule(raw, entered):
    result = parse(raw, sex=entered)

    assert codes(result) == ["sex_mismatch"]
    assert "40 is added" in result.errors[0].render()


def test_female_sex_mismatch_names_the_real_day_of_birth():
    message = parse(FEMALE_NIK, sex="L").errors[0].render()

    assert "digits 7-8 are 45, that is day 05 plus 40" in message


def test_matching_birth_date_and_sex_pass():
    assert parse(FEMALE_NIK, birth_date=date(1985, 7, 5), sex="p").ok


def test_sex_other_than_l_or_p_is_a_programming_error():
    with pytest.raises(ValueError, match="sex must be"):
        parse(MALE_NIK, sex="M")


def test_unknown_district_is_a_warning_and_result_stays_ok():
    asked = []

    def known_district(code):
        asked.append(code)
        return False

    result = parse(MALE_NIK, known_district=known_district)

    assert asked == ["16.02.05"]
    assert result.ok
    assert result.info is not None
    assert [w.code for w in result.warnings] == ["unknown_district"]
    assert result.warnings[0].warning
    assert "16.02.05" in result.warnings[0].render()


def test_known_district_gives_no_warning():
    assert parse(MALE_NIK, known_district=lambda code: True).warnings == ()


def test_all_errors_that_apply_are_reported_together():
    result = parse(
        nik(region="990101", dd="32", mm="13", serial="0000"),
        known_district=lambda code: False,
        sex="L",
        birth_date=date(1990, 1, 1),
    )

    assert codes(result) == ["bad_day", "bad_month", "serial_zero"]
    assert [w.code for w in result.warnings] == ["unknown_district"]
    assert not result.ok


def test_mismatches_are_reported_alongside_errors_in_the_nik_itself():
    result = parse(nik(dd="45", serial="0000"), birth_date=date(1990, 1, 6), sex="L")

    assert codes(result) == ["serial_zero", "birth_date_mismatch", "sex_mismatch"]
    assert result.info is None


def test_render_passes_the_source_message_through_translate():
    issue = parse("123").errors[0]

    rendered = issue.render(lambda s: s.replace("The NIK must", "NIK harus"))

    assert rendered.startswith("NIK harus have exactly 16 digits; 3 were entered")


@pytest.mark.parametrize(
    ("raw", "masked"),
    [
        ("1602050101900001", "1602**********01"),
        ("'1602 0501 0190 0001", "1602**********01"),
        ("", ""),
        (None, ""),
        ("12345", "*****"),
    ],
)
def test_mask_nik_shows_only_the_first_four_and_last_two_digits(raw, masked):
    assert mask_nik(raw) == masked


def test_valid_kk_decodes_its_region_and_ignores_the_date_part():
    result = validate_kk("'1602059999990123")

    assert result.ok
    assert result.value == "1602059999990123"
    assert result.info.district_code == "16.02.05"
    assert result.info.serial == "0123"


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("", "empty"),
        ("160205010190001", "length"),
        ("1.60205E+15", "scientific_notation"),
        ("16020501019000A1", "not_digits"),
        ("1602050101900000", "serial_zero"),
    ],
)
def test_invalid_kk_is_rejected_with_a_family_card_message(raw, code):
    result = validate_kk(raw)

    assert codes(result) == [code]
    assert result.info is None
    assert "family card" in result.errors[0].render()


def test_kk_with_unknown_district_is_a_warning_only():
    result = validate_kk("9901011234560001", known_district=lambda code: code != "99.01.01")

    assert result.ok
    assert [w.code for w in result.warnings] == ["unknown_district"]
    assert "99.01.01" in result.warnings[0].render()
