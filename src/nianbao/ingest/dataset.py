"""A dataset folder: the figures of one organisation unit (a city, a county, a school) for
several years, as plain files a person can read and diff.

    dataset.yaml      who, which years, which catalogue version (catalogue_root: a folder of own
                      versions) and outline
    catalogue/*.yaml  the dataset's own additions to that version (nianbao.catalogue)
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
from nianbao.core.findings import Finding, Location
from nianbao.core.messages import finding, phrase
from nianbao.core.observations import Claim, MajorPoint, Observation, OrgUnit, parse_dims  # noqa: F401
from nianbao.core.orgs import Registry
from nianbao.ingest import records
from nianbao.ingest.majors import read_majors
from nianbao.ingest.orgs import read_orgs
from nianbao.ingest.rows import catalogue_error, read_claims_checked, read_error, read_values
from nianbao.ingest.xlsx_values import read_values_xlsx
from nianbao.store import StoreError, merge_into
from nianbao.store import major_points as stored_major_points


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
    majors: list[MajorPoint] = field(default_factory=list)  # majors.csv and the stored workbook lists
    majors_findings: list[Finding] = field(default_factory=list)  # problems of majors.csv rows
    school_narratives: dict[str, dict[str, str]] = field(default_factory=dict)  # 学校标识码 → id → text
    own_standards: dict[str, dict] = field(default_factory=dict)  # the dataset's standards.yaml

    @property
    def title(self) -> str:
        return self.meta.get("title_zh") or phrase("dataset.title", org=self.org_unit.zh, year=self.report_year)


def load_dataset(path: str | Path) -> Dataset:
    """Read a dataset folder. Unreadable input raises FindingsError with one clear finding;
    readable input with bad rows keeps the good rows and lists the bad ones in ``findings``."""
    path = Path(path)
    meta_path = path / "dataset.yaml"
    if not path.is_dir():
        raise read_error(path, "no_folder")
    if not meta_path.exists():
        raise read_error(meta_path, "no_meta", path=str(path))
    try:
        meta = yaml.safe_load(meta_path.read_text(encoding="utf-8")) or {}
        org = meta["org_unit"]
        org_unit = OrgUnit(code=str(org["code"]), zh=org["zh"], en=org.get("en", ""),
                           level=org.get("level", "city"), parent=str(org.get("parent", "")))
        report_year = int(meta["report_year"])
        periods = [int(p) for p in meta.get("periods", [report_year])]
    except (yaml.YAMLError, KeyError, TypeError, ValueError) as exc:
        raise read_error(meta_path, "bad_meta", error=str(exc)) from None
    try:  # the version dataset.yaml names, with the dataset's own catalogue/*.yaml laid over it
        root = meta.get("catalogue_root")
        catalogue = cat_mod.for_dataset(meta.get("catalogue", "cn-2016"), path, path / root if root else None)
    except cat_mod.CatalogueError as exc:
        raise catalogue_error(exc, meta_path) from None

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
            ds.observations, ds.findings = read_values_xlsx(values_path, catalogue, org_unit.code, ds.orgs)
        else:
            ds.observations, ds.findings = read_values(values_path, catalogue, org_unit.code, ds.orgs)
    # figures imported from school workbooks (nianbao import) replace values.csv by school-year
    ds.observations, stored_findings = merge_into(path, ds.observations, catalogue, ds.orgs)
    ds.findings.extend(stored_findings)
    if (path / records.FOLDER).is_dir():  # student and graduate records, counted school by school
        _count_records(ds)
    claims_path = path / "claims.csv"
    if claims_path.exists():
        ds.claims, claim_findings = read_claims_checked(claims_path, meta.get("claims_columns") or ())
        ds.findings.extend(claim_findings)
    for md in sorted((path / "narrative").glob("*.md")):
        ds.narratives[md.stem] = md.read_text(encoding="utf-8").strip()
    for folder in sorted(p for p in (path / "narrative").glob("*") if p.is_dir()):
        ds.school_narratives[folder.name] = {md.stem: md.read_text(encoding="utf-8").strip()
                                             for md in sorted(folder.glob("*.md"))}
    for tab in sorted((path / "tables").glob("*.csv")):
        with tab.open(encoding="utf-8-sig", newline="") as f:
            ds.static_tables[tab.stem] = list(csv.DictReader(f))
    ds.majors, ds.majors_findings = _majors(ds)
    own = path / "standards.yaml"
    if own.exists():
        try:
            ds.own_standards = (yaml.safe_load(own.read_text(encoding="utf-8")) or {}).get("standards") or {}
        except yaml.YAMLError as exc:
            raise read_error(own, "bad_standards", error=str(exc)) from None
    return ds


def _count_records(ds: Dataset) -> None:
    """The figures counted from ``records/`` replace the same school, element and year of
    values.csv (an info finding says which)."""
    if ds.orgs is not None:
        schools = [o.code for o in ds.orgs.schools()]
    else:
        schools = [ds.org_unit.code] if ds.org_unit.level == "school" else []
    counted = records.count_records(ds.path / records.FOLDER, ds.catalogue, schools)
    ds.findings.extend(counted.findings)
    ds.observations, replaced = records.replace_counted(ds.observations, counted.observations())
    by_unit: dict[tuple[str, int], list[str]] = {}
    for org, element, period in sorted(replaced):
        by_unit.setdefault((org, period), []).append(element)
    files = {rf.period: rf.name for rf in counted.files}
    for (org, period), elements in sorted(by_unit.items()):
        ds.findings.append(finding("records.replaces_values", Location(file=files.get(period, records.FOLDER)),
                                   period=period, org_unit=org, school=org, file=files.get(period, records.FOLDER),
                                   elements=elements))


def _majors(ds: Dataset) -> tuple[list[MajorPoint], list[Finding]]:
    """The major points of a dataset: majors.csv, where the majors lists imported from school
    workbooks (the store) replace a school's rows."""
    path = ds.path / "majors.csv"
    points, findings = read_majors(path, ds.catalogue, ds.orgs) if path.exists() else ([], [])
    try:
        stored = stored_major_points(ds.path, ds.catalogue)
    except StoreError:
        stored = {}  # an unreadable store is reported once, by merge_into (store.unreadable)
    points = [p for p in points if p.org_unit not in stored] + [p for ps in stored.values() for p in ps]
    return points, findings


