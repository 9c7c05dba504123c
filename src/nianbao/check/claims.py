"""Claims (印发值): the figures a published report printed, recomputed from the dataset.

Each row of claims.csv names an indicator or a data element, a period (and for a stated change
the earlier period), the figure exactly as printed ("78%", "11.56:1", "2.32万元", "增长0.6册",
"7:03") and where it was printed. The check recomputes the figure through the catalogue
(FactBook), compares it at the precision it was printed with, and, when it does not match,
looks in the data for what the report must have used instead: another denominator, another
numerator, another year or scope. A ratio printed as a clock time, a fall printed without its
sign and a difference of percentages printed with "%" are reported as such.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass

from nianbao.check.explain import fact_arithmetic, shown
from nianbao.check.rules import RuleBook, num, pct
from nianbao.compute.facts import FactBook
from nianbao.core import formula
from nianbao.core.findings import Finding, Location
from nianbao.core.formatting import looks_like_time, number_text, pair_text, round_half_up, time_of_fraction
from nianbao.core.observations import parse_dims

INCREASE = ("增长", "增加", "提高", "上升", "增多")
DECREASE = ("减少", "下降", "降低", "减小")
FLAT = ("持平", "不变")
FILLERS = ("比上一年度", "比上年度", "与上年相比", "比上年", "较上年", "同比", "约", "左右", "余", "达到", "达", "为")
_PAIR = re.compile(r"^([+-]?\d+(?:\.\d+)?):(\d+(?:\.\d+)?)$")
_NUM = re.compile(r"^([+-]?)(\d+(?:\.\d+)?)(.*)$")


@dataclass
class Stated:
    raw: str
    kind: str  # number | percent | pair | x1 | time | flat
    value: float
    decimals: int
    unit: str = ""  # "%", "pp" (个百分点) or a unit word such as 万元
    sign: int | None = None  # +1 / −1 / 0 when the text states a direction
    time: tuple[int, int] | None = None


def _decimals(text: str) -> int:
    return len(text.split(".")[1]) if "." in text else 0


def parse_stated(raw: str) -> Stated | None:
    """Read a figure as printed. None when it is not a figure at all."""
    t = unicodedata.normalize("NFKC", raw or "").replace(" ", "").replace(",", "")
    if not t:
        return None
    sign = None
    for words, s in ((INCREASE, 1), (DECREASE, -1)):
        for w in words:
            if w in t:
                sign, t = s, t.replace(w, "")
    for w in FILLERS:
        t = t.replace(w, "")
    if any(w in t for w in FLAT) and not re.search(r"\d", t):
        return Stated(raw=raw, kind="flat", value=0.0, decimals=0, sign=0)
    if looks_like_time(t):
        h, m = (int(x) for x in t.split(":")[:2])
        return Stated(raw=raw, kind="time", value=h, decimals=0, time=(h, m))
    m = _PAIR.match(t)
    if m:
        a, b = m.group(1), m.group(2)
        if float(b) == 1 and "." not in b:
            return Stated(raw=raw, kind="x1", value=float(a), decimals=_decimals(a))
        return Stated(raw=raw, kind="pair", value=float(a), decimals=_decimals(a))
    m = _NUM.match(t)
    if not m:
        return None
    if m.group(1):
        sign = 1 if m.group(1) == "+" else -1
    unit = m.group(3)
    kind = "number"
    if unit == "%":
        kind, unit = "percent", "%"
    elif unit == "个百分点":
        unit = "pp"
    return Stated(raw=raw, kind=kind, value=float(m.group(2)), decimals=_decimals(m.group(2)), unit=unit,
                  sign=sign)


@dataclass
class Candidate:
    """A figure that a report might have used in place of an input: its element and
    disaggregation say which inputs it can stand for."""
    label_zh: str
    label_en: str
    value: float
    element: str
    dims: tuple = ()


def _same(a: float, b: float) -> bool:
    return abs(a - b) <= 1e-9 * max(1.0, abs(a), abs(b))


def compare_printed(value: float, printed: float, decimals: int) -> str:
    """"match" when ``value`` rounds (half up) to the printed figure; "rounding" when it was
    rounded the wrong way or truncated (within one unit of the last printed digit); else
    "mismatch". A value that needs no rounding at that precision (34 schools) cannot be a
    rounding slip."""
    rounded = round_half_up(value, decimals)
    if _same(rounded, printed):
        return "match"
    if not _same(rounded, value) and abs(value - printed) <= 10 ** -decimals + 1e-9:
        return "rounding"
    return "mismatch"


class ClaimChecker:
    def __init__(self, dataset, book: RuleBook, org_data=None):
        self.ds = dataset
        self.cat = dataset.catalogue
        self.book = book
        org = dataset.org_unit.code
        obs = org_data.observations if org_data is not None else \
            [o for o in dataset.observations if o.org_unit == org]
        self.obs = obs
        periods = set(dataset.periods) | {o.period for o in obs}
        self.facts = FactBook(self.cat, org, obs, periods)
        self.org = org
        self.findings: list[Finding] = []
        self._candidates: dict[int, list[Candidate]] | None = None

    # -- entry -----------------------------------------------------------------------------
    def run(self) -> list[Finding]:
        for claim in self.ds.claims:
            self.check(claim)
        return self.findings

    def emit(self, case: str, claim, values: dict, text: dict):
        rule = self.book.case("claim", case)
        if rule is None:
            return
        loc = Location(file="claims.csv", cell=f"第{claim.row}行", section=claim.location)
        text.setdefault("where", claim.location or f"claims.csv 第{claim.row}行")
        text.setdefault("stated", claim.stated)
        text.setdefault("row", str(claim.row))
        self.findings.append(rule.finding({"stated": claim.stated, **values}, location=loc,
                                          period=claim.period or None, org_unit=self.org, text=text))

    def check(self, claim):
        cat = self.cat
        if claim.problem:
            return self.emit("bad_row", claim, {}, {"problem": claim.problem})
        try:
            ref = formula.parse_ref_key(claim.target)
        except formula.FormulaError:
            return self.emit("unknown_target", claim, {}, {"target": claim.target})
        try:
            dims = tuple(sorted(set(ref.dims) | set(parse_dims(claim.dims))))
        except ValueError:
            return self.emit("bad_row", claim, {}, {"problem": f"dims={claim.dims!r}"})
        code = ref.element
        if code not in cat.indicators:
            return self.emit("unknown_target", claim, {}, {"target": claim.target})
        ind = cat.indicators[code]
        scope = claim.scope or None
        if scope and scope not in cat.meta.get("scopes", {}):
            return self.emit("bad_row", claim, {}, {"problem": f"scope={claim.scope!r}"})
        change = claim.base_period is not None
        name_zh = ind.zh if ind.derived else cat.ref_label(formula.Ref(code, dims), "zh")
        name_en = ind.en if ind.derived else cat.ref_label(formula.Ref(code, dims), "en")
        period_zh = f"{claim.base_period}—{claim.period}年" if change else f"{claim.period}年"
        period_en = f"{claim.base_period}–{claim.period}" if change else str(claim.period)
        text = {"name": name_zh, "name_en": name_en, "period_text": period_zh, "period_text_en": period_en,
                "base_period": str(claim.base_period or "")}
        st = parse_stated(claim.stated)
        if st is None:
            return self.emit("unreadable", claim, {}, text)
        chart = claim.form == "chart"

        # a ratio that a spreadsheet turned into a clock time
        if ind.style == "pair10":
            hm = st.time if st.kind == "time" else (
                time_of_fraction(st.value) if st.kind == "number" and not st.unit else None)
            if hm:
                h, m = hm
                return self.emit("as_time", claim, {"hour": h, "minute": m},
                                 {**text, "time": f"{h}:{m:02d}", "fixed": f"{h}:{m}"})

        fact = (self.facts.change(code, claim.period, claim.base_period, dims, scope) if change
                else self.facts.get(code, claim.period, dims, scope))
        if fact is None:
            return self.emit("not_recomputable", claim, {}, text)

        # the factor k turns the printed number into the fact's unit
        k = 1.0
        target_unit = ind.unit_zh
        if ind.style == "percent":
            if st.kind == "number" and st.unit == "" and chart:
                k = 100.0
                if st.value > 1.5:  # a percentage typed into a chart that stores fractions
                    if _same(round_half_up(fact.value, st.decimals), st.value):
                        return self.emit("chart_scale", claim, {"recomputed": fact.value},
                                         {**text, "fraction": number_text(st.value / 100, st.decimals + 2),
                                          "shown": pct(st.value * 100, 0)})
            elif st.kind == "number" and st.unit == "" and not change:
                self.emit("percent_sign", claim, {"stated_value": st.value}, dict(text))
            elif st.kind not in ("percent", "flat") and not (st.kind == "number" and st.unit in ("", "pp")):
                return self.emit("unit", claim, {}, {**text, "unit": st.unit or st.kind, "target_unit": "%"})
        elif ind.style in ("x1", "pair10"):
            if st.kind not in ("x1", "pair", "number", "flat"):
                return self.emit("unit", claim, {}, {**text, "unit": st.unit or st.kind,
                                                     "target_unit": "x:1" if ind.style == "x1" else "a:b"})
        else:
            if st.kind == "percent" or st.kind in ("pair", "x1"):
                return self.emit("unit", claim, {}, {**text, "unit": st.unit or st.kind, "target_unit": target_unit})
            if st.unit and st.unit != target_unit:
                su, fu = self.book.units.get(st.unit), self.book.units.get(target_unit)
                if su and fu and su["base"] == fu["base"]:
                    k = float(su["factor"]) / float(fu["factor"])
                else:
                    return self.emit("unit", claim, {}, {**text, "unit": st.unit, "target_unit": target_unit})

        r = fact.value / k
        stated_value = st.value
        if change and st.sign is not None:
            stated_value = st.sign * st.value
        compared = abs(r) if change and st.sign is None else r
        d = st.decimals
        expected = round_half_up(compared, d)
        status = compare_printed(compared, stated_value, d)

        values = {"stated_value": stated_value, "recomputed": fact.value, "scale": k,
                  "numerator": fact.numerator, "denominator": fact.denominator,
                  "inputs": {i.ref if not change else i.label_zh: i.value for i in fact.inputs}}
        text.update(recomputed=self._display(fact, k, st, change),
                    arithmetic=fact_arithmetic(fact, cat, "zh"), arithmetic_en=fact_arithmetic(fact, cat, "en"))

        if status == "mismatch":
            ex_zh, ex_en = self.explain(ind, fact, st, k, stated_value, values)
            text.update(explanation=ex_zh, explanation_en=ex_en)
            return self.emit("mismatch", claim, values, text)
        if status == "rounding":
            values["expected"] = expected
            text["expected"] = self._expected_text(ind, expected, st, k)
            self.emit("rounding", claim, values, dict(text))
        if change:
            mag = {"magnitude": self._magnitude(fact), "magnitude_en": self._magnitude(fact, "en")}
            if st.sign is None and fact.value < 0:
                self.emit("sign_dropped", claim, values, {**text, **mag})
            elif st.sign is None and fact.value > 0:
                self.emit("unsigned", claim, values, {**text, **mag})
            if ind.style == "percent" and st.kind == "percent":
                before = fact.denominator
                rel = fact.value / before * 100 if before else None
                self.emit("pp_as_percent", claim, {**values, "relative": rel},
                          {**text, "correct": f"{number_text(abs(fact.value), d)}个百分点",
                           "correct_en": f"{number_text(abs(fact.value), d)} percentage points",
                           "relative": pct(rel) if rel is not None else ""})
            return None
        if not claim.scope:
            self.scope_unstated(claim, code, dims, fact, st, k, text)
        return None

    # -- pieces of text ----------------------------------------------------------------------
    def _display(self, fact, k, st, change) -> str:
        if change:
            unit = "个百分点" if fact.style == "percent" else fact.unit_zh
            dec = fact.decimals
            base = ("+" if fact.value > 0 else "") + number_text(fact.value, dec) + unit
        else:
            base = shown(fact)
        if k != 1 and st.unit not in ("", "%", "pp"):
            base += f"（{number_text(fact.value / k, st.decimals + 2)}{st.unit}）"
        return base

    def _magnitude(self, fact, lang: str = "zh") -> str:
        if lang == "en":
            unit = " percentage points" if fact.style == "percent" else f" {fact.unit_en}"
        else:
            unit = "个百分点" if fact.style == "percent" else fact.unit_zh
        return number_text(abs(fact.value), fact.decimals) + unit

    def _expected_text(self, ind, expected, st, k) -> str:
        if ind.style == "pair10":
            return pair_text(expected, st.decimals)
        if ind.style == "x1":
            return number_text(expected, st.decimals) + ":1"
        if ind.style == "percent" and k == 1:
            return number_text(expected, st.decimals) + "%"
        return number_text(expected, st.decimals) + (st.unit if st.unit not in ("pp",) else "个百分点")

    # -- explanations ------------------------------------------------------------------------
    def candidates(self, period: int) -> list[Candidate]:
        if self._candidates is None:
            self._candidates = self._build_candidates()
        return self._candidates.get(period, [])

    def _build_candidates(self) -> dict[int, list[Candidate]]:
        cat = self.cat
        out: dict[int, list[Candidate]] = defaultdict(list)
        table = {}
        for o in self.obs:
            table[(o.element, o.dims, o.period, o.scope)] = o
            el = cat.elements[o.element]
            zh, en = cat.ref_label(formula.Ref(o.element, o.dims), "zh"), cat.ref_label(formula.Ref(o.element, o.dims), "en")
            if o.scope != "unstated":
                zh += f"（{cat.scope_label(o.scope, 'zh')}）"
                en += f" ({cat.scope_label(o.scope, 'en')})"
            out[o.period].append(Candidate(zh, en, o.value, o.element, o.dims))
        # sums of a breakdown's categories, and the total without one category
        groups: dict[tuple, dict[str, float]] = defaultdict(dict)
        for (element, dims, period, scope), o in table.items():
            for dim, c in dims:
                if cat.dimensions.get(dim, {}).get("complete"):
                    parent = tuple(x for x in dims if x != (dim, c))
                    groups[(element, parent, dim, period, scope)][c] = o.value
        for (element, parent, dim, period, scope), cats in groups.items():
            el = cat.elements[element]
            if el.type == "rate":
                continue
            zh, en = cat.ref_label(formula.Ref(element, parent), "zh"), cat.ref_label(formula.Ref(element, parent), "en")
            dmeta = cat.dimensions[dim]
            s = sum(cats.values())
            total = table.get((element, parent, period, scope))
            if total is None or not _same(total.value, s):
                out[period].append(Candidate(
                    zh + self.book.phrase("sum_of_categories", "zh", dimension=dmeta["zh"]),
                    en + self.book.phrase("sum_of_categories", "en", dimension_en=dmeta["en"]), s, element, parent))
            if total is not None:
                for c, v in cats.items():
                    out[period].append(Candidate(
                        zh + self.book.phrase("total_without", "zh", category=dmeta["categories"][c]["zh"]),
                        en + self.book.phrase("total_without", "en", category_en=dmeta["categories"][c]["en"]),
                        total.value - v, element, parent))
        # counts printed elsewhere in the same report
        for other in self.ds.claims:
            if other.base_period is not None or other.form == "chart" or other.problem:
                continue
            try:
                ref = formula.parse_ref_key(other.target)
            except formula.FormulaError:
                continue
            el = cat.elements.get(ref.element)
            st = parse_stated(other.stated)
            if el is None or st is None or st.kind != "number" or el.type == "rate":
                continue
            if st.unit and st.unit != el.unit_zh:
                continue
            zh = cat.ref_label(ref, "zh") + self.book.phrase("printed_at", "zh", location=other.location)
            en = cat.ref_label(ref, "en") + self.book.phrase("printed_at", "en", location=other.location)
            out[other.period].append(Candidate(zh, en, st.value, ref.element, ref.dims))
        return out

    def _classify(self, v: float, k: float, st: Stated, stated_value: float) -> str | None:
        return {"match": "exact", "rounding": "approx"}.get(compare_printed(v / k, stated_value, st.decimals))

    def stand_ins(self, period: int, ref: formula.Ref, current: float | None):
        """Candidates that could replace the input ``ref``: the same figure in another scope or
        as a subtotal, or the matching total of a related element."""
        family = self.book.related.get(ref.element, {ref.element})
        for c in self.candidates(period):
            if c.dims != ref.dims or (c.element != ref.element and c.element not in family):
                continue
            if current is not None and _same(c.value, current):
                continue
            yield c

    def explain(self, ind, fact, st, k, stated_value, values) -> tuple[str, str]:
        if stated_value == 0:
            return "", ""
        found = []  # (rank, phrase key, args)
        cat = self.cat
        if fact.kind == "ratio" and ind.denominator_ast is not None:
            inputs = {i.ref: i.value for i in fact.inputs}
            div_zh, times = " ÷ ", (f" × {num(ind.factor)}" if ind.factor != 1 else "")
            den_ref = ind.denominator_ast if isinstance(ind.denominator_ast, formula.Ref) else None
            num_refs = formula.refs(ind.numerator_ast)
            num_text = _expr(ind.numerator_ast, inputs)
            den_text = _expr(ind.denominator_ast, inputs)
            if den_ref is not None:
                for c in self.stand_ins(fact.period, den_ref, fact.denominator):
                    if c.value <= 0:
                        continue
                    v = fact.numerator * ind.factor / c.value
                    how = self._classify(v, k, st, stated_value)
                    if how:
                        found.append((how, "denominator", f"{num_text}{div_zh}{num(c.value)}（{c.label_zh}）{times}",
                                      f"{num_text} / {num(c.value)} ({c.label_en}){times.replace('×', '*')}", v))
            if len(num_refs) == 1:
                nref = num_refs[0]
                for c in self.stand_ins(fact.period, nref, inputs.get(nref.key)):
                    n = formula.evaluate(ind.numerator_ast, lambda r: c.value)
                    v = n * ind.factor / fact.denominator
                    how = self._classify(v, k, st, stated_value)
                    if how:
                        found.append((how, "numerator", f"{num(c.value)}（{c.label_zh}）{div_zh}{den_text}{times}",
                                      f"{num(c.value)} ({c.label_en}) / {den_text}{times.replace('×', '*')}", v))
            found.sort(key=lambda f: (f[0] != "exact", abs(f[4] / k - stated_value)))
            parts_zh, parts_en = [], []
            exact = [f for f in found if f[0] == "exact"][:2]
            chosen = exact or found[:1]
            for how, role, f_zh, f_en, v in chosen:
                key = "explained_exact" if how == "exact" else "explained_approx"
                shown_v = self._value_text(ind, v)
                parts_zh.append(self.book.phrase(key, "zh", formula=f_zh, value=shown_v,
                                                 role=self.book.phrase(role, "zh")))
                parts_en.append(self.book.phrase(key, "en", formula_en=f_en, value=shown_v,
                                                 role_en=self.book.phrase(role, "en")))
            values["explained_by"] = [f[2] + " = " + self._value_text(ind, f[4]) for f in chosen]
            if not exact and den_ref is not None:
                implied = fact.numerator * ind.factor / (stated_value * k)
                el = cat.elements[den_ref.element]
                implied_text = num(round(implied)) if el.type == "count" else num(implied)
                values["implied_denominator"] = round(implied, 2)
                fx = f"{num_text}{times} ÷ {num(stated_value * k)}"
                parts_zh.append(self.book.phrase("implied_base", "zh", role=self.book.phrase("denominator", "zh"),
                                                 formula=fx, implied=implied_text))
                parts_en.append(self.book.phrase("implied_base", "en", role_en=self.book.phrase("denominator", "en"),
                                                 formula_en=fx.replace("÷", "/").replace("×", "*"),
                                                 implied=implied_text))
            return "".join(parts_zh), " ".join(parts_en)
        if fact.kind in ("element", "reported") and fact.base_period is None:
            element = ind.fallback if fact.kind == "reported" else ind.code
            for o in self.obs:
                if o.element != element or o.dims != fact.dims or (o.period == fact.period and
                                                                     _same(o.value, fact.value)):
                    continue
                how = self._classify(o.value, k, st, stated_value)
                if how:
                    zh = f"{cat.ref_label(formula.Ref(o.element, o.dims), 'zh')} {o.period}年（{cat.scope_label(o.scope, 'zh')}）"
                    en = f"{cat.ref_label(formula.Ref(o.element, o.dims), 'en')} {o.period} ({cat.scope_label(o.scope, 'en')})"
                    found.append((how, zh, en, o.value))
            found.sort(key=lambda f: (f[0] != "exact", abs(f[3] / k - stated_value)))
            if found:
                how, zh, en, v = found[0]
                key = "other_value_exact" if how == "exact" else "other_value_approx"
                shown_v = self._value_text(ind, v)
                values["explained_by"] = [f"{zh} = {shown_v}"]
                return (self.book.phrase(key, "zh", label=zh, value=shown_v),
                        self.book.phrase(key, "en", label_en=en, value=shown_v))
        return "", ""

    def _value_text(self, ind, v: float) -> str:
        if ind.style == "percent":
            return pct(v)
        if ind.style == "x1":
            return number_text(v, max(ind.decimals, 2)) + ":1"
        if ind.style == "pair10":
            return pair_text(v, 2)
        return num(v) + (ind.unit_zh if ind.unit_zh not in ("%",) else "")

    # -- scope -------------------------------------------------------------------------------
    def scope_unstated(self, claim, code, dims, fact, st, k, text):
        cat = self.cat
        scopes = set()
        for i in fact.inputs:
            ref = formula.parse_ref_key(i.ref)
            scopes.update(self.facts.scopes_of(ref.element, ref.dims, fact.period))
        used = {i.scope for i in fact.inputs}
        for s in sorted(scopes - used):
            alt = self.facts.get(code, fact.period, dims, s)
            if alt is None or _same(round_half_up(alt.value / k, st.decimals), round_half_up(fact.value / k, st.decimals)):
                continue
            main_scope = fact.scope if fact.scope != "mixed" else next(iter(sorted(used)))
            values = {"recomputed": fact.value, "other": alt.value, "scope_code": main_scope, "other_scope_code": s}
            self.emit("scope_unstated", claim, values, {
                **text, "scope": cat.scope_label(main_scope, "zh"), "scope_en": cat.scope_label(main_scope, "en"),
                "other_scope": cat.scope_label(s, "zh"), "other_scope_en": cat.scope_label(s, "en"),
                "other": shown(alt), "other_arithmetic": fact_arithmetic(alt, cat, "zh"),
                "other_arithmetic_en": fact_arithmetic(alt, cat, "en")})
            return


def _expr(node, values) -> str:
    text = formula.to_text(node, lambda r: num(values[r.key]) if r.key in values else r.key)
    return f"({text})" if isinstance(node, formula.BinOp) and node.op in "+-" else text


def check_claims(dataset, book: RuleBook, org_data=None) -> list[Finding]:
    if not dataset.claims:
        return []
    return ClaimChecker(dataset, book, org_data).run()
