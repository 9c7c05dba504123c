"""The use case "check a dataset": the findings of reading, the rules, the claims and the
aggregation, and — what would stop ``nianbao report`` — the figures, tables and texts the
report's outline asks for and the data do not give, found by building the document once."""

from __future__ import annotations

from pathlib import Path

from nianbao.check import output
from nianbao.check.engine import check_dataset
from nianbao.core.findings import Finding, sort_key
from nianbao.report.builder import build_document
from nianbao.report.document import ReportError


def run_check(dataset) -> list[Finding]:
    """The check's findings: reading the files, the rules and the claims (the gaps of the
    outline come from building the document itself)."""
    return check_dataset(dataset)


def outline_gaps(dataset) -> list[Finding]:
    """Figures, tables and texts the report's outline asks for and the data do not give: the
    findings the report stage raises itself, found here without writing a report."""
    try:
        document = build_document(dataset, (), allow_errors=True, charts=False)
    except ReportError as exc:
        return list(exc.findings)
    return list(document.errors) + list(document.omitted)


def check(dataset, outline: bool = True) -> list[Finding]:
    """Every finding about ``dataset``; with ``outline``, also the gaps of its report's outline."""
    findings = run_check(dataset)
    if outline:
        findings = sorted(findings + outline_gaps(dataset), key=sort_key)
    return findings


# -- the findings written out (nianbao.check.output): a readable table, JSON, CSV, Excel --------

FORMATS = ("table", "json", "csv", "xlsx")
TEXT_FORMATS = ("table", "json", "csv")


def has_errors(findings: list[Finding]) -> bool:
    """True when a finding is an error (``nianbao check`` then exits with 1)."""
    return any(f.severity == "error" for f in findings)


def summary_line(findings: list[Finding], lang: str = "zh") -> str:
    """共 N 条：错误 …，警告 …，提示 … (or the English line)."""
    return output.summary_line(findings, lang)


def findings_text(findings: list[Finding], dataset=None, fmt: str = "table", lang: str = "zh") -> str:
    """The findings as text: ``table`` (readable, in ``lang``), ``json`` or ``csv``."""
    if fmt == "table":
        return output.to_table(findings, dataset, lang)
    if fmt == "json":
        return output.to_json(findings, dataset)
    if fmt == "csv":
        return output.to_csv(findings)
    raise ValueError(f"not a text format: {fmt!r} (one of {', '.join(TEXT_FORMATS)})")


def write_findings(findings: list[Finding], path: str | Path, dataset=None, fmt: str = "xlsx",
                   lang: str = "zh") -> Path:
    """The findings written to ``path`` in ``fmt`` (any of FORMATS; xlsx: one row per finding and
    a summary sheet). Raises OSError when the file cannot be written."""
    path = Path(path)
    if fmt == "xlsx":
        output.write_xlsx(findings, path, lang)
    else:
        path.write_text(findings_text(findings, dataset, fmt, lang), encoding="utf-8")
    return path
