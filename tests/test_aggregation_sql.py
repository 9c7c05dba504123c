"""The findings of aggregation found on an SQL engine (``compute.aggregation_sql``) are those of
the Python roll-up (``compute.aggregate.Rollup``, the reference): sums some members did not
report to (aggregate.incomplete), members of a blank or unknown type (aggregate.registry_unknown)
and the registry's own findings — on a case worked out by hand, on every example where no unit
above the schools gave figures, and on copies of those with rows dropped, types blanked and
schools opened or closed. A check on a server (PostgreSQL) then makes no Python roll-up at all."""

from __future__ import annotations

import csv
import random
import shutil
from pathlib import Path

import pytest

from nianbao.check.engine import check_dataset
from nianbao.compute import aggregate, aggregation_sql
from nianbao.core.findings import sort_key
from nianbao.ingest.dataset import load_dataset
from tests.conformance.conftest import engine_url
from tests.test_rollup_table import CITY, ORGS, A, B, folder

ROOT = Path(__file__).resolve().parents[1]
NO_AREAS = [p for p in sorted((ROOT / "examples").iterdir()) if (p / "orgs.csv").exists()
            and not aggregation_sql.has_area_figures(load_dataset(p))]
S1, S2, S3, S4 = (o["code"] for o in ORGS if o["level"] == "school")
S5 = "0140213005"
# S5: a school of blank type in A (not counted as a school, summed as a member)
HAND_ORGS = ORGS + [{"code": S5, "zh": "示例五校", "level": "school", "parent": A, "county": A, "school_type": ""}]
HAND = [  # S2 is technical; S4 gives no students, S3 and S5 no teachers
    (S1, "students", "", 2020, "all", 400), (S2, "students", "", 2020, "all", 1000),
    (S3, "students", "", 2020, "all", 300), (S5, "students", "", 2020, "all", 50),
    (S1, "fulltime_teachers", "", 2020, "all", 40), (S4, "fulltime_teachers", "", 2020, "all", 30),
]


def key(f):
    return (f.code, f.org_unit, f.period, f.location, f.message_zh, f.message_en, repr(sorted(f.values.items())))


def python_findings(path) -> list:
    return sorted(aggregate.rollup(load_dataset(path)).findings, key=sort_key)


def sql_findings(path, engine="duckdb", url=None) -> list:
    return sorted(aggregation_sql.findings(load_dataset(path), engine, url), key=sort_key)


@pytest.mark.parametrize("engine", ["duckdb", "sqlite", "postgres"])
def test_the_sums_some_schools_did_not_report_to_as_worked_out_by_hand(tmp_path, engine):
    path = folder(tmp_path, HAND, HAND_ORGS)
    got = sql_findings(path, engine, engine_url(engine))
    incomplete = {(f.org_unit, f.values["element"], f.location.section, f.values["reported"], f.values["members"],
                   tuple(f.values["missing"])) for f in got if f.code == "aggregate.incomplete"}
    all_, excl = "全口径（含技工学校）", "不含技工学校"  # the sections the findings name: the scopes' labels
    city = {
        # the city: 5 members, 4 without the technical S2; S4 gives no students
        ("students", excl, 3, 4, (S4,)),   # S1 + S3 + S5 of S1, S3, S4, S5
        ("students", all_, 4, 5, (S4,)),   # with S2 (technical: the figure in both scopes)
        # teachers: S1 and S4 only; the sum without S2 misses S3 and S5, in the registry's order (by code)
        ("fulltime_teachers", excl, 2, 4, (S5, S3)),
    }
    assert incomplete == {(CITY,) + s for s in city} | {("140000",) + s for s in city} | {  # the city's province too
        (B, "students", all_, 1, 2, (S4,)),      # B: S3 of S3, S4, no technical school
        (A, "fulltime_teachers", excl, 1, 2, (S5,)),  # A: S1 of S1, S5 (S2 technical, reported nothing)
        (B, "fulltime_teachers", all_, 1, 2, (S3,)),
    }
    unknown = [(f.period, f.values["total"], f.values["unknown"], f.values["schools"], f.values["codes"])
               for f in got if f.code == "aggregate.registry_unknown"]
    # every year of the dataset: 5 members, S5 of unknown type, 4 counted as schools
    assert unknown == [(2019, 5, 1, 4, [S5]), (2020, 5, 1, 4, [S5])]
    assert [key(f) for f in got] == [key(f) for f in python_findings(path)]


@pytest.mark.parametrize("path", NO_AREAS, ids=lambda p: p.name)
def test_every_example_without_figures_of_areas_gives_the_python_findings(path):
    assert [key(f) for f in sql_findings(path)] == [key(f) for f in python_findings(path)]


def perturbed(src: Path, dest: Path, seed: int) -> Path:
    """A copy of ``src`` with a share of its rows dropped, some rows in another scope, some
    schools of blank, unknown, technical or attached type, opened or closed in its years."""
    rng = random.Random(seed)
    shutil.copytree(src, dest)
    rows = list(csv.DictReader((dest / "values.csv").open(encoding="utf-8")))
    drop = rng.choice([0.02, 0.1, 0.3])
    kept = [r for r in rows if rng.random() > drop]
    for r in kept:
        if rng.random() < 0.03:
            r["scope"] = rng.choice(["excl_technical", "unstated", "all"])
    with (dest / "values.csv").open("w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(kept)
    orgs = list(csv.DictReader((dest / "orgs.csv").open(encoding="utf-8")))
    for o in orgs:
        if o["level"] != "school":
            continue
        x = rng.random()
        o["school_type"] = "" if x < 0.08 else "nonsense" if x < 0.12 else "technical" if x < 0.25 \
            else "attached_class" if x < 0.3 else o["school_type"]
        if rng.random() < 0.05:
            o["founded"] = str(rng.choice([2022, 2023, 2024]))
        if rng.random() < 0.05:
            o["closed"], o["status"] = str(rng.choice([2022, 2023, 2024])), "closed"
    with (dest / "orgs.csv").open("w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(orgs[0]))
        w.writeheader()
        w.writerows(orgs)
    return dest


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("path", NO_AREAS, ids=lambda p: p.name)
def test_copies_with_gaps_give_the_python_findings(tmp_path, path, seed):
    copy = perturbed(path, tmp_path / "copy", seed)
    want = python_findings(copy)
    assert sum(f.code == "aggregate.incomplete" for f in want) > 10  # gaps were made
    assert [key(f) for f in sql_findings(copy)] == [key(f) for f in want]


@pytest.mark.postgres
@pytest.mark.parametrize("path", NO_AREAS, ids=lambda p: p.name)
def test_a_check_on_a_server_sums_there_and_finds_what_python_finds(tmp_path, path):
    """On PostgreSQL the rules, the findings of aggregation and the summed rates out of range
    are found on the server: no Python roll-up is made, and the findings are the reference's
    (rates out of range among them: the copy's numerators and denominators summed over other
    schools)."""
    url = engine_url("postgres")
    copy = perturbed(path, tmp_path / "copy", 2)
    ds = load_dataset(copy)
    got = check_dataset(ds, engine="postgres", url=url)
    assert "_nianbao_rollup" not in ds.__dict__
    ref = check_dataset(load_dataset(copy), engine="python")
    assert [key(f) for f in got] == [key(f) for f in ref]
    assert {"aggregate.incomplete", "range.summed_rate"} <= {f.code for f in got}


def test_a_check_in_this_process_sums_in_python(tmp_path):
    """On DuckDB (the default) the schools' sums of the check are the Python roll-up's: on one
    machine it is faster and lighter than the same sums in SQL (README)."""
    ds = load_dataset(folder(tmp_path, HAND, HAND_ORGS))
    check_dataset(ds)
    assert "_nianbao_rollup" in ds.__dict__


def test_areas_with_figures_take_the_python_rollup(tmp_path):
    """A county's own total beside its schools: the sums of areas and their reconciliation are
    the Python roll-up's, on every engine."""
    path = folder(tmp_path, HAND + [(B, "fulltime_teachers", "", 2020, "all", 35)], HAND_ORGS)
    ds = load_dataset(path)
    assert aggregation_sql.has_area_figures(ds)
    got = check_dataset(ds)
    assert "_nianbao_rollup" in ds.__dict__
    assert any(f.code.startswith("reconcile.") for f in got)


@pytest.mark.parametrize("name,school", [("datong-2024-schools", None), ("datong-2024-schools", "0140213012"),
                                         ("datong-2020-schools", None)])
def test_a_report_on_the_engine_prints_what_the_reference_prints(tmp_path, name, school):
    """The report of a city (its facts computed on DuckDB, as dataset.yaml's ``engine: duckdb``
    asks) and of a school (ranked among the city's schools, all their facts computed at once):
    the same HTML as with every figure computed by the Python evaluator (the default)."""
    from nianbao.app.reporting import build_report

    html = {}
    for engine in ("python", "duckdb"):
        ds = load_dataset(ROOT / "examples" / name)
        ds.meta["engine"] = engine
        build_report(ds, tmp_path / engine, pdf=False, allow_errors=True, appendix=True, school=school)
        html[engine] = next((tmp_path / engine).rglob("report.html")).read_text(encoding="utf-8")
        assert "duckdb" in {k[0] for k in ds.__dict__.get("_nianbao_sql_figures", {})} or engine == "python"
    assert html["duckdb"] == html["python"] and html["duckdb"].count("<td") > 100


@pytest.mark.postgres
def test_the_claims_of_a_report_are_recomputed_where_the_check_sums(tmp_path):
    """The figures a published report printed about the city of datong-2024-schools, recomputed
    on PostgreSQL from the sums made there: the findings are the reference's, and no Python
    roll-up is made. 29 166 = the students of the 35 schools' rows of 2024 in values.csv
    (477 + 408 + 1 579 + …, every row of scope all), which the report had to say is the scope
    with technical schools (the other scope leaves three out); 1 人 and 2.5万人 hold in no scope."""
    copy = tmp_path / "copy"
    shutil.copytree(ROOT / "examples" / "datong-2024-schools", copy)
    rows = [("students", "", 2024, "29166人", "一、规模"), ("students", "", 2024, "1人", "一、规模"),
            ("students", "", 2024, "2.5万人", "表1")]
    with (copy / "claims.csv").open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["target", "dims", "period", "stated", "location"])
        w.writerows(rows)
    want = sum(float(r["value"]) for r in csv.DictReader((copy / "values.csv").open(encoding="utf-8"))
               if r["element"] == "students" and not r["dims"] and r["period"] == "2024")
    assert want == 29166
    ds = load_dataset(copy)
    assert not aggregation_sql.has_area_figures(ds)
    got = check_dataset(ds, engine="postgres", url=engine_url("postgres"))
    assert "_nianbao_rollup" not in ds.__dict__
    ref = check_dataset(load_dataset(copy), engine="python")
    assert [key(f) for f in got] == [key(f) for f in ref]
    claims = sorted((f.values.get("stated"), f.code) for f in got if f.code.startswith("claim."))
    assert claims == [("1人", "claim.mismatch"), ("2.5万人", "claim.mismatch"), ("29166人", "claim.scope_unstated")]
