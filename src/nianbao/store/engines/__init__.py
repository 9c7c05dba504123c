"""SQL engines (计算引擎), found by name: ``duckdb`` (embedded, the default SQL engine),
``sqlite`` (Python's standard library), ``postgres`` (a server, e.g. the web portal's) and
``spark`` (local mode, or a cluster by its master URL).

Each engine is one module of this package that registers a :class:`Connection` class under its
name; ``connect(name, url)`` opens one. A connection only moves tables in and rows out — it loads
a table, makes a table from a query, runs a query. The SQL it runs is generated above this floor
(``nianbao.compute.sql``); every difference between the engines' SQL is declared in
:mod:`nianbao.store.engines.dialects`, and only there.

The Python evaluator (``python``) is no SQL engine: ``nianbao.compute.engines`` lists it beside
these under the same names.
"""

from __future__ import annotations

import importlib
from typing import Iterable, Sequence

from nianbao.core.errors import NianbaoError
from nianbao.store.engines.dialects import DIALECTS, Dialect

# engine name → module of this package that registers it (imported when first used, so that a
# machine without pyspark or psycopg can use the others)
MODULES = {"duckdb": "duckdb", "sqlite": "sqlite", "postgres": "postgres", "spark": "spark"}
_REGISTRY: dict[str, type["Connection"]] = {}

Column = tuple[str, str]  # (name, type): type one of text, int, float


class EngineError(NianbaoError):
    """An engine that cannot be used here: its driver is not installed, its server does not
    answer, or it is not known. The message says what to install or configure."""

    def __init__(self, message_zh: str, message_en: str, hint: str = ""):
        super().__init__(f"{message_zh} / {message_en}")
        self.message_zh, self.message_en, self.hint = message_zh, message_en, hint


class Connection:
    """One open connection to an engine. Subclasses set ``name`` and implement the methods."""

    name = ""

    def __init__(self, url: str | None = None):
        self.url = url
        self.dialect: Dialect = DIALECTS[self.name]

    def file_only(self) -> None:
        """An embedded engine takes a file path (or nothing: memory), not a server URL."""
        if self.url and "://" in self.url:
            raise EngineError(f"{self.name} 是嵌入式引擎，--database 只能是文件路径：{self.url}",
                              f"{self.name} is embedded: --database must be a file path, not {self.url}",
                              "去掉 --database，或改用 --engine postgres / spark")

    def load(self, table: str, columns: Sequence[Column], rows: Iterable[tuple]) -> None:
        """Create ``table`` (replacing one of that name) and fill it with ``rows``."""
        raise NotImplementedError

    def load_columns(self, table: str, columns: Sequence[Column], data: dict[str, list]) -> None:
        """Create ``table`` from whole columns: ``data`` maps each column name to a list of
        values (the same length each). Engines that can take columns in bulk override it."""
        self.load(table, columns, zip(*(data[name] for name, _ in columns)) if data else [])

    def materialize(self, table: str, select: str) -> None:
        """Make ``table`` from a query, computed once (later queries read it)."""
        self.run(self.dialect.create_as(table, select))

    def query(self, sql: str) -> list[tuple]:
        """Run a query and return every row, as tuples of Python values."""
        raise NotImplementedError

    def run(self, sql: str) -> None:
        """Run a statement that returns no rows."""
        self.query(sql)

    def close(self) -> None:
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def register(cls: type[Connection]) -> type[Connection]:
    """Class decorator: make a connection class available under its ``name``."""
    _REGISTRY[cls.name] = cls
    return cls


def names() -> tuple[str, ...]:
    return tuple(MODULES)


def connect(name: str, url: str | None = None) -> Connection:
    """Open a connection to the engine ``name``; ``url`` is its database or master URL where it
    has one (PostgreSQL: ``postgresql://…``; Spark: ``local[2]`` or ``spark://host:7077``)."""
    if name not in MODULES:
        raise EngineError(f"没有名为“{name}”的计算引擎", f"no engine named '{name}'",
                          f"可用 / available: {', '.join(('python',) + names())}")
    if name not in _REGISTRY:
        importlib.import_module(f"{__name__}.{MODULES[name]}")
    return _REGISTRY[name](url)


def beside(database) -> Connection:
    """A DuckDB connection to the in-memory database ``database`` (a ``store.db.DuckDBDatabase``
    holding a dataset's figures, ``ingest.figures``): its tables are read there, without a copy;
    what the connection makes goes into a schema of its own, dropped when it is closed."""
    from nianbao.store.engines.duckdb import DuckDBConnection

    return DuckDBConnection(database=database)
