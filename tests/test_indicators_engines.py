"""``nianbao indicators --engine``: every engine prints the same table; the dataset's engine
(``engine:`` in dataset.yaml) gives the report's facts."""

import shutil

import pytest

from nianbao.cli.main import main
from nianbao.compute.aggregate import factbook_for
from nianbao.ingest.dataset import load_dataset
from tests.conformance.conftest import engine_url

SCHOOLS = "examples/datong-2020-schools"


def run(capsys, *args):
    assert main(["indicators", SCHOOLS, *args]) == 0
    return capsys.readouterr().out


@pytest.mark.parametrize("engine", ["duckdb", "sqlite", "postgres", "spark"])
def test_every_engine_prints_the_same_csv(capsys, engine):
    url = engine_url(engine)
    python = run(capsys, "--level", "county", "--format", "csv")
    where = "--master" if engine == "spark" else "--database"  # Spark's master URL by its own name
    other = run(capsys, "--level", "county", "--format", "csv", "--engine", engine,
                *([where, url] if url else []))
    assert other == python
    assert "floor_area_per_student" in python and len(python.splitlines()) > 500


def test_breakdowns_on_duckdb_equal_python(capsys):
    for by in ("affiliation", "major_category"):
        assert run(capsys, "--by", by, "--format", "csv", "--engine", "duckdb") == run(
            capsys, "--by", by, "--format", "csv")


def test_unknown_database_for_an_embedded_engine_is_a_clear_error(capsys):
    assert main(["indicators", SCHOOLS, "--engine", "sqlite", "--database", "postgresql://h/db"]) == 2
    assert "sqlite" in capsys.readouterr().err
    for command in ("indicators", "check"):  # --master is --database by another name
        assert main([command, SCHOOLS, "--engine", "sqlite", "--master", "spark://h:7077"]) == 2, command
        assert "sqlite" in capsys.readouterr().err


def test_postgres_without_a_database_says_how_to_name_one(capsys, monkeypatch):
    monkeypatch.delenv("NIANBAO_DATABASE_URL", raising=False)
    assert main(["indicators", SCHOOLS, "--engine", "postgres"]) == 2
    assert "NIANBAO_DATABASE_URL" in capsys.readouterr().err


def test_the_dataset_names_the_engine_of_its_facts(tmp_path):
    folder = tmp_path / "ds"
    shutil.copytree(SCHOOLS, folder)
    meta = folder / "dataset.yaml"
    meta.write_text(meta.read_text(encoding="utf-8") + "engine: sqlite\n", encoding="utf-8")
    ds = load_dataset(folder)
    book = factbook_for(ds)
    assert book.engine == "sqlite"
    f = book.get("student_teacher_ratio", 2020)
    # 22863 students ÷ 1938 full-time teachers (seed 1.1, 1.3)
    assert (f.numerator, f.denominator) == (22863, 1938)
    school = factbook_for(ds, "0140213012")
    assert school.engine == "sqlite" and school.get("students", 2020) is not None


@pytest.mark.parametrize("engine", ["python", "duckdb", "sqlite", "postgres"])
@pytest.mark.parametrize("path,request_", [
    (SCHOOLS, {"level": "county"}), (SCHOOLS, {"by": "affiliation"}), (SCHOOLS, {"by": "major_category"}),
    (SCHOOLS, {"level": "city", "indicators": "schools,students,student_teacher_ratio"}),
    ("tests/fixtures/anylevel", {"by": "county"}), ("tests/fixtures/anylevel", {"level": "county"})])
def test_the_number_of_schools_is_the_number_listed(engine, path, request_):
    """Without the lists (the table the command prints) each row counts the schools the lists
    of the same row name: counted on the engine from each school's set of figures."""
    from nianbao.app.indicators import Request, indicator_rows

    url = engine_url(engine) if engine != "python" else None
    ds = load_dataset(path)
    listed = indicator_rows(ds, Request(engine=engine, url=url, **request_))
    counted = indicator_rows(ds, Request(engine=engine, url=url, members=False, **request_))
    assert [(r["org_unit"], r["category"], r["indicator"], r["schools"]) for r in counted] == [
        (r["org_unit"], r["category"], r["indicator"], len(r["members"])) for r in listed]
    assert all(r["members"] is None for r in counted)
    assert any(r["schools"] > 1 for r in listed) or path != SCHOOLS  # the examples' schools: rows of many


@pytest.mark.parametrize("path", [SCHOOLS, "tests/fixtures/anylevel"])
@pytest.mark.parametrize("engine", ["duckdb", "sqlite", "postgres"])
def test_by_county_every_engine_prints_the_python_table(capsys, engine, path):
    # --by county groups the schools by the county the registry puts them in (no dimension of the
    # catalogue): the SQL engines printed no row of it (Datong) or only the counties' own tables
    # (anylevel: 18 of 40 rows, no 甲区 whose figures are all its schools', no 直属学校)
    url = engine_url(engine)
    args = ["indicators", path, "--by", "county", "--format", "csv"]
    assert main(args) == 0
    python = capsys.readouterr().out
    assert main([*args, "--engine", engine, *(["--database", url] if url else [])]) == 0
    assert capsys.readouterr().out == python
    assert len(python.splitlines()) > 30
    assert ("直属学校" in python) == ("anylevel" in path)  # 市直一校 is right below the city


@pytest.mark.parametrize("path", [SCHOOLS, "examples/shanxi-2024", "tests/fixtures/anylevel"])
def test_the_units_with_figures_are_asked_of_the_table_without_objects(path):
    # --by county lists the counties that gave figures themselves: asked of the table of figures,
    # the same units the observations are of, and no observation made for it
    from nianbao.app.indicators import _units_with_figures

    ds = load_dataset(path)
    units = _units_with_figures(ds)
    assert ds.__dict__.get("_observations") is None  # the table was asked, no object made
    assert units == {o.org_unit for o in ds.observations} and len(units) > 1
