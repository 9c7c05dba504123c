"""Small-cell suppression for school-level publication (nianbao.compute.suppress)."""

import itertools

from nianbao import catalogue
from nianbao.compute.suppress import TOTAL, publish, recoverable, settings, suppress

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


# -- a published indicator table (compute.suppress.publish) ------------------------------------

def _row(org, indicator, value, inputs=(), denominator=None):
    return {"org_unit": org, "category": "", "indicator": indicator, "value": value, "text": f"{value}",
            "numerator": value if denominator is None else None, "denominator": denominator,
            "ratio": "", "inputs": list(inputs)}


class _Org:
    def __init__(self, parent):
        self.parent = parent


class _Orgs(dict):
    def get(self, code, default=None):
        return super().get(code, default)


def test_a_published_table_of_two_schools_hides_small_counts_and_what_gives_them_away():
    # two schools A and B of county C, threshold 5:
    #   A: 40 graduates = 35 direct + 2 further + 3 others;  B: 30 = 20 + 10 + 0
    # primary: A's 2 further and A's 3 others (a figure the reader works out, 40 − 35 − 2); A's
    # line then holds two unknowns. The county's report prints its totals: further 12 − B's 10
    # gives A's 2 away → B's further hidden; others 3 − B's 0 gives A's 3 away → B's others (not
    # printed, so hiding them costs nothing) count as unknown. B's line 30 − 20 then holds two
    # unknowns (10 and 0), so its 20 direct stays, and so does A's 35 (the county's 55 − 20).
    # What a reader can still work out: A's further study lies between 2 and 5 — no count.
    # The employment rates (direct + further over graduates) are hidden with their inputs.
    cat = catalogue.load("cn-2016")
    rows = [_row("A", "graduates", 40), _row("A", "employed_direct", 35), _row("A", "further_study", 2),
            _row("B", "graduates", 30), _row("B", "employed_direct", 20), _row("B", "further_study", 10),
            _row("A", "employment_rate", 92.5, ("graduates", "employed_direct", "further_study"), 40),
            _row("B", "employment_rate", 100.0, ("graduates", "employed_direct", "further_study"), 30)]
    orgs = _Orgs(A=_Org("C"), B=_Org("C"))
    out = {(r["org_unit"], r["indicator"]): r for r in publish(rows, cat, {}, orgs)}
    why = {k: r["suppressed"] for k, r in out.items()}
    assert why == {("A", "graduates"): "", ("A", "employed_direct"): "", ("A", "further_study"): "primary",
                   ("B", "graduates"): "", ("B", "employed_direct"): "",
                   ("B", "further_study"): "secondary",
                   ("A", "employment_rate"): "derived", ("B", "employment_rate"): "derived"}
    assert out[("A", "further_study")]["value"] is None and out[("A", "further_study")]["text"] == "*"
    assert out[("A", "graduates")]["value"] == 40


def test_a_dataset_may_raise_the_threshold_of_a_published_table():
    # with threshold 3 A's 2 further is still small, with threshold 2 nothing is
    cat = catalogue.load("cn-2016")
    rows = [_row("A", "graduates", 40), _row("A", "employed_direct", 36), _row("A", "further_study", 2)]
    hidden = lambda meta: {r["indicator"] for r in publish(rows, cat, meta, None) if r["suppressed"]}  # noqa: E731
    assert "further_study" in hidden({"suppression": {"threshold": 3}})
    assert hidden({"suppression": {"threshold": 2}}) == set()
