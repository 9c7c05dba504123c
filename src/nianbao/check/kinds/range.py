"""Ranges (取值范围): every rate lies within its rule's bounds (0–100%) — rate elements as
reported, and every derived percentage whose numerator is a part of its denominator: all percent
indicators except those the rule excludes and those whose numerator ≤ denominator is already a
comparison (one finding for one problem)."""

from __future__ import annotations

from nianbao.check import rules_sql as sql
from nianbao.check.explain import location_of, ratio_text
from nianbao.check.kinds.compare import parts_of_wholes
from nianbao.check.registry import Handler, rule_kind
from nianbao.check.text import pct
from nianbao.compute import engines
from nianbao.compute.provenance import SUMMED
from nianbao.compute.sql import inputs_of
from nianbao.core import formula
from nianbao.core.observations import dims_text

WIDE = "range_wide"


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
        for (element, dims, period, scope), o in d.table.items():
            if element not in self.rates or lo <= o.value <= hi:
                continue
            yield self.rate_finding(rule, o)

    def rate_finding(self, rule, o):
        """The finding of a rate element outside its rule's bounds."""
        name_zh, name_en = self.ctx.label(o.element, o.dims)
        reported = self.book.phrase("reported", "zh"), self.book.phrase("reported", "en")
        return rule.finding(
            {"value": o.value}, location=location_of(o), period=o.period, org_unit=o.org_unit,
            text={"name": name_zh, "name_en": name_en, "value": pct(o.value),
                  "arithmetic": reported[0], "arithmetic_en": reported[1], **self.ctx.scope_text(o.scope)})

    def derived(self, rule, d):
        """Percent indicators computed from the org unit's figures."""
        exclude = set(rule.params.get("exclude", []) or [])
        for ind in self.indicators:
            if ind.code in exclude or not self.inputs[ind.code] <= d.elements:
                continue
            for period, scope in d.combos_sorted:
                f = self.ratio_finding(rule, d, ind, period, scope)
                if f is not None:
                    yield f

    def ratio_finding(self, rule, d, ind, period, scope):
        """The finding of a percent indicator of one unit, year and scope outside the rule's
        bounds (None where it is within them or cannot be computed)."""
        lo, hi = self.bounds[rule.code]
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
            return None
        v = n * ind.factor / den
        if lo - 1e-9 <= v <= hi + 1e-9:
            return None
        vals = {k: o.value for k, o in used.items()}
        arith = {lang: ratio_text(ind, vals, lang) for lang in ("zh", "en")}
        return rule.finding(
            {"value": round(v, 6), "numerator": n, "denominator": den, **vals},
            location=location_of(*used.values()), period=period, org_unit=d.org,
            text={"name": ind.zh, "name_en": ind.en, "value": pct(v), "arithmetic": arith["zh"],
                  "arithmetic_en": arith["en"], **self.ctx.scope_text(scope)})

    def compile(self):
        """Per rule: the rate elements outside its bounds; and every percent indicator of its
        (those it does not exclude) computed from the figures of one unit, year and scope — the
        inputs pivoted once into columns (``range_wide``) — kept where it falls outside them.
        Rows: rule, indicator (-1 for a rate as reported), then the figure ids of the inputs."""
        refs = list(dict.fromkeys(r for ind in self.indicators for r in inputs_of(ind)))
        pivot, col = sql.wide(refs) if refs else ("", {})
        width = max([1] + [len(inputs_of(ind)) for ind in self.indicators])
        pad = lambda n: ", ".join(["CAST(NULL AS INTEGER)"] * (width - n))  # noqa: E731
        selects, tables = [], ()
        rates = ", ".join(sql.text(e) for e in sorted(self.rates))
        for i, rule in enumerate(self.rules):
            lo, hi = (sql.number(b) for b in self.bounds[rule.code])
            if rates:
                selects.append(f"""SELECT {i} AS r, -1 AS ind, rid{', ' + pad(1) if width > 1 else ''}
FROM {sql.FIGURES} WHERE element IN ({rates}) AND NOT (value >= {lo} AND value <= {hi})""")
            exclude = set(rule.params.get("exclude", []) or [])
            for k, ind in enumerate(self.indicators):
                if ind.code in exclude:
                    continue
                mine = inputs_of(ind)
                value = lambda r: f"w.v{col[r]}"  # noqa: E731
                num = formula.to_sql(ind.numerator_ast, value)
                den = formula.to_sql(ind.denominator_ast, value)
                ratio = f"({num}) * {sql.number(ind.factor)} / NULLIF({den}, 0)"
                rids = ", ".join([f"w.r{col[r]}" for r in mine] + ([pad(len(mine))] if len(mine) < width else []))
                present = " AND ".join(f"w.r{col[r]} IS NOT NULL" for r in mine)
                selects.append(f"""SELECT {i} AS r, {k} AS ind, {rids}
FROM {WIDE} w
WHERE {present} AND NOT ({ratio} >= {lo} - {sql.EPS} AND {ratio} <= {hi} + {sql.EPS})""")
        if refs and any("FROM " + WIDE in s for s in selects):
            tables = ((WIDE, pivot),)
        if not selects:
            return None
        return sql.Compiled("\nUNION ALL\n".join(selects), rids=tuple(range(2, width + 2)), tables=tables)

    def found(self, rows, figures, orgs):
        for r, k, *rids in rows:
            rule = self.rules[r]
            if k == -1:
                yield self.rate_finding(rule, figures[rids[0]])
                continue
            first = figures[rids[0]]
            f = self.ratio_finding(rule, orgs[first.org_unit], self.indicators[k], first.period, first.scope)
            if f is not None:  # the same arithmetic, in Python, words it (and has the last word on the bounds)
                yield f


@rule_kind("printed_range", per="dataset")
class PrintedRange(Handler):
    """The rates the report would print for a unit whose figures are sums of its schools (the
    dataset's own unit, its counties): a numerator summed over other schools than its
    denominator can give a 毕业率 of 250%, which no school's own figures show. Every bounded
    percentage of such a unit outside its rule's bounds is a finding naming the schools summed
    on each side."""

    def check(self, _=None):
        ds = self.ctx.dataset
        cat = self.cat
        units = [ds.org_unit.code]
        if ds.orgs is not None:
            units += [o.code for lvl in ("county", "city", "province") for o in ds.orgs.at_level(lvl)
                      if o.code != ds.org_unit.code and ds.org_unit.code in ds.orgs.ancestors(o.code)]
        bounded = {}
        for rule in self.rules:
            exclude = set(rule.params.get("exclude", []) or [])
            bounded[rule.code] = [ind for ind in cat.indicators.values() if ind.derived and ind.style == "percent"
                                  and ind.factor == 100 and ind.denominator and ind.code not in exclude]
        wanted = list(dict.fromkeys((ind.code, ()) for inds in bounded.values() for ind in inds))
        if not wanted:
            return
        # the units' rates, summed where the check sums (in this process: the Python roll-up), only those bounded
        figs = engines.open_figures(ds, engines.summing_engine(self.ctx.engine), self.ctx.url, units=units,
                                    groups=[], wanted=wanted)
        try:
            books = {org: figs.factbook(org) for org in units}
            out = []
            for rule in self.rules:
                lo, hi = float(rule.params.get("min", 0)), float(rule.params.get("max", 100))
                for org in units:
                    for ind in bounded[rule.code]:
                        for p in ds.periods:
                            f = books[org].get(ind.code, p)
                            if f is None or f.kind != "ratio" or lo - 1e-9 <= f.value <= hi + 1e-9 \
                                    or not any(i.source == SUMMED for i in f.inputs):
                                continue
                            out.append((rule, org, ind, f))
            keys = [_key(org, i) for _, org, _, f in out for i in f.inputs]
            schools = figs.included(keys) if keys else {}
        finally:
            figs.close()
        for rule, org, ind, f in out:
            yield self.finding(rule, org, ind, f, schools)

    def finding(self, rule, org, ind, f, schools):
        """``schools``: the schools behind each input (``_key``), as the engine's ``included`` gives them."""
        num_refs = {x.key for x in formula.refs(ind.numerator_ast)}
        sides = {"numerator": set(), "denominator": set()}
        for i in f.inputs:
            sides["numerator" if i.ref in num_refs else "denominator"].update(schools[_key(org, i)])
        unit = self.ctx.dataset.orgs.get(org) if self.ctx.dataset.orgs is not None else None
        name = unit.zh if unit else self.ctx.dataset.org_unit.zh
        vals = {i.ref: i.value for i in f.inputs}
        arith = {lang: ratio_text(ind, vals, lang) for lang in ("zh", "en")}
        return rule.finding(
            {"value": round(f.value, 6), "numerator": f.numerator, "denominator": f.denominator,
             "numerator_schools": len(sides["numerator"]), "denominator_schools": len(sides["denominator"])},
            period=f.period, org_unit=org,
            text={"unit": name, "name": ind.zh, "name_en": ind.en, "value": pct(f.value), "arithmetic": arith["zh"],
                  "arithmetic_en": arith["en"], "numerator_schools": str(len(sides["numerator"])),
                  "denominator_schools": str(len(sides["denominator"])), **self.ctx.scope_text(f.scope)})


def _key(org: str, inp) -> tuple:
    """The key of one input of a unit's fact as ``included`` of the engine's figures takes it."""
    ref = formula.parse_ref_key(inp.ref)
    return (org, "", ref.element, dims_text(ref.dims), inp.period, inp.scope)
