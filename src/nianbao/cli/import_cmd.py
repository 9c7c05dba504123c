"""``nianbao import``: read filled school workbooks, store the good ones, send the others back.

Each workbook is checked on its own: a workbook with errors is not stored (the others of the same
run still are) and gets an annotated copy ``<name>.批注.xlsx`` that marks every problem cell.
Stored figures of a school-year are replaced in one transaction, and only when they differ.
Exit status: 0 all stored or unchanged, 1 some rejected, 2 arguments that cannot be used.
"""

from __future__ import annotations

import glob
import os
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path

from nianbao.cli import common
from nianbao.core.findings import SEVERITY_ZH, Finding, Location
from nianbao.ingest import workbook
from nianbao.store import SaveResult, Store, StoreError, store_path

ANNOTATED_SUFFIX = ".批注.xlsx"


def add_arguments(p) -> None:
    p.add_argument("dataset", help="数据集文件夹（含机构表 orgs.csv） / dataset folder")
    p.add_argument("files", nargs="+", metavar="FILE",
                   help="学校填报的 .xlsx 文件、通配符或文件夹 / filled workbooks, patterns or folders")
    p.add_argument("--year", type=int, help="导入的年度，默认为数据集的报告年度 / year to import (default: the dataset's)")
    p.add_argument("--annotated", metavar="DIR",
                   help="退回文件的批注副本写入此文件夹（默认与原文件同一文件夹） / folder for annotated copies")
    p.add_argument("--jobs", type=int, default=0,
                   help="并行读取的进程数，默认为CPU核数 / parallel readers (default: CPU count)")


@dataclass
class Outcome:
    data: workbook.WorkbookData
    status: str  # stored / unchanged / rejected
    result: SaveResult | None = None
    annotated: Path | None = None


def expand(args_files: list[str]) -> tuple[list[Path], list[str]]:
    """Files from arguments (patterns and folders expanded); annotated copies and Excel lock
    files are skipped. Returns (files, arguments that matched nothing)."""
    files, missing = [], []
    for arg in args_files:
        p = Path(arg)
        if p.is_dir():
            found = sorted(p.glob("*.xlsx"))
        elif p.exists():
            found = [p]
        else:
            found = sorted(Path(x) for x in glob.glob(arg))
        found = [f for f in found if not f.name.endswith(ANNOTATED_SUFFIX) and not f.name.startswith("~$")]
        if not found:
            missing.append(arg)
        files.extend(found)
    return list(dict.fromkeys(files)), missing


_WORKER: dict = {}


def _init_worker(ds) -> None:
    _WORKER["ds"] = ds


def _read_one(args):
    path, year = args
    return workbook.read(path, _WORKER["ds"], year)


def read_all(ds, files: list[Path], year: int, jobs: int = 0) -> list[workbook.WorkbookData]:
    jobs = jobs or os.cpu_count() or 1
    if jobs <= 1 or len(files) < 8:
        return [workbook.read(f, ds, year) for f in files]
    # reading needs the catalogue and the registry, not the figures: workers get a light copy
    light = replace(ds, observations=[], claims=[], findings=[], narratives={}, static_tables={})
    with ProcessPoolExecutor(max_workers=jobs, initializer=_init_worker, initargs=(light,)) as pool:
        return list(pool.map(_read_one, [(f, year) for f in files], chunksize=8))


def _duplicates(datas: list[workbook.WorkbookData]) -> None:
    """Two workbooks with different figures for the same school and year in one run: neither is
    stored, since nianbao cannot know which one is final."""
    by_key: dict[tuple, list[workbook.WorkbookData]] = {}
    for d in datas:
        if d.submission is not None:
            by_key.setdefault((d.submission.org_unit, d.submission.period), []).append(d)
    for (school, year), group in by_key.items():
        contents = {(frozenset(r.identity for r in d.submission.rows),
                     frozenset(m.identity for m in d.submission.majors)) for d in group}
        if len(contents) < 2:
            continue  # the same figures twice (e.g. saved again unchanged): stored once
        names = "、".join(d.file.name for d in group)
        for d in group:
            d.findings.append(Finding(
                code="import.duplicate_school", severity="error",
                message_zh=f"本次导入中有多份学校 {school} {year}年度的填报表且内容不同：{names}",
                message_en=f"several different workbooks of school {school} for {year} in one import: {names}",
                hint="确认哪一份是最终版本，只导入那一份", location=Location(file=d.file.name),
                period=year, org_unit=school))


def import_workbooks(ds, files: list[Path], year: int | None = None, annotated_dir: Path | None = None,
                     jobs: int = 0, timings: dict | None = None) -> list[Outcome]:
    """Read, store and annotate; raises StoreError if the store cannot be opened. ``timings``
    (optional) receives the seconds spent reading and storing."""
    year = year or ds.report_year
    start = time.perf_counter()
    datas = read_all(ds, files, year, jobs)
    read_done = time.perf_counter()
    _duplicates(datas)
    layout = workbook.load_layout(ds.catalogue)
    outcomes = []
    with Store.of_dataset(ds.path) as store:
        for d in datas:
            if d.ok:
                result = store.save(d.submission)
                outcomes.append(Outcome(d, result.status, result))
                continue
            sub = d.submission
            store.log_rejected(str(d.file.name), d.sha256, sub.org_unit if sub else d.meta.get("school_code"),
                               sub.period if sub else None, sub.template if sub else d.meta.get("template"),
                               len(d.errors), sum(1 for f in d.findings if f.severity == "warning"))
            folder = annotated_dir or d.file.parent
            out = folder / (d.file.stem + ANNOTATED_SUFFIX)
            outcomes.append(Outcome(d, "rejected", annotated=workbook.annotate(d.file, d.findings, out, layout)))
    if timings is not None:
        timings.update(read=read_done - start, store=time.perf_counter() - read_done)
    return outcomes


def _finding_line(f: Finding) -> str:
    where = "!".join(p for p in (f.location.sheet, f.location.cell) if p)
    hint = f"  建议：{f.hint}" if f.hint else ""
    return f"      [{SEVERITY_ZH[f.severity]}] {where + ' ' if where else ''}{f.message_zh}{hint}"


def _school_label(ds, d: workbook.WorkbookData) -> str:
    code = d.submission.org_unit if d.submission else d.meta.get("school_code", "")
    org = ds.orgs.get(code) if (ds.orgs is not None and code) else None
    return f"{code} {org.zh if org else d.meta.get('school_name', '')}".strip()


def run(args) -> int:
    ds, failed = common.load("import", args.dataset)
    if failed:
        return failed
    files, missing = expand(args.files)
    for m in missing:
        print(f"错误：找不到填报表 {m} / no workbook matches {m}", file=sys.stderr)
    if missing or not files:
        return 2
    annotated = Path(args.annotated) if args.annotated else None
    year = args.year or ds.report_year
    try:
        outcomes = import_workbooks(ds, files, year, annotated, args.jobs)
    except StoreError as exc:
        print(f"错误：{exc}（请确认没有其他程序正在使用该数据库）", file=sys.stderr)
        return 2
    print(f"导入 {len(outcomes)} 份填报表（{ds.org_unit.zh} {year}年度）：")
    for o in outcomes:
        d = o.data
        label = _school_label(ds, d)
        warnings = [f for f in d.findings if f.severity == "warning"]
        if o.status == "stored":
            r = o.result
            print(f"  ✓ 已入库  {label}  {d.file.name}（{len(d.submission.rows)} 项；新增 {r.added}、更改 {r.changed}、"
                  f"删除 {r.removed}{'；警告 ' + str(len(warnings)) + ' 项' if warnings else ''}）")
        elif o.status == "unchanged":
            print(f"  = 未变化  {label}  {d.file.name}（与已入库的数据相同）")
        else:
            where = f"，批注副本：{o.annotated}" if o.annotated else ""
            print(f"  ✗ 退回    {label}  {d.file.name}（{len(d.errors)} 个错误，{len(warnings)} 个警告{where}）")
        shown = [f for f in d.findings if f.severity != "info"]
        for f in shown[:20]:
            print(_finding_line(f))
        if len(shown) > 20:
            print(f"      ……另有 {len(shown) - 20} 项，见批注副本的“问题清单”")
    counts = {s: sum(1 for o in outcomes if o.status == s) for s in ("stored", "unchanged", "rejected")}
    print(f"合计：入库 {counts['stored']} 份，未变化 {counts['unchanged']} 份，退回 {counts['rejected']} 份。"
          f"数据库：{store_path(ds.path)}")
    return 1 if counts["rejected"] else 0
