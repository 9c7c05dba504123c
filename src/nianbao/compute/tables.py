"""A dataset as the tables an SQL engine computes from (the inputs of ``compute.sql`` and
``compute.rollup_sql``): its figures, its registry of schools and the units they belong to, its
years, its majors, and the categories of the catalogue's dimensions.

The tables hold data, not results: who belongs to which unit and breakdown category is read
from the registry; every sum, count and ratio is left to the engine.
"""

from __future__ import annotations

from nianbao.core.observations import dims_text
from nianbao.core.orgs import UNKNOWN, category_of, counts_as_school

TABLES = {
    "observations": (("org_unit", "text"), ("element", "text"), ("dims", "text"), ("period", "int"),
                     ("scope", "text"), ("value", "float")),
    "schools": (("code", "text"), ("excl", "int"), ("countable", "int"), ("founded", "int"), ("closed", "int")),
    "memberships": (("school", "text"), ("unit", "text"), ("dim", "text"), ("category", "text")),
    "periods": (("period", "int"),),
    "majors": (("org_unit", "text"), ("identity", "text"), ("category", "text"), ("opened", "int"),
               ("closed", "int")),
    "categories": (("dim", "text"), ("category", "text"), ("dims", "text"), ("complete", "int")),
    "areas": (("code", "text"), ("rank", "int"), ("parent", "text")),
}
LEVELS = ("province", "city", "county", "school")
DIRECT = "__direct__"  # the membership of a school in the unit right above it (not via a child area)


def observation_rows(observations) -> list[tuple]:
    return [(o.org_unit, o.element, dims_text(o.dims), int(o.period), o.scope, float(o.value)) for o in observations]


def observation_columns(observations) -> dict[str, list]:
    """The observations table as whole columns (name → list), for an engine that loads columns
    in bulk; the text of each distinct disaggregation is made once."""
    texts: dict = {}
    return {
        "org_unit": [o.org_unit for o in observations],
        "element": [o.element for o in observations],
        "dims": [texts[o.dims] if o.dims in texts else texts.setdefault(o.dims, dims_text(o.dims))
                 for o in observations],
        "period": [int(o.period) for o in observations],
        "scope": [o.scope for o in observations],
        "value": [float(o.value) for o in observations],
    }


def load_tables(con, dataset, dims=None, figures: str | None = None) -> None:
    """Load the tables of ``dataset`` into the engine connection ``con``; ``dims`` limits the
    breakdown memberships to those dimensions (None: every breakdown of aggregation.yaml).
    ``figures``: a table of the engine that holds the dataset's figures already (``ingest.figures``),
    the observations taken from it instead of from objects."""
    for table, (columns, rows) in dataset_tables(dataset, dims, observations=False).items():
        if table == "observations" and figures is not None:
            typed = ", ".join(f"CAST({n} AS {con.dialect.type_name(t)}) AS {n}" for n, t in columns)
            con.materialize(table, f"SELECT {typed} FROM {figures}")
        elif table == "observations":
            con.load_columns(table, columns, observation_columns(dataset.observations))
        else:
            con.load(table, columns, rows)


def dataset_tables(dataset, dims=None, observations: bool = True) -> dict[str, tuple[tuple, list[tuple]]]:
    """table name → (columns, rows) for one dataset; ``dims`` limits the breakdown memberships
    to those dimensions; without ``observations`` the observations table is left empty (for a
    caller that loads it as columns)."""
    cat = dataset.catalogue
    cfg = cat.aggregation or {}
    reg = dataset.orgs
    schools = reg.schools() if reg is not None else []
    excluded = set((cfg.get("scopes", {}).get("excl_technical") or {}).get("exclude_school_types", ["technical"]))
    breakdowns = [d for d in cfg.get("breakdowns") or [] if dims is None or d in dims]
    school_rows, memberships = [], []
    for o in schools:
        school_rows.append((o.code, int(o.school_type not in excluded), int(counts_as_school(o, cat)),
                            o.founded or None, o.closed or None))
        units = reg.units_of(o.code)
        if units:
            memberships.append((o.code, units[0], DIRECT, ""))
        # a blank or unknown category is a group of its own: unknown
        cats = [(dim, (reg.county_of(o.code) or UNKNOWN) if dim == "county" else category_of(o, dim, cat))
                for dim in breakdowns]
        for unit in units:
            memberships.append((o.code, unit, "", ""))
            memberships.extend((o.code, unit, dim, category) for dim, category in cats)
    codes = {o.code for o in schools}
    majors = [(p.org_unit, f"{p.version}|{p.name}", p.category, p.opened or None, p.closed or None)
              for p in dataset.majors if p.org_unit in codes]
    categories = [(dim, c, f"{dim}={c}", int(bool(spec.get("complete"))))
                  for dim, spec in cat.dimensions.items() for c in (spec.get("categories") or {})]
    areas = []  # the units above schools, and the dataset's own unit where the registry lacks it
    if reg is not None:
        areas = [(o.code, LEVELS.index(o.level), o.parent or "") for o in reg if o.level != "school"]
        own = dataset.org_unit
        if own.code not in reg and own.level in LEVELS and own.level != "school":
            areas.append((own.code, LEVELS.index(own.level), ""))
    rows = {
        "areas": areas,
        "observations": observation_rows(dataset.observations) if observations else [],
        "schools": school_rows,
        "memberships": memberships,
        "periods": [(int(p),) for p in sorted(set(dataset.periods))],
        "majors": majors,
        "categories": categories,
    }
    return {name: (TABLES[name], rows[name]) for name in TABLES}
