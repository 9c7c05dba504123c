"""Indicators as SQL: the catalogue's formulas compiled to one standard SQL query over a long
table of observations, so the same definitions run on DuckDB (embedded) and on a distributed
SQL engine (Spark SQL) for national-scale data.

The observations table has the columns of ``nianbao.ingest.dataset.Observation``:
``org_unit, element, dims, period, scope, value`` (``dims`` as the canonical text
``degree=master,title=junior`` or empty). The query

1. picks, per org unit, element, disaggregation and period, the observation of the preferred
   scope (the same order as ``FactBook``: the indicator's scope, then all, unstated, excl_technical);
2. pivots the elements the formula names into columns;
3. evaluates numerator and denominator, and falls back to the reported rate where the counts
   are missing.

Only identifiers from the catalogue and numbers reach the SQL text; element codes are checked
against a strict pattern before use.
"""

from __future__ import annotations

import re

from nianbao.compute.facts import SCOPE_ORDER
from nianbao.core import formula

_SAFE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def _literal(text: str) -> str:
    if not re.fullmatch(r"[A-Za-z0-9_=,]*", text):
        raise ValueError(f"unsafe identifier in SQL: {text!r}")
    return "'" + text + "'"


def _column(ref: formula.Ref) -> str:
    """A column per reference, unquoted (quoting differs between engines: "x" is a string in
    Spark SQL) and prefixed so that no element code can collide with a reserved word."""
    name = "c_" + ref.element + "".join(f"__{d}_{c}" for d, c in ref.dims)
    if not _SAFE.match(name):
        raise ValueError(f"unsafe column name {name!r}")
    return name


def _dims_text(ref: formula.Ref) -> str:
    return ",".join(f"{d}={c}" for d, c in ref.dims)


def indicator_sql(catalogue, code: str, table: str = "observations", scope: str | None = None) -> str:
    """One SELECT giving org_unit, period, numerator, denominator, value, reported for ``code``."""
    if not _SAFE.match(table):
        raise ValueError(f"unsafe table name {table!r}")
    ind = catalogue.indicator(code)
    preferred = scope or ind.scope or SCOPE_ORDER[0]
    order = [preferred] + [s for s in SCOPE_ORDER if s != preferred]
    rank = " ".join(f"WHEN {_literal(s)} THEN {i}" for i, s in enumerate(order))
    num_ast = ind.numerator_ast
    den_ast = ind.denominator_ast
    refs = formula.refs(num_ast) + (formula.refs(den_ast) if den_ast else [])
    fallback = formula.Ref(ind.fallback) if ind.fallback else None
    wanted = list(dict.fromkeys(refs + ([fallback] if fallback else [])))
    pivots = ",\n    ".join(
        f"MAX(CASE WHEN element = {_literal(r.element)} AND dims = {_literal(_dims_text(r))} "
        f"THEN value END) AS {_column(r)}" for r in wanted)
    elements = ", ".join(sorted({_literal(r.element) for r in wanted}))
    num = formula.to_sql(num_ast, _column)
    factor = repr(float(ind.factor))
    if den_ast is not None:
        den = formula.to_sql(den_ast, _column)
        value = f"({num}) * {factor} / NULLIF({den}, 0)"
    else:
        den = "NULL"
        value = f"({num}) * {factor}"
    if fallback:
        final = f"COALESCE({value}, {_column(fallback)})"
        reported = f"({value}) IS NULL AND {_column(fallback)} IS NOT NULL"
    else:
        final, reported = value, "FALSE"
    return f"""WITH ranked AS (
  SELECT org_unit, element, dims, period, value,
         ROW_NUMBER() OVER (PARTITION BY org_unit, element, dims, period
                            ORDER BY CASE scope {rank} ELSE {len(order)} END) AS rk
  FROM {table}
  WHERE element IN ({elements})
), wide AS (
  SELECT org_unit, period,
    {pivots}
  FROM ranked WHERE rk = 1
  GROUP BY org_unit, period
)
SELECT org_unit, period, {num} AS numerator, {den} AS denominator, {final} AS value,
       {reported} AS reported
FROM wide
WHERE {final} IS NOT NULL
ORDER BY org_unit, period"""


def rollup_sql(table: str = "observations", links: str = "org_links") -> str:
    """Sum school observations to every ancestor: ``links(child, ancestor)`` holds one row per
    school and each unit above it. Only additive figures should be in ``table``."""
    for name in (table, links):
        if not _SAFE.match(name):
            raise ValueError(f"unsafe table name {name!r}")
    return f"""SELECT l.ancestor AS org_unit, o.element, o.dims, o.period, o.scope, SUM(o.value) AS value
FROM {table} o JOIN {links} l ON l.child = o.org_unit
GROUP BY l.ancestor, o.element, o.dims, o.period, o.scope"""
