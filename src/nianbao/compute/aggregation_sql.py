"""The findings of aggregation (汇总) found on an SQL engine, as ``compute.aggregate.Rollup``
finds them in Python — the reference ``tests/test_aggregation_sql.py`` compares them with:

- ``aggregate.incomplete``: a sum of a unit's schools some of its members did not report to
  (the rows of ``rollup_sql.aggregate_steps`` of kind ``sum`` with ``n < expected``), naming
  the members missing (``memb`` and ``active`` without a row of ``reports``);
- ``aggregate.registry_unknown``: the members of the dataset's unit of a blank or unknown school
  type, year by year;
- ``aggregate.not_summed`` and what the registry itself says is wrong, as in Python.

They are worded by the same functions of ``compute.aggregate``. ``nianbao check`` uses them on
a server or cluster engine (``compute.engines.IN_PROCESS`` names those it does not: there the
Python roll-up was measured faster and lighter), and not where a unit above the schools gave
figures of its own (``has_area_figures``): their sums, reconciliations and the findings about
them come from the Python roll-up.
"""

from __future__ import annotations

from nianbao.compute import aggregate
from nianbao.compute.rollup_sql import EXCL, reports_steps
from nianbao.compute.sql import run_steps
from nianbao.compute.sql_engine import aggregation_options, needed_dims, run_aggregation
from nianbao.compute.tables import load_tables
from nianbao.core.findings import Finding
from nianbao.core.observations import parse_dims
from nianbao.ingest.figures import TABLE as FIGURES_TABLE
from nianbao.store import engines as store_engines

INCOMPLETE = f"""SELECT w.org_unit, w.element, w.dims, w.period, w.scope, w.n, w.expected, m.school
FROM aggregates w
JOIN memb m ON m.unit = w.org_unit AND m.dim = ''
JOIN active a ON a.school = m.school AND a.period = w.period
WHERE w.grp = '' AND w.kind = 'sum' AND w.n < w.expected AND (w.scope <> '{EXCL}' OR m.excl = 1)
  AND NOT EXISTS (SELECT 1 FROM reports p WHERE p.school = m.school AND p.element = w.element
                  AND p.dims = w.dims AND p.period = w.period)"""
KEPT = ("school_rows", "figures", "all_periods", "active", "memb")  # made by the aggregation, read by ``reports``
MEMBERS = """SELECT a.period, m.school FROM memb m JOIN active a ON a.school = m.school
WHERE m.unit IN (SELECT code FROM own_unit) AND m.dim = ''"""


def area_units(dataset) -> set[str]:
    """The units above the schools: the registry's counties, cities and provinces and the
    dataset's own unit (where it is not a school)."""
    reg = dataset.orgs
    units = {o.code for o in reg if o.level != "school"} if reg is not None else set()
    if dataset.org_unit.level != "school":
        units.add(dataset.org_unit.code)
    return units


def has_area_figures(dataset) -> bool:
    """Whether some unit above the schools gave figures of its own (then its sums are laid over
    the schools' and reconciled with its own: the Python roll-up does that)."""
    distinct = getattr(dataset, "distinct", None)
    given = distinct("org_unit") if distinct is not None else {o.org_unit for o in dataset.observations}
    return bool(given & area_units(dataset))


def findings(dataset, name: str, url: str | None = None) -> list[Finding]:
    """The findings of aggregation of school-level data, summed on engine ``name`` (for data
    where no unit above the schools gave figures: :func:`has_area_figures`)."""
    reg = dataset.orgs
    cat = dataset.catalogue
    schools = reg.schools()
    if not schools:
        return []
    out = aggregate.registry_findings(dataset)
    codes = {o.code for o in schools}
    table = aggregate.figures_table(dataset)
    given = table.elements_of(codes) if table is not None else \
        {o.element for o in dataset.observations if o.org_unit in codes}
    out += aggregate.not_summed(cat, given)
    # members of an unknown type are found where school_type is a breakdown (a group of its own, as in Python)
    breakdowns = (aggregate.config(cat) or {}).get("breakdowns") or []
    beside = name == "duckdb" and url is None and table is not None
    con = store_engines.beside(table.db) if beside else store_engines.connect(name, url)
    # only the sums of the units themselves: the summed figures the schools give, by no breakdown
    needs = {e: set() for e in given if aggregate.is_summed(cat, e)}
    try:
        layout = load_tables(con, dataset, needed_dims(cat, [], needs),
                             figures=f"main.{FIGURES_TABLE}" if beside else None)
        options = {**aggregation_options(con, layout), "needs": needs}
        run_aggregation(con, cat, groups=[], options=options, keep=KEPT)
        missing = run_steps(con, [s for s in reports_steps(cat, con.dialect, groups=[], **options)
                                  if s[0] not in KEPT][:-1] + [("result", "", INCOMPLETE)])
        own = dataset.org_unit.code
        members = []
        if "school_type" in breakdowns:
            con.load("own_unit", (("code", "text"),), [(own,)])
            members = con.query(MEMBERS)
    finally:
        con.close()
    order = {o.code: i for i, o in enumerate(schools)}
    by_sum: dict[tuple, list[str]] = {}
    for unit, element, dims, period, scope, n, expected, school in missing:
        by_sum.setdefault((unit, element, dims, int(period), scope, int(n), int(expected)), []).append(school)
    for (unit, element, dims, period, scope, n, expected), missed in by_sum.items():
        orgs = [reg.get(c) for c in sorted(missed, key=order.__getitem__)]
        out.append(aggregate.incomplete(dataset, unit, element, parse_dims(dims), period, scope, n, expected, orgs))
    out += _unknown_types(dataset, members, order)
    return out


def _unknown_types(dataset, members, order: dict[str, int]) -> list[Finding]:
    """aggregate.registry_unknown of the dataset's unit, each year some member of it has a
    blank or unknown school type."""
    reg = dataset.orgs
    by_period: dict[int, list[str]] = {}
    for period, school in members:
        by_period.setdefault(int(period), []).append(school)
    out = []
    for period in sorted(by_period):
        orgs = [reg.get(c) for c in sorted(by_period[period], key=order.__getitem__)]
        if any(aggregate.category_of(o, "school_type", dataset.catalogue) == aggregate.UNKNOWN for o in orgs):
            out.append(aggregate.registry_unknown(dataset, dataset.org_unit.code, period, orgs))
    return out
