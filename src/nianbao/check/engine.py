"""``check_dataset``: every finding about a dataset, in one deterministic order.

Findings from reading the files come first in the pipeline, then the data rules of rules.yaml
(per org unit), then the claims of a published report, and for school-level data the findings
of aggregation and of the majors lists. There is no cap on their number.
"""

from __future__ import annotations

from nianbao.check.claims import check_claims
from nianbao.check.data_rules import check_data, index_orgs
from nianbao.check.rules import rulebook
from nianbao.compute.aggregate import rollup
from nianbao.core.findings import Finding, sort_key


def check_dataset(dataset) -> list[Finding]:
    """Every finding about ``dataset``: reading its files, the rules, the claims and, for
    school-level data, the aggregation and the majors lists. (What the report's outline needs
    and the data lack is found by building the report: ``nianbao.app.checking``.)"""
    book = rulebook(dataset.catalogue)
    orgs = index_orgs(dataset.observations)
    findings = list(dataset.findings)
    findings += check_data(dataset, book, orgs)
    findings += check_claims(dataset, book, orgs.get(dataset.org_unit.code))
    if dataset.orgs is not None:
        findings += _school_level(dataset)
    return sorted(findings, key=sort_key)


def _school_level(dataset) -> list[Finding]:
    """Findings of school-level data beyond the rules: aggregates some schools did not report
    to (aggregate.incomplete), majors outside the 专业目录 or listed twice."""
    return list(rollup(dataset).findings) + list(dataset.majors_findings)


def has_errors(findings) -> bool:
    return any(f.severity == "error" for f in findings)
