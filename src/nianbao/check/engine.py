"""``check_dataset``: every finding about a dataset, in one deterministic order.

Findings from reading the files come first in the pipeline, then the data rules of rules.yaml
(per org unit), then the claims of a published report. There is no cap on their number.
"""

from __future__ import annotations

from nianbao.check.claims import check_claims
from nianbao.check.data_rules import check_data, index_orgs
from nianbao.check.findings import Finding, sort_key
from nianbao.check.rules import rulebook


def check_dataset(dataset) -> list[Finding]:
    book = rulebook(dataset.catalogue)
    orgs = index_orgs(dataset.observations)
    findings = list(dataset.findings)
    findings += check_data(dataset, book, orgs)
    findings += check_claims(dataset, book, orgs.get(dataset.org_unit.code))
    return sorted(findings, key=sort_key)


def has_errors(findings) -> bool:
    return any(f.severity == "error" for f in findings)
