"""The SQL of the indicators and of the roll-up: one query per indicator, snapshot-tested (a
change of the generated SQL shows in review as a diff of tests/__snapshots__), and the scope rule
the SQL applies is the one the Python facts apply."""

import sqlite3

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nianbao import catalogue
from nianbao.compute import scopes
from nianbao.compute.rollup_sql import aggregates_sql, unit_observations_sql
from nianbao.compute.sql import elements_sql, indicator_sql
from nianbao.store.engines.dialects import DIALECTS

CAT = catalogue.load("cn-2016")
DERIVED = [c for c, ind in CAT.indicators.items() if ind.derived]


@pytest.mark.parametrize("code", DERIVED)
def test_indicator_sql_snapshot(code, snapshot):
    assert indicator_sql(CAT, code) == snapshot


@pytest.mark.parametrize("dialect", sorted(DIALECTS))
def test_rollup_sql_snapshot(dialect, snapshot):
    assert aggregates_sql(CAT, DIALECTS[dialect]) == snapshot


def test_elements_and_unit_sql_snapshot(snapshot):
    assert (elements_sql("unit_keyed"), unit_observations_sql()) == snapshot


def test_floor_area_takes_the_scope_both_inputs_have():
    """Floor area reported without technical schools, students with and without them: the ratio
    divides like by like (the bug of the element-by-element SQL divided by all students)."""
    con = sqlite3.connect(":memory:")
    con.execute("CREATE TABLE observations (org_unit TEXT, element TEXT, dims TEXT, period INTEGER, scope TEXT,"
                " value REAL)")
    # 852215 m² over 17578 students without technical schools; 22863 students with them
    con.executemany("INSERT INTO observations VALUES ('140200', ?, '', 2020, ?, ?)", [
        ("floor_area", "excl_technical", 852215), ("students", "excl_technical", 17578),
        ("students", "all", 22863)])
    (row,) = con.execute(indicator_sql(CAT, "floor_area_per_student")).fetchall()
    # 852215 / 17578 = 48.4819 (not 852215 / 22863 = 37.2749)
    assert row[3] == "excl_technical" and row[4:6] == (852215, 17578)
    assert round(row[6], 4) == 48.4819


SCOPES = st.sets(st.sampled_from(scopes.SCOPE_ORDER))


@settings(max_examples=200, deadline=None)
@given(available=st.lists(SCOPES, min_size=1, max_size=3), first=st.sampled_from((None,) + scopes.SCOPE_ORDER))
def test_sql_scope_rule_is_the_python_rule(available, first):
    """For any pattern of available scopes, the SQL CASE expressions take the scopes
    scopes.choose takes: one definition, two renderings."""
    cols = [{s: f"c{i}_{s}" for s in scopes.SCOPE_ORDER} for i in range(len(available))]
    values = [f"{(i + 1) * 10 + k if s in a else 'NULL'}" for i, a in enumerate(available)
              for k, s in enumerate(scopes.SCOPE_ORDER)]
    names = [c[s] for c in cols for s in scopes.SCOPE_ORDER]
    base = "SELECT " + ", ".join(f"{v} AS {n}" for v, n in zip(values, names))
    common = scopes.sql_common(cols, first)
    picks = ", ".join(f"{scopes.sql_scope(c, 'common', first)}" for c in cols)
    sql = f"SELECT common, {picks} FROM (SELECT b.*, {common} AS common FROM ({base}) b) t"
    row = sqlite3.connect(":memory:").execute(sql).fetchone()
    choice = scopes.choose(available, first)
    assert row[0] == choice.common
    assert tuple(row[1:]) == choice.scopes


def test_the_unit_slots_give_each_unit_one_slot_and_each_school_distinct_ones():
    """The schools table keeps a school's units in slots (one GROUPING SETS pass sums them): a
    school whose county lies in another city than its parent has two cities, so the cities
    cannot share one slot; a parent not in the registry (the country) gets a slot too."""
    from nianbao.compute.tables import unit_slots
    from nianbao.core.orgs import Org, Registry

    reg = Registry([Org("140000", "省", "", "province", "100000"),
                    Org("140100", "甲市", "", "city", "140000"), Org("140200", "乙市", "", "city", "140000"),
                    Org("140101", "甲区", "", "county", "140100"), Org("140201", "乙区", "", "county", "140200"),
                    Org("1", "一校", "", "school", "140101"), Org("2", "二校", "", "school", "140201"),
                    Org("3", "三校", "", "school", "140200", county="140101")])
    schools = [reg.get(c) for c in ("1", "2", "3")]
    # 三校: 甲区, 甲市 (its county's), 省, 100000, 乙市 (its parent's)
    assert reg.units_of("3") == ("140101", "140100", "140000", "100000", "140200")
    n, slot = unit_slots(reg, schools)
    assert set(slot) == {"140000", "140100", "140200", "140101", "140201", "100000"}
    for s in schools:
        assert len({slot[u] for u in reg.units_of(s.code)}) == len(reg.units_of(s.code))
    assert slot["140100"] != slot["140200"] and n == 5
    # without 三校 the levels are the slots: province, city, county, the country
    n, slot = unit_slots(reg, schools[:2])
    assert n == 4 and slot["140100"] == slot["140200"] and slot["140101"] == slot["140201"]
