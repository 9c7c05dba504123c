"""The roll-up and the check read a dataset's figures from their table (``ingest.figures``)
without making an object of every figure, and give what they give from the observations read
row by row (``load_dataset(..., by_rows=True)``, the reference): the same observations of every
unit in the same order, the same findings and reconciliations, the same schools behind each
figure. Only the figures of units a rule can find something in, and of the units above the
schools, are made objects."""

from __future__ import annotations

import csv
import gc
from pathlib import Path

import pytest

from nianbao.check.engine import check_dataset, check_rules
from nianbao.compute import aggregate
from nianbao.compute.aggregate import rollup
from nianbao.ingest.dataset import load_dataset
from nianbao.ingest.figures import ON_DISK, compacted
from nianbao.store.db import Error

ROOT = Path(__file__).resolve().parents[1]
WITH_REGISTRY = sorted(p for p in (ROOT / "examples").iterdir() if (p / "orgs.csv").exists())
WITH_SCHOOLS = [p for p in WITH_REGISTRY if ",school," in (p / "orgs.csv").read_text(encoding="utf-8")]

ORG_COLUMNS = ["code", "zh", "en", "level", "parent", "county", "affiliation", "ownership", "school_type",
               "founded", "status", "closed", "profile"]
CITY, A, B = "140200", "140213", "140225"
S1, S2, S3, S4 = "0140213001", "1402130002", "1402250001", "1402250002"
ORGS = [
    {"code": CITY, "zh": "示例市", "level": "city", "parent": "140000"},
    {"code": A, "zh": "甲区", "level": "county", "parent": CITY},
    {"code": B, "zh": "乙县", "level": "county", "parent": CITY},
    {"code": S1, "zh": "示例一校", "level": "school", "parent": A, "county": A, "school_type": "vocational_high"},
    {"code": S2, "zh": "示例二校", "level": "school", "parent": A, "county": A, "school_type": "technical"},
    {"code": S3, "zh": "示例三校", "level": "school", "parent": B, "county": B, "school_type": "vocational_high"},
    {"code": S4, "zh": "示例四校", "level": "school", "parent": B, "county": B, "school_type": "regular_specialized"},
]
# (org, element, dims, period, scope, value), in the order of the file
MIXED = [
    # S1 gives students first without technical schools, then in no stated scope: the second is
    # taken (the order of scopes tried is all, unstated, excl_technical), in the place of the first
    (S1, "students", "", 2020, "excl_technical", 400), (S1, "students", "", 2020, "unstated", 410),
    (S2, "students", "", 2020, "all", 1000), (S3, "students", "", 2020, "all", 300),
    # S4 reports no students in 2020: the sums of B and the city are incomplete
    (S4, "fulltime_teachers", "", 2020, "all", 30), (S1, "fulltime_teachers", "", 2020, "all", 40),
    # a county's own total beside its schools' sum (reconciled), and the city's own figure
    (B, "fulltime_teachers", "", 2020, "all", 35), (CITY, "students", "", 2020, "all", 2000),
    # a weighted mean over a base of 0 (a mean over nobody is not missing) and a rate (not summed)
    (S1, "employed_direct", "", 2020, "all", 0), (S3, "employed_direct", "", 2020, "all", 20),
    (S3, "starting_income", "", 2020, "all", 3000),
    (S1, "students", "", 2019, "all", 380), (S3, "students", "", 2019, "all", 280),
]


def folder(tmp_path, values, orgs=ORGS) -> Path:
    d = tmp_path / "ds"
    d.mkdir()
    (d / "dataset.yaml").write_text(
        f'org_unit: {{code: "{CITY}", zh: 示例市, en: Sample City, level: city, parent: "140000"}}\n'
        "report_year: 2020\nperiods: [2019, 2020]\ncatalogue: cn-2016\n", encoding="utf-8")
    with (d / "orgs.csv").open("w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=ORG_COLUMNS)
        w.writeheader()
        w.writerows(orgs)
    with (d / "values.csv").open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["element", "dims", "period", "scope", "value", "source", "note", "org_unit"])
        for org, element, dims, period, scope, value in values:
            w.writerow([element, dims, period, scope, value, "test", "", org])
    return d


def rows(obs) -> list[tuple]:
    return [(o.org_unit, o.element, o.dims, o.period, o.scope, o.value, o.source, o.origin) for o in obs]


def assert_same_rollup(path: Path) -> None:
    table = load_dataset(path)
    assert table.has_figures()
    got = rollup(table)
    # the school figures summed from their table: none of them made an object
    assert table.__dict__.get("_observations") is None
    ref = rollup(load_dataset(path, by_rows=True))
    assert sorted(got) == sorted(ref)
    for unit in ref:
        assert rows(got[unit]) == rows(ref[unit]), unit
        assert rows(got.own_rows(unit)) == rows(ref.own_rows(unit)), unit
    assert [repr(f) for f in got.findings] == [repr(f) for f in ref.findings]
    assert [repr(r) for r in got.reconciliations] == [repr(r) for r in ref.reconciliations]
    for unit in ref:
        for o in ref[unit]:
            assert got.included(unit, o.element, o.period, o.scope, o.dims) == \
                ref.included(unit, o.element, o.period, o.scope, o.dims), (unit, o)


@pytest.mark.parametrize("path", WITH_REGISTRY, ids=lambda p: p.name)
def test_rollup_from_the_table_is_the_rollup_of_the_rows(path):
    assert_same_rollup(path)


def test_rollup_from_the_table_picks_scopes_and_reconciles_as_the_rows(tmp_path):
    path = folder(tmp_path, MIXED)
    assert_same_rollup(path)
    r = rollup(load_dataset(path))
    # S1's students as unstated (410, not the 400 without technical schools) and S2's 1000: A's
    # sum of all schools is 410 + 1000 = 1410
    a = {(o.element, o.period, o.scope): o.value for o in r[A] if not o.dims}
    assert a[("students", 2020, "all")] == 410 + 1000
    # B gives 35 teachers itself, its schools sum to 30 (S4 alone reports); the city gives 2000
    # students itself, its schools sum to 1410 (A) + 300 (S3) = 1710: both reconciled, counties first
    assert [(x.unit, x.reported.value, x.summed.value) for x in r.reconciliations] == \
        [(B, 35, 30), (CITY, 2000, 1410 + 300)]
    codes = {f.code for f in r.findings}
    assert "aggregate.incomplete" in codes  # S4 gives no students in 2020


@pytest.mark.parametrize("path", WITH_SCHOOLS, ids=lambda p: p.name)
def test_school_rows_read_a_batch_at_a_time_are_the_rows(path, monkeypatch):
    monkeypatch.setattr(aggregate, "BATCH", 3)  # several batches even in a small registry
    table = load_dataset(path)
    got = rollup(table)
    ref = rollup(load_dataset(path, by_rows=True))
    codes = [o.code for o in table.orgs.schools()]
    for code in codes:  # in the registry's order: a batch at a time, no object made of the rest
        assert rows(got.own_rows(code)) == rows(ref.own_rows(code)), code
    assert table.__dict__.get("_observations") is None
    # backwards, twice: a batch read for nearly every school, more than three times the batches
    # of the registry, after which every row is indexed at once
    for code in reversed(codes * 2):
        assert rows(got.own_rows(code)) == rows(ref.own_rows(code)), code
    assert len(codes) > 5 and hasattr(got, "rows_by_org")


def test_check_from_the_table_finds_what_the_rows_find_and_makes_few_objects(tmp_path):
    path = folder(tmp_path, MIXED)
    table = load_dataset(path)
    got = check_dataset(table)
    # only the units a rule can find something in (S1 gives two scopes) and the units above the
    # schools were made objects, never the whole list
    assert table.__dict__.get("_observations") is None
    ref = check_dataset(load_dataset(path, by_rows=True))
    assert [repr(f) for f in got] == [repr(f) for f in ref]
    # S1's 400 (excl_technical) and 410 (unstated) students of 2020: stated twice
    assert any(f.code.endswith("two_scopes") and f.org_unit == S1 for f in got)


def test_scope_rules_see_only_the_units_with_two_scopes(tmp_path):
    path = folder(tmp_path, MIXED)
    table = load_dataset(path)
    assert table.units_with_scopes(2) == {S1}
    assert table.units_with_scopes(1) == {S1, S2, S3, S4, B, CITY}
    ref = load_dataset(path, by_rows=True)
    assert ref.units_with_scopes(2) == {S1}
    python = check_rules(table, data_only=True, engine="python")
    assert [repr(f) for f in check_rules(table, data_only=True)] == \
        [repr(f) for f in check_rules(ref, data_only=True)]
    assert any(f.org_unit == S1 for f in python)


def test_compacted_figures_are_the_same_in_a_database_of_their_own(tmp_path):
    path = folder(tmp_path, MIXED)
    figures = load_dataset(path).figures()
    before = rows(figures.observations())
    old = figures.db
    moved = compacted(figures, least=0)
    assert moved.db is not old and moved.size == figures.size == len(MIXED)
    assert rows(moved.observations()) == before
    with pytest.raises(Error):  # the database the figures were validated in is closed
        old.execute("SELECT 1")
    # below the threshold nothing is moved
    assert compacted(moved) is moved


@pytest.mark.parametrize("path", WITH_SCHOOLS, ids=lambda p: p.name)
def test_figures_of_some_units_and_years_are_those_rows(path):
    table = load_dataset(path)
    ref = load_dataset(path, by_rows=True)
    codes = [o.code for o in ref.orgs.schools()][::2]
    year = ref.report_year - 1
    want = [o for o in ref.observations if o.org_unit in set(codes) and o.period == year]
    assert want  # last year's figures of every other school: there are some to compare
    assert rows(table.observations_of(codes, [year])) == rows(want)
    assert rows(ref.observations_of(codes, [year])) == rows(want)
    assert table.observations_of(codes, []) == []
    assert table.__dict__.get("_observations") is None


EXAMPLES = sorted(p for p in (ROOT / "examples").iterdir() if (p / "dataset.yaml").exists())


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_figures_read_into_a_file_on_disk_are_those_read_in_memory(path, monkeypatch):
    monkeypatch.setenv(ON_DISK, "0")
    memory = load_dataset(path)
    monkeypatch.setenv(ON_DISK, "1")
    disk = load_dataset(path)
    db = disk.figures().db
    folder = Path(db.path).parent
    assert folder.is_dir() and db.path.name == "figures.duckdb"
    assert rows(disk.observations) == rows(memory.observations)
    assert [repr(f) for f in disk.findings] == [repr(f) for f in memory.findings]
    assert [repr(f) for f in check_dataset(disk)] == [repr(f) for f in check_dataset(memory)]
    del disk, db
    gc.collect()
    assert not folder.exists()  # the temporary folder goes with the database


@pytest.mark.parametrize("path", WITH_SCHOOLS, ids=lambda p: p.name)
def test_standards_read_only_what_their_criteria_need_and_judge_as_every_figure_would(path):
    from nianbao.compute.aggregate import observations_for
    from nianbao.compute.facts import FactBook
    from nianbao.compute.standards import evaluate, evaluate_school, load_standards

    table = load_dataset(path)
    got = evaluate(table, engine="python")
    ref = load_dataset(path, by_rows=True)
    stds = load_standards(ref)
    year = ref.report_year
    schools = {o.code: o for o in ref.orgs.schools()}
    want = []
    for r in got:  # each school judged again on a FactBook of every one of its figures
        book = FactBook(ref.catalogue, r.org_unit, observations_for(ref, r.org_unit), ref.periods)
        want.append(evaluate_school(ref, r.standard, stds[r.standard], schools[r.org_unit], year, book))

    def verdicts(results):
        return [(r.standard, r.org_unit, r.applicable, [(v.criterion, v.value, v.met, v.text, v.fact_key, v.scope)
                                                        for v in r.verdicts]) for r in results]

    assert verdicts(got) == verdicts(want)
    assert verdicts(evaluate(table, engine="duckdb")) == verdicts(want)  # all schools at once on the engine
    assert any(v.value is not None for r in got for v in r.verdicts)  # figures were judged
