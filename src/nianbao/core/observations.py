"""Observations and the other nouns of a dataset: the reported figures (观测值), the org unit a
dataset is about, the figures a published report printed (claims) and the majors a school offers.

A disaggregation (``dims``) is a sorted tuple of (dimension, category) pairs; its canonical text
is ``degree=master,title=junior`` (empty for a total), the same in values.csv, the store and SQL.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from nianbao.core.formula import ref_key


@dataclass(frozen=True)
class OrgUnit:
    code: str
    zh: str
    en: str
    level: str  # province / city / county / school
    parent: str = ""


@dataclass(frozen=True)
class Observation:
    """One reported figure: element (with its disaggregation), period, scope and value."""
    element: str
    dims: tuple[tuple[str, str], ...]
    period: int
    scope: str
    value: float
    org_unit: str
    source: str = ""  # where it was published or reported (section, table)
    origin: str = ""  # file and row or cell it was read from
    step: float = 0.0  # the last printed digit of a figure given in 万 or 亿 (484.78万 → 100); 0: exact

    @property
    def key(self) -> str:
        return ref_key(self.element, self.dims)


@dataclass
class Claim:
    """A figure a report printed, kept as printed so the check can recompute it."""
    target: str  # indicator or element code, with dims
    period: int
    stated: str
    location: str
    scope: str = ""
    base_period: int | None = None  # for stated changes ("比上年增长0.3万元")
    note: str = ""
    row: int = 0
    dims: str = ""  # disaggregation, e.g. "title=senior_vice" (or in brackets in target)
    form: str = ""  # "" or "text": printed in text or a table; "chart": a chart's raw data cell
    problem: str = ""  # why the row could not be read (reported by the check)
    org_unit: str = ""  # the unit the figure is about (a county, a school); "" for the dataset's own


@lru_cache(maxsize=4096)  # a dataset's few disaggregations, read again for every figure
def parse_dims(text: str) -> tuple[tuple[str, str], ...]:
    text = (text or "").strip()
    if not text:
        return ()
    pairs = []
    for part in text.replace("；", ";").replace(";", ",").split(","):
        if "=" not in part:
            raise ValueError(part)
        d, c = part.split("=", 1)
        pairs.append((d.strip(), c.strip()))
    return tuple(sorted(pairs))


def dims_text(dims) -> str:
    """Canonical text of a disaggregation, as in the observations table and compute.sql."""
    return ",".join(f"{d}={c}" for d, c in sorted(dict(dims).items()))


@dataclass(frozen=True)
class MajorPoint:
    org_unit: str
    name: str
    category: str  # category code, e.g. "09" (2010) or "71" (2021)
    version: str  # catalogue version of the category, e.g. "2010"
    code: str = ""
    opened: int | None = None
    closed: int | None = None
    origin: str = ""

    def active_in(self, year: int) -> bool:
        if self.opened and year < self.opened:
            return False
        return not (self.closed and year >= self.closed)

    @property
    def identity(self) -> tuple[str, str]:
        """A major is the same major across schools when version and name agree."""
        return (self.version, self.name)


_ORIGIN = re.compile(r"^(?P<file>.+?\.xls[xm]) (?P<sheet>[^!]+)!(?P<cell>[A-Z]+\d+(?::[A-Z]+\d+)?|\d+行)$")


def origin_location(origin: str) -> tuple[str, str, str] | None:
    """(file, sheet, cell) of a figure read from a workbook (origin "学校.xlsx 办学规模!F4"), else None."""
    m = _ORIGIN.match(origin or "")
    return (m.group("file"), m.group("sheet"), m.group("cell")) if m else None
