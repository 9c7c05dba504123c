"""``nianbao check DATASET``: every finding about a dataset, as a table, JSON, CSV or Excel.

Exit code 0 when there is no error (warnings allowed), 1 when there are errors (errors about a
published report's figures included), 2 when the input cannot be read at all.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from nianbao.cli import common

FORMATS = ("table", "json", "csv", "xlsx")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("dataset", help="数据集文件夹（含 dataset.yaml） / dataset folder")
    parser.add_argument("--format", choices=FORMATS, default="table",
                        help="输出格式：table（默认，可读表格）、json、csv、xlsx / output format")
    parser.add_argument("-o", "--output", metavar="FILE",
                        help="写入文件（xlsx 格式必须指定）；默认输出到屏幕 / write to FILE (required for xlsx)")
    parser.add_argument("--lang", choices=("zh", "en"), default="zh",
                        help="表格语言：zh（默认）或 en / language of the table")
    parser.add_argument("--rules-only", action="store_true",
                        help="只按规则检查数据，不核对报告提纲所需的数据是否齐全 / "
                             "check the rules only, not whether the report's outline has all its figures")


def _fail(message: str, hint: str = "") -> int:
    return common.fail("check", message, hint)


def run(args) -> int:
    from nianbao.app.checking import check
    from nianbao.catalogue import CatalogueError
    from nianbao.check import output
    from nianbao.check.rules import RuleError
    from nianbao.core.findings import FindingsError
    from nianbao.ingest.dataset import load_dataset

    if args.format == "xlsx" and not args.output:
        return _fail("xlsx 格式需要用 -o 指定输出文件 / --format xlsx needs -o FILE",
                     "例如 nianbao check DATASET --format xlsx -o findings.xlsx")
    try:
        dataset = load_dataset(args.dataset)
        findings = check(dataset, outline=not args.rules_only)
    except FindingsError as exc:
        return common.unreadable("check", exc.findings)
    except (CatalogueError, RuleError) as exc:
        return _fail(f"目录有误 / catalogue error：{exc}", "检查目录文件（catalogue/<版本>/*.yaml）")

    try:
        if args.format == "xlsx":
            output.write_xlsx(findings, Path(args.output), args.lang)
            print(output.summary_line(findings, args.lang) + f" → {args.output}")
        else:
            text = {"table": lambda: output.to_table(findings, dataset, args.lang),
                    "json": lambda: output.to_json(findings, dataset),
                    "csv": lambda: output.to_csv(findings)}[args.format]()
            if args.output:
                Path(args.output).write_text(text, encoding="utf-8")
                print(output.summary_line(findings, args.lang) + f" → {args.output}")
            else:
                sys.stdout.write(text)
    except OSError as exc:
        return _fail(f"无法写入 {args.output}：{exc.strerror or exc}", "检查输出路径是否存在、是否有写权限")
    return 1 if any(f.severity == "error" for f in findings) else 0
