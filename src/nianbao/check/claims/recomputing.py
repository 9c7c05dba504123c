"""Recomputing a printed figure (复核印发值): the indicator or element a row of claims.csv is about,
its fact in the dataset (FactBook), the factor that turns the printed unit into the fact's
(万元 → 元, a chart's fraction → percent), and the figures the report might have used instead —
every observation, the sums of a breakdown's categories, a total without one category, and the
counts the same report printed elsewhere (``candidates``)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from nianbao.check.claims.reading import Stated, Words, parse_stated, same
from nianbao.compute import engines
from nianbao.compute.facts import FactBook, change_between
from nianbao.core import formula
from nianbao.core.formatting import round_half_up, split_multiplier
from nianbao.core.observations import Observation, parse_dims


@dataclass(frozen=True)
class Target:
    """What a claim is about: an indicator (or the implicit indicator of a data element) with
    its disaggregation, the scope the row names (None: not stated) and whether it is a change."""
    code: str
    ind: object
    dims: tuple
    scope: str | None
    change: bool


@dataclass(frozen=True)
class Problem:
    """Why a row cannot be checked: the claim case to report and the text it needs."""
    case: str
    text: dict


@dataclass(frozen=True)
class Scaling:
    """The factor ``k`` from the printed unit to the fact's, or the problem with the unit."""
    k: float = 1.0
    problem: str = ""  # chart_scale | percent_sign | unit
    unit: str = ""
    target_unit: str = ""


@dataclass
class Candidate:
    """A figure that a report might have used in place of an input: its element and
    disaggregation say which inputs it can stand for."""
    label_zh: str
    label_en: str
    value: float
    element: str
    dims: tuple = ()


class Recomputer:
    """The facts of one org unit — the dataset's own, or the unit a claim names (a county, a
    school) — and the figures a printed one may stand for. The facts are those the report would
    print: the unit's own figures and the sums of its schools, summed by ``engine``
    (``compute.engines.unit_observations``; default the Python roll-up)."""

    def __init__(self, dataset, book, words: Words, org: str | None = None, engine: str = engines.PYTHON,
                 url: str | None = None):
        self.ds = dataset
        self.cat = dataset.catalogue
        self.book = book
        self.words = words
        org = org or dataset.org_unit.code
        self.obs = engines.unit_observations(dataset, org, engine, url)
        self.claims = [c for c in dataset.claims if (c.org_unit or dataset.org_unit.code) == org]
        periods = set(dataset.periods) | {o.period for o in self.obs}
        self.facts = FactBook(self.cat, org, self.obs, periods)
        self.org = org
        self._candidates: dict[int, list[Candidate]] | None = None
        self.printed_changes: set[int] = set()  # rows of changes recomputed from printed figures

    # -- what a claim is about -----------------------------------------------------------------
    def target(self, claim) -> Target | Problem:
        cat = self.cat
        if claim.problem:
            return Problem("bad_row", {"problem": claim.problem})
        try:
            ref = formula.parse_ref_key(claim.target)
        except formula.FormulaError:
            return Problem("unknown_target", {"target": claim.target})
        try:
            dims = tuple(sorted(set(ref.dims) | set(parse_dims(claim.dims))))
        except ValueError:
            return Problem("bad_row", {"problem": f"dims={claim.dims!r}"})
        if ref.element not in cat.indicators:
            return Problem("unknown_target", {"target": claim.target})
        bad = [f"{d}={c}" for d, c in dims if c not in ((cat.dimensions.get(d) or {}).get("categories") or {})]
        if bad:  # a breakdown the catalogue lacks is named as written, never looked up
            return Problem("bad_row", {"problem": f"dims={','.join(bad)}"})
        scope = claim.scope or None
        if scope and scope not in cat.meta.get("scopes", {}):
            return Problem("bad_row", {"problem": f"scope={claim.scope!r}"})
        return Target(ref.element, cat.indicators[ref.element], dims, scope, claim.base_period is not None)

    def fact(self, t: Target, claim):
        if t.change:
            ch = self.facts.change(t.code, claim.period, claim.base_period, t.dims, t.scope)
            if ch is not None and not ch.comparable:
                printed = self.printed_change(t, claim)
                if printed is not None:
                    self.printed_changes.add(claim.row)
                    return printed
            return ch
        return self.facts.get(t.code, claim.period, t.dims, t.scope)

    # -- a printed change against the printed figures of the same base ---------------------------
    def printed_change(self, t: Target, claim):
        """A change the data cannot give like with like (one year recomputed, the other as
        printed, or two scopes), recomputed from the figures as printed instead: each year's
        printed rate — from the data (values.csv) or printed elsewhere in the same report
        (claims.csv) — on one base, preferring the figure printed in the same table as the other
        year's. None when the two printed figures are not of one scope."""
        ind = t.ind
        if not ind.derived or not ind.fallback:
            return None
        now = self.printed_fact(t, claim.period, None)
        before = self.printed_fact(t, claim.base_period, now)
        if before is not None and now is None:
            now = self.printed_fact(t, claim.period, before)
        elif before is not None and now is not None and now.inputs[0].source != before.inputs[0].source:
            now = self.printed_fact(t, claim.period, before) or now  # the one of the other year's table
        if now is None or before is None:
            return None
        ch = change_between(now, before, self.org)
        return ch if ch.comparable else None

    def printed_fact(self, t: Target, period: int, beside):
        """The rate of ``period`` as printed: the data's printed figure if the dataset has one,
        else the one the report printed in the table of ``beside`` (another printed fact), else
        the most precise printed anywhere in the report."""
        ind = t.ind
        scope = t.scope or (beside.scope if beside is not None else None)
        obs = self.facts.observation(ind.fallback, t.dims, period, scope)
        if obs is not None and (scope is None or obs.scope == scope):
            return self.facts._fact(ind, t.dims, period, obs.value, "reported", [obs], None, None)
        found = []
        for other in self.claims:
            if other.period != period or other.base_period is not None or other.form == "chart" or other.problem:
                continue
            try:
                ref = formula.parse_ref_key(other.target)
                dims = tuple(sorted(set(ref.dims) | set(parse_dims(other.dims))))
            except (formula.FormulaError, ValueError):
                continue
            other_scope = other.scope or "unstated"
            if ref.element != t.code or dims != t.dims or (scope is not None and other_scope != scope):
                continue
            st = parse_stated(other.stated, self.words)
            if st is None or st.kind not in ("number", "percent", "x1"):
                continue
            target = Target(t.code, ind, dims, other.scope or None, False)
            probe = self.facts.get(t.code, period, dims) or beside
            if probe is None:
                continue
            scaling = self.scaling(target, st, probe, False)
            if scaling.problem:
                continue
            same_table = beside is not None and other.location == beside.inputs[0].source
            obs = Observation(element=ind.fallback, dims=dims, period=period, scope=other_scope,
                              value=st.value * scaling.k, org_unit=self.org, source=other.location,
                              origin=f"claims.csv:{other.row}")
            found.append((not same_table, scaling.k * 10 ** -st.decimals, other.row, obs))
        if not found:
            return None
        obs = min(found, key=lambda f: f[:3])[3]
        return self.facts._fact(ind, t.dims, period, obs.value, "reported", [obs], None, None)

    def scaling(self, t: Target, st: Stated, fact, chart: bool) -> Scaling:
        """How the printed figure's unit relates to the fact's."""
        ind = t.ind
        if ind.style == "percent":
            if st.kind == "number" and st.unit == "" and chart:
                # a percentage typed into a chart that stores fractions
                if st.value > 1.5 and same(round_half_up(fact.value, st.decimals), st.value):
                    return Scaling(100.0, "chart_scale")
                return Scaling(100.0)
            if st.kind == "number" and st.unit == "" and not t.change:
                return Scaling(1.0, "percent_sign")
            if st.kind not in ("percent", "flat") and not (st.kind == "number" and st.unit in ("", "pp")):
                return Scaling(1.0, "unit", st.unit or st.kind, "%")
            return Scaling()
        if ind.style in ("x1", "pair10"):
            if st.kind not in ("x1", "pair", "number", "flat"):
                return Scaling(1.0, "unit", st.unit or st.kind, "x:1" if ind.style == "x1" else "a:b")
            return Scaling()
        if st.kind in ("percent", "pair", "x1"):
            return Scaling(1.0, "unit", st.unit or st.kind, ind.unit_zh)
        if st.unit and st.unit != ind.unit_zh:
            su, fu = self.book.units.get(st.unit), self.book.units.get(ind.unit_zh)
            if su and fu and su["base"] == fu["base"]:
                return Scaling(float(su["factor"]) / float(fu["factor"]))
            times, rest = split_multiplier(st.unit)  # 484.78万 (人), 3.41亿 where the unit is 万元
            own_times, own_base = split_multiplier(ind.unit_zh)
            if times > 1 and rest in ("", own_base) and ind.style in ("number", "auto"):
                return Scaling(times / own_times)
            return Scaling(1.0, "unit", st.unit, ind.unit_zh)
        return Scaling()

    def other_scope(self, t: Target, fact, st: Stated, k: float):
        """The first other scope in which the same figure gives another printed value:
        (the scope used, the other scope, its fact), or None."""
        scopes = set()
        for i in fact.inputs:
            ref = formula.parse_ref_key(i.ref)
            scopes.update(self.facts.scopes_of(ref.element, ref.dims, fact.period))
        used = {i.scope for i in fact.inputs}
        printed = round_half_up(fact.value / k, st.decimals)
        for s in sorted(scopes - used):
            alt = self.facts.get(t.code, fact.period, t.dims, s)
            if alt is None or same(round_half_up(alt.value / k, st.decimals), printed):
                continue
            main = fact.scope if fact.scope != "mixed" else next(iter(sorted(used)))
            return main, s, alt
        return None

    # -- the figures a report may have used instead --------------------------------------------
    def candidates(self, period: int) -> list[Candidate]:
        if self._candidates is None:
            self._candidates = self._build_candidates()
        return self._candidates.get(period, [])

    def stand_ins(self, period: int, ref: formula.Ref, current: float | None):
        """Candidates that could replace the input ``ref``: the same figure in another scope or
        as a subtotal, or the matching total of a related element."""
        family = self.book.related.get(ref.element, {ref.element})
        for c in self.candidates(period):
            if c.dims != ref.dims or (c.element != ref.element and c.element not in family):
                continue
            if current is not None and same(c.value, current):
                continue
            yield c

    def _label(self, element: str, dims, lang: str) -> str:
        return self.cat.ref_label(formula.Ref(element, dims), lang)

    def _build_candidates(self) -> dict[int, list[Candidate]]:
        out: dict[int, list[Candidate]] = defaultdict(list)
        table = {}
        for o in self.obs:
            table[(o.element, o.dims, o.period, o.scope)] = o
            zh, en = self._label(o.element, o.dims, "zh"), self._label(o.element, o.dims, "en")
            if o.scope != "unstated":
                zh += self.book.phrase("in_scope", "zh", scope=self.cat.scope_label(o.scope, "zh"))
                en += self.book.phrase("in_scope", "en", scope=self.cat.scope_label(o.scope, "en"))
            out[o.period].append(Candidate(zh, en, o.value, o.element, o.dims))
        self._breakdown_candidates(table, out)
        self._printed_candidates(out)
        return out

    def _breakdown_candidates(self, table: dict, out: dict) -> None:
        """Sums of a breakdown's categories, and the total without one category."""
        cat, phrase = self.cat, self.book.phrase
        groups: dict[tuple, dict[str, float]] = defaultdict(dict)
        for (element, dims, period, scope), o in table.items():
            for dim, c in dims:
                if cat.dimensions.get(dim, {}).get("complete"):
                    parent = tuple(x for x in dims if x != (dim, c))
                    groups[(element, parent, dim, period, scope)][c] = o.value
        for (element, parent, dim, period, scope), cats in groups.items():
            if cat.elements[element].type == "rate":
                continue
            zh, en = self._label(element, parent, "zh"), self._label(element, parent, "en")
            dmeta = cat.dimensions[dim]
            s = sum(cats.values())
            total = table.get((element, parent, period, scope))
            if total is None or not same(total.value, s):
                out[period].append(Candidate(
                    zh + phrase("sum_of_categories", "zh", dimension=dmeta["zh"]),
                    en + phrase("sum_of_categories", "en", dimension_en=dmeta["en"]), s, element, parent))
            if total is not None:
                for c, v in cats.items():
                    out[period].append(Candidate(
                        zh + phrase("total_without", "zh", category=dmeta["categories"][c]["zh"]),
                        en + phrase("total_without", "en", category_en=dmeta["categories"][c]["en"]),
                        total.value - v, element, parent))

    def _printed_candidates(self, out: dict) -> None:
        """Counts printed elsewhere in the same report."""
        cat = self.cat
        for other in self.claims:
            if other.base_period is not None or other.form == "chart" or other.problem:
                continue
            try:
                ref = formula.parse_ref_key(other.target)
            except formula.FormulaError:
                continue
            el = cat.elements.get(ref.element)
            st = parse_stated(other.stated, self.words)
            if el is None or st is None or st.kind != "number" or el.type == "rate":
                continue
            if st.unit and st.unit != el.unit_zh:
                continue
            zh = cat.ref_label(ref, "zh") + self.book.phrase("printed_at", "zh", location=other.location)
            en = cat.ref_label(ref, "en") + self.book.phrase("printed_at", "en", location=other.location)
            out[other.period].append(Candidate(zh, en, st.value, ref.element, ref.dims))
