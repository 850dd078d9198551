"""The small-count rule: no cell, row or column total reveals a count from 1 to 4."""

import random

import pytest

from atensi.dashboard.suppression import (
    HIDDEN,
    SMALL,
    delta,
    suppress,
    suppress_series,
    suppress_table,
    suppress_value,
)


def _extended(counts):
    n_cols = len(counts[0])
    rows = [list(r) + [sum(r)] for r in counts]
    totals = [sum(r[j] for r in counts) for j in range(n_cols)]
    rows.append(totals + [sum(totals)])
    return rows


def _displayed(table):
    rows = [list(c) + [t] for c, t in zip(table.cells, table.row_totals, strict=True)]
    rows.append(list(table.column_totals) + [table.total])
    return rows


def _random_table(rng):
    n_rows, n_cols = rng.randint(1, 6), rng.randint(1, 6)
    pick = rng.random()

    def n():
        r = rng.random()
        if r < 0.3:
            return 0
        if r < 0.3 + pick * 0.5:
            return rng.randint(1, 4)
        return rng.randint(5, 60)

    return [[n() for _ in range(n_cols)] for _ in range(n_rows)]


def _check(counts):
    true = _extended(counts)
    table = suppress_table(counts)
    shown = _displayed(table)
    n_rows, n_cols = len(true), len(true[0])
    for i in range(n_rows):
        for j in range(n_cols):
            v = shown[i][j]
            if isinstance(v, int):
                assert v == true[i][j], "a shown figure is the true figure"
                assert not 1 <= v <= 4, f"{counts}: small count shown at {(i, j)}"
            else:
                assert (i, j) in table.hidden
                assert true[i][j] > 0, "zero is never hidden"
                assert v == (SMALL if 1 <= true[i][j] <= 4 else HIDDEN)
    lines = [[(i, j) for j in range(n_cols)] for i in range(n_rows)]
    lines += [[(i, j) for i in range(n_rows)] for j in range(n_cols)]
    for line in lines:
        hidden = [p for p in line if not isinstance(shown[p[0]][p[1]], int)]
        assert len(hidden) != 1, f"{counts}: one hidden entry in a line can be subtracted"
        total = line[-1]
        if hidden and total not in hidden:
            rest = true[total[0]][total[1]] - sum(
                shown[i][j] for i, j in line[:-1] if (i, j) not in hidden
            )
            assert rest != len(hidden), f"{counts}: hidden cells all forced to 1"


def test_no_shown_cell_or_total_reveals_a_count_from_one_to_four_over_random_tables():
    rng = random.Random(20261207)
    for _ in range(4000):
        _check(_random_table(rng))


def test_a_lone_small_cell_hides_the_next_smallest_cell_in_its_row_and_column():
    table = suppress_table([[3, 10, 20], [7, 8, 30]])
    assert table.cells == [[SMALL, HIDDEN, 20], [HIDDEN, HIDDEN, 30]]
    assert table.row_totals == [33, 45]
    assert table.column_totals == [10, 18, 50]
    assert table.total == 78


def test_a_small_total_is_hidden_with_its_cells():
    table = suppress_table([[2, 0], [0, 0]])
    assert table.cells == [[SMALL, 0], [0, 0]]
    assert table.row_totals == [SMALL, 0]
    assert table.column_totals == [SMALL, 0]
    assert table.total == SMALL


def test_two_hidden_cells_forced_to_one_are_not_enough():
    table = suppress_table([[1, 1, 9]])
    assert table.cells[0] == [SMALL, SMALL, HIDDEN]
    assert table.row_totals == [11]


def test_zero_stays_zero_and_large_counts_are_shown():
    assert suppress_table([[0, 5], [12, 0]]).cells == [[0, 5], [12, 0]]


def test_a_single_figure_from_one_to_four_reads_less_than_five():
    assert [suppress_value(n) for n in (0, 1, 4, 5, None)] == [0, SMALL, SMALL, 5, None]


def test_a_series_hides_its_small_month_and_a_second_one():
    values, total = suppress_series([0, 6, 2, 9])
    assert values == [0, HIDDEN, SMALL, 9]
    assert total == 17


def test_the_change_from_the_previous_period_is_unknown_when_either_is_hidden():
    assert delta(10, 7) == 3
    assert delta(SMALL, 7) is None
    assert delta(10, HIDDEN) is None


def test_a_ragged_table_is_refused():
    with pytest.raises(ValueError):
        suppress_table([[1, 2], [3]])


def _check_lines(values, lines, keep=()):
    show, hidden = suppress(values, lines, keep=keep)
    for key, n in values.items():
        if isinstance(show[key], int):
            assert show[key] == n and not 1 <= n <= 4
        else:
            assert key in hidden and n > 0
    for parts, total in lines:
        hidden_here = [p for p in (*parts, total) if p in hidden]
        assert len(hidden_here) != 1, f"{values}: {total} gives a hidden count away"
        if hidden_here and total not in hidden:
            rest = values[total] - sum(values[p] for p in parts if p not in hidden)
            assert rest != len(hidden_here)


def test_a_funnel_hides_a_small_loss_from_the_steps_around_it_over_random_funnels():
    rng = random.Random(7)
    for _ in range(3000):
        steps = rng.randint(2, 9)
        remaining = rng.randint(0, 80)
        values, lines = {"step0": remaining}, []
        for k in range(1, steps):
            lost = min(remaining, rng.choice([0, 0, 1, 2, 3, 4, rng.randint(5, 30)]))
            remaining -= lost
            values[f"lost{k}"], values[f"step{k}"] = lost, remaining
            lines.append(((f"lost{k}", f"step{k}"), f"step{k - 1}"))
            reasons = [rng.randint(0, lost) for _ in range(rng.randint(0, 2))]
            if sum(reasons) <= lost and reasons:
                reasons.append(lost - sum(reasons))
                for r, n in enumerate(reasons):
                    values[f"reason{k}.{r}"] = n
                lines.append(([f"reason{k}.{r}" for r in range(len(reasons))], f"lost{k}"))
        _check_lines(values, lines)
        _check_lines(values, lines, keep=rng.sample(sorted(values), k=min(3, len(values))))


def test_a_funnel_with_a_loss_of_two_does_not_show_both_steps_around_it():
    values = {"proposed": 51, "lost": 2, "valid": 49, "lost2": 25, "eligible": 24}
    lines = [(("lost", "valid"), "proposed"), (("lost2", "eligible"), "valid")]
    show, _ = suppress(values, lines)
    assert show["lost"] == SMALL
    assert show["proposed"] == 51
    assert show["valid"] == HIDDEN
    assert show["lost2"] == 25
    assert show["eligible"] == HIDDEN


def test_parts_that_do_not_add_up_are_refused():
    with pytest.raises(ValueError):
        suppress({"a": 5, "b": 6, "t": 12}, [(("a", "b"), "t")])


def test_a_headline_figure_is_kept_when_the_line_offers_another_to_hide():
    values = {"assessed": 27, "lost": 3, "eligible": 24, "lost2": 6, "decile": 33}
    lines = [(("lost", "eligible"), "assessed"), (("lost2", "assessed"), "decile")]

    show, _ = suppress(values, lines, keep={"eligible"})

    assert (show["eligible"], show["lost"], show["assessed"]) == (24, SMALL, HIDDEN)
    assert (show["lost2"], show["decile"]) == (HIDDEN, 33)
