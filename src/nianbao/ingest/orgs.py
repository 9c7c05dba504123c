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
import io
from dataclasses import fields
from pathlib import Path

from nianbao.core.findings import Finding, FindingsError
from nianbao.core.messages import phrase
from nianbao.core.orgs import COLUMNS, LEVELS, STATUSES, Org, Registry, org_finding
from nianbao.ingest.files import read_text


def _year(text: str | None, row_no: int, column: str, path: Path, problems: list[Finding]) -> int | None:
    text = (text or "").strip()
    if not text:
        return None
    if len(text) == 4 and text.isdigit():
        return int(text)
    problems.append(org_finding("orgs.bad_year", file=path.name,
                                cell=phrase("where.row_column", row=row_no, column=column),
                                text={"row": row_no, "column": column, "raw": text}))
    return None


def read_orgs(path: Path, notes: list[Finding] | None = None) -> Registry:
    """The registry of orgs.csv; raises FindingsError listing every bad row. ``notes`` receives
    the warnings of reading the file (control characters removed from a name)."""
    orgs: list[Org] = []
    problems: list[Finding] = []
    seen: dict[str, int] = {}
    text, found = read_text(path)
    if notes is not None:
        notes.extend(found)
    for row_no, row in enumerate(csv.DictReader(io.StringIO(text, newline="")), start=2):
        code = (row.get("code") or "").strip()
        level = (row.get("level") or "").strip()
        where = phrase("where.row", row=row_no)
        text = {"row": row_no, "code": code}
        if not code or level not in LEVELS:
            problems.append(org_finding("orgs.bad_row", file=path.name, cell=where, text={
                **text, "level": level or phrase("value.blank"), "levels": LEVELS}))
            continue
        if level == "school" and not (len(code) == 10 and code.isdigit()):
            problems.append(org_finding("orgs.bad_school_code", file=path.name, cell=where, text=text))
            continue
        if code in seen:
            problems.append(org_finding("orgs.duplicate", file=path.name, cell=where,
                                        text={**text, "first": seen[code]}))
            continue
        seen[code] = row_no
        status = (row.get("status") or "active").strip()
        if status not in STATUSES:
            problems.append(org_finding("orgs.bad_status", file=path.name, cell=where,
                                        text={**text, "status": status, "statuses": STATUSES}))
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
