"""``check_dataset``: every finding about a dataset, in one deterministic order.

Findings from reading the files come first in the pipeline, then the data rules of rules.yaml
(per org unit), then the claims of a published report, and for school-level data the findings
of aggregation and of the majors lists. There is no cap on their number.
"""

from __future__ import annotations

from nianbao.check.claims import check_claims
from nianbao.check.data_rules import check_data, index_orgs
from nianbao.check.findings import Finding, sort_key
from nianbao.check.rules import rulebook


def check_dataset(dataset, outline: bool = False) -> list[Finding]:
    """Every finding about ``dataset``; with ``outline``, also the figures its report's outline
    needs and the data lack (what would stop ``nianbao report``)."""
    book = rulebook(dataset.catalogue)
    orgs = index_orgs(dataset.observations)
    findings = list(dataset.findings)
    findings += check_data(dataset, book, orgs)
    findings += check_claims(dataset, book, orgs.get(dataset.org_unit.code))
    if dataset.orgs is not None:
        findings += _school_level(dataset)
    if outline:
        findings += _outline_gaps(dataset)
    return sorted(findings, key=sort_key)


def _outline_gaps(dataset) -> list[Finding]:
    """Figures, tables and texts the report's outline asks for and the data do not give:
    the findings the report stage raises itself, found here without writing a report."""
    from nianbao.report.model import ReportError, build_document

    try:
        document = build_document(dataset, (), allow_errors=True, charts=False)
    except ReportError as exc:
        return list(exc.findings)
    return list(document.errors) + list(document.omitted)


def _school_level(dataset) -> list[Finding]:
    """Findings of school-level data beyond the rules: aggregates some schools did not report
    to (aggregate.incomplete), majors outside the 专业目录 or listed twice."""
    from nianbao.compute.aggregate import rollup
    from nianbao.ingest.majors import dataset_majors

    return list(rollup(dataset).findings) + list(dataset_majors(dataset)[1])


def has_errors(findings) -> bool:
    return any(f.severity == "error" for f in findings)
