"""The registry of organisation units (机构): province → city → county → school.

``orgs.csv`` in a dataset folder, one unit a row:

    code, zh, en, level, parent, county, affiliation, ownership, school_type, founded, status, closed

``code`` is text everywhere: GB/T 2260 six-digit codes for areas, the ten-digit 学校标识码 for
schools (leading zeros kept). Merged and closed schools stay in the registry with their status,
so history keeps its figures.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from nianbao.check.findings import Finding, FindingsError, Location

LEVELS = ("province", "city", "county", "school")
LEVEL_ZH = {"province": "省", "city": "市", "county": "县（区）", "school": "学校"}


@dataclass(frozen=True)
class Org:
    code: str
    zh: str
    en: str
    level: str
    parent: str = ""
    county: str = ""  # GB/T 2260 code of the county (schools)
    affiliation: str = ""  # provincial / municipal / county
    ownership: str = ""  # public / private
    school_type: str = ""  # regular_specialized / vocational_high / adult_specialized / technical / attached_class
    founded: int | None = None
    status: str = "active"  # active / merged / closed
    closed: int | None = None  # year it stopped operating

    @property
    def counts_as_school(self) -> bool:
        """附设中职班 are counted in students and teachers but not as schools."""
        return self.level == "school" and self.school_type != "attached_class"

    def active_in(self, year: int) -> bool:
        if self.founded and year < self.founded:
            return False
        return not (self.closed and year >= self.closed)


class Registry:
    def __init__(self, orgs: list[Org]):
        self.orgs = {o.code: o for o in orgs}

    def __iter__(self):
        return iter(self.orgs.values())

    def __contains__(self, code: str) -> bool:
        return code in self.orgs

    def get(self, code: str) -> Org | None:
        return self.orgs.get(code)

    def children(self, code: str) -> list[Org]:
        return [o for o in self.orgs.values() if o.parent == code]

    def schools(self, under: str | None = None) -> list[Org]:
        """Schools below ``under`` (any depth), or all schools."""
        out = []
        for o in self.orgs.values():
            if o.level != "school":
                continue
            if under is None or under in self.ancestors(o.code):
                out.append(o)
        return sorted(out, key=lambda o: o.code)

    def ancestors(self, code: str) -> list[str]:
        out, seen = [], set()
        o = self.orgs.get(code)
        while o and o.parent and o.parent not in seen:
            out.append(o.parent)
            seen.add(o.parent)
            o = self.orgs.get(o.parent)
        return out


def _int(text: str | None) -> int | None:
    text = (text or "").strip()
    return int(text) if text else None


def read_orgs(path: Path) -> Registry:
    orgs: list[Org] = []
    problems: list[Finding] = []
    with path.open(encoding="utf-8-sig", newline="") as f:
        for row_no, row in enumerate(csv.DictReader(f), start=2):
            code = (row.get("code") or "").strip()
            level = (row.get("level") or "").strip()
            if not code or level not in LEVELS:
                problems.append(Finding(
                    code="orgs.bad_row", severity="error",
                    message_zh=f"机构表第{row_no}行缺少代码或层级（{level or '空'}）",
                    message_en=f"orgs row {row_no} lacks a code or a valid level",
                    hint=f"层级填写 {', '.join(LEVELS)} 之一", location=Location(file=path.name, cell=f"第{row_no}行")))
                continue
            if level == "school" and not (len(code) == 10 and code.isdigit()):
                problems.append(Finding(
                    code="orgs.bad_school_code", severity="error",
                    message_zh=f"学校标识码“{code}”应为10位数字（第{row_no}行）",
                    message_en=f"school identifier '{code}' must have 10 digits (row {row_no})",
                    hint="学校标识码按文本填写，保留开头的0", location=Location(file=path.name, cell=f"第{row_no}行")))
                continue
            orgs.append(Org(code=code, zh=row.get("zh", "").strip(), en=row.get("en", "").strip(), level=level,
                            parent=(row.get("parent") or "").strip(), county=(row.get("county") or "").strip(),
                            affiliation=(row.get("affiliation") or "").strip(),
                            ownership=(row.get("ownership") or "").strip(),
                            school_type=(row.get("school_type") or "").strip(),
                            founded=_int(row.get("founded")), status=(row.get("status") or "active").strip(),
                            closed=_int(row.get("closed"))))
    if problems:
        raise FindingsError(problems)
    return Registry(orgs)
