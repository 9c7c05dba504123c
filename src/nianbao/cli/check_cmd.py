"""``nianbao check DATASET``: every finding about a dataset, as a table, JSON, CSV or Excel.

Exit code 0 when there is no error (warnings allowed), 1 when there are errors (errors about a
published report's figures included), 2 when the input cannot be read at all.
"""

from __future__ import annotations

import argparse
import sys

from nianbao.cli import common
from nianbao.core.findings import FindingsError

FORMATS = ("table", "json", "csv", "xlsx")  # nianbao.app.checking.FORMATS (not imported for --help)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("dataset", help="数据集文件夹（含 dataset.yaml） / dataset folder")
    parser.add_argument("--format", choices=FORMATS, default="table",
                        help="输出格式：table（默认，可读表格）、json、csv、xlsx / output format")
    parser.add_argument("-o", "--output", metavar="FILE",
                        help="写入文件（xlsx 格式必须指定）；默认输出到屏幕 / write to FILE (required for xlsx)")
    parser.add_argument("--lang", choices=("zh", "en"), default="zh",
                        help="表格语言：zh（默认）或 en / language of the table")
    parser.add_argument("--engine", choices=("python", "duckdb", "sqlite", "postgres", "spark"),
                        help="数据规则的计算引擎（默认取 dataset.yaml 的 engine，否则 duckdb；python 为参照实现） / "
                             "engine the data rules run on")
    common.add_database_argument(parser)
    parser.add_argument("--rules-only", action="store_true",
                        help="只按规则检查数据，不核对报告提纲所需的数据是否齐全 / "
                             "check the rules only, not whether the report's outline has all its figures")


def _fail(message: str, hint: str = "") -> int:
    return common.fail("check", message, hint)


def run(args) -> int:
    from nianbao.app.checking import check, findings_text, has_errors, summary_line, write_findings
    from nianbao.app.datasets import open_dataset
    from nianbao.app.errors import CatalogueError, RuleError
    if args.format == "xlsx" and not args.output:
        return _fail("xlsx 格式需要用 -o 指定输出文件 / --format xlsx needs -o FILE",
                     "例如 nianbao check DATASET --format xlsx -o findings.xlsx")
    if args.format == "table" and args.output and args.output.lower().endswith(".xlsx"):
        args.format = "xlsx"  # an output named .xlsx is a workbook, not the text table
    refused = None if args.format == "xlsx" else common.refuse_output("check", args.output, args.format)
    if refused:
        return refused
    try:
        dataset = open_dataset(args.dataset, args.engine, args.database)  # the records counted there too
        findings = check(dataset, outline=not args.rules_only, engine=args.engine, url=args.database)
    except FindingsError as exc:
        return common.unreadable("check", exc.findings)
    except (CatalogueError, RuleError) as exc:
        return _fail(f"目录有误 / catalogue error：{exc}", "检查目录文件（catalogue/<版本>/*.yaml）")

    try:
        if args.output:
            write_findings(findings, args.output, dataset, args.format, args.lang)
            print(summary_line(findings, args.lang) + f" → {args.output}")
        else:
            sys.stdout.write(findings_text(findings, dataset, args.format, args.lang))
    except OSError as exc:
        return _fail(f"无法写入 {args.output}：{exc.strerror or exc}", "检查输出路径是否存在、是否有写权限")
    return 1 if has_errors(findings) else 0
