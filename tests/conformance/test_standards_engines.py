"""The verdicts of the standards (办学标准) on every SQL engine: each school's value, the
threshold that applies to it and the verdict are the same as the Python evaluator gives (the
reference) on every example with a registry of schools, for every standard and period (on
Spark, one example's report year)."""

from dataclasses import asdict
from pathlib import Path

import pytest

from nianbao.compute.plan import SCENARIOS, make_plan
from nianbao.compute.standards import evaluate
from tests.conformance.conftest import SQL_ENGINES, dataset, engine_url

EXAMPLES = sorted(str(p.parent) for p in Path("examples").glob("*/orgs.csv"))
# Spark plans every query anew (seconds a query; a minute for data with figures of areas): there
# one example, its report year — the other engines run every example and year
SPARK = ("examples/datong-2024-schools",)


def cases():
    return [(e, p) for e in SQL_ENGINES for p in EXAMPLES if e != "spark" or p in SPARK]


def verdicts(results):
    return [asdict(r) for r in results]


@pytest.mark.parametrize("engine,path", cases())
def test_engine_gives_the_python_verdicts(engine, path):
    ds = dataset(path)
    url = engine_url(engine)
    periods = [ds.report_year] if engine == "spark" else sorted(set(ds.periods))
    for period in periods:
        want = verdicts(evaluate(ds, period, engine="python"))
        got = verdicts(evaluate(ds, period, engine=engine, url=url))
        assert got == want, (path, period)


def test_the_examples_judge_schools_both_ways():
    """Not an empty comparison: the examples hold schools that meet a criterion, schools that
    do not and schools without the figure, and plans whose projected students differ from the
    students reported."""
    met = {True: 0, False: 0, None: 0}
    for path in EXAMPLES:
        ds = dataset(path)
        for r in evaluate(ds, engine="duckdb"):
            for v in r.verdicts:
                met[v.met] += 1
    assert EXAMPLES and all(n > 0 for n in met.values()), met
    # and the projected scenario moves some school's students from the number reported
    moved = [s for path in EXAMPLES for s in make_plan(dataset(path), scenario="projected", engine="duckdb").schools
             if s.students is not None and s.students != s.students_reported]
    assert moved


@pytest.mark.parametrize("engine,path", cases())
def test_engine_gives_the_python_plan(engine, path):
    """The 达标 plan reads more than the verdicts (what a resource adds, the flows the projected
    scenario carries forward): on every engine the same needs, quantities and students."""
    ds = dataset(path)
    url = engine_url(engine)
    for scenario in SCENARIOS:
        want = make_plan(ds, scenario=scenario, engine="python")
        got = make_plan(ds, scenario=scenario, engine=engine, url=url)
        assert [asdict(s) for s in got.schools] == [asdict(s) for s in want.schools], (path, scenario)
