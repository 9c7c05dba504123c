"""Every data element and indicator of the catalogue, on every example dataset, at every level
and breakdown, on every SQL engine: the same facts as the Python evaluator (the reference) —
value, numerator, denominator, scope, kind, and the inputs each fact used.

A gap an engine has is declared in GAPS (engine, case, code) with its reason and runs as a
strict xfail: when the gap closes the run fails, so the declaration is removed.
"""

import pytest

from nianbao.app.indicators import units_at
from nianbao.compute import engines
from nianbao.compute.aggregate import rollup
from tests.conformance.conftest import SQL_ENGINES, dataset

OWN = "examples/datong-2020"
SCHOOLS = "examples/datong-2020-schools"
ANYLEVEL = "tests/fixtures/anylevel"
# (case id, dataset, level, breakdown)
CASES = [
    ("own-city", OWN, "city", None),
    ("schools-school", SCHOOLS, "school", None),
    ("schools-county", SCHOOLS, "county", None),
    ("schools-city", SCHOOLS, "city", None),
    ("schools-province", SCHOOLS, "province", None),
    ("schools-city-by-affiliation", SCHOOLS, "city", "affiliation"),
    ("schools-city-by-ownership", SCHOOLS, "city", "ownership"),
    ("schools-city-by-school_type", SCHOOLS, "city", "school_type"),
    ("schools-city-by-county", SCHOOLS, "city", "county"),
    # figures at every level: a county table, own totals beside their parts, schools right below a city
    ("anylevel-school", ANYLEVEL, "school", None),
    ("anylevel-county", ANYLEVEL, "county", None),
    ("anylevel-city", ANYLEVEL, "city", None),
    ("anylevel-province", ANYLEVEL, "province", None),
    ("anylevel-city-by-county", ANYLEVEL, "city", "county"),
    ("anylevel-city-by-school_type", ANYLEVEL, "city", "school_type"),
]
CODES = list(dataset(OWN).catalogue.indicators)

# Declared gaps: (engine, case id, code) → reason. None today: every engine agrees on every
# figure. A new engine or catalogue entry that does not yet agree is declared here, never skipped.
GAPS: dict[tuple[str, str, str], str] = {}


def units(case):
    _, path, level, by = case
    ds = dataset(path)
    out = []
    for org, _ in units_at(ds, level):
        if by is None:
            out.append((org, None))
        else:
            out.extend((org, (by, c)) for c in rollup(ds).categories(org, by))
    return out


_python_books: dict = {}


def python_book(path, org, group):
    key = (path, org, group)
    if key not in _python_books:
        _python_books[key] = engines.factbook(dataset(path), org, "python", group=group)
    return _python_books[key]


def facts(book, code, periods):
    """Every fact of ``code`` the unit has: each disaggregation and period."""
    dims_sets = {d for (e, d, _p) in book._index if e == code} | {()}
    out = {}
    for dims in sorted(dims_sets):
        for p in periods:
            f = book.get(code, p, dims)
            if f is not None:
                out[(dims, p)] = f
    return out


def summary(f):
    return (f.kind, f.scope, [(i.ref, i.scope, i.period) for i in f.inputs])


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
@pytest.mark.parametrize("engine", SQL_ENGINES)
@pytest.mark.parametrize("code", CODES)
def test_engine_gives_the_python_facts(figures_of, engine, case, code, request):
    if (engine, case[0], code) in GAPS:
        request.applymarker(pytest.mark.xfail(reason=GAPS[(engine, case[0], code)], strict=True))
    ds = dataset(case[1])
    figs = figures_of(engine, case[1])
    periods = sorted(set(ds.periods) | {min(ds.periods) - 1})
    for org, group in units(case):
        want = facts(python_book(case[1], org, group), code, periods)
        book = figs.factbook(org, f"{group[0]}={group[1]}" if group else "")
        got = facts(book, code, periods)
        assert got.keys() == want.keys(), (org, group)
        for k, w in want.items():
            g = got[k]
            assert summary(g) == summary(w), (org, group, k)
            assert g.value == pytest.approx(w.value, rel=1e-9, abs=1e-9), (org, group, k)
            for a, b in ((g.numerator, w.numerator), (g.denominator, w.denominator)):
                assert (a is None) == (b is None) and (a is None or a == pytest.approx(b, rel=1e-9)), (org, group, k)
            assert [i.value for i in g.inputs] == pytest.approx([i.value for i in w.inputs], rel=1e-9)
    # every case holds units of its level; a code without data there is compared as absent on both
    assert units(case)


def test_every_case_compares_figures(figures_of):
    """The suite is not empty: on DuckDB the cases together compare thousands of facts, and every
    derived indicator has a value somewhere."""
    seen = set()
    n = 0
    for case in CASES:
        ds = dataset(case[1])
        for org, group in units(case):
            book = figures_of("duckdb", case[1]).factbook(org, f"{group[0]}={group[1]}" if group else "")
            for code in CODES:
                got = facts(book, code, ds.periods)
                n += len(got)
                if got:
                    seen.add(code)
    derived = {c for c, ind in dataset(OWN).catalogue.indicators.items() if ind.derived}
    assert n > 10000
    assert derived <= seen, sorted(derived - seen)
