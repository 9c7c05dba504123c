"""Year over year (逐年变动): a figure that jumps beyond its threshold from one year to the next
is worth a second look, never wrong by itself. Thresholds are per element type: a relative
change for counts and amounts, percentage points for rates; counts below ``min_base`` are left
alone (a school going from 2 to 4 awards is no news). Across a change of an element's definition
(catalogue ``definition_changed``) the two years are not compared."""

from __future__ import annotations

from nianbao.check import rules_sql as sql
from nianbao.check.explain import location_of
from nianbao.check.registry import Handler, rule_kind
from nianbao.check.text import num, pct


@rule_kind("year_over_year", params=("thresholds",))
class YearOverYear(Handler):
    def __init__(self, ctx, rules):
        super().__init__(ctx, rules)
        self.etype = {code: el.type for code, el in self.cat.elements.items()}

    def check(self, d):
        t = d.table
        for rule in self.rules:
            thresholds = rule.params["thresholds"]
            min_base = float(rule.params.get("min_base", 0))
            limits = {typ: (float(th["points"]), None) if "points" in th else (None, float(th["relative"]))
                      for typ, th in thresholds.items()}
            etype = self.etype
            for key, o in t.items():
                limit = limits.get(etype[key[0]])
                if limit is None:
                    continue
                element, dims, period, scope = key
                prev = t.get((element, dims, period - 1, scope))
                if prev is None or self.cat.definition_break(element, period - 1, period):
                    continue  # nothing to compare with, or the definition changed between the two
                a, b = prev.value, o.value
                points, rel = limit
                if points is not None:
                    if abs(b - a) <= points + 1e-9:
                        continue
                elif a == b or (etype[element] == "count" and max(abs(a), abs(b)) < min_base) or \
                        (a != 0 and abs((b - a) / abs(a)) <= rel + 1e-9):
                    continue
                yield self.jump(rule, thresholds[etype[element]], d, key, prev, o)

    def compile(self):
        """Per rule: each figure joined to the same figure of the year before (same unit,
        element, disaggregation and scope), kept where the change is beyond its type's
        threshold; the years across a definition change of the element are left out."""
        selects = []
        for i, rule in enumerate(self.rules):
            thresholds = rule.params["thresholds"]
            min_base = sql.number(rule.params.get("min_base", 0))
            a, b = "p.value", "o.value"
            beyond = []
            for typ, th in thresholds.items():
                if "points" in th:
                    cond = f"ABS({b} - {a}) > {sql.number(th['points'])} + {sql.EPS}"
                else:
                    small = (f" OR (CASE WHEN ABS({a}) >= ABS({b}) THEN ABS({a}) ELSE ABS({b}) END < {min_base})"
                             if typ == "count" else "")
                    cond = (f"NOT ({a} = {b}{small} OR ({a} <> 0 AND ABS(({b} - {a}) / NULLIF(ABS({a}), 0)) <= "
                            f"{sql.number(th['relative'])} + {sql.EPS}))")
                beyond.append(f"(e.type = {sql.text(typ)} AND {cond})")
            if not beyond:
                continue
            breaks = sorted({(el, int(c.year)) for el, e in self.cat.elements.items() if e.type in thresholds
                             for c in self.cat.definition_breaks(el)})
            kept = "".join(f"\n  AND NOT (o.element = {sql.text(el)} AND o.period = {year})" for el, year in breaks)
            types = ", ".join(sql.text(t) for t in thresholds)
            selects.append(f"""SELECT {i} AS r, p.rid AS prev, o.rid AS now
FROM {sql.FIGURES} o
JOIN {sql.TYPES} e ON e.element = o.element AND e.type IN ({types})
JOIN {sql.FIGURES} p ON p.org_unit = o.org_unit AND p.element = o.element AND p.dims = o.dims
     AND p.scope = o.scope AND p.period = o.period - 1
WHERE ({" OR ".join(beyond)}){kept}""")
        return sql.Compiled("\nUNION ALL\n".join(selects), rids=(1, 2)) if selects else None

    def found(self, rows, figures, orgs):
        for r, prev, now in rows:
            rule, o = self.rules[r], figures[now]
            th = rule.params["thresholds"][self.etype[o.element]]
            yield self.jump(rule, th, orgs[o.org_unit], (o.element, o.dims, o.period, o.scope), figures[prev], o)

    def jump(self, rule, th: dict, d, key, prev, o):
        """The finding of a change beyond its threshold."""
        element, dims, period, scope = key
        a, b = prev.value, o.value
        if "points" in th:
            change = b - a
        else:
            rel = float(th["relative"])
            ratio = None if a == 0 else (b - a) / abs(a)
        values = {"previous": a, "value": b, "previous_period": period - 1}
        phrase = self.book.phrase
        if "points" in th:
            way = "points_up" if change > 0 else "points_down"
            text = {"change": phrase(way, "zh", points=num(abs(change))),
                    "change_en": phrase(way, "en", points=num(abs(change))),
                    "threshold": phrase("points_threshold", "zh", points=num(th["points"])),
                    "threshold_en": phrase("points_threshold", "en", points=num(th["points"])),
                    "previous": pct(a), "value": pct(b)}
            values["change_points"] = round(change, 6)
        else:
            if ratio is None:
                way, share = ("from_zero_up" if b > a else "from_zero_down"), ""
            else:
                way, share = ("count_up" if b > a else "count_down"), pct(abs(ratio) * 100)
            text = {"change": phrase(way, "zh", diff=num(abs(b - a)), value=num(b), share=share),
                    "change_en": phrase(way, "en", diff=num(abs(b - a)), value=num(b), share=share),
                    "threshold": f"±{pct(rel * 100, 0)}", "threshold_en": f"±{pct(rel * 100, 0)}"}
            values["change"] = round(b - a, 6)
            values["change_relative"] = round(ratio, 6) if ratio is not None else None
        name_zh, name_en = self.ctx.label(element, dims)
        text.update(name=name_zh, name_en=name_en, **self.ctx.scope_text(scope))
        return rule.finding(values, location=location_of(prev, o), period=period, org_unit=d.org, text=text)
