"""The report against itself (and, given a dataset, against the data).

The figures a report prints as base counts (students, teachers, schools, areas, rates it gives as
such) become the observations of an in-memory dataset — one value per element, period and scope,
a table's value before the text's — and every figure it prints becomes a claim on that dataset.
``nianbao check`` then runs as it does on a dataset folder: parts against wholes, shares and
ratios recomputed from the printed counts, stated changes against the two printed years, the
chart data against the tables, ratios printed as times, percentage points printed as %. What the
catalogue cannot name is checked here by the words of the report: a share against the two counts
the sentence names, a share no whole number of units can give, a count of listed items, figures
of one label that disagree, the base a share implies."""

from __future__ import annotations

import dataclasses
import re
from collections import Counter, defaultdict
from pathlib import Path

from nianbao.audit.model import Claim
from nianbao.check.claims.reading import compare_printed, parse_stated
from nianbao.check.engine import check_dataset
from nianbao.core import formula
from nianbao.core.findings import Finding, Location
from nianbao.core.formatting import number_text, round_half_up
from nianbao.core.messages import finding
from nianbao.core.observations import Claim as CheckClaim
from nianbao.core.observations import Observation, OrgUnit, dims_text
from nianbao.ingest.dataset import Dataset

SELF_UNIT = "report"
DROP_SELF = {"claim.not_recomputable", "claim.unknown_target", "claim.bad_row", "claim.unreadable"}
LEVEL_KINDS = ("count", "amount", "percent", "percent_nosign", "pair", "x1")
_ROW = re.compile(r"第(\d+)行")


def _unit_factor(units: dict, unit: str) -> float | None:
    u = units.get(unit)
    return float(u["factor"]) if u else None


def element_value(c: Claim, element, units: dict) -> float | None:
    """The printed figure in the element's unit (c.value is in the base unit: 元, 人, 平方米)."""
    if element.type == "rate":
        return c.value if c.kind in ("percent", "percent_nosign") else None
    if element.type == "pair":
        return c.value if c.kind == "pair" else None
    if c.kind not in ("count", "amount"):
        return None
    f = _unit_factor(units, element.unit_zh)
    return c.value / f if f else c.value


def stated_text(c: Claim, cat) -> str:
    """The figure as the check's parse_stated reads it: the printed number with a unit of the
    element (a count of schools printed with 家 is still a count of schools)."""
    if c.form == "chart":
        return c.raw
    if c.kind == "flat":
        return "持平"
    if c.kind in ("count", "amount", "change") and c.target in cat.elements:
        el = cat.elements[c.target]
        raw = c.raw.replace(",", "")
        m = re.search(r"(\d+(?:\.\d+)?)(余|多)?(万|亿)?(.*)$", raw)
        if m and m.group(4) and m.group(4) not in ("%", "个百分点") and el.type in ("count",):
            unit = (m.group(3) or "") + el.unit_zh
            head = raw[: m.start()]
            return f"{head}{m.group(1)}{unit}"
    return c.raw.replace(",", "")


def _decode_change_cells(claims: list[Claim]) -> None:
    """A table's change column ("0.22%-0.47%"): each number is the difference of two of the
    row's years; find which two (the later minus the earlier) from the row's own figures."""
    rows: dict[tuple, list[Claim]] = defaultdict(list)
    for c in claims:
        if c.where.table and c.where.row is not None:
            rows[(c.where.table, c.where.row, c.block)].append(c)
    for cs in rows.values():
        levels = {c.period: c.value for c in cs if c.kind in ("percent", "percent_nosign", "count", "amount")
                  and c.period}
        years = sorted(levels)
        for c in cs:
            if c.kind != "change" or not years:
                continue
            if len(years) < 2:
                c.period, c.base_period = years[-1], years[-1] - 1
                continue
            pairs = [(b, a) for i, a in enumerate(years) for b in years[i + 1:]]
            exact = []
            for y2, y1 in pairs:
                d = levels[y2] - levels[y1]
                mag = d if c.signed else abs(d)
                target = c.value if c.signed else abs(c.value)
                if compare_printed(mag, target, c.decimals) == "match":
                    exact.append((y2, y1))
            if exact:
                exact.sort(key=lambda p: (p[0] != years[-1], p[0] - p[1]))
                c.period, c.base_period = exact[0]
                if len(exact) > 1:
                    c.firm = False
            else:
                c.period, c.base_period = years[-1], years[-2]
                c.firm = False


def _infer_table_scope(claims: list[Claim], tables: list[dict]) -> None:
    """A table that states no scope takes the scope of the text whose figures it repeats."""
    scoped = {(c.target, c.dims, c.period, round(c.value, 6)): c.scope for c in claims
              if c.scope and not c.where.table and c.form != "chart" and c.target}
    unscoped = {(c.target, c.dims, c.period, round(c.value, 6)) for c in claims
                if not c.scope and not c.where.table and c.form != "chart" and c.target}
    unscoped -= set(scoped)
    for t in tables:
        if t["scope"]:
            continue
        hits = {scoped[k] for c in t["claims"]
                if (k := (c.target, c.dims, c.period, round(c.value, 6))) in scoped and c.kind in ("count",)}
        n = sum(1 for c in t["claims"] if (c.target, c.dims, c.period, round(c.value, 6)) in scoped
                and c.kind == "count")
        conflicts = sum(1 for c in t["claims"] if (c.target, c.dims, c.period, round(c.value, 6)) in unscoped)
        if len(hits) == 1 and n >= 2 and not conflicts:
            scope = hits.pop()
            t["scope"] = scope
            for c in t["claims"] + [c for c in claims if c.table_ref == t["caption"]]:
                c.scope = c.scope or scope
                c.note = (c.note + "；" if c.note else "") + "口径按正文推断"


class SelfCheck:
    def __init__(self, source, claims: list[Claim], tables: list[dict], catalogue, report_year: int | None):
        self.source = source
        self.claims = claims
        self.tables = tables
        self.cat = catalogue
        self.units = (catalogue.rules or {}).get("units", {}) if isinstance(catalogue.rules, dict) else {}
        self.report_year = report_year
        self.by_id = {c.id: c for c in claims}
        self.file = Path(source.path).name

    # -- the in-memory dataset -------------------------------------------------------------
    def usable(self, c: Claim) -> bool:
        return bool(c.target) and c.target in self.cat.indicators and not c.qualifier and c.period is not None

    def observations(self) -> list[Observation]:
        groups: dict[tuple, list[Claim]] = defaultdict(list)
        for c in self.claims:
            if not self.usable(c) or c.form == "chart" or c.kind not in LEVEL_KINDS or not c.firm:
                continue
            ind = self.cat.indicators[c.target]
            element = c.target if c.target in self.cat.elements else ind.fallback
            if element is None or element not in self.cat.elements:
                continue
            el = self.cat.elements[element]
            v = element_value(c, el, self.units)
            if v is None:
                continue
            groups[(element, tuple(c.dims), c.period, c.scope or "unstated")].append((c, v))
        for key, items in self.chart_shares(groups).items():
            groups[key] = items
        # a rate or per-student figure printed as such (…_reported): a table's value, not the text's
        tabled = {(e, d, p) for (e, d, p, s), items in groups.items() if any(c.where.table for c, _ in items)}
        obs = []
        for (element, dims, period, scope), items in groups.items():
            if element.endswith("_reported") and (element, dims, period) in tabled and \
                    not any(c.where.table for c, _ in items):
                continue
            counts = Counter(round(v, 9) for _, v in items)
            c, v = max(items, key=lambda cv: (bool(cv[0].where.table), counts[round(cv[1], 9)], -cv[0].id))
            obs.append(Observation(element=element, dims=dims, period=period, scope=scope, value=v,
                                   org_unit=SELF_UNIT, source=c.where.text(), origin=c.where.text()))
        return obs

    def chart_shares(self, groups: dict) -> dict:
        """The shares of one whole that the report gives only as chart data (就业产业分布: 第一、
        二、三产业 of one year): the chart's fractions as percentages (0.012 → 1.2, the printed
        decimals less two), so that the check adds them up. A chart that mixes fractions and
        percentages is left to the chart-scale check."""
        complete = {d for d, m in self.cat.dimensions.items() if m.get("complete")}
        charts: dict[tuple, list[Claim]] = defaultdict(list)
        for c in self.claims:
            if c.form != "chart" or not self.usable(c) or not c.dims or c.target not in self.cat.elements:
                continue
            el = self.cat.elements[c.target]
            if el.type != "rate" or not all(d in complete for d, _ in c.dims):
                continue
            charts[(c.block, c.target, c.period)].append(c)
        printed = {(e, d, p) for (e, d, p, _s) in groups}
        out: dict[tuple, list] = {}
        for (_block, element, period), cs in charts.items():
            if len(cs) < 2 or any(c.value > 1 for c in cs):
                continue
            for c in cs:
                if (element, tuple(c.dims), period) in printed:
                    continue
                v = round(c.value * 100, max(c.decimals - 2, 0))
                out[(element, tuple(c.dims), period, c.scope or "unstated")] = [(c, v)]
        return out

    def check_claims(self) -> list[CheckClaim]:
        out = []
        for c in self.claims:
            if not self.usable(c):
                continue
            if c.kind == "change" and c.base_period is None:
                continue
            if c.form == "chart" and c.target not in self.cat.indicators:
                continue
            target = c.target + (f"[{dims_text(c.dims)}]" if c.dims else "")
            out.append(CheckClaim(target=target, period=c.period, stated=stated_text(c, self.cat),
                                  location=c.where.text(), scope=c.scope, base_period=c.base_period,
                                  note=c.note, row=c.id, dims="", form="chart" if c.form == "chart" else ""))
        return out

    def dataset(self, base: Dataset | None = None) -> Dataset:
        claims = self.check_claims()
        if base is not None:
            return dataclasses.replace(base, claims=claims, findings=[])
        years = sorted({c.period for c in self.claims if c.period} | {c.base_period for c in self.claims if c.base_period})
        year = self.report_year or (years[-1] if years else 2020)
        name = Path(self.source.path).stem
        return Dataset(path=Path(self.source.path), meta={}, org_unit=OrgUnit(SELF_UNIT, name, name, "city"),
                       report_year=year, periods=years or [year], catalogue=self.cat,
                       observations=self.observations(), claims=claims)

    # -- running ---------------------------------------------------------------------------
    def run(self, dataset: Dataset | None = None) -> list[Finding]:
        _decode_change_cells(self.claims)
        _infer_table_scope(self.claims, self.tables)
        self._unfirm_across_scopes()
        findings = []
        own = self.dataset()
        raw = check_dataset(own)
        # ratios whose numerator and denominator the report prints in different scopes: a
        # disagreement may come from the base it does not print (a warning, not an error)
        self.mixed = {(f.message_zh.split("（")[0], f.period) for f in raw if f.code == "scope.mixed_fact"}
        for f in raw:
            if f.code in DROP_SELF:
                continue
            findings.append(self.relocate(f, against_data=False))
        if dataset is not None:
            ds = self.dataset(dataset)
            for f in check_dataset(ds):
                if not f.code.startswith("claim.") or f.code in ("claim.unknown_target", "claim.bad_row"):
                    continue
                g = self.relocate(f, against_data=True)
                findings.append(g)
        findings += self.words()
        return _dedupe(findings)

    def _unfirm_across_scopes(self) -> None:
        """A rate printed in one scope (口径) whose counts the report prints only in another
        (a rate 不含技工学校 beside counts of all schools): its base is not printed, so a
        disagreement is a warning, never an error."""
        printed: dict[tuple[str, int], set[str]] = defaultdict(set)
        for c in self.claims:
            if self.usable(c) and c.kind in LEVEL_KINDS and c.form != "chart" and c.target in self.cat.elements:
                printed[(c.target, c.period)].add(c.scope or "unstated")
        for c in self.claims:
            if c.kind != "percent" or c.scope not in ("all", "excl_technical") or not self.usable(c):
                continue
            ind = self.cat.indicators[c.target]
            parts = [ind.numerator_ast, ind.denominator_ast] if ind.derived else []
            for ref in (r for node in parts if node is not None for r in formula.refs(node)):
                scopes = printed.get((ref.element, c.period), set())
                if scopes - {"unstated"} and c.scope not in scopes:  # named in another scope, never in its own
                    c.firm = False
                    break

    def relocate(self, f: Finding, against_data: bool) -> Finding:
        ids = []
        if f.location.file == "claims.csv":
            m = _ROW.search(f.location.cell)
            if m:
                ids = [int(m.group(1))]
        f.values = dict(f.values)
        if ids:
            c = self.by_id.get(ids[0])
            f.values["claims"] = ids
            f.location = Location(file=self.file, cell=c.where.text() if c else "", section=c.where.section if c else "")
            if c is not None and c.note:
                f.values["note"] = c.note
        else:
            f.location = Location(file=self.file, section=f.location.section)
            f.values["claims"] = self._claims_at(f)
        f.org_unit = ""
        if not against_data:
            for a, b in (("按数据为", "按报告其他处印出的数字为"), ("（报送值，", "（印于"), ("（按印发值，", "（印于"),
                         ("报送值，", "印于"), ("按印发值，", "印于"), ("the data give", "the report's other figures give"),
                         ("reported, ", "printed in "), ("as printed, ", "printed in "),
                         ("，数据中没有这一数值", "，报告中没有印出这一数值"), ("; the data hold no such figure",
                                                            "; the report prints no such figure")):
                f.message_zh = f.message_zh.replace(a, b)
                f.message_en = f.message_en.replace(a, b)
            if ids and "implied_denominator" in f.values:
                self._printed_base(f, self.by_id.get(ids[0]))
        else:
            f.values["against"] = "dataset"
        mixed = not against_data and f.code == "claim.mismatch" and any(
            f.message_zh.startswith(name + "（") and (f.period == p or f.period is None) for name, p in getattr(self, "mixed", ()))
        if f.severity == "error" and ids and (mixed or not all(self.by_id[i].firm for i in ids if i in self.by_id)):
            c = self.by_id[ids[0]]
            g = finding("audit.uncertain", f.location, message=f.message_zh, message_en=f.message_en,
                        code=f.code, label=c.label or c.after, raw=c.raw)
            g.values.update({"claims": ids, "finding": f.code})
            g.period = f.period
            return g
        return f

    def _printed_base(self, f: Finding, c: Claim | None) -> None:
        """A share whose implied denominator the report does print elsewhere (34.28% of schools:
        12 × 100 ÷ 34.28 ≈ 35, and 9.1 prints 35所): name that figure instead of saying the report
        has none, and say whether the printed share is the quotient cut off rather than rounded."""
        ind = self.cat.indicators.get(c.target) if c is not None else None
        den = getattr(ind, "denominator_ast", None) if ind is not None else None
        if den is None or not hasattr(den, "element"):
            return
        implied = f.values["implied_denominator"]
        base = next((x for x in self.claims if x.target == den.element and x.kind == "count" and not x.dims
                     and x.period == c.period and abs(x.value - implied) < 0.5 and x.form != "chart"), None)
        if base is None:
            return
        numerator = f.values.get("numerator")
        share = numerator * ind.factor / base.value if numerator is not None else None
        cut = share is not None and c.decimals is not None and \
            int(share * 10 ** c.decimals + 1e-9) / 10 ** c.decimals == round(c.value, c.decimals) and \
            compare_printed(share, c.value, c.decimals) != "match"
        zh = f"，{base.where.text()}印有“{base.raw}”：{number_text(numerator, 0)} ÷ {number_text(base.value, 0)} × 100 = " \
             f"{number_text(share, c.decimals + 2)}%" + (f"，印发值 {c.raw} 是截尾而非四舍五入所得" if cut else "")
        en = f"; {base.where.text('en')} prints '{base.raw}': {number_text(numerator, 0)} / {number_text(base.value, 0)} * 100 = " \
             f"{number_text(share, c.decimals + 2)}%" + (f", and the printed {c.raw} cuts it off instead of rounding" if cut else "")
        f.message_zh = f.message_zh.replace("，报告中没有印出这一数值", zh)
        f.message_en = f.message_en.replace("; the report prints no such figure", en)
        f.values["reconciling_base"] = {"value": base.value, "where": base.where.text(), "claim": base.id,
                                        "share": share, "cut_off": cut}
        f.values["claims"] = list(f.values.get("claims", [])) + [base.id]

    def _claims_at(self, f: Finding) -> list[int]:
        sections = set((f.location.section or "").split("；"))
        out = []
        for c in self.claims:
            if c.where.text() in sections and c.period == f.period:
                out.append(c.id)
        return out[:8]

    # -- checks by the report's own words ----------------------------------------------------
    def words(self) -> list[Finding]:
        out: list[Finding] = []
        out += self.shares_by_words()
        out += self.impossible_shares()
        out += self.listed_items()
        out += self.same_label()
        out += self.later_years()
        return out

    def _loc(self, c: Claim) -> Location:
        return Location(file=self.file, cell=c.where.text(), section=c.where.section)

    def _counts_near(self, c: Claim) -> list[Claim]:
        same = [x for x in self.claims if x.block == c.block and x.kind in ("count", "amount") and x.id != c.id
                and not x.qualifier]
        return same

    def shares_by_words(self) -> list[Finding]:
        """A share whose subject and base are both printed counts of its paragraph, but which
        the catalogue cannot name: recomputed from those two counts."""
        out = []
        for c in self.claims:
            if c.kind != "percent" or c.qualifier or c.target or not c.label or not c.of or c.of == "?":
                continue
            near = self._counts_near(c)
            num = _by_label(near, c.label, before=c)
            den = _by_label(near, c.of, before=c)
            if num is None or den is None or den.value <= 0 or num.id == den.id:
                continue
            if c.scope and {num.scope, den.scope} != {c.scope}:
                continue  # a share of another scope (口径) than its counts: no base to recompute it on
            v = num.value / den.value * 100
            status = compare_printed(v, c.value, c.decimals)
            if status == "match":
                continue
            implied = num.value * 100 / c.value if c.value else None
            fits = [x for x in near + [y for y in self.claims if y.kind == "count" and y.id not in (num.id, den.id)]
                    if x.value > 0 and x.unit == den.unit and
                    compare_printed(num.value / x.value * 100, c.value, c.decimals) == "match"]
            base = (f"；按 {number_text(num.value, 0)} ÷ {number_text(fits[0].value, 0)}（{fits[0].label}，"
                    f"{fits[0].where.text()}）正好得到印发值" if fits else
                    (f"；印发值隐含的基数为 {number_text(implied, 1)}" if implied else ""))
            base_en = (f"; {number_text(num.value, 0)} / {number_text(fits[0].value, 0)} ({fits[0].where.text('en')}) "
                       f"gives the printed figure" if fits else
                       (f"; the printed share implies a base of {number_text(implied, 1)}" if implied else ""))
            share = dict(period=c.period, stated=c.raw, label=c.label, of=c.of, numerator=num.value,
                         denominator=den.value, recomputed=number_text(v, c.decimals + 1) + "%",
                         where=c.where.text(), num_where=num.where.text(), den_where=den.where.text(),
                         expected=number_text(round_half_up(v, c.decimals), c.decimals) + "%", base=base,
                         base_en=base_en)
            if status == "rounding":
                f = finding("audit.share_rounding", self._loc(c), **share)
            else:
                f = finding("audit.share_mismatch", self._loc(c), **share)
            code = f.code
            f.values["claims"] = [c.id, num.id, den.id]
            if not c.firm and f.severity == "error":
                f = finding("audit.uncertain", self._loc(c), message=f.message_zh, message_en=f.message_en,
                            code=code, label=c.label, raw=c.raw)
                f.values["claims"] = [c.id, num.id, den.id]
            out.append(f)
        return out

    def impossible_shares(self) -> list[Finding]:
        """p% of N things, where no whole number k of N gives p% at the printed precision (93% of
        34 schools: 31/34 = 91.18%, 32/34 = 94.12%)."""
        out = []
        wholes = defaultdict(set)
        for c in self.claims:
            if c.target == "schools" and not c.dims and c.kind == "count" and c.value == int(c.value) and not c.qualifier:
                wholes["schools"].add(int(c.value))
        for c in self.claims:
            if c.kind != "percent" or c.qualifier or not c.of or c.value in (0, 100):
                continue
            if not re.fullmatch(r"(学校|中职学校|各校|职业学校|中等职业学校)", c.of.strip()):
                continue
            ns = sorted(wholes.get("schools", ()))
            if not ns:
                continue
            possible = [n for n in ns if any(compare_printed(k / n * 100, c.value, c.decimals) == "match"
                                             for k in range(n + 1))]
            if possible:
                continue
            n = ns[len(ns) // 2]
            k = c.value * n / 100
            lo, hi = int(k), int(k) + 1
            f = finding("audit.impossible_share", self._loc(c), period=c.period, stated=c.raw, of=c.of,
                        wholes="、".join(str(x) for x in ns), n=n, lo=lo, hi=hi,
                        lo_share=number_text(lo / n * 100, 2) + "%", hi_share=number_text(hi / n * 100, 2) + "%",
                        where=c.where.text())
            f.values["claims"] = [c.id]
            out.append(f)
        return out

    def listed_items(self) -> list[Finding]:
        """"A、B、C三所学校": the count printed against the items listed before it."""
        out = []
        for c in self.claims:
            if c.kind != "count" or c.form or c.where.table:
                continue
            block = self.source.blocks[c.block]
            text = block.text[: c.span[0]]
            if c.qualifier:
                continue
            m = re.search(r"((?:《[^》]{1,30}》[、,，和及与]?){2,})\s*(等)?\s*(?:共|这|的)?$", text)
            titles = True
            if m:
                items = re.findall(r"《[^》]+》", m.group(1))
                etc = bool(m.group(2))
            else:
                titles = False
                m = re.search(r"((?:[\u4e00-\u9fffA-Za-z0-9]{2,10}[、])+[\u4e00-\u9fffA-Za-z0-9]{2,10})(等)?(?:共|这)?$",
                              text)
                if not m:
                    continue
                seg = m.group(1)
                seg = re.split(r"[，,。；;：:“”\"]", seg)[-1]
                items = [x for x in re.split(r"[、]", seg) if x]
                etc = bool(m.group(2)) or "等" in seg
                lead = re.match(r"^(?:一是|二是|三是|组织|认定|成立|包括|遴选出包括|对|如|其中)", items[0])
                if lead:
                    items[0] = items[0][lead.end():]
                if len(items) < 2 or any(re.search(r"\d", x) for x in items):
                    continue
            n = len(items)
            if n == c.value or (etc and n <= c.value):
                continue
            listed = dict(period=c.period, stated=c.raw, listed=n, items="、".join(items[:12]), where=c.where.text())
            if titles and not etc:
                f = finding("audit.list_count", self._loc(c), **listed)
            else:
                f = finding("audit.list_count_unsure", self._loc(c), **listed)
            f.values["claims"] = [c.id]
            out.append(f)
        return out

    def same_label(self) -> list[Finding]:
        """Figures the catalogue cannot name, printed twice under one label for one year and
        scope, with two values (a table against the text)."""
        groups = defaultdict(list)
        for c in self.claims:
            if c.target or c.qualifier or c.kind not in ("count", "amount", "percent") or c.form == "chart":
                continue
            label = re.sub(r"\s|的|数$|总数$|人数$", "", c.label or "")
            if len(label) < 3:
                continue
            groups[(label, c.period, c.unit, c.scope, c.kind)].append(c)
        out = []
        for (label, period, unit, scope, kind), cs in groups.items():
            if len({round(c.value, 6) for c in cs}) < 2 or not any(c.where.table for c in cs):
                continue
            a, b = cs[0], next(c for c in cs if round(c.value, 6) != round(cs[0].value, 6))
            f = finding("audit.value_differs", self._loc(b), period=period, year=period, label=label, first=a.raw,
                        first_where=a.where.text(), second=b.raw, second_where=b.where.text())
            f.values["claims"] = [a.id, b.id]
            out.append(f)
        return out

    def later_years(self) -> list[Finding]:
        out = []
        for c in self.claims:
            if c.note.startswith("原文写作"):
                f = finding("audit.year_after_report", self._loc(c), period=c.period, stated=c.raw,
                            label=c.label, year=self.report_year, where=c.where.text(), printed=c.note)
                f.values["claims"] = [c.id]
                out.append(f)
        return out


def _by_label(claims: list[Claim], label: str, before: Claim | None = None) -> Claim | None:
    key = re.sub(r"的|数$|人数$|总数$|总数|学历|职称", "", label or "")
    if len(key) < 2:
        return None
    best = None
    for x in claims:
        lab = re.sub(r"的|数$|人数$|总数$|学历|职称", "", x.label or "")
        if not lab:
            continue
        if lab == key or lab.endswith(key) or key.endswith(lab):
            if best is None or (before is not None and abs(x.span[0] - before.span[0]) < abs(best.span[0] - before.span[0])):
                best = x
    return best


def _dedupe(findings: list[Finding]) -> list[Finding]:
    seen = set()
    out = []
    for f in findings:
        key = (f.code, f.message_zh, str(f.location))
        if key in seen:
            continue
        seen.add(key)
        out.append(f)
    return out


__all__ = ["SelfCheck", "parse_stated"]
