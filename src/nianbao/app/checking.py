"""The use case "check a dataset": the findings of reading, the rules, the claims and the
aggregation, and — what would stop ``nianbao report`` — the figures, tables and texts the
report's outline asks for and the data do not give, found by building the document once."""

from __future__ import annotations

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
