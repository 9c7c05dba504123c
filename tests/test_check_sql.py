"""The data rules compiled to SQL (nianbao.check.rules_sql) give the same findings as the Python
handlers of nianbao.check.kinds, the reference: the same code, severity, messages, hints,
location, year, unit and figures, finding for finding. On every example dataset, on the
synthetic province of bench/bench_check.py (with its planted errors and more planted here), on
hand-made edge cases of each kind, on randomly altered figures, and on SQLite and PostgreSQL
as well as DuckDB.

Nothing here is compared with numbers typed by hand: the Python handlers are the independent
implementation (tests/test_check_rules.py checks them against hand arithmetic)."""

from __future__ import annotations

import dataclasses
import importlib.util
import random
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nianbao import catalogue
from nianbao.check.engine import check_dataset, check_rules, rules_engine
from nianbao.check.registry import KINDS, Handler
from nianbao.ingest.dataset import Dataset, Observation, OrgUnit, load_dataset
from tests.conformance.conftest import engine_url

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = sorted(p for p in (ROOT / "examples").iterdir() if (p / "dataset.yaml").exists())
COMPILED = ("breakdown", "compare", "range", "stock_flow", "year_over_year")


def _bench():
    spec = importlib.util.spec_from_file_location("bench_check", ROOT / "bench" / "bench_check.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


BENCH = _bench()


def as_rows(findings) -> Counter:
    """Every field of every finding, as a multiset (the order of findings is compared apart)."""
    return Counter(repr(sorted(f.to_dict().items())) for f in findings)


def same(ds, engine="duckdb", url=None, data_only=True):
    """The findings of both paths; they must be equal."""
    reference = check_rules(ds, data_only=data_only, engine="python")
    compiled = check_rules(ds, data_only=data_only, engine=engine, url=url)
    ref, got = as_rows(reference), as_rows(compiled)
    assert got == ref, (f"only Python: {list((ref - got).elements())[:2]}\n"
                        f"only {engine}: {list((got - ref).elements())[:2]}")
    return reference


def codes(findings) -> Counter:
    return Counter(f.code for f in findings)


@pytest.fixture(scope="module")
def province():
    """The synthetic province of bench_check (24 schools × 4 years), with more errors planted:
    a stock that does not follow from its flows, shares of 就业产业 off 100%, a 其中 part above its
    total, a degree breakdown with a category missing, and a count changed from zero."""
    ds, _ = BENCH.generate(24, 4, seed=11)
    obs = list(ds.observations)
    rng = random.Random(5)
    schools = sorted({o.org_unit for o in obs})
    for i, o in enumerate(obs):
        if o.org_unit == schools[0] and o.element == "students" and not o.dims and o.period == 2019:
            obs[i] = dataclasses.replace(o, value=o.value * 1.3)
        elif o.org_unit == schools[1] and o.element == "employment_industry_share_reported" and o.period == 2020:
            obs[i] = dataclasses.replace(o, value=o.value + (0.4 if ("industry", "primary") in o.dims else 0))
        elif o.org_unit == schools[2] and o.element == "employment_industry_share_reported" and o.period == 2019:
            obs[i] = dataclasses.replace(o, value=o.value + (7 if ("industry", "primary") in o.dims else 0))
        elif o.org_unit == schools[3] and o.element == "awards" and not o.dims and o.period == 2018:
            obs[i] = dataclasses.replace(o, value=0.0)
    students = [o for o in obs if o.element == "students" and not o.dims and o.org_unit == schools[4]]
    for o in students:  # 其中 3+2 segmented: one year above the total, one within
        share = 1.2 if o.period == 2020 else rng.uniform(0.1, 0.3)
        obs.append(dataclasses.replace(o, dims=(("pathway", "segmented_3plus2"),), value=float(round(o.value * share))))
    obs = [o for o in obs if not (o.org_unit == schools[5] and o.period == 2019 and o.dims == (("degree", "master"),))]
    return dataclasses.replace(ds, observations=obs)


def test_the_default_engine_is_duckdb_and_python_is_the_reference(tmp_path):
    ds = load_dataset(ROOT / "examples" / "datong-2020")
    assert rules_engine(ds) == "duckdb"
    assert rules_engine(ds, "python") == "python"
    assert rules_engine(dataclasses.replace(ds, meta={**ds.meta, "engine": "python"})) == "python"
    for kind in COMPILED:  # each kind named compiles; the others have no SQL form (yet)
        assert KINDS[kind].handler.compile is not Handler.compile, kind
    assert all(k.handler.compile is Handler.compile for name, k in KINDS.items() if name not in COMPILED)


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_examples_give_the_same_findings(path):
    ds = load_dataset(path)
    same(ds)
    assert as_rows(check_dataset(ds, engine="python")) == as_rows(check_dataset(ds))


def test_the_synthetic_province_gives_the_same_findings(province):
    found = codes(same(province))
    # every case planted is found (so the equality above is about findings, not their absence)
    for code in ("breakdown.sum_mismatch", "breakdown.incomplete", "breakdown.shares_off",
                 "breakdown.shares_mismatch", "breakdown.part_exceeds_total", "compare.fulltime_le_staff",
                 "compare.graduates_le_candidates", "flow.stock_mismatch", "yoy.jump"):
        assert found[code], code


def test_the_order_is_the_python_paths_by_unit_and_kind(province):
    reference = check_rules(province, data_only=True, engine="python")
    compiled = check_rules(province, data_only=True)
    key = [(f.org_unit, f.code) for f in reference]
    assert sorted(key) == sorted((f.org_unit, f.code) for f in compiled)
    order = {k.name: i for i, k in enumerate(KINDS.values())}
    kind = {r.code: order[r.kind] for r in _book(province).rules}
    got = [(f.org_unit, kind[f.code]) for f in compiled]
    assert got == sorted(got)


def _book(ds):
    from nianbao.check.rules import rulebook
    return rulebook(ds.catalogue)


@pytest.mark.parametrize("engine", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres),
                                    pytest.param("spark", marks=pytest.mark.spark)])
def test_other_sql_engines_give_the_same_findings(engine, province):
    url = engine_url(engine)
    same(province, engine=engine, url=url)
    same(load_dataset(ROOT / "examples" / "datong-2024-schools"), engine=engine, url=url)


def test_the_figures_stay_in_the_engine_until_the_dataset_changes(province):
    before = check_rules(province, data_only=True)
    first = as_rows(before)
    assert as_rows(check_rules(province, data_only=True)) == first  # read again from the engine
    changed = dataclasses.replace(province, observations=[
        dataclasses.replace(o, value=o.value + 500) if o.element == "staff" and not o.dims else o
        for o in province.observations])
    changed.__dict__.update({k: v for k, v in province.__dict__.items() if k.startswith("_nianbao")})
    assert as_rows(check_rules(changed, data_only=True)) == as_rows(check_rules(changed, data_only=True,
                                                                                 engine="python"))
    assert codes(check_rules(changed, data_only=True))["compare.fulltime_le_staff"] < codes(before)[
        "compare.fulltime_le_staff"]


# -- edge cases, by hand -------------------------------------------------------------------------

ORG = "140200"


def dataset(rows, catalogue_id="cn-2016", years=(2019, 2020)):
    """A city dataset from (element, dims, period, value[, scope[, step]]) rows."""
    obs = []
    for i, row in enumerate(rows):
        element, dims, period, value, *rest = row
        scope = rest[0] if rest else "unstated"
        step = rest[1] if len(rest) > 1 else 0.0
        obs.append(Observation(element=element, dims=tuple(sorted(dims)), period=period, scope=scope,
                               value=float(value), org_unit=ORG, source=f"表{i % 3}", origin=f"values.csv:{i + 2}",
                               step=step))
    return Dataset(path=Path("edge"), meta={}, org_unit=OrgUnit(ORG, "示例市", "Example city", "city"),
                   report_year=years[-1], periods=list(years), catalogue=catalogue.load(catalogue_id),
                   observations=obs)


D, M, B = ("degree", "master"), ("degree", "bachelor"), ("degree", "associate")
T1, T2 = ("title", "senior_vice"), ("title", "intermediate")

EDGES = {
    # nested: degree within title, and title within degree, the inner groups off
    "nested": [("fulltime_teachers", (), 2020, 100), ("fulltime_teachers", (T1,), 2020, 40),
               ("fulltime_teachers", (T2,), 2020, 60), ("fulltime_teachers", (T1, M), 2020, 10),
               ("fulltime_teachers", (T1, B), 2020, 31), ("fulltime_teachers", (T2, M), 2020, 5)],
    # amounts with decimals: within their rounding (2019), beyond it (2020); a 万 step on the
    # total widens the tolerance (2018); whole amounts off by less than half a unit each (2017)
    "decimals": [row for year, total, first, step in ((2017, 1001.5, 200, 0.0), (2018, 1030.0, 200.04, 100.0),
                                                      (2019, 1000.0, 200.004, 0.0), (2020, 1000.0, 200.04, 0.0))
                 for row in [("floor_area", (), year, total, "unstated", step)] + [
                     ("floor_area", (("building_use", use),), year, first if use == "teaching_aux" else 200)
                     for use in ("teaching_aux", "admin", "living", "staff_housing", "other")]],
    # the same figures given twice: the later counts
    "twice": [("staff", (), 2020, 100), ("fulltime_teachers", (), 2020, 120), ("staff", (), 2020, 130)],
    # a formula with a sum and a division by zero, scopes apart, a figure of another scope
    "compare": [("employed_direct", (), 2020, 200), ("further_study", (), 2020, 200), ("graduates", (), 2020, 300),
                ("employed_direct", (), 2020, 10, "excl_technical"), ("graduates", (), 2020, 5, "all"),
                ("graduates", (), 2019, 0), ("graduation_candidates", (), 2019, 0),
                ("graduation_candidates", (), 2020, 1)],
    # stocks: a gap, a stock of nothing from flows of nothing, a negative expectation
    "flows": [("students", (), 2019, 1000), ("students", (), 2020, 700), ("entrants", (), 2020, 300),
              ("graduates", (), 2020, 250), ("students", (), 2019, 0, "all"), ("students", (), 2020, 0, "all"),
              ("entrants", (), 2020, 0, "all"), ("graduates", (), 2020, 0, "all"),
              ("students", (), 2019, 10, "excl_technical"), ("students", (), 2020, 5, "excl_technical"),
              ("entrants", (), 2020, 0, "excl_technical"), ("graduates", (), 2020, 30, "excl_technical")],
    # jumps: from zero, to zero, small counts, rates by points, a breakdown category, the edge of 30%
    "jumps": [("awards", (), 2019, 0), ("awards", (), 2020, 40), ("majors", (), 2019, 10), ("majors", (), 2020, 19),
              ("staff", (), 2019, 100), ("staff", (), 2020, 130), ("students", (), 2019, 100),
              ("students", (), 2020, 131), ("pass_rate_culture_reported", (), 2019, 80),
              ("pass_rate_culture_reported", (), 2020, 90.5), ("fulltime_teachers", (D,), 2019, 50),
              ("fulltime_teachers", (D,), 2020, 0)],
    # shares: within rounding, a little off, far off, with a category missing
    "shares": [("employment_industry_share_reported", (("industry", c),), 2018, 30) for c in ("primary", "secondary",
                                                                                              "tertiary")] + [
               ("employment_industry_share_reported", (("industry", "primary"),), 2019, 10.3),
               ("employment_industry_share_reported", (("industry", "secondary"),), 2019, 40),
               ("employment_industry_share_reported", (("industry", "tertiary"),), 2019, 50),
               ("employment_industry_share_reported", (("industry", "primary"),), 2020, 20),
               ("employment_industry_share_reported", (("industry", "secondary"),), 2020, 30)],
    # ranges: rates as reported above 100% and below 0, one within; 毕业率 above 100% in two scopes
    # and within it, a denominator of zero; 学历 shares above 100%; a ratio the rule excludes
    "ranges": [("pass_rate_culture_reported", (), 2020, 120), ("pass_rate_culture_reported", (), 2019, 80),
               ("certificate_rate_reported", (), 2020, -3), ("graduates", (), 2020, 300),
               ("graduation_candidates", (), 2020, 250), ("graduates", (), 2019, 200),
               ("graduation_candidates", (), 2019, 250), ("graduates", (), 2020, 100, "excl_technical"),
               ("graduation_candidates", (), 2020, 50, "excl_technical"), ("graduates", (), 2019, 10, "all"),
               ("graduation_candidates", (), 2019, 0, "all"), ("fulltime_teachers", (), 2020, 100),
               ("fulltime_teachers", (("degree", "doctor"),), 2020, 10), ("fulltime_teachers", (D,), 2020, 50),
               ("fulltime_teachers", (M,), 2020, 60), ("parttime_teachers", (), 2020, 150)],
}


@pytest.mark.parametrize("name", list(EDGES))
def test_edge_cases_give_the_same_findings(name):
    found = same(dataset(EDGES[name]))
    compiled = [f for f in found if f.code.split(".")[0] in ("breakdown", "compare", "flow", "yoy", "range")]
    assert compiled or name == "twice"  # twice: the later staff figure (130) holds the teachers (120)


def test_ranges_are_found_in_sql_as_in_python():
    found = same(dataset(EDGES["ranges"]))
    values = sorted(round(f.values["value"], 4) for f in found if f.code == "range.rate")
    # 120 and -3 as reported; 毕业率 300/250 = 120% and, without technical schools, 100/50 = 200%;
    # 学历本科及以上 (10 + 50 + 60)/100 = 120% and 硕士及以上 (10 + 50)/100 = 60% (within);
    # 兼职教师比 150/100 = 150% is excluded by the rule
    assert values == [-3.0, 120.0, 120.0, 120.0, 200.0]


def test_a_definition_change_is_not_compared_across():
    rows = [("employed_direct", (), 2021, 100), ("employed_direct", (), 2022, 200),
            ("employed_direct", (), 2023, 400), ("graduates", (), 2021, 100), ("graduates", (), 2022, 200)]
    ds = dataset(rows, "cn-2022", years=(2021, 2022, 2023))
    found = same(ds)
    jumps = sorted(f.period for f in found if f.code == "yoy.jump" and f.values.get("previous") in (100, 200))
    assert 2023 in jumps and 2022 in jumps  # graduates 2022 jumps, employed_direct only 2022→2023


# -- random figures ------------------------------------------------------------------------------

@st.composite
def altered(draw):
    """The small synthetic province with some figures replaced by drawn values (whole, with
    decimals, zero, or another figure's value)."""
    ds, _ = _small()
    obs = list(ds.observations)
    for _ in range(draw(st.integers(1, 12))):
        i = draw(st.integers(0, len(obs) - 1))
        value = draw(st.one_of(st.integers(0, 5000).map(float), st.floats(0, 5000, allow_nan=False).map(
            lambda v: round(v, 2)), st.just(0.0), st.sampled_from([o.value for o in obs[:200]])))
        obs[i] = dataclasses.replace(obs[i], value=value)
    return dataclasses.replace(ds, observations=obs)


_SMALL: list = []


def _small():
    if not _SMALL:
        _SMALL.append(BENCH.generate(4, 3, seed=3))
    return _SMALL[0]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(altered())
def test_randomly_altered_figures_give_the_same_findings(ds):
    same(ds)
