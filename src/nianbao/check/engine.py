"""``check_dataset``: every finding about a dataset, in one deterministic order.

Findings from reading the files come first in the pipeline, then the rules of rules.yaml — each
kind by its registered handler (nianbao.check.kinds), per org unit or once for the dataset (the
claims of a published report) — and for school-level data the findings of aggregation and of the
majors lists. There is no cap on their number.

The rules about each org unit's figures run as SQL on the dataset's engine (DuckDB unless
dataset.yaml names another), compiled from rules.yaml by the kinds that compile
(``nianbao.check.rules_sql``); ``engine: python`` (or ``engine="python"``) runs the Python
handlers instead, the reference the compiled SQL is tested against.
"""

from __future__ import annotations

from nianbao.check import rules_sql
from nianbao.check.context import Context
from nianbao.check.registry import KINDS
from nianbao.check.rules import RuleBook, rulebook
from nianbao.compute import aggregation_sql
from nianbao.compute.aggregate import rollup
from nianbao.compute.engines import PYTHON, check_name, summing_engine
from nianbao.core.findings import Finding, sort_key

DEFAULT_ENGINE = "duckdb"  # the data rules run as SQL unless a dataset or a caller asks for python


def rules_engine(dataset, name: str | None = None) -> str:
    """The engine the rules run on: the one a caller names, else the dataset's (``engine:`` in
    dataset.yaml), else DuckDB. On an SQL engine the kinds that compile (``Handler.compile``)
    run as SQL there and the others in Python; ``python`` runs every kind's Python handler —
    the reference the compiled rules are tested against."""
    return check_name(name or dataset.meta.get("engine") or DEFAULT_ENGINE)


def check_rules(dataset, book: RuleBook | None = None, orgs=None, data_only: bool = False,
                engine: str | None = None, url: str | None = None) -> list[Finding]:
    """The findings of every rule of the rule book about ``dataset``; with ``data_only``, only the
    rules about the figures of each org unit (not the claims of a published report). ``orgs``
    (``context.index_orgs``) checks those figures instead of the dataset's; ``engine`` and
    ``url`` as ``rules_engine`` and ``store.engines.connect`` take them."""
    ctx = Context(dataset, book or rulebook(dataset.catalogue), orgs)
    handlers = [(kind, kind.handler(ctx, rules)) for kind in KINDS.values()
                if (rules := ctx.book.of_kind(kind.name)) and not (data_only and kind.per != "org")]
    name = rules_engine(dataset, engine)
    ctx.engine, ctx.url = name, url
    python = [(k, h) for k, h in handlers if k.per == "org"]
    findings: list[Finding] = []
    if name != PYTHON:
        compiled = [(h, c) for _, h in python if (c := h.compile()) is not None]
        python = [(k, h) for k, h in python if all(h is not x for x, _ in compiled)]
        observations = None if orgs is None else [o for d in orgs.values() for o in d.table.values()]
        findings = sorted(rules_sql.check(ctx, compiled, name, url, observations), key=sort_key)
    if python:
        if orgs is None:  # only the units some kind can find something in are made objects
            asked = [h.units() for _, h in python]
            if all(a is not None for a in asked):
                ctx.units = set().union(*asked)
        for data in ctx.orgs.values():
            for _, handler in python:
                findings.extend(handler.check(data))
    if name != PYTHON:  # in the order of the Python path: by org unit, then kind
        order = {k.name: i for i, k in enumerate(KINDS.values())}
        kind_of = {r.code: order[r.kind] for r in ctx.book.rules}
        findings.sort(key=lambda f: (f.org_unit, kind_of.get(f.code, 0)))
    for kind, handler in handlers:
        if kind.per == "dataset":
            findings.extend(handler.check(None))
    return findings


def check_dataset(dataset, engine: str | None = None, url: str | None = None) -> list[Finding]:
    """Every finding about ``dataset``: reading its files, the rules, the claims and, for
    school-level data, the aggregation and the majors lists. (What the report's outline needs
    and the data lack is found by building the report: ``nianbao.app.checking``.)"""
    findings = list(dataset.findings) + check_rules(dataset, engine=engine, url=url)
    if dataset.orgs is not None:
        findings += _school_level(dataset, rules_engine(dataset, engine), url)
    return sorted(findings, key=sort_key)


def _school_level(dataset, engine: str, url: str | None = None) -> list[Finding]:
    """Findings of school-level data beyond the rules: aggregates some schools did not report
    to (aggregate.incomplete), majors outside the 专业目录 or listed twice. On a server or a
    cluster they are found there (``compute.aggregation_sql``) unless a unit above the schools
    gave figures of its own: their sums and reconciliations are the Python roll-up's, as are
    the sums on the engines in this process (``compute.engines.IN_PROCESS``)."""
    if summing_engine(engine) != PYTHON and not aggregation_sql.has_area_figures(dataset):
        return aggregation_sql.findings(dataset, engine, url) + list(dataset.majors_findings)
    return list(rollup(dataset).findings) + list(dataset.majors_findings)


def has_errors(findings) -> bool:
    return any(f.severity == "error" for f in findings)
