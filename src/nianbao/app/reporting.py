"""The use case "build a report": dataset → check → document model → charts → every output
format asked for (nianbao.report.renderers: Word, HTML …) → self-check → the formats converted
from those (PDF). Each stage is timed, for the command's summary and bench/bench_report.py."""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from nianbao.app.checking import compliance, run_check
from nianbao.core.findings import Finding
from nianbao.core.messages import finding
from nianbao.report import selfcheck
from nianbao.report.builder import build_document, render_charts
from nianbao.report.document import Chart, Document, ReportError, Table
from nianbao.report.renderers import RENDERERS, OutputSkipped, RenderJob

STEM = "report"  # report.docx, report.html, report.pdf


@dataclass
class BuildResult:
    outdir: Path
    document: Document
    findings: list[Finding]
    checked: int
    files: dict[str, Path] = field(default_factory=dict)  # format → file written
    notes: dict[str, str] = field(default_factory=dict)  # format → why it was not written
    school: str = ""  # 学校标识码 of a school's report
    timings: dict[str, float] = field(default_factory=dict)
    # 框架完整性: parts and annex rows of the report type's outline that came out empty
    gaps: list[Finding] = field(default_factory=list)

    @property
    def docx(self) -> Path | None:
        return self.files.get("docx")

    @property
    def html(self) -> Path | None:
        return self.files.get("html")

    @property
    def pdf(self) -> Path | None:
        return self.files.get("pdf")

    @property
    def pdf_note(self) -> str:
        return self.notes.get("pdf", "")


class Timer:
    def __init__(self, timings: dict):
        self.timings = timings
        self.t = time.perf_counter()

    def lap(self, stage: str):
        now = time.perf_counter()
        self.timings[stage] = self.timings.get(stage, 0.0) + now - self.t
        self.t = now


def school_findings(findings: list[Finding], code: str) -> list[Finding]:
    """The findings a school's report is concerned with: its own and those of the dataset's
    files (not other schools', not the published claims of the area)."""
    return [f for f in findings if f.org_unit in ("", code) and not f.code.startswith("claim.")]


def find_school(dataset, code: str):
    """The school of the registry with this 学校标识码, or None."""
    reg = dataset.orgs
    org = reg.get(code) if reg is not None else None
    return org if org is not None and org.level == "school" else None


def output_formats(formats=None, pdf: bool = True) -> list[str]:
    """The registered formats to write, in order: those asked for (default: all), without
    ``pdf`` when ``pdf`` is false, with the format each converter is made from."""
    wanted = list(RENDERERS.names if formats is None else formats)
    if not pdf:
        wanted = [f for f in wanted if f != "pdf"]
    unknown = [f for f in wanted if f not in RENDERERS]
    if unknown:
        raise ReportError([finding("report.unknown_format", formats=", ".join(unknown),
                                   known=", ".join(RENDERERS.names))])
    for f in list(wanted):
        source = RENDERERS[f].converts
        if source and source not in wanted:
            wanted.append(source)
    return [f for f in RENDERERS.names if f in wanted]


def build_report(dataset, outdir: str | Path, template=None, allow_errors: bool = False, pdf: bool = True,
                 timings: dict | None = None, school: str | None = None,
                 findings: list[Finding] | None = None, formats=None, appendix: bool = False) -> BuildResult:
    """Build report.docx and report.html (and report.pdf) of a loaded dataset in ``outdir`` —
    or, given ``school`` (a 学校标识码 of the registry), that school's report. ``formats`` names
    the output formats (default: every registered one; ``pdf=False`` leaves the PDF out).
    ``findings`` of an earlier check may be passed to save checking again (reports of all schools).
    ``appendix`` adds the table of every figure with its formula and data (指标说明与数据来源);
    without it the report closes with a short 指标说明 (the indicators shown, defined in words).
    Raises ReportError when the data have errors that block a report (unless allow_errors),
    SelfCheckError when a figure would be printed two ways; a file of an earlier build that this
    build does not write again is removed."""
    timings = {} if timings is None else timings
    clock = Timer(timings)
    wanted = output_formats(formats, pdf)
    findings = run_check(dataset) if findings is None else list(findings)
    org = None
    if school is not None:
        org = find_school(dataset, school)
        if org is None:
            raise ReportError([finding("report.unknown_school", code=school)])
        findings = school_findings(findings, org.code)
    clock.lap("check")
    blocking = [f for f in findings if f.blocks_report]
    if blocking and not allow_errors:
        raise ReportError(blocking)
    document = build_document(dataset, findings, allow_errors=allow_errors, charts=False, org=org,
                              full_appendix=appendix)
    clock.lap("compute")
    render_charts(document.blocks)
    clock.lap("charts")

    result = BuildResult(Path(outdir), document, findings, 0, timings=timings,
                         school=org.code if org is not None else "",
                         gaps=compliance(dataset, document) if org is None else [])
    write_outputs(result, RenderJob(dataset.catalogue, template), wanted, clock)
    return result


BUILD_PREFIX = f".{STEM}-build-"  # the temporary folder of a build, inside the output folder
STALE_BUILD = 3600.0  # seconds after which a build folder left by a killed run is removed


def write_outputs(result: BuildResult, job: RenderJob, wanted: list[str], clock: Timer) -> None:
    """Write the formats ``wanted`` of ``result.document`` into ``result.outdir``: every file
    (those written directly, the self-check, then those converted from them, each skipped with
    a note when it cannot be made here) into a temporary folder beside them first, then all
    moved into place one right after the other, so that the files of one build stand together
    and a run killed on the way leaves the earlier build as it was. A move replaces whatever
    has the name (a planted symlink is replaced, its target untouched). A file of an earlier
    build that is not written again is removed."""
    document, outdir = result.document, result.outdir
    outdir.mkdir(parents=True, exist_ok=True)
    _sweep(outdir)
    build = Path(tempfile.mkdtemp(prefix=BUILD_PREFIX, dir=outdir))
    try:
        direct = [f for f in wanted if not RENDERERS[f].converts]
        printed: list = []
        for f in direct:
            path = build / f"{STEM}{RENDERERS[f].suffix}"
            printed.extend(RENDERERS[f](document, path, job))
            job.written[f] = path
            clock.lap(f)
        result.checked = selfcheck.check(printed, document.facts, document.words)
        clock.lap("selfcheck")
        for f in (f for f in wanted if RENDERERS[f].converts):
            path = build / f"{STEM}{RENDERERS[f].suffix}"
            try:
                RENDERERS[f](document, path, job)
                job.written[f] = path
            except OutputSkipped as exc:
                result.notes[f] = str(exc)
            clock.lap(f)
        placed = {}
        for f, path in job.written.items():
            placed[f] = outdir / path.name
            os.replace(path, placed[f])  # a rename: never writes through a link at the target
        job.written = placed
        for name, write in RENDERERS.items():  # never leave a file of an earlier build beside the new report
            if name not in placed:
                (outdir / f"{STEM}{write.suffix}").unlink(missing_ok=True)
    finally:
        shutil.rmtree(build, ignore_errors=True)
    result.files = dict(job.written)


def _sweep(outdir: Path) -> None:
    """Remove the build folders that runs killed on the way left behind (older than an hour)."""
    now = time.time()
    for old in outdir.glob(f"{BUILD_PREFIX}*"):
        try:
            if old.is_dir() and not old.is_symlink() and now - old.stat().st_mtime > STALE_BUILD:
                shutil.rmtree(old, ignore_errors=True)
        except OSError:
            pass


def summary(result: BuildResult) -> str:
    doc = result.document
    w = doc.words
    tables = sum(1 for b in doc.blocks if isinstance(b, Table) and b.key != "appendix_facts")
    charts = sum(1 for b in doc.blocks if isinstance(b, Chart))
    parts = sum(1 for h in doc.headings if h.level == 1 and h.number)
    own_unit = ("", result.document.org_code)
    warnings = [f for f in doc.warnings if f.severity == "warning" and not f.code.startswith("claim.")]
    members = [f for f in warnings if f.org_unit not in own_unit]
    warnings = [f for f in warnings if f.org_unit in own_unit]
    claims = [f for f in doc.warnings if f.code.startswith("claim.")]
    school = w("summary.school", name=doc.org, code=result.school) if result.school else ""
    lines = [f"{w('summary.written')} / {w.en('summary.written')}: {result.outdir}{school}",
             "  " + w.join(p.name for p in result.files.values()),
             "  " + w("summary.contents", parts=parts, tables=tables, charts=charts, printed=result.checked,
                      facts=len(doc.facts)),
             "  " + (w("summary.warnings", n=len(warnings)) if warnings else w("summary.no_warnings"))]
    if members:
        lines.append("  " + w("summary.member_warnings", n=len(members)))
    if claims:
        lines.append("  " + w("summary.claims", n=len(claims)))
    if doc.errors:
        lines.append("  " + w("summary.errors", n=len(doc.errors)))
    required = sum(1 for f in result.gaps if f.severity == "error")
    if required:
        lines.append("  " + w("summary.outline_required", n=required))
    if len(result.gaps) > required:
        lines.append("  " + w("summary.outline_optional", n=len(result.gaps) - required))
    for note in result.notes.values():
        lines.append("  " + note)
    total = sum(v for k, v in result.timings.items() if k not in RENDERERS or not RENDERERS[k].converts)
    converted = "".join(w("summary.seconds_of", format=k.upper(), seconds=f"{v:.1f}")
                        for k, v in result.timings.items() if k in RENDERERS and RENDERERS[k].converts)
    lines.append("  " + w("summary.seconds", seconds=f"{total:.2f}") + converted)
    return "\n".join(lines)
