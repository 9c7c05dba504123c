"""``nianbao template``: the data workbook a school fills in (学校数据填报表)."""

from __future__ import annotations

import os
import re
from concurrent.futures import ProcessPoolExecutor
from dataclasses import replace
from pathlib import Path

from nianbao.cli import common
from nianbao.ingest import workbook


def add_arguments(p) -> None:
    p.add_argument("dataset", help="数据集文件夹（含机构表 orgs.csv） / dataset folder with the registry orgs.csv")
    p.add_argument("--year", type=int, help="填报年度，默认为数据集的报告年度 / reporting year (default: the dataset's)")
    which = p.add_mutually_exclusive_group(required=True)
    which.add_argument("--school", metavar="学校标识码", help="一所学校的10位学校标识码 / one school's identifier")
    which.add_argument("--all", action="store_true",
                       help="为机构表中该年度在办的每所学校各生成一份 / one workbook per school active that year")
    p.add_argument("-o", "--output", required=True,
                   help="输出文件（--school）或文件夹（--all） / output file (--school) or folder (--all)")
    p.add_argument("--jobs", type=int, default=0,
                   help="--all 时并行生成的进程数，默认为CPU核数 / parallel writers for --all (default: CPU count)")


def file_name(code: str, name: str, year: int) -> str:
    safe = re.sub(r'[\\/:*?"<>|\s]+', "_", name).strip("_")
    return f"{code}_{safe}_{year}年度数据填报表.xlsx"


def _fail(message: str) -> int:
    return common.fail("template", message)


def run(args) -> int:
    ds, failed = common.load("template", args.dataset)
    if failed:
        return failed
    year = args.year or ds.report_year
    if ds.orgs is None:
        return _fail(f"数据集 {ds.path} 没有机构表 orgs.csv，无法确定学校 / the dataset has no orgs.csv")
    if args.school:
        org = ds.orgs.get(args.school.strip())
        if org is None or org.level != "school":
            return _fail(f"机构表中没有学校标识码为 {args.school} 的学校 / no school {args.school} in orgs.csv")
        out = Path(args.output)
        if out.is_dir() or args.output.endswith(("/", os.sep)) or out.suffix.lower() != ".xlsx":
            out = out / file_name(org.code, org.zh, year)  # a folder: the file is named after the school
        workbook.generate(ds, org.code, year, out)
        print(f"已生成 {org.zh}（{org.code}）{year}年度数据填报表：{out}")
        return 0
    schools = [o for o in ds.orgs.schools() if o.active_in(year)]
    if not schools:
        return _fail(f"机构表中没有 {year} 年在办的学校 / no school active in {year}")
    out_dir = Path(args.output)
    paths = generate_all(ds, [o.code for o in schools], year, out_dir, args.jobs)
    print(f"已为 {len(paths)} 所学校生成 {year}年度数据填报表，保存在 {out_dir}")
    return 0


_WORKER: dict = {}


def _init_worker(ds) -> None:
    _WORKER["ds"] = ds


def _generate_one(args) -> Path:
    code, year, path = args
    return workbook.generate(_WORKER["ds"], code, year, path)


def generate_all(ds, codes: list[str], year: int, out_dir: Path, jobs: int = 0) -> list[Path]:
    """One workbook per school, written by ``jobs`` processes."""
    out_dir.mkdir(parents=True, exist_ok=True)
    tasks = [(code, year, out_dir / file_name(code, ds.orgs.get(code).zh, year)) for code in codes]
    jobs = jobs or os.cpu_count() or 1
    if jobs <= 1 or len(tasks) < 8:
        return [workbook.generate(ds, *t) for t in tasks]
    # workers need the catalogue, the registry and last year's figures (shown for reference)
    wanted = set(codes)
    light = replace(ds, observations=[o for o in ds.observations if o.period == year - 1 and o.org_unit in wanted],
                    claims=[], findings=[], narratives={}, static_tables={})
    with ProcessPoolExecutor(max_workers=jobs, initializer=_init_worker, initargs=(light,)) as pool:
        return list(pool.map(_generate_one, tasks, chunksize=8))
