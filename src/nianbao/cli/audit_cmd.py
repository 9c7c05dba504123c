"""``nianbao audit REPORT|FOLDER``: read published reports and list their contradictions.

Exit code 0 when no report has an error (warnings allowed), 1 when one has, 2 when the input
cannot be read at all (for a folder: when no file in it could be read).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from nianbao.cli import common
from nianbao.core import outfiles

FORMATS = ("table", "json", "csv", "xlsx")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("reports", nargs="+", metavar="REPORT",
                        help="报告文件（.docx、.pdf、.html、.txt）或文件夹 / report files or folders")
    parser.add_argument("--format", choices=FORMATS, default="table",
                        help="输出格式：table（默认）、json、csv、xlsx / output format")
    parser.add_argument("-o", "--output", metavar="FILE",
                        help="写入文件（xlsx 与 --annotate 必须指定） / write to FILE (needed for xlsx and --annotate)")
    parser.add_argument("--lang", choices=("zh", "en"), default="zh", help="表格语言 / language of the table")
    parser.add_argument("--dataset", metavar="DIR",
                        help="同时与数据集核对（如 nianbao check 核对 claims.csv） / also check against a dataset")
    parser.add_argument("--annotate", action="store_true",
                        help="写出标注版：.docx 加批注，或 .html 标出数字（用 -o 指定） / "
                             "write the report back marked: Word comments (.docx) or an HTML copy (-o FILE)")
    parser.add_argument("--claims-out", metavar="FILE",
                        help="把读出的数字写成 claims.csv 格式 / write the figures read in the claims.csv format")
    parser.add_argument("--no-progress", action="store_true", help="不显示进度条 / no progress bar")


def _progress(done: int, total: int, path: Path) -> None:
    width = 30
    filled = int(width * done / total) if total else width
    sys.stderr.write(f"\r审核 / auditing [{'#' * filled}{'.' * (width - filled)}] {done}/{total} {path.name[:30]:<30}")
    if done == total:
        sys.stderr.write("\n")
    sys.stderr.flush()


def _fail(message: str, hint: str = "") -> int:
    return common.fail("audit", message, hint)


def run(args) -> int:
    from nianbao.app.audit import annotate, audit_paths, report_files
    from nianbao.audit import output
    from nianbao.core.findings import FindingsError

    if args.format == "xlsx" and not args.output:
        return _fail("xlsx 格式需要用 -o 指定输出文件 / --format xlsx needs -o FILE", "例如 --format xlsx -o 审核结果.xlsx")
    if args.annotate and not args.output:
        return _fail("--annotate 需要用 -o 指定标注版文件 / --annotate needs -o FILE", "例如 --annotate -o 批注版.docx")
    dataset = None
    if args.dataset:
        dataset, code = common.load("audit", args.dataset)
        if dataset is None:
            return code
    paths = [Path(p) for p in args.reports]
    missing = [p for p in paths if not p.exists()]
    if missing:
        return _fail(f"找不到 {missing[0]} / not found: {missing[0]}", "检查文件或文件夹路径")
    folder = any(p.is_dir() for p in paths)
    total = sum(len(report_files(p)) if p.is_dir() else 1 for p in paths)
    if folder and total == 0:
        return _fail("文件夹中没有报告文件（.docx、.pdf、.html、.txt） / no report files in the folder")
    show = (folder or total > 1) and not args.no_progress and sys.stderr.isatty()
    results = audit_paths(paths, dataset, progress=_progress if show else None)
    for r in results:
        if r.unreadable:
            print(f"nianbao audit：{r.path}：{r.unreadable.message_zh}（{r.unreadable.hint}）", file=sys.stderr)
    if all(r.unreadable for r in results):
        return 2
    try:
        if args.annotate:
            good = [r for r in results if not r.unreadable]
            if len(good) != 1:
                return _fail("--annotate 一次只能标注一份报告 / --annotate takes one report")
            try:
                n = annotate(good[0], Path(args.output))
            except FindingsError as exc:
                f = exc.findings[0]
                return _fail(f.message_zh, f.hint)
            print(f"已标注 {n} 处 / {n} marks → {args.output}")
        if args.claims_out:
            outfiles.write_text(args.claims_out, output.claims_csv(results))
            print(f"读出的数字 {sum(len(r.claims) for r in results)} 处 → {args.claims_out}")
        if args.format == "xlsx":
            output.write_xlsx(results, Path(args.output), args.lang)
            print(output.summary_line(results, args.lang) + f" → {args.output}")
        elif not args.annotate:
            text = {"table": lambda: output.to_table(results, args.lang), "json": lambda: output.to_json(results),
                    "csv": lambda: output.to_csv(results)}[args.format]()
            if args.output:
                outfiles.write_text(args.output, text)
                print(output.summary_line(results, args.lang) + f" → {args.output}")
            else:
                sys.stdout.write(text)
        elif args.format != "table":
            sys.stdout.write({"json": output.to_json, "csv": output.to_csv}[args.format](results))
    except OSError as exc:
        return _fail(f"无法写入：{exc.strerror or exc}", "检查输出路径是否存在、是否有写权限")
    return 1 if any(r.errors for r in results) else 0
