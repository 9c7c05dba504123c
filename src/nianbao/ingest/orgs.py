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
    rows = csv.reader(io.StringIO(text, newline=""))
    header = next(rows, [])
    at = {name: i for i, name in enumerate(header)}  # a repeated name: its last column
    width = len(header)
    # each column's place in a record padded to the header's width, a missing column the blank after it
    (i_code, i_zh, i_en, i_level, i_parent, i_county, i_affiliation, i_ownership, i_school_type, i_founded,
     i_status, i_closed, i_profile) = (at.get(name, width) for name in (
        "code", "zh", "en", "level", "parent", "county", "affiliation", "ownership", "school_type", "founded",
        "status", "closed", "profile"))
    pad = [""] * (width + 1)
    # a record's number counts the records, blank lines left out (as csv.DictReader reads them)
    for row_no, row in enumerate((r for r in rows if r), start=2):
        status_raw = row[i_status] if i_status < len(row) else ""
        row = [v.strip() for v in row[:width]]
        row += pad[len(row):]
        code, level = row[i_code], row[i_level]
        bad_code = level == "school" and not (len(code) == 10 and code.isdigit())
        if not code or level not in LEVELS or bad_code or code in seen:
            where, text = phrase("where.row", row=row_no), {"row": row_no, "code": code}
            if not code or level not in LEVELS:
                problems.append(org_finding("orgs.bad_row", file=path.name, cell=where, text={
                    **text, "level": level or phrase("value.blank"), "levels": LEVELS}))
            elif bad_code:
                problems.append(org_finding("orgs.bad_school_code", file=path.name, cell=where, text=text))
            else:
                problems.append(org_finding("orgs.duplicate", file=path.name, cell=where,
                                            text={**text, "first": seen[code]}))
            continue
        seen[code] = row_no
        status = (status_raw or "active").strip()
        if status not in STATUSES:
            problems.append(org_finding("orgs.bad_status", file=path.name, cell=phrase("where.row", row=row_no),
                                        text={"row": row_no, "code": code, "status": status, "statuses": STATUSES}))
            continue
        founded = _year(row[i_founded], row_no, "founded", path, problems)
        closed = _year(row[i_closed], row_no, "closed", path, problems)
        orgs.append(Org(code=code, zh=row[i_zh], en=row[i_en], level=level, parent=row[i_parent],
                        county=row[i_county], affiliation=row[i_affiliation], ownership=row[i_ownership],
                        school_type=row[i_school_type], founded=founded, status=status, closed=closed,
                        profile=row[i_profile]))
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
