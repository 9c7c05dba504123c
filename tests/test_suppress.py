"""Small-cell suppression for school-level publication (nianbao.compute.suppress)."""

import itertools

from nianbao import catalogue
from nianbao.compute.suppress import TOTAL, recoverable, settings, suppress

# graduates of three schools by destination (直接就业, 升学, 未就业), threshold 5
CELLS = {("A", "direct"): 40, ("A", "study"): 52, ("A", "none"): 3,
         ("B", "direct"): 18, ("B", "study"): 25, ("B", "none"): 6,
         ("C", "direct"): 30, ("C", "study"): 2, ("C", "none"): 0}
ROWS, COLS = ["A", "B", "C"], ["direct", "study", "none"]


def test_small_cells_and_the_cells_that_would_give_them_away_are_hidden():
    t = suppress(CELLS, ROWS, COLS, threshold=5)
    # primary: the counts 1–4 (A/none 3, C/study 2); the zero of C/none is published
    assert {k for k, why in t.hidden.items() if why == "primary"} == {("A", "none"), ("C", "study")}
    assert t.shown("C", "none") == 0
    # row A: 95 − 40 − 52 would give 3 away; the smallest other cell of row A is hidden (40)
    assert t.hidden[("A", "direct")] == "secondary"
    # row C: 32 − 30 would give 2 away → C/direct 30 is the only non-zero cell left; column
    # none: 9 − 3 − 0 would give B's 6 away once A/none is hidden → B/none hidden
    assert t.hidden[("C", "direct")] == "secondary" and t.hidden[("B", "none")] == "secondary"
    assert recoverable(t) == []
    # the totals add up as published: A's total 95 printed, its three cells among them hidden
    assert t.values[("A", TOTAL)] == 40 + 52 + 3 and t.shown("A", TOTAL) == 95


def test_no_hidden_cell_can_be_worked_out_from_one_line_on_any_small_table():
    # every 2×3 table of values 0, 1, 7: whatever is hidden, no line leaves one hidden entry alone
    for values in itertools.product((0, 1, 7), repeat=6):
        cells = {(r, c): v for (r, c), v in zip(itertools.product("ab", "xyz"), values)}
        t = suppress(cells, ["a", "b"], ["x", "y", "z"], threshold=5)
        assert recoverable(t) == [], cells
        assert all(v == 0 or v >= 5 or (k in t.hidden) for k, v in t.values.items())


def test_a_total_below_the_threshold_is_hidden_and_zeros_on_request():
    t = suppress({("A", "x"): 2, ("A", "y"): 1}, ["A"], ["x", "y"], threshold=5)
    assert t.hidden[("A", TOTAL)] == "primary" and t.hidden[(TOTAL, TOTAL)] == "primary"
    z = suppress({("A", "x"): 0, ("A", "y"): 9, ("B", "x"): 8, ("B", "y"): 9}, ["A", "B"], ["x", "y"], 5, zero=True)
    assert z.hidden[("A", "x")] == "primary" and recoverable(z) == []


def test_the_threshold_comes_from_the_catalogue_and_the_dataset():
    cat = catalogue.load("cn-2016")
    assert settings(cat) == (5, False)
    assert settings(cat, {"suppression": {"threshold": 10}}) == (10, False)
