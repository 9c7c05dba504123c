"""Indicators as SQL: the catalogue's formulas compiled to one query each over a long table of
observations, so the same definitions run on every SQL engine of ``nianbao.store.engines``
(DuckDB embedded, SQLite, PostgreSQL, Spark SQL).

The observations table has the columns ``org_unit, element, dims, period, scope, value``
(``dims`` as the canonical text ``degree=master,title=junior``, empty for a total). The query of
an indicator

1. pivots every input of its formula into one column per scope (``x0_all``, ``x0_unstated``,
   ``x0_excl_technical`` …), one row per org unit and period;
2. takes the scope of each input by the rule of ``nianbao.compute.scopes`` — the first scope
   every input has, else each input its own first — the same rule the Python facts apply;
3. evaluates numerator and denominator, and falls back to the reported rate where the counts
   are missing.

Every query returns the same columns (``RESULT_COLUMNS``), so several can be combined with
``UNION ALL``. Only identifiers from the catalogue and numbers reach the SQL text; codes are
checked against a strict pattern before use. The differences between engines come from
``nianbao.store.engines.dialects``.
"""

from __future__ import annotations

import re

from nianbao.compute import scopes
from nianbao.compute.scopes import SCOPE_ORDER
from nianbao.core import formula

_SAFE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
RESULT_COLUMNS = ("org_unit", "period", "indicator", "scope", "numerator", "denominator", "value", "reported",
                  "inputs")
ELEMENT_COLUMNS = ("org_unit", "element", "dims", "period", "scope", "value")


def literal(text: str) -> str:
    """A string literal of catalogue text (codes, dims, scopes): letters, digits, _ = , only."""
    if not re.fullmatch(r"[A-Za-z0-9_=,]*", text):
        raise ValueError(f"unsafe identifier in SQL: {text!r}")
    return "'" + text + "'"


def identifier(name: str) -> str:
    if not _SAFE.match(name):
        raise ValueError(f"unsafe table or column name {name!r}")
    return name


def dims_text(ref: formula.Ref) -> str:
    return ",".join(f"{d}={c}" for d, c in ref.dims)


def inputs_of(ind) -> list[formula.Ref]:
    """The distinct references of an indicator's formula, in the order they appear."""
    refs = formula.refs(ind.numerator_ast) + (formula.refs(ind.denominator_ast) if ind.denominator_ast else [])
    return list(dict.fromkeys(refs))


def indicator_sql(catalogue, code: str, table: str = "observations", scope: str | None = None) -> str:
    """One SELECT giving ``RESULT_COLUMNS`` for the indicator ``code`` in every org unit and
    period of ``table`` that has it. ``scope`` asks for a scope first (as FactBook.get does)."""
    table = identifier(table)
    ind = catalogue.indicator(code)
    if not ind.derived:
        raise ValueError(f"{code} is a data element: use elements_sql")
    first = scope or ind.scope
    refs = inputs_of(ind)
    fallback = formula.Ref(ind.fallback) if ind.fallback else None
    wanted = list(dict.fromkeys(refs + ([fallback] if fallback else [])))
    pos = {r: i for i, r in enumerate(wanted)}
    cols = [{s: f"x{i}_{s}" for s in SCOPE_ORDER} for i in range(len(wanted))]
    pivots = ",\n    ".join(
        f"MAX(CASE WHEN element = {literal(r.element)} AND dims = {literal(dims_text(r))} AND scope = {literal(s)} "
        f"THEN value END) AS {cols[i][s]}" for i, r in enumerate(wanted) for s in SCOPE_ORDER)
    elements = ", ".join(sorted({literal(r.element) for r in wanted}))
    common = scopes.sql_common([cols[pos[r]] for r in refs], first)
    taken = ",\n    ".join(
        [f"{scopes.sql_pick(cols[pos[r]], 'common', first)} AS v{pos[r]}" for r in refs]
        + [f"{scopes.sql_scope(cols[pos[r]], 'common', first)} AS s{pos[r]}" for r in refs])
    value_of = lambda r: f"v{pos[r]}"  # noqa: E731
    num = formula.to_sql(ind.numerator_ast, value_of)
    factor = repr(float(ind.factor))
    if ind.denominator_ast is not None:
        den = formula.to_sql(ind.denominator_ast, value_of)
        ratio = f"({num}) * {factor} / NULLIF({den}, 0)"
    else:
        den = "NULL"
        ratio = f"({num}) * {factor}"
    used = " || ',' || ".join(f"s{pos[r]}" for r in refs)
    if fallback:
        fb = cols[pos[fallback]]
        fb_cols = f",\n    {scopes.sql_first(fb, first)} AS fb, {scopes.sql_first_scope(fb, first)} AS fb_scope"
        value = "COALESCE(ratio, fb)"
        scope_out = "CASE WHEN ratio IS NOT NULL THEN COALESCE(common, 'mixed') ELSE fb_scope END"
        inputs = "CASE WHEN ratio IS NOT NULL THEN inputs ELSE fb_scope END"
    else:
        fb_cols = ""
        value = "ratio"
        scope_out = "COALESCE(common, 'mixed')"
        inputs = "inputs"
    legend = "; ".join(f"x{i} {r.key}" for i, r in enumerate(wanted))
    return f"""-- {code} = ({ind.numerator}) / ({ind.denominator or 1}) × {ind.factor:g}; inputs: {legend}
WITH wide AS (
  SELECT org_unit, period,
    {pivots}
  FROM {table}
  WHERE element IN ({elements})
  GROUP BY org_unit, period
), taken AS (
  SELECT org_unit, period, common,
    {taken}{fb_cols}
  FROM (SELECT wide.*, {common} AS common FROM wide) w
), computed AS (
  SELECT taken.*, {num} AS num, {den} AS den, {ratio} AS ratio, {used} AS inputs
  FROM taken
)
SELECT org_unit, period, {literal(code)} AS indicator, {scope_out} AS scope,
       CASE WHEN ratio IS NOT NULL THEN num END AS numerator,
       CASE WHEN ratio IS NOT NULL THEN den END AS denominator,
       {value} AS value, CASE WHEN ratio IS NULL THEN 1 ELSE 0 END AS reported, {inputs} AS inputs
FROM computed
WHERE {value} IS NOT NULL"""


def elements_sql(table: str = "observations", scope: str | None = None) -> str:
    """One SELECT giving ``ELEMENT_COLUMNS``: every figure of every org unit in the scope a data
    element's fact takes (its first available scope)."""
    table = identifier(table)
    return f"""WITH ranked AS (
  SELECT org_unit, element, dims, period, scope, value,
         ROW_NUMBER() OVER (PARTITION BY org_unit, element, dims, period
                            ORDER BY {scopes.rank_sql('scope', scope)}) AS rk
  FROM {table}
)
SELECT org_unit, element, dims, period, scope, value FROM ranked WHERE rk = 1"""


def all_indicators_sql(catalogue, codes=None, table: str = "observations") -> str:
    """The queries of several derived indicators (default: all) as one UNION ALL."""
    codes = [c for c, ind in catalogue.indicators.items() if ind.derived] if codes is None else codes
    return "\nUNION ALL\n".join(f"SELECT * FROM ({indicator_sql(catalogue, c, table)}) q{i}"
                                for i, c in enumerate(codes))
