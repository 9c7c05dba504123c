"""The use case "audit a published report": read the file, take its figures as claims, check
the report against itself (and, given a dataset, against the data); a folder of reports gives
one result per file, a file that cannot be read a result with the reason and no findings."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

from nianbao import catalogue as cat_mod
from nianbao.audit import output
from nianbao.audit.extract import extract, guess_report_year
from nianbao.audit.mapping import Lexicon
from nianbao.audit.model import Claim, Source, input_error
from nianbao.audit.readers import SUFFIXES, read
from nianbao.audit.selfcheck import SelfCheck
from nianbao.core.findings import Finding, FindingsError, sort_key


@dataclass
class AuditResult:
    path: Path
    source: Source | None = None
    claims: list[Claim] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    unreadable: Finding | None = None  # why the file could not be audited
    seconds: float = 0.0

    @property
    def errors(self) -> int:
        return sum(1 for f in self.findings if f.severity == "error")

    @property
    def warnings(self) -> int:
        return sum(1 for f in self.findings if f.severity == "warning")


def audit_file(path: str | Path, dataset=None, catalogue=None, report_year: int | None = None) -> AuditResult:
    """Audit one report. A file that cannot be read gives a result with ``unreadable`` set."""
    path = Path(path)
    t0 = time.perf_counter()
    result = AuditResult(path=path)
    cat = catalogue or (dataset.catalogue if dataset is not None else cat_mod.load("cn-2016"))
    try:
        source = read(path)
        year = report_year or (dataset.report_year if dataset is not None else None) or guess_report_year(source)
        claims, tables = extract(source, Lexicon(cat), year)
        if not claims:
            raise input_error("audit.no_numbers", path)
        findings = SelfCheck(source, claims, tables, cat, year).run(dataset)
    except FindingsError as exc:
        result.unreadable = exc.findings[0]
        result.seconds = time.perf_counter() - t0
        return result
    result.source, result.claims = source, claims
    result.findings = sorted(findings, key=sort_key)
    result.seconds = time.perf_counter() - t0
    return result


def report_files(folder: Path) -> list[Path]:
    """The reports of a folder (and its subfolders), by name; hidden files left aside."""
    return sorted(p for p in folder.rglob("*") if p.is_file() and p.suffix.lower() in SUFFIXES
                  and not any(part.startswith(".") for part in p.relative_to(folder).parts))


def audit_paths(paths, dataset=None, progress=None) -> list[AuditResult]:
    """Audit files and folders; ``progress(done, total, path)`` is called after each file."""
    files: list[Path] = []
    for p in paths:
        p = Path(p)
        files.extend(report_files(p) if p.is_dir() else [p])
    cat = dataset.catalogue if dataset is not None else cat_mod.load("cn-2016")
    results = []
    for i, f in enumerate(files, start=1):
        results.append(audit_file(f, dataset, cat))
        if progress is not None:
            progress(i, len(files), f)
    return results


def annotate(result: AuditResult, out: Path) -> int:
    """Write the report back with its problems marked: Word comments on a copy of a DOCX, or
    an HTML copy with the figures marked. Returns the number of marks."""
    if result.source is None:
        raise input_error("audit.no_text", result.path)
    if out.suffix.lower() == ".docx":
        if result.source.kind != "docx":
            raise input_error("audit.annotate_kind", result.path, kind=result.source.kind)
        return output.annotate_docx(result, out)
    return output.annotate_html(result, out)
