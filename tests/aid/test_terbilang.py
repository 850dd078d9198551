"""Amounts in Indonesian words, as the hand-over record (BAST) prints them."""

import pytest

from aid.terbilang import rupiah_in_words, terbilang


@pytest.mark.parametrize(
    ("amount", "words"),
    [
        (0, "nol"),
        (1, "satu"),
        (10, "sepuluh"),
        (11, "sebelas"),
        (12, "dua belas"),
        (19, "sembilan belas"),
        (20, "dua puluh"),
        (99, "sembilan puluh sembilan"),
        (100, "seratus"),
        (101, "seratus satu"),
        (111, "seratus sebelas"),
        (250, "dua ratus lima puluh"),
        (1000, "seribu"),
        (1001, "seribu satu"),
        (1100, "seribu seratus"),
        (11000, "sebelas ribu"),
        (101000, "seratus satu ribu"),
        (111111, "seratus sebelas ribu seratus sebelas"),
        (1000000, "satu juta"),
        (1001000, "satu juta seribu"),
        (1500000, "satu juta lima ratus ribu"),
        (2750250, "dua juta tujuh ratus lima puluh ribu dua ratus lima puluh"),
        (19000000, "sembilan belas juta"),
        (1000000000, "satu miliar"),
        (1001001001, "satu miliar satu juta seribu satu"),
        (3000000000000, "tiga triliun"),
    ],
)
def test_amounts_read_as_an_indonesian_record_writes_them(amount, words):
    assert terbilang(amount) == words


def test_rupiah_are_named():
    assert rupiah_in_words(1_500_000) == "satu juta lima ratus ribu rupiah"


@pytest.mark.parametrize("bad", [-1, 10**15, 1.5, True, "100"])
def test_anything_but_a_whole_number_in_range_is_refused(bad):
    with pytest.raises((TypeError, ValueError)):
        terbilang(bad)
