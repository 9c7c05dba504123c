"""The use case "import school workbooks": read filled workbooks (in parallel), store the good
ones, send the others back with an annotated copy.

Each workbook is checked on its own: a workbook with errors is not stored (the others of the same
run still are) and gets an annotated copy ``<name>.批注.xlsx`` that marks every problem cell. A
file that cannot be read at all (not a regular file, not a workbook, damaged, a zip bomb …) is one
more rejected file with its finding; nothing one file does stops the others. A folder given for
the annotated copies is tried before the first workbook is read.
Stored figures of a school-year are replaced in one transaction, and only when they differ —
and, when they came from another workbook, only on request (``replace``): otherwise the workbook
is reported as ``exists``, with the file and time of what is held. Two imports running at once
take turns (the store's writer lock), so the later one sees what the earlier one stored. Two
different workbooks of one school and year in one run are both refused.
"""

from __future__ import annotations

import glob
import os
import time
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field, replace
from pathlib import Path

from nianbao.app.errors import UseCaseError
from nianbao.core import inputs
from nianbao.core.findings import Finding, FindingsError, Location
from nianbao.core.messages import finding
from nianbao.ingest import workbook
from nianbao.store import SaveResult, Store, store_path

ANNOTATED_SUFFIX = ".批注.xlsx"
STATUSES = ("stored", "unchanged", "exists", "rejected")


@dataclass
class Outcome:
    """One workbook of an import: what was read (``data``: file, submission, findings), its
    ``status`` (stored / unchanged / rejected), the store's counts when stored, the annotated
    copy when rejected."""

    data: workbook.WorkbookData
    status: str
    result: SaveResult | None = None
    annotated: Path | None = None

    @property
    def school(self) -> str:
        """The 学校标识码 the workbook is for (as the workbook says, where it could be read)."""
        d = self.data
        return d.submission.org_unit if d.submission else d.meta.get("school_code", "")

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.data.findings if f.severity == "warning"]


@dataclass
class ImportRun:
    """The outcome of every workbook of one import, the year imported and the store written."""

    outcomes: list[Outcome]
    year: int
    store: Path
    timings: dict[str, float] = field(default_factory=dict)

    def count(self, status: str) -> int:
        return sum(1 for o in self.outcomes if o.status == status)

    @property
    def rejected(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.status == "rejected"]


def expand(arguments: list[str]) -> tuple[list[Path], list[str]]:
    """Files from arguments (patterns and folders expanded); annotated copies and Excel lock
    files are skipped. Returns (files, arguments that matched nothing)."""
    files, missing = [], []
    for arg in arguments:
        p = Path(arg)
        if p.is_dir():
            found = sorted(p.glob("*.xlsx"))
            if not found and p.suffix.lower() == ".xlsx":
                found = [p]  # a folder named like a workbook: judged as a file (and refused as a folder)
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


def read_all(dataset, files: list[Path], year: int, jobs: int = 0) -> list[workbook.WorkbookData]:
    """Every workbook read and checked (nothing stored), by ``jobs`` processes (0: one per CPU)."""
    jobs = jobs or os.cpu_count() or 1
    if jobs <= 1 or len(files) < 8:
        return [workbook.read(f, dataset, year) for f in files]
    # reading needs the catalogue and the registry, not the figures: workers get a light copy
    light = replace(dataset, observations=[], claims=[], findings=[], narratives={}, static_tables={})
    out: list[workbook.WorkbookData | None] = [None] * len(files)
    try:
        with ProcessPoolExecutor(max_workers=jobs, initializer=_init_worker, initargs=(light,)) as pool:
            futures = [pool.submit(_read_one, (f, year)) for f in files]
            for i, fut in enumerate(futures):
                try:
                    out[i] = fut.result()
                except BrokenProcessPool:
                    pass  # a reader died (killed, out of memory): its files are read again below, one by one
    except BrokenProcessPool:
        pass
    return [d if d is not None else _read_alone(light, f, year) for f, d in zip(files, out)]


def _read_alone(light, path: Path, year: int) -> workbook.WorkbookData:
    """One file in a process of its own, after a reader died: the file that kills it again is
    refused with a finding; the others it took down with it are read."""
    try:
        with ProcessPoolExecutor(max_workers=1, initializer=_init_worker, initargs=(light,)) as pool:
            return pool.submit(_read_one, (path, year)).result()
    except BrokenProcessPool:
        return workbook.WorkbookData(path, "", None, [finding("file.bad_content:crashed", Location(file=path.name),
                                                              text={"file": path.name})])


def _annotate(d: workbook.WorkbookData, out: Path, layout) -> Path | None:
    """The annotated copy of a rejected workbook, or None; a copy that cannot be written (a
    read-only folder, a full disk) or made (content openpyxl reads but cannot write back) is a
    warning of that workbook, not the end of the run."""
    try:
        return workbook.annotate(d.file, d.findings, out, layout)
    except OSError as exc:
        zh, en = inputs.WRITE_REASONS.get(exc.errno or 0, ("无法写入", "it cannot be written"))
        d.findings.append(finding("import.annotated_unwritable", Location(file=d.file.name),
                                  text={"out": str(out), "reason_zh": zh, "reason_en": en}))
        return None
    except Exception:  # the workbook's own content cannot be written back (nothing is left at ``out``)
        d.findings.append(finding("import.annotated_failed", Location(file=d.file.name), text={"out": str(out)}))
        return None


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


def import_workbooks(dataset, files: list[Path], year: int | None = None, annotated_dir: Path | None = None,
                     jobs: int = 0, timings: dict | None = None, replace: bool = False) -> list[Outcome]:
    """Read, store and annotate; raises StoreError if the store cannot be opened. ``timings``
    (optional) receives the seconds spent reading and storing. ``replace``: figures of a
    school-year held from another workbook are replaced (else the outcome is ``exists``)."""
    year = year or dataset.report_year
    start = time.perf_counter()
    datas = read_all(dataset, files, year, jobs)
    read_done = time.perf_counter()
    _duplicates(datas)
    layout = workbook.load_layout(dataset.catalogue)
    outcomes = []
    with Store.of_dataset(dataset.path) as store:
        good = [d for d in datas if d.ok]
        saved = dict(zip(map(id, good), store.save_all([d.submission for d in good], replace=replace)))
        for d in datas:
            if d.ok:
                result = saved[id(d)]
                outcomes.append(Outcome(d, result.status, result))
                continue
            sub = d.submission
            store.log_rejected(str(d.file.name), d.sha256, sub.org_unit if sub else d.meta.get("school_code"),
                               sub.period if sub else None, sub.template if sub else d.meta.get("template"),
                               len(d.errors), sum(1 for f in d.findings if f.severity == "warning"))
            folder = annotated_dir or d.file.parent
            out = folder / (d.file.stem + ANNOTATED_SUFFIX)
            outcomes.append(Outcome(d, "rejected", annotated=_annotate(d, out, layout)))
    if timings is not None:
        timings.update(read=read_done - start, store=time.perf_counter() - read_done)
    return outcomes


def import_files(dataset, arguments: list[str], year: int | None = None, annotated_dir: str | Path | None = None,
                 jobs: int = 0, replace: bool = False) -> ImportRun:
    """``nianbao import``: the workbooks that ``arguments`` name (files, patterns, folders),
    read, stored or sent back. Raises UseCaseError when an argument matches no workbook (nothing
    is imported then; ``notes`` has a line per argument), StoreError when the store cannot be
    opened (another program holds it), FindingsError when ``annotated_dir`` cannot be written
    (found before any workbook is read)."""
    if annotated_dir is not None:
        unwritable = inputs.writable_folder(annotated_dir)
        if unwritable is not None:
            raise FindingsError([unwritable])
    files, missing = expand(arguments)
    if missing or not files:
        raise UseCaseError("、".join(f"找不到填报表 {m}" for m in missing) or "没有要导入的填报表",
                           "; ".join(f"no workbook matches {m}" for m in missing) or "no workbook to import",
                           notes=[(f"找不到填报表 {m}", f"no workbook matches {m}") for m in missing])
    year = year or dataset.report_year
    timings: dict[str, float] = {}
    outcomes = import_workbooks(dataset, files, year, Path(annotated_dir) if annotated_dir else None, jobs, timings,
                                replace=replace)
    return ImportRun(outcomes, year, store_path(dataset.path), timings)
