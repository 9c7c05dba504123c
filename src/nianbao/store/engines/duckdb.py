"""DuckDB, embedded: a database in memory (or in the file ``url`` names). The raw DuckDB calls
stay in ``nianbao.store.db``."""

from __future__ import annotations

import itertools

from nianbao.store.db import connect
from nianbao.store.engines import Connection, FileScan, register


def _path(path) -> str:
    return "'" + str(path).replace("'", "''") + "'"

_SCHEMAS = itertools.count(1)


@register
class DuckDBConnection(Connection):
    name = "duckdb"

    def __init__(self, url: str | None = None, database=None):
        super().__init__(url)
        self.file_only()
        self.schema = None
        if database is not None:  # beside the tables of another connection's database, in a schema of its own
            self.db = database.cursor()
            self.schema = f"nianbao_work_{next(_SCHEMAS)}"
            self.db.execute(f"CREATE SCHEMA {self.schema}")
            self.db.execute(f"SET schema = '{self.schema}'")
            self.db.execute(f"SET search_path = '{self.schema},main'")
        else:
            self.db = connect(url or ":memory:")
        self.db.execute("SET enable_progress_bar = false")  # a long query prints no bar into a command's output

    def load(self, table, columns, rows):
        rows = list(rows)
        self.load_columns(table, columns, {n: [r[i] for r in rows] for i, (n, _) in enumerate(columns)})

    def load_columns(self, table, columns, data):
        self.db.execute(f"DROP TABLE IF EXISTS {table}")
        self.db.execute(self.dialect.create(table, columns))
        self.db.load_columns(table, [(n, self.dialect.type_name(t)) for n, t in columns], data)

    def materialize(self, table, select):
        self.db.execute(f"DROP TABLE IF EXISTS {table}")
        super().materialize(table, select)

    def view(self, table, select):
        self.db.execute(f"DROP TABLE IF EXISTS {table}")
        self.db.execute(f"CREATE OR REPLACE VIEW {table} AS {select}")

    def scan_file(self, path, fmt, table, encoding="utf-8"):  # UTF-8 only (encodings)
        """The file read where a query reads it (read_csv / read_parquet, nothing loaded); a
        Parquet file's records numbered by DuckDB, a CSV file's by the caller."""
        if fmt == "parquet":
            relation = f"read_parquet({_path(path)})"
            lines = (lambda: f"(SELECT *, file_row_number + 1 AS line FROM "
                             f"read_parquet({_path(path)}, file_row_number = true)) p")
        else:
            relation, lines = f"read_csv({_path(path)}, all_varchar = true, header = true)", None
        header = [r[0] for r in self.query(f"DESCRIBE SELECT * FROM {relation}")]
        return FileScan(relation, header, {h: self.dialect.ident(h) for h in header}, lines)

    def query(self, sql):
        return self.db.execute(sql)

    def close(self):
        if self.schema is not None:
            self.db.execute(f"DROP SCHEMA IF EXISTS {self.schema} CASCADE")
        self.db.close()
