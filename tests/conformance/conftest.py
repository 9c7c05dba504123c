"""Engines for the conformance suite: each SQL engine as a fixture parameter, its figures of a
dataset computed once per session. Spark tests skip cleanly without pyspark, PostgreSQL tests
without a server; both carry their marker (``-m "not spark"`` leaves Spark out)."""

import os

import pytest

from nianbao.compute import sql_engine
from nianbao.ingest.dataset import load_dataset

SQL_ENGINES = ("duckdb", "sqlite", "postgres", "spark")
PG_URL = os.environ.get("NIANBAO_TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test")
DATASETS = ("examples/datong-2020", "examples/datong-2020-schools")


def engine_url(engine: str) -> str | None:
    """The URL a test connects with; skips (with the reason) where the engine cannot run here."""
    if engine == "spark":
        pytest.importorskip("pyspark", reason="pyspark is not installed (pip install -e '.[spark]')")
        return "local[2]"
    if engine == "postgres":
        psycopg = pytest.importorskip("psycopg", reason="psycopg is not installed (pip install -e '.[test]')")
        try:
            psycopg.connect(PG_URL, connect_timeout=3).close()
        except psycopg.Error as exc:
            pytest.skip(f"no PostgreSQL server at {PG_URL}: {exc}")
        return PG_URL
    return None


def pytest_collection_modifyitems(items):
    for item in items:
        engine = getattr(item, "callspec", None) and item.callspec.params.get("engine")
        if engine in ("spark", "postgres"):
            item.add_marker(getattr(pytest.mark, engine))


_datasets: dict = {}


def dataset(path: str):
    if path not in _datasets:
        _datasets[path] = load_dataset(path)
    return _datasets[path]


_figures: dict = {}


@pytest.fixture(scope="session")
def figures_of():
    """figures_of(engine, path): every figure of a dataset on one engine, computed once."""
    def get(engine: str, path: str):
        url = engine_url(engine)
        if (engine, path) not in _figures:
            _figures[(engine, path)] = sql_engine.SqlFigures(dataset(path), engine, url)
        return _figures[(engine, path)]
    yield get
    _figures.clear()
