"""Ranges (取值范围): every rate lies within its rule's bounds (0–100%) — rate elements as
reported, and every derived percentage whose numerator is a part of its denominator: all percent
indicators except those the rule excludes and those whose numerator ≤ denominator is already a
comparison (one finding for one problem)."""

from __future__ import annotations

from nianbao.check.explain import location_of, ratio_text
from nianbao.check.kinds.compare import parts_of_wholes
from nianbao.check.registry import Handler, rule_kind
from nianbao.check.text import pct
from nianbao.core import formula


@rule_kind("range")
class Range(Handler):
    def __init__(self, ctx, rules):
        super().__init__(ctx, rules)
        covered = parts_of_wholes(self.book)
        self.indicators = [
            ind for ind in self.cat.indicators.values()
            if ind.derived and ind.style == "percent" and ind.factor == 100 and ind.denominator
            and (formula.to_text(ind.numerator_ast), formula.to_text(ind.denominator_ast)) not in covered]
        self.inputs = {ind.code: {r.element for r in formula.refs(ind.numerator_ast) + formula.refs(ind.denominator_ast)}
                       for ind in self.indicators}
        self.rates = {code for code, el in self.cat.elements.items() if el.type == "rate"}
        self.bounds = {r.code: (float(r.params.get("min", 0)), float(r.params.get("max", 100))) for r in rules}

    def check(self, d):
        for rule in self.rules:
            yield from self.reported(rule, d)
        for rule in self.rules:
            yield from self.derived(rule, d)

    def reported(self, rule, d):
        """Rate elements as reported."""
        lo, hi = self.bounds[rule.code]
        reported = self.book.phrase("reported", "zh"), self.book.phrase("reported", "en")
        for (element, dims, period, scope), o in d.table.items():
            if element not in self.rates or lo <= o.value <= hi:
                continue
            name_zh, name_en = self.ctx.label(element, dims)
            yield rule.finding(
                {"value": o.value}, location=location_of(o), period=period, org_unit=d.org,
                text={"name": name_zh, "name_en": name_en, "value": pct(o.value),
                      "arithmetic": reported[0], "arithmetic_en": reported[1], **self.ctx.scope_text(scope)})

    def derived(self, rule, d):
        """Percent indicators computed from the org unit's figures."""
        lo, hi = self.bounds[rule.code]
        exclude = set(rule.params.get("exclude", []) or [])
        for ind in self.indicators:
            if ind.code in exclude or not self.inputs[ind.code] <= d.elements:
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
                arith = {lang: ratio_text(ind, vals, lang) for lang in ("zh", "en")}
                yield rule.finding(
                    {"value": round(v, 6), "numerator": n, "denominator": den, **vals},
                    location=location_of(*used.values()), period=period, org_unit=d.org,
                    text={"name": ind.zh, "name_en": ind.en, "value": pct(v), "arithmetic": arith["zh"],
                          "arithmetic_en": arith["en"], **self.ctx.scope_text(scope)})
