"""Labels as printed → catalogue elements and indicators, by the lexicon (lexicon.yaml) and the
catalogue's own definitions: a share "A占B的p%" is the indicator whose numerator is A's element
and whose denominator is B's. A label the lexicon does not know is kept as printed."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import yaml

from nianbao.core import formula

HERE = Path(__file__).parent
RATE_LABEL = re.compile(r"率|占比|比例|比重")


@lru_cache(maxsize=1)
def _lexicon_doc() -> dict:
    with (HERE / "lexicon.yaml").open(encoding="utf-8") as f:
        return yaml.load(f, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))  # libyaml where installed


_CLAUSE = re.compile(r"[，,；;：:。]")
_SCHOOL_WORD = re.compile(r"^\s*(?:中等职业|中职|职业)?(?:教育)?(?:学校|院校)")
_COMPARED = re.compile(r"低于|高于|不足|未达|达不到|超过|少于|多于")


def school_subset(c) -> bool:
    """Whether a count of schools names a group of them rather than all the schools, from its
    sentence: after 其中 or "…的有N所"; schools that do something counted at once ("7所中职学校21个
    …试点"), that act with others ("12所中职学校，与省内16所高职院校…"), or that are compared
    ("有7所学校…低于…"). A count followed by "…的有N所" is the whole of that group."""
    ctx = c.context or ""
    i = ctx.find(c.raw)
    if i < 0:
        return False
    before = _CLAUSE.split(ctx[:i])[-1]
    rest = ctx[i + len(c.raw):]
    if "其中" in before or re.search(r"的(?:有|共)?$", before):
        return True
    clause = _CLAUSE.split(rest)[0]
    label = _SCHOOL_WORD.match(clause)
    tail = clause[label.end():] if label else clause
    if re.match(r"\s*\d", tail):
        return True
    if label and not tail.strip() and re.match(r"[，,]\s*(?:与|和|同)", rest[len(clause):]):
        return True
    return bool(_COMPARED.search(tail)) and not re.search(r"的(?:有|共)?\s*\d+\s*所", tail)


class Lexicon:
    def __init__(self, catalogue):
        self.cat = catalogue
        doc = _lexicon_doc()
        self.rates = [self._entry(e) for e in doc.get("shares_and_rates", [])]
        self.counts = [self._entry(e) for e in doc.get("counts", [])]
        self.categories: dict[str, list[tuple[str, re.Pattern]]] = {}
        for dim, cats in (doc.get("categories") or {}).items():
            self.categories[dim] = [(c, re.compile(p)) for c, p in cats.items()]
        self._cat_any = re.compile("|".join(p.pattern for cats in self.categories.values() for _, p in cats))
        # indicators by (numerator element, denominator element)
        self.by_sides: dict[tuple[str, str], str] = {}
        self.by_numerator: dict[str, list[str]] = {}
        for code, ind in catalogue.indicators.items():
            if not ind.derived or ind.denominator is None:
                continue
            nums = {r.element for r in formula.refs(ind.numerator_ast)}
            dens = {r.element for r in formula.refs(ind.denominator_ast)}
            if len(nums) == 1 and len(dens) == 1:
                n, d = next(iter(nums)), next(iter(dens))
                self.by_sides.setdefault((n, d), code)
                self.by_numerator.setdefault(n, []).append(code)

    @staticmethod
    def _entry(e: dict) -> dict:
        out = dict(e)
        out["re"] = re.compile(e["match"])
        out["not_re"] = re.compile(e["not"]) if e.get("not") else None
        out["ctx_re"] = re.compile(e["context"]) if e.get("context") else None
        out["not_ctx_re"] = re.compile(e["not_context"]) if e.get("not_context") else None
        return out

    # -- categories ------------------------------------------------------------------------
    def category_in(self, text: str) -> tuple:
        """The last category word in ``text`` (省属 → (("affiliation", "provincial"),))."""
        best = None
        for dim, cats in self.categories.items():
            for code, pat in cats:
                for m in pat.finditer(text):
                    if best is None or m.start() > best[0]:
                        best = (m.start(), dim, code)
        return ((best[1], best[2]),) if best else ()

    def dims_of(self, label: str, element: str, inherited: tuple = ()) -> tuple | None:
        """The disaggregation a label names for ``element``; None when it names a category the
        element does not have."""
        el = self.cat.elements.get(element)
        if el is None:
            return ()
        found = dict(inherited)
        for dim, cats in self.categories.items():
            for code, pat in cats:
                if pat.search(label):
                    found[dim] = code
        dims = {d: c for d, c in found.items() if d in el.dims}
        if any(d not in el.dims for d in found if d not in dict(inherited)):
            return None
        return tuple(sorted(dims.items()))

    # -- labels ----------------------------------------------------------------------------
    def _match(self, entries, label: str, unit: str, context: str):
        """The entry whose words end latest in the label (a Chinese noun phrase ends with its
        head: 学校毕业生升入高一级学校的学生人数 is a count of students, not of schools)."""
        best, best_end = None, -1
        for e in entries:
            ms = list(e["re"].finditer(label))
            if not ms:
                continue
            if e["not_re"] is not None and e["not_re"].search(label):
                continue
            if e.get("units") and unit and unit not in e["units"]:
                continue
            if e["ctx_re"] is not None and not e["ctx_re"].search(context):
                continue
            if e["not_ctx_re"] is not None and e["not_ctx_re"].search(context):
                continue
            end = ms[-1].end()
            if end > best_end:
                best, best_end = e, end
        return best

    def count_element(self, label: str, unit: str = "", context: str = ""):
        e = self._match(self.counts, label, unit, context)
        return (e["target"], e) if e else (None, None)

    def rate_target(self, label: str, context: str = ""):
        e = self._match(self.rates, label, "", context)
        return (e["target"], e) if e else (None, None)

    def map_claim(self, c) -> None:
        if c.form == "grid":  # a table of neither years nor one series: its cells name no figure alone
            return
        if re.search(r"达标|参评", c.context or ""):  # shares of schools meeting a standard, not the figure itself
            return
        label = c.label or ""
        base_unit = c.unit
        if c.kind in ("percent", "percent_nosign", "chart") or c.kind in ("x1", "pair", "time") or "生均" in label \
                or RATE_LABEL.search(label):
            target, e = self.rate_target(label, c.context)
            if target is None and c.kind in ("percent", "percent_nosign", "chart") and c.of:
                target = self.share_indicator(label, c.of, c.context)
                e = None
            if target is None and c.kind in ("percent", "percent_nosign") and not c.of:
                parts = re.fullmatch(r"(.+?)占(.+?)(?:的)?(?:比例|比重|比率|百分比)?", label)
                if parts:  # a table's "A占B比例": the indicator of A over B, not any share of A
                    target = self.share_indicator(parts.group(1), parts.group(2), c.context)
                else:
                    target = self.share_indicator(label, "", c.context)
            if target and not self._fits(c, target):
                target = None
            if target:
                c.target = target
                if e and e.get("dims_from"):
                    # the category of the label, else the last one named before the figure in its
                    # sentence ("在第一产业就业的占2.61%,第二产业占37.91%": primary, then secondary)
                    dims = self.dims_of(label, target) or ()
                    if not any(d[0] == e["dims_from"] for d in dims):
                        i = (c.context or "").find(c.raw)
                        dims = self.category_in(c.context[:i]) if i > 0 else ()
                    c.dims = tuple(d for d in dims if d[0] == e["dims_from"])
                    if not c.dims:
                        c.target = ""
                        return
                else:
                    c.dims = ()
                c.firm = c.firm and not c.qualifier
                return
            if c.kind != "chart" and (c.kind not in ("count", "amount") or "生均" in label):
                return
        unit = re.sub(r"^[万亿]", "", base_unit) if base_unit not in ("万元", "亿元") else base_unit
        if c.kind == "chart" and not unit:
            unit = ""
        target, e = self.count_element(label, unit if unit not in ("%", ":", ":1") else "", c.context)
        inherited = tuple(c.dims)
        if target is None and (self._cat_any.pattern and self._cat_any.search(label)) and c.of:
            target, e = self.count_element(c.of, unit, c.context)
        if target is None and self._cat_any.pattern and self._cat_any.search(label):
            whole = re.search(r"([\u4e00-\u9fff]{2,8})中$", c.note or "")
            if whole:
                target, e = self.count_element(whole.group(1), unit, c.context)
        if target is None and c.after and c.kind in ("count", "amount") and "、" not in label and "等" not in label[-3:]:
            target, e = self.count_element(c.after, unit, c.context)
            if e is not None and e["not_re"] is not None and e["not_re"].search(label):
                target, e = None, None
            if target is not None:
                label = c.after
                c.firm = False
        if target is None or not self._fits(c, target):
            return
        dims = self.dims_of(label, target, inherited)
        if dims is None:
            return
        if target == "schools" and not c.total and school_subset(c):
            return  # the schools of some group, not all the schools: the label stays as printed
        c.target, c.dims = target, dims
        if e.get("dims"):
            c.dims = tuple(sorted(e["dims"].items()))
        c.firm = c.firm and not e.get("loose") and not c.qualifier
        if e.get("loose") and c.total:
            c.firm = True

    def _fits(self, c, target: str) -> bool:
        """A percentage maps to a percentage, a ratio to a ratio, an amount to an amount."""
        ind = self.cat.indicators.get(target)
        if ind is None:
            return False
        if c.kind == "chart":
            return True
        if c.kind in ("percent", "percent_nosign"):
            return ind.style == "percent"
        if c.kind in ("x1", "pair", "time"):
            return ind.style in ("x1", "pair10")
        if ind.style in ("percent", "x1", "pair10"):
            return False
        units = (self.cat.rules or {}).get("units", {}) if isinstance(self.cat.rules, dict) else {}
        a, b = units.get(c.unit), units.get(ind.unit_zh)
        return not (c.unit and a is not None and b is not None and a["base"] != b["base"]) and \
            not (c.unit and a is not None and b is None and ind.unit_zh)

    def share_indicator(self, label: str, of: str, context: str) -> str:
        num, _ = self.count_element(label, "", context)
        if num is None:
            return ""
        if of and of != "?":
            den, _ = self.count_element(of, "", context)
            if den is None and re.search(r"总数|总量|总毕业|毕业人数|合计", of):
                return ""
            if den is not None:
                return self.by_sides.get((num, den), "")
            return ""
        options = self.by_numerator.get(num, [])
        return options[0] if len(options) == 1 else ""

    def map_all(self, claims, tables) -> None:
        for c in claims:
            if c.kind in ("change", "flat"):
                continue
            self.map_claim(c)
        # a share "占总数的p%" with no named base: the indicator whose numerator is its subject's
        for c in claims:
            if c.kind == "percent" and not c.target and c.of:
                num, _ = self.count_element(c.label, "", c.context)
                if num and len(self.by_numerator.get(num, [])) == 1:
                    c.target = self.by_numerator[num][0]
        # table share columns next to their numerator ("直接就业 | 就业占比总量")
        for t in tables:
            cols = t["columns"]
            for c in t["claims"]:
                if c.target or c.kind not in ("percent", "percent_nosign"):
                    continue
                col = (c.where.col or 1) - 1
                if 1 <= col - 1 < len(cols) and RATE_LABEL.search(c.label):
                    prev = cols[col - 1][0]
                    num, _ = self.count_element(prev, "", "")
                    opts = [o for o in self.by_numerator.get(num or "", [])]
                    if len(opts) == 1:
                        c.target = opts[0]
                        c.firm = bool(re.search(r"占比|比例|比重", c.label))
        # chart cells take the target of the table cell of the same label
        by_label = {}
        for c in claims:
            if c.form != "chart" and c.target and c.kind != "change":
                by_label.setdefault(c.label, c)
        for c in claims:
            if c.form == "chart" and not c.target and c.label in by_label:
                ref = by_label[c.label]
                c.target, c.dims, c.firm = ref.target, ref.dims, ref.firm
        # changes take the target of the figure they change
        last_level = {}
        for c in claims:
            if c.kind in ("change", "flat"):
                if c.where.table:
                    self.map_claim(c) if c.unit not in ("pp", "%") else self._map_rate_change(c)
                    continue
                ref = last_level.get((c.sentence, c.label))
                if ref is not None:
                    c.target, c.dims, c.firm = ref.target, ref.dims, ref.firm and c.firm
            else:
                last_level[(c.sentence, c.label)] = c

    def _map_rate_change(self, c) -> None:
        target, _ = self.rate_target(c.label, c.context)
        if target:
            c.target = target
