"""The rows of values.csv (or of a values sheet) and of claims.csv, read into observations and
claims; each bad row is a finding naming its file, line and column."""

from __future__ import annotations

import csv
from pathlib import Path

from nianbao.core.findings import Finding, FindingsError, Location
from nianbao.core.observations import Claim, Observation, parse_dims
from nianbao.core.orgs import Registry
from nianbao.ingest.values import parse_value

VALUE_COLUMNS = ("element", "dims", "period", "scope", "value", "source")


def read_error(path: Path, what_zh: str, what_en: str, hint: str) -> FindingsError:
    return FindingsError([Finding(code="dataset.unreadable", severity="error", message_zh=what_zh,
                                  message_en=what_en, hint=hint, location=Location(file=str(path)))])


def _csv_location(file, row, column="") -> Location:
    return Location(file=file, cell=f"第{row}行{(' ' + column + '列') if column else ''}")


def _error(code, zh, en, hint, file, row, column="", locate=None, **values) -> Finding:
    loc = (locate or _csv_location)(file, row, column)
    return Finding(code=code, severity="error", message_zh=zh, message_en=en, hint=hint,
                   location=loc, values=values)


def read_values(path: Path, catalogue, org_code: str, orgs: Registry | None = None
                ) -> tuple[list[Observation], list[Finding]]:
    """Read values.csv. An optional column ``org_unit`` names the unit of each row (a school's
    学校标识码, kept as text); rows without it belong to the dataset's own unit."""
    try:
        with path.open(encoding="utf-8-sig", newline="") as f:
            reader = csv.DictReader(f)
            return read_value_rows(reader.fieldnames or [], enumerate(reader, start=2), path.name,
                                   catalogue, org_code, orgs)
    except UnicodeDecodeError:
        raise not_utf8(path) from None


def not_utf8(path: Path) -> FindingsError:
    return read_error(path, f"{path.name} 不是 UTF-8 编码（可能是 GBK）", f"{path.name} is not UTF-8 (GBK?)",
                       "用 Excel 或 WPS“另存为”CSV UTF-8 格式后再试")


def read_value_rows(fieldnames, rows, name: str, catalogue, org_code: str, orgs: Registry | None = None,
                    locate=None) -> tuple[list[Observation], list[Finding]]:
    """Turn rows (row number, {column: raw value}) of values.csv or of a values sheet into
    observations and findings. ``locate(file, row, column)`` gives a finding's Location."""
    locate = locate or _csv_location
    observations: list[Observation] = []
    findings: list[Finding] = []
    seen: dict[tuple, int] = {}
    missing = [c for c in ("element", "period", "value") if c not in (fieldnames or [])]
    if missing:
        raise FindingsError([_error("dataset.columns", f"{name} 缺少列：{'、'.join(missing)}",
                                    f"{name} lacks columns: {', '.join(missing)}",
                                    f"第一行应为列名：{','.join(VALUE_COLUMNS)}", name, 1, locate=locate,
                                    missing=missing)])
    for row_no, row in rows:
        code = str(row.get("element") or "").strip()
        if not code or code.startswith("#"):
            continue
        el = catalogue.elements.get(code)
        if el is None:
            findings.append(_error("dataset.unknown_element", f"目录中没有数据元素“{code}”",
                                   f"unknown data element '{code}'", "检查拼写，或在目录 elements.yaml 中增加该项",
                                   name, row_no, "element", locate=locate, element=code))
            continue
        try:
            dims = parse_dims(str(row.get("dims") or ""))
        except ValueError as exc:
            findings.append(_error("dataset.bad_dims", f"分组“{exc}”应写成 维度=类别",
                                   f"disaggregation '{exc}' must read dim=category", "例如 degree=master",
                                   name, row_no, "dims", locate=locate))
            continue
        bad = [f"{d}={c}" for d, c in dims
               if d not in el.dims or c not in catalogue.dimensions[d]["categories"]]
        if bad:
            findings.append(_error("dataset.bad_dims", f"{el.zh}没有分组 {'、'.join(bad)}",
                                   f"{el.en} has no disaggregation {', '.join(bad)}",
                                   f"可用分组：{', '.join(el.dims) or '无'}", name, row_no, "dims", locate=locate))
            continue
        try:
            period = int(str(row.get("period", "")).strip())
        except ValueError:
            findings.append(_error("dataset.bad_period", f"年份“{row.get('period')}”不是四位年份",
                                   f"period '{row.get('period')}' is not a year", "填写如 2020",
                                   name, row_no, "period", locate=locate))
            continue
        unit = str(row.get("org_unit") or "").strip() or org_code
        if unit != org_code and (orgs is None or unit not in orgs):
            findings.append(_error("dataset.unknown_org", f"机构“{unit}”不在机构表 orgs.csv 中",
                                   f"org unit '{unit}' is not in orgs.csv", "先在 orgs.csv 中登记该单位",
                                   name, row_no, "org_unit", locate=locate, org_unit=unit))
            continue
        scope = str(row.get("scope") or "").strip() or "unstated"
        if scope not in catalogue.meta.get("scopes", {}):
            findings.append(_error("dataset.bad_scope", f"口径“{scope}”未定义", f"unknown scope '{scope}'",
                                   f"可用口径：{', '.join(catalogue.meta.get('scopes', {}))}",
                                   name, row_no, "scope", locate=locate))
            continue
        source = str(row.get("source") or "").strip()
        loc = locate(name, row_no, "value")
        loc.section = source
        parsed = parse_value(row.get("value"), el.type, element=el, location=loc, required=True)
        for fd in parsed.findings:
            fd.period = period
            fd.org_unit = unit
        findings.extend(parsed.findings)
        if not parsed.ok:
            continue
        key = (unit, code, dims, period, scope)
        if key in seen:
            findings.append(_error("dataset.duplicate", f"{el.zh} {period}年 在第{seen[key]}行已填写过",
                                   f"{el.en} {period} already given on row {seen[key]}", "删除重复的一行",
                                   name, row_no, locate=locate))
            continue
        seen[key] = row_no
        observations.append(Observation(element=code, dims=dims, period=period, scope=scope,
                                        value=parsed.value, org_unit=unit, source=source,
                                        origin=f"{name}:{row_no}"))
    return observations, findings


def read_claims(path: Path) -> list[Claim]:
    """Read claims.csv (target, dims, period, stated, location, scope, base_period, note[, form]).
    A row whose period cannot be read is kept with ``problem`` set, for the check to report."""
    try:
        return _read_claims(path)
    except UnicodeDecodeError:
        raise not_utf8(path) from None


def _read_claims(path: Path) -> list[Claim]:
    claims = []
    with path.open(encoding="utf-8-sig", newline="") as f:
        reader = csv.DictReader(f)
        missing = [c for c in ("target", "period", "stated") if c not in (reader.fieldnames or [])]
        if missing:
            raise FindingsError([_error("claims.columns", f"{path.name} 缺少列：{'、'.join(missing)}",
                                        f"{path.name} lacks columns: {', '.join(missing)}",
                                        "第一行应为列名：target,dims,period,stated,location,scope,base_period,note",
                                        path.name, 1, missing=missing)])
        for row_no, row in enumerate(reader, start=2):
            target = (row.get("target") or "").strip()
            if not target or target.startswith("#"):
                continue
            problem = ""
            try:
                period = int((row.get("period") or "").strip())
            except ValueError:
                period, problem = 0, f"period={row.get('period')!r}"
            base = (row.get("base_period") or "").strip()
            try:
                base_period = int(base) if base else None
            except ValueError:
                base_period, problem = None, f"base_period={base!r}"
            claims.append(Claim(target=target, period=period, stated=(row.get("stated") or "").strip(),
                                location=(row.get("location") or "").strip(),
                                scope=(row.get("scope") or "").strip(), base_period=base_period,
                                note=(row.get("note") or "").strip(), row=row_no,
                                dims=(row.get("dims") or "").strip(), form=(row.get("form") or "").strip(),
                                problem=problem))
    return claims
