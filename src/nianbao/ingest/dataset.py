"""A dataset folder: the figures of one organisation unit (a city, a county, a school) for
several years, as plain files a person can read and diff.

    dataset.yaml      who, which years, which catalogue version and outline
    values.csv        element, dims, period, scope, value, source, note — one reported figure a row
    claims.csv        figures a published report printed, to be recomputed by the check (optional)
    narrative/*.md    text for the outline's narrative blocks, one file per section id
    tables/*.csv      static tables of text (e.g. the curriculum of 表三)
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from nianbao import catalogue as cat_mod
from nianbao.check.findings import Finding, FindingsError, Location
from nianbao.compute.formula import ref_key
from nianbao.ingest.orgs import Registry, read_orgs
from nianbao.ingest.values import parse_value

VALUE_COLUMNS = ("element", "dims", "period", "scope", "value", "source")


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


@dataclass
class Dataset:
    path: Path
    meta: dict[str, Any]
    org_unit: OrgUnit
    report_year: int
    periods: list[int]
    catalogue: cat_mod.Catalogue
    observations: list[Observation] = field(default_factory=list)
    claims: list[Claim] = field(default_factory=list)
    narratives: dict[str, str] = field(default_factory=dict)
    static_tables: dict[str, list[dict[str, str]]] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)  # from reading the files
    orgs: "Registry | None" = None  # the org unit registry (orgs.csv), for school-level data

    @property
    def title(self) -> str:
        return self.meta.get("title_zh") or f"{self.org_unit.zh}中等职业教育质量年度报告（{self.report_year}年度）"


def _read_error(path: Path, what_zh: str, what_en: str, hint: str) -> FindingsError:
    return FindingsError([Finding(code="dataset.unreadable", severity="error", message_zh=what_zh,
                                  message_en=what_en, hint=hint, location=Location(file=str(path)))])


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


def load_dataset(path: str | Path) -> Dataset:
    """Read a dataset folder. Unreadable input raises FindingsError with one clear finding;
    readable input with bad rows keeps the good rows and lists the bad ones in ``findings``."""
    path = Path(path)
    meta_path = path / "dataset.yaml"
    if not path.is_dir():
        raise _read_error(path, f"找不到数据集文件夹 {path}", f"dataset folder {path} not found",
                          "请给出包含 dataset.yaml 的文件夹路径")
    if not meta_path.exists():
        raise _read_error(meta_path, f"{path} 中没有 dataset.yaml，不是 nianbao 数据集",
                          f"{path} has no dataset.yaml; not a nianbao dataset",
                          "数据集文件夹需要 dataset.yaml 说明单位、年份与目录版本")
    try:
        meta = yaml.safe_load(meta_path.read_text(encoding="utf-8")) or {}
        org = meta["org_unit"]
        org_unit = OrgUnit(code=str(org["code"]), zh=org["zh"], en=org.get("en", ""),
                           level=org.get("level", "city"), parent=str(org.get("parent", "")))
        report_year = int(meta["report_year"])
        periods = [int(p) for p in meta.get("periods", [report_year])]
    except (yaml.YAMLError, KeyError, TypeError, ValueError) as exc:
        raise _read_error(meta_path, f"dataset.yaml 无法读取：{exc}", f"dataset.yaml unreadable: {exc}",
                          "dataset.yaml 需要 org_unit（code、zh）与 report_year") from None
    try:
        catalogue = cat_mod.load(meta.get("catalogue", "cn-2016"))
    except cat_mod.CatalogueError as exc:
        raise _read_error(meta_path, str(exc), str(exc), "在 dataset.yaml 中填写可用的目录版本") from None

    ds = Dataset(path=path, meta=meta, org_unit=org_unit, report_year=report_year,
                 periods=sorted(periods), catalogue=catalogue)
    orgs_path = path / "orgs.csv"
    if orgs_path.exists():
        ds.orgs = read_orgs(orgs_path)
    values_path = path / meta.get("values", "values.csv")
    if not values_path.exists() and "values" not in meta and (path / "values.xlsx").exists():
        values_path = path / "values.xlsx"  # a bureau may send the same columns as a workbook
    if values_path.exists():
        if values_path.suffix.lower() in (".xlsx", ".xlsm"):
            from nianbao.ingest.xlsx_values import read_values_xlsx
            ds.observations, ds.findings = read_values_xlsx(values_path, catalogue, org_unit.code, ds.orgs)
        else:
            ds.observations, ds.findings = read_values(values_path, catalogue, org_unit.code, ds.orgs)
    # figures imported from school workbooks (nianbao import) replace values.csv by school-year
    from nianbao.store import merge_into
    ds.observations, stored_findings = merge_into(path, ds.observations)
    ds.findings.extend(stored_findings)
    claims_path = path / "claims.csv"
    if claims_path.exists():
        ds.claims = read_claims(claims_path)
    for md in sorted((path / "narrative").glob("*.md")):
        ds.narratives[md.stem] = md.read_text(encoding="utf-8").strip()
    for tab in sorted((path / "tables").glob("*.csv")):
        with tab.open(encoding="utf-8-sig", newline="") as f:
            ds.static_tables[tab.stem] = list(csv.DictReader(f))
    return ds


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
        raise _not_utf8(path) from None


def _not_utf8(path: Path) -> FindingsError:
    return _read_error(path, f"{path.name} 不是 UTF-8 编码（可能是 GBK）", f"{path.name} is not UTF-8 (GBK?)",
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
        raise _not_utf8(path) from None


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
