"""Every difference between the SQL of the engines, in one table.

The indicator and roll-up SQL is written in the plain subset of SQL the engines share (``WITH``,
``CASE``, ``COALESCE``, ``NULLIF``, ``ROW_NUMBER() OVER``, ``||``, ``UNION ALL``); what differs is
declared here and asked for by name: column types, rounding, making a table from a query, grouping
by several sets of columns at once (GROUPING SETS, or a UNION ALL where the engine has none), and the
placeholders of parameters; for the counting of record files (``nianbao.ingest.records``) the
quoting of a file's column names, reading a text as a number, and a choice of values.

Quoting: identifiers stay unquoted (``"x"`` is a string in Spark SQL); generated names are short
(PostgreSQL cuts identifiers at 63 bytes) and never reserved words.
"""

from __future__ import annotations

from dataclasses import dataclass

# a number as DuckDB's TRY_CAST(… AS DOUBLE) reads one: digits with single underscores between
# them, an optional fraction and exponent; and inf, infinity, nan (any case, signed)
NUMBER = "^[+-]?([0-9]+(_[0-9]+)*([.]([0-9]+(_[0-9]+)*)?)?|[.][0-9]+(_[0-9]+)*)([eE][+-]?[0-9]+(_[0-9]+)*)?$"
# the same within the range of a double (PostgreSQL stops a query at a number past it): at most
# 200 characters and an exponent of two digits — 1e299 at most, 1e-299 at least
FINITE = "^[+-]?([0-9]+(_[0-9]+)*([.]([0-9]+(_[0-9]+)*)?)?|[.][0-9]+(_[0-9]+)*)([eE][+-]?0*[0-9]{1,2})?$"
INFINITE = "^[+-]?inf(inity)?$"
NAN = "^[+-]?nan$"


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
    quote: str = '"'  # quotes a name that is no plain identifier (a file's column: 学校标识码)
    # reading a text as a number: "" is TRY_CAST (DuckDB); else the operator that matches a regular
    # expression, the text checked against NUMBER first (TRY_CAST is missing, or reads more: 1d, 0x10)
    regex: str = ""
    finite: bool = False  # a number past the range of a double stops the query: FINITE only
    enum: bool = False  # a choice of values as an ENUM (a lookup; 8× faster than IN over text)
    grouping_sets: bool = True  # GROUP BY GROUPING SETS (SQLite has none: one GROUP BY a set, joined by UNION ALL)
    bit_or: bool = True  # the aggregate BIT_OR (SQLite has none: a SUM of the distinct powers of two)
    # WITH name AS MATERIALIZED (…): a step read by several later ones computed once (DuckDB would
    # otherwise compute the school rows of the roll-up again for each reader)
    materialized: bool = False
    # the units whose computed figures a caller going through many units fetches at once (the
    # rest stay on the engine until asked for); 0: every unit at once (Spark starts a job a query)
    fetch_batch: int = 2000

    def bits(self, expr: str) -> str:
        """The bits of ``expr`` (powers of two, NULL for none) of a group joined into one integer."""
        return f"BIT_OR({expr})" if self.bit_or else f"SUM(DISTINCT {expr})"

    def type_name(self, kind: str) -> str:
        return {"text": self.text_type, "int": self.int_type, "float": self.float_type}[kind]

    def join_text(self, expr: str) -> str:
        """An aggregate joining the text values of a group with commas, in any order."""
        return self.string_agg.format(expr)

    def round(self, expr: str, decimals: int) -> str:
        if self.numeric_round:
            return f"CAST(ROUND(CAST({expr} AS NUMERIC), {decimals}) AS {self.float_type})"
        return f"ROUND({expr}, {decimals})"

    def ident(self, name: str) -> str:
        return self.quote + name.replace(self.quote, self.quote * 2) + self.quote

    def text(self, expr: str) -> str:
        return f"CAST({expr} AS {self.text_type})"

    def number(self, expr: str) -> str:
        """The number a text is (a double), NULL if it is none — as DuckDB's TRY_CAST reads it
        (on PostgreSQL within the range of a double, see FINITE)."""
        if not self.regex:
            return f"TRY_CAST({expr} AS {self.float_type})"
        low, op, t = f"lower({expr})", self.regex, self.float_type
        syntax = f"length({expr}) <= 200 AND {expr} {op} '{FINITE}'" if self.finite else f"{expr} {op} '{NUMBER}'"
        return (f"CASE WHEN {low} {op} '{INFINITE}' THEN CAST(CASE WHEN {expr} LIKE '-%' THEN '-Infinity' "
                f"ELSE 'Infinity' END AS {t}) WHEN {low} {op} '{NAN}' THEN CAST('NaN' AS {t}) "
                f"WHEN {syntax} THEN CAST(replace({expr}, '_', '') AS {t}) END")

    def choice(self, expr: str, values) -> str:
        """The text if it is one of ``values``, else NULL (compared by equality afterwards)."""
        quoted = ", ".join("'" + str(v).replace("'", "''") + "'" for v in values)
        if self.enum:
            return f"TRY_CAST({expr} AS ENUM({quoted}))"
        return f"CASE WHEN {expr} IN ({quoted}) THEN {expr} END"

    def group_sets(self, columns, aggregates: str, source: str, sets) -> str:
        """SELECT the grouping ``columns`` and ``aggregates`` FROM ``source``, grouped by each of
        ``sets`` (lists of those columns) at once: in the rows of a set the columns it does not
        group by are NULL, as GROUP BY GROUPING SETS gives them."""
        grouped = {c for s in sets for c in s}
        if self.grouping_sets:
            listed = ", ".join(c if c in grouped else f"NULL AS {c}" for c in columns)
            return (f"SELECT {listed}, {aggregates}\nFROM {source}\nGROUP BY GROUPING SETS (\n  "
                    + ",\n  ".join("(" + ", ".join(s) + ")" for s in sets) + ")")
        return "\nUNION ALL\n".join(
            f"SELECT {', '.join(c if c in s else f'NULL AS {c}' for c in columns)}, {aggregates}\nFROM {source}\n"
            f"GROUP BY {', '.join(s)}" for s in sets)

    def create_as(self, table: str, select: str) -> str:
        return f"CREATE {'TEMPORARY ' if self.temp else ''}TABLE {table} AS {select}"

    def create(self, table: str, columns) -> str:
        cols = ", ".join(f"{n} {self.type_name(t)}" for n, t in columns)
        return f"CREATE {'TEMPORARY ' if self.temp else ''}TABLE {table} ({cols})"


DIALECTS = {
    "duckdb": Dialect("duckdb", enum=True, materialized=True),
    "sqlite": Dialect("sqlite", float_type="REAL", steps="shared", string_agg="GROUP_CONCAT({}, ',')",
                      grouping_sets=False, bit_or=False),
    "postgres": Dialect("postgres", float_type="DOUBLE PRECISION", temp=True, numeric_round=True, steps="all",
                        regex="~", finite=True),
    "spark": Dialect("spark", text_type="STRING", int_type="INT", steps="shared",
                     string_agg="CONCAT_WS(',', COLLECT_LIST({}))", quote="`", regex="RLIKE",
                     fetch_batch=0),
}
