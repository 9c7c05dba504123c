"""Where an aggregated figure comes from, in the words the report's appendix and hover text print
(the ``source`` and ``origin`` of an Observation) — the same for the Python roll-up and for the
figures an SQL engine sums. The words are phrases of the error catalogue (phrases/aggregate.yaml)."""

from __future__ import annotations

from nianbao.core.messages import phrase

SUMMED = phrase("aggregate.source")
REGISTRY = phrase("aggregate.registry_source")
MAJORS = phrase("aggregate.majors_source")
MAJORS_FILE = phrase("aggregate.majors_table")
UNITS = phrase("aggregate.units_source")


def summed_origin(n: int, expected: int, scope: str) -> str:
    """"34所学校数据合计", "31所学校数据合计（不含技工学校），2所未报送"."""
    text = phrase("aggregate.origin", n=int(n))
    if scope == "excl_technical":
        text += phrase("aggregate.origin_excl_technical")
    if expected > n:
        text += phrase("aggregate.origin_absent", n=int(expected - n))
    return text


def registry_origin(period: int) -> str:
    return phrase("aggregate.registry_origin", year=period)


def majors_origin(n: int | None = None, expected: int | None = None, scope: str = "all") -> str:
    """A school's own majors table, or the majors of a unit's schools."""
    if n is None:
        return MAJORS_FILE
    return summed_origin(n, expected, scope) + phrase("aggregate.majors_origin")


def units_origin(n: int, expected: int, scope: str) -> str:
    """"3个下级单位数据合计", "2个下级单位数据合计（不含技工学校），1个未报送": a sum of the figures
    of child areas (and of the schools right below the unit)."""
    text = phrase("aggregate.units_origin", n=int(n))
    if scope == "excl_technical":
        text += phrase("aggregate.origin_excl_technical")
    if expected > n:
        text += phrase("aggregate.units_origin_absent", n=int(expected - n))
    return text
