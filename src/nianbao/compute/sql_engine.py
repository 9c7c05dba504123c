"""The figures of a dataset computed on an SQL engine (DuckDB, SQLite, PostgreSQL, Spark): the
dataset's tables are loaded into the engine, the school figures are summed there
(``compute.rollup_sql``), and every data element and indicator of every unit and breakdown group
is computed there (``compute.sql``). Python then only turns the rows a report or a table needs
into facts, with the provenance of the observations they used.
"""

from __future__ import annotations

from nianbao.compute import provenance
from nianbao.compute.facts import Computed, FactBook
from nianbao.compute.rollup_sql import aggregate_steps, unit_observations_sql
from nianbao.compute.sql import elements_sql, indicator_steps, run_steps
from nianbao.compute.tables import dataset_tables
from nianbao.core.observations import Observation, dims_text, parse_dims
from nianbao.store import engines as store_engines

KEYED = """SELECT CASE WHEN grp = '' THEN org_unit ELSE org_unit || '|' || grp END AS org_unit,
       element, dims, period, scope, value
FROM unit_observations"""


def unit_key(org: str, group: str = "") -> str:
    """The key of a unit (``140200``) or of a breakdown group of it (``140200|affiliation=municipal``)."""
    return f"{org}|{group}" if group else org


def run_aggregation(con, catalogue, table: str = "aggregates") -> None:
    """Sum the school figures on ``con`` into ``table``."""
    run_steps(con, aggregate_steps(catalogue, con.dialect), table)


class SqlFigures:
    """Every figure of one dataset, computed once on the engine ``name``."""

    def __init__(self, dataset, name: str, url: str | None = None, connection=None):
        self.dataset = dataset
        self.name = name
        cat = dataset.catalogue
        con = connection or store_engines.connect(name, url)
        try:
            for table, (columns, rows) in dataset_tables(dataset).items():
                con.load(table, columns, rows)
            run_aggregation(con, cat)
            con.materialize("unit_observations", unit_observations_sql(catalogue=cat))
            con.materialize("unit_keyed", KEYED)
            obs_rows = con.query("SELECT org_unit, grp, element, dims, period, scope, value, n, expected, kind "
                                 "FROM unit_observations")
            element_rows = con.query(elements_sql("unit_keyed"))
            indicator_rows = run_steps(con, indicator_steps(cat, table="unit_keyed"))
        finally:
            if connection is None:
                con.close()
        own = {(o.org_unit, o.element, dims_text(o.dims), o.period, o.scope): o for o in dataset.observations}
        self.observations: dict[str, list[Observation]] = {}
        for org, grp, element, dims, period, scope, value, n, expected, kind in obs_rows:
            period = int(period)
            if kind == "own":
                o = own[(org, element, dims, period, scope)]
            else:
                source, origin = _provenance(kind, n, expected, scope, period)
                o = Observation(element=element, dims=parse_dims(dims), period=period, scope=scope,
                                value=float(value), org_unit=org, source=source, origin=origin)
            self.observations.setdefault(unit_key(org, grp), []).append(o)
        self.taken: dict[str, dict] = {}
        for key, element, dims, period, scope, _value in element_rows:
            self.taken.setdefault(key, {})[(element, parse_dims(dims), int(period))] = scope
        self.computed: dict[str, dict] = {}
        for key, period, code, _scope, num, den, value, reported, inputs in indicator_rows:
            self.computed.setdefault(key, {})[(code, int(period))] = Computed(
                value=float(value), numerator=None if num is None else float(num),
                denominator=None if den is None else float(den), reported=bool(reported),
                inputs=tuple(inputs.split(",")))

    def units(self) -> list[str]:
        return sorted(self.observations)

    def factbook(self, org: str, group: str = "") -> FactBook:
        key = unit_key(org, group)
        return FactBook(self.dataset.catalogue, org, self.observations.get(key, []), self.dataset.periods,
                        computed=self.computed.get(key, {}), taken=self.taken.get(key, {}), engine=self.name)


def _provenance(kind: str, n, expected, scope: str, period: int) -> tuple[str, str]:
    if kind == "units":
        return provenance.UNITS, provenance.units_origin(n, expected, scope)
    if kind in ("registry", "zero"):
        return provenance.REGISTRY, provenance.registry_origin(period)
    if kind == "majors":
        if not n and not expected:  # a school's own majors table
            return provenance.MAJORS, provenance.majors_origin()
        return provenance.MAJORS, provenance.majors_origin(n, expected, scope)
    return provenance.SUMMED, provenance.summed_origin(n, expected, scope)


def figures(dataset, name: str, url: str | None = None) -> SqlFigures:
    """The figures of ``dataset`` on engine ``name``, computed once and kept on the dataset."""
    cache = dataset.__dict__.setdefault("_nianbao_sql_figures", {})
    stamp = (id(dataset.observations), len(dataset.observations), id(dataset.orgs))
    key = (name, url)
    if key not in cache or cache[key][0] != stamp:
        cache[key] = (stamp, SqlFigures(dataset, name, url))
    return cache[key][1]
