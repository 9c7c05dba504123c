"""Year over year (逐年变动): a figure that jumps beyond its threshold from one year to the next
is worth a second look, never wrong by itself. Thresholds are per element type: a relative
change for counts and amounts, percentage points for rates; counts below ``min_base`` are left
alone (a school going from 2 to 4 awards is no news). Across a change of an element's definition
(catalogue ``definition_changed``) the two years are not compared."""

from __future__ import annotations

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
