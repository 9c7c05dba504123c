"""The only module that calls DuckDB directly.

DuckDB's Python API changed in 2.0 (``fetchone`` on relations gone, results that are not read to
the end block the connection), so every statement goes through :meth:`Database.execute`, which
always reads its result completely with ``fetchall``.
"""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path

import duckdb

Error = duckdb.Error


class Database:
    def __init__(self, path: str | Path, read_only: bool = False):
        self.path = Path(path)
        self._con = duckdb.connect(str(self.path), read_only=read_only)

    def execute(self, sql: str, params: list | tuple = ()) -> list[tuple]:
        return self._con.execute(sql, list(params)).fetchall()

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

    def close(self) -> None:
        self._con.close()
