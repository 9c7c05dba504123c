"""The use case "standards table" (办学标准达标情况): which school meets which standard, per
criterion and all at once, with the counts and shares of schools for the dataset's unit.

Rows for a screen, CSV or JSON: per school and criterion (``detail_rows``), per criterion
(``summary_rows``, ``criterion_rows``), per school with the criteria it misses (``school_rows``).
"""

from __future__ import annotations

from dataclasses import dataclass

from nianbao.app.errors import UseCaseError
from nianbao.compute.standards import evaluate, load_standards, summarize, threshold_text
from nianbao.core.formatting import number_text

CSV_COLUMNS = ["standard", "org_unit", "school_zh", "period", "criterion", "criterion_zh", "indicator", "value",
               "text", "op", "threshold", "unit", "threshold_note", "verdict", "met"]
SUMMARY_COLUMNS = ["standard", "standard_zh", "org_unit", "period", "criterion", "criterion_zh", "assessed", "met",
                   "no_data", "share"]
VERDICT_ZH = {True: "全部达标", False: "未全部达标", None: "数据不全"}


@dataclass
class StandardsTable:
    """``standards``: id → the standard as standards.yaml gives it (the dataset's own included);
    ``results``: one per school and standard (nianbao.compute.standards.SchoolResult, with a
    verdict per criterion); ``summaries``: one per standard, the counts and shares of schools."""

    standards: dict[str, dict]
    results: list
    summaries: list

    def to_dict(self, summary_only: bool = False) -> dict:
        return {"summary": [s.to_dict() for s in self.summaries],
                "schools": [] if summary_only else [r.to_dict() for r in self.results]}


def standards_table(dataset, standard: str | None = None, period: int | None = None, engine: str | None = None,
                    url: str | None = None) -> StandardsTable:
    """Every school of the registry against every standard (or only ``standard``) for ``period``
    (default: the report year), computed by ``engine`` (``compute.engines``). Raises
    UseCaseError without a registry or for an unknown standard, FindingsError / CatalogueError
    when the dataset's standards.yaml cannot be used, EngineError for an engine that cannot run."""
    stds = load_standards(dataset)
    if dataset.orgs is None:
        raise UseCaseError("数据集没有机构表 orgs.csv，无法逐校核对", "no orgs.csv: no schools to check",
                           "在数据集文件夹中提供 orgs.csv 与各校数据")
    if standard and standard not in stds:
        raise UseCaseError(f"没有标准“{standard}”", f"unknown standard '{standard}'", f"可用：{', '.join(stds)}")
    results = evaluate(dataset, period, standard, engine=engine, url=url)
    return StandardsTable(stds, results, summarize(dataset, results))


def share_text(count) -> str:
    """A count's share of schools as printed (``87.50%``), empty where none was assessed."""
    return "" if count.share is None else number_text(count.share, 2) + "%"


def detail_rows(results) -> list[dict]:
    """One row per school and criterion (the columns of CSV_COLUMNS)."""
    return [{"standard": r.standard, "org_unit": r.org_unit, "school_zh": r.zh, "period": r.period,
             "criterion": v.criterion, "criterion_zh": v.zh, "indicator": v.indicator, "value": v.value,
             "text": v.text, "op": v.op, "threshold": v.threshold, "unit": v.unit_zh,
             "threshold_note": v.threshold_note, "verdict": v.verdict_zh, "met": v.met}
            for r in results for v in r.verdicts]


def summary_rows(summaries) -> list[dict]:
    """One row per standard and criterion, then all criteria at once (SUMMARY_COLUMNS)."""
    out = []
    for s in summaries:
        for c in s.criteria + [s.all]:
            out.append({"standard": s.standard, "standard_zh": s.zh, "org_unit": s.org_unit, "period": s.period,
                        "criterion": c.criterion, "criterion_zh": c.zh, "assessed": c.assessed, "met": c.met,
                        "no_data": c.no_data, "share": c.share})
    return out


def criterion_rows(summary) -> list[dict]:
    """A standard's criteria, then all at once: name, schools assessed, meeting it, the share as
    printed, schools without data (empty when none)."""
    return [{"zh": c.zh, "assessed": c.assessed, "met": c.met, "share": share_text(c), "no_data": c.no_data or ""}
            for c in summary.criteria + [summary.all]]


def school_rows(table: StandardsTable, standard: str) -> list[dict]:
    """Per school of a standard: code, name, verdict (全部达标 / 未全部达标 / 数据不全 / 不适用) and
    the criteria missed, each with its value and threshold, and those without data."""
    rows = []
    for r in (r for r in table.results if r.standard == standard):
        if not r.applicable:
            rows.append({"school": r.zh, "code": r.org_unit, "verdict": "不适用", "missing": r.reason_zh})
            continue
        missed = [f"{v.zh} {v.text}（{threshold_text(v)}）" for v in r.verdicts if v.met is False]
        no_data = [v.zh for v in r.verdicts if v.met is None and not v.informative]
        note = "；".join(missed + ([f"无数据：{'、'.join(no_data)}"] if no_data else []))
        rows.append({"school": r.zh, "code": r.org_unit, "verdict": VERDICT_ZH[r.met_all], "missing": note})
    return rows
