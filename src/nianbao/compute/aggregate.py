"""Aggregation (汇总): from the figures of schools to counties, cities and provinces.

The rules are data (the catalogue's ``aggregation.yaml``, DOMAIN.md §4):

- counts and amounts are summed up the hierarchy school → county → city → province and within
  every breakdown category (隶属, 办学性质, 学校类别, county); ratios are never averaged: the
  indicators recompute them from the summed numerators and denominators;
- ``schools`` is counted from the registry (active units that count as schools: 附设中职班 are
  summed in students and teachers but not counted as schools);
- means (starting income) are weighted by their base;
- schools counted by a condition (fewer than 500 students) and the figures of the majors table
  (distinct majors, categories, major points, new major points) are computed from school data;
- every aggregate is produced in scope ``all`` and, where technical schools are among the
  members, in ``excl_technical`` too; ``all`` is produced only if technical schools reported
  the figure (otherwise it would be the excl_technical figure under the wrong name);
- every aggregate knows its members: ``Rollup.members`` and ``Rollup.reporters`` name the
  schools, and an aggregate some members did not report comes with a finding.

``rollup(dataset)`` computes everything once (numpy: a schools × figures matrix summed over the
schools of each group, the (group, school) pairs sorted by group) and keeps it on the dataset;
the school figures are read from the dataset's table of figures as columns where they are in
one, else from its observations; ``observations_for(dataset, org)`` gives the
observations a FactBook of one unit needs: its own rows of values.csv merged with the aggregates.
"""

from __future__ import annotations

import operator
from dataclasses import dataclass

import numpy as np

from nianbao.compute import provenance, scopes, sql_engine
from nianbao.compute.facts import FactBook
from nianbao.compute.tables import data_stamp, figures_table
from nianbao.core.findings import Finding, Location
from nianbao.core.formula import Ref
from nianbao.core.messages import finding, phrase
from nianbao.core.observations import Observation
from nianbao.core.orgs import UNKNOWN, category_of, counts_as_school

ALL, EXCL = "all", "excl_technical"
SCOPE_PREFERENCE = scopes.preference()  # which row of a school to use: the rule of a single figure
OPS = {"<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge, "==": operator.eq}
SOURCE = provenance.SUMMED
BATCH = 500  # schools whose rows are read from the table of figures at a time (Rollup.own_rows)


def config(catalogue) -> dict:
    """The aggregation rules of a catalogue (aggregation.yaml beside its other files)."""
    return catalogue.aggregation


DIRECT = "__direct__"  # the group of the schools right below a unit (not in a child area)
LEVELS = ("province", "city", "county", "school")


def reconcile_use(catalogue) -> str:
    """Which value a unit's own figure and the sum of its children give where they differ:
    ``reported`` (the unit's own, the default) or ``sum`` (aggregation.yaml ``reconcile.use``)."""
    use = ((config(catalogue) or {}).get("reconcile") or {}).get("use", "reported")
    if use not in ("reported", "sum"):
        raise ValueError(f"aggregation.yaml reconcile.use: reported or sum, not {use!r}")
    return use


@dataclass(frozen=True)
class Reconciliation:
    """A unit's own figure beside the sum of its children that differs from it: both values,
    the children with theirs, how they should relate (``equal``; ``at_most``: a figure without
    technical schools against all schools; ``at_least``) and which one is used."""
    unit: str
    unit_zh: str
    element: str
    dims: tuple
    period: int
    reported: Observation
    summed: Observation
    relation: str
    children: tuple  # (code, name, value)
    used: str  # reported | sum

    @property
    def value(self) -> float:
        """The value the unit's figure takes (printed by the indicators and the report)."""
        return self.summed.value if self.used == "sum" else self.reported.value


@dataclass(frozen=True)
class Group:
    """The schools of one unit, or of one breakdown category within it (dim/category)."""
    unit: str
    dim: str = ""
    category: str = ""


def _round(value: float, vtype: str) -> float:
    if vtype == "count":
        return float(round(value))
    return round(float(value), 6)


# -- the findings of aggregation, worded alike whichever engine found them ----------------------
def unit_name(dataset, code: str) -> str:
    o = dataset.orgs.get(code) if dataset.orgs is not None else None
    if o:
        return o.zh
    return dataset.org_unit.zh if code == dataset.org_unit.code else code


def registry_findings(dataset) -> list[Finding]:
    """What the registry itself says is wrong (orgs.csv), about its schools and units."""
    reg = dataset.orgs
    schools = {o.code for o in reg.schools()}
    return [f for f in reg.validate(dataset.catalogue) if not f.org_unit or f.org_unit in schools or reg.get(f.org_unit)]


def is_summed(catalogue, element: str) -> bool:
    """Whether the schools' figures of ``element`` are summed: a count or amount of the
    catalogue, not a rate, a printed value or a figure the aggregation computes itself."""
    el = catalogue.elements.get(element)
    return el is not None and element not in _computed(catalogue) and el.type not in ("rate", "pair") \
        and not el.is_reported_rate


def _computed(catalogue) -> set[str]:
    cfg = config(catalogue) or {}
    return set(cfg.get("registry_counts", {}) or {}) | set(cfg.get("school_counts", {}) or {}) \
        | set(cfg.get("majors", {}) or {})


def not_summed(catalogue, elements) -> list[Finding]:
    """aggregate.not_summed: the elements schools give that are not summed (rates, printed
    values), so no unit above them gets them."""
    computed = _computed(catalogue)
    out = []
    for code in sorted(elements):
        el = catalogue.elements.get(code)
        if el is not None and code not in computed and not is_summed(catalogue, code):
            out.append(finding("aggregate.not_summed", text={"name": el.zh, "name_en": el.en}, element=code))
    return out


def incomplete(dataset, org: str, element: str, dims, period: int, scope: str, n, expected, missing) -> Finding:
    """aggregate.incomplete: a sum of ``org``'s schools that ``missing`` (their Org, in the
    registry's order) did not report to."""
    cat = dataset.catalogue
    el = cat.elements[element]
    text = {"unit": unit_name(dataset, org), "year": period, "label": cat.ref_label(_ref(element, dims)),
            "name_en": el.en, "absent": int(expected - n), "names": [o.zh for o in missing[:5]],
            "more": phrase("list.etc") if len(missing) > 5 else ""}
    return finding("aggregate.incomplete", Location(section=cat.scope_label(scope)), period=period, org_unit=org,
                   text=text, element=element, reported=int(n), members=int(expected),
                   missing=[o.code for o in missing])


def registry_unknown(dataset, unit: str, period: int, members) -> Finding:
    """aggregate.registry_unknown: the members of ``unit`` in ``period`` (their Org, in the
    registry's order) by school type, those of a blank or unknown type named — never counted
    as schools."""
    cat = dataset.catalogue
    cats = (cat.dimensions.get("school_type") or {}).get("categories") or {}
    by_type: dict[str, int] = {}
    for o in members:
        c = category_of(o, "school_type", cat)
        by_type[c] = by_type.get(c, 0) + 1
    unknown = [o for o in members if category_of(o, "school_type", cat) == UNKNOWN]
    counted = sum(1 for o in members if counts_as_school(o, cat))
    terms = "、".join(f"{cats[c]['zh']}{n}" for c, n in by_type.items() if c in cats)
    text = {"unit": unit_name(dataset, unit), "year": period, "total": len(members), "terms": terms or "—",
            "unknown": len(unknown), "names": "、".join(o.zh for o in unknown[:5]),
            "more": phrase("list.etc") if len(unknown) > 5 else "", "schools": counted}
    return finding("aggregate.registry_unknown", Location(file="orgs.csv"), period=period, org_unit=unit, text=text,
                   total=len(members), unknown=len(unknown), schools=counted, categories=by_type,
                   codes=[o.code for o in unknown])


class Rollup(dict):
    """Aggregated observations by org unit code (dict: code → list of Observation), with the
    members of every aggregate and the findings of the aggregation."""

    def __init__(self, dataset):
        super().__init__()
        self.dataset = dataset
        self.catalogue = cat = dataset.catalogue
        self.cfg = config(cat)
        self.findings: list[Finding] = []
        self.registry = reg = dataset.orgs
        self.periods: list[int] = sorted(set(dataset.periods))
        self.schools = reg.schools() if reg is not None else []
        self.breakdowns = [d for d in self.cfg.get("breakdowns", []) or []]
        self.sidx: dict[str, int] = {}
        self.groups: list[Group] = []
        self.gidx: dict[Group, int] = {}
        self.keys: list[tuple] = []
        self.kidx: dict[tuple, int] = {}
        self.pidx = {p: i for i, p in enumerate(self.periods)}
        self.reconciliations: list[Reconciliation] = []
        self.weighted = {m: w["weight"] for m, w in (self.cfg.get("weighted_means", {}) or {}).items()}
        if self.schools:
            self._index_schools()
            self._index_values()
            self._index_groups()
            self._sum()
            self._emit_all()
        if reg is not None:
            self._areas()

    # -- indexes -----------------------------------------------------------------------------
    def _index_schools(self):
        self.sidx = {o.code: i for i, o in enumerate(self.schools)}
        excluded = set((self.cfg.get("scopes", {}).get(EXCL) or {}).get("exclude_school_types", ["technical"]))
        self.in_excl = np.array([o.school_type not in excluded for o in self.schools], dtype=float)
        self.countable = np.array([counts_as_school(o, self.catalogue) for o in self.schools], dtype=float)
        self.findings.extend(registry_findings(self.dataset))

    def _index_values(self):
        cat = self.catalogue
        cfg = self.cfg
        self.weighted = {m: w["weight"] for m, w in (cfg.get("weighted_means", {}) or {}).items()}
        summable: dict[str, bool] = {}
        given: set[str] = set()

        def ok(e: str) -> bool:
            got = summable.get(e)
            if got is None:
                given.add(e)
                got = summable[e] = is_summed(cat, e)
            return got

        sidx = self.sidx
        table = figures_table(self.dataset)
        if table is not None:  # the preferred scope picked in the table: an object for none of the figures
            wanted = [e for e in sorted(table.elements_of(sidx)) if ok(e)]
            raw_keys, school, key, value = table.picked_columns(
                [o.code for o in self.schools], wanted, SCOPE_PREFERENCE)
        else:
            raw_keys, school, key, value = self._picked_rows(ok)
        self.findings.extend(not_summed(cat, given))
        raw_keys, school, key, value = self._zero_means(raw_keys, school, key, value)
        self.raw_keys, self.raw = raw_keys, (school, key, value)
        self.periods = sorted(set(self.periods) | {p for _, _, p in raw_keys})
        self.pidx = {p: i for i, p in enumerate(self.periods)}
        # Σ mean × base and Σ base over the schools reporting both; a mean without its base adds nothing
        weight = np.ones(len(value))
        kept = np.ones(len(value), dtype=bool)
        is_mean = np.zeros(len(raw_keys), dtype=bool)
        rk = self.raw_kidx = {k: i for i, k in enumerate(raw_keys)}
        for kid, (e, d, p) in enumerate(raw_keys):
            if e not in self.weighted:
                continue
            is_mean[kid] = True
            rows = np.nonzero(key == kid)[0]
            base = np.full(len(self.schools), np.nan)
            kw = rk.get((self.weighted[e], (), p))
            if kw is not None:
                at = key == kw
                base[school[at]] = value[at]
            weight[rows] = base[school[rows]]
            kept[rows] = ~np.isnan(weight[rows])
        # the figures' columns in the order each first comes in a kept row, a mean's base after it
        first = np.full(len(raw_keys), len(value), dtype=np.int64)
        np.minimum.at(first, key[kept], np.nonzero(kept)[0])
        keys: dict[tuple, int] = {}
        col = np.full(len(raw_keys), -1, dtype=np.int64)
        wcol = np.full(len(raw_keys), -1, dtype=np.int64)
        for kid in np.argsort(first, kind="stable"):
            if first[kid] == len(value):
                continue  # a mean no school gave a base for
            col[kid] = keys.setdefault(raw_keys[kid], len(keys))
            if is_mean[kid]:
                wcol[kid] = keys.setdefault(("__weight__",) + raw_keys[kid], len(keys))
        self.keys = list(keys)
        self.kidx = keys
        n, m = len(self.schools), len(self.keys)
        V = np.zeros((n, m))
        R = np.zeros((n, m))
        ks, kk, kv, kw_ = school[kept], key[kept], value[kept], weight[kept]
        means = is_mean[kk]
        V[ks, col[kk]] = np.where(means, kv * kw_, kv)
        R[ks, col[kk]] = 1.0
        V[ks[means], wcol[kk[means]]] = kw_[means]
        R[ks[means], wcol[kk[means]]] = 1.0
        # a school that reports some categories of a complete breakdown (students by 专业大类)
        # has none in the others: those count as reported zeros, not as missing
        dims_cfg = self.catalogue.dimensions
        by_breakdown: dict[tuple, list[int]] = {}
        for figure, k in keys.items():
            if figure[0] == "__weight__":
                continue
            e, d, p = figure
            if len(d) == 1 and (dims_cfg.get(d[0][0]) or {}).get("complete"):
                by_breakdown.setdefault((e, d[0][0], p), []).append(k)
        for ks in by_breakdown.values():
            if len(ks) > 1:
                R[:, ks] = R[:, ks].max(axis=1)[:, None]
        # members of a period: active in the registry, or reporting figures for it
        A = np.zeros((n, len(self.periods)))
        for i, o in enumerate(self.schools):
            for j, p in enumerate(self.periods):
                A[i, j] = 1.0 if o.active_in(p) else 0.0
        period_col = np.array([self.pidx[p] for _, _, p in raw_keys], dtype=np.int64)
        A[school, period_col[key]] = 1.0
        self.V, self.R, self.A = V, R, A

    def _picked_rows(self, ok):
        """The reference reading of the school figures: every observation, the one of each
        school, element, disaggregation and year in the first scope of SCOPE_PREFERENCE taken
        (the first of the file among equals) — as ``Figures.picked_columns`` gives them."""
        rank_of = {sc: i for i, sc in enumerate(SCOPE_PREFERENCE)}
        ranks: dict[tuple, int] = {}
        values: dict[tuple, float] = {}  # (school, element, dims, period) → value, in the order of the file
        rows_by_org: dict[str, list[Observation]] = {}
        sidx = self.sidx
        for o in self.dataset.observations:
            rows_by_org.setdefault(o.org_unit, []).append(o)
            if o.org_unit not in sidx or not ok(o.element):
                continue
            k = (o.org_unit, o.element, o.dims, o.period)
            rank = rank_of.get(o.scope, 9)
            if k not in ranks or rank < ranks[k]:
                ranks[k] = rank
                values[k] = o.value
        self.rows_by_org = rows_by_org
        raw: dict[tuple, int] = {}
        key = [raw.setdefault((e, d, p), len(raw)) for (_, e, d, p) in values]
        school = [sidx[sch] for (sch, _, _, _) in values]
        return (list(raw), np.array(school, dtype=np.int64), np.array(key, dtype=np.int64),
                np.array(list(values.values()), dtype=float))

    def _zero_means(self, raw_keys, school, key, value):
        """A mean over nobody (0 graduates in work: no starting salary) is not missing: a school
        that reports a base of 0 and no mean gets a mean of 0 (it adds nothing to the mean),
        after every figure read, in the order of the bases."""
        rk = {k: i for i, k in enumerate(raw_keys)}
        add = []  # (row of the base, mean's key, school)
        for mean, weight in self.weighted.items():
            for kid, (e, d, p) in enumerate(raw_keys):
                if e != weight or d != ():
                    continue
                rows = np.nonzero((key == kid) & (value == 0))[0]
                km = rk.get((mean, (), p))
                have = set(school[key == km].tolist()) if km is not None else set()
                add += [(int(r), (mean, (), p), int(school[r])) for r in rows if int(school[r]) not in have]
        if not add:
            return raw_keys, school, key, value
        add.sort(key=lambda a: a[0])
        raw_keys = list(raw_keys)
        ids = []
        for _, k, _ in add:
            if k not in rk:
                rk[k] = len(raw_keys)
                raw_keys.append(k)
            ids.append(rk[k])
        return (raw_keys, np.concatenate([school, np.array([a[2] for a in add], dtype=np.int64)]),
                np.concatenate([key, np.array(ids, dtype=np.int64)]), np.concatenate([value, np.zeros(len(add))]))

    def _category(self, org, dim: str) -> str:
        """The breakdown category of a school: ``unknown`` where the registry leaves it blank or
        gives a category the catalogue does not know (a group of its own, never a zero)."""
        if dim == "county":
            return self.registry.county_of(org.code) or UNKNOWN
        return category_of(org, dim, self.catalogue)

    def _index_groups(self):
        groups: dict[Group, int] = {}
        rows, cols = [], []
        for i, o in enumerate(self.schools):
            units = self.registry.units_of(o.code)
            for unit in units:
                for g in [Group(unit)] + [Group(unit, d, self._category(o, d)) for d in self.breakdowns]:
                    rows.append(groups.setdefault(g, len(groups)))
                    cols.append(i)
            if units:  # the schools right below a unit: one of its parts beside its child areas
                rows.append(groups.setdefault(Group(units[0], DIRECT), len(groups)))
                cols.append(i)
        self.groups = list(groups)
        self.gidx = groups
        # which schools each group holds: (group, school) pairs ordered by group, then school —
        # a school is in a few groups, so no dense groups × schools matrix is made
        order = np.lexsort((np.asarray(cols, dtype=np.int64), np.asarray(rows, dtype=np.int64)))
        self.pair_group = np.asarray(rows, dtype=np.int64)[order]
        self.pair_school = np.asarray(cols, dtype=np.int64)[order]
        bounds = np.searchsorted(self.pair_group, np.arange(len(groups) + 1))
        self.bounds = bounds

    def _held(self, g: int) -> np.ndarray:
        """The schools of group ``g`` (their indices, ascending)."""
        return self.pair_school[self.bounds[g]:self.bounds[g + 1]]

    def _group_sums(self, M: np.ndarray, weight: np.ndarray | None = None) -> np.ndarray:
        """Σ over the schools of each group of the rows of ``M`` (schools × columns), each row
        times ``weight`` of its school where given: a block of pairs at a time."""
        out = np.zeros((len(self.groups), M.shape[1]))
        g, s = self.pair_group, self.pair_school
        step = max(1, len(self.schools))
        for a in range(0, len(g), step):
            gg, ss = g[a:a + step], s[a:a + step]
            block = M[ss] if weight is None else M[ss] * weight[ss][:, None]
            starts = np.flatnonzero(np.r_[True, gg[1:] != gg[:-1]])
            out[gg[starts]] += np.add.reduceat(block, starts, axis=0)
        return out

    # -- sums --------------------------------------------------------------------------------
    def _sum(self):
        x = self.in_excl

        def both(M):  # (all schools, technical schools excluded)
            return self._group_sums(M), self._group_sums(M, x)

        self.S = dict(zip((ALL, EXCL), both(self.V)))
        self.Rn = dict(zip((ALL, EXCL), both(self.R)))
        self.E = dict(zip((ALL, EXCL), both(self.A)))
        countable_A = self.A * self.countable[:, None]
        self.N = dict(zip((ALL, EXCL), both(countable_A)))  # schools counted, per period
        # school counts by condition (schools_under_500 …): per school and period, 1/0 and reported
        self.cond = {}
        for code, rule in (self.cfg.get("school_counts", {}) or {}).items():
            hit = np.zeros_like(self.A)
            rep = np.zeros_like(self.A)
            op = OPS[rule["op"]]
            school, key, value = self.raw
            for kid, (e, d, p) in enumerate(self.raw_keys):
                if e == rule["element"] and d == ():
                    at = key == kid
                    j = self.pidx[p]
                    rep[school[at], j] = 1.0
                    hit[school[at], j] = np.where(op(value[at], rule["value"]), 1.0, 0.0)
            hit *= self.countable[:, None]
            rep *= self.countable[:, None]
            (hit_all, hit_excl), (rep_all, rep_excl) = both(hit), both(rep)
            self.cond[code] = {ALL: (hit_all, rep_all), EXCL: (hit_excl, rep_excl)}

    def _scopes(self, g: int, reported: dict, expected: dict, parent_has_tech: bool = False):
        """(scope, reporters, expected members) to produce for one group and figure. A breakdown
        category without technical schools inside a unit with some has both scopes, equal."""
        tech_expected = expected[ALL] - expected[EXCL]
        if tech_expected <= 0:
            if reported[ALL] > 0:
                yield ALL, reported[ALL], expected[ALL]
                if parent_has_tech:
                    yield EXCL, reported[ALL], expected[ALL]
            return
        if reported[EXCL] > 0:
            yield EXCL, reported[EXCL], expected[EXCL]
        if reported[ALL] - reported[EXCL] > 0:
            yield ALL, reported[ALL], expected[ALL]

    def _origin(self, n: int, expected: int, scope: str) -> str:
        return provenance.summed_origin(n, expected, scope)

    # -- emitting observations -----------------------------------------------------------------
    def _parent_has_tech(self, org: str, extra: tuple, j: int) -> bool:
        if not extra:
            return False
        pg = self.gidx.get(Group(org))
        return pg is not None and self.E[ALL][pg, j] - self.E[EXCL][pg, j] > 0

    def _emit_group(self, g: int, org: str, extra: tuple = (), elements: set | None = None,
                    findings: bool = True) -> list[Observation]:
        """Observations of group ``g`` for org unit ``org``; ``extra`` dims are added to every
        observation (a breakdown category); ``elements`` limits the figures."""
        out: list[Observation] = []
        cat = self.catalogue
        for k in np.nonzero(self.Rn[ALL][g])[0]:
            key = self.keys[k]
            if key[0] == "__weight__":
                continue
            element, dims, period = key
            if elements is not None and (element not in elements or dims):
                continue
            j = self.pidx[period]
            rep = {s: self.Rn[s][g, k] for s in (ALL, EXCL)}
            exp = {s: self.E[s][g, j] for s in (ALL, EXCL)}
            for scope, n, expected in self._scopes(g, rep, exp, self._parent_has_tech(org, extra, j)):
                value = self.S[scope][g, k]
                if element in self.weighted:
                    base = self.S[scope][g, self.kidx[("__weight__", element, dims, period)]]
                    if not base:
                        continue
                    value = value / base
                vtype = cat.elements[element].type
                out.append(Observation(element=element, dims=tuple(sorted(dims + extra)), period=period,
                                       scope=scope, value=_round(value, vtype), org_unit=org, source=SOURCE,
                                       origin=self._origin(n, expected, scope)))
                if findings and n < expected:
                    self._incomplete(g, org, element, dims + extra, period, scope, k, n, expected)
        return out

    def _incomplete(self, g, org, element, dims, period, scope, k, n, expected):
        members = self._member_idx(g, period, scope)
        missing = [self.schools[i] for i in members if not self.R[i, k]]
        self.findings.append(incomplete(self.dataset, org, element, dims, period, scope, n, expected, missing))

    def _unit_name(self, code: str) -> str:
        return unit_name(self.dataset, code)

    def _school_count_obs(self, g: int, org: str, extra: tuple = ()) -> list[Observation]:
        out = []
        grp = self.groups[g]
        if grp.dim == "school_type" and grp.category == UNKNOWN:
            return out  # units of unknown type are not counted as schools, nor as none
        for j, period in enumerate(self.periods):
            exp = {s: self.E[s][g, j] for s in (ALL, EXCL)}
            if exp[ALL] <= 0:
                continue
            with_tech = exp[ALL] - exp[EXCL] > 0 or self._parent_has_tech(org, extra, j)
            scopes = [ALL, EXCL] if with_tech else [ALL]
            for code in (self.cfg.get("registry_counts", {}) or {}):
                for scope in scopes:
                    n = self.N[scope][g, j]
                    out.append(Observation(element=code, dims=tuple(sorted(extra)), period=period, scope=scope,
                                           value=float(n), org_unit=org, source=provenance.REGISTRY,
                                           origin=provenance.registry_origin(period)))
            if extra:
                continue
            for code, by_scope in self.cond.items():
                hit_all, rep_all = by_scope[ALL]
                if rep_all[g, j] <= 0:
                    continue
                rep = {s: by_scope[s][1][g, j] for s in (ALL, EXCL)}
                cnt = {s: self.N[s][g, j] for s in (ALL, EXCL)}
                for scope, n, expected in self._scopes(g, rep, cnt):
                    out.append(Observation(element=code, dims=(), period=period, scope=scope,
                                           value=float(by_scope[scope][0][g, j]), org_unit=org, source=SOURCE,
                                           origin=self._origin(n, expected, scope)))
        return out

    def _emit_all(self):
        cat = self.catalogue
        units: dict[str, list[Observation]] = {}
        self.direct: dict[str, list[Observation]] = {}
        for g, grp in enumerate(self.groups):
            if grp.dim == DIRECT:
                self.direct[grp.unit] = self._emit_group(g, grp.unit, findings=False) + self._school_count_obs(g, grp.unit)
                continue
            lst = units.setdefault(grp.unit, [])
            if not grp.dim:
                lst.extend(self._emit_group(g, grp.unit))
                lst.extend(self._school_count_obs(g, grp.unit))
            elif grp.dim in cat.dimensions and grp.category != UNKNOWN:
                extra = ((grp.dim, grp.category),)
                with_dim = {e for e, el in cat.elements.items() if grp.dim in el.dims}
                lst.extend(self._emit_group(g, grp.unit, extra, with_dim, findings=False))
                if "schools" in with_dim:
                    lst.extend(self._school_count_obs(g, grp.unit, extra))
        # breakdown categories without members: zero schools (a known fact, not a missing one)
        for unit, lst in units.items():
            have = {(o.dims, o.period, o.scope) for o in lst if o.element == "schools"}
            totals = [o for o in lst if o.element == "schools" and not o.dims]
            for dim in self.breakdowns:
                if dim not in cat.dimensions or dim not in cat.elements["schools"].dims:
                    continue
                for c in cat.dimensions[dim]["categories"]:
                    for t in totals:
                        dims = ((dim, c),)
                        if (dims, t.period, t.scope) not in have and not self._has_unknown(unit, dim, t.period):
                            lst.append(Observation(element="schools", dims=dims, period=t.period, scope=t.scope,
                                                   value=0.0, org_unit=unit, source=t.source, origin=t.origin))
        self._majors(units)
        self.update(units)
        self._unknown_types()

    def _has_unknown(self, unit: str, dim: str, period: int) -> bool:
        """Whether members of ``unit`` in ``period`` have an unknown category of ``dim`` (then a
        category without known members is not known to be zero)."""
        g = self.gidx.get(Group(unit, dim, UNKNOWN))
        return g is not None and self.E[ALL][g, self.pidx[period]] > 0

    def _unknown_types(self):
        """The registry's units by school type, against the schools counted: a unit of blank or
        unknown type is shown as unknown, never counted as a school (aggregate.registry_unknown)."""
        unit = self.dataset.org_unit.code
        g = self.gidx.get(Group(unit, "school_type", UNKNOWN))
        if g is None or Group(unit) not in self.gidx:
            return
        for j, period in enumerate(self.periods):
            if self.E[ALL][g, j] <= 0:
                continue
            members = [self.schools[i] for i in self._member_idx(self.gidx[Group(unit)], period, ALL)]
            self.findings.append(registry_unknown(self.dataset, unit, period, members))

    # -- majors ----------------------------------------------------------------------------------
    def _majors(self, units: dict[str, list[Observation]]):
        points = self.dataset.majors
        if not points or not (self.cfg.get("majors") or {}):
            return
        by_school: dict[str, list] = {}
        for p in points:
            if p.org_unit in self.sidx:
                by_school.setdefault(p.org_unit, []).append(p)
        self.major_points = by_school
        for school, pts in by_school.items():
            lst = units.setdefault(school, [])
            lst.extend(self._major_obs(school, {ALL: pts}, {ALL: (1, 1)}))
        for g, grp in enumerate(self.groups):
            if grp.dim:
                continue
            units.setdefault(grp.unit, []).extend(self._group_major_obs(g, grp.unit))

    def _group_major_obs(self, g: int, org: str) -> list[Observation]:
        members = self._held(g)
        reporting = [i for i in members if self.schools[i].code in getattr(self, "major_points", {})]
        if not reporting:
            return []
        out = []
        for period in self.periods:
            j = self.pidx[period]
            member_p = [i for i in members if self.A[i, j]]
            rep_p = [i for i in reporting if self.A[i, j]]
            rep = {ALL: len(rep_p), EXCL: sum(1 for i in rep_p if self.in_excl[i])}
            exp = {ALL: len(member_p), EXCL: sum(1 for i in member_p if self.in_excl[i])}
            for scope, n, expected in self._scopes(g, rep, exp):
                pts = [p for i in rep_p if scope == ALL or self.in_excl[i]
                       for p in self.major_points[self.schools[i].code]]
                out.extend(self._major_obs(org, {scope: pts}, {scope: (n, expected)}, period))
        return out

    def _major_obs(self, org, pts_by_scope, counts, period: int | None = None) -> list[Observation]:
        out = []
        kinds = self.cfg.get("majors") or {}
        for p_year in ([period] if period is not None else self.periods):
            for scope, pts in pts_by_scope.items():
                active = [p for p in pts if p.active_in(p_year)]
                new = [p for p in pts if p.opened == p_year]
                n, expected = counts[scope]
                origin = provenance.majors_origin(n, expected, scope) if period is not None \
                    else provenance.majors_origin()
                if not active and not new:
                    continue
                cats = sorted({p.category for p in active} | {p.category for p in new})
                for element, kind in kinds.items():
                    if element not in self.catalogue.elements:
                        continue
                    values = {(): _major_stat(kind, active, new)}
                    if "major_category" in self.catalogue.elements[element].dims:
                        for c in cats:
                            values[(("major_category", c),)] = _major_stat(
                                kind, [p for p in active if p.category == c], [p for p in new if p.category == c])
                    for dims, v in values.items():
                        out.append(Observation(element=element, dims=dims, period=p_year, scope=scope,
                                               value=float(v), org_unit=org, source=provenance.MAJORS, origin=origin))
        return out

    # -- figures of units that are not schools ------------------------------------------------
    def _area_summable(self) -> set[str]:
        """Figures a county, city or province may give itself and that its parent sums: counts
        and amounts, the schools counted (from the registry or by a condition); not rates,
        printed values, weighted means or the distinct majors."""
        cat = self.catalogue
        majors = set(self.cfg.get("majors") or {})
        return {e for e, el in cat.elements.items() if el.type not in ("rate", "pair") and not el.is_reported_rate
                and e not in majors and e not in self.weighted}

    def _area_units(self) -> list[tuple[str, int]]:
        """(code, rank) of the units above schools, lowest level first; the dataset's own unit
        even where the registry does not list it."""
        reg = self.registry
        out = [(o.code, LEVELS.index(o.level)) for o in reg if o.level != "school"]
        own = self.dataset.org_unit
        if own.code not in reg and own.level in LEVELS and own.level != "school":
            out.append((own.code, LEVELS.index(own.level)))
        return sorted(out, key=lambda u: (-u[1], u[0]))

    def _areas(self):
        """Figures given for counties, cities or provinces, summed upward from the lowest level
        that has them: a unit whose child areas gave a figure themselves gets the sum of its
        children (each child's own figure where it gave one, else its schools' sum) and of the
        schools right below it; elsewhere the sum of its schools stands. A unit's own figure
        beside such a sum is reconciled (``reconciliations``: the check kind ``reconcile``
        states both, and the value used follows ``reconcile.use`` of aggregation.yaml)."""
        reg = self.registry
        summable = self._area_summable()
        units = self._area_units()
        rank = dict(units)
        own: dict[str, dict[tuple, Observation]] = {}
        for o in self._rows_of(rank):
            if o.element in summable:
                own.setdefault(o.org_unit, {})[(o.element, o.dims, o.period, o.scope)] = o
        use_sum = reconcile_use(self.catalogue) == "sum"
        direct = getattr(self, "direct", {})
        eff: dict[str, dict[tuple, Observation]] = {}
        sourced: dict[str, set[tuple]] = {}
        mixed_keys: set[tuple] = set()
        for code, r in units:
            kids = [c.code for c in reg.children(code) if c.code in rank and rank[c.code] > r]
            schools = {(o.element, o.dims, o.period, o.scope): o for o in self.get(code, []) if o.element in summable}
            src = set().union(*(sourced.get(c, set()) for c in kids))
            derived = {k: o for k, o in schools.items() if k[:3] not in src}
            mixed: dict[tuple, Observation] = {}
            if src:
                # the figure of each part (child area, schools right below) by key and scope
                parts: dict[tuple, dict[str, dict[str, Observation]]] = {}
                notech: dict[tuple, set[str]] = {}  # parts of a school sum without technical schools
                for c in kids:
                    for k, o in eff.get(c, {}).items():
                        if k[:3] in src:
                            parts.setdefault(k[:3], {}).setdefault(c, {})[k[3]] = o
                            if k[:3] not in sourced.get(c, set()) and self._no_technical(Group(c), k[2]):
                                notech.setdefault(k[:3], set()).add(c)
                for o in direct.get(code, []):
                    k = (o.element, o.dims, o.period)
                    if k in src and o.element in summable:
                        parts.setdefault(k, {}).setdefault(DIRECT, {})[o.scope] = o
                        if self._no_technical(Group(code, DIRECT), o.period):
                            notech.setdefault(k, set()).add(DIRECT)
                for k in sorted(parts, key=lambda k: _key_order(k + ("all",))):
                    element, dims, period = k
                    expected = self._in_play(code, kids, period, eff)
                    by_part = parts[k]
                    for scope in sorted({sc for sc_obs in by_part.values() for sc in sc_obs},
                                        key=lambda sc: SCOPE_PREFERENCE.index(sc) if sc in SCOPE_PREFERENCE else 9):
                        got = {c: _in_scope(obs, scope, c in notech.get(k, set())) for c, obs in by_part.items()}
                        if any(o is None for o in got.values()):
                            continue  # a part has the figure in another scope only: not in this one
                        value = _round(sum(o.value for o in got.values()), self.catalogue.elements[element].type)
                        mixed[k + (scope,)] = Observation(
                            element=element, dims=dims, period=period, scope=scope, value=value, org_unit=code,
                            source=provenance.UNITS, origin=provenance.units_origin(len(got), len(expected), scope))
                        if len(got) < len(expected):
                            self._units_incomplete(code, k + (scope,), got, expected)
                    mixed_keys.add((code, element, period))
                derived.update(mixed)
                self[code] = [o for o in self.get(code, []) if (o.element, o.dims, o.period) not in src
                              or o.element not in summable] + list(mixed.values())
            mine = own.get(code, {})
            e_u = dict(derived)
            for k, o in mine.items():
                if not (use_sum and k in derived):
                    e_u[k] = o
            eff[code] = e_u
            sourced[code] = src | {k[:3] for k in mine}
            dropped = set()
            for k, o in sorted(mine.items(), key=lambda kv: _key_order(kv[0])):
                dropped |= self._reconcile(code, o, derived, kids, eff, use_sum)
            if dropped:  # the unit's own figure stands for the same figure in another scope
                for k in dropped:
                    e_u.pop(k, None)
                self[code] = [o for o in self.get(code, []) if (o.element, o.dims, o.period, o.scope) not in dropped]
        if mixed_keys:  # the schools' incomplete sums a sum of child units replaced
            self.findings = [f for f in self.findings if not (
                f.code == "aggregate.incomplete" and (f.org_unit, f.values.get("element"), f.period) in mixed_keys)]

    def _no_technical(self, group: Group, period: int) -> bool:
        """Whether a group has schools in ``period`` and none of them technical (its figure of
        all schools is also its figure without technical schools)."""
        g, j = self.gidx.get(group), self.pidx.get(period)
        return g is not None and j is not None and self.E[ALL][g, j] > 0 and self.E[ALL][g, j] == self.E[EXCL][g, j]

    def _in_play(self, code: str, kids: list[str], period: int, eff: dict) -> list[str]:
        """The parts a sum of ``code`` expects in ``period``: its child areas that have figures
        or active schools in that year, and its own schools right below it."""
        j = self.pidx.get(period)
        out = []
        for c in kids:
            g = self.gidx.get(Group(c))
            if any(k[2] == period for k in eff.get(c, {})) or (g is not None and j is not None and self.E[ALL][g, j] > 0):
                out.append(c)
        g = self.gidx.get(Group(code, DIRECT))
        if g is not None and j is not None and self.E[ALL][g, j] > 0:
            out.append(DIRECT)
        return out

    def _part_name(self, unit: str, part: str) -> str:
        return phrase("aggregate.direct_schools", unit=self._unit_name(unit)) if part == DIRECT \
            else self._unit_name(part)

    def _units_incomplete(self, code: str, key: tuple, got, expected):
        element, dims, period, scope = key
        have = set(got)
        missing = [c for c in expected if c not in have]
        el = self.catalogue.elements[element]
        names = [self._part_name(code, c) for c in missing]
        text = {"unit": self._unit_name(code), "year": period, "label": self.catalogue.ref_label(_ref(element, dims)),
                "name_en": el.en, "absent": len(missing), "names": "、".join(names[:5]),
                "more": phrase("list.etc") if len(names) > 5 else ""}
        self.findings.append(finding("aggregate.units_incomplete", Location(section=self.catalogue.scope_label(scope)),
                                     period=period, org_unit=code, text=text, element=element, reported=len(got),
                                     members=len(expected), missing=missing))

    def _comparable(self, code: str, o: Observation, derived: dict) -> tuple[Observation, str] | None:
        """The sum a unit's own figure is compared with, and how: ``equal`` in the same scope (or
        where one of them is unstated, or the unit has no technical schools); where the scopes
        differ, all schools are at least the figure without technical schools."""
        k = (o.element, o.dims, o.period)
        same = derived.get(k + (o.scope,))
        if same is not None:
            return same, "equal"
        others = [derived[k + (s,)] for s in SCOPE_PREFERENCE if k + (s,) in derived]
        if not others:
            return None
        d = others[0]
        if "unstated" in (o.scope, d.scope) or not self._has_technical(code, o.period):
            return d, "equal"
        return d, ("at_most" if o.scope == EXCL else "at_least")

    def _has_technical(self, code: str, period: int) -> bool:
        g, j = self.gidx.get(Group(code)), self.pidx.get(period)
        return g is not None and j is not None and self.E[ALL][g, j] - self.E[EXCL][g, j] > 0

    def _reconcile(self, code: str, o: Observation, derived: dict, kids: list[str], eff: dict,
                   use_sum: bool) -> set[tuple]:
        """Record the unit's own figure ``o`` against the sum it is comparable with, if they
        differ. Returns the keys of sums to drop: a sum in another scope that stands for the same
        figure (the unit has no technical schools, or one scope is unstated) gives way to the
        unit's own figure, so that the figure printed is the one the finding names."""
        got = self._comparable(code, o, derived)
        if got is None:
            return set()
        d, relation = got
        drop = {(d.element, d.dims, d.period, d.scope)} if relation == "equal" and d.scope != o.scope \
            and not use_sum else set()
        diff = o.value - d.value
        if abs(diff) < 1e-6 or (relation == "at_most" and diff < 0) or (relation == "at_least" and diff > 0):
            return drop
        key = (o.element, o.dims, o.period, d.scope)
        children = [(c, self._unit_name(c), eff[c][key].value) for c in kids if key in eff.get(c, {})]
        g = self.gidx.get(Group(code, DIRECT))
        if g is not None:
            for i in self._member_idx(g, o.period, d.scope):
                school = self.schools[i]
                v = self._school_value(school, o.element, o.dims, o.period)
                if v is not None:
                    children.append((school.code, school.zh, v))
        self.reconciliations.append(Reconciliation(
            unit=code, unit_zh=self._unit_name(code), element=o.element, dims=o.dims, period=o.period,
            reported=o, summed=d, relation=relation, children=tuple(children), used="sum" if use_sum else "reported"))
        return drop

    def _school_value(self, school, element: str, dims, period: int) -> float | None:
        if element in (self.cfg.get("registry_counts") or {}):
            return 1.0 if counts_as_school(school, self.catalogue) and school.active_in(period) and not dims else None
        kid = getattr(self, "raw_kidx", {}).get((element, dims, period))
        if kid is None:
            return None
        sch, key, value = self.raw
        at = np.nonzero((key == kid) & (sch == self.sidx[school.code]))[0]
        return float(value[at[0]]) if len(at) else None

    # -- members -----------------------------------------------------------------------------------
    def _group_of(self, org: str, dims=()) -> int | None:
        for d, c in dims:
            if d in self.breakdowns:
                return self.gidx.get(Group(org, d, c))
        return self.gidx.get(Group(org))

    def _member_idx(self, g: int, period: int, scope: str) -> list[int]:
        j = self.pidx.get(period)
        if j is None:
            return []
        return [i for i in self._held(g) if self.A[i, j] and (scope != EXCL or self.in_excl[i])]

    def members(self, org: str, period: int, scope: str = ALL, dims=()) -> list[str]:
        """Codes of the schools (and 附设中职班) an aggregate of ``org`` includes."""
        if not self.schools:
            return []
        if org in self.sidx:
            return [org]
        g = self._group_of(org, dims)
        return [] if g is None else [self.schools[i].code for i in self._member_idx(g, period, scope)]

    def reporters(self, org: str, element: str, period: int, scope: str = ALL, dims=()) -> list[str]:
        """Codes of the member schools whose figures an aggregate actually sums."""
        g = self._group_of(org, dims) if self.schools else None
        if g is None:
            return [org] if org in getattr(self, "sidx", {}) else []
        plain = tuple((d, c) for d, c in dims if d not in self.breakdowns)
        k = self.kidx.get((element, plain, period))
        members = self._member_idx(g, period, scope)
        if element in (self.cfg.get("registry_counts") or {}):
            return [self.schools[i].code for i in members]
        if k is None:
            return []
        return [self.schools[i].code for i in members if self.R[i, k]]

    def included(self, org: str, element: str, period: int, scope: str = ALL, dims=()) -> list[str]:
        """The schools behind one figure of ``org``: the reporters of a summed figure, the
        members for a figure counted from the registry or the majors table, none for a figure
        the unit gave itself."""
        if not self.schools:
            return []
        if org in self.sidx:
            return [org]
        computed = set(self.cfg.get("registry_counts") or {}) | set(self.cfg.get("school_counts") or {}) \
            | set(self.cfg.get("majors") or {})
        if element in (self.cfg.get("registry_counts") or {}):
            return [c for c in self.members(org, period, scope, dims)
                    if self.schools[self.sidx[c]].counts_as_school]
        if element in computed:
            return self.members(org, period, scope, dims)
        return self.reporters(org, element, period, scope, dims)

    def _rows_of(self, units) -> list[Observation]:
        """The rows values.csv gives for the units ``units`` (made objects for those alone where
        the figures are in their table)."""
        if hasattr(self, "rows_by_org"):
            return [o for u in sorted(units) for o in self.rows_by_org.get(u, ())]
        table = figures_table(self.dataset)
        if table is not None:
            return table.observations(units) if units else []
        return [o for o in self.dataset.observations if o.org_unit in units]

    def _school_rows(self, org: str, elements: frozenset | None = None) -> list[Observation] | None:
        """A school's rows read from the table of figures with those of the schools after it (a
        caller going through the schools in their order reads each once, a batch at a time,
        the batch before let go); None once the schools have been asked for out of that order
        too often (then every row is indexed at once, as without a table)."""
        i = self.sidx[org]
        start, held, rows = self.__dict__.get("_batch", (None, None, {}))
        if start is None or not start <= i < start + BATCH or held != elements:
            reads = self.__dict__.get("_batch_reads", 0) + 1
            if reads > 3 * (len(self.schools) // BATCH + 1):
                return None
            self._batch_reads = reads
            codes = [o.code for o in self.schools[i:i + BATCH]]
            rows = {c: [] for c in codes}
            for o in figures_table(self.dataset).observations(codes, elements=elements):
                rows[o.org_unit].append(o)
            self._batch = (i, elements, rows)
        return rows[org]

    def own_rows(self, org: str, elements=None) -> list[Observation]:
        """The rows values.csv gives for ``org`` itself (``elements``: only the rows of those).
        Where the figures are in their table, the rows of the units above the schools (few) are
        read at once, a school's a batch at a time; else every row is indexed once."""
        elements = None if elements is None else frozenset(elements)
        rows = None
        if not hasattr(self, "rows_by_org") and figures_table(self.dataset) is not None:
            if org not in self.sidx:
                rows = self._unit_rows().get(org, ())
            else:
                got = self._school_rows(org, elements)
                if got is not None:
                    return list(got)  # read for those elements alone
        if rows is None:
            if not hasattr(self, "rows_by_org"):
                self.rows_by_org = {}
                for o in self.dataset.observations:
                    self.rows_by_org.setdefault(o.org_unit, []).append(o)
            rows = self.rows_by_org.get(org, ())
        return [o for o in rows if elements is None or o.element in elements]

    def _unit_rows(self) -> dict[str, list[Observation]]:
        """The rows of every unit that is not a school, read from the table at once (kept)."""
        own = self.__dict__.get("_own_rows")
        if own is None:
            units = {u for u in self.dataset.distinct("org_unit") if u not in self.sidx}
            own = self._own_rows = {u: [] for u in units}
            for o in self._rows_of(units):
                own[o.org_unit].append(o)
        return own

    def categories(self, org: str, dim: str) -> list[str]:
        """Breakdown categories present among the schools of ``org``."""
        return sorted(g.category for g in self.gidx if g.unit == org and g.dim == dim)

    def group_observations(self, org: str, dim: str, category: str) -> list[Observation]:
        """All observations of the schools of ``org`` in one breakdown category, as if they were
        a unit of their own (so every indicator can be computed for them)."""
        g = self.gidx.get(Group(org, dim, category))
        if g is None:
            return []
        out = self._emit_group(g, org, findings=False) + self._school_count_obs(g, org)
        if getattr(self, "major_points", None):
            out.extend(self._group_major_obs(g, org))
        return out


def _major_stat(kind: str, active, new) -> int:
    if kind == "distinct_majors":
        return len({p.identity for p in active})
    if kind == "distinct_categories":
        return len({p.category for p in active})
    if kind == "points":
        return len(active)
    if kind == "opened_in_period":
        return len(new)
    raise ValueError(f"aggregation.yaml: unknown majors figure {kind!r}")


def _in_scope(by_scope: dict, scope: str, no_technical: bool) -> Observation | None:
    """A part's figure in ``scope``: its own in that scope; without technical schools, its figure
    of all schools where it has none; for a sum of unstated scope, its first figure."""
    if scope in by_scope:
        return by_scope[scope]
    if scope == EXCL and no_technical:
        return by_scope.get(ALL)
    if scope == "unstated":
        return by_scope.get(ALL) or by_scope.get(EXCL)
    return None


def _key_order(k: tuple) -> tuple:
    return (k[0], k[1], k[2], SCOPE_PREFERENCE.index(k[3]) if k[3] in SCOPE_PREFERENCE else 9)


def _ref(element, dims):
    return Ref(element, tuple(sorted(dims)))


def rollup(dataset, refresh: bool = False) -> Rollup:
    """Aggregate the school figures of a dataset to every unit above them (kept on the dataset:
    later calls reuse it unless ``refresh``). A dict of org code → observations."""
    cached = dataset.__dict__.get("_nianbao_rollup")
    stamp = data_stamp(dataset)
    if cached is None or refresh or cached[0] != stamp:
        cached = (stamp, Rollup(dataset))
        dataset.__dict__["_nianbao_rollup"] = cached
    return cached[1]


def observations_for(dataset, org_code: str | None = None, elements=None) -> list[Observation]:
    """The observations of one unit (default: the dataset's own): the rows values.csv gives for
    it and the aggregates of its schools (``elements``: only those of these data elements). Where
    both give the same figure, the unit's own row is used (and the check kind ``reconcile``
    states the difference), unless aggregation.yaml says ``reconcile: {use: sum}``."""
    org_code = org_code or dataset.org_unit.code
    r = rollup(dataset)
    own = r.own_rows(org_code, elements)
    aggregates = r.get(org_code, [])
    if elements is not None:
        aggregates = [a for a in aggregates if a.element in elements]
    if reconcile_use(dataset.catalogue) == "sum":  # the sum of the children is used where there is one
        summed = {(a.element, a.dims, a.period, a.scope) for a in aggregates}
        return aggregates + [o for o in own if (o.element, o.dims, o.period, o.scope) not in summed]
    taken = {(o.element, o.dims, o.period, o.scope) for o in own}
    return own + [a for a in aggregates if (a.element, a.dims, a.period, a.scope) not in taken]


def factbook_for(dataset, org_code: str | None = None, elements=None):
    """A FactBook of one unit over the dataset's periods, computed by the dataset's engine
    (``engine:`` in dataset.yaml; default the Python evaluator, the reference — the commands
    take theirs from ``compute.engines``). ``elements``: only the figures
    of those data elements are read (a caller that knows its indicators read no other:
    ``compute.sql.refs_of``)."""
    org_code = org_code or dataset.org_unit.code
    engine = dataset.meta.get("engine") or "python"
    if engine != "python":
        return sql_engine.figures(dataset, engine, units=[org_code]).factbook(org_code)
    return FactBook(dataset.catalogue, org_code, observations_for(dataset, org_code, elements), dataset.periods)
