"""The figures of a dataset computed on an SQL engine (DuckDB, SQLite, PostgreSQL, Spark): the
dataset's tables are loaded into the engine, the school figures are summed there
(``compute.rollup_sql``), and every data element and indicator of every unit and breakdown group
is computed there (``compute.sql``). Python then only turns the rows a report or a table needs
into facts, with the provenance of the observations they used.
"""

from __future__ import annotations

from functools import lru_cache

from nianbao.compute import provenance
from nianbao.compute.facts import Computed, FactBook
from nianbao.compute.rollup_sql import (
    EXCL,
    aggregate_steps,
    computed_elements,
    reports_steps,
    rules,
    unit_observations_sql,
)
from nianbao.compute.scopes import SCOPE_ORDER
from nianbao.compute.sql import (
    PIVOT_KEYS,
    computable,
    elements_sql,
    flat_indicator_steps,
    flat_rows,
    needs_of,
    run_steps,
)
from nianbao.compute.tables import data_stamp, load_tables
from nianbao.core.observations import Observation, dims_text, parse_dims
from nianbao.ingest.figures import TABLE as FIGURES_TABLE
from nianbao.store import engines as store_engines

KEYED = """SELECT CASE WHEN grp = '' THEN org_unit ELSE org_unit || '|' || grp END AS org_unit,
       element, dims, period, scope, value
FROM unit_observations"""


def unit_key(org: str, group: str = "") -> str:
    """The key of a unit (``140200``) or of a breakdown group of it (``140200|affiliation=municipal``)."""
    return f"{org}|{group}" if group else org


def aggregation_options(con, layout, units=None, unit_codes=None) -> dict:
    """The options of ``rollup_sql.aggregate_steps`` for the tables loaded on ``con``: whether
    units above the schools gave figures themselves (then every unit is summed), the slots of
    the schools table holding the units asked for (``unit_codes``, in the table ``units``), and
    whether every figure is in one scope."""
    areas, n_scopes = con.query("SELECT (SELECT COUNT(*) FROM observations o JOIN areas a ON a.code = o.org_unit), "
                                "(SELECT COUNT(DISTINCT scope) FROM observations)")[0]
    areas = bool(areas)
    limited = units is not None and not areas
    return {"areas": areas, "units": units if limited else None, "layout": layout,
            "slots": layout.slots_of(unit_codes) if limited and unit_codes is not None else None,
            "one_scope": int(n_scopes) <= 1}


def run_aggregation(con, catalogue, table: str = "aggregates", groups=None, keep=(), options=None) -> None:
    """Sum the school figures on ``con`` into ``table`` (``groups``: the breakdown groups to
    compute, None for all; ``keep``: steps also kept as tables, for later queries; ``options``
    from :func:`aggregation_options`)."""
    run_steps(con, aggregate_steps(catalogue, con.dialect, groups, **(options or {})), table, keep=keep)


WANTED = "wanted_units"  # the units whose figures are fetched, when not all are
WANTED_ELEMENTS = "wanted_elements"  # the data elements whose figures are fetched, when not all are


def needed_dims(catalogue, groups, needs=None) -> list[str] | None:
    """The breakdowns whose memberships the engine needs: those asked for as groups and those
    some data element is broken down by — of ``needs`` (``compute.sql.needs_of``), by which it
    is asked — (None: every breakdown)."""
    if groups is None:
        return None
    r = rules(catalogue, needs)
    return [d for d in r["breakdowns"] if d in groups or r["with_dim"].get(d)]


class SqlFigures:
    """Every figure of one dataset, computed once on the engine ``name``.

    By default the figures of every unit and breakdown group are fetched. ``units`` (org codes)
    fetches only the figures of those units (and of their groups); ``groups`` (breakdown
    dimensions) computes only those breakdown groups; ``keep_open`` keeps the engine's tables
    for :meth:`included` until :meth:`close`; ``wanted`` ((code, dims) of indicators and data
    elements) computes only those figures and what they are computed from (None: every
    figure). The results stay on the engine (``unit_observations``, ``unit_elements``,
    ``unit_indicators``): kept open, they are fetched a batch of units at a time as a caller asks
    for them (the dialect's ``fetch_batch``), else all at once before the engine is let go. Python
    objects are made only for the units a caller asks for (:meth:`factbook`), each time."""

    def __init__(self, dataset, name: str, url: str | None = None, connection=None, units=None, groups=None,
                 keep_open: bool = False, wanted=None):
        self.dataset = dataset
        self.name = name
        cat = dataset.catalogue
        groups = None if groups is None else sorted(groups)
        self.groups = groups
        if wanted is not None:  # the indicators some unit may have a value of, and what they read
            distinct = getattr(dataset, "distinct", None)
            given = distinct("element") if distinct is not None else {o.element for o in dataset.observations}
            there = computed_elements(cat, given, dataset.orgs is not None, bool(dataset.majors))
            derived = computable(cat, [c for c, _ in wanted if cat.indicator(c).derived],
                                 lambda r: r.element in there)
            wanted = [(c, d) for c, d in wanted if (c in derived if cat.indicator(c).derived else c in there)]
        needs = None if wanted is None else needs_of(cat, wanted)
        # on DuckDB in this process, beside the dataset's own table of figures: read there, no object made
        beside = connection is None and name == "duckdb" and url is None and hasattr(dataset, "figures")
        self._figures = dataset.figures() if beside else None
        con = connection or (store_engines.beside(self._figures.db) if beside else store_engines.connect(name, url))
        self._con = None
        try:
            layout = load_tables(con, dataset, needed_dims(cat, groups, needs),
                                 figures=f"main.{FIGURES_TABLE}" if beside else None)
            if units is not None:
                units = list(dict.fromkeys(units))
                con.load(WANTED, (("code", "text"),), [(u,) for u in units])
            self._options = aggregation_options(con, layout, None if units is None else WANTED, units)
            if needs is not None:
                self._options["needs"] = needs
            run_aggregation(con, cat, groups=groups, options=self._options,
                            keep=("school_facts", "complete_keys") if keep_open else ())
            select = unit_observations_sql(catalogue=cat)
            where = [] if units is None else [f"org_unit IN (SELECT code FROM {WANTED})"]
            if needs is not None:  # the figures the wanted are computed from: no unit's other figures
                con.load(WANTED_ELEMENTS, (("code", "text"),), [(e,) for e in sorted(needs)])
                where.append(f"element IN (SELECT code FROM {WANTED_ELEMENTS})")
            if where:
                select = f"SELECT * FROM ({select}) uo WHERE {' AND '.join(where)}"
            con.materialize("unit_observations", select)
            con.view("unit_keyed", KEYED)
            # the scopes and figures of the units fetched
            present = {r[0] for r in con.query("SELECT DISTINCT scope FROM unit_observations")}
            given = {(e, d) for e, d in con.query("SELECT DISTINCT element, dims FROM unit_observations")}
            # the indicators whose inputs some unit has: the others have no value anywhere
            derived = [c for c, ind in cat.indicators.items() if ind.derived] if wanted is None else \
                [c for c in dict.fromkeys(c for c, _dims in wanted) if cat.indicator(c).derived]
            codes = computable(cat, derived, given)
            con.materialize("unit_elements", elements_sql("unit_keyed"))
            if codes:
                steps, codes, keys = flat_indicator_steps(cat, codes, table="unit_keyed", keys="pivot_keys",
                                                          present=present if present <= set(SCOPE_ORDER) else None)
                con.load("pivot_keys", PIVOT_KEYS, keys)
                run_steps(con, steps, "unit_indicators")
            self._codes = codes
            # every unit and group fetched (unit_key → its unit), and the order they are fetched in
            self._keys = {unit_key(u, g): u for u, g in con.query("SELECT DISTINCT org_unit, grp FROM unit_observations")}
            reg = dataset.orgs
            there = set(self._keys.values())
            order = [u for u in dict.fromkeys([*(units or ()), *(o.code for o in reg or ())]) if u in there]
            self._order = order + sorted(there - set(order))
            self._index = {u: i for i, u in enumerate(self._order)}
            self._elements = None if needs is None else set(needs)
            # the batch fetched: (first, count) of its units in _order, their rows by unit_key, the
            # scope each data element took, the indicators computed and the own rows read of them
            self._batch: tuple[int, int] | None = None
            self._rows: dict[str, list[tuple]] = {}
            self.taken: dict[str, dict] = {}
            self.computed: dict[str, dict] = {}
            self._own: dict | None = None
            self._reads = 0
            self._con = con
            if not keep_open:  # every unit fetched at once, then the engine let go
                self._fetch(0, len(self._order))
                self._con = None
        finally:
            if connection is None and self._con is None:
                con.close()
        self._members = False  # memb, active, reports made on the engine (for included, categories)

    def _fetch(self, first: int, count: int) -> None:
        """Fetch the figures of the units ``_order[first:first + count]`` (and of their groups):
        their observations (rows), the scope each data element took and the indicators computed,
        the batch fetched before let go."""
        con = self._con
        keys = [(k, u) for k, u in self._keys.items() if first <= self._index[u] < first + count]
        self._rows, self.taken, self.computed = {k: [] for k, _ in keys}, {}, {}
        if self._figures is not None:  # read again for the new batch (objects: every unit's, kept)
            self._own = None
        self._batch = (first, count)
        if not keys:
            return
        con.load("batch_keys", (("unit_key", "text"), ("org_unit", "text")), keys)
        one = {}.setdefault  # a code, unit or text repeated over many rows: one object for all of them
        obs_rows = con.query("SELECT o.org_unit, o.grp, o.element, o.dims, o.period, o.scope, o.value, o.n, "
                             "o.expected, o.kind FROM unit_observations o "
                             "WHERE o.org_unit IN (SELECT DISTINCT org_unit FROM batch_keys)")
        for i, (org, grp, element, dims, period, scope, value, n, expected, kind) in enumerate(obs_rows):
            row = (one(org, org), one(grp, grp), one(element, element), one(dims, dims), one(period, int(period)),
                   one(scope, scope), value, n, expected, one(kind, kind))
            obs_rows[i] = None  # the engine's row let go as its compact copy is made
            self._rows[unit_key(row[0], row[1])].append(row)
        del obs_rows
        for key, element, dims, period, scope, _value in con.query(
                "SELECT e.* FROM unit_elements e WHERE e.org_unit IN (SELECT unit_key FROM batch_keys)"):
            self.taken.setdefault(one(key, key), {})[(one(element, element), parse_dims(dims),
                                                      one(period, int(period)))] = one(scope, scope)
        if self._codes:
            split: dict[str, tuple] = {}
            rows = con.query("SELECT i.* FROM unit_indicators i WHERE i.org_unit IN (SELECT unit_key FROM batch_keys)")
            for key, period, code, _scope, num, den, value, reported, inputs in flat_rows(rows, self._codes):
                used = split.get(inputs)
                if used is None:
                    used = split[inputs] = tuple(one(i, i) for i in inputs.split(","))
                self.computed.setdefault(one(key, key), {})[(one(code, code), one(period, int(period)))] = Computed(
                    value=float(value), numerator=None if num is None else float(num),
                    denominator=None if den is None else float(den), reported=bool(reported), inputs=used)

    def _batch_of(self, key: str) -> None:
        """Have the batch that holds ``key`` fetched: the units from its own on, in ``_order`` (a
        caller going through them in that order fetches each once, the dialect's ``fetch_batch``
        at a time); once they were asked for out of that order too often, every unit at once."""
        i = self._index.get(self._keys.get(key))
        first, count = self._batch or (0, 0)
        if i is None or first <= i < first + count:
            return
        if self._con is None:
            raise RuntimeError("SqlFigures closed: a unit of another batch is fetched only while open")
        self._reads += 1
        size = self._con.dialect.fetch_batch
        if not size or self._reads > 3 * (len(self._order) // size + 1):
            self._fetch(0, len(self._order))
        else:
            self._fetch(i, size)

    @property
    def observations(self) -> dict[str, list[Observation]]:
        """Every fetched unit's observations (key: ``unit_key``)."""
        return {key: self.observations_of(key) for key in self._keys}

    def observations_of(self, key: str) -> list[Observation]:
        """The observations of one unit or group (``unit_key``), made each time they are asked
        for (a caller keeps what it needs: a table of every school's figures holds one batch of
        schools' rows and one school's objects at a time)."""
        self._batch_of(key)
        return [self._observation(row) for row in self._rows.get(key, [])]

    def _observation(self, row) -> Observation:
        org, _grp, element, dims, period, scope, value, n, expected, kind = row
        if kind == "own":
            return self._own_rows()[(org, element, dims, period, scope)]
        source, origin = _provenance(kind, n, expected, scope, period)
        return Observation(element=element, dims=parse_dims(dims), period=period, scope=scope,
                           value=float(value), org_unit=org, source=source, origin=origin)

    def _own_rows(self) -> dict[tuple, Observation]:
        """The dataset's own rows of the units of the batch fetched, keyed (unit, element, dims
        text, period, scope): read from the table of figures for those units alone — or, where
        the figures are objects, every unit's at once (kept across batches)."""
        if self._own is None:
            if self._figures is not None:
                first, count = self._batch
                rows = self._figures.observations(self._order[first:first + count], elements=self._elements)
            else:
                rows = (o for o in self.dataset.observations
                        if o.org_unit in self._index and (self._elements is None or o.element in self._elements))
            self._own = _keyed(rows)
        return self._own

    def units(self) -> list[str]:
        return sorted(self._keys)

    def factbook(self, org: str, group: str = "") -> FactBook:
        key = unit_key(org, group)
        self._batch_of(key)
        return FactBook(self.dataset.catalogue, org, self.observations_of(key), self.dataset.periods,
                        computed=self.computed.get(key, {}), taken=self.taken.get(key, {}), engine=self.name)

    def _members_tables(self):
        """The connection, with the tables ``memb``, ``active`` and ``reports`` made (once)."""
        if self._con is None:
            raise RuntimeError("SqlFigures.included and categories need keep_open=True")
        if not self._members:
            run_steps(self._con, reports_steps(self.dataset.catalogue, self._con.dialect, groups=self.groups,
                                               **self._options), keep=("memb", "active", "reports"))
            self._members = True
        return self._con

    def included(self, wanted) -> dict[tuple, list[str]]:
        """The schools behind figures, as ``compute.aggregate.Rollup.included`` gives them:
        ``wanted`` holds (unit, group, element, plain dims text, period, scope) — group ``''``
        or ``dim=category`` —, the answer maps each to the school codes (sorted). Needs
        ``keep_open``. The reporters of a summed figure; the members for a figure counted from
        the registry (those counted as schools) or by a condition or from the majors table."""
        wanted = list(dict.fromkeys(wanted))
        out: dict[tuple, list[str]] = {k: [] for k in wanted}
        reg = self.dataset.orgs
        for k in wanted:  # a school's own figure is the school's
            if reg is not None and k[0] in reg and reg.get(k[0]).level == "school":
                out[k] = [k[0]]
        wanted = [k for k in wanted if not out[k]]
        if not wanted:
            return out
        r = rules(self.dataset.catalogue)
        computed = set(r["conditions"]) | set(r["majors"])
        rows = {(u, g, e, d, int(p), "excl" if s == EXCL else "all",
                 "registry" if e in r["registry"] else "members" if e in computed else "reported"): None
                for u, g, e, d, p, s in wanted}
        back: dict[tuple, list[tuple]] = {}
        for k in wanted:  # 'all' and 'unstated' count the same schools
            u, g, e, d, p, s = k
            back.setdefault((u, g, e, d, int(p), "excl" if s == EXCL else "all"), []).append(k)
        con = self._members_tables()
        con.load("wanted_figures", (("unit", "text"), ("grp", "text"), ("element", "text"), ("dims", "text"),
                                    ("period", "int"), ("scope", "text"), ("kind", "text")), list(rows))
        got = con.query(f"""SELECT w.unit, w.grp, w.element, w.dims, w.period, w.scope, {con.dialect.join_text('m.school')}
FROM wanted_figures w
JOIN memb m ON m.unit = w.unit
  AND ((w.grp = '' AND m.dim = '') OR (w.grp <> '' AND m.dim || '=' || m.category = w.grp))
JOIN active a ON a.school = m.school AND a.period = w.period
LEFT JOIN reports p ON w.kind = 'reported' AND p.school = m.school AND p.element = w.element AND p.dims = w.dims
     AND p.period = w.period
WHERE (w.scope = 'all' OR m.excl = 1)
  AND (w.kind = 'members' OR (w.kind = 'registry' AND m.countable = 1) OR (w.kind = 'reported' AND p.school IS NOT NULL))
GROUP BY w.unit, w.grp, w.element, w.dims, w.period, w.scope""")
        for u, g, e, d, p, s, schools in got:
            codes = schools.split(",")
            for k in back[(u, g, e, d, int(p), s)]:
                out[k] = codes
        for k in out:
            out[k] = sorted(out[k])
        return out

    def counts(self, rows) -> list[int]:
        """The number of schools behind each of ``rows`` (each a list of keys as :meth:`included`
        takes them): the schools of the union of its keys, as ``len`` of the union of
        :meth:`included` — counted on the engine from each school's set of keys (a bit a key),
        without listing the schools. Needs ``keep_open``."""
        if self._con is None:
            raise RuntimeError("SqlFigures.counts needs keep_open=True")
        rows = [list(dict.fromkeys(keys)) for keys in rows]
        reg = self.dataset.orgs
        out: list = [None] * len(rows)
        exact, summed = [], []
        for i, keys in enumerate(rows):
            if not keys:
                out[i] = 0
            elif reg is not None and keys[0][0] in reg and reg.get(keys[0][0]).level == "school":
                out[i] = 1  # a school's own figures are the school's
            elif len({(u, g, "excl" if sc == EXCL else "all") for u, g, _e, _d, _p, sc in keys}) > 1:
                exact.append(i)  # inputs of several groups or scopes: the lists
            else:
                summed.append(i)
        if summed:
            r = rules(self.dataset.catalogue)
            computed = set(r["conditions"]) | set(r["majors"])
            kinds = {}
            for i in summed:
                for u, g, e, d, p, sc in rows[i]:
                    kind = "registry" if e in r["registry"] else "members" if e in computed else "reported"
                    kinds.setdefault((e if kind == "reported" else "", d if kind == "reported" else "", int(p), kind),
                                     len(kinds))
            words = (len(kinds) + BITS - 1) // BITS
            groups = {(u, g) for i in summed for u, g, *_ in rows[i]}
            con = self._con
            con.load("count_keys", (("element", "text"), ("dims", "text"), ("period", "int"), ("kind", "text"),
                                    ("word", "int"), ("bit", "int")),
                     [(e, d, p, k, n // BITS, 1 << (n % BITS)) for (e, d, p, k), n in kinds.items()])
            con.load("count_groups", (("unit", "text"), ("grp", "text")), sorted(groups))
            masks = {}
            # school_facts: what each school adds, kept from the aggregation
            memb = [s for s in aggregate_steps(self.dataset.catalogue, con.dialect, self.groups, **self._options)
                    if s[0] == "memb"]
            for unit, grp, n_all, n_excl, *mask in run_steps(con, memb + _counts_steps(words, con.dialect)):
                masks.setdefault((unit, grp), []).append((n_all, n_excl, [int(m or 0) for m in mask]))
            for i in summed:
                keys = rows[i]
                want = [0] * words
                for u, g, e, d, p, sc in keys:
                    kind = "registry" if e in r["registry"] else "members" if e in computed else "reported"
                    n = kinds[(e if kind == "reported" else "", d if kind == "reported" else "", int(p), kind)]
                    want[n // BITS] |= 1 << (n % BITS)
                excl = keys[0][5] == EXCL
                out[i] = sum(n_excl if excl else n_all for n_all, n_excl, mask in masks.get(keys[0][:2], ())
                             if any(m & w for m, w in zip(mask, want)))
        if exact:
            lists = self.included(k for i in exact for k in rows[i])
            for i in exact:
                out[i] = len({c for k in rows[i] for c in lists[k]})
        return out

    def categories(self, org: str, dim: str) -> list[str]:
        """The categories of breakdown ``dim`` among the schools of ``org`` (needs ``keep_open``)."""
        if not hasattr(self, "_categories"):
            con = self._members_tables()
            self._categories: dict[tuple, set] = {}
            for unit, d, c in con.query("SELECT DISTINCT unit, dim, category FROM memb WHERE dim <> ''"):
                self._categories.setdefault((unit, d), set()).add(c)
        return sorted(self._categories.get((org, dim), ()))

    def close(self) -> None:
        if self._con is not None:
            self._con.close()
            self._con = None


def _keyed(observations) -> dict[tuple, Observation]:
    """Observations by (unit, element, dims text, period, scope), the text of each distinct
    disaggregation made once."""
    texts: dict[tuple, str] = {}
    return {(o.org_unit, o.element, texts[o.dims] if o.dims in texts else texts.setdefault(o.dims, dims_text(o.dims)),
             o.period, o.scope): o for o in observations}


BITS = 31  # keys a word of bits: a sum of distinct powers of two below 2³¹ is an INTEGER on every engine


def _counts_steps(words: int, dialect) -> list[tuple[str, str, str]]:
    """The steps after ``memb`` (of ``rollup_sql.aggregate_steps``), reading the tables
    ``school_facts`` and ``complete_keys`` the aggregation kept, that give, per unit and group
    of ``count_groups`` and per set of keys (``words`` columns of bits of ``count_keys``), how
    many schools have exactly those keys — in all, and without the schools the scope
    excl_technical leaves out. A school has a key ``reported`` where it gives
    the figure or a category of the same complete breakdown, ``registry`` where it is active and
    counted as a school, ``members`` where it is active (the schools ``SqlFigures.included``
    lists)."""
    bits = ", ".join(f"{dialect.bits(f'CASE WHEN word = {w} THEN bit END')} AS m{w}" for w in range(words))
    masks = ", ".join(f"b.m{w}" for w in range(words))
    return [
        ("school_keys", "", """SELECT f.school, k.word, k.bit FROM school_facts f
JOIN count_keys k ON k.kind = 'reported' AND k.element = f.element AND k.dims = f.dims AND k.period = f.period
WHERE f.src = 'f'
UNION ALL
SELECT f.school, k.word, k.bit FROM school_facts f
JOIN complete_keys c ON c.element = f.element AND c.period = f.period AND c.dim = f.dims
JOIN count_keys k ON k.kind = 'reported' AND k.element = c.element AND k.dims = c.dims AND k.period = c.period
WHERE f.src = 's'
UNION ALL
SELECT a.school, k.word, k.bit FROM school_facts a JOIN schools s ON s.code = a.school
JOIN count_keys k ON k.period = a.period AND (k.kind = 'members' OR (k.kind = 'registry' AND s.countable = 1))
WHERE a.src = 'm'"""),
        ("school_bits", "a key given twice is one bit", f"SELECT school, {bits} FROM school_keys GROUP BY school"),
        ("result", "", f"""SELECT m.unit, CASE WHEN m.dim = '' THEN '' ELSE m.dim || '=' || m.category END AS grp,
       COUNT(*) AS n_all, SUM(m.excl) AS n_excl, {masks}
FROM school_bits b JOIN memb m ON m.school = b.school
JOIN count_groups g ON g.unit = m.unit AND g.grp = CASE WHEN m.dim = '' THEN '' ELSE m.dim || '=' || m.category END
GROUP BY m.unit, m.dim, m.category, {masks}"""),
    ]


@lru_cache(maxsize=4096)  # a few words for many rows: the same counts recur in every unit
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


def figures(dataset, name: str, url: str | None = None, units=None) -> SqlFigures:
    """The figures of ``dataset`` on engine ``name`` — of every unit and breakdown group, or of
    the units ``units`` only (org codes) — computed once and kept on the dataset."""
    cache = dataset.__dict__.setdefault("_nianbao_sql_figures", {})
    stamp = data_stamp(dataset)
    units = None if units is None else tuple(sorted(set(units)))
    key = (name, url, units)
    if key not in cache or cache[key][0] != stamp:
        cache[key] = (stamp, SqlFigures(dataset, name, url, units=None if units is None else list(units)))
    return cache[key][1]
