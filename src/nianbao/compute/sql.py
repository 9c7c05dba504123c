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
from functools import lru_cache

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


def _wanted(ind) -> list[formula.Ref]:
    """The references an indicator reads: its formula's inputs, then its fallback."""
    refs = inputs_of(ind)
    return list(dict.fromkeys(refs + ([formula.Ref(ind.fallback)] if ind.fallback else [])))


def refs_of(catalogue, wanted) -> list[formula.Ref]:
    """The figures the figures ``wanted`` ((code, dims) of indicators and data elements, as
    ``nianbao indicators`` lists them) are computed from: a data element itself, a derived
    indicator the inputs of its formula and its fallback."""
    refs: dict[formula.Ref, None] = {}
    for code, dims in wanted:
        ind = catalogue.indicator(code)
        refs.update(dict.fromkeys(_wanted(ind) if ind.derived else [formula.Ref(code, tuple(sorted(dims)))]))
    return list(refs)


def needs_of(catalogue, wanted) -> dict[str, set[str]]:
    """The data elements the figures ``wanted`` are computed from (:func:`refs_of`), each with
    the dimensions it is read by."""
    needs: dict[str, set[str]] = {}
    for r in refs_of(catalogue, wanted):
        needs.setdefault(r.element, set()).update(d for d, _c in r.dims)
    return needs


def computable(catalogue, codes, has) -> list[str]:
    """The derived indicators of ``codes`` that may have a value where the figures ``has`` says
    are there (a set of (element, dims text) pairs, or a test of a reference): every input of
    the formula is there, or the fallback (a formula with an input missing has no value)."""
    if not callable(has):
        pairs = has
        has = lambda r: (r.element, dims_text(r)) in pairs  # noqa: E731
    out = []
    for code in codes:
        ind = catalogue.indicator(code)
        if all(has(r) for r in inputs_of(ind)) or (ind.fallback and has(formula.Ref(ind.fallback))):
            out.append(code)
    return out


PIVOT_KEYS = (("element", "text"), ("dims", "text"), ("scope", "text"), ("col", "int"))


def pivot_keys(refs: list[formula.Ref], kept=SCOPE_ORDER) -> list[tuple]:
    """The rows of the table ``pivot_sql`` reads with ``keys``: each reference and scope, numbered."""
    return [(r.element, dims_text(r), s, i * len(kept) + j) for i, r in enumerate(refs) for j, s in enumerate(kept)]


def pivot_sql(refs: list[formula.Ref], table: str = "observations", kept=SCOPE_ORDER, keys: str | None = None) -> str:
    """One row per org unit and period, one column per reference and scope: ``x{i}_{scope}`` is
    ``refs[i]`` in that scope (NULL where the unit lacks it); only the scopes ``kept``. With
    ``keys``, the table of :func:`pivot_keys` (columns ``PIVOT_KEYS``) numbers the columns."""
    table = identifier(table)
    pivots = ",\n  ".join(
        f"MAX(CASE WHEN element = {literal(r.element)} AND dims = {literal(dims_text(r))} AND scope = {literal(s)} "
        f"THEN value END) AS x{i}_{s}" for i, r in enumerate(refs) for s in kept)
    elements = ", ".join(sorted({literal(r.element) for r in refs}))
    if keys is not None:  # each figure's column number from the table ``keys``: one test a column
        pivots = ",\n  ".join(f"MAX(CASE WHEN k.col = {i * len(kept) + j} THEN o.value END) AS x{i}_{s}"
                               for i, _r in enumerate(refs) for j, s in enumerate(kept))
        return f"""SELECT o.org_unit, o.period,
  {pivots}
FROM {table} o JOIN {identifier(keys)} k ON k.element = o.element AND k.dims = o.dims AND k.scope = o.scope
GROUP BY o.org_unit, o.period"""
    return f"""SELECT org_unit, period,
  {pivots}
FROM {table}
WHERE element IN ({elements})
GROUP BY org_unit, period"""


def _tail(ind, pos: dict, first: str | None, wide: str = "wide") -> str:
    """The SELECT of one indicator over the pivot ``wide`` (columns named by ``pos``)."""
    refs = inputs_of(ind)
    fallback = formula.Ref(ind.fallback) if ind.fallback else None
    cols = {r: {s: f"x{pos[r]}_{s}" for s in SCOPE_ORDER} for r in refs + ([fallback] if fallback else [])}
    common = scopes.sql_common([cols[r] for r in refs], first)
    taken = ",\n      ".join(
        [f"{scopes.sql_pick(cols[r], 'common', first)} AS v{pos[r]}" for r in refs]
        + [f"{scopes.sql_scope(cols[r], 'common', first)} AS s{pos[r]}" for r in refs])
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
        fb = cols[fallback]
        taken += f",\n      {scopes.sql_first(fb, first)} AS fb, {scopes.sql_first_scope(fb, first)} AS fb_scope"
        value = "COALESCE(ratio, fb)"
        scope_out = "CASE WHEN ratio IS NOT NULL THEN COALESCE(common, 'mixed') ELSE fb_scope END"
        inputs = "CASE WHEN ratio IS NOT NULL THEN inputs ELSE fb_scope END"
    else:
        value, scope_out, inputs = "ratio", "COALESCE(common, 'mixed')", "inputs"
    legend = "; ".join(f"x{pos[r]} {r.key}" for r in cols)
    # only this indicator's columns of the pivot: every query of the union binds its own few
    # columns, not the hundreds of the whole pivot (that binding was most of the query's time)
    own = ", ".join(dict.fromkeys(c for r in cols for c in cols[r].values()))
    return f"""-- {ind.code} = ({ind.numerator}) / ({ind.denominator or 1}) × {ind.factor:g}; inputs: {legend}
SELECT org_unit, period, {literal(ind.code)} AS indicator, {scope_out} AS scope,
       CASE WHEN ratio IS NOT NULL THEN num END AS numerator,
       CASE WHEN ratio IS NOT NULL THEN den END AS denominator,
       {value} AS value, CASE WHEN ratio IS NULL THEN 1 ELSE 0 END AS reported, {inputs} AS inputs
FROM (
  SELECT t.*, {num} AS num, {den} AS den, {ratio} AS ratio, {used} AS inputs
  FROM (
    SELECT org_unit, period, common,
      {taken}
    FROM (SELECT org_unit, period, {own}, {common} AS common FROM {wide}) w
  ) t
) c
WHERE {value} IS NOT NULL"""


def _derived(catalogue, codes=None) -> tuple[list, list[str], dict[str, int]]:
    """The derived indicators of ``codes`` (default: all), the inputs they read in order, and each
    input's position among them."""
    inds = [catalogue.indicator(c) for c in (
        [c for c, ind in catalogue.indicators.items() if ind.derived] if codes is None else codes)]
    for ind in inds:
        if not ind.derived:
            raise ValueError(f"{ind.code} is a data element: use elements_sql")
    refs = list(dict.fromkeys(r for ind in inds for r in _wanted(ind)))
    return inds, refs, {r: i for i, r in enumerate(refs)}


def indicator_steps(catalogue, codes=None, table: str = "observations"):
    """Derived indicators (default: all) as steps (name, note, SELECT): the pivot of every input
    they read, then one SELECT of ``RESULT_COLUMNS`` (their queries joined by UNION ALL). The
    scopes are taken by the rule of ``compute.scopes`` with each indicator's own scope first; a
    figure a caller asks for in another scope is computed by FactBook from the engine's rows."""
    inds, refs, pos = _derived(catalogue, codes)
    union = "\nUNION ALL\n".join(_tail(ind, pos, ind.scope) for ind in inds)
    return [("wide", "every input in every scope, per unit and period", pivot_sql(refs, table)),
            ("result", "", union)]


def flat_indicator_steps(catalogue, codes=None, table: str = "observations", present=None,
                         keys: str | None = None):
    """Derived indicators (default: all) as four flat steps over the pivot of their inputs, every
    indicator a few columns of each — so that the engine binds one SELECT of many columns, not
    one query an indicator (binding grew with the number of indicators). The last step gives one
    row a unit and period; :func:`flat_rows` turns it into rows of ``RESULT_COLUMNS``, the
    rows :func:`indicator_steps` gives. ``present`` (scopes) leaves out the pivot's columns of
    the scopes no figure of ``table`` is in (None: every scope). ``keys``: the name of a table
    the caller loads with the rows returned (columns ``PIVOT_KEYS``), which numbers the pivot's
    columns (None: the pivot tests element, dims and scope). Returns (steps, codes, key rows)."""
    inds, refs, pos = _derived(catalogue, codes)
    kept = [sc for sc in SCOPE_ORDER if present is None or sc in present] or [SCOPE_ORDER[0]]

    def cols(r):  # a scope left out is in no column (compute.scopes leaves it out)
        return {sc: f"x{pos[r]}_{sc}" for sc in kept}

    wide = [f"x{pos[r]}_{sc}" for r in refs for sc in kept]
    commons, taken, computed, result = [], [], [], []
    for k, ind in enumerate(inds):
        first = ind.scope
        ins = inputs_of(ind)
        fallback = formula.Ref(ind.fallback) if ind.fallback else None
        commons.append(f"{scopes.sql_common([cols(r) for r in ins], first)} AS c{k}")
        taken += [f"c{k}"] + [f"{scopes.sql_pick(cols(r), f'c{k}', first)} AS v{k}_{pos[r]}" for r in ins] + [
            f"{scopes.sql_scope(cols(r), f'c{k}', first)} AS s{k}_{pos[r]}" for r in ins]
        num = formula.to_sql(ind.numerator_ast, lambda r, k=k: f"v{k}_{pos[r]}")
        factor = repr(float(ind.factor))
        if ind.denominator_ast is not None:
            den = formula.to_sql(ind.denominator_ast, lambda r, k=k: f"v{k}_{pos[r]}")
            ratio = f"({num}) * {factor} / NULLIF({den}, 0)"
        else:
            den, ratio = "NULL", f"({num}) * {factor}"
        used = " || ',' || ".join(f"s{k}_{pos[r]}" for r in ins)
        computed += [f"c{k}", f"{num} AS n{k}", f"{den} AS d{k}", f"{ratio} AS r{k}", f"{used} AS i{k}"]
        if fallback:
            fb = cols(fallback)
            taken += [f"{scopes.sql_first(fb, first)} AS f{k}", f"{scopes.sql_first_scope(fb, first)} AS fs{k}"]
            computed += [f"f{k}", f"fs{k}"]
            value = f"COALESCE(r{k}, f{k})"
            scope_out = f"CASE WHEN r{k} IS NOT NULL THEN COALESCE(c{k}, 'mixed') ELSE fs{k} END"
            inputs = f"CASE WHEN r{k} IS NOT NULL THEN i{k} ELSE fs{k} END"
        else:
            value, scope_out, inputs = f"r{k}", f"COALESCE(c{k}, 'mixed')", f"i{k}"
        result += [f"{value} AS val{k}", f"{scope_out} AS sc{k}", f"CASE WHEN r{k} IS NOT NULL THEN n{k} END AS num{k}",
                   f"CASE WHEN r{k} IS NOT NULL THEN d{k} END AS den{k}",
                   f"CASE WHEN r{k} IS NULL THEN 1 ELSE 0 END AS rep{k}", f"{inputs} AS in{k}"]
    sep = ",\n  "
    steps = [
        ("wide", "every input in every scope, per unit and period", pivot_sql(refs, table, kept, keys)),
        ("commons", "the scope every input of an indicator has (c: one column an indicator)",
         f"SELECT org_unit, period,\n  {sep.join(wide + commons)}\nFROM wide"),
        ("taken", "each input's value and scope (v, s), and the reported rate of a fallback (f, fs)",
         f"SELECT org_unit, period,\n  {sep.join(taken)}\nFROM commons"),
        ("computed", "numerator, denominator, ratio and inputs of each indicator",
         f"SELECT org_unit, period,\n  {sep.join(computed)}\nFROM taken"),
        ("result", "", f"SELECT org_unit, period,\n  {sep.join(result)}\nFROM computed"),
    ]
    return steps, [ind.code for ind in inds], pivot_keys(refs, kept)


def flat_rows(rows, codes) -> list[tuple]:
    """The rows of :func:`flat_indicator_steps` as rows of ``RESULT_COLUMNS`` (indicators
    without a value left out)."""
    out = []
    for row in rows:
        org, period = row[0], row[1]
        for k, code in enumerate(codes):
            value, scope, num, den, reported, inputs = row[2 + 6 * k: 8 + 6 * k]
            if value is not None:
                out.append((org, period, code, scope, num, den, value, reported, inputs))
    return out


def indicator_sql(catalogue, code: str, table: str = "observations") -> str:
    """One query giving ``RESULT_COLUMNS`` for the indicator ``code`` in every org unit and
    period of ``table`` that has it."""
    return with_query(indicator_steps(catalogue, [code], table))


def all_indicators_sql(catalogue, codes=None, table: str = "observations") -> str:
    """The queries of several derived indicators (default: all) as one query."""
    return with_query(indicator_steps(catalogue, codes, table))


def with_query(steps, materialized: bool = False) -> str:
    """Steps (name, note, SELECT) as one query: every step but the last as a WITH clause;
    ``materialized``: a step read by two later steps or more computed once (``AS MATERIALIZED``;
    a step one later step names twice is left to the engine: measured faster on DuckDB)."""
    readers = _uses(steps, steps_only=True) if materialized else {}
    ctes = ",\n".join(f"{name} AS {'MATERIALIZED ' if readers.get(name, 0) > 1 else ''}("
                       + (f"  -- {note}" if note else "")
                       + "\n" + "\n".join("  " + line for line in sql.split("\n")) + "\n)"
                       for name, note, sql in steps[:-1])
    return f"WITH {ctes}\n{steps[-1][2]}" if ctes else steps[-1][2]


def run_steps(con, steps, table: str | None = None, keep=()):
    """Run steps on a connection: as one query, or — where the engine's dialect asks for it —
    with the steps that later steps read more than once (or every step) made tables first. The
    steps named in ``keep`` are made tables on every engine (for queries after this one). The
    result is made the table ``table``, or returned as rows."""
    mode = con.dialect.steps
    # only the steps the result or a step kept reads (a step no rule of the catalogue asks for
    # would still cost the engine its planning)
    used = _still_needed(steps[:-1], [steps[-1]] + [s for s in steps[:-1] if s[0] in keep])
    steps = [s for s in steps[:-1] if s in used or s[0] in keep] + [steps[-1]]
    if mode in ("shared", "all") or keep:
        names = [n for n, _, _ in steps]
        uses = _uses(steps)
        pending: list = []
        for name, note, sql in steps[:-1]:
            if name in keep or mode == "all" or (mode == "shared" and uses[name] > 1):
                later = steps[names.index(name) + 1:]
                pending = _shared_first(con, pending, (name, note, sql), later)
                con.materialize(name, with_query(_still_needed(pending, [(name, note, sql)]) + [(name, note, sql)]))
                pending = _still_needed(pending, later)
            else:
                pending.append((name, note, sql))
        last = with_query(pending + [steps[-1]], con.dialect.materialized)
    else:
        last = with_query(steps, con.dialect.materialized)
    if table is None:
        return con.query(last)
    con.materialize(table, last)
    return None


def _shared_first(con, pending, step, later):
    """Make tables of the pending steps that ``step`` (about to be made a table) reads and that
    ``later`` steps read too, so that none is computed once for each; the steps left pending."""
    for p in list(pending):
        now = {n for n, _, _ in _still_needed(pending, [step])}
        after = {n for n, _, _ in _still_needed(pending, later)}
        if p[0] in now and p[0] in after:
            rest = [q for q in pending if q[0] != p[0]]
            con.materialize(p[0], with_query(_still_needed(rest[:pending.index(p)], [p]) + [p]))
            pending = rest
    return pending


_LITERAL_OR_COMMENT = re.compile(r"'[^']*'|--[^\n]*")
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


@lru_cache(maxsize=1024)
def _name_list(sql: str) -> tuple[str, ...]:
    """The names ``sql`` holds outside its string literals (an element code named like a step)
    and comments, each time it holds them."""
    return tuple(_NAME.findall(_LITERAL_OR_COMMENT.sub(" ", sql)))


@lru_cache(maxsize=1024)
def _names(sql: str) -> frozenset[str]:
    return frozenset(_name_list(sql))


def _uses(steps, steps_only: bool = False) -> dict[str, int]:
    """How many times the steps after each step name it (``steps_only``: how many of them do)."""
    return {n: sum(1 if steps_only else _name_list(sql).count(n) for _, _, sql in steps[i + 1:] if n in _names(sql))
            for i, (n, _, _) in enumerate(steps)}


def _reads(sql: str, name: str) -> bool:
    """Whether ``sql`` names the step ``name``."""
    return name in _names(sql)


def _still_needed(pending, later):
    """The pending steps that a later step reads, directly or through another pending step."""
    keep: list = []
    readers = [sql for _, _, sql in later]
    for name, note, sql in reversed(pending):
        if any(_reads(r, name) for r in readers):
            keep.insert(0, (name, note, sql))
            readers.append(sql)
    return keep


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
