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
from pathlib import Path

from nianbao.catalogue.majors import MajorCatalogue
from nianbao.core.findings import Finding, Location
from nianbao.core.observations import MajorPoint

COLUMNS = ("org_unit", "code", "name", "category", "opened", "closed")


def _f(code, severity, zh, en, hint, file, row, column="", **values) -> Finding:
    return Finding(code=code, severity=severity, message_zh=zh, message_en=en, hint=hint,
                   location=Location(file=file, cell=f"第{row}行{(' ' + column + '列') if column else ''}"),
                   org_unit=values.pop("org_unit", ""), values=values)


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
    with Path(path).open(encoding="utf-8-sig", newline="") as f:
        reader = csv.DictReader(f)
        missing = [c for c in ("org_unit", "name", "category") if c not in (reader.fieldnames or [])]
        if missing:
            findings.append(_f("majors.columns", "error", f"{name} 缺少列：{'、'.join(missing)}",
                               f"{name} lacks columns: {', '.join(missing)}",
                               f"第一行应为列名：{','.join(COLUMNS)}", name, 1))
            return points, findings
        for row_no, row in enumerate(reader, start=2):
            org = (row.get("org_unit") or "").strip()
            major = (row.get("name") or "").strip()
            if not org and not major:
                continue
            if orgs is not None and (orgs.get(org) is None or orgs.get(org).level != "school"):
                findings.append(_f("majors.unknown_school", "error", f"专业表中的学校“{org}”不在机构表中",
                                   f"school '{org}' of the majors table is not in orgs.csv",
                                   "学校标识码按文本填写10位数字，并先在 orgs.csv 中登记", name, row_no, "org_unit",
                                   org_unit=org))
                continue
            if not major:
                findings.append(_f("majors.no_name", "error", "专业名称未填写", "the major has no name",
                                   "填写专业目录中的专业名称", name, row_no, "name", org_unit=org))
                continue
            raw_cat = (row.get("category") or "").strip()
            category = cat.category(raw_cat)
            if category is None:
                findings.append(_f("majors.unknown_category", "error",
                                   f"专业“{major}”的专业大类“{raw_cat}”不在专业目录中",
                                   f"category '{raw_cat}' of major '{major}' is not in the catalogue of majors",
                                   "填写专业大类代码（2010年目录 01–19，2021年目录 61–79）或名称",
                                   name, row_no, "category", org_unit=org, category=raw_cat))
                continue
            opened, closed = _year(row.get("opened", "")), _year(row.get("closed", ""))
            for col, value, parsed in (("opened", row.get("opened"), opened), ("closed", row.get("closed"), closed)):
                if (value or "").strip() and parsed is None:
                    findings.append(_f("majors.bad_year", "error", f"{col} 列“{value}”不是四位年份",
                                       f"{col} '{value}' is not a year", "填写如 2020，或留空", name, row_no, col,
                                       org_unit=org))
            version = cat.category_version[category]
            key = (org, version, major)
            if key in seen:
                findings.append(_f("majors.duplicate", "error", f"专业“{major}”在第{seen[key]}行已登记过",
                                   f"major '{major}' already on row {seen[key]}", "删除重复的一行",
                                   name, row_no, org_unit=org))
                continue
            seen[key] = row_no
            if cat.is_listed(category, major) is False:
                findings.append(_f("majors.unknown", "warning",
                                   f"专业“{major}”不在专业目录（{version}年版）{cat.label(category)}的专业名单中，已按所填大类计入",
                                   f"major '{major}' is not listed under {category} in the {version} catalogue; "
                                   "counted in the category given",
                                   "核对专业名称是否与目录一致；目录外专业可保留", name, row_no, "name",
                                   org_unit=org, major=major, category=category))
            points.append(MajorPoint(org_unit=org, name=major, category=category, version=version,
                                     code=(row.get("code") or "").strip(), opened=opened, closed=closed,
                                     origin=f"{name}:{row_no}"))
    return points, findings
