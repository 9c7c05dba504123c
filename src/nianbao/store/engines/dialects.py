"""Every difference between the SQL of the engines, in one table.

The indicator and roll-up SQL is written in the plain subset of SQL the engines share (``WITH``,
``CASE``, ``COALESCE``, ``NULLIF``, ``ROW_NUMBER() OVER``, ``||``, ``UNION ALL``); what differs is
declared here and asked for by name: column types, rounding, making a table from a query, and the
placeholders of parameters.

Quoting: identifiers stay unquoted (``"x"`` is a string in Spark SQL); generated names are short
(PostgreSQL cuts identifiers at 63 bytes) and never reserved words.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Dialect:
    name: str
    text_type: str = "TEXT"
    int_type: str = "INTEGER"
    float_type: str = "DOUBLE"
    temp: bool = False  # tables live only as long as the connection (a shared server)
    numeric_round: bool = False  # ROUND(double, n) is missing: round through NUMERIC
    # how a long query of several steps runs: "with" as one query; "shared": the steps read more
    # than once made tables first (Spark plans every reference to a WITH name again); "all": every
    # step made a table (PostgreSQL misjudges the size of a WITH result; a table gets ANALYZE);
    # SQLite expands every reference to a WITH name, so the roll-up's level-by-level steps are
    # "shared" there too
    steps: str = "with"
    string_agg: str = "STRING_AGG({}, ',')"  # the values of a group joined by commas (any order)

    def type_name(self, kind: str) -> str:
        return {"text": self.text_type, "int": self.int_type, "float": self.float_type}[kind]

    def join_text(self, expr: str) -> str:
        """An aggregate joining the text values of a group with commas, in any order."""
        return self.string_agg.format(expr)

    def round(self, expr: str, decimals: int) -> str:
        if self.numeric_round:
            return f"CAST(ROUND(CAST({expr} AS NUMERIC), {decimals}) AS {self.float_type})"
        return f"ROUND({expr}, {decimals})"

    def create_as(self, table: str, select: str) -> str:
        return f"CREATE {'TEMPORARY ' if self.temp else ''}TABLE {table} AS {select}"

    def create(self, table: str, columns) -> str:
        cols = ", ".join(f"{n} {self.type_name(t)}" for n, t in columns)
        return f"CREATE {'TEMPORARY ' if self.temp else ''}TABLE {table} ({cols})"


DIALECTS = {
    "duckdb": Dialect("duckdb"),
    "sqlite": Dialect("sqlite", float_type="REAL", steps="shared", string_agg="GROUP_CONCAT({}, ',')"),
    "postgres": Dialect("postgres", float_type="DOUBLE PRECISION", temp=True, numeric_round=True, steps="all"),
    "spark": Dialect("spark", text_type="STRING", int_type="INT", steps="shared",
                     string_agg="CONCAT_WS(',', COLLECT_LIST({}))"),
}
