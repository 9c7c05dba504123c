"""Scope (口径): one figure given in two scopes with two values (both may be right: the report
must say which is which), a series whose scope changes from one year to the next (not compared
across the break), and a ratio whose numerator and denominator come from different scopes
(computable, comparable with nothing)."""

from __future__ import annotations

from nianbao.check.explain import fact_arithmetic, location_of
from nianbao.check.registry import Handler, rule_kind
from nianbao.check.text import joined, num
from nianbao.compute.facts import FactBook
from nianbao.core import formula


@rule_kind("scope", cases=("two_scopes", "series_break", "mixed"))
class Scope(Handler):
    def __init__(self, ctx, rules):
        super().__init__(ctx, rules)
        self.refs = {code: formula.refs(ind.numerator_ast) + (formula.refs(ind.denominator_ast) if ind.denominator
                                                               else [])
                     for code, ind in self.cat.indicators.items() if ind.derived}

    def units(self):
        """The units giving figures in two scopes or more: no other can state a figure twice,
        change scope or mix scopes."""
        return self.ctx.dataset.units_with_scopes(2)

    def check(self, d):
        if len(d.scopes) < 2:
            return  # one scope only: nothing can be stated twice, change scope or mix scopes
        yield from self.stated_twice(d)
        yield from self.mixed(d)

    def stated_twice(self, d):
        two, brk = self.rule("two_scopes"), self.rule("series_break")
        cat = self.cat
        for (element, dims, period), by_scope in d.by_eps.items():
            name_zh, name_en = self.ctx.label(element, dims)
            if two and len(by_scope) > 1:
                scopes = sorted(by_scope)
                if len({by_scope[s].value for s in scopes}) > 1:
                    values = {s: by_scope[s].value for s in scopes}
                    variants = {lang: joined([self.book.phrase("value_in_scope", lang, value=num(by_scope[s].value),
                                                               scope=cat.scope_label(s, lang)) for s in scopes], lang)
                                for lang in ("zh", "en")}
                    text = {"name": name_zh, "name_en": name_en, "variants": variants["zh"],
                            "variants_en": variants["en"]}
                    yield two.finding(values, location=location_of(*by_scope.values()), period=period,
                                      org_unit=d.org, text=text)
            prev = d.by_eps.get((element, dims, period - 1))
            if brk and prev and not set(prev) & set(by_scope):
                a, b = sorted(prev)[0], sorted(by_scope)[0]
                text = {"name": name_zh, "name_en": name_en, **self.ctx.scope_text(a, "previous_scope"),
                        **self.ctx.scope_text(b)}
                yield brk.finding({"previous_period": period - 1, "previous_scope_code": a, "scope_code": b},
                                  location=location_of(prev[a], by_scope[b]), period=period, org_unit=d.org,
                                  text=text)

    def mixed(self, d):
        rule = self.rule("mixed")
        if not rule:
            return
        cat = self.cat
        periods = sorted({p for p, _ in d.combos})
        book = None
        by_eps = d.by_eps
        for code, refs in self.refs.items():
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
                scopes = {lang: self.book.phrase("scope_list_separator", lang).join(
                    self.book.phrase("input_scope", lang, label=i.label_zh if lang == "zh" else i.label_en,
                                     scope=cat.scope_label(i.scope, lang)) for i in f.inputs)
                    for lang in ("zh", "en")}
                values = {"value": f.value, "numerator": f.numerator, "denominator": f.denominator,
                          "scopes": {i.ref: i.scope for i in f.inputs}}
                arith_zh, arith_en = fact_arithmetic(f, cat, "zh"), fact_arithmetic(f, cat, "en")
                text = {"name": f.name_zh, "name_en": f.name_en, "scopes": scopes["zh"], "scopes_en": scopes["en"],
                        "formula": arith_zh.rsplit(" = ", 1)[0], "formula_en": arith_en.rsplit(" = ", 1)[0],
                        "value": arith_zh.rsplit(" = ", 1)[1]}
                obs = [d.table.get((formula.parse_ref_key(i.ref).element, formula.parse_ref_key(i.ref).dims,
                                    i.period, i.scope)) for i in f.inputs]
                yield rule.finding(values, location=location_of(*obs), period=p, org_unit=d.org, text=text)
