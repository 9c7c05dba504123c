"""``plan: KEY`` — the 达标 plan (nianbao.compute.plan) in words, as the outline's ``plans`` KEY
says. In an area report: what the unit's schools need in all to meet every criterion of the
standard (zh with {standard} {org} {year} {items}; item_zh with {resource} {quantity}; money_zh
with {money} where the dataset sets unit costs; not_closable_zh with {n} {criterion} {options};
none_zh when no school falls short). In a school report: the school's own gaps (school_zh with
{items}; school_none_zh). Every number is a fact: the area's sums have the schools as inputs."""

from __future__ import annotations

from nianbao.compute.plan import make_plan, need_facts, school_plan_of, totals
from nianbao.report import phrases
from nianbao.report.blocks import block
from nianbao.report.document import Paragraph
from nianbao.report.runs import Run, fill_runs, merge_runs, text
from nianbao.report.standards import definition


def plan_for(b, std_id: str, section: str):
    """The plan of the report's unit (or school) against a standard, made once per build; None
    (with an error or, for an optional block, a note) when there is nothing to plan."""
    std = definition(b, std_id, section)
    if std is None:
        return None
    key = ("plan", std_id)
    if key not in b.attainments:
        b.attainments[key] = make_plan(b.ds, std_id, org_code=b.org_code, period=b.year) if b.ds.orgs is not None \
            else None
    plan = b.attainments[key]
    if plan is not None and plan.applicable:
        return plan
    w = b.words
    reason = w("reason.no_registry") if b.ds.orgs is None else w("reason.no_applicable_school", year=b.year)
    what = w("what.against_standard", standard=std["zh"], what=w("what.plan"))
    if b.optional:
        b.omit(section, what, reason)
    else:
        b.error("report.no_schools", section, what=what, reason=reason, standard=std_id)
    return None


def area_totals(b, plan):
    return totals(plan, b.org_code, b.names["org"])


@block("plan", defined_in="plans")
def plan_block(b, req) -> None:
    spec, section = req.spec, req.section
    plan = plan_for(b, str(spec.get("standard", "")), section)
    if plan is None:
        return
    try:
        runs = school_runs(b, spec, plan) if b.school is not None else area_runs(b, spec, plan)
    except KeyError as exc:
        b.error("report.bad_wording", section, key=req.key, missing=str(exc))
        return
    b.add(Paragraph(merge_runs(runs)))


def _items(b, spec, pairs) -> list[Run]:
    w = b.words
    out: list[Run] = []
    for resource, fact in pairs:
        out += ([text(w("list_sep"))] if out else []) + fill_runs(
            spec["item_zh"], {"resource": resource, "quantity": phrases.value_runs(fact, words=w)})
    return out


def area_runs(b, spec, plan) -> list[Run]:
    w = b.words
    t = area_totals(b, plan)
    values = {**b.names, "standard": plan.std["zh"], "year": str(b.year)}
    needed = [r for r in t.resources if r.quantity is not None and r.quantity.value > 0]
    closable = [c for c in t.criteria if c.quantity is None and c.short.value > 0]
    if not needed and not closable:
        return fill_runs(spec["none_zh"], values)
    runs = []
    if needed:
        runs = fill_runs(spec["zh"], {**values, "items": _items(
            b, spec, [(plan.resources[r.what]["zh"], r.quantity) for r in needed])})
        money = [r.money for r in needed if r.money is not None]
        if money:
            parts: list[Run] = []
            for r in (r for r in needed if r.money is not None):
                parts += ([text(w("list_sep"))] if parts else []) + fill_runs(
                    spec["money_item_zh"], {"resource": plan.resources[r.what]["zh"],
                                            "money": phrases.value_runs(r.money, words=w)})
            runs += fill_runs(spec["money_zh"], {"items": parts})
    for c in closable:
        runs += fill_runs(spec["not_closable_zh"], {"n": phrases.value_runs(c.short, words=w),
                                                    "criterion": c.zh, "options": c.options_zh})
    return runs


def school_runs(b, spec, plan) -> list[Run]:
    w = b.words
    s = school_plan_of(plan, b.school.code)
    values = {**b.names, "standard": plan.std["zh"], "year": str(b.year)}
    facts = need_facts(plan, s) if s is not None else []
    pairs = [(plan.resources[f.need.resource]["zh"], f.quantity) for f in facts
             if f.quantity is not None and f.quantity.value > 0]
    runs: list[Run] = []
    if pairs:
        runs = fill_runs(spec["school_zh"], {**values, "items": _items(b, spec, pairs)})
    for f in facts:
        if f.need.status == "not_closable":
            runs += fill_runs(spec["school_not_closable_zh"], {"criterion": f.need.zh, "options": f.need.options_zh})
    missing = [f.need.zh for f in facts if f.need.status == "no_data"]
    if missing:
        runs += fill_runs(spec["school_no_data_zh"], {"names": w.join(missing)})
    return runs or fill_runs(spec["school_none_zh"], values)
