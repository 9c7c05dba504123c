"""The only module that calls a database driver directly: one :class:`Database` interface, two
backends — DuckDB (a file, the embedded default) and PostgreSQL (a bureau's server, through
psycopg 3). The store writes one SQL dialect, the common part of both: ``?`` placeholders
(rewritten to ``%s`` for psycopg), ``INSERT … ON CONFLICT DO NOTHING``, ``DOUBLE PRECISION``.

DuckDB's Python API changed in 2.0 (``fetchone`` on relations gone, results that are not read to
the end block the connection), so every statement goes through :meth:`Database.execute`, which
always reads its result completely with ``fetchall``.
"""

from __future__ import annotations

import os
import threading
import time
import zlib
from contextlib import contextmanager
from pathlib import Path

import duckdb


class Error(Exception):
    """Any failure of the database (either backend)."""


class Busy(Error):
    """The DuckDB file is held by another process (an import writing it): try again later."""


def is_url(location) -> bool:
    return isinstance(location, str) and location.startswith(("postgresql://", "postgres://"))


def connect(location, read_only: bool = False) -> "Database":
    """A DuckDB file for a path, a PostgreSQL connection for a ``postgresql://`` URL."""
    if is_url(location):
        return PostgresDatabase(location, read_only=read_only)
    return DuckDBDatabase(location, read_only=read_only)


class Database:
    """What the store needs of a database: statements, bulk inserts, transactions and a lock
    per key (one writer per school-year at a time)."""

    kind = ""

    def execute(self, sql: str, params: list | tuple = ()) -> list[tuple]:
        raise NotImplementedError

    def executemany(self, sql: str, rows: list[tuple]) -> None:
        self._con.executemany(sql, rows)

    def insert(self, table: str, columns: tuple[str, ...], rows: list[tuple]) -> None:
        """Insert many rows with one statement per chunk (faster than executemany)."""
        if not rows:
            return
        one = "(" + ",".join("?" * len(columns)) + ")"
        head = f"INSERT INTO {table} ({', '.join(columns)}) VALUES "
        for start in range(0, len(rows), 500):
            chunk = rows[start:start + 500]
            self.execute(head + ",".join([one] * len(chunk)), [v for row in chunk for v in row])

    @contextmanager
    def transaction(self):
        self.execute("BEGIN TRANSACTION")
        try:
            yield self
        except BaseException:
            self.execute("ROLLBACK")
            raise
        self.execute("COMMIT")

    def lock(self, key: str) -> None:
        """Inside a transaction: wait until no other writer holds ``key``, until commit."""

    def has_table(self, name: str) -> bool:
        return bool(self.execute(
            "SELECT 1 FROM information_schema.tables WHERE table_name = ? AND table_schema = current_schema()",
            [name]))

    def close(self) -> None:
        raise NotImplementedError


# One DuckDB file is written by one process; threads of that process (the portal's server
# threads) take turns through this lock.
_DUCKDB_LOCK = threading.RLock()


WAIT_ENV = "NIANBAO_STORE_WAIT"  # seconds a writer waits for another writer of the same file
WAIT_DEFAULT = 120.0


class WriterLock:
    """An exclusive advisory lock on ``<store>.lock``, held by one writing process at a time
    (POSIX ``flock``; where it is not available, DuckDB's own file lock is all there is). Within
    a process it is shared: the connections of one process to one file take turns through
    ``_DUCKDB_LOCK`` instead."""

    _held: dict[str, list] = {}  # lock file → [open file, number of holders] in this process
    _guard = threading.Lock()

    def __init__(self, path: Path):
        self.key = str(path.with_name(path.name + ".lock").resolve())
        self.acquired = False

    def acquire(self, timeout: float) -> bool:
        try:
            import fcntl
        except ImportError:
            return True
        with self._guard:  # one thread at a time, so that a process opens the lock file once
            held = self._held.get(self.key)
            if held is not None:
                held[1] += 1
                self.acquired = True
                return True
            f = open(self.key, "a+b")  # noqa: SIM115 — held until the last release
            deadline = time.monotonic() + timeout
            while True:
                try:
                    fcntl.flock(f.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except OSError:
                    if time.monotonic() >= deadline:
                        f.close()
                        return False
                    time.sleep(0.05)
            self._held[self.key] = [f, 1]
        self.acquired = True
        return True

    def release(self) -> None:
        if not self.acquired:
            return
        self.acquired = False
        with self._guard:
            held = self._held.get(self.key)
            if held is None:
                return
            held[1] -= 1
            if held[1] == 0:
                del self._held[self.key]
                held[0].close()  # closing drops the lock


class DuckDBDatabase(Database):
    kind = "duckdb"

    def __init__(self, path: str | Path, read_only: bool = False):
        self.path = Path(path)
        self._lock = None
        if os.environ.get("NIANBAO_STORE_SHARED") == "1":
            read_only = False  # a server process: DuckDB refuses two configurations of one file
        elif not read_only and str(path) != ":memory:" and self.path.parent.is_dir():
            wait = _wait_seconds()
            self._lock = WriterLock(self.path)
            if not self._lock_acquired(wait):
                self._lock = None
                raise Error(f"another nianbao process has been writing {self.path.name} for over {wait:g} s")
        try:
            self._con = duckdb.connect(str(self.path), read_only=read_only)
        except duckdb.Error as exc:
            self._unlock()
            if "lock" in str(exc).lower() and isinstance(exc, duckdb.IOException):
                raise Busy(str(exc)) from None
            raise Error(str(exc)) from None

    def _lock_acquired(self, wait: float) -> bool:
        try:
            return self._lock.acquire(wait)
        except OSError:  # a folder that cannot hold the lock file: DuckDB reports the folder
            return True

    def _unlock(self) -> None:
        if self._lock is not None:
            self._lock.release()
            self._lock = None

    def execute(self, sql: str, params: list | tuple = ()) -> list[tuple]:
        try:
            return self._con.execute(sql, list(params)).fetchall()
        except duckdb.Error as exc:
            raise Error(str(exc)) from exc

    def insert(self, table: str, columns: tuple[str, ...], rows: list[tuple]) -> None:
        """Many rows as whole columns (a school's workbook: ~125 figures in a third of the time
        of one INSERT … VALUES statement); a few rows as a statement."""
        if len(rows) < 32:
            return super().insert(table, columns, rows)
        types = self._types(table)
        self.load_columns(table, [(c, types[c]) for c in columns],
                          {c: [row[i] for row in rows] for i, c in enumerate(columns)})

    def _types(self, table: str) -> dict[str, str]:
        cache = self.__dict__.setdefault("_column_types", {})
        if table not in cache:
            cache[table] = {name: str(t) for name, t in self.execute(
                "SELECT column_name, data_type FROM information_schema.columns "
                "WHERE table_name = ? AND table_schema = current_schema()", [table])}
        return cache[table]

    def load_columns(self, table: str, columns, data: dict) -> None:
        """Fill the existing ``table`` from whole columns (``columns``: (name, SQL type); ``data``:
        name → a list of Python values, None for NULL): DuckDB scans them as numpy arrays in
        one pass, without a parameter a value."""
        import numpy as np

        n = len(next(iter(data.values()))) if data else 0
        if not n:
            return
        arrays = {}
        for name, sql_type in columns:
            values = data[name]
            if sql_type in ("DOUBLE", "FLOAT", "REAL"):
                try:  # NaN stands for a missing number (DuckDB reads it as NULL); numpy makes None NaN
                    arrays[name] = np.asarray(values, dtype=np.float64)
                    continue
                except (TypeError, ValueError):
                    pass
            if sql_type in ("INTEGER", "BIGINT"):
                whole = np.asarray(values)  # Python ints only (no None, float or text): a machine array
                if whole.dtype.kind == "i":
                    arrays[name] = whole
                    continue
            arrays[name] = np.array(values, dtype=object)
        view = f"_load_{table}"
        cast = ", ".join(f"CAST({name} AS {sql_type})" for name, sql_type in columns)
        names = ", ".join(name for name, _ in columns)
        try:
            self._con.register(view, arrays)
            self._con.execute(f"INSERT INTO {table} ({names}) SELECT {cast} FROM {view}")
        except duckdb.Error as exc:
            raise Error(str(exc)) from exc
        finally:
            self._con.unregister(view)

    def cursor(self) -> "DuckDBDatabase":
        """Another connection to the same database (its own session: schema, settings), the
        tables shared: one in-memory database read by several engines' connections."""
        other = DuckDBDatabase.__new__(DuckDBDatabase)
        other.path, other._lock = self.path, None
        other._con = self._con.cursor()
        return other

    def columns(self, sql: str, params: list | tuple = ()) -> dict:
        """The result of a query as whole columns (name → numpy array), no tuple a row."""
        try:
            return self._con.execute(sql, list(params)).fetchnumpy()
        except duckdb.Error as exc:
            raise Error(str(exc)) from exc

    def batches(self, sql: str, params: list | tuple = (), size: int = 65536):
        """The rows of a query in lists of at most ``size`` (a large result never held whole as tuples)."""
        try:
            cur = self._con.execute(sql, list(params))
            while True:
                rows = cur.fetchmany(size)
                if not rows:
                    return
                yield rows
        except duckdb.Error as exc:
            raise Error(str(exc)) from exc

    def read_csv_text(self, table: str, path: str | Path, width: int, columns: dict[str, int]) -> bool:
        """Make ``table`` from the CSV file ``path`` after its header line: ``line`` (the row's
        number, the header 1) and one text column a name of ``columns`` (name → the field's
        position, 0-based, of ``width`` fields), each field as written (no trimming, no
        types guessed; a field the row lacks is NULL, an empty one ''). Reads only plain CSV —
        no quoting, one record a line, every row at most ``width`` fields — and returns False
        (no table) for a file it cannot read so: the caller reads that one in Python."""
        fields = ", ".join(f"'c{i}': 'VARCHAR'" for i in range(width))
        quoted = str(path).replace("'", "''")
        picked = ", ".join(["CAST(rowid + 2 AS BIGINT) AS line"]
                           + [f"c{i} AS {name}" for name, i in columns.items()])
        try:
            self._con.execute(f"DROP TABLE IF EXISTS {table}_read")
            self._con.execute(
                f"CREATE TABLE {table}_read AS SELECT * FROM read_csv('{quoted}', header = false, skip = 1, "
                f"delim = ',', quote = '', escape = '', comment = '', auto_detect = false, null_padding = true, "
                f"nullstr = '\x01\x02', strict_mode = true, encoding = 'utf-8', columns = {{{fields}}})")
            self._con.execute(f"DROP TABLE IF EXISTS {table}")
            self._con.execute(f"CREATE TABLE {table} AS SELECT {picked} FROM {table}_read")
        except duckdb.Error:
            return False
        finally:
            self._con.execute(f"DROP TABLE IF EXISTS {table}_read")
        return True

    @contextmanager
    def transaction(self):
        with _DUCKDB_LOCK:
            with super().transaction():
                yield self

    def close(self) -> None:
        try:
            self._con.close()
        finally:
            self._unlock()


def _wait_seconds() -> float:
    try:
        return max(0.0, float(os.environ.get(WAIT_ENV, WAIT_DEFAULT)))
    except ValueError:
        return WAIT_DEFAULT


class PostgresDatabase(Database):
    kind = "postgresql"

    def __init__(self, url: str, read_only: bool = False):
        import psycopg  # the server's driver; not needed on a laptop

        self._psycopg = psycopg
        self.path = url
        try:
            self._con = psycopg.connect(url, autocommit=True, connect_timeout=10)
            if read_only:
                self._con.execute("SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY")
        except psycopg.Error as exc:
            raise Error(str(exc).strip()) from None

    def execute(self, sql: str, params: list | tuple = ()) -> list[tuple]:
        try:
            cur = self._con.execute(sql.replace("?", "%s"), list(params) or None)
            return cur.fetchall() if cur.description is not None else []
        except self._psycopg.Error as exc:
            raise Error(str(exc).strip()) from exc

    def lock(self, key: str) -> None:
        self.execute("SELECT pg_advisory_xact_lock(?)", [zlib.crc32(key.encode("utf-8"))])

    def close(self) -> None:
        self._con.close()
