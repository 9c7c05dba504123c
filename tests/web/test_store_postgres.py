"""The store on PostgreSQL behaves as on DuckDB (same tables, same replacing by school-year, same
reading), and a dataset naming its database gives the same report as the embedded store."""

import shutil

import pytest
from helpers import temporary_database
from servers import EXAMPLE

from nianbao.store import Major, Row, Store, Submission, locate

pytestmark = pytest.mark.postgres


def _submission(values, year=2020, sha="a" * 64, school="0140213012", majors=()):
    return Submission(org_unit=school, period=year, file="学校.xlsx", sha256=sha, template="cn-2016/1",
                      rows=[Row(element=k, dims="", period=year, scope="all", value=float(v), source="学校填报表",
                                origin=f"学校.xlsx 办学规模!F{4 + i}") for i, (k, v) in enumerate(values.items())],
                      majors=list(majors))


@pytest.fixture(scope="module")
def pg():
    with temporary_database("nianbao_store") as url:
        yield url


def test_the_same_tables_and_writes_on_both_backends(tmp_path, pg):
    outcomes = {}
    for name, where in (("duckdb", tmp_path / "nianbao.duckdb"), ("postgresql", pg)):
        with Store(where) as store:
            assert store.backend == name
            first = store.save(_submission({"students": 1938, "graduates": 520},
                                           majors=[Major(1, "660301", "机电技术应用", "06", 120.0, 40.0, True)]))
            again = store.save(_submission({"students": 1938, "graduates": 520}, sha="b" * 64,
                                           majors=[Major(1, "660301", "机电技术应用", "06", 120.0, 40.0, True)]))
            third = store.save(_submission({"students": 1940, "entrants": 700}))
            rows = [(org, r.element, r.value) for org, r in store.observations()]
            one = store.observations("0140213012", 2020)
            imports = [r[6] for r in store.rows("imports")]
            majors = store.majors("0140213012", 2020)
        outcomes[name] = (first.status, again.status, (third.added, third.changed, third.removed), rows, len(one),
                          sorted(imports), majors)
    assert outcomes["duckdb"] == outcomes["postgresql"]
    # 1938 → 1940 changed, entrants added, graduates removed; the majors list dropped by the third
    assert outcomes["postgresql"][:3] == ("stored", "unchanged", (1, 1, 1))
    assert outcomes["postgresql"][6] == []


def test_a_failed_write_changes_nothing_on_postgresql(pg):
    with Store(pg) as store:
        store.save(_submission({"students": 1938}, school="0140213011"))
        before = store.observations("0140213011")
        bad = _submission({"students": 1}, school="0140213011")
        bad.rows.append(bad.rows[0])  # the same key twice: the primary key refuses the insert
        with pytest.raises(Exception):
            store.save(bad)
        assert store.observations("0140213011") == before


def test_a_dataset_naming_its_database_reads_the_servers_figures_and_reports_the_same(tmp_path, monkeypatch):
    with temporary_database("nianbao_report") as pg:
        _same_report(tmp_path, pg, monkeypatch)


def _same_report(tmp_path, pg, monkeypatch):
    from nianbao.app.reporting import build_report
    from nianbao.ingest.dataset import load_dataset

    monkeypatch.delenv("NIANBAO_DATABASE", raising=False)
    embedded, server = tmp_path / "embedded", tmp_path / "server"
    for d in (embedded, server):
        shutil.copytree(EXAMPLE, d, ignore=shutil.ignore_patterns("nianbao.duckdb", "portal"))
    meta = server / "dataset.yaml"
    meta.write_text(meta.read_text(encoding="utf-8") + f"database: {pg}\n", encoding="utf-8")
    assert locate(server) == pg and locate(embedded) == embedded / "nianbao.duckdb"
    # the same school workbook figures stored on each side
    sub = _submission({"students": 460, "entrants": 221, "graduates": 154}, school="0140213005")
    for where in (embedded / "nianbao.duckdb", pg):
        with Store(where) as store:
            store.save(sub)
    a, b = load_dataset(embedded), load_dataset(server)
    pick = [o for o in b.observations if o.org_unit == "0140213005" and o.element == "students" and o.period == 2020]
    assert [o.value for o in pick] == [460]
    ra = build_report(a, tmp_path / "out-a", allow_errors=True, pdf=False)
    rb = build_report(b, tmp_path / "out-b", allow_errors=True, pdf=False)
    facts_a = sorted((k, f.period, f.org_unit, round(f.value, 9)) for k, f in ra.document.facts.items())
    facts_b = sorted((k, f.period, f.org_unit, round(f.value, 9)) for k, f in rb.document.facts.items())
    assert facts_a == facts_b and len(facts_a) > 100
    # the environment variable names a server for any dataset (nianbao report on the server's data)
    monkeypatch.setenv("NIANBAO_DATABASE", pg)
    assert locate(embedded) == pg
