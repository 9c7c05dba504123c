"""The data rules of rules.yaml applied to every org unit of a dataset: breakdowns, comparisons,
ranges, stock and flow, year over year, scope.

Observations are indexed once per org unit; each rule then looks figures up by key, so the cost
grows with the number of observations, not with rules × observations.
"""

from __future__ import annotations

from collections import defaultdict

from nianbao.check.explain import fact_arithmetic, location_of
from nianbao.check.findings import Finding
from nianbao.check.rules import RuleBook, compare, num, pct
from nianbao.compute import formula
from nianbao.compute.facts import FactBook


def decimals_of(v: float) -> int:
    text = repr(float(v))
    if "e" in text or "." not in text:
        return 0
    frac = text.split(".")[1].rstrip("0")
    return len(frac)


class OrgData:
    """The observations of one org unit, indexed the ways the rules need them."""

    def __init__(self, org: str, observations: list):
        self.org = org
        self.table: dict[tuple, object] = {}  # (element, dims, period, scope) -> observation
        self.by_eps: dict[tuple, dict[str, object]] = defaultdict(dict)  # (element, dims, period) -> scope -> obs
        self.combos: set[tuple[int, str]] = set()  # (period, scope)
        self.elements: set[str] = set()
        for o in observations:
            self.table[(o.element, o.dims, o.period, o.scope)] = o
            self.by_eps[(o.element, o.dims, o.period)][o.scope] = o
            self.combos.add((o.period, o.scope))
            self.elements.add(o.element)
        self.observations = observations
        self.combos_sorted = sorted(self.combos)


class DataChecker:
    def __init__(self, dataset, book: RuleBook, orgs: dict[str, OrgData]):
        self.ds = dataset
        self.cat = dataset.catalogue
        self.book = book
        self.orgs = orgs
        self.findings: list[Finding] = []
        self._labels: dict[tuple, tuple[str, str]] = {}
        self._compare_rules = book.of_kind("compare")
        self._compare_refs = {r.code: formula.refs(r.left) + formula.refs(r.right) for r in self._compare_rules}
        self._range_rules = book.of_kind("range")
        self._percent_indicators = [
            ind for ind in self.cat.indicators.values()
            if ind.derived and ind.style == "percent" and ind.factor == 100 and ind.denominator]
        self._indicator_elements = {
            ind.code: {r.element for r in formula.refs(ind.numerator_ast) + formula.refs(ind.denominator_ast)}
            for ind in self._percent_indicators}

    # -- helpers ---------------------------------------------------------------------------
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
            self.breakdowns(data)
            self.comparisons(data)
            self.ranges(data)
            self.stock_flow(data)
            self.year_over_year(data)
            self.scopes(data)
        return self.findings

    # -- breakdowns ------------------------------------------------------------------------
    def breakdowns(self, d: OrgData):
        dims_meta = self.cat.dimensions
        groups: dict[tuple, dict[str, object]] = defaultdict(dict)
        for (element, dims, period, scope), o in d.table.items():
            if not dims:
                continue
            for dim, c in dims:
                if dims_meta.get(dim, {}).get("complete"):
                    parent = tuple(x for x in dims if x != (dim, c))
                    groups[(element, parent, dim, period, scope)][c] = o
        for (element, parent, dim, period, scope), cats in sorted(groups.items(), key=lambda kv: repr(kv[0])):
            el = self.cat.elements[element]
            order = list(dims_meta[dim]["categories"])
            present = [c for c in order if c in cats]
            missing = [c for c in order if c not in cats]
            parts = [cats[c].value for c in present]
            total_sum = sum(parts)
            dec = max((decimals_of(v) for v in parts), default=0)
            # whole counts add up exactly; figures printed with decimals (or rounded shares) may
            # each be off by half a unit of their last digit
            tol = 0.0 if el.type == "count" and dec == 0 else 0.5 * 10 ** -dec * len(parts)
            name_zh, name_en = self.label(element, parent)
            values = {"sum": round(total_sum, 6), "categories": {c: cats[c].value for c in present}}
            text = {"element": name_zh, "element_en": name_en, "dimension": dims_meta[dim]["zh"],
                    "dimension_en": dims_meta[dim]["en"], "terms": " + ".join(num(v) for v in parts),
                    **self.scope_text(scope)}
            obs = [cats[c] for c in present]
            if el.type == "rate":
                if parent:
                    continue
                off = total_sum - 100
                if (missing and off <= tol) or abs(off) <= tol + 1e-9:
                    continue
                far = self.book.case("breakdown", "shares_far")
                near = self.book.case("breakdown", "shares")
                rule = near if near and abs(off) <= near.params.get("max_points", 1.0) else far
                if rule:
                    values.update(diff=round(off, 6), tolerance=round(tol, 6))
                    text["tolerance"] = num(tol, 6)
                    self.findings.append(rule.finding(values, location=location_of(*obs), period=period,
                                                      org_unit=d.org, text=text))
                continue
            total = d.table.get((element, parent, period, scope))
            if total is None:
                continue
            values["total"] = total.value
            diff = total_sum - total.value
            if missing:
                text["missing"] = "、".join(dims_meta[dim]["categories"][c]["zh"] for c in missing)
                text["missing_en"] = ", ".join(dims_meta[dim]["categories"][c]["en"] for c in missing)
                values["missing"] = missing
                if diff > tol:
                    rule = self.book.case("breakdown", "exceeds")
                    values["diff"] = round(diff, 6)
                elif diff < -tol:
                    rule = self.book.case("breakdown", "incomplete")
                    values["gap"] = round(-diff, 6)
                else:
                    continue
            elif abs(diff) > tol:
                rule = self.book.case("breakdown", "mismatch")
                values["diff"] = round(diff, 6)
            else:
                continue
            if rule:
                self.findings.append(rule.finding(values, location=location_of(total, *obs), period=period,
                                                  org_unit=d.org, text=text))

    # -- comparisons -----------------------------------------------------------------------
    def comparisons(self, d: OrgData):
        table = d.table
        for rule in self._compare_rules:
            refs = self._compare_refs[rule.code]
            if not all(r.element in d.elements for r in refs):
                continue
            for period, scope in d.combos_sorted:
                got = {}
                for r in refs:
                    o = table.get((r.element, r.dims, period, scope))
                    if o is None:
                        break
                    got[r.key] = o
                else:
                    vals = {k: o.value for k, o in got.items()}
                    left = formula.evaluate(rule.left, lambda r: vals[r.key])
                    right = formula.evaluate(rule.right, lambda r: vals[r.key])
                    if left is None or right is None or compare(left, rule.op, right):
                        continue
                    values = {"left": left, "right": right, "diff": round(left - right, 6), **vals}
                    text = {"left_terms": formula.to_text(rule.left, lambda r: num(vals[r.key])),
                            "period": str(period), **self.scope_text(scope)}
                    self.findings.append(rule.finding(values, location=location_of(*got.values()),
                                                      period=period, org_unit=d.org, text=text))

    # -- ranges ----------------------------------------------------------------------------
    def ranges(self, d: OrgData):
        for rule in self._range_rules:
            lo, hi = float(rule.params.get("min", 0)), float(rule.params.get("max", 100))
            exclude = set(rule.params.get("exclude", []) or [])
            for (element, dims, period, scope), o in d.table.items():
                if self.cat.elements[element].type == "rate" and not lo <= o.value <= hi:
                    name_zh, name_en = self.label(element, dims)
                    self.findings.append(rule.finding(
                        {"value": o.value}, location=location_of(o), period=period, org_unit=d.org,
                        text={"name": name_zh, "name_en": name_en, "value": pct(o.value),
                              "arithmetic": "报送值", "arithmetic_en": "reported", **self.scope_text(scope)}))
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
    def year_over_year(self, d: OrgData):
        rules = self.book.of_kind("year_over_year")
        if not rules:
            return
        t = d.table
        for rule in rules:
            thresholds = rule.params.get("thresholds", {})
            min_base = float(rule.params.get("min_base", 0))
            for (element, dims, period, scope), o in t.items():
                prev = t.get((element, dims, period - 1, scope))
                if prev is None:
                    continue
                el = self.cat.elements[element]
                th = thresholds.get(el.type)
                if not th:
                    continue
                a, b = prev.value, o.value
                values = {"previous": a, "value": b, "previous_period": period - 1}
                if "points" in th:
                    change = b - a
                    if abs(change) <= float(th["points"]) + 1e-9:
                        continue
                    word_zh, word_en = ("上升", "up") if change > 0 else ("下降", "down")
                    text = {"change": f"{word_zh} {num(abs(change))} 个百分点",
                            "change_en": f"{word_en} {num(abs(change))} percentage points",
                            "threshold": f"±{num(th['points'])} 个百分点",
                            "threshold_en": f"±{num(th['points'])} points",
                            "previous": pct(a), "value": pct(b)}
                    values["change_points"] = round(change, 6)
                else:
                    rel = float(th["relative"])
                    if el.type == "count" and max(abs(a), abs(b)) < min_base:
                        continue
                    if a == 0:
                        if b == 0:
                            continue
                        ratio = None
                    else:
                        ratio = (b - a) / abs(a)
                        if abs(ratio) <= rel + 1e-9:
                            continue
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
        two = self.book.case("scope", "two_scopes")
        brk = self.book.case("scope", "series_break")
        cat = self.cat
        for (element, dims, period), by_scope in sorted(d.by_eps.items(), key=lambda kv: repr(kv[0])):
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
        if not mixed or len({s for _, s in d.combos}) < 2:
            return  # one scope only: no fact can mix scopes
        periods = sorted({p for p, _ in d.combos})
        book = FactBook(cat, d.org, d.observations, periods)
        for code, ind in cat.indicators.items():
            if not ind.derived:
                continue
            for p in periods:
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


def _expr(node, vals) -> str:
    text = formula.to_text(node, lambda r: num(vals[r.key]))
    return f"({text})" if isinstance(node, formula.BinOp) and node.op in "+-" else text


def index_orgs(observations) -> dict[str, OrgData]:
    by_org: dict[str, list] = defaultdict(list)
    for o in observations:
        by_org[o.org_unit].append(o)
    return {org: OrgData(org, obs) for org, obs in sorted(by_org.items())}


def check_data(dataset, book: RuleBook, orgs: dict[str, OrgData] | None = None) -> list[Finding]:
    orgs = orgs if orgs is not None else index_orgs(dataset.observations)
    return DataChecker(dataset, book, orgs).run()
