"""Explaining a printed figure (说明印发值): the arithmetic of the recomputed value, and — where the
printed figure does not match — the figure the report must have used instead: another
denominator or numerator (a stand-in of the same family, rules.yaml ``related``), the base the
printed figure implies when no figure of the data gives it, or the same element in another year
or scope. The pieces of text are rules.yaml ``phrases``."""

from __future__ import annotations

from nianbao.check.claims.reading import Stated, Words, compare_printed, same
from nianbao.check.explain import expression_text, shown
from nianbao.check.text import num, pct
from nianbao.core import formula
from nianbao.core.formatting import number_text, pair_text

_OPS = {"zh": (" ÷ ", " × "), "en": (" / ", " * ")}


class Explainer:
    def __init__(self, catalogue, book, recomputer, words: Words):
        self.cat = catalogue
        self.book = book
        self.recomputer = recomputer
        self.words = words

    # -- how the recomputed figure is printed --------------------------------------------------
    def points(self, lang: str) -> str:
        return self.words.points if lang == "zh" else " percentage points"

    def display(self, fact, k: float, st: Stated, change: bool) -> str:
        """The recomputed figure as the message prints it (a change with its sign)."""
        if change:
            unit = self.points("zh") if fact.style == "percent" else fact.unit_zh
            base = ("+" if fact.value > 0 else "") + number_text(fact.value, fact.decimals) + unit
        else:
            base = shown(fact)
        if k != 1 and st.unit not in ("", "%", "pp"):
            base += self.book.phrase("in_printed_unit", "zh", value=number_text(fact.value / k, st.decimals + 2),
                                     unit=st.unit)
        return base

    def magnitude(self, fact, lang: str = "zh") -> str:
        """The size of a change with its unit: 0.22个百分点."""
        if fact.style == "percent":
            unit = self.points(lang)
        else:
            unit = fact.unit_zh if lang == "zh" else f" {fact.unit_en}"
        return number_text(abs(fact.value), fact.decimals) + unit

    def expected(self, ind, expected: float, st: Stated, k: float) -> str:
        """What the printed figure should read at its own precision."""
        if ind.style == "pair10":
            return pair_text(expected, st.decimals)
        if ind.style == "x1":
            return number_text(expected, st.decimals) + ":1"
        if ind.style == "percent" and k == 1:
            return number_text(expected, st.decimals) + "%"
        return number_text(expected, st.decimals) + (st.unit if st.unit != "pp" else self.points("zh"))

    def value_text(self, ind, v: float) -> str:
        if ind.style == "percent":
            return pct(v)
        if ind.style == "x1":
            return number_text(v, max(ind.decimals, 2)) + ":1"
        if ind.style == "pair10":
            return pair_text(v, 2)
        return num(v) + (ind.unit_zh if ind.unit_zh != "%" else "")

    # -- what the report must have used --------------------------------------------------------
    def _classify(self, v: float, k: float, st: Stated, stated_value: float) -> str | None:
        return {"match": "exact", "rounding": "approx"}.get(compare_printed(v / k, stated_value, st.decimals))

    def explain(self, ind, fact, st: Stated, k: float, stated_value: float, values: dict) -> tuple[str, str]:
        """(Chinese, English) explanation of a mismatch; ``values`` gains what explains it."""
        if stated_value == 0:
            return "", ""
        if fact.kind == "ratio" and ind.denominator_ast is not None:
            return self.ratio(ind, fact, st, k, stated_value, values)
        if fact.kind in ("element", "reported") and fact.base_period is None:
            return self.other_value(ind, fact, st, k, stated_value, values)
        return "", ""

    def ratio(self, ind, fact, st, k, stated_value, values) -> tuple[str, str]:
        """A ratio: a stand-in for its denominator or (single) numerator that gives the printed
        figure; failing that, the denominator the printed figure implies."""
        inputs = {i.ref: i.value for i in fact.inputs}
        times = {lang: (_OPS[lang][1] + num(ind.factor)) if ind.factor != 1 else "" for lang in _OPS}
        num_text = {lang: expression_text(ind.numerator_ast, inputs, lang) for lang in _OPS}
        den_text = {lang: expression_text(ind.denominator_ast, inputs, lang) for lang in _OPS}
        den_ref = ind.denominator_ast if isinstance(ind.denominator_ast, formula.Ref) else None
        num_refs = formula.refs(ind.numerator_ast)
        tries = []  # (role, candidate, value with it, formula around the candidate)
        if den_ref is not None:
            def as_denominator(x, lang):
                return f"{num_text[lang]}{_OPS[lang][0]}{x}{times[lang]}"
            tries += [("denominator", c, fact.numerator * ind.factor / c.value, as_denominator)
                      for c in self.recomputer.stand_ins(fact.period, den_ref, fact.denominator) if c.value > 0]
        if len(num_refs) == 1:
            def as_numerator(x, lang):
                return f"{x}{_OPS[lang][0]}{den_text[lang]}{times[lang]}"
            nref = num_refs[0]
            tries += [("numerator", c, formula.evaluate(ind.numerator_ast, lambda r, c=c: c.value) * ind.factor
                       / fact.denominator, as_numerator)
                      for c in self.recomputer.stand_ins(fact.period, nref, inputs.get(nref.key))]
        found = []  # (how, role, formula zh, formula en, value)
        for role, c, v, around in tries:
            how = self._classify(v, k, st, stated_value)
            if how:
                shown_c = {lang: num(c.value) + self.book.phrase("labelled", lang, label=c.label_zh if lang == "zh"
                                                                 else c.label_en) for lang in _OPS}
                found.append((how, role, around(shown_c["zh"], "zh"), around(shown_c["en"], "en"), v))
        found.sort(key=lambda f: (f[0] != "exact", abs(f[4] / k - stated_value)))
        exact = [f for f in found if f[0] == "exact"][:2]
        chosen = exact or found[:1]
        parts_zh, parts_en = [], []
        for how, role, f_zh, f_en, v in chosen:
            key = "explained_exact" if how == "exact" else "explained_approx"
            shown_v = self.value_text(ind, v)
            parts_zh.append(self.book.phrase(key, "zh", formula=f_zh, value=shown_v, role=self.book.phrase(role, "zh")))
            parts_en.append(self.book.phrase(key, "en", formula_en=f_en, value=shown_v,
                                             role_en=self.book.phrase(role, "en")))
        values["explained_by"] = [f[2] + " = " + self.value_text(ind, f[4]) for f in chosen]
        if not exact and den_ref is not None:
            implied = fact.numerator * ind.factor / (stated_value * k)
            el = self.cat.elements[den_ref.element]
            implied_text = num(round(implied)) if el.type == "count" else num(implied)
            values["implied_denominator"] = round(implied, 2)
            fx = {lang: f"{num_text[lang]}{times[lang]}{_OPS[lang][0]}{num(stated_value * k)}" for lang in _OPS}
            parts_zh.append(self.book.phrase("implied_base", "zh", role=self.book.phrase("denominator", "zh"),
                                             formula=fx["zh"], implied=implied_text))
            parts_en.append(self.book.phrase("implied_base", "en", role_en=self.book.phrase("denominator", "en"),
                                             formula_en=fx["en"], implied=implied_text))
        return "".join(parts_zh), " ".join(parts_en)

    def other_value(self, ind, fact, st, k, stated_value, values) -> tuple[str, str]:
        """A reported figure: the same element in another year or scope that gives the printed one."""
        cat = self.cat
        element = ind.fallback if fact.kind == "reported" else ind.code
        found = []
        for o in self.recomputer.obs:
            if o.element != element or o.dims != fact.dims or (o.period == fact.period and same(o.value, fact.value)):
                continue
            how = self._classify(o.value, k, st, stated_value)
            if how:
                label = {lang: self.book.phrase("in_year_and_scope", lang,
                                                label=cat.ref_label(formula.Ref(o.element, o.dims), lang),
                                                period=o.period, scope=cat.scope_label(o.scope, lang))
                         for lang in ("zh", "en")}
                found.append((how, label["zh"], label["en"], o.value))
        found.sort(key=lambda f: (f[0] != "exact", abs(f[3] / k - stated_value)))
        if not found:
            return "", ""
        how, zh, en, v = found[0]
        key = "other_value_exact" if how == "exact" else "other_value_approx"
        shown_v = self.value_text(ind, v)
        values["explained_by"] = [f"{zh} = {shown_v}"]
        return self.book.phrase(key, "zh", label=zh, value=shown_v), self.book.phrase(key, "en", label_en=en,
                                                                                       value=shown_v)
