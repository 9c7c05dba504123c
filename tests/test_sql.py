"""The SQL form of the indicators gives the same values as the facts computed in Python."""

import duckdb
import pytest

from nianbao.compute.facts import FactBook
from nianbao.compute.sql import indicator_sql, rollup_sql
from nianbao.ingest.dataset import load_dataset

CODES = ["gv_ratio", "dual_teacher_ratio", "student_teacher_ratio", "senior_title_share",
         "employment_rate", "direct_employment_share", "floor_area_per_student", "equipment_per_student"]


@pytest.fixture(scope="module")
def datong():
    ds = load_dataset("examples/datong-2020")
    con = duckdb.connect()
    con.execute("CREATE TABLE observations (org_unit TEXT, element TEXT, dims TEXT, period INTEGER,"
                " scope TEXT, value DOUBLE)")
    con.executemany("INSERT INTO observations VALUES (?, ?, ?, ?, ?, ?)",
                    [(o.org_unit, o.element, ",".join(f"{d}={c}" for d, c in o.dims), o.period, o.scope, o.value)
                     for o in ds.observations])
    return ds, con


@pytest.mark.parametrize("code", CODES)
def test_sql_matches_factbook(datong, code):
    ds, con = datong
    book = FactBook(ds.catalogue, ds.org_unit.code, ds.observations, ds.periods)
    rows = con.execute(indicator_sql(ds.catalogue, code)).fetchall()
    got = {period: value for _, period, _, _, value, _ in rows}
    want = {p: f.value for p in ds.periods if (f := book.get(code, p)) is not None}
    assert got.keys() == want.keys()
    for p in want:
        assert got[p] == pytest.approx(want[p], rel=1e-12)


def test_sql_dual_teacher_ratio_by_hand(datong):
    ds, con = datong
    # 1.3: 499 / 1938 × 100 = 25.748%
    (row,) = con.execute(indicator_sql(ds.catalogue, "dual_teacher_ratio")).fetchall()
    assert row[2:4] == (499, 1938) and round(row[4], 3) == 25.748


def test_rollup_then_ratio_is_ratio_of_sums():
    con = duckdb.connect()
    con.execute("CREATE TABLE obs (org_unit TEXT, element TEXT, dims TEXT, period INTEGER, scope TEXT, value DOUBLE)")
    con.execute("CREATE TABLE org_links (child TEXT, ancestor TEXT)")
    # two schools: 100 students / 10 teachers and 900 students / 30 teachers
    con.executemany("INSERT INTO obs VALUES (?, ?, '', 2020, 'all', ?)", [
        ("0000000001", "students", 100), ("0000000001", "fulltime_teachers", 10),
        ("0000000002", "students", 900), ("0000000002", "fulltime_teachers", 30)])
    con.executemany("INSERT INTO org_links VALUES (?, ?)", [("0000000001", "140200"), ("0000000002", "140200")])
    con.execute(f"CREATE TABLE observations AS {rollup_sql('obs')}")
    from nianbao import catalogue
    (row,) = con.execute(indicator_sql(catalogue.load("cn-2016"), "student_teacher_ratio")).fetchall()
    # (100 + 900) / (10 + 30) = 25, not the mean of 10 and 30 (= 20)
    assert row[0] == "140200" and row[4] == 25


@pytest.mark.parametrize("code", CODES)
def test_same_sql_runs_on_a_second_engine(datong, code):
    """The generated SQL is plain standard SQL: SQLite (in the standard library) runs it unchanged
    and agrees with DuckDB, as a distributed SQL engine would."""
    import sqlite3

    ds, con = datong
    lite = sqlite3.connect(":memory:")
    lite.execute("CREATE TABLE observations (org_unit TEXT, element TEXT, dims TEXT, period INTEGER,"
                 " scope TEXT, value REAL)")
    lite.executemany("INSERT INTO observations VALUES (?, ?, ?, ?, ?, ?)",
                     con.execute("SELECT * FROM observations").fetchall())
    sql = indicator_sql(ds.catalogue, code)
    got = [(r[1], r[4]) for r in lite.execute(sql).fetchall()]
    want = [(r[1], r[4]) for r in con.execute(sql).fetchall()]
    assert [p for p, _ in got] == [p for p, _ in want]
    assert [v for _, v in got] == pytest.approx([v for _, v in want], rel=1e-12)
