"""``nianbao standards DATASET``: which school meets which standard (办学标准达标情况).

Table: per standard, the count and share of schools meeting each criterion and all of them,
then one line per school with the criteria it misses. CSV: one row per school and criterion
(``--summary``: one row per criterion). JSON: both.
"""

from __future__ import annotations

import argparse

from nianbao.app.errors import CatalogueError, FindingsError, UseCaseError
from nianbao.app.standards import (
    CSV_COLUMNS,
    SUMMARY_COLUMNS,
    criterion_rows,
    detail_rows,
    school_rows,
    standards_table,
    summary_rows,
)
from nianbao.cli import common, tabular

FORMATS = ("table", "csv", "json")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("dataset", help="数据集文件夹（含 orgs.csv 与学校数据） / dataset folder")
    parser.add_argument("--standard", metavar="ID",
                        help="只看一项标准，如 setting_2010、conditions_2022 / only this standard")
    parser.add_argument("--period", type=int, metavar="YEAR", help="年份（默认为报告年度） / year")
    parser.add_argument("--format", choices=FORMATS, default="table", help="输出格式 / output format")
    parser.add_argument("--summary", action="store_true", help="只输出汇总（各指标达标学校数与比例） / summary only")
    parser.add_argument("-o", "--output", metavar="FILE", help="写入文件；默认输出到屏幕 / write to FILE")


def _fail(message: str, hint: str = "") -> int:
    return common.fail("standards", message, hint)


def table_text(table, summary_only: bool) -> str:
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


def run(args) -> int:
    dataset, failed = common.load("standards", args.dataset)
    if failed:
        return failed
    try:
        table = standards_table(dataset, args.standard, args.period)
    except FindingsError as exc:
        return common.unreadable("standards", exc.findings)
    except CatalogueError as exc:
        return _fail(f"目录有误 / catalogue error：{exc}")
    except UseCaseError as exc:
        return common.fail_use("standards", exc)
    if args.format == "json":
        text = tabular.to_json(table.to_dict(summary_only=args.summary))
    elif args.format == "csv":
        text = (tabular.to_csv(summary_rows(table.summaries), SUMMARY_COLUMNS) if args.summary
                else tabular.to_csv(detail_rows(table.results), CSV_COLUMNS))
    else:
        text = table_text(table, args.summary)
    return common.emit("standards", text, args.output, f"{len(table.results)} 校次 / school results")
