"""Counting the lines a text takes in a printed table's cell (atensi.textlayout)."""

import pytest

from atensi import textlayout

SIZE = 11.33  # 8.5 pt in CSS pixels


@pytest.fixture(scope="module")
def font():
    found = textlayout.font("DejaVu Sans")
    assert found is not None, "fontconfig and DejaVu Sans are needed (fonts-dejavu-core)"
    return found


def test_a_wider_glyph_measures_wider_and_width_grows_with_the_size(font):
    assert font.width("W", SIZE) > font.width("i", SIZE) > 0
    assert font.width("SITI AMINAH", 2 * SIZE) == pytest.approx(2 * font.width("SITI AMINAH", SIZE))


def test_words_go_on_the_next_line_when_the_line_is_full(font):
    word = font.width("AMINAH", SIZE)
    space = font.width(" ", SIZE)

    assert font.lines("AMINAH AMINAH", 2 * word + space + 0.01, SIZE) == 1
    assert font.lines("AMINAH AMINAH", 2 * word + space - 0.1, SIZE) == 2
    assert font.lines("AMINAH  AMINAH\n AMINAH", word, SIZE) == 3  # white space collapses
    assert font.lines("", word, SIZE) == 1


def test_a_word_longer_than_the_cell_is_broken_between_its_characters(font):
    x = font.width("X", SIZE)

    assert font.lines("X" * 30, 11.5 * x, SIZE) == 3  # 11 + 11 + 8
    assert font.lines("X" * 70, 11.5 * x, SIZE) == 7  # 6 × 11 + 4, not 70 / 11.5 rounded up
    assert font.lines(f"AB {'X' * 30}", 11.5 * x, SIZE) == 4  # it starts a line of its own


def test_kerning_pairs_draw_letters_together_as_pango_does(font):
    # Pango lays "RAHMAT" out 47.26 px wide at 8.5 pt; without kerning it would be 48.60.
    assert font.width("AV", SIZE) < font.width("A", SIZE) + font.width("V", SIZE)
    assert font.width("RAHMAT", 8.5 * 4 / 3) == pytest.approx(47.26, abs=0.02)
    assert font.width("HH", SIZE) == pytest.approx(2 * font.width("H", SIZE))


def test_a_no_break_space_keeps_its_words_on_one_line(font):
    word = font.width("nutrisi", SIZE)

    wide = font.width("nutrisi × 1", SIZE)

    assert font.lines("Paket nutrisi × 1", word + 1, SIZE) == 3
    assert font.lines("Paket nutrisi\u00a0×\u00a01", wide + 1, SIZE) == 2
