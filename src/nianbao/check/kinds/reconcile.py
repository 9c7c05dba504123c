"""Reconciliation (本级填报与下级合计): a unit that gives its own total beside the figures of its
children (a city's 35 schools, its counties' 5 + 7 = 12) gets a finding that states both values,
names the children with theirs and says which value the indicators and the report use — the one
``reconcile.use`` of aggregation.yaml names (the unit's own by default). The pairs are found by
the aggregation (``nianbao.compute.aggregate.Rollup.reconciliations``), at every level: a school
total of a county, a county total of a city, a city total of a province.

Where the two are in different scopes, a figure without technical schools may be less than all
schools (the difference is the technical schools) but never more; a unit without technical
schools has one figure in both scopes.
"""

from __future__ import annotations

from nianbao.check.explain import location_of
from nianbao.check.registry import Handler, rule_kind
from nianbao.check.text import joined, num
from nianbao.compute.aggregate import rollup
from nianbao.compute.aggregation_sql import has_area_figures
from nianbao.core import formula

CASES = ("reported", "sum")
SHOWN = 6  # children named in a message; the rest are counted


@rule_kind("reconcile", cases=CASES, per="dataset")
class Reconcile(Handler):
    def check(self, _=None):
        ds = self.ctx.dataset
        if ds.orgs is None or not has_area_figures(ds):  # no unit above the schools gave a figure to reconcile
            return
        for rec in rollup(ds).reconciliations:
            rule = self.rule("sum") if rec.used == "sum" else self.rule("reported")
            if rule is None:
                continue
            el = self.cat.elements[rec.element]
            name_zh = self.cat.ref_label(formula.Ref(rec.element, rec.dims), "zh")
            name_en = self.cat.ref_label(formula.Ref(rec.element, rec.dims), "en")
            parts = {lang: [f"{name}{num(v)}{el.unit_zh if lang == 'zh' else ''}" if lang == "zh"
                            else f"{name} {num(v)}" for _, name, v in rec.children[:SHOWN]] for lang in ("zh", "en")}
            more = len(rec.children) - SHOWN
            text = {"unit": rec.unit_zh, "name": name_zh, "name_en": name_en, "unit_zh": el.unit_zh,
                    "children": joined(parts["zh"], "zh") + (self.book.phrase("more_children", "zh", n=more)
                                                             if more > 0 else ""),
                    "children_en": joined(parts["en"], "en") + (self.book.phrase("more_children", "en", n=more)
                                                                if more > 0 else ""),
                    **self.ctx.scope_text(rec.reported.scope), **self.ctx.scope_text(rec.summed.scope, "sum_scope"),
                    "origin": rec.summed.origin}
            values = {"reported": rec.reported.value, "sum": rec.summed.value,
                      "diff": round(rec.reported.value - rec.summed.value, 6), "used": rec.value,
                      "relation": rec.relation, "children": {code: v for code, _, v in rec.children}}
            yield rule.finding(values, location=location_of(rec.reported), period=rec.period, org_unit=rec.unit,
                               text=text)
