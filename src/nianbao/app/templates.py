"""The use case "make school workbooks" (学校数据填报表): the workbook one school fills in for a
year, or one for every school of the registry active that year, written in parallel."""

from __future__ import annotations

import os
import re
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path

from nianbao.app.errors import UseCaseError
from nianbao.core import inputs
from nianbao.core.findings import FindingsError, Location
from nianbao.core.messages import finding
from nianbao.ingest import workbook

# endings that name a file of another type: ``-o x.xls`` is a file misnamed, not a folder to make
FILE_TYPES = {".xls", ".xlsm", ".xlsb", ".xlt", ".xltx", ".xltm", ".et", ".ett", ".ods", ".csv", ".tsv", ".txt",
              ".doc", ".docx", ".wps", ".pdf", ".zip", ".json", ".xml", ".html", ".htm"}


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


def _names_a_file(output: str | Path) -> bool:
    out = Path(output)
    return (not out.is_dir() and not str(output).endswith(("/", os.sep))
            and out.suffix.lower() in FILE_TYPES | {".xlsx"})


def _writable(folder: Path) -> None:
    unwritable = inputs.writable_folder(folder)
    if unwritable is not None:
        raise FindingsError([unwritable])


def _write_failed(exc: OSError, folder: Path) -> FindingsError:
    zh, en = inputs.WRITE_REASONS.get(exc.errno or 0, ("无法写入", "it cannot be written"))
    return FindingsError([finding("folder.unwritable", Location(file=str(folder)), text={
        "folder": str(folder), "reason_zh": zh, "reason_en": en})])


def school_template(dataset, school: str, output: str | Path, year: int | None = None) -> Template:
    """The workbook of one school (学校标识码 ``school``) for ``year`` (default: the report
    year). ``output`` is the file (a name ending in .xlsx), or a folder (an existing one, a path
    ending in a slash, or a name without a file type), in which the file is named after the
    school. Raises UseCaseError for a dataset without registry or a code that is not a school of
    it, FindingsError for an output named as another type of file (``x.xls``) or a folder that
    cannot be written (found before anything is written)."""
    year = year or dataset.report_year
    org = _registry(dataset).get(school.strip())
    if org is None or org.level != "school":
        raise UseCaseError(f"机构表中没有学校标识码为 {school} 的学校", f"no school {school} in orgs.csv")
    out = Path(output)
    if _names_a_file(output):
        if out.suffix.lower() != ".xlsx":
            raise FindingsError([finding("template.output_type", Location(file=str(out)), text={
                "path": str(out), "suffix": out.suffix, "suggested": str(out.with_suffix(".xlsx"))})])
    else:
        out = out / file_name(org.code, org.zh, year)  # a folder: the file is named after the school
    _writable(out.parent)
    try:
        workbook.generate(dataset, org.code, year, out)
    except OSError as exc:
        raise _write_failed(exc, out.parent) from None
    return Template(org.code, org.zh, year, out)


def school_templates(dataset, out_dir: str | Path, year: int | None = None, jobs: int = 0) -> list[Template]:
    """One workbook for every school of the registry active in ``year`` (default: the report
    year), in ``out_dir``, written by ``jobs`` processes (0: one per CPU). Raises UseCaseError
    when no school is active that year, FindingsError when ``out_dir`` names a file (``x.xlsx``)
    or cannot be written (found before the first workbook is written)."""
    year = year or dataset.report_year
    schools = [o for o in _registry(dataset).schools() if o.active_in(year)]
    if not schools:
        raise UseCaseError(f"机构表中没有 {year} 年在办的学校", f"no school active in {year}")
    folder = Path(out_dir)
    if _names_a_file(out_dir):
        raise FindingsError([finding("template.output_file", Location(file=str(folder)), text={
            "path": str(folder), "suggested": str(folder.with_suffix(""))})])
    _writable(folder)
    try:
        paths = generate_all(dataset, [o.code for o in schools], year, folder, jobs)
    except OSError as exc:
        raise _write_failed(exc, folder) from None
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
                    observations=dataset.observations_of(wanted, [year - 1]))
    with ProcessPoolExecutor(max_workers=jobs, initializer=_init_worker, initargs=(light,)) as pool:
        return list(pool.map(_generate_one, tasks, chunksize=8))
