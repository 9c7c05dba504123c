"""``nianbao standards DATASET``: which school meets which standard (办学标准达标情况).

Table: per standard, the count and share of schools meeting each criterion and all of them,
then one line per school with the criteria it misses. CSV: one row per school and criterion
(``--summary``: one row per criterion). JSON: both.

``--plan``: the 达标 plan (nianbao.app.plan) — per school and criterion the gap and what closes
it, the sums by resource and county and the deadlines; CSV one row per school and criterion;
``-o FILE.xlsx`` an Excel workbook, one sheet per criterion. With ``--summary`` the sums only:
by criterion and resource for the unit and each county (table, CSV one row a unit and
criterion or resource, JSON, a workbook of the totals sheet).
"""

from __future__ import annotations

import argparse

from nianbao.cli import common, tabular

FORMATS = ("table", "csv", "json")
SCENARIOS = ("reported", "projected")  # nianbao.app.plan.SCENARIOS (not imported for --help)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("dataset", help="数据集文件夹（含 orgs.csv 与学校数据） / dataset folder")
    parser.add_argument("--standard", metavar="ID",
                        help="只看一项标准，如 setting_2010、conditions_2022 / only this standard")
    parser.add_argument("--period", type=int, metavar="YEAR", help="年份（默认为报告年度） / year")
    parser.add_argument("--format", choices=FORMATS, default="table", help="输出格式 / output format")
    parser.add_argument("--summary", action="store_true", help="只输出汇总（各指标达标学校数与比例） / summary only")
    parser.add_argument("-o", "--output", metavar="FILE",
                        help="写入文件（.xlsx 写为 Excel 工作簿：列同 CSV，--plan 时为计划表）；默认输出到屏幕 / "
                             "write to FILE (.xlsx: an Excel workbook, the columns of the CSV, or the plan's)")
    parser.add_argument("--plan", action="store_true",
                        help="达标计划：各校各项差距及补足所需的教师、校舍、设备、图书等 / the plan: each school's gaps and what closes them")
    parser.add_argument("--scenario", choices=SCENARIOS, default="reported",
                        help="在校生情景：reported 按报告年度，projected 按招生与毕业推算至目标年度 / enrolment scenario")
    parser.add_argument("--target-year", type=int, metavar="YEAR",
                        help="目标年度（默认为标准的下一个期限，如2023） / target year (default: the standard's next deadline)")
    parser.add_argument("--all-rows", action="store_true",
                        help="--plan 表格列出每校每项（默认只列有差距或无数据的项） / list every school and criterion")
    parser.add_argument("--lang", choices=("zh", "en"), default="zh", help="--plan 的输出语言 / language of the plan")
    common.add_engine_arguments(parser)


def _fail(message: str, hint: str = "") -> int:
    return common.fail("standards", message, hint)


def table_text(table, summary_only: bool) -> str:
    from nianbao.app.standards import criterion_rows, school_rows
    parts = []
    for s in table.summaries:
        std = table.standards[s.standard]
        parts.append(f"{std['zh']}（{std.get('document', '')}）— {s.period}年，适用学校 {s.schools} 所"
                     + (f"，不适用 {len(s.not_applicable)} 所" if s.not_applicable else ""))
        parts.append(tabular.table(criterion_rows(s), [("zh", "指标"), ("assessed", "有数据学校"), ("met", "达标学校"),
                                                       ("share", "达标比例"), ("no_data", "无数据")]))
        if summary_only:
            continue
        parts.append(tabular.table(school_rows(table, s.standard), [("code", "学校标识码"), ("school", "学校"),
                                                                    ("verdict", "结论"), ("missing", "未达标项（标准）")]))
    return "\n".join(parts)


def plan_text(table, lang: str, all_rows: bool, summary_only: bool = False) -> str:
    from nianbao.app import plan as plan_uc
    p = table.plan
    zh = lang == "zh"
    std = p.std
    money = plan_uc.has_money(table)
    head = (f"{std['zh']}达标计划 — {p.period}年数据，目标{p.target_year}年，{p.assumption_zh}" if zh
            else f"Plan against {std.get('en', p.standard)} — data {p.period}, target {p.target_year}. {p.assumption_en}")
    label = plan_uc.COLUMNS
    i = 0 if zh else 1

    def cols(keys):
        return [(k, label[k][i]) for k in keys if k != "money" or money]
    parts = [head, tabular.table(plan_uc.total_rows(table, lang),
                                 cols(["criterion_zh", "short", "no_data", "resource", "quantity", "unit", "money",
                                       "options"]))]
    parts.append(("按县区" if zh else "By county"))
    parts.append(tabular.table(plan_uc.county_rows(table, lang),
                               cols(["county", "criterion_zh", "short", "no_data", "quantity", "unit", "money"])))
    if not summary_only:  # the sums only: no school rows
        parts.append(tabular.table(plan_uc.school_rows(table, lang, gaps_only=not all_rows),
                                   cols(["org_unit", "school", "criterion_zh", "limit", "value", "gap", "status",
                                         "resource", "quantity", "unit", "money"])))
    parts += plan_uc.target_lines(table, lang)
    parts += ["", "说明：" if zh else "Notes:"] + ["  " + n for n in (p.notes_zh if zh else p.notes_en)]
    return "\n".join(parts) + "\n"


def run_plan(args, dataset) -> int:
    from nianbao.app import plan as plan_uc
    from nianbao.app.errors import CatalogueError, EngineError, FindingsError, UseCaseError
    try:
        table = plan_uc.plan_table(dataset, args.standard, args.scenario, args.target_year, args.period,
                                   args.engine, args.database)
    except EngineError as exc:
        return _fail(str(exc), exc.hint)
    except FindingsError as exc:
        return common.unreadable("standards", exc.findings)
    except CatalogueError as exc:
        return _fail(f"目录有误 / catalogue error：{exc}")
    except UseCaseError as exc:
        return common.fail_use("standards", exc)
    summary = f"{len(table.plan.schools)} 所学校 / schools"
    if args.output and args.output.lower().endswith(".xlsx"):
        try:
            plan_uc.write_xlsx(table, args.output, args.lang, summary_only=args.summary)
        except OSError as exc:
            return _fail(f"无法写入 {args.output}：{exc.strerror or exc}", "检查输出路径是否存在、是否有写权限")
        print(f"{summary} → {args.output}")
        return 0
    if args.format == "json":
        text = tabular.to_json(table.to_dict(summary_only=args.summary))
    elif args.format == "csv":
        text = (tabular.to_csv(plan_uc.summary_rows(table, args.lang), plan_uc.SUMMARY_COLUMNS) if args.summary
                else tabular.to_csv(plan_uc.csv_rows(table, args.lang), plan_uc.CSV_COLUMNS))
    else:
        text = plan_text(table, args.lang, args.all_rows, args.summary)
    return common.emit("standards", text, args.output, summary)


def run(args) -> int:
    from nianbao.app import sheets
    from nianbao.app.errors import CatalogueError, EngineError, FindingsError, UseCaseError
    from nianbao.app.standards import CSV_COLUMNS, SUMMARY_COLUMNS, detail_rows, standards_table, summary_rows
    refused = common.refuse_output("standards", args.output, args.format)
    if refused:
        return refused
    dataset, failed = common.load("standards", args.dataset, args.engine, args.database)
    if failed:
        return failed
    if args.plan:
        return run_plan(args, dataset)
    try:
        table = standards_table(dataset, args.standard, args.period, args.engine, args.database)
    except EngineError as exc:
        return _fail(str(exc), exc.hint)
    except FindingsError as exc:
        return common.unreadable("standards", exc.findings)
    except CatalogueError as exc:
        return _fail(f"目录有误 / catalogue error：{exc}")
    except UseCaseError as exc:
        return common.fail_use("standards", exc)
    if sheets.is_workbook(args.output):
        try:
            if args.summary:
                sheets.write_rows(args.output, "达标汇总", SUMMARY_COLUMNS, summary_rows(table.summaries))
            else:
                sheets.write_rows(args.output, "达标情况", CSV_COLUMNS, detail_rows(table.results))
        except OSError as exc:
            return _fail(f"无法写入 {args.output}：{exc.strerror or exc}", "检查输出路径是否存在、是否有写权限")
        print(f"{len(table.results)} 校次 / school results → {args.output}")
        return 0
    if args.format == "json":
        text = tabular.to_json(table.to_dict(summary_only=args.summary))
    elif args.format == "csv":
        text = (tabular.to_csv(summary_rows(table.summaries), SUMMARY_COLUMNS) if args.summary
                else tabular.to_csv(detail_rows(table.results), CSV_COLUMNS))
    else:
        text = table_text(table, args.summary)
    return common.emit("standards", text, args.output, f"{len(table.results)} 校次 / school results")
