"""The engines that compute a dataset's figures, by name (计算引擎):

    python    the reference evaluator: ``compute.aggregate`` sums the schools in Python and
              ``compute.facts.FactBook`` evaluates the formulas
    duckdb    embedded DuckDB (default) ┐
    sqlite    SQLite (standard library) │ the same generated SQL (``compute.sql``,
    postgres  a PostgreSQL server       │ ``compute.rollup_sql``) on each SQL engine of
    spark     Spark SQL, local or a cluster ┘ ``nianbao.store.engines``

Every engine gives the same facts; the conformance suite (tests/conformance) runs every
indicator and data element of the catalogue on every example dataset on each of them and
compares. A dataset names its engine in dataset.yaml (``engine: duckdb``); a command may name
another (``nianbao indicators … --engine spark``). Unnamed, the indicator table, the standards
and the 达标 plan are computed on DuckDB, and only the figures they print (``open_figures``); a
report's facts — of its unit (``factbook``), or of a school and the schools it is ranked among
(``factbooks``) — come from the Python roll-up the check made (``facts_engine``, ``IN_PROCESS``).
"""

from __future__ import annotations

from contextlib import contextmanager

from nianbao.compute import aggregate, sql_engine
from nianbao.compute.facts import FactBook
from nianbao.compute.sql import refs_of
from nianbao.compute.tables import data_stamp
from nianbao.core.observations import parse_dims
from nianbao.store import engines as store_engines
from nianbao.store.engines import EngineError

PYTHON = "python"
DEFAULT = "duckdb"
NAMES = (PYTHON,) + store_engines.names()
DESCRIPTIONS = {
    "python": ("Python 参考实现", "the Python reference evaluator"),
    "duckdb": ("DuckDB 嵌入式数据库（默认）", "embedded DuckDB (default)"),
    "sqlite": ("SQLite（Python 标准库）", "SQLite (Python's standard library)"),
    "postgres": ("PostgreSQL 服务器（--database 或 NIANBAO_DATABASE_URL）",
                 "a PostgreSQL server (--database or NIANBAO_DATABASE_URL)"),
    "spark": ("Spark SQL，本机 local 模式或集群（--database spark://…）",
              "Spark SQL, local mode or a cluster (--database spark://…)"),
}


# The engines that run in this process. On them the sums of the schools that the check's findings
# and a report's facts need are made by the Python roll-up (numpy): on one machine it was faster
# and lighter than the same sums in SQL at every size measured (README, bench_growth.py). On a
# server or a cluster (postgres, spark) they are summed there (``aggregation_sql``, SqlFigures).
IN_PROCESS = (PYTHON, "duckdb", "sqlite")


def summing_engine(name: str | None) -> str:
    """The engine that sums the schools for the check on engine ``name``: the Python roll-up on
    the engines in this process (and where none is named), else ``name`` itself."""
    return PYTHON if name is None or name in IN_PROCESS else name


def facts_engine(dataset, engine: str | None = None) -> str:
    """The engine a report's facts come from: the one named, else dataset.yaml's, else the
    Python evaluator — the roll-up the check of the same build made already."""
    return check_name(engine or dataset.meta.get("engine") or PYTHON)


def check_name(name: str) -> str:
    if name not in NAMES:
        raise EngineError(f"没有名为“{name}”的计算引擎", f"no engine named '{name}'",
                          f"可用 / available: {', '.join(NAMES)}")
    return name


def engine_of(dataset, name: str | None = None) -> str:
    """The engine a command uses: the one it names, else the dataset's (``engine:`` in
    dataset.yaml), else the default."""
    return check_name(name or dataset.meta.get("engine") or DEFAULT)


def factbook(dataset, org: str | None = None, engine: str | None = None, url: str | None = None,
             group: tuple[str, str] | None = None) -> FactBook:
    """The facts of one unit (default: the dataset's own) — or, given ``group`` (dim, category),
    of the schools of one breakdown category of it — computed by ``engine``."""
    org = org or dataset.org_unit.code
    name = engine_of(dataset, engine)
    if name == PYTHON:
        if group is None:
            return FactBook(dataset.catalogue, org, aggregate.observations_for(dataset, org), dataset.periods)
        obs = aggregate.rollup(dataset).group_observations(org, *group)
        return FactBook(dataset.catalogue, org, obs, dataset.periods)
    if group is None:  # the unit's figures alone
        return sql_engine.figures(dataset, name, url, units=[org]).factbook(org)
    return sql_engine.figures(dataset, name, url).factbook(org, f"{group[0]}={group[1]}")


def unit_observations(dataset, org: str, engine: str, url: str | None = None) -> list:
    """The observations of one unit as its facts read them — its own figures and the sums of its
    schools — made by ``engine`` (``PYTHON``: the Python roll-up; else on that SQL engine, for
    that unit alone)."""
    if check_name(engine) == PYTHON:
        return aggregate.observations_for(dataset, org)
    return sql_engine.figures(dataset, engine, url, units=[org]).observations_of(org)


def factbooks(dataset, units, engine: str | None = None, url: str | None = None) -> dict[str, FactBook]:
    """The facts of each of ``units`` (org codes), computed by ``engine`` — on an SQL engine all
    of them at once, the other units left out — and kept on the dataset (``books_of`` reads
    them there: the reports of a city's schools rank each among the same books)."""
    name = facts_engine(dataset, engine)
    cache = _books(dataset, name, url)
    missing = [u for u in dict.fromkeys(units) if u not in cache]
    if missing and name == PYTHON:
        cache.update({u: FactBook(dataset.catalogue, u, aggregate.observations_for(dataset, u), dataset.periods)
                      for u in missing})
    elif missing:
        figures = sql_engine.figures(dataset, name, url, units=missing)
        cache.update({u: figures.factbook(u) for u in missing})
    return {u: cache[u] for u in units}


def _books(dataset, name: str, url: str | None) -> dict[str, FactBook]:
    """The FactBooks ``factbooks`` made of ``dataset`` on one engine (forgotten when its figures
    or registry are replaced)."""
    stamp = data_stamp(dataset)
    kept = dataset.__dict__.setdefault("_nianbao_books", {})
    if (name, url) not in kept or kept[(name, url)][0] != stamp:
        kept[(name, url)] = (stamp, {})
    return kept[(name, url)][1]


@contextmanager
def books_of(dataset, units, wanted, engine: str | None = None, url: str | None = None):
    """``book(code)`` → the FactBook of each of ``units``: those ``factbooks`` made already
    (all of them, by any engine: they agree), else computed now by ``engine``, at once and
    only the figures ``wanted`` are computed from (``open_figures``), let go after the block."""
    name = engine_of(dataset, engine)
    for kept in dict.fromkeys((name, facts_engine(dataset, engine))):
        made = _books(dataset, kept, url)
        if all(u in made for u in units):
            yield made.__getitem__
            return
    figures = open_figures(dataset, name, url, units=units, groups=[], wanted=wanted)
    try:
        yield figures.factbook
    finally:
        figures.close()


class PythonFigures:
    """The figures of the Python evaluator behind the interface of ``sql_engine.SqlFigures``
    (factbook, included, categories, close). ``wanted`` as SqlFigures takes it: a unit's
    FactBook then holds only the figures those are computed from."""

    def __init__(self, dataset, wanted=None):
        self.dataset = dataset
        self.elements = None if wanted is None else {r.element for r in refs_of(dataset.catalogue, wanted)}

    @property
    def rollup(self):
        return aggregate.rollup(self.dataset)

    def factbook(self, org: str, group: str = "") -> FactBook:
        if not group:
            return FactBook(self.dataset.catalogue, org, aggregate.observations_for(self.dataset, org, self.elements),
                            self.dataset.periods)
        dim, category = group.split("=", 1)
        return FactBook(self.dataset.catalogue, org, self.rollup.group_observations(org, dim, category),
                        self.dataset.periods)

    def included(self, wanted) -> dict[tuple, list[str]]:
        out = {}
        for key in wanted:
            unit, group, element, dims, period, scope = key
            extra = (tuple(group.split("=", 1)),) if group else ()
            out[key] = sorted(self.rollup.included(unit, element, period, scope, parse_dims(dims) + extra))
        return out

    def counts(self, rows) -> list[int]:
        """The number of schools behind each of ``rows`` (lists of keys as :meth:`included` takes them)."""
        lists = self.included(k for keys in rows for k in keys)
        return [len({c for k in keys for c in lists[k]}) for keys in rows]

    def categories(self, org: str, dim: str) -> list[str]:
        return self.rollup.categories(org, dim)

    def close(self) -> None:
        pass


def open_figures(dataset, engine: str | None = None, url: str | None = None, units=None, groups=None,
                 wanted=None):
    """The figures of ``dataset`` by ``engine``, for a caller that knows which units (org codes),
    breakdown groups (dimensions) and figures (``wanted``: (code, dims) of indicators and data
    elements) it needs: only those are computed and fetched by an SQL engine. Close it when done."""
    name = engine_of(dataset, engine)
    if name == PYTHON:
        return PythonFigures(dataset, wanted)
    return sql_engine.SqlFigures(dataset, name, url, units=units, groups=groups, keep_open=True, wanted=wanted)
