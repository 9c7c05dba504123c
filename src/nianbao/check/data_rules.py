"""The data rules of rules.yaml applied to every org unit of a dataset: breakdowns, comparisons,
ranges, stock and flow, year over year, scope.

Observations are indexed once per org unit; each rule then looks figures up by key, so the cost
grows with the number of observations, not with rules × observations.
"""

from __future__ import annotations

from collections import defaultdict

from nianbao.check.explain import fact_arithmetic, location_of
from nianbao.check.rules import RuleBook, compare, num, pct
from nianbao.compute.facts import FactBook
from nianbao.core import formula
from nianbao.core.findings import Finding


def decimals_of(v: float) -> int:
    text = repr(float(v))
    if "e" in text or "." not in text:
        return 0
    frac = text.split(".")[1].rstrip("0")
    return len(frac)


class OrgData:
    """The observations of one org unit, indexed the ways the rules need them."""

    def __init__(self, org: str, table: dict):
        self.org = org
        self.table = table  # (element, dims, period, scope) -> observation
        self.combos: set[tuple[int, str]] = {(k[2], k[3]) for k in table}  # (period, scope)
        self.elements: set[str] = {k[0] for k in table}
        self.scopes: set[str] = {s for _, s in self.combos}
        self.combos_sorted = sorted(self.combos)
        self._by_eps = None

    @property
    def observations(self) -> list:
        return list(self.table.values())

    @property
    def by_eps(self) -> dict[tuple, dict[str, object]]:
        """(element, dims, period) -> scope -> observation."""
        if self._by_eps is None:
            self._by_eps = defaultdict(dict)
            for (element, dims, period, scope), o in self.table.items():
                self._by_eps[(element, dims, period)][scope] = o
        return self._by_eps


class DataChecker:
    def __init__(self, dataset, book: RuleBook, orgs: dict[str, OrgData]):
        self.ds = dataset
        self.cat = dataset.catalogue
        self.book = book
        self.orgs = orgs
        self.findings: list[Finding] = []
        self._labels: dict[tuple, tuple[str, str]] = {}
        self._ind_refs: dict[str, list] = {}
        self._compare_rules = book.of_kind("compare")
        self._compare_refs = {r.code: formula.refs(r.left) + formula.refs(r.right) for r in self._compare_rules}
        self._range_rules = book.of_kind("range")
        self._percent_indicators = [
            ind for ind in self.cat.indicators.values()
            if ind.derived and ind.style == "percent" and ind.factor == 100 and ind.denominator]
        covered = {(formula.to_text(r.left), formula.to_text(r.right)) for r in self._compare_rules
                   if r.op in ("<=", "<")}
        self._percent_indicators = [
            ind for ind in self._percent_indicators
            if (formula.to_text(ind.numerator_ast), formula.to_text(ind.denominator_ast)) not in covered]
        self._complete = {d for d, m in self.cat.dimensions.items() if m.get("complete")}
        self._etype = {code: el.type for code, el in self.cat.elements.items()}
        rr = self._range_rules[0].params if self._range_rules else {}
        self._rate_bounds = (float(rr.get("min", 0)), float(rr.get("max", 100)))
        yoy_rules = book.of_kind("year_over_year")
        self._yoy_rule = yoy_rules[0] if yoy_rules else None
        self._yoy = dict(self._yoy_rule.params.get("thresholds", {})) if self._yoy_rule else {}
        self._compare_keys = {r.code: [(ref, ref.key) for ref in self._compare_refs[r.code]]
                              for r in self._compare_rules}
        self._indicator_elements = {
            ind.code: {r.element for r in formula.refs(ind.numerator_ast) + formula.refs(ind.denominator_ast)}
            for ind in self._percent_indicators}

    # -- helpers ---------------------------------------------------------------------------
    def _indicator_refs(self, ind) -> list:
        refs = self._ind_refs.get(ind.code)
        if refs is None:
            refs = formula.refs(ind.numerator_ast) + (formula.refs(ind.denominator_ast) if ind.denominator else [])
            self._ind_refs[ind.code] = refs
        return refs

    def label(self, element: str, dims=()) -> tuple[str, str]:
        key = (element, dims)
        if key not in self._labels:
            ref = formula.Ref(element, tuple(dims))
            self._labels[key] = (self.cat.ref_label(ref, "zh"), self.cat.ref_label(ref, "en"))
        return self._labels[key]

    def scope_text(self, scope: str) -> dict[str, str]:
        return {"scope": self.cat.scope_label(scope, "zh"), "scope_en": self.cat.scope_label(scope, "en")}

    def run(self) -> list[Finding]:
        for org, data in self.orgs.items():
            self.scan(data)
            self.comparisons(data)
            self.ranges(data)
            self.stock_flow(data)
            self.scopes(data)
        return self.findings

    def scan(self, d: OrgData):
        """One pass over the observations: breakdown groups, year-over-year and rate bounds."""
        complete = self._complete
        etype = self._etype
        yoy = self._yoy
        rate_rule = self._range_rules[0] if self._range_rules else None
        lo, hi = self._rate_bounds
        t = d.table
        groups: dict[tuple, dict[str, object]] = defaultdict(dict)
        for key, o in t.items():
            element, dims, period, scope = key
            typ = etype[element]
            if dims:
                if len(dims) == 1:
                    dim, c = dims[0]
                    if dim in complete:
                        groups[(element, (), dim, period, scope)][c] = o
                else:
                    for dim, c in dims:
                        if dim in complete:
                            parent = tuple(x for x in dims if x[0] != dim)
                            groups[(element, parent, dim, period, scope)][c] = o
            if typ == "rate" and rate_rule is not None and not lo <= o.value <= hi:
                self.rate_out_of_bounds(rate_rule, d, key, o)
            if typ in yoy:
                prev = t.get((element, dims, period - 1, scope))
                if prev is not None:
                    self.year_over_year(d, key, prev, o, typ)
        for gkey, cats in groups.items():
            self.breakdown(d, gkey, cats)

    # -- breakdowns ------------------------------------------------------------------------
    def categories(self, dim: str, reported) -> list[str]:
        """The categories that make the total. For 专业大类 (categories of several catalogue
        versions) only the versions of the categories reported count."""
        meta = self.cat.dimensions[dim]
        if meta.get("categories_from") != "majors":
            return list(meta["categories"])
        versions = (self.cat.majors or {}).get("versions") or {}
        used = [v for v in versions.values() if set(v.get("categories") or {}) & set(reported)]
        return [c for v in used for c in v.get("categories") or {}] or list(meta["categories"])

    def breakdown(self, d: OrgData, gkey: tuple, cats: dict):
        element, parent, dim, period, scope = gkey
        typ = self._etype[element]
        total_sum = sum(o.value for o in cats.values())
        if typ == "rate":
            if parent or abs(total_sum - 100) < 1e-9:
                return
            total = None
        else:
            total = d.table.get((element, parent, period, scope))
            if total is None or abs(total_sum - total.value) < 1e-9:
                return
        dims_meta = self.cat.dimensions
        order = self.categories(dim, cats)
        present = [c for c in order if c in cats]
        missing = [c for c in order if c not in cats]
        parts = [cats[c].value for c in present]
        dec = max((decimals_of(v) for v in parts), default=0)
        # whole counts add up exactly; figures printed with decimals (or rounded shares) may
        # each be off by half a unit of their last digit
        tol = 0.0 if typ == "count" and dec == 0 else 0.5 * 10 ** -dec * len(parts)
        values = {"sum": round(total_sum, 6), "categories": {c: cats[c].value for c in present}}
        obs = [cats[c] for c in present]
        if typ == "rate":
            off = total_sum - 100
            if (missing and off <= tol) or abs(off) <= tol + 1e-9:
                return
            far = self.book.case("breakdown", "shares_far")
            near = self.book.case("breakdown", "shares")
            rule = near if near and abs(off) <= near.params.get("max_points", 1.0) else far
            values.update(diff=round(off, 6), tolerance=round(tol, 6))
            location = location_of(*obs)
        else:
            values["total"] = total.value
            diff = total_sum - total.value
            if missing:
                values["missing"] = missing
                if diff > tol:
                    rule = self.book.case("breakdown", "exceeds")
                    values["diff"] = round(diff, 6)
                elif diff < -tol:
                    rule = self.book.case("breakdown", "incomplete")
                    values["gap"] = round(-diff, 6)
                else:
                    return
            elif abs(diff) > tol:
                rule = self.book.case("breakdown", "mismatch")
                values["diff"] = round(diff, 6)
            else:
                return
            location = location_of(total, *obs)
        if rule is None:
            return
        name_zh, name_en = self.label(element, parent)
        text = {"element": name_zh, "element_en": name_en, "dimension": dims_meta[dim]["zh"],
                "dimension_en": dims_meta[dim]["en"], "terms": " + ".join(num(v) for v in parts),
                "tolerance": num(tol, 6), **self.scope_text(scope)}
        if missing:
            text["missing"] = _listed([dims_meta[dim]["categories"][c]["zh"] for c in missing], "zh")
            text["missing_en"] = _listed([dims_meta[dim]["categories"][c]["en"] for c in missing], "en")
        self.findings.append(rule.finding(values, location=location, period=period, org_unit=d.org, text=text))

    # -- comparisons -----------------------------------------------------------------------
    def comparisons(self, d: OrgData):
        table = d.table
        elements = d.elements
        for rule in self._compare_rules:
            keyed = self._compare_keys[rule.code]
            if not all(ref.element in elements for ref, _ in keyed):
                continue
            for period, scope in d.combos_sorted:
                got = {}
                for ref, _ in keyed:
                    o = table.get((ref.element, ref.dims, period, scope))
                    if o is None:
                        break
                    got[ref] = o.value
                else:
                    left = formula.evaluate(rule.left, got.__getitem__)
                    right = formula.evaluate(rule.right, got.__getitem__)
                    if left is None or right is None or compare(left, rule.op, right):
                        continue
                    self.compare_failed(rule, d, period, scope, keyed, left, right)

    def compare_failed(self, rule, d: OrgData, period, scope, keyed, left, right):
        obs = [d.table[(ref.element, ref.dims, period, scope)] for ref, _ in keyed]
        vals = {key: o.value for (_, key), o in zip(keyed, obs)}
        values = {"left": left, "right": right, "diff": round(left - right, 6), **vals}
        text = {"left_terms": formula.to_text(rule.left, lambda r: num(vals[r.key])),
                "period": str(period), **self.scope_text(scope)}
        self.findings.append(rule.finding(values, location=location_of(*obs), period=period,
                                          org_unit=d.org, text=text))

    # -- ranges ----------------------------------------------------------------------------
    def rate_out_of_bounds(self, rule, d: OrgData, key, o):
        element, dims, period, scope = key
        name_zh, name_en = self.label(element, dims)
        self.findings.append(rule.finding(
            {"value": o.value}, location=location_of(o), period=period, org_unit=d.org,
            text={"name": name_zh, "name_en": name_en, "value": pct(o.value),
                  "arithmetic": "报送值", "arithmetic_en": "reported", **self.scope_text(scope)}))

    def ranges(self, d: OrgData):
        for rule in self._range_rules:
            lo, hi = float(rule.params.get("min", 0)), float(rule.params.get("max", 100))
            exclude = set(rule.params.get("exclude", []) or [])
            for ind in self._percent_indicators:
                if ind.code in exclude or not self._indicator_elements[ind.code] <= d.elements:
                    continue
                for period, scope in d.combos_sorted:
                    used = {}

                    def look(r):
                        o = d.table.get((r.element, r.dims, period, scope))
                        if o is None:
                            return None
                        used[r.key] = o
                        return o.value

                    n = formula.evaluate(ind.numerator_ast, look)
                    den = formula.evaluate(ind.denominator_ast, look) if n is not None else None
                    if n is None or not den:
                        continue
                    v = n * ind.factor / den
                    if lo - 1e-9 <= v <= hi + 1e-9:
                        continue
                    vals = {k: o.value for k, o in used.items()}
                    arith = f"{_expr(ind.numerator_ast, vals)} ÷ {_expr(ind.denominator_ast, vals)} × 100"
                    self.findings.append(rule.finding(
                        {"value": round(v, 6), "numerator": n, "denominator": den, **vals},
                        location=location_of(*used.values()), period=period, org_unit=d.org,
                        text={"name": ind.zh, "name_en": ind.en, "value": pct(v), "arithmetic": arith,
                              "arithmetic_en": arith.replace("÷", "/").replace("×", "*"),
                              **self.scope_text(scope)}))

    # -- stock and flow --------------------------------------------------------------------
    def stock_flow(self, d: OrgData):
        for rule in self.book.of_kind("stock_flow"):
            stock, inflow, outflow = rule.params["stock"], rule.params["inflow"], rule.params["outflow"]
            if not {stock, inflow, outflow} <= d.elements:
                continue
            tol = float(rule.params.get("tolerance", 0.05))
            t = d.table
            for period, scope in d.combos_sorted:
                now = t.get((stock, (), period, scope))
                prev = t.get((stock, (), period - 1, scope))
                fin = t.get((inflow, (), period, scope))
                fout = t.get((outflow, (), period, scope))
                if None in (now, prev, fin, fout):
                    continue
                expected = prev.value + fin.value - fout.value
                gap = now.value - expected
                if expected > 0 and abs(gap) <= tol * expected:
                    continue
                share = gap / expected if expected else None
                names = {k: self.label(v) for k, v in (("stock", stock), ("inflow", inflow), ("outflow", outflow))}
                text = {f"{k}_name": v[0] for k, v in names.items()}
                text.update({f"{k}_name_en": v[1] for k, v in names.items()})
                text["share"] = pct(share * 100) if share is not None else ""
                text.update(self.scope_text(scope))
                values = {"stock": now.value, "previous": prev.value, "previous_period": period - 1,
                          "inflow": fin.value, "outflow": fout.value, "expected": expected,
                          "gap": abs(gap), "difference": gap, "tolerance": tol}
                self.findings.append(rule.finding(values, location=location_of(now, prev, fin, fout),
                                                  period=period, org_unit=d.org, text=text))

    # -- year over year --------------------------------------------------------------------
    def year_over_year(self, d: OrgData, key, prev, o, typ):
        rule = self._yoy_rule
        th = self._yoy[typ]
        element, dims, period, scope = key
        a, b = prev.value, o.value
        if "points" in th:
            change = b - a
            if abs(change) <= float(th["points"]) + 1e-9:
                return
        else:
            rel = float(th["relative"])
            if typ == "count" and max(abs(a), abs(b)) < float(rule.params.get("min_base", 0)):
                return
            if a == 0:
                if b == 0:
                    return
                ratio = None
            else:
                ratio = (b - a) / abs(a)
                if abs(ratio) <= rel + 1e-9:
                    return
        values = {"previous": a, "value": b, "previous_period": period - 1}
        if "points" in th:
            word_zh, word_en = ("上升", "up") if change > 0 else ("下降", "down")
            text = {"change": f"{word_zh} {num(abs(change))} 个百分点",
                    "change_en": f"{word_en} {num(abs(change))} percentage points",
                    "threshold": f"±{num(th['points'])} 个百分点", "threshold_en": f"±{num(th['points'])} points",
                    "previous": pct(a), "value": pct(b)}
            values["change_points"] = round(change, 6)
        else:
            word_zh, word_en = ("增加", "up") if b > a else ("减少", "down")
            if ratio is None:
                change_zh, change_en = f"由0{word_zh}为 {num(b)}", f"from 0 to {num(b)}"
            else:
                change_zh = f"{word_zh} {num(abs(b - a))}（{pct(abs(ratio) * 100)}）"
                change_en = f"{word_en} {num(abs(b - a))} ({pct(abs(ratio) * 100)})"
            text = {"change": change_zh, "change_en": change_en,
                    "threshold": f"±{pct(rel * 100, 0)}", "threshold_en": f"±{pct(rel * 100, 0)}"}
            values["change"] = round(b - a, 6)
            values["change_relative"] = round(ratio, 6) if ratio is not None else None
        name_zh, name_en = self.label(element, dims)
        text.update(name=name_zh, name_en=name_en, **self.scope_text(scope))
        self.findings.append(rule.finding(values, location=location_of(prev, o), period=period,
                                          org_unit=d.org, text=text))

    # -- scope -----------------------------------------------------------------------------
    def scopes(self, d: OrgData):
        if len(d.scopes) < 2:
            return  # one scope only: nothing can be stated twice, change scope or mix scopes
        two = self.book.case("scope", "two_scopes")
        brk = self.book.case("scope", "series_break")
        cat = self.cat
        for (element, dims, period), by_scope in d.by_eps.items():
            name_zh, name_en = self.label(element, dims)
            if two and len(by_scope) > 1:
                scopes = sorted(by_scope)
                distinct = {by_scope[s].value for s in scopes}
                if len(distinct) > 1:
                    values = {s: by_scope[s].value for s in scopes}
                    text = {"name": name_zh, "name_en": name_en,
                            "variants": "、".join(f"{num(by_scope[s].value)}（{cat.scope_label(s, 'zh')}）"
                                                 for s in scopes),
                            "variants_en": ", ".join(f"{num(by_scope[s].value)} ({cat.scope_label(s, 'en')})"
                                                     for s in scopes)}
                    self.findings.append(two.finding(values, location=location_of(*by_scope.values()),
                                                     period=period, org_unit=d.org, text=text))
            prev = d.by_eps.get((element, dims, period - 1))
            if brk and prev and not set(prev) & set(by_scope):
                a, b = sorted(prev)[0], sorted(by_scope)[0]
                text = {"name": name_zh, "name_en": name_en, "previous_scope": cat.scope_label(a, "zh"),
                        "previous_scope_en": cat.scope_label(a, "en"), **self.scope_text(b)}
                self.findings.append(brk.finding({"previous_period": period - 1, "previous_scope_code": a,
                                                  "scope_code": b},
                                                 location=location_of(prev[a], by_scope[b]), period=period,
                                                 org_unit=d.org, text=text))
        mixed = self.book.case("scope", "mixed")
        if not mixed:
            return
        periods = sorted({p for p, _ in d.combos})
        book = None
        by_eps = d.by_eps
        for code, ind in cat.indicators.items():
            if not ind.derived:
                continue
            refs = self._indicator_refs(ind)
            for p in periods:
                # a fact can mix scopes only if its inputs do not all come in one and the same scope
                available = [by_eps.get((r.element, r.dims, p)) for r in refs]
                if any(a is None for a in available) or len({frozenset(a) for a in available}) == 1 \
                        and len(available[0]) == 1:
                    continue
                if book is None:
                    book = FactBook(cat, d.org, d.observations, periods)
                f = book.get(code, p)
                if f is None or f.scope != "mixed":
                    continue
                scopes_zh = "；".join(f"{i.label_zh}：{cat.scope_label(i.scope, 'zh')}" for i in f.inputs)
                scopes_en = "; ".join(f"{i.label_en}: {cat.scope_label(i.scope, 'en')}" for i in f.inputs)
                values = {"value": f.value, "numerator": f.numerator, "denominator": f.denominator,
                          "scopes": {i.ref: i.scope for i in f.inputs}}
                text = {"name": f.name_zh, "name_en": f.name_en, "scopes": scopes_zh, "scopes_en": scopes_en,
                        "formula": fact_arithmetic(f, cat, "zh").rsplit(" = ", 1)[0],
                        "formula_en": fact_arithmetic(f, cat, "en").rsplit(" = ", 1)[0],
                        "value": fact_arithmetic(f, cat, "zh").rsplit(" = ", 1)[1]}
                obs = [d.table.get((formula.parse_ref_key(i.ref).element, formula.parse_ref_key(i.ref).dims,
                                    i.period, i.scope)) for i in f.inputs]
                self.findings.append(mixed.finding(values, location=location_of(*obs), period=p,
                                                   org_unit=d.org, text=text))


def _listed(names: list[str], lang: str, limit: int = 6) -> str:
    sep = "、" if lang == "zh" else ", "
    if len(names) <= limit:
        return sep.join(names)
    more = f"等{len(names)}类" if lang == "zh" else f" and {len(names) - limit} more"
    return sep.join(names[:limit]) + more


def _expr(node, vals) -> str:
    text = formula.to_text(node, lambda r: num(vals[r.key]))
    return f"({text})" if isinstance(node, formula.BinOp) and node.op in "+-" else text


def index_orgs(observations) -> dict[str, OrgData]:
    """Observations indexed once, per org unit."""
    tables: dict[str, dict] = defaultdict(dict)
    for o in observations:
        tables[o.org_unit][(o.element, o.dims, o.period, o.scope)] = o
    return {org: OrgData(org, table) for org, table in sorted(tables.items())}


def check_data(dataset, book: RuleBook, orgs: dict[str, OrgData] | None = None) -> list[Finding]:
    orgs = orgs if orgs is not None else index_orgs(dataset.observations)
    return DataChecker(dataset, book, orgs).run()
