"""A dataset as the tables an SQL engine computes from (the inputs of ``compute.sql`` and
``compute.rollup_sql``): its figures, its registry of schools and the units they belong to, its
years, its majors, and the categories of the catalogue's dimensions.

The tables hold data, not results: who belongs to which unit and breakdown category is read
from the registry; every sum, count and ratio is left to the engine.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from nianbao.core.observations import dims_text
from nianbao.core.orgs import UNKNOWN, school_types

SCHOOL_COLUMNS = (("code", "text"), ("excl", "int"), ("countable", "int"), ("founded", "int"), ("closed", "int"),
                  ("direct", "text"))
TABLES = {
    "observations": (("org_unit", "text"), ("element", "text"), ("dims", "text"), ("period", "int"),
                     ("scope", "text"), ("value", "float")),
    "schools": SCHOOL_COLUMNS,  # and the columns of a Layout: u0, u1 … and g_<dim> …
    "periods": (("period", "int"),),
    "majors": (("org_unit", "text"), ("identity", "text"), ("category", "text"), ("opened", "int"),
               ("closed", "int")),
    "categories": (("dim", "text"), ("category", "text"), ("dims", "text"), ("complete", "int")),
    "areas": (("code", "text"), ("rank", "int"), ("parent", "text")),
}
LEVELS = ("province", "city", "county", "school")
DIRECT = "__direct__"  # the membership of a school in the unit right above it (not via a child area)
_DIM = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


@dataclass(frozen=True)
class Layout:
    """Where the schools table keeps the units and breakdown categories of a school, so that one
    GROUPING SETS pass sums every unit: column ``u{i}`` (a slot) holds one unit of each school —
    the slots are chosen so that every unit is in one slot only (provinces in one, cities in
    another …) and no school has two units in one —, ``g_{dim}`` its category of each breakdown
    (``unknown`` for a blank or unknown one), ``direct`` the unit right above it.

    ``slot_of`` maps each unit to its slot."""
    slots: int = 3
    dims: tuple[str, ...] = ()
    slot_of: dict = field(default_factory=dict, compare=False, hash=False)

    def __post_init__(self):
        for d in self.dims:
            if not _DIM.match(d):
                raise ValueError(f"unsafe breakdown name {d!r}")

    @property
    def columns(self) -> tuple:
        return SCHOOL_COLUMNS + tuple((f"u{i}", "text") for i in range(self.slots)) + tuple(
            (f"g_{d}", "text") for d in self.dims)

    def slots_of(self, units) -> list[int]:
        """The slots holding any of ``units`` (None: every slot)."""
        if units is None:
            return list(range(self.slots))
        return sorted({self.slot_of[u] for u in units if u in self.slot_of})


def unit_slots(reg, schools) -> tuple[int, dict]:
    """(number of slots, unit → slot) for the units of ``schools``: provinces, cities, counties and
    other units each in a slot of their own where every school has at most one of each; units
    that would share a slot with another unit of the same school get the first free slot (a
    colouring of the units that share a school)."""
    rank = {lv: i for i, lv in enumerate(LEVELS[:-1])}
    # the schools of one parent and county share one chain (Registry.units_of): each looked at once
    chains = list({id(c): c for c in (reg.units_of(o.code) for o in schools)}.values())
    units = {u for chain in chains for u in chain}
    pref = {u: rank.get(reg.get(u).level, len(rank)) if u in reg else len(rank) for u in units}
    if all(len({pref[u] for u in chain}) == len(chain) for chain in chains):
        used = sorted(set(pref.values()))
        index = {p: i for i, p in enumerate(used)}
        return len(used), {u: index[p] for u, p in pref.items()}
    shared: dict[str, set] = {u: set() for u in units}
    for chain in chains:
        for u in chain:
            shared[u].update(chain)
    slot: dict[str, int] = {}
    for u in sorted(units, key=lambda u: (pref[u], u)):
        taken = {slot[v] for v in shared[u] if v in slot}
        slot[u] = next(i for i in range(len(taken) + 1) if i not in taken)
    return (max(slot.values()) + 1 if slot else 0), slot


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


def figures_table(dataset):
    """The dataset's table of figures (``ingest.figures.Figures``) where its figures are in one,
    no object made of them yet; else None (the observations are read)."""
    has = getattr(dataset, "has_figures", None)
    return dataset.figures() if has is not None and has() else None


def data_stamp(dataset) -> tuple:
    """What a result computed from a dataset's figures and registry is kept by: it is computed
    again once either is replaced (a copy of the dataset with other figures gets its own)."""
    table = figures_table(dataset)
    held = table if table is not None else dataset.observations
    return (id(held), table.size if table is not None else len(held), id(dataset.orgs))


def load_tables(con, dataset, dims=None, figures: str | None = None) -> Layout:
    """Load the tables of ``dataset`` into the engine connection ``con``; ``dims`` limits the
    breakdown categories to those dimensions (None: every breakdown of aggregation.yaml).
    ``figures``: a table of the engine that holds the dataset's figures already (``ingest.figures``),
    the observations taken from it instead of from objects. The layout of the schools table is
    returned."""
    tables, layout = dataset_layout(dataset, dims, observations=False)
    for table, (columns, rows) in tables.items():
        if table == "observations" and figures is not None:
            typed = ", ".join(f"CAST({n} AS {con.dialect.type_name(t)}) AS {n}" for n, t in columns)
            con.view(table, f"SELECT {typed} FROM {figures}")  # read where it is, not copied
        elif table == "observations":
            con.load_columns(table, columns, observation_columns(dataset.observations))
        else:
            con.load(table, columns, rows)
    return layout


def dataset_tables(dataset, dims=None, observations: bool = True) -> dict[str, tuple[tuple, list[tuple]]]:
    """table name → (columns, rows) for one dataset; ``dims`` limits the breakdown categories
    to those dimensions; without ``observations`` the observations table is left empty (for a
    caller that loads it as columns)."""
    return dataset_layout(dataset, dims, observations)[0]


def dataset_layout(dataset, dims=None, observations: bool = True) -> tuple[dict, Layout]:
    """:func:`dataset_tables` and the layout of its schools table."""
    cat = dataset.catalogue
    cfg = cat.aggregation or {}
    reg = dataset.orgs
    schools = reg.schools() if reg is not None else []
    excluded = set((cfg.get("scopes", {}).get("excl_technical") or {}).get("exclude_school_types", ["technical"]))
    breakdowns = tuple(d for d in cfg.get("breakdowns") or [] if dims is None or d in dims)
    n_slots, slot_of = unit_slots(reg, schools) if schools else (0, {})
    layout = Layout(n_slots, breakdowns, slot_of)
    counted, known = school_types(cat)
    # a blank or unknown category is a group of its own: unknown
    known_cats = {d: set(((cat.dimensions.get(d) or {}).get("categories") or {})) for d in breakdowns}
    school_rows = []
    placed: dict[int, tuple] = {}  # the slots of each chain of units, filled once
    for o in schools:
        units = reg.units_of(o.code)
        slots = placed.get(id(units))
        if slots is None:
            filled: list = [None] * n_slots
            for u in units:
                filled[slot_of[u]] = u
            slots = placed[id(units)] = tuple(filled)
        cats = []
        for dim in breakdowns:
            if dim == "county":
                cats.append(reg.county_of(o.code) or UNKNOWN)
            else:
                value = getattr(o, dim, "") or ""
                cats.append(value if value and (not known_cats[dim] or value in known_cats[dim]) else UNKNOWN)
        countable = o.counts_as_school and (not known or o.school_type in counted)
        school_rows.append((o.code, int(o.school_type not in excluded), int(countable), o.founded or None,
                            o.closed or None, units[0] if units else None, *slots, *cats))
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
        "periods": [(int(p),) for p in sorted(set(dataset.periods))],
        "majors": majors,
        "categories": categories,
    }
    columns = {**TABLES, "schools": layout.columns}
    return {name: (columns[name], rows[name]) for name in TABLES}, layout
