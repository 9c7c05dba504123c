"""``nianbao indicators DATASET``: indicators of every unit of a level, optionally by breakdown,
computed by the engine named (``--engine``) or the dataset's (``engine:`` in dataset.yaml).

The table is made by ``nianbao.app.indicators``; this module only reads the options and prints.
"""

from __future__ import annotations

import argparse

from nianbao.cli import common

LEVELS = ("school", "county", "city", "province")
BREAKDOWNS = ("affiliation", "ownership", "school_type", "county", "major_category")
FORMATS = ("table", "csv", "json")

# short names accepted on the command line beside the catalogue's dimension codes
BREAKDOWN_ALIASES = {"type": "school_type", "school-type": "school_type", "major-category": "major_category",
                     "major": "major_category"}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("dataset", help="数据集文件夹（含 dataset.yaml、orgs.csv） / dataset folder")
    parser.add_argument("--level", choices=LEVELS,
                        help="层级：school、county、city、province（默认为数据集本级） / level of the units")
    parser.add_argument("--by", type=_breakdown, choices=BREAKDOWNS,
                        help="分组：隶属 affiliation、办学性质 ownership、学校类别 school_type、县区 county、"
                             "专业大类 major_category / breakdown")
    parser.add_argument("--indicators", metavar="A,B",
                        help="只列这些指标或数据元素（逗号分隔，可写 students[affiliation=municipal]） / only these")
    parser.add_argument("--period", type=int, metavar="YEAR", help="年份（默认为报告年度） / year")
    common.add_engine_arguments(parser)
    parser.add_argument("--scope", metavar="SCOPE",
                        help="只列该口径的数字（各项数据都取该口径），如 all（全口径）、excl_technical（不含技工学校）、"
                             "unstated（口径未注明）；默认按各指标的口径 / only the figures of this scope")
    parser.add_argument("--publish", action="store_true",
                        help="公开版：由个案数据计数、小于阈值的数字及可据以推算的数字以 * 代替（小数抑制，含二次抑制） / "
                             "for publication: small counts from records, and figures that would give them away, "
                             "suppressed")
    parser.add_argument("--format", choices=FORMATS, default="table", help="输出格式 / output format")
    parser.add_argument("-o", "--output", metavar="FILE",
                        help="写入文件（.xlsx 写为 Excel 工作簿，列同 CSV）；默认输出到屏幕 / write to FILE "
                             "(.xlsx: an Excel workbook, the columns of the CSV)")


def threshold(dataset) -> int:
    from nianbao.app.indicators import suppression_threshold

    return suppression_threshold(dataset)


def _breakdown(text: str) -> str:
    return BREAKDOWN_ALIASES.get(text, text)


def run(args) -> int:
    from nianbao.app import sheets
    from nianbao.app.errors import EngineError
    from nianbao.app.indicators import COLUMNS, IndicatorsError, Request, indicator_rows
    from nianbao.cli import tabular

    refused = common.refuse_output("indicators", args.output, args.format)
    if refused:
        return refused
    dataset, failed = common.load("indicators", args.dataset, args.engine, args.database)
    if failed:
        return failed
    request = Request(level=args.level, by=args.by, indicators=args.indicators, period=args.period,
                      engine=args.engine, url=args.database, scope=args.scope, publish=args.publish,
                      members=args.format != "table" or sheets.is_workbook(args.output))
    try:
        rows = indicator_rows(dataset, request)
    except IndicatorsError as exc:
        return common.fail("indicators", exc.message, exc.hint)
    except EngineError as exc:
        return common.fail("indicators", str(exc), exc.hint)
    period = args.period or dataset.report_year
    columns = COLUMNS + ["suppressed"] if args.publish else COLUMNS
    if sheets.is_workbook(args.output):
        try:
            sheets.write_rows(args.output, f"指标 {period}", columns, rows)
        except OSError as exc:
            return common.fail("indicators", f"无法写入 {args.output}：{exc.strerror or exc}",
                               "检查输出路径是否存在、是否有写权限")
        print(f"{len(rows)} 行 / rows → {args.output}")
        return 0
    if args.format == "json":
        text = tabular.to_json([{k: row[k] for k in columns} for row in rows])
    elif args.format == "csv":
        text = tabular.to_csv(rows, columns)
    else:
        cols = [("org_zh", "单位"), ("category_zh", "分组"), ("name_zh", "指标"), ("text", "数值"),
                ("scope_zh", "口径"), ("ratio", "分子 / 分母"), ("schools", "学校数")]
        if not args.by:
            cols = [c for c in cols if c[0] != "category_zh"]
        text = tabular.table(rows, cols) + f"共 {len(rows)} 行；{period}年 / {len(rows)} rows\n"
        hidden = sum(1 for r in rows if r.get("suppressed"))
        if args.publish:
            text += (f"* 不予公开 {hidden} 项：由个案数据计数、小于 {threshold(dataset)} 的数字，以及可由合计或比率"
                     f"推算出这些数字的其他数字 / {hidden} figures suppressed (small counts and the figures "
                     f"that would give them away)\n")
    return common.emit("indicators", text, args.output, f"{len(rows)} 行 / rows")
