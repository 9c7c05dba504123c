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

import codecs
import csv
import importlib
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, Sequence

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


@dataclass
class FileScan:
    """A record file as an engine reads it (``Connection.scan_file``): ``relation`` is what a
    FROM reads — a table function over the file or the table it was loaded into —, ``header``
    the file's column names in order, ``columns`` the SQL of each name's column (text).
    ``lines()``, where the engine can number the records, gives a relation of the same columns
    with ``line`` — the line of a CSV file (header on line 1, one record a line) or the number
    of a Parquet record — and is asked for only when some record is to be listed; None: the
    caller numbers them (DuckDB: a table's rowid)."""
    relation: str
    header: list[str]
    columns: dict[str, str]
    lines: Callable[[], str] | None = None


# an empty line of a CSV file, the bytes before its line feed: DuckDB and Spark skip such lines
EMPTY_LINES = (b"", b"\r")


def csv_header(path: Path, size: int = 1 << 16, encoding: str = "utf-8") -> tuple[list[str], str]:
    """The column names of a CSV file (UTF-8, a byte-order mark dropped; or ``encoding``) and its
    delimiter — the one of , ; tab | the header line holds most of (a comma when none)."""
    with path.open("rb") as f:
        head = f.read(size)
    text = codecs.getincrementaldecoder(encoding)(errors="replace").decode(head).lstrip("\ufeff")
    first = text.split("\n", 1)[0]
    delimiter = max(",;\t|", key=first.count) if any(c in first for c in ",;\t|") else ","
    row = next(csv.reader(text.splitlines(), delimiter=delimiter), [])
    if not row:
        raise ValueError("no header line (the file is empty)")
    return row, delimiter


class Connection:
    """One open connection to an engine. Subclasses set ``name`` and implement the methods."""

    name = ""

    def __init__(self, url: str | None = None):
        self.url = url
        self.dialect: Dialect = DIALECTS[self.name]

    def file_only(self) -> None:
        """An embedded engine takes a file path (or nothing: memory), not a server URL."""
        if self.url and "://" in self.url:
            raise EngineError(f"{self.name} 是嵌入式引擎，--database（--master）只能是文件路径：{self.url}",
                              f"{self.name} is embedded: --database (--master) must be a file path, not {self.url}",
                              "去掉 --database / --master，或改用 --engine postgres（postgresql://…）/ spark（spark://…）")

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

    def view(self, table: str, select: str) -> None:
        """Make ``table`` a name of a query that later queries read as a table: computed where
        it is read, on an engine that keeps views cheaply (a table of another database beside
        it); else made a table (:meth:`materialize`)."""
        self.materialize(table, select)

    #: the encodings of CSV files the engine reads itself (another is decoded to UTF-8 first)
    encodings: tuple[str, ...] = ("utf-8",)

    def scan_file(self, path: Path, fmt: str, table: str, encoding: str = "utf-8") -> FileScan:
        """Make a record file (CSV with a header line, UTF-8 or one of :attr:`encodings`; or
        Parquet) readable by SQL, every column as text: as a table function, or loaded into
        ``table`` (and tables named after it). The driver's error if the file cannot be read."""
        raise EngineError(f"{self.name} 不能读取个案数据文件", f"{self.name} cannot read record files",
                          "改用 --engine duckdb、postgres 或 spark")

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
