"""Comparisons (大小关系): a part can never exceed its whole. Each rule's ``check`` is a formula
on each side of <=, >=, <, > or == (parsed by nianbao.core.formula, never evaluated as Python),
evaluated per org unit and period within one scope (口径): figures of different scopes are never
compared. ``offsets`` takes an element from another year than the period checked (``{graduation_candidates:
-1}``: this year's graduates against last year's 毕业班学生数, counted on 1 September of the school
year they graduate in)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from nianbao.check import rules_sql as sql
from nianbao.check.explain import location_of
from nianbao.check.registry import Handler, RuleError, rule_kind
from nianbao.check.text import num
from nianbao.core import formula

_COMPARE = re.compile(r"^(.*?)(<=|>=|==|<|>|≤|≥)(.*)$")
_OPS = {"≤": "<=", "≥": ">="}
WIDE = "rule_wide"  # the compared figures, one column a reference
_HOLDS_SQL = {"<=": "{l} <= {r} + {eps}", ">=": "{l} + {eps} >= {r}", "<": "{l} < {r}", ">": "{l} > {r}",
              "==": "ABS({l} - {r}) <= {eps}"}  # holds() in SQL


@dataclass(frozen=True)
class Comparison:
    left: formula.Node
    op: str
    right: formula.Node
    offsets: tuple[tuple[str, int], ...] = ()  # (element, years from the period checked)

    def offset(self, element: str) -> int:
        return dict(self.offsets).get(element, 0)

    @property
    def refs(self) -> list[formula.Ref]:
        return formula.refs(self.left) + formula.refs(self.right)

    @property
    def part_of_whole(self) -> tuple[str, str] | None:
        """(part, whole) as formula texts where the rule says the left is at most the right, both
        of one year (a comparison across years says nothing of a same-year ratio)."""
        if self.op not in ("<=", "<") or self.offsets:
            return None
        return formula.to_text(self.left), formula.to_text(self.right)


def holds(left: float, op: str, right: float, tol: float = 1e-9) -> bool:
    if op == "<=":
        return left <= right + tol
    if op == ">=":
        return left + tol >= right
    if op == "<":
        return left < right
    if op == ">":
        return left > right
    return abs(left - right) <= tol


def prepare(rule, catalogue) -> None:
    m = _COMPARE.match(rule.params.get("check", "") or "")
    if not m:
        raise RuleError.of("rules.bad_comparison", code=rule.code, check=rule.params.get("check", ""))
    offsets = rule.params.get("offsets") or {}
    if not isinstance(offsets, dict) or not all(isinstance(v, int) for v in offsets.values()):
        raise RuleError.of("rules.bad_comparison", code=rule.code, check=f"offsets: {offsets}")
    rule.parsed = Comparison(formula.parse(m.group(1)), _OPS.get(m.group(2), m.group(2)), formula.parse(m.group(3)),
                             tuple(sorted(offsets.items())))
    for ref in list(rule.parsed.refs) + [formula.Ref(e) for e in offsets]:
        if ref.element not in catalogue.elements:
            raise RuleError.of("rules.unknown_element", code=rule.code, element=ref.element)


def parts_of_wholes(book) -> set[tuple[str, str]]:
    """(part, whole) formula texts of every comparison that says a part is at most its whole."""
    return {r.parsed.part_of_whole for r in book.of_kind("compare") if r.parsed.part_of_whole}


@rule_kind("compare", params=("check",), prepare=prepare)
class Compare(Handler):
    def __init__(self, ctx, rules):
        super().__init__(ctx, rules)
        self.keyed = {r.code: [(ref, ref.key) for ref in r.parsed.refs] for r in rules}

    def check(self, d):
        table = d.table
        for rule in self.rules:
            keyed = self.keyed[rule.code]
            if not all(ref.element in d.elements for ref, _ in keyed):
                continue
            c = rule.parsed
            for period, scope in d.combos_sorted:
                got = {}
                for ref, _ in keyed:
                    o = table.get((ref.element, ref.dims, period + c.offset(ref.element), scope))
                    if o is None:
                        break
                    got[ref] = o.value
                else:
                    left = formula.evaluate(c.left, got.__getitem__)
                    right = formula.evaluate(c.right, got.__getitem__)
                    if left is None or right is None or holds(left, c.op, right):
                        continue
                    yield self.failed(rule, d, period, scope, keyed, left, right)

    def compile(self):
        """Every reference of every rule pivoted once into a column (``rule_wide``: one row per
        unit, year and scope, each reference's value and figure id); then per rule the row of
        the year checked, joined to the row of each other year an offset takes an element from,
        kept where every reference has a figure, both sides a value and the comparison does not
        hold. Rows: rule, then the figure ids of its references."""
        refs = list(dict.fromkeys(ref for r in self.rules for ref in r.parsed.refs))
        if not refs:
            return None
        wide, col = sql.wide(refs)
        width = max(len(dict.fromkeys(r.parsed.refs)) for r in self.rules)
        selects = []
        for i, rule in enumerate(self.rules):
            c = rule.parsed
            mine = list(dict.fromkeys(c.refs))
            shifts = sorted({c.offset(ref.element) for ref in mine})
            name = {k: f"w{'m' if k < 0 else ''}{abs(k)}" for k in shifts}
            base = name[shifts[0]]
            joins = "".join(f"\nJOIN {WIDE} {name[k]} ON {name[k]}.org_unit = {base}.org_unit AND "
                            f"{name[k]}.scope = {base}.scope AND {name[k]}.period = {base}.period + {k - shifts[0]}"
                            for k in shifts[1:])
            period = f"{base}.period - {shifts[0]}"  # the year checked
            if 0 not in shifts:  # a year the unit has figures of
                joins += (f"\nJOIN (SELECT DISTINCT org_unit, period, scope FROM {sql.FIGURES}) k ON "
                          f"k.org_unit = {base}.org_unit AND k.scope = {base}.scope AND k.period = {period}")
            at = lambda ref: name[c.offset(ref.element)]  # noqa: E731
            left = formula.to_sql(c.left, lambda ref: f"{at(ref)}.v{col[ref]}")
            right = formula.to_sql(c.right, lambda ref: f"{at(ref)}.v{col[ref]}")
            present = " AND ".join(f"{at(ref)}.r{col[ref]} IS NOT NULL" for ref in mine)
            holds_sql = _HOLDS_SQL[c.op].format(l=left, r=right, eps=sql.EPS)
            rids = ", ".join([f"{at(ref)}.r{col[ref]}" for ref in mine] + ["CAST(NULL AS INTEGER)"] * (width - len(mine)))
            selects.append(f"""SELECT {i} AS r, {rids}
FROM {WIDE} {base}{joins}
WHERE {present}
  AND {left} IS NOT NULL AND {right} IS NOT NULL AND NOT ({holds_sql})""")
        return sql.Compiled("\nUNION ALL\n".join(selects), rids=tuple(range(1, width + 1)), tables=((WIDE, wide),))

    def found(self, rows, figures, orgs):
        for r, *rids in rows:
            rule = self.rules[r]
            c = rule.parsed
            refs = list(dict.fromkeys(c.refs))
            obs = dict(zip(refs, (figures[x] for x in rids)))
            first = obs[refs[0]]
            period = first.period - c.offset(refs[0].element)
            got = {ref: o.value for ref, o in obs.items()}
            left = formula.evaluate(c.left, got.__getitem__)
            right = formula.evaluate(c.right, got.__getitem__)
            yield self.failed(rule, orgs[first.org_unit], period, first.scope, self.keyed[rule.code], left, right)

    def failed(self, rule, d, period, scope, keyed, left, right):
        c = rule.parsed
        obs = [d.table[(ref.element, ref.dims, period + c.offset(ref.element), scope)] for ref, _ in keyed]
        vals = {key: o.value for (_, key), o in zip(keyed, obs)}
        values = {"left": left, "right": right, "diff": round(left - right, 6), **vals}
        text = {"left_terms": formula.to_text(rule.parsed.left, lambda r: num(vals[r.key])),
                "period": str(period), **self.ctx.scope_text(scope)}
        for element, years in c.offsets:  # the year each element was taken from
            values[f"{element}_period"] = period + years
            text[f"{element}_period"] = str(period + years)
        return rule.finding(values, location=location_of(*obs), period=period, org_unit=d.org, text=text)
