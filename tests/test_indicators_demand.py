"""An indicator table computes on the engine only what it prints: the indicators asked for whose
inputs the data has, the data elements they read, the breakdowns those are read by
(``compute.sql.needs_of``, ``computable``; ``SqlFigures(wanted=…)``). The figures are those of
the whole computation."""

import pytest

from nianbao import catalogue
from nianbao.app.indicators import Request, indicator_rows
from nianbao.compute import sql_engine
from nianbao.compute.rollup_sql import computed_elements, rules
from nianbao.compute.sql import computable, needs_of
from nianbao.ingest.dataset import load_dataset

SCHOOLS = "examples/datong-2020-schools"
CAT = catalogue.load("cn-2016")


def test_the_elements_an_indicator_reads():
    # cn-2016 indicators.yaml: student_teacher_ratio = students / fulltime_teachers;
    # employment_rate = (employed_direct + further_study) / graduates, fallback employment_rate_reported;
    # students[affiliation=municipal] is a data element read by its breakdown
    needs = needs_of(CAT, [("student_teacher_ratio", ()), ("employment_rate", ()),
                           ("students", (("affiliation", "municipal"),))])
    assert needs == {"students": {"affiliation"}, "fulltime_teachers": set(), "employed_direct": set(),
                     "further_study": set(), "graduates": set(), "employment_rate_reported": set()}


def test_only_what_is_needed_is_summed_and_broken_down():
    r = rules(CAT, needs_of(CAT, [("student_teacher_ratio", ())]))
    assert r["summed"] == {"students", "fulltime_teachers"}
    assert not r["registry"] and r["conditions"] == {} and r["majors"] == {}
    assert all(not els for els in r["with_dim"].values())  # no breakdown asked for
    whole = rules(CAT)
    assert whole["summed"] == whole["summable"] and "students" in whole["with_dim"]["affiliation"]


def test_an_indicator_without_its_inputs_is_not_computed():
    # employment_rate needs employed_direct, further_study and graduates, or its printed rate
    has = {("employed_direct", ""), ("graduates", "")}
    assert computable(CAT, ["employment_rate", "student_teacher_ratio"], has) == []
    assert computable(CAT, ["employment_rate"], has | {("further_study", "")}) == ["employment_rate"]
    assert computable(CAT, ["employment_rate"], {("employment_rate_reported", "")}) == ["employment_rate"]
    # the schools counted by a condition on students (aggregation.yaml school_counts) and those of
    # the registry are there once a registry is, the majors figures only with a majors table
    there = computed_elements(CAT, {"students"}, registry=True, majors=False)
    assert {"schools", "schools_under_500", "schools_under_200"} <= there
    assert "coop_schools" not in there and "majors" not in there


@pytest.mark.parametrize("request_", [
    {"level": "county"}, {"level": "city", "by": "affiliation"},
    {"level": "county", "indicators": "student_teacher_ratio,schools,students[affiliation=municipal]"}])
def test_a_table_asked_for_less_prints_the_same_rows(request_):
    ds = load_dataset(SCHOOLS)
    asked = indicator_rows(ds, Request(engine="duckdb", **request_))
    whole = indicator_rows(load_dataset(SCHOOLS), Request(engine="python", **request_))
    assert [(r["org_unit"], r["category"], r["indicator"], r["value"], r["schools"]) for r in asked] == [
        (r["org_unit"], r["category"], r["indicator"], r["value"], r["schools"]) for r in whole]
    assert len(asked) > 10


def test_the_engine_leaves_out_the_figures_not_asked_for():
    ds = load_dataset(SCHOOLS)
    few = sql_engine.SqlFigures(ds, "duckdb", wanted=[("student_teacher_ratio", ())])
    every = sql_engine.SqlFigures(load_dataset(SCHOOLS), "duckdb")
    county = "140213"  # 平城区 (examples/datong-2020-schools/orgs.csv)
    assert set(few.computed[county]) == {("student_teacher_ratio", p) for p in (2019, 2020)
                                         if ("student_teacher_ratio", p) in every.computed[county]}
    assert few.computed[county] == {k: v for k, v in every.computed[county].items() if k[0] == "student_teacher_ratio"}
    elements = {row[2] for row in few._rows[county]}
    assert elements <= {"students", "fulltime_teachers"} and "students" in elements
