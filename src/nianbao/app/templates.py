"""The use case "make school workbooks" (学校数据填报表): the workbook one school fills in for a
year, or one for every school of the registry active that year, written in parallel."""

from __future__ import annotations

import os
import re
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path

from nianbao.app.errors import UseCaseError
from nianbao.ingest import workbook


@dataclass(frozen=True)
class Template:
    """A workbook written for one school: its 学校标识码, name, the year it asks for, the file."""

    school: str
    name: str
    year: int
    path: Path


def file_name(code: str, name: str, year: int) -> str:
    """``0140213012_学校名称_2020年度数据填报表.xlsx`` (characters a file name cannot hold become _)."""
    safe = re.sub(r'[\\/:*?"<>|\s]+', "_", name).strip("_")
    return f"{code}_{safe}_{year}年度数据填报表.xlsx"


def _registry(dataset):
    if dataset.orgs is None:
        raise UseCaseError(f"数据集 {dataset.path} 没有机构表 orgs.csv，无法确定学校", "the dataset has no orgs.csv")
    return dataset.orgs


def school_template(dataset, school: str, output: str | Path, year: int | None = None) -> Template:
    """The workbook of one school (学校标识码 ``school``) for ``year`` (default: the report
    year). ``output`` is the file, or a folder (an existing one, a path ending in a slash, or
    one without .xlsx), in which the file is named after the school. Raises UseCaseError for a
    dataset without registry or a code that is not a school of it."""
    year = year or dataset.report_year
    org = _registry(dataset).get(school.strip())
    if org is None or org.level != "school":
        raise UseCaseError(f"机构表中没有学校标识码为 {school} 的学校", f"no school {school} in orgs.csv")
    out = Path(output)
    if out.is_dir() or str(output).endswith(("/", os.sep)):
        out = out / file_name(org.code, org.zh, year)  # a folder: the file is named after the school
    elif names_file(out) and out.suffix.lower() != ".xlsx":
        raise UseCaseError(f"填报表是 Excel 工作簿（.xlsx），不能写成 {out.name}；请改为 -o {out.with_suffix('.xlsx')}",
                           f"the workbook is an .xlsx file, not {out.suffix}: use -o {out.with_suffix('.xlsx')}",
                           hint=f"例如 -o {out.with_suffix('.xlsx')}")
    elif out.suffix.lower() != ".xlsx":
        out = out / file_name(org.code, org.zh, year)  # a new folder
    _writable(out.parent)
    try:
        workbook.generate(dataset, org.code, year, out)
    except OSError as exc:
        raise _unwritable(out, exc) from None
    return Template(org.code, org.zh, year, out)


_FILE_TYPE = re.compile(r"\.[A-Za-z][A-Za-z0-9]{0,4}")


def names_file(path: Path) -> bool:
    """Whether ``path`` names a file by its type (x.xls, out.csv), not a folder to make."""
    return not path.is_dir() and _FILE_TYPE.fullmatch(path.suffix) is not None


def _unwritable(path: Path, exc: OSError) -> UseCaseError:
    return UseCaseError(f"无法写入 {path}：{exc.strerror or exc}", f"cannot write {path}: {exc.strerror or exc}",
                        hint="换一个有写权限的输出位置，或先修改该文件夹的权限")


def _writable(folder: Path) -> None:
    """Raise UseCaseError unless ``folder`` can be made and written (checked before any file)."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise _unwritable(folder, exc) from None
    if not os.access(folder, os.W_OK | os.X_OK):
        raise _unwritable(folder, PermissionError(13, "没有写权限 / permission denied"))


def school_templates(dataset, out_dir: str | Path, year: int | None = None, jobs: int = 0) -> list[Template]:
    """One workbook for every school of the registry active in ``year`` (default: the report
    year), in ``out_dir``, written by ``jobs`` processes (0: one per CPU). Raises UseCaseError
    when no school is active that year."""
    year = year or dataset.report_year
    schools = [o for o in _registry(dataset).schools() if o.active_in(year)]
    if not schools:
        raise UseCaseError(f"机构表中没有 {year} 年在办的学校", f"no school active in {year}")
    out_dir = Path(out_dir)
    if names_file(out_dir) and not out_dir.is_dir():
        raise UseCaseError(f"--all 为每所学校各写一份填报表，-o 应为文件夹，而不是 {out_dir.name}",
                           f"--all writes one workbook per school: -o names a folder, not {out_dir.name}",
                           hint=f"例如 -o {out_dir.with_suffix('')}")
    _writable(out_dir)
    try:
        paths = generate_all(dataset, [o.code for o in schools], year, out_dir, jobs)
    except OSError as exc:
        raise _unwritable(out_dir, exc) from None
    return [Template(o.code, o.zh, year, p) for o, p in zip(schools, paths)]


_WORKER: dict = {}


def _init_worker(ds) -> None:
    _WORKER["ds"] = ds


def _generate_one(args) -> Path:
    code, year, path = args
    return workbook.generate(_WORKER["ds"], code, year, path)


def generate_all(dataset, codes: list[str], year: int, out_dir: Path, jobs: int = 0) -> list[Path]:
    """One workbook per school of ``codes``, written by ``jobs`` processes (0: one per CPU)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    tasks = [(code, year, out_dir / file_name(code, dataset.orgs.get(code).zh, year)) for code in codes]
    jobs = jobs or os.cpu_count() or 1
    if jobs <= 1 or len(tasks) < 8:
        return [workbook.generate(dataset, *t) for t in tasks]
    # workers need the catalogue, the registry and last year's figures (shown for reference)
    wanted = set(codes)
    light = replace(dataset, claims=[], findings=[], narratives={}, static_tables={},
                    observations=[o for o in dataset.observations if o.period == year - 1 and o.org_unit in wanted])
    with ProcessPoolExecutor(max_workers=jobs, initializer=_init_worker, initargs=(light,)) as pool:
        return list(pool.map(_generate_one, tasks, chunksize=8))
