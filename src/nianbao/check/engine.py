"""``check_dataset``: every finding about a dataset, in one deterministic order.

Findings from reading the files come first in the pipeline, then the rules of rules.yaml — each
kind by its registered handler (nianbao.check.kinds), per org unit or once for the dataset (the
claims of a published report) — and for school-level data the findings of aggregation and of the
majors lists. There is no cap on their number.
"""

from __future__ import annotations

from nianbao.check.context import Context
from nianbao.check.registry import KINDS
from nianbao.check.rules import RuleBook, rulebook
from nianbao.compute.aggregate import rollup
from nianbao.core.findings import Finding, sort_key


def check_rules(dataset, book: RuleBook | None = None, orgs=None, data_only: bool = False) -> list[Finding]:
    """The findings of every rule of the rule book about ``dataset``; with ``data_only``, only the
    rules about the figures of each org unit (not the claims of a published report)."""
    ctx = Context(dataset, book or rulebook(dataset.catalogue), orgs)
    handlers = [(kind, kind.handler(ctx, rules)) for kind in KINDS.values()
                if (rules := ctx.book.of_kind(kind.name)) and not (data_only and kind.per != "org")]
    findings: list[Finding] = []
    for data in ctx.orgs.values():
        for kind, handler in handlers:
            if kind.per == "org":
                findings.extend(handler.check(data))
    for kind, handler in handlers:
        if kind.per == "dataset":
            findings.extend(handler.check(None))
    return findings


def check_dataset(dataset) -> list[Finding]:
    """Every finding about ``dataset``: reading its files, the rules, the claims and, for
    school-level data, the aggregation and the majors lists. (What the report's outline needs
    and the data lack is found by building the report: ``nianbao.app.checking``.)"""
    findings = list(dataset.findings) + check_rules(dataset)
    if dataset.orgs is not None:
        findings += _school_level(dataset)
    return sorted(findings, key=sort_key)


def _school_level(dataset) -> list[Finding]:
    """Findings of school-level data beyond the rules: aggregates some schools did not report
    to (aggregate.incomplete), majors outside the 专业目录 or listed twice."""
    return list(rollup(dataset).findings) + list(dataset.majors_findings)


def has_errors(findings) -> bool:
    return any(f.severity == "error" for f in findings)
