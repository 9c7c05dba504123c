"""Claims (印发值复核): the figures a published report printed (claims.csv), read as printed
(``claims.reading``), recomputed from the dataset through the catalogue (``claims.recomputing``)
and compared at the precision they were printed with; a figure that does not match comes with
the arithmetic and the figure the report must have used instead (``claims.explaining``). A
ratio printed as a clock time, a fall printed without its sign and a difference of percentages
printed with "%" are reported as such."""

from __future__ import annotations

from nianbao.check.claims.explaining import Explainer
from nianbao.check.claims.reading import Words, compare_printed, parse_stated, same
from nianbao.check.claims.recomputing import Problem, Recomputer
from nianbao.check.explain import fact_arithmetic, shown
from nianbao.check.registry import Handler, rule_kind
from nianbao.check.text import num, pct
from nianbao.compute import engines
from nianbao.core import formula
from nianbao.core.findings import Location
from nianbao.core.formatting import number_text, round_half_up, time_of_fraction
from nianbao.core.messages import phrase

CASES = ("mismatch", "rounding", "as_time", "chart_scale", "sign_dropped", "unsigned", "pp_as_percent",
         "relative_change", "change_ambiguous", "percent_sign", "scope_unstated", "unit", "not_comparable", "not_recomputable", "unreadable", "unknown_target", "unknown_org", "bad_row")


@rule_kind("claim", cases=CASES, per="dataset")
class Claims(Handler):
    def __init__(self, ctx, rules):
        super().__init__(ctx, rules)
        self.words = Words.of(self.book)
        self.recomputer = self.explainer = None
        self._units: dict[str, tuple] = {}

    def check(self, _=None):
        ds = self.ctx.dataset
        if not ds.claims:
            return
        own = ds.org_unit.code
        for claim in ds.claims:
            org = claim.org_unit or own
            if org != own and (ds.orgs is None or org not in ds.orgs):
                self.recomputer = self._unit(own)[0]
                yield self.found("unknown_org", claim, {"org_unit": org}, {"unit": org})
                continue
            self.recomputer, self.explainer = self._unit(org)
            for f in self.claim(claim):
                if f is not None:
                    yield f

    def _unit(self, org: str):
        """The recomputer and explainer of one org unit's claims (made once)."""
        if org not in self._units:
            r = Recomputer(self.ctx.dataset, self.book, self.words, org,
                           engines.summing_engine(self.ctx.engine), self.ctx.url)
            self._units[org] = (r, Explainer(self.cat, self.book, r, self.words))
        return self._units[org]

    def found(self, case: str, claim, values: dict, text: dict):
        """The finding of ``case`` about one row of claims.csv (None where rules.yaml leaves the
        case out)."""
        rule = self.rule(case)
        if rule is None:
            return None
        row = phrase("where.row", row=claim.row)
        text = {"where": claim.location or f"claims.csv {row}", "stated": claim.stated, "row": str(claim.row),
                **text}
        return rule.finding({"stated": claim.stated, **values}, location=Location(file="claims.csv", cell=row,
                                                                                   section=claim.location),
                            period=claim.period or None, org_unit=self.recomputer.org, text=text)

    def names(self, t, claim) -> dict:
        cat = self.cat
        ind = t.ind
        label = {lang: ind.zh if lang == "zh" else ind.en for lang in ("zh", "en")} if ind.derived else \
            {lang: cat.ref_label(formula.Ref(t.code, t.dims), lang) for lang in ("zh", "en")}
        span = "change_period" if t.change else "one_period"
        ds = self.ctx.dataset
        if claim.org_unit and claim.org_unit != ds.org_unit.code:  # a claim about a county or a school
            unit = ds.orgs.get(claim.org_unit)
            label = {"zh": (unit.zh if unit else claim.org_unit) + label["zh"],
                     "en": f"{(unit.en or unit.zh) if unit else claim.org_unit}: {label['en']}"}
        return {"name": label["zh"], "name_en": label["en"],
                "period_text": self.book.phrase(span, "zh", period=claim.period, base_period=claim.base_period),
                "period_text_en": self.book.phrase(span, "en", period=claim.period, base_period=claim.base_period),
                "base_period": str(claim.base_period or "")}

    def claim(self, claim):
        t = self.recomputer.target(claim)
        if isinstance(t, Problem):
            yield self.found(t.case, claim, {}, t.text)
            return
        ind = t.ind
        text = self.names(t, claim)
        st = parse_stated(claim.stated, self.words)
        if st is None:
            yield self.found("unreadable", claim, {}, text)
            return
        if ind.style == "pair10":  # a ratio that a spreadsheet turned into a clock time
            hm = st.time if st.kind == "time" else (
                time_of_fraction(st.value) if st.kind == "number" and not st.unit else None)
            if hm:
                h, m = hm
                yield self.found("as_time", claim, {"hour": h, "minute": m},
                                 {**text, "time": f"{h}:{m:02d}", "fixed": f"{h}:{m}"})
                return
        fact = self.recomputer.fact(t, claim)
        if fact is None:
            yield self.found("not_recomputable", claim, {}, text)
            return
        if t.change and not fact.comparable:  # two scopes or two bases, and no printed pair of one
            yield self.found("not_comparable", claim, {"reason": fact.break_reason or "definition", "now": fact.numerator,
                                                       "before": fact.denominator},
                             {**text, "note": fact.scope_note})
            return
        if ind.style == "pair10" and st.kind == "x1":
            yield from self.as_x1(claim, st, fact, text)
            return
        scaling = self.recomputer.scaling(t, st, fact, claim.form == "chart")
        if scaling.problem == "chart_scale":
            yield self.found("chart_scale", claim, {"recomputed": fact.value},
                             {**text, "fraction": number_text(st.value / 100, st.decimals + 2),
                              "shown": pct(st.value * 100, 0)})
            return
        if scaling.problem == "percent_sign":
            yield self.found("percent_sign", claim, {"stated_value": st.value}, dict(text))
        elif scaling.problem == "unit":
            yield self.found("unit", claim, {}, {**text, "unit": scaling.unit, "target_unit": scaling.target_unit})
            return
        yield from self.compared(claim, t, st, fact, scaling.k, text)

    def compared(self, claim, t, st, fact, k, text):
        """The recomputed figure against the printed one, at the printed precision."""
        cat, ind, change, ex = self.cat, t.ind, t.change, self.explainer
        stated_value = st.sign * st.value if change and st.sign is not None else st.value
        compared = abs(fact.value / k) if change and st.sign is None else fact.value / k
        d = st.decimals
        status = compare_printed(compared, stated_value, d)
        values = {"stated_value": stated_value, "recomputed": fact.value, "scale": k,
                  "numerator": fact.numerator, "denominator": fact.denominator,
                  "inputs": {i.ref if not change else i.label_zh: i.value for i in fact.inputs}}
        text.update(recomputed=ex.display(fact, k, st, change),
                    arithmetic=fact_arithmetic(fact, cat, "zh"), arithmetic_en=fact_arithmetic(fact, cat, "en"))
        if change and claim.row in self.recomputer.printed_changes:  # like with like: both years as printed
            for lang, key in (("zh", "arithmetic"), ("en", "arithmetic_en")):
                text[key] = phrase("fact.change_as_printed", lang, arithmetic=text[key])
        reading = "points"
        if change and ind.style == "percent" and fact.denominator and (st.kind == "percent" or st.relative):
            # "增加8.36%" of a rate: a difference in percentage points, or a relative change?
            rel = (fact.numerator - fact.denominator) / fact.denominator * 100
            rel_compared = abs(rel) if st.sign is None else rel
            rel_status = compare_printed(rel_compared, stated_value, d)
            rank = {"match": 0, "rounding": 1, "mismatch": 2}
            if st.relative or rank[rel_status] < rank[status]:
                reading = "relative"
            elif rank[rel_status] == rank[status] < 2:
                reading = "both"
            values["relative"] = rel
            rel_text = {lang: phrase("fact.relative_arithmetic", lang, now=num(fact.numerator),
                                     before=num(fact.denominator), relative=pct(rel)) for lang in ("zh", "en")}
            text.update(relative=pct(rel), relative_arithmetic=rel_text["zh"], relative_arithmetic_en=rel_text["en"])
            if reading == "relative":
                status, compared = rel_status, rel_compared
                text.update(recomputed=("+" if rel > 0 else "") + pct(rel), arithmetic=rel_text["zh"],
                            arithmetic_en=rel_text["en"])
            elif status == "mismatch":  # neither reading holds: the message gives both
                text.update(arithmetic=phrase("fact.both_readings", "zh", points=text["arithmetic"],
                                              relative=rel_text["zh"]),
                            arithmetic_en=phrase("fact.both_readings", "en", points=text["arithmetic_en"],
                                                 relative=rel_text["en"]))
        if status == "mismatch":
            ex_zh, ex_en = ex.explain(ind, fact, st, k, stated_value, values)
            text.update(explanation=ex_zh, explanation_en=ex_en)
            yield self.found("mismatch", claim, values, text)
            return
        if status == "rounding":
            expected = round_half_up(compared, d)
            values["expected"] = expected
            text["expected"] = ex.expected(ind, expected, st, k)
            yield self.found("rounding", claim, values, dict(text))
        if change:
            yield from self.change(claim, ind, st, fact, values, text, reading)
        elif not claim.scope:
            yield self.scope_unstated(claim, t, st, fact, k, text)

    def as_x1(self, claim, st, fact, text):
        """A ratio of two figures printed as "x:1" (普职比 1.45:1) where the catalogue prints it as a
        pair summing to 10 (5.9:4.1): the first figure over the second, at the printed precision."""
        first, total = fact.numerator, fact.denominator
        if fact.kind != "ratio" or first is None or not total or same(total, first):
            yield self.found("not_recomputable", claim, {}, text)
            return
        second = total - first
        x, d = first / second, st.decimals
        recomputed = number_text(x, max(d, 2)) + ":1"
        values = {"stated_value": st.value, "recomputed": x, "numerator": first, "denominator": second}
        text = {**text, "recomputed": recomputed, "explanation": "", "explanation_en": "",
                "arithmetic": f"{number_text(first, 0)} ÷ {number_text(second, 0)} = {recomputed}",
                "arithmetic_en": f"{number_text(first, 0)} / {number_text(second, 0)} = {recomputed}"}
        status = compare_printed(x, st.value, d)
        if status == "mismatch":
            yield self.found("mismatch", claim, values, text)
        elif status == "rounding":
            expected = round_half_up(x, d)
            values["expected"] = expected
            yield self.found("rounding", claim, values, {**text, "expected": number_text(expected, d) + ":1"})

    def change(self, claim, ind, st, fact, values, text, reading="points"):
        """A change printed without its direction; a change of a rate printed with "%": as
        percentage points (ask for 个百分点), as a relative change (ask to say 相对), or either."""
        ex = self.explainer
        mag = {"magnitude": ex.magnitude(fact), "magnitude_en": ex.magnitude(fact, "en")}
        if st.sign is None and fact.value < 0:
            yield self.found("sign_dropped", claim, values, {**text, **mag})
        elif st.sign is None and fact.value > 0:
            yield self.found("unsigned", claim, values, {**text, **mag})
        if reading in ("relative", "both") and not st.relative:
            size = number_text(abs(fact.value), max(fact.decimals, st.decimals))
            words = {**text, "points": size + ex.points("zh"), "points_en": size + ex.points("en")}
            if reading == "relative":
                yield self.found("relative_change", claim, values, words)
            else:
                yield self.found("change_ambiguous", claim, values, words)
            return
        if reading == "points" and ind.style == "percent" and st.kind == "percent":
            before = fact.denominator
            rel = fact.value / before * 100 if before else None
            size = number_text(abs(fact.value), st.decimals)
            yield self.found("pp_as_percent", claim, {**values, "relative": rel},
                             {**text, "correct": size + ex.points("zh"), "correct_en": size + ex.points("en"),
                              "relative": pct(rel) if rel is not None else ""})

    def scope_unstated(self, claim, t, st, fact, k, text):
        """A figure right for one scope only, printed without saying which."""
        other = self.recomputer.other_scope(t, fact, st, k)
        if other is None:
            return None
        main, s, alt = other
        cat = self.cat
        values = {"recomputed": fact.value, "other": alt.value, "scope_code": main, "other_scope_code": s}
        return self.found("scope_unstated", claim, values, {
            **text, **self.ctx.scope_text(main), **self.ctx.scope_text(s, "other_scope"),
            "other": shown(alt), "other_arithmetic": fact_arithmetic(alt, cat, "zh"),
            "other_arithmetic_en": fact_arithmetic(alt, cat, "en")})
