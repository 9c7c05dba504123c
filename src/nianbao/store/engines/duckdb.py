"""DuckDB, embedded: a database in memory (or in the file ``url`` names). The raw DuckDB calls
stay in ``nianbao.store.db``."""

from __future__ import annotations

from nianbao.store.db import connect
from nianbao.store.engines import Connection, register


@register
class DuckDBConnection(Connection):
    name = "duckdb"

    def __init__(self, url: str | None = None):
        super().__init__(url)
        self.file_only()
        self.db = connect(url or ":memory:")

    def load(self, table, columns, rows):
        self.db.execute(f"DROP TABLE IF EXISTS {table}")
        self.db.execute(self.dialect.create(table, columns))
        rows = list(rows)
        if rows:  # in bulk: one list a column, unnested side by side (executemany is a statement a row)
            lists = ", ".join(f"UNNEST(?::{self.dialect.type_name(t)}[])" for _, t in columns)
            self.db.execute(f"INSERT INTO {table} SELECT {lists}", [list(col) for col in zip(*rows)])

    def materialize(self, table, select):
        self.db.execute(f"DROP TABLE IF EXISTS {table}")
        super().materialize(table, select)

    def query(self, sql):
        return self.db.execute(sql)

    def close(self):
        self.db.close()
