"""The use case "build a report": dataset → check → document model → charts → Word + HTML →
self-check (→ PDF). Each stage is timed, for the command's summary and bench/bench_report.py."""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from pathlib import Path

from nianbao.app.checking import run_check
from nianbao.core.findings import Finding
from nianbao.report import charts, selfcheck
from nianbao.report import pdf as pdf_mod
from nianbao.report.document import Chart, Document, ReportError, Table, report_finding
from nianbao.report.docx import write_docx
from nianbao.report.html import render_html
from nianbao.report.model import build_document


@dataclass
class BuildResult:
    outdir: Path
    docx: Path
    html: Path
    pdf: Path | None
    document: Document
    findings: list[Finding]
    checked: int
    pdf_note: str = ""
    school: str = ""  # 学校标识码 of a school's report
    timings: dict[str, float] = field(default_factory=dict)


class Timer:
    def __init__(self, timings: dict):
        self.timings = timings
        self.t = time.perf_counter()

    def lap(self, stage: str):
        now = time.perf_counter()
        self.timings[stage] = self.timings.get(stage, 0.0) + now - self.t
        self.t = now


def render_charts(document: Document):
    for b in document.blocks:
        if isinstance(b, Chart) and not b.png:
            b.png = charts.render_png(b.spec)


def school_findings(findings: list[Finding], code: str) -> list[Finding]:
    """The findings a school's report is concerned with: its own and those of the dataset's
    files (not other schools', not the published claims of the area)."""
    return [f for f in findings if f.org_unit in ("", code) and not f.code.startswith("claim.")]


def find_school(dataset, code: str):
    """The school of the registry with this 学校标识码, or None."""
    reg = dataset.orgs
    org = reg.get(code) if reg is not None else None
    return org if org is not None and org.level == "school" else None


def build_report(dataset, outdir: str | Path, template=None, allow_errors: bool = False, pdf: bool = True,
                 timings: dict | None = None, school: str | None = None,
                 findings: list[Finding] | None = None) -> BuildResult:
    """Build report.docx and report.html (and report.pdf) of a loaded dataset in ``outdir`` —
    or, given ``school`` (a 学校标识码 of the registry), that school's report. ``findings`` of an
    earlier check may be passed to save checking again (reports of all schools).
    Raises ReportError when the data have errors that block a report (unless allow_errors),
    SelfCheckError when a figure would be printed two ways."""
    timings = {} if timings is None else timings
    clock = Timer(timings)
    findings = run_check(dataset) if findings is None else list(findings)
    org = None
    if school is not None:
        org = find_school(dataset, school)
        if org is None:
            raise ReportError([report_finding("report.unknown_school", "error", f"机构表中没有学校标识码为 {school} 的学校",
                                        f"no school with code {school} in orgs.csv",
                                        "学校标识码为10位数字（保留开头的0），见数据集的 orgs.csv")])
        findings = school_findings(findings, org.code)
    clock.lap("check")
    blocking = [f for f in findings if f.blocks_report]
    if blocking and not allow_errors:
        raise ReportError(blocking)
    document = build_document(dataset, findings, allow_errors=allow_errors, charts=False, org=org)
    clock.lap("compute")
    render_charts(document)
    clock.lap("charts")

    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    docx_path, html_path, pdf_path = outdir / "report.docx", outdir / "report.html", outdir / "report.pdf"
    tmp_docx = outdir / f".report.{os.getpid()}.docx"
    printed: list = []
    try:
        write_docx(document, tmp_docx, template, printed)
        clock.lap("docx")
        html, _ = render_html(document, dataset.catalogue)
        clock.lap("html")
        printed.extend(selfcheck.html_printed(html))
        checked = selfcheck.check(printed, document.facts)
        clock.lap("selfcheck")
        os.replace(tmp_docx, docx_path)
        html_path.write_text(html, encoding="utf-8")
    finally:
        tmp_docx.unlink(missing_ok=True)

    result = BuildResult(outdir, docx_path, html_path, None, document, findings, checked, timings=timings,
                         school=org.code if org is not None else "")
    if pdf_path.exists():
        pdf_path.unlink()  # never leave a PDF of an earlier build beside the new report
    if pdf:
        toc = [(h.text, h.bookmark) for h in document.headings if h.level <= 2]
        try:
            result.pdf = pdf_mod.docx_to_pdf(docx_path, pdf_path, toc)
        except pdf_mod.PdfError as exc:
            result.pdf_note = str(exc)
        clock.lap("pdf")
    return result


def summary(result: BuildResult) -> str:
    doc = result.document
    tables = sum(1 for b in doc.blocks if isinstance(b, Table) and b.key != "appendix_facts")
    charts = sum(1 for b in doc.blocks if isinstance(b, Chart))
    parts = sum(1 for h in doc.headings if h.level == 1 and h.number)
    own_unit = ("", result.document.org_code)
    warnings = [f for f in doc.warnings if f.severity == "warning" and not f.code.startswith("claim.")]
    members = [f for f in warnings if f.org_unit not in own_unit]
    warnings = [f for f in warnings if f.org_unit in own_unit]
    claims = [f for f in doc.warnings if f.code.startswith("claim.")]
    school = f"（{doc.org}，学校标识码 {result.school}）" if result.school else ""
    lines = [f"已生成报告 / report written: {result.outdir}{school}",
             f"  {result.docx.name}、{result.html.name}" + (f"、{result.pdf.name}" if result.pdf else ""),
             f"  {parts} 个部分，{tables} 张表，{charts} 幅图；印出 {result.checked} 处数字，"
             f"涉及 {len(doc.facts)} 项事实，自检一致",
             f"  数据提示 {len(warnings)} 项，见报告“数据说明”" if warnings else "  数据检查无提示"]
    if members:
        lines.append(f"  所属学校数据提示 {len(members)} 项，运行 nianbao check 查看")
    if claims:
        lines.append(f"  已印发数字（claims.csv）与数据不符或写法不规范 {len(claims)} 处，运行 nianbao check 查看")
    if doc.errors:
        lines.append(f"  注意：带着 {len(doc.errors)} 项数据错误生成（--allow-errors），见“附录二 数据错误清单”")
    if result.pdf_note:
        lines.append("  " + result.pdf_note)
    total = sum(v for k, v in result.timings.items() if k != "pdf")
    pdf_time = f"，PDF {result.timings['pdf']:.1f} 秒" if "pdf" in result.timings else ""
    lines.append(f"  用时 {total:.2f} 秒{pdf_time}")
    return "\n".join(lines)
