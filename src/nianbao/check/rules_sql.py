"""The data rules compiled to SQL: each kind of rule that compiles (``Handler.compile``) gives
one query over the figures of the dataset as a table, run on an SQL engine of
``nianbao.store.engines`` (DuckDB embedded by default, PostgreSQL, SQLite, Spark), and the rows
the engine returns become the same findings the kind's Python handler gives.

The table ``rule_figures`` holds one row a figure, its provenance kept as columns::

    rid  org_unit  element  dims  period  scope  value  source  origin  step

(``dims`` the canonical text ``degree=master,title=junior``, empty for a total; ``origin`` the
file and line or the workbook, sheet and cell it was read from). Two small tables come from the
catalogue: ``rule_types`` (element, type) and ``rule_dims`` (dims, dim, category, parent, kind):
for every disaggregation of the data, each dimension in it that a breakdown adds up (kind
``complete``) or that is a 其中 part of its total (kind ``part``), with the disaggregation left
when that dimension is taken out (``parent``).

A query selects the figures a rule finds wrong and returns their ``rid``; only those figures are
fetched (with their provenance) and handed to the handler, which words the finding exactly as
the Python path does. Only codes of the catalogue, checked by ``compute.sql.literal``, and
numbers reach the SQL text; it is the plain SQL every engine shares (``JOIN``, ``CASE``,
``ABS``, ``NULLIF``, ``GROUP BY``, ``UNION ALL``).
"""

from __future__ import annotations

import gc
import threading
from contextlib import contextmanager
from dataclasses import dataclass
from operator import attrgetter

from nianbao.check.context import OrgData
from nianbao.compute import scopes
from nianbao.compute.sql import literal
from nianbao.core.observations import Observation, dims_text, parse_dims
from nianbao.ingest.figures import TABLE as FIGURES_TABLE
from nianbao.store import engines as store_engines

FIGURES = "rule_figures"
FIGURE_COLUMNS = (("rid", "int"), ("org_unit", "text"), ("element", "text"), ("dims", "text"), ("period", "int"),
                  ("scope", "text"), ("value", "float"), ("source", "text"), ("origin", "text"), ("step", "float"))
TYPES = "rule_types"
DIMS = "rule_dims"
WANTED = "rule_wanted"
EPS = "1e-09"  # the slack of a comparison of two figures (as in the handlers)


@dataclass(frozen=True)
class Compiled:
    """The query of one kind's rules: ``sql`` a SELECT whose rows the handler turns into
    findings (``Handler.found``); ``rids`` the positions in each row of figure ids (NULL where
    a row has fewer figures); ``tables`` (name, SELECT) made tables first, in order, for the
    query to read (an intermediate result it reads many times)."""
    sql: str
    rids: tuple[int, ...]
    tables: tuple[tuple[str, str], ...] = ()


def number(v) -> str:
    """A number of rules.yaml in SQL text."""
    return repr(float(v))


def text(v: str) -> str:
    return literal(v)


def wide(refs) -> tuple[str, dict]:
    """The figures of ``refs`` (formula references) pivoted into columns: one row per unit,
    year and scope, ``v{j}`` each reference's value and ``r{j}`` its figure id (NULL where the
    unit lacks it); returns the SELECT and each reference's column number ``j``."""
    col = {ref: j for j, ref in enumerate(refs)}
    pivot = ",\n  ".join(
        f"MAX(CASE WHEN element = {text(ref.element)} AND dims = {text(dims_text(ref.dims))} "
        f"THEN {what} END) AS {name}{col[ref]}" for ref in refs for what, name in (("value", "v"), ("rid", "r")))
    elements = ", ".join(sorted({text(ref.element) for ref in refs}))
    dims = ", ".join(sorted({text(dims_text(ref.dims)) for ref in refs}))
    return f"""SELECT org_unit, period, scope,
  {pivot}
FROM {FIGURES}
WHERE element IN ({elements}) AND dims IN ({dims})
GROUP BY org_unit, period, scope""", col


def load_figures(con, catalogue, observations) -> None:
    """The figures, and the catalogue's element types and breakdown dimensions, as the tables the
    compiled rules read. A figure given twice (same unit, element, dims, year and scope) counts
    once, the later one, as in the Python path."""
    names = ("org_unit", "element", "dims", "period", "scope", "value", "source", "origin", "step")
    data = dict(zip(names, columns(observations, names)))
    texts = {d: dims_text(d) for d in set(data["dims"])}
    data["dims"] = list(map(texts.__getitem__, data["dims"]))
    data["rid"] = list(range(len(observations)))
    con.load_columns(FIGURES, FIGURE_COLUMNS, data)
    _figures_once(con)
    _catalogue_tables(con, catalogue, texts.values())


def load_figures_table(con, catalogue, table: str) -> None:
    """As ``load_figures``, from a table of figures in the engine (``ingest.figures``: the
    dataset's figures as read from values.csv), no object made."""
    typed = ", ".join(f"CAST({n} AS {con.dialect.type_name(t)}) AS {n}" for n, t in FIGURE_COLUMNS)
    if _repeated(con, table):
        con.materialize(FIGURES, f"SELECT {typed} FROM {table}")
        _keep_last(con)
    else:  # read where it is (on DuckDB a view: no copy of 1.8 M figures held beside them)
        con.view(FIGURES, f"SELECT {typed} FROM {table}")
    _catalogue_tables(con, catalogue, [d for (d,) in con.query(f"SELECT DISTINCT dims FROM {FIGURES}")])


_ONCE_KEY = "org_unit, element, dims, period, scope"


def _repeated(con, table: str) -> bool:
    """Whether ``table`` gives one figure (unit, element, disaggregation, year, scope) twice."""
    return bool(con.query(f"SELECT COUNT(*) FROM (SELECT {_ONCE_KEY} FROM {table} GROUP BY {_ONCE_KEY} "
                          f"HAVING COUNT(*) > 1) t")[0][0])


def _figures_once(con) -> None:
    if _repeated(con, FIGURES):
        _keep_last(con)


def _keep_last(con) -> None:
    """``FIGURES`` with the last row of each figure given twice or more."""
    names = ", ".join(n for n, _ in FIGURE_COLUMNS)
    con.materialize(f"{FIGURES}_once", f"SELECT {names} FROM {FIGURES} WHERE rid IN "
                                       f"(SELECT MAX(rid) FROM {FIGURES} GROUP BY {_ONCE_KEY})")
    con.materialize(FIGURES, f"SELECT {names} FROM {FIGURES}_once")


def _catalogue_tables(con, catalogue, texts) -> None:
    con.load(TYPES, (("element", "text"), ("type", "text")),
             [(code, el.type) for code, el in catalogue.elements.items()])
    con.load(DIMS, (("dims", "text"), ("dim", "text"), ("category", "text"), ("parent", "text"), ("kind", "text")),
             dims_rows(catalogue, sorted(texts)))


def columns(objects, names) -> list[tuple]:
    """The attributes ``names`` of every object, one tuple an attribute: each object read once
    (the objects of a large dataset lie far apart in memory), without the collector scanning the
    tuples made meanwhile."""
    if not objects:
        return [() for _ in names]
    collecting = gc.isenabled()
    gc.disable()
    try:
        return list(zip(*map(attrgetter(*names), objects)))
    finally:
        if collecting:
            gc.enable()


def dims_rows(catalogue, texts) -> list[tuple]:
    """(dims, dim, category, parent, kind) for each dimension of each disaggregation in
    ``texts`` that a breakdown adds up (complete) or that is a part of its total."""
    complete = {d for d, m in catalogue.dimensions.items() if m.get("complete")}
    parts = {d for d, m in catalogue.dimensions.items() if m.get("kind") == "part"}
    rows = []
    for t in dict.fromkeys(texts):
        dims = parse_dims(t)
        for dim, c in dims:
            kind = "complete" if dim in complete else "part" if dim in parts else ""
            if kind:
                rows.append((t, dim, c, dims_text([x for x in dims if x[0] != dim]), kind))
    return rows


def fetch(con, rids) -> dict[int, Observation]:
    """The figures of ``rids`` with their provenance, as observations."""
    rids = sorted({int(r) for r in rids if r is not None})
    if not rids:
        return {}
    con.load(WANTED, (("rid", "int"),), [(r,) for r in rids])
    rows = con.query(f"SELECT f.rid, f.org_unit, f.element, f.dims, f.period, f.scope, f.value, f.source, f.origin, "
                     f"f.step FROM {FIGURES} f JOIN {WANTED} w ON w.rid = f.rid")
    return {int(rid): Observation(element=element, dims=parse_dims(dims), period=int(period), scope=scope,
                                  value=float(value), org_unit=org, source=source or "", origin=origin or "",
                                  step=float(step or 0.0))
            for rid, org, element, dims, period, scope, value, source, origin, step in rows}


EMBEDDED = ("duckdb", "sqlite")  # engines in this process: a dataset's figures are loaded there once


class _Loaded:
    """A connection holding the figures of one list of observations or one table of figures
    (kept on the dataset by ``connection``; the list or table is held too, so that one made
    later cannot pass for it)."""

    def __init__(self, con, figures, catalogue):
        self.con, self.figures, self.catalogue = con, figures, catalogue
        self.size = _size(figures)
        self.lock = threading.Lock()

    def holds(self, figures, catalogue) -> bool:
        return self.figures is figures and self.size == _size(figures) and self.catalogue is catalogue


def _size(figures) -> int:
    return figures.size if hasattr(figures, "size") else len(figures)


@contextmanager
def connection(ctx, engine: str, url: str | None, observations):
    """A connection with the figures loaded: a dataset's own figures on an embedded engine are
    loaded once and kept with the dataset (a second check reads them from the engine again,
    until the dataset's list of observations is replaced or grows); other figures
    (``observations``), or a server, in a connection of their own, closed after."""
    dataset = ctx.dataset
    if observations is not None or url is not None or engine not in EMBEDDED:
        con = store_engines.connect(engine, url)
        try:
            load_figures(con, ctx.catalogue, dataset.observations if observations is None else observations)
            yield con
        finally:
            con.close()
        return
    cache = dataset.__dict__.setdefault("_nianbao_rule_figures", {})
    loaded = cache.get(engine)
    table = engine == "duckdb" and hasattr(dataset, "figures")  # the dataset's own table of figures, read there
    held = dataset.figures() if table else dataset.observations
    if loaded is None or not loaded.holds(held, ctx.catalogue):
        if table:
            con = store_engines.beside(held.db)
            load_figures_table(con, ctx.catalogue, f"main.{FIGURES_TABLE}")
        else:
            con = store_engines.connect(engine)
            load_figures(con, ctx.catalogue, held)
        cache[engine] = _Loaded(con, held, ctx.catalogue)
        if loaded is not None:
            with loaded.lock:
                loaded.con.close()
        loaded = cache[engine]
    with loaded.lock:
        yield loaded.con


def check(ctx, compiled, engine: str, url: str | None = None, observations=None) -> list:
    """The findings of the compiled handlers (``compiled``: (handler, its ``Compiled``)) on
    engine ``engine``: each handler's query run there, the figures its rows name fetched, the
    findings worded by the handler. ``observations`` default to the dataset's."""
    if not compiled:
        return []
    with connection(ctx, engine, url, observations) as con:
        if observations is None and ctx._technical is None:  # as scopes.distinguishes_technical, in the engine
            given = con.query(f"SELECT COUNT(*) FROM {FIGURES} WHERE scope = 'excl_technical'")[0][0]
            ctx._technical = bool(given) or scopes.distinguishes_technical((), ctx.dataset.orgs)
        results = []
        for h, c in compiled:
            for name, select in c.tables:
                con.materialize(name, select)
            results.append((h, c, con.query(c.sql)))
        figures = fetch(con, (row[i] for _, c, rows in results for row in rows for i in c.rids))
    by_org: dict[str, dict] = {}
    for o in figures.values():
        by_org.setdefault(o.org_unit, {})[(o.element, o.dims, o.period, o.scope)] = o
    orgs = {org: OrgData(org, table) for org, table in by_org.items()}
    findings = []
    for h, _, rows in results:
        findings.extend(h.found(rows, figures, orgs))
    return findings
