"""``nianbao import``: read filled school workbooks, store the good ones, send the others back
(nianbao.app.imports). Exit status: 0 all stored or unchanged, 1 some rejected or held back
because the store already holds that school-year from another workbook (``--replace`` replaces
it), 2 arguments that cannot be used."""

from __future__ import annotations

import sys

from nianbao.cli import common
from nianbao.core.findings import SEVERITY_ZH, Finding

SHOWN = 20  # findings listed per workbook; the annotated copy lists them all


def add_arguments(p) -> None:
    p.add_argument("dataset", help="数据集文件夹（含机构表 orgs.csv） / dataset folder")
    p.add_argument("files", nargs="+", metavar="FILE",
                   help="学校填报的 .xlsx 文件、通配符或文件夹 / filled workbooks, patterns or folders")
    p.add_argument("--year", type=int, help="导入的年度，默认为数据集的报告年度 / year to import (default: the dataset's)")
    p.add_argument("--annotated", metavar="DIR",
                   help="退回文件的批注副本写入此文件夹（默认与原文件同一文件夹） / folder for annotated copies")
    p.add_argument("--replace", action="store_true",
                   help="数据库中已有同一学校同一年度（来自另一份填报表）的数据时予以替换 / "
                        "replace a school-year already stored from another workbook")
    p.add_argument("--jobs", type=int, default=0,
                   help="并行读取的进程数，默认为CPU核数 / parallel readers (default: CPU count)")


def _finding_line(f: Finding) -> str:
    where = "!".join(p for p in (f.location.sheet, f.location.cell) if p)
    hint = f"  建议：{f.hint}" if f.hint else ""
    return f"      [{SEVERITY_ZH[f.severity]}] {where + ' ' if where else ''}{f.message_zh}{hint}"


def _school_label(ds, outcome) -> str:
    code = outcome.school
    org = ds.orgs.get(code) if (ds.orgs is not None and code) else None
    return f"{code} {org.zh if org else outcome.data.meta.get('school_name', '')}".strip()


def run(args) -> int:
    from nianbao.app.errors import FindingsError, StoreError, UseCaseError
    from nianbao.app.imports import import_files
    ds, failed = common.load("import", args.dataset)
    if failed:
        return failed
    try:
        run_ = import_files(ds, args.files, args.year, args.annotated, args.jobs, replace=args.replace)
    except FindingsError as exc:  # the folder for the annotated copies cannot be written
        for f in exc.findings:
            common.fail("import", f"{f.message_zh} / {f.message_en}", f.hint)
        return 2
    except UseCaseError as exc:
        for zh, en in exc.notes:
            print(f"错误：{zh} / {en}", file=sys.stderr)
        return 2
    except StoreError as exc:
        print(f"错误：{exc}（请确认没有其他程序正在使用该数据库）", file=sys.stderr)
        return 2
    print(f"导入 {len(run_.outcomes)} 份填报表（{ds.org_unit.zh} {run_.year}年度）：")
    for o in run_.outcomes:
        d = o.data
        label = _school_label(ds, o)
        warnings = o.warnings
        if o.status == "stored":
            r = o.result
            print(f"  ✓ 已入库  {label}  {d.file.name}（{len(d.submission.rows)} 项；新增 {r.added}、更改 {r.changed}、"
                  f"删除 {r.removed}{'；警告 ' + str(len(warnings)) + ' 项' if warnings else ''}）")
        elif o.status == "unchanged":
            print(f"  = 未变化  {label}  {d.file.name}（与已入库的数据相同）")
        elif o.status == "exists":
            r = o.result
            when = f"{r.previous_at:%Y-%m-%d %H:%M:%S} " if r.previous_at else ""
            print(f"  ! 已存在  {label}  {d.file.name}（数据库中已有该校{run_.year}年度的数据：{when}导入自 "
                  f"{r.previous_file or '另一份填报表'}；内容不同，未替换。确认本份为最终版本后加 --replace 重新导入）")
        else:
            where = f"，批注副本：{o.annotated}" if o.annotated else ""
            print(f"  ✗ 退回    {label}  {d.file.name}（{len(d.errors)} 个错误，{len(warnings)} 个警告{where}）")
        shown = [f for f in d.findings if f.severity != "info"]
        for f in shown[:SHOWN]:
            print(_finding_line(f))
        if len(shown) > SHOWN:
            print(f"      ……另有 {len(shown) - SHOWN} 项，见批注副本的“问题清单”")
    exists = f"，已存在未替换 {run_.count('exists')} 份" if run_.count("exists") else ""
    print(f"合计：入库 {run_.count('stored')} 份，未变化 {run_.count('unchanged')} 份{exists}，退回 {run_.count('rejected')} 份。"
          f"数据库：{run_.store}")
    return 1 if run_.count("rejected") or run_.count("exists") else 0
