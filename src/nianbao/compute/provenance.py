"""Where an aggregated figure comes from, in the words the report's appendix and hover text print
(the ``source`` and ``origin`` of an Observation) — the same for the Python roll-up and for the
figures an SQL engine sums."""

from __future__ import annotations

SUMMED = "学校数据汇总"
REGISTRY = "机构表（orgs.csv）"
MAJORS = "专业表汇总"
MAJORS_FILE = "专业表 majors.csv"


def summed_origin(n: int, expected: int, scope: str) -> str:
    """"34所学校数据合计", "31所学校数据合计（不含技工学校），2所未报送"."""
    text = f"{int(n)}所学校数据合计"
    if scope == "excl_technical":
        text += "（不含技工学校）"
    if expected > n:
        text += f"，{int(expected - n)}所未报送"
    return text


def registry_origin(period: int) -> str:
    return f"机构表中{period}年在办学校计数"


def majors_origin(n: int | None = None, expected: int | None = None, scope: str = "all") -> str:
    """A school's own majors table, or the majors of a unit's schools."""
    if n is None:
        return MAJORS_FILE
    return summed_origin(n, expected, scope) + f"（{MAJORS_FILE}）"
