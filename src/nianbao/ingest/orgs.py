"""The registry of organisation units (机构): province → city → county → school.

``orgs.csv`` in a dataset folder, one unit a row:

    code, zh, en, level, parent, county, affiliation, ownership, school_type, founded, status,
    closed[, profile]

``code`` is text everywhere: GB/T 2260 six-digit codes for areas, the ten-digit 学校标识码 for
schools (leading zeros kept; never converted to a number). ``parent`` is the unit above; for a
school it is usually its county, but a school run by the city may name the city as parent and
give its location in ``county``. ``affiliation`` (省属/市属/县属), ``ownership`` (公办/民办) and
``school_type`` take the category codes of dimensions.yaml. ``profile`` is optional and names a
school's profile where a standard sets different thresholds (e.g. engineering_medical).
Merged and closed schools stay in the registry with their status and the year they closed, so
history keeps its figures.
"""

from __future__ import annotations

import csv
from dataclasses import fields
from pathlib import Path

from nianbao.core.findings import Finding, FindingsError
from nianbao.core.orgs import COLUMNS, LEVELS, STATUSES, Org, Registry, org_finding


def _year(text: str | None, row_no: int, column: str, path: Path, problems: list[Finding]) -> int | None:
    text = (text or "").strip()
    if not text:
        return None
    if len(text) == 4 and text.isdigit():
        return int(text)
    problems.append(org_finding("orgs.bad_year", "error", f"机构表第{row_no}行 {column} 列“{text}”不是四位年份",
                             f"orgs row {row_no}: {column} '{text}' is not a year", "填写如 1985，或留空",
                             file=path.name, cell=f"第{row_no}行 {column}列"))
    return None


def read_orgs(path: Path) -> Registry:
    orgs: list[Org] = []
    problems: list[Finding] = []
    seen: dict[str, int] = {}
    with path.open(encoding="utf-8-sig", newline="") as f:
        for row_no, row in enumerate(csv.DictReader(f), start=2):
            code = (row.get("code") or "").strip()
            level = (row.get("level") or "").strip()
            where = f"第{row_no}行"
            if not code or level not in LEVELS:
                problems.append(org_finding("orgs.bad_row", "error",
                                         f"机构表第{row_no}行缺少代码或层级（{level or '空'}）",
                                         f"orgs row {row_no} lacks a code or a valid level",
                                         f"层级填写 {', '.join(LEVELS)} 之一", file=path.name, cell=where))
                continue
            if level == "school" and not (len(code) == 10 and code.isdigit()):
                problems.append(org_finding("orgs.bad_school_code", "error",
                                         f"学校标识码“{code}”应为10位数字（第{row_no}行）",
                                         f"school identifier '{code}' must have 10 digits (row {row_no})",
                                         "学校标识码按文本填写，保留开头的0", file=path.name, cell=where))
                continue
            if code in seen:
                problems.append(org_finding("orgs.duplicate", "error",
                                         f"机构代码 {code} 在第{seen[code]}行已登记过（第{row_no}行）",
                                         f"org code {code} already on row {seen[code]} (row {row_no})",
                                         "每个单位只登记一行", file=path.name, cell=where))
                continue
            seen[code] = row_no
            status = (row.get("status") or "active").strip()
            if status not in STATUSES:
                problems.append(org_finding("orgs.bad_status", "error", f"机构表第{row_no}行状态“{status}”无效",
                                         f"orgs row {row_no}: unknown status '{status}'",
                                         f"状态填写 {', '.join(STATUSES)} 之一", file=path.name, cell=where))
                continue
            founded = _year(row.get("founded"), row_no, "founded", path, problems)
            closed = _year(row.get("closed"), row_no, "closed", path, problems)
            orgs.append(Org(code=code, zh=(row.get("zh") or "").strip(), en=(row.get("en") or "").strip(),
                            level=level, parent=(row.get("parent") or "").strip(),
                            county=(row.get("county") or "").strip(),
                            affiliation=(row.get("affiliation") or "").strip(),
                            ownership=(row.get("ownership") or "").strip(),
                            school_type=(row.get("school_type") or "").strip(),
                            founded=founded, status=status, closed=closed,
                            profile=(row.get("profile") or "").strip()))
    if problems:
        raise FindingsError(problems)
    return Registry(orgs)


def write_orgs(path: Path, orgs) -> None:
    """Write a registry as orgs.csv (UTF-8, codes as text, empty for missing values)."""
    names = [f.name for f in fields(Org)]
    assert tuple(names) == COLUMNS
    with Path(path).open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(COLUMNS)
        for o in orgs:
            w.writerow(["" if getattr(o, n) is None else str(getattr(o, n)) for n in COLUMNS])
