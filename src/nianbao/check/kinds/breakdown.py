"""Breakdowns (分组之和): the categories of a complete disaggregation add up to their total.

Derived from dimensions.yaml, never written per element: every disaggregation of kind
``breakdown`` (``complete: true``) of every element that lists it, at every level of nesting
(degree within title …), per org unit, period and scope. The categories of a ``part`` dimension
(其中) are never added up: each alone must not exceed its total. Those of an ``overlapping``
dimension (honours, ranks: a school may hold several) are neither added up nor checked. Shares of one whole (a rate element broken down) add up
to 100%. Whole counts must add up exactly; figures printed with decimals may each be off by half
a unit of their last digit.
"""

from __future__ import annotations

from collections import defaultdict

from nianbao.check import rules_sql as sql
from nianbao.check.explain import location_of
from nianbao.check.registry import Handler, rule_kind
from nianbao.check.text import joined, num

CASES = ("mismatch", "exceeds", "incomplete", "shares", "shares_far", "part_exceeds")


def decimals_of(v: float) -> int:
    text = repr(float(v))
    if "e" in text or "." not in text:
        return 0
    frac = text.split(".")[1].rstrip("0")
    return len(frac)


@rule_kind("breakdown", cases=CASES)
class Breakdown(Handler):
    def __init__(self, ctx, rules):
        super().__init__(ctx, rules)
        self.complete = {d for d, m in self.cat.dimensions.items() if m.get("complete")}
        self.parts = {d for d, m in self.cat.dimensions.items() if m.get("kind") == "part"}
        self.etype = {code: el.type for code, el in self.cat.elements.items()}

    def check(self, d):
        complete = self.complete
        groups: dict[tuple, dict[str, object]] = defaultdict(dict)
        for key, o in d.table.items():
            element, dims, period, scope = key
            if not dims:
                continue
            if len(dims) == 1:
                dim, c = dims[0]
                if dim in complete:
                    groups[(element, (), dim, period, scope)][c] = o
            else:
                for dim, c in dims:
                    if dim in complete:
                        parent = tuple(x for x in dims if x[0] != dim)
                        groups[(element, parent, dim, period, scope)][c] = o
        for gkey, cats in groups.items():
            f = self.group(d, gkey, cats)
            if f is not None:
                yield f
        if self.parts and self.rule("part_exceeds"):
            yield from self.part_exceeds(d)

    def part_exceeds(self, d):
        """A 其中 figure larger than the total it is part of (counts and amounts)."""
        for (element, dims, period, scope), o in d.table.items():
            if self.etype[element] == "rate":
                continue
            for dim, c in dims:
                if dim not in self.parts:
                    continue
                parent = tuple(x for x in dims if x[0] != dim)
                total = d.table.get((element, parent, period, scope))
                if total is None or o.value <= total.value + 1e-9:
                    continue
                yield self.part_finding(d, o, total, dim, c, parent)

    def part_finding(self, d, o, total, dim: str, c: str, parent: tuple):
        rule = self.rule("part_exceeds")
        dmeta = self.cat.dimensions[dim]
        name_zh, name_en = self.ctx.label(o.element, parent)
        text = {"element": name_zh, "element_en": name_en, "dimension": dmeta["zh"],
                "dimension_en": dmeta["en"], "category": dmeta["categories"][c]["zh"],
                "category_en": dmeta["categories"][c]["en"], **self.ctx.scope_text(o.scope)}
        return rule.finding({"part": o.value, "total": total.value, "diff": round(o.value - total.value, 6)},
                            location=location_of(total, o), period=o.period, org_unit=d.org, text=text)

    def compile(self):
        """Two queries in one: the groups of categories (a complete dimension of each
        disaggregation, the others held) whose sum is not exactly their total (or 100 for
        shares) — beyond their rounding where every figure is whole (no decimals: the rounding of
        ``group`` is then known) —, one row a category with the group's total; and the 其中
        parts above their total. Which case a group is, and how far off figures with decimals
        may be (by the decimals they are printed with), are judged by ``group`` on these few
        groups, as in the Python path.
        Rows: 'g' or 'p', dimension, category, the figure of the category, that of the total."""
        f, d, t = sql.FIGURES, sql.DIMS, sql.TYPES
        key = ("org_unit", "element", "parent", "dim", "period", "scope")
        on = " AND ".join(f"x.{k} = g.{k}" for k in key)
        groups = f"""WITH cats AS (
  SELECT f.rid, f.org_unit, f.element, f.period, f.scope, f.value, f.step, d.dim, d.category, d.parent
  FROM {f} f JOIN {d} d ON d.dims = f.dims AND d.kind = 'complete'
), grp AS (
  SELECT {", ".join(key)}, SUM(value) AS s, COUNT(*) AS n, SUM(step) AS steps,
         MIN(CASE WHEN value = FLOOR(value) THEN 1 ELSE 0 END) AS whole
  FROM cats GROUP BY {", ".join(key)}
), off AS (
  SELECT g.*, tot.rid AS total, CASE WHEN e.type = 'rate' THEN g.s - 100 ELSE g.s - tot.value END AS diff,
         (CASE WHEN e.type = 'count' THEN 0 ELSE 0.5 * g.n END) + (g.steps + COALESCE(tot.step, 0)) / 2 AS tol
  FROM grp g
  JOIN {t} e ON e.element = g.element
  LEFT JOIN {f} tot ON tot.org_unit = g.org_unit AND tot.element = g.element AND tot.dims = g.parent
       AND tot.period = g.period AND tot.scope = g.scope
  WHERE (e.type = 'rate' AND g.parent = '') OR (e.type <> 'rate' AND tot.rid IS NOT NULL)
), wrong AS (  -- off by more than nothing; whole figures (printed without decimals) beyond their tolerance
  SELECT * FROM off WHERE ABS(diff) >= {sql.EPS} AND NOT (whole = 1 AND ABS(diff) <= tol - {sql.EPS})
)
SELECT 'g' AS q, x.dim, x.category, x.rid, g.total FROM wrong g JOIN cats x ON {on}"""
        if self.parts and self.rule("part_exceeds"):
            groups += f"""
UNION ALL
SELECT 'p', d.dim, d.category, f.rid, tot.rid
FROM {f} f JOIN {d} d ON d.dims = f.dims AND d.kind = 'part'
JOIN {t} e ON e.element = f.element AND e.type <> 'rate'
JOIN {f} tot ON tot.org_unit = f.org_unit AND tot.element = f.element AND tot.dims = d.parent
     AND tot.period = f.period AND tot.scope = f.scope
WHERE f.value > tot.value + {sql.EPS}"""
        return sql.Compiled(groups, rids=(3, 4))

    def found(self, rows, figures, orgs):
        groups: dict[tuple, list] = defaultdict(list)
        for q, dim, c, rid, total in rows:
            o = figures[rid]
            parent = tuple(x for x in o.dims if x[0] != dim)
            if q == "p":
                yield self.part_finding(orgs[o.org_unit], o, figures[total], dim, c, parent)
            else:
                groups[(o.org_unit, o.element, parent, dim, o.period, o.scope)].append((rid, c, o))
        for (org, *gkey), members in groups.items():
            cats = {c: o for _, c, o in sorted(members, key=lambda m: m[0])}  # in the order of the data
            f = self.group(orgs[org], tuple(gkey), cats)
            if f is not None:
                yield f

    def categories(self, dim: str, reported) -> list[str]:
        """The categories that make the total. For 专业大类 (categories of several catalogue
        versions) only the versions of the categories reported count."""
        meta = self.cat.dimensions[dim]
        if meta.get("categories_from") != "majors":
            return list(meta["categories"])
        versions = (self.cat.majors or {}).get("versions") or {}
        used = [v for v in versions.values() if set(v.get("categories") or {}) & set(reported)]
        return [c for v in used for c in v.get("categories") or {}] or list(meta["categories"])

    def group(self, d, gkey: tuple, cats: dict):
        element, parent, dim, period, scope = gkey
        typ = self.etype[element]
        total_sum = sum(o.value for o in cats.values())
        if typ == "rate":
            if parent or abs(total_sum - 100) < 1e-9:
                return None
            total = None
        else:
            total = d.table.get((element, parent, period, scope))
            if total is None or abs(total_sum - total.value) < 1e-9:
                return None
        order = self.categories(dim, cats)
        present = [c for c in order if c in cats]
        missing = [c for c in order if c not in cats]
        parts = [cats[c].value for c in present]
        dec = max((decimals_of(v) for v in parts), default=0)
        tol = 0.0 if typ == "count" and dec == 0 else 0.5 * 10 ** -dec * len(parts)
        # figures printed in 万 or 亿 are known to half their last printed digit (484.78万: ±50)
        tol += sum(o.step for o in [*cats.values(), total] if o is not None and getattr(o, "step", 0)) / 2
        values = {"sum": round(total_sum, 6), "categories": {c: cats[c].value for c in present}}
        obs = [cats[c] for c in present]
        if typ == "rate":
            rule, location = self.shares(values, total_sum - 100, tol, missing), location_of(*obs)
        else:
            rule, location = self.counts(values, total, total_sum - total.value, tol, missing), \
                location_of(total, *obs)
        if rule is None:
            return None
        dmeta = self.cat.dimensions[dim]
        name_zh, name_en = self.ctx.label(element, parent)
        text = {"element": name_zh, "element_en": name_en, "dimension": dmeta["zh"],
                "dimension_en": dmeta["en"], "terms": " + ".join(num(v) for v in parts),
                "tolerance": num(tol, 6), **self.ctx.scope_text(scope)}
        if missing:
            text["missing"] = self.listed([dmeta["categories"][c]["zh"] for c in missing], "zh")
            text["missing_en"] = self.listed([dmeta["categories"][c]["en"] for c in missing], "en")
        return rule.finding(values, location=location, period=period, org_unit=d.org, text=text)

    def shares(self, values: dict, off: float, tol: float, missing: list):
        """Shares of one whole: within their rounding of 100%, a little off, or far off."""
        if (missing and off <= tol) or abs(off) <= tol + 1e-9:
            return None
        near = self.rule("shares")
        values.update(diff=round(off, 6), tolerance=round(tol, 6))
        return near if near and abs(off) <= near.params.get("max_points", 1.0) else self.rule("shares_far")

    def counts(self, values: dict, total, diff: float, tol: float, missing: list):
        """Counts against their total: with categories missing, more than the total is a
        contradiction and less a gap; with every category given, any difference is wrong."""
        values["total"] = total.value
        if missing:
            values["missing"] = missing
            if diff > tol:
                values["diff"] = round(diff, 6)
                return self.rule("exceeds")
            if diff < -tol:
                values["gap"] = round(-diff, 6)
                return self.rule("incomplete")
            return None
        if abs(diff) > tol:
            values["diff"] = round(diff, 6)
            return self.rule("mismatch")
        return None

    def listed(self, names: list[str], lang: str, limit: int = 6) -> str:
        if len(names) <= limit:
            return joined(names, lang)
        return joined(names[:limit], lang) + self.book.phrase("more_categories", lang, n=len(names),
                                                              more=len(names) - limit)
