"""Stock and flow (存量与流量): this year's stock ≈ last year's + inflow − outflow. Students also
leave without graduating and schools open and close, so only a gap beyond the rule's
``tolerance`` (a share of the expected stock) is reported."""

from __future__ import annotations

from nianbao.check import rules_sql as sql
from nianbao.check.explain import location_of
from nianbao.check.registry import Handler, rule_kind
from nianbao.check.text import pct


@rule_kind("stock_flow", params=("stock", "inflow", "outflow"))
class StockFlow(Handler):
    def check(self, d):
        for rule in self.rules:
            yield from self.follows(rule, d)

    def follows(self, rule, d):
        stock, inflow, outflow = rule.params["stock"], rule.params["inflow"], rule.params["outflow"]
        if not {stock, inflow, outflow} <= d.elements:
            return
        tol = float(rule.params.get("tolerance", 0.05))
        t = d.table
        for period, scope in d.combos_sorted:
            now = t.get((stock, (), period, scope))
            prev = t.get((stock, (), period - 1, scope))
            fin = t.get((inflow, (), period, scope))
            fout = t.get((outflow, (), period, scope))
            if None in (now, prev, fin, fout):
                continue
            expected = prev.value + fin.value - fout.value
            gap = now.value - expected
            if gap == 0 or (expected > 0 and abs(gap) <= tol * expected):
                continue  # a stock of nothing that follows from flows of nothing agrees too
            yield self.finding(rule, d, period, scope, now, prev, fin, fout)

    def finding(self, rule, d, period, scope, now, prev, fin, fout):
        stock, inflow, outflow = rule.params["stock"], rule.params["inflow"], rule.params["outflow"]
        tol = float(rule.params.get("tolerance", 0.05))
        expected = prev.value + fin.value - fout.value
        gap = now.value - expected
        share = gap / expected if expected else None
        names = {k: self.ctx.label(v) for k, v in (("stock", stock), ("inflow", inflow), ("outflow", outflow))}
        text = {f"{k}_name": v[0] for k, v in names.items()}
        text.update({f"{k}_name_en": v[1] for k, v in names.items()})
        text["share"] = pct(share * 100) if share is not None else ""
        text.update(self.ctx.scope_text(scope))
        values = {"stock": now.value, "previous": prev.value, "previous_period": period - 1,
                  "inflow": fin.value, "outflow": fout.value, "expected": expected,
                  "gap": abs(gap), "difference": gap, "tolerance": tol}
        return rule.finding(values, location=location_of(now, prev, fin, fout), period=period,
                            org_unit=d.org, text=text)

    def compile(self):
        """Per rule: the stock of each year joined to last year's and to the year's flows (totals
        of one scope), kept where the gap is beyond the tolerance."""
        selects = []
        for i, rule in enumerate(self.rules):
            p = rule.params
            tol = sql.number(p.get("tolerance", 0.05))
            expected = "(b.value + c.value - e.value)"
            gap = f"(a.value - {expected})"
            joins = "\n".join(
                f"JOIN {sql.FIGURES} {x} ON {x}.org_unit = a.org_unit AND {x}.scope = a.scope AND {x}.dims = '' "
                f"AND {x}.element = {sql.text(p[name])} AND {x}.period = a.period{shift}"
                for x, name, shift in (("b", "stock", " - 1"), ("c", "inflow", ""), ("e", "outflow", "")))
            selects.append(f"""SELECT {i} AS r, a.rid AS now, b.rid AS prev, c.rid AS fin, e.rid AS fout
FROM {sql.FIGURES} a
{joins}
WHERE a.element = {sql.text(p["stock"])} AND a.dims = ''
  AND NOT ({gap} = 0 OR ({expected} > 0 AND ABS({gap}) <= {tol} * {expected}))""")
        return sql.Compiled("\nUNION ALL\n".join(selects), rids=(1, 2, 3, 4)) if selects else None

    def found(self, rows, figures, orgs):
        for r, *rids in rows:
            now, prev, fin, fout = (figures[x] for x in rids)
            yield self.finding(self.rules[r], orgs[now.org_unit], now.period, now.scope, now, prev, fin, fout)
