"""The use case "达标 plan" (达标计划): per school and criterion of a standard, the gap and what
closes it (nianbao.compute.plan), with sums by county and for the dataset's unit, the deadlines'
required shares of schools, as rows for a screen, CSV, JSON and an Excel workbook (one sheet a
criterion, one row a school, then the sums by county and for the unit).

Text cells of CSV and Excel are written inert (nianbao.core.exports): a school's name never runs
as a formula in a spreadsheet.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from nianbao.app.errors import UseCaseError
from nianbao.compute.plan import (
    SCENARIOS,
    Plan,
    PlanError,
    PlanTotals,
    by_county,
    make_plan,
    money_decimals,
    shown,
    shown_value,
    target_status,
    totals,
)
from nianbao.compute.standards import limit_text, load_standards
from nianbao.core import exports, outfiles
from nianbao.core.formatting import kept_decimals, number_text

# column key → (zh, en)
COLUMNS = {
    "org_unit": ("学校标识码", "school code"), "school": ("学校", "school"), "county": ("县区", "county"),
    "criterion": ("指标代码", "criterion code"), "criterion_zh": ("指标", "criterion"),
    "limit": ("标准", "threshold"), "value": ("现值", "value"), "gap": ("差距", "gap"),
    "status": ("结论", "status"), "resource": ("所需资源", "resource"), "quantity": ("数量", "quantity"),
    "unit": ("单位", "unit"), "money": ("资金（万元）", "money (10k yuan)"), "options": ("可选办法", "options"),
    "short": ("未达标学校", "schools short"), "no_data": ("无数据学校", "schools without data"),
    "unit_zh": ("单位", "unit"), "schools": ("学校数", "schools"),
}
CSV_COLUMNS = ["standard", "scenario", "target_year", "org_unit", "school", "county", "criterion", "criterion_zh",
               "op", "threshold", "value", "gap", "status", "resource", "quantity", "unit", "money_yuan",
               "options"]
SUMMARY_COLUMNS = ["standard", "scenario", "target_year", "level", "org_unit", "unit_name", "kind", "code", "name",
                   "short", "no_data", "resource", "quantity", "unit", "money_yuan", "options"]


@dataclass
class PlanTable:
    plan: Plan
    total: PlanTotals  # the dataset's unit
    counties: list[PlanTotals]
    targets: list[dict]

    def to_dict(self, summary_only: bool = False) -> dict:
        """``summary_only``: the sums by criterion and resource for the unit and each county, no
        school rows."""
        p = self.plan
        out = {"standard": p.standard, "scenario": p.scenario, "period": p.period, "target_year": p.target_year,
               "assumption": p.assumption_zh, "notes": p.notes_zh, "costs": p.costs, "targets": self.targets}
        if summary_only:
            return {**out, "summary": summary_rows(self, "en")}
        return {**out, "schools": school_rows(self, "en"), "totals": total_rows(self, "en")}


def plan_table(dataset, standard: str | None = None, scenario: str = "reported",
               target_year: int | None = None, period: int | None = None, engine: str | None = None,
               url: str | None = None) -> PlanTable:
    """The plan of the dataset's schools against ``standard`` (default: plan.yaml's
    default_standard), their figures computed by ``engine``. Raises UseCaseError without a
    registry, for an unknown standard or scenario, or when plan.yaml cannot be used."""
    if dataset.orgs is None:
        raise UseCaseError("数据集没有机构表 orgs.csv，无法逐校编制达标计划", "no orgs.csv: no schools to plan for",
                           "在数据集文件夹中提供 orgs.csv 与各校数据")
    stds = load_standards(dataset)
    if standard and standard not in stds:
        raise UseCaseError(f"没有标准“{standard}”", f"unknown standard '{standard}'", f"可用：{', '.join(stds)}")
    if scenario not in SCENARIOS:
        raise UseCaseError(f"没有情景“{scenario}”", f"unknown scenario '{scenario}'", f"可用：{', '.join(SCENARIOS)}")
    year = period or dataset.report_year
    if target_year is not None and target_year < year:
        raise UseCaseError(f"目标年度 {target_year} 早于数据年度 {year}", f"target year {target_year} is before {year}",
                           "目标年度应不早于报告年度")
    try:
        plan = make_plan(dataset, standard, scenario, target_year, period=period, engine=engine, url=url)
    except PlanError as exc:
        raise UseCaseError(str(exc), str(exc), "改正目录或数据集 catalogue/plan.yaml") from None
    return PlanTable(plan, totals(plan, dataset.org_unit.code, dataset.org_unit.zh), by_county(plan, dataset),
                     target_status(plan))


def _num(x, decimals=2) -> str:
    return "" if x is None else number_text(x, decimals)


def _money(wan: float | None) -> str:
    """万元 with two decimals, more where a yuan would be lost."""
    return "" if wan is None else number_text(wan, money_decimals(wan))


def _fact_text(fact) -> str:
    return "" if fact is None else number_text(fact.value, fact.decimals)


def _label(key: str, lang: str) -> str:
    return COLUMNS[key][0 if lang == "zh" else 1]


def need_row(plan: Plan, s, n, lang: str = "zh") -> dict:
    """One school against one criterion, as printed."""
    r = plan.resources.get(n.resource) or {}
    zh = lang == "zh"
    cost = plan.cost(n.resource) if n.resource else None
    status = n.status_zh if zh else n.status.replace("_", " ")
    no_data = "无数据" if zh else "no data"
    unit = n.unit_zh if zh else {"人": "", "平方米": " m²", "万元": " 10k yuan", "元": " yuan", "册": ""}.get(
        n.unit_zh, n.unit_zh)
    return {
        "standard": plan.standard, "scenario": plan.scenario, "target_year": plan.target_year,
        "org_unit": s.org_unit, "school": s.zh if zh else s.en, "county": s.county_zh if zh else s.county,
        "criterion": n.criterion, "criterion_zh": n.zh if zh else n.en, "op": n.op, "threshold": n.threshold,
        "limit": limit_text(n.op, n.threshold, n.unit_zh if zh else unit.strip()),
        "value": no_data if n.value is None else _num(n.value, n.decimals),
        "gap": no_data if n.gap is None else _num(n.gap, n.decimals),
        "value_raw": n.value, "gap_raw": n.gap, "status": status,
        "resource": (r.get("zh") if zh else r.get("en")) or "", "unit": row_unit(plan, n.resource, lang),
        "unit_counted": (r.get("unit_zh") if zh else r.get("unit_en")) or "",
        "quantity": (no_data if n.status == "no_data" and n.resource else "") if n.quantity is None
        else _num(*shown_value(n.quantity, r)),
        "quantity_raw": n.quantity, "quantity_shown": None if n.quantity is None else shown_value(n.quantity, r)[0],
        "money": "" if cost is None or n.quantity is None else _money(n.quantity * cost / 10000),
        "money_yuan": None if cost is None or n.quantity is None else n.quantity * cost,
        "options": n.options_zh if zh else n.options_en,
    }


def school_rows(table: PlanTable, lang: str = "zh", gaps_only: bool = False) -> list[dict]:
    """One row per school and criterion (``gaps_only``: those short, without data or needing a
    resource), schools the standard does not apply to as one row each."""
    out = []
    for s in table.plan.schools:
        if not s.applicable:
            out.append({"org_unit": s.org_unit, "school": s.zh if lang == "zh" else s.en, "county": s.county_zh,
                        "criterion_zh": "", "status": ("不适用：" if lang == "zh" else "not applicable: ") + s.reason_zh})
            continue
        for n in s.needs:
            if gaps_only and n.status == "met":
                continue
            out.append(need_row(table.plan, s, n, lang))
    return out


def _total_row(t, what, lang, plan: Plan) -> dict:
    zh = lang == "zh"
    r = plan.resources.get(t.resource) or {}
    return {"county": t.zh, "criterion_zh": what, "short": int(t.short.value), "no_data": int(t.no_data.value),
            "resource": (r.get("zh") if zh else r.get("en")) or "",
            "quantity": _fact_text(t.quantity), "unit": row_unit(plan, t.resource, lang),
            "money": _fact_text(t.money),
            "options": t.options_zh if t.quantity is None else ""}


def total_rows(table: PlanTable, lang: str = "zh", unit: PlanTotals | None = None) -> list[dict]:
    """The sums of a unit (default the dataset's): one row per criterion, then one per resource
    (each resource counted once over the criteria it closes)."""
    unit = unit or table.total
    plan = table.plan
    names = {c["id"]: (c["zh"] if lang == "zh" else c.get("en", c["id"])) for c in plan.criteria}
    rows = [dict(_total_row(t, names.get(t.what, t.zh), lang, plan), county=unit.zh) for t in unit.criteria]
    every = "合计：" if lang == "zh" else "total: "
    rows += [dict(_total_row(t, every + (t.zh if lang == "zh" else plan.resources[t.what].get("en", t.what)), lang,
                             plan), county=unit.zh) for t in unit.resources]
    return rows


def county_rows(table: PlanTable, lang: str = "zh") -> list[dict]:
    """Per county, one row per resource: schools needing it and the quantity (and money)."""
    out = []
    for unit in table.counties + [table.total]:
        for t in unit.resources:
            r = table.plan.resources[t.what]
            out.append(dict(_total_row(t, r.get("zh") if lang == "zh" else r.get("en", t.what), lang, table.plan),
                            county=unit.zh))
    return out


def summary_rows(table: PlanTable, lang: str = "zh") -> list[dict]:
    """The sums only, for a bureau's summary: per county and then for the unit, one row per
    criterion (schools short, without data, the quantity of the resource closing it) and one per
    resource (counted once over its criteria). Quantities in the unit counted (元 of equipment)
    and money in 元, as numbers."""
    p = table.plan
    zh = lang == "zh"
    names = {c["id"]: (c["zh"] if zh else c.get("en", c["id"])) for c in p.criteria}
    out = []
    for level, unit in [("county", c) for c in table.counties] + [("unit", table.total)]:
        for kind, items in (("criterion", unit.criteria), ("resource", unit.resources)):
            for t in items:
                r = p.resources.get(t.resource) or {}
                cost = p.cost(t.resource) if t.resource else None
                out.append(inert_row({
                    "standard": p.standard, "scenario": p.scenario, "target_year": p.target_year, "level": level,
                    "org_unit": unit.org_unit, "unit_name": unit.zh, "kind": kind, "code": t.what,
                    "name": names.get(t.what, t.zh) if kind == "criterion" else (r.get("zh") if zh else r.get("en")),
                    "short": int(t.short.value), "no_data": int(t.no_data.value),
                    "resource": (r.get("zh") if zh else r.get("en")) or "", "quantity": t.counted,
                    "unit": (r.get("unit_zh") if zh else r.get("unit_en")) or "",
                    "money_yuan": None if cost is None or t.counted is None else t.counted * cost,
                    "options": (t.options_zh if zh else "") if t.quantity is None else ""}))
    return out


def inert_row(row: dict) -> dict:
    return {k: exports.csv_field(v) for k, v in row.items()}


def has_money(table: PlanTable) -> bool:
    return any(table.plan.has_money(r) for r in table.plan.resources)


def target_lines(table: PlanTable, lang: str = "zh") -> list[str]:
    out = []
    for t in table.targets:
        if lang == "zh":
            out.append(f"{t['year']}年底达标学校不低于{number_text(t['share'], 0)}%：参评{t['assessed']}所中须有"
                       f"{t['required']}所各项全部达标，现有{t['met']}所，还需{t['more']}所")
        else:
            out.append(f"by end {t['year']} at least {t['share']:g}% of schools: {t['required']} of {t['assessed']} "
                       f"assessed must meet every criterion; {t['met']} do, {t['more']} more needed")
    return out


def csv_rows(table: PlanTable, lang: str = "zh") -> list[dict]:
    rows = []
    for r in school_rows(table, lang):
        rows.append({k: exports.csv_field(v) for k, v in {
            **r, "value": r.get("value_raw", r.get("value")), "gap": r.get("gap_raw", r.get("gap")),
            "quantity": r.get("quantity_raw"), "unit": r.get("unit_counted", r.get("unit")),
            "money_yuan": r.get("money_yuan")}.items()})
    return rows


def write_xlsx(table: PlanTable, path: str | Path, lang: str = "zh", summary_only: bool = False) -> None:
    """A sheet of the totals, one sheet per criterion (one row per school, then sums by county
    and for the unit) and one of the notes; ``summary_only``: the totals and the notes."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    plan = table.plan
    money = has_money(table)
    wb = Workbook()
    ws = wb.active
    ws.title = "汇总" if lang == "zh" else "totals"
    cols = ["county", "criterion_zh", "short", "no_data", "resource", "quantity", "unit"] + (["money"] if money else [])
    cols += ["options"]
    exports.append(ws, [_label(c, lang) for c in cols])
    for r in total_rows(table, lang) + county_rows(table, lang):
        exports.append(ws, [_cell_value(r.get(c)) for c in cols])
        _formats(ws, cols)
    school_cols = ["org_unit", "school", "county", "limit", "value", "gap", "status", "resource", "quantity", "unit"]
    school_cols += (["money"] if money else []) + ["options"]
    used_titles = {ws.title}
    for c in [] if summary_only else plan.criteria:
        title = (c["zh"] if lang == "zh" else c["id"])[:31]
        while title in used_titles:
            title = title[:28] + str(len(used_titles))
        used_titles.add(title)
        sheet = wb.create_sheet(title)
        exports.append(sheet, [_label(k, lang) for k in school_cols])
        for s in plan.schools:
            n = s.need(c["id"]) if s.applicable else None
            if n is None:
                continue
            row = need_row(plan, s, n, lang)
            row["value"] = "无数据" if n.value is None and lang == "zh" else (n.value if n.value is not None else "no data")
            row["gap"] = row["value"] if n.gap is None else n.gap
            row["quantity"] = row["quantity_shown"] if n.quantity is not None else row["quantity"]
            row["money"] = None if row["money_yuan"] is None else row["money_yuan"] / 10000
            exports.append(sheet, [row.get(k) for k in school_cols])
            _formats(sheet, school_cols)
        sheet.append([])
        for unit in table.counties + [table.total]:
            t = next(x for x in unit.criteria if x.what == c["id"])
            label = ("合计：" if lang == "zh" else "total: ") + unit.zh
            cells = {k: "" for k in school_cols}
            cells.update(school=label, county=unit.zh,
                         status=(f"未达标{int(t.short.value)}所，无数据{int(t.no_data.value)}所" if lang == "zh"
                                 else f"{int(t.short.value)} short, {int(t.no_data.value)} without data"),
                         quantity=None if t.quantity is None else t.quantity.value,
                         money=None if t.money is None else t.money.value, unit=row_unit(plan, t.resource, lang),
                         options=t.options_zh if t.quantity is None else "")
            exports.append(sheet, [cells.get(k) for k in school_cols])
            _formats(sheet, school_cols)
            for cell in sheet[sheet.max_row]:
                cell.font = Font(bold=True)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
    notes = wb.create_sheet("说明" if lang == "zh" else "notes")
    for line in (plan.notes_zh if lang == "zh" else plan.notes_en) + target_lines(table, lang):
        exports.append(notes, [line])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    outfiles.replace_file(path, lambda tmp: wb.save(str(tmp)))


def row_unit(plan: Plan, resource: str, lang: str) -> str:
    """The unit a resource is printed in (万元 for equipment counted in 元)."""
    if resource not in plan.resources:
        return ""
    _, unit_zh, unit_en, _ = shown(plan.resources[resource])
    return unit_zh if lang == "zh" else unit_en


def _formats(sheet, cols: list[str]) -> None:
    """The number format of the last row's quantity and money cells: whole numbers as such,
    万元 with two decimals and as many more as a yuan needs (430.81, 0.2512)."""
    for key in ("quantity", "money"):
        if key not in cols:
            continue
        cell = sheet.cell(row=sheet.max_row, column=cols.index(key) + 1)
        if isinstance(cell.value, (int, float)) and not isinstance(cell.value, bool):
            d = money_decimals(cell.value) if key == "money" else kept_decimals(cell.value, 0)
            cell.number_format = "0" if d == 0 else "0." + "0" * d


def _cell_value(v):
    """A printed number back to a number for a spreadsheet cell (1,234 → 1234)."""
    if isinstance(v, str):
        t = v.replace(",", "")
        try:
            return float(t) if "." in t else int(t)
        except ValueError:
            return v
    return v


# -- the portal's city dashboard ---------------------------------------------------------------

BOARD_WORDS = {
    "title": ("达标计划（各校补足差距所需资源）", "Plan to meet the standard (what the schools need)"),
    "resource": ("所需资源", "resource"), "needing": ("需补充的学校", "schools needing it"),
    "no_data": ("无数据学校", "schools without data"), "quantity": ("数量", "quantity"),
    "money": ("资金（万元）", "money (10k yuan)"), "county": ("县区", "county"),
    "not_closable": ("非资源投入可解决", "no resource closes it"),
    "none": ("没有可编制达标计划的学校", "no school to plan for"),
}


def board(dataset, period: int | None = None, lang: str = "zh") -> dict:
    """The plan's sums for a dashboard, as printed texts in ``lang``: per resource of the
    dataset's unit the schools needing it, those without data, the quantity and (with unit costs)
    the money; the same quantities per county; the criteria no resource closes; the deadlines.
    ``{"error": …}`` when there is no plan (no registry, no school the standard applies to, a
    plan.yaml that cannot be used)."""
    i = 0 if lang == "zh" else 1
    words = {k: v[i] for k, v in BOARD_WORDS.items()}
    try:
        table = plan_table(dataset, period=period)
    except UseCaseError as exc:
        return {"error": exc.zh if lang == "zh" else exc.en, "words": words}
    plan = table.plan
    if not plan.applicable:
        return {"error": words["none"], "words": words}
    money = has_money(table)

    def name(spec: dict, key: str) -> str:
        return (spec.get("zh") if lang == "zh" else spec.get("en")) or key

    rows = []
    for t in table.total.resources:
        rows.append({"resource": name(plan.resources[t.what], t.what), "needing": int(t.short.value),
                     "no_data": int(t.no_data.value), "quantity": _fact_text(t.quantity),
                     "unit": row_unit(plan, t.what, lang), "money": _fact_text(t.money)})
    closable = [{"criterion": (c.zh if lang == "zh" else next((x.get("en", x["id"]) for x in plan.criteria
                                                                if x["id"] == c.what), c.what)),
                 "short": int(c.short.value), "options": c.options_zh if lang == "zh" else ""}
                for c in table.total.criteria if c.quantity is None and c.short.value > 0]
    heads = [name(plan.resources[r], r) + f"（{row_unit(plan, r, lang)}）" for r in plan.resources]
    counties = [{"code": u.org_unit, "name": u.zh, "cells": [_fact_text(t.quantity) for t in u.resources]}
                for u in table.counties]
    std = plan.std
    return {"standard": std["zh"] if lang == "zh" else std.get("en", plan.standard), "period": plan.period,
            "target_year": plan.target_year, "assumption": plan.assumption_zh if lang == "zh" else plan.assumption_en,
            "money": money, "rows": rows, "not_closable": closable, "county_heads": heads, "counties": counties,
            "targets": target_lines(table, lang), "schools": len(plan.applicable), "words": words}
