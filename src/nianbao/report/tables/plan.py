"""``layout: plan`` — the 达标 plan as a table. Area reports: one row a resource (schools that
need it, the quantity, the money where unit costs are set), then the criteria no resource
closes. School reports: one row a criterion the school falls short of (or that the plan
touches): its value, the threshold, the gap, the resource and quantity. Every number a fact."""

from __future__ import annotations

from nianbao.compute.plan import need_facts, school_plan_of, shown
from nianbao.compute.standards import limit_text
from nianbao.report.blocks.plan import area_totals, plan_for
from nianbao.report.document import Cell, Table
from nianbao.report.runs import figure, text
from nianbao.report.tables import layout


@layout("plan")
def plan_table(b, t):
    plan = plan_for(b, str(t.spec.get("standard", "")), t.section)
    if plan is None:
        return None
    w = b.words
    money = any(plan.has_money(r) for r in plan.resources)
    # the plan's notes without the command line's words on files: no unit cost is said plainly
    notes = [w("plan.scenario", assumption=plan.assumption_zh), *plan.notes_zh[1:4],
             plan.notes_zh[4] if plan.costs else w("plan.no_costs")]
    if b.school is not None:
        return school_table(b, t, plan, money, notes)
    tot = area_totals(b, plan)
    rows = []
    for r in tot.resources:
        spec = plan.resources[r.what]
        row = [Cell([text(spec["zh"])], align="left"), Cell([figure(r.short)]), Cell([figure(r.no_data)]),
               Cell([figure(r.quantity)] if r.quantity is not None else [text(w.no_data)]),
               Cell([text(shown(spec)[1])])]
        if money:
            row.append(Cell([figure(r.money)] if r.money is not None else [text(w.no_data)]))
        rows.append(row)
    for c in tot.criteria:
        if c.quantity is None and c.short.value > 0:
            row = [Cell([text(c.zh)], align="left"), Cell([figure(c.short)]), Cell([figure(c.no_data)]),
                   Cell([text(w("plan.not_closable"))]), Cell([text("")])]
            if money:
                row.append(Cell([text(w.no_data)]))
            rows.append(row)
            notes.append(w("plan.options", criterion=c.zh, options=c.options_zh))
    header = w.list("plan.header") + ([w("plan.money_header")] if money else [])
    return Table(t.key, "", "", header, rows, notes)


def school_table(b, t, plan, money, notes):
    w = b.words
    s = school_plan_of(plan, b.school.code)
    if s is None or not s.applicable:
        b.omit(t.section, w("what.table", title=t.title), w("reason.standard_not_applicable"))
        return None
    rows = []
    for f in need_facts(plan, s):
        n = f.need
        if n.status == "met":
            continue
        value = b.facts.get(next(c["indicator"] for c in plan.criteria if c["id"] == n.criterion), b.year)
        r = plan.resources.get(n.resource) or {}
        row = [Cell([text(n.zh)], align="left"), Cell([text(limit_text(n.op, n.threshold, n.unit_zh))]),
               Cell([figure(value)] if value is not None else [text(w("plan.no_data"))]),
               Cell([figure(f.gap)] if f.gap is not None else [text(w.no_data)]),
               Cell([text(r.get("zh", "") or w("plan.not_closable"))], align="left"),
               Cell([figure(f.quantity), text(f.quantity.unit_zh)] if f.quantity is not None
                    else [text(w.no_data)])]
        if money:
            row.append(Cell([figure(f.money)] if f.money is not None else [text(w.no_data)]))
        rows.append(row)
    if not rows:
        b.omit(t.section, w("what.table", title=t.title), w("reason.plan_nothing"))
        return None
    header = w.list("plan.school_header") + ([w("plan.money_header")] if money else [])
    return Table(t.key, "", "", header, rows, notes)
