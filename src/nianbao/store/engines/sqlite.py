"""SQLite, from Python's standard library: a database in memory (or in the file ``url`` names)."""

from __future__ import annotations

import sqlite3

from nianbao.store.engines import Connection, register


@register
class SQLiteConnection(Connection):
    name = "sqlite"

    def __init__(self, url: str | None = None):
        super().__init__(url)
        self.file_only()
        self.con = sqlite3.connect(url or ":memory:")

    def load(self, table, columns, rows):
        self.con.execute(f"DROP TABLE IF EXISTS {table}")
        self.con.execute(self.dialect.create(table, columns))
        self.con.executemany(f"INSERT INTO {table} VALUES ({', '.join('?' * len(columns))})", rows)

    def materialize(self, table, select):
        self.con.execute(f"DROP TABLE IF EXISTS {table}")
        super().materialize(table, select)

    def query(self, sql):
        return self.con.execute(sql).fetchall()

    def close(self):
        self.con.close()
