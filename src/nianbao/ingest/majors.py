"""The majors each school offers (专业点), read from ``majors.csv`` in a dataset folder:

    org_unit, code, name, category, opened, closed

``org_unit`` is the school's 学校标识码 (text), ``code`` the major code the school registered
(text, optional), ``category`` the code or the name of its category in a version of the
专业目录 (majors.yaml: 2010 categories 01–19, 2021 大类 61–79), ``opened`` the year the major
first enrolled and ``closed`` the year it stopped (both optional). A major is active in a year
from ``opened`` up to the year before ``closed``.

A major whose name is not in the catalogue file is accepted with a warning; a row whose school
or category is unknown is left out with an error that names the row.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from nianbao.catalogue.majors import MajorCatalogue
from nianbao.core.findings import Finding
from nianbao.core.messages import finding
from nianbao.core.observations import MajorPoint
from nianbao.ingest.files import read_text
from nianbao.ingest.rows import csv_location

COLUMNS = ("org_unit", "code", "name", "category", "opened", "closed")


def _f(key, file, row, column="", org_unit="", text=None, **values) -> Finding:
    return finding(key, csv_location(file, row, column), org_unit=org_unit, text=text, **values)


def _year(text: str) -> int | None:
    text = (text or "").strip()
    return int(text) if len(text) == 4 and text.isdigit() else None


def read_majors(path: Path, catalogue, orgs=None) -> tuple[list[MajorPoint], list[Finding]]:
    """Read majors.csv; rows with an unknown school or category are left out (error)."""
    cat = MajorCatalogue(catalogue.majors or {})
    points: list[MajorPoint] = []
    findings: list[Finding] = []
    seen: dict[tuple, int] = {}
    name = Path(path).name
    text, read_notes = read_text(Path(path))
    findings.extend(read_notes)
    reader = csv.DictReader(io.StringIO(text, newline=""))
    missing = [c for c in ("org_unit", "name", "category") if c not in (reader.fieldnames or [])]
    if missing:
        findings.append(_f("majors.columns", name, 1,
                           text={"file": name, "missing": missing, "columns": ",".join(COLUMNS)}))
        return points, findings
    for row_no, row in enumerate(reader, start=2):
        org = (row.get("org_unit") or "").strip()
        major = (row.get("name") or "").strip()
        if not org and not major:
            continue
        if orgs is not None and (orgs.get(org) is None or orgs.get(org).level != "school"):
            findings.append(_f("majors.unknown_school", name, row_no, "org_unit", org_unit=org,
                               text={"school": org}))
            continue
        if not major:
            findings.append(_f("majors.no_name", name, row_no, "name", org_unit=org))
            continue
        raw_cat = (row.get("category") or "").strip()
        category = cat.category(raw_cat)
        if category is None:
            findings.append(_f("majors.unknown_category", name, row_no, "category", org_unit=org,
                               text={"major": major}, category=raw_cat))
            continue
        opened, closed = _year(row.get("opened", "")), _year(row.get("closed", ""))
        for col, value, parsed in (("opened", row.get("opened"), opened), ("closed", row.get("closed"), closed)):
            if (value or "").strip() and parsed is None:
                findings.append(_f("majors.bad_year", name, row_no, col, org_unit=org,
                                   text={"column": col, "value": value}))
        version = cat.category_version[category]
        key = (org, version, major)
        if key in seen:
            findings.append(_f("majors.duplicate", name, row_no, org_unit=org,
                               text={"major": major, "first": seen[key]}))
            continue
        seen[key] = row_no
        if cat.is_listed(category, major) is False:
            findings.append(_f("majors.unknown", name, row_no, "name", org_unit=org,
                               text={"version": version, "category_label": cat.label(category)},
                               major=major, category=category))
        points.append(MajorPoint(org_unit=org, name=major, category=category, version=version,
                                 code=(row.get("code") or "").strip(), opened=opened, closed=closed,
                                 origin=f"{name}:{row_no}"))
    return points, findings
