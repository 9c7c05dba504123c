"""A dataset folder: the figures of one organisation unit (a city, a county, a school) for
several years, as plain files a person can read and diff.

    dataset.yaml      who, which years, which catalogue version (catalogue_root: a folder of own
                      versions) and outline; the report year's outline is that of the version in
                      force that year (outline_version: another version of the lineage)
    catalogue/*.yaml  the dataset's own additions to that version (nianbao.catalogue)
    values.csv        element, dims, period, scope, value, source, note — one reported figure a row
    claims.csv        figures a published report printed, to be recomputed by the check (optional)
    narrative/*.md    text for the outline's narrative blocks, one file per section id
    tables/*.csv      static tables of text (e.g. the curriculum of 表三)
"""

from __future__ import annotations

import csv
import io
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
from nianbao.ingest.figures import TABLE as FIGURES_TABLE
from nianbao.ingest.figures import Figures, from_observations, read_values_table
from nianbao.ingest.files import kind_of, read_text, regular_file
from nianbao.ingest.majors import read_majors
from nianbao.ingest.orgs import read_orgs
from nianbao.ingest.rows import catalogue_error, read_claims_checked, read_error, read_values
from nianbao.ingest.xlsx_values import read_values_xlsx
from nianbao.store import StoreError, has_store, merge_into
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

    def figures(self) -> Figures:
        """The dataset's figures as one table of an in-memory DuckDB database (read so from
        values.csv; else made from the observations, once, until they are replaced)."""
        figs = self.__dict__.get("_figures")
        obs = self.__dict__.get("_observations")
        if figs is not None and (obs is None or len(obs) == figs.size):
            return figs
        figs = self.__dict__["_figures"] = from_observations(self.observations)
        return figs

    def has_figures(self) -> bool:
        """Whether the figures are in their table already (no objects to turn into columns)."""
        figs = self.__dict__.get("_figures")
        obs = self.__dict__.get("_observations")
        return figs is not None and (obs is None or len(obs) == figs.size)

    def distinct(self, column: str) -> set:
        """The distinct values of one column of the figures (``org_unit``, ``element``, ``scope``,
        ``period``): asked of their table where they are in it, else of the objects."""
        if column not in ("org_unit", "element", "scope", "period"):
            raise ValueError(f"no column {column!r} of the figures")
        if not self.has_figures():
            return {getattr(o, column) for o in self.observations}
        figs = self.figures()
        cache = self.__dict__.setdefault("_distinct", {})
        if cache.get(column, (None,))[0] is not figs:  # asked once of the table it is in
            cur = figs.cursor()
            try:
                cache[column] = (figs, frozenset(r[0] for r in cur.execute(
                    f"SELECT DISTINCT {column} FROM {FIGURES_TABLE}")))
            finally:
                cur.close()
        return set(cache[column][1])

    def observations_of(self, units, periods=None) -> list[Observation]:
        """The figures of the org units ``units`` (of the years ``periods``, default every year)
        as observations, in the order of the file: made from their table for those alone where
        the figures are in it."""
        units = set(units)
        if not units:
            return []
        if not self.has_figures():
            return [o for o in self.observations if o.org_unit in units and (periods is None or o.period in periods)]
        return self.figures().observations(units, None if periods is None else sorted(set(periods)))

    def units_with_scopes(self, least: int = 2) -> set[str]:
        """The org units that give figures in at least ``least`` scopes (口径)."""
        if not self.has_figures():
            by_unit: dict[str, set] = {}
            for o in self.observations:
                by_unit.setdefault(o.org_unit, set()).add(o.scope)
            return {u for u, s in by_unit.items() if len(s) >= least}
        cur = self.figures().cursor()
        try:
            return {r[0] for r in cur.execute(f"SELECT org_unit FROM {FIGURES_TABLE} GROUP BY org_unit "
                                              f"HAVING COUNT(DISTINCT scope) >= ?", [int(least)])}
        finally:
            cur.close()

    @property
    def title(self) -> str:
        return self.meta.get("title_zh") or phrase("dataset.title", org=self.org_unit.zh, year=self.report_year)


def _get_observations(self) -> list[Observation]:
    obs = self.__dict__.get("_observations")
    if obs is None:  # made from the table on first use
        figs = self.__dict__.get("_figures")
        obs = self.__dict__["_observations"] = figs.observations() if figs is not None else []
    return obs


def _set_observations(self, observations) -> None:
    self.__dict__["_observations"] = observations
    self.__dict__["_figures"] = None  # a table of other figures would no longer be theirs


# the observations: a list of objects, made from the table of figures when first asked for
Dataset.observations = property(_get_observations, _set_observations)  # type: ignore[assignment]


def _set_figures(ds: Dataset, figures: Figures) -> None:
    ds.__dict__["_figures"] = figures
    ds.__dict__["_observations"] = None


def load_dataset(path: str | Path, by_rows: bool = False, engine: str | None = None,
                 url: str | None = None) -> Dataset:
    """Read a dataset folder. Unreadable input raises FindingsError with one clear finding;
    readable input with bad rows keeps the good rows and lists the bad ones in ``findings``.
    values.csv is read into a table of figures (``ingest.figures``), the observations made from
    it when first asked for; ``by_rows`` reads it row by row into observations instead (the
    reference the table is compared to). The student and graduate records (``records/``) are
    counted on ``engine`` — the one a command names (``url``: its database or master URL, as
    ``--database`` gives it) — else on the dataset's (``engine:`` in dataset.yaml), as
    ``records.engine_of`` chooses; an engine that cannot be used raises EngineError."""
    path = Path(path)
    meta_path = path / "dataset.yaml"
    if not path.is_dir():
        raise read_error(path, "no_folder")
    if not meta_path.exists():
        raise read_error(meta_path, "no_meta", path=str(path))
    meta = read_meta(meta_path)
    try:
        org = meta["org_unit"]
        org_unit = OrgUnit(code=str(org["code"]), zh=str(org["zh"]), en=str(org.get("en") or ""),
                           level=str(org.get("level") or "city"), parent=str(org.get("parent") or ""))
        report_year = int(meta["report_year"])
        periods = [int(p) for p in meta.get("periods") or [report_year]]
    except (KeyError, TypeError, ValueError) as exc:
        raise read_error(meta_path, "bad_meta", error=str(exc)) from None
    try:  # the version dataset.yaml names, with the dataset's own catalogue/*.yaml laid over it
        root = meta.get("catalogue_root")
        catalogue = cat_mod.for_dataset(meta.get("catalogue", "cn-2016"), path, path / root if root else None)
        # the outlines, annex and workbook of the version in force in the report year (or the
        # version outline_version names), every element of the named version still known
        pinned = meta.get("outline_version")
        catalogue = catalogue.as_version(pinned) if pinned else catalogue.in_force(report_year)
    except cat_mod.CatalogueError as exc:
        raise catalogue_error(exc, meta_path) from None

    ds = Dataset(path=path, meta=meta, org_unit=org_unit, report_year=report_year,
                 periods=sorted(periods), catalogue=catalogue)
    orgs_path = path / "orgs.csv"
    notes: list[Finding] = []  # warnings of reading the files (an encoding read, characters removed)
    if orgs_path.exists() or orgs_path.is_symlink():
        ds.orgs = read_orgs(orgs_path, notes)
    values_path = path / meta.get("values", "values.csv")
    if not values_path.exists() and "values" not in meta and (path / "values.xlsx").exists():
        values_path = path / "values.xlsx"  # a bureau may send the same columns as a workbook
    if values_path.exists() or values_path.is_symlink():
        regular_file(values_path, path)
        if values_path.suffix.lower() in (".xlsx", ".xlsm"):
            ds.observations, ds.findings = read_values_xlsx(values_path, catalogue, org_unit.code, ds.orgs)
        elif by_rows:
            ds.observations, ds.findings = read_values(values_path, catalogue, org_unit.code, ds.orgs)
        else:
            figures, ds.findings = read_values_table(values_path, catalogue, org_unit.code, ds.orgs)
            _set_figures(ds, figures)
    # figures imported from school workbooks (nianbao import) replace values.csv by school-year
    if has_store(path):
        ds.observations, stored_findings = merge_into(path, ds.observations, catalogue, ds.orgs)
        ds.findings.extend(stored_findings)
    if (path / records.FOLDER).is_dir():  # student and graduate records, counted school by school
        counting, asked = records.engine_of(meta, engine), engine or meta.get("engine")
        # the URL names the database of the engine asked for; records another engine counts
        # (DuckDB for python and sqlite) are counted in its memory, not at that URL
        _count_records(ds, counting, url if asked in (None, counting) else None)
    claims_path = path / "claims.csv"
    if claims_path.exists() or claims_path.is_symlink():
        regular_file(claims_path, path)
        ds.claims, claim_findings = read_claims_checked(claims_path, meta.get("claims_columns") or ())
        ds.findings.extend(claim_findings)
    for md in sorted((path / "narrative").glob("*.md")):
        ds.narratives[md.stem] = _text(md, path, notes).strip()
    for folder in sorted(p for p in (path / "narrative").glob("*") if kind_of(p) == "folder" and p.suffix != ".md"):
        ds.school_narratives[folder.name] = {md.stem: _text(md, path, notes).strip()
                                             for md in sorted(folder.glob("*.md"))}
    for tab in sorted((path / "tables").glob("*.csv")):
        ds.static_tables[tab.stem] = list(csv.DictReader(io.StringIO(_text(tab, path, notes), newline="")))
    ds.majors, ds.majors_findings = _majors(ds)
    ds.findings.extend(notes)
    own = path / "standards.yaml"
    if own.exists() or own.is_symlink():
        try:
            ds.own_standards = (yaml.safe_load(read_text(own, path)[0]) or {}).get("standards") or {}
        except (yaml.YAMLError, AttributeError) as exc:
            raise read_error(own, "bad_standards", error=str(exc)) from None
    return ds


def _count_records(ds: Dataset, engine: str = records.DEFAULT_ENGINE, url: str | None = None) -> None:
    """The figures counted from ``records/`` replace the same school, element and year of
    values.csv (an info finding says which)."""
    if ds.orgs is not None:
        schools = [o.code for o in ds.orgs.schools()]
    else:
        schools = [ds.org_unit.code] if ds.org_unit.level == "school" else []
    counted = records.count_records(ds.path / records.FOLDER, ds.catalogue, schools, engine=engine, url=url)
    ds.findings.extend(counted.findings)
    ds.observations, replaced = records.replace_counted(ds.observations, counted.observations())
    by_unit: dict[tuple[str, int], list[str]] = {}
    for org, element, period in sorted(replaced):
        by_unit.setdefault((org, period), []).append(element)
    files = {rf.period: rf.group for rf in counted.files}
    for (org, period), elements in sorted(by_unit.items()):
        ds.findings.append(finding("records.replaces_values", Location(file=files.get(period, records.FOLDER)),
                                   period=period, org_unit=org, school=org, file=files.get(period, records.FOLDER),
                                   elements=elements))


# what each entry of dataset.yaml holds: (test, 应为…, should be …)
_TEXT = (lambda v: isinstance(v, str), "文字", "text")
_CODE = (lambda v: isinstance(v, (str, int)) and not isinstance(v, bool), "代码（文字）", "a code (text)")
_YEAR = (lambda v: not isinstance(v, bool) and (isinstance(v, int) or (isinstance(v, str) and v.strip().isdigit()))
         and 1900 <= int(v) <= 2200, "四位数的年份（如 2020）", "a four-digit year (e.g. 2020)")
_YEARS = (lambda v: isinstance(v, list) and len(v) > 0 and all(_YEAR[0](y) for y in v),
          "年份的列表（如 [2018, 2019, 2020]）", "a list of years (e.g. [2018, 2019, 2020])")
_FLAG = (lambda v: isinstance(v, bool), "true 或 false", "true or false")
_MAP = (lambda v: isinstance(v, dict), "键值表（code、zh、level 等各占一行）", "a mapping (code, zh, level … one a line)")
META_FIELDS = {"title_zh": _TEXT, "title_en": _TEXT, "publisher_zh": _TEXT, "publisher_en": _TEXT, "source": _TEXT,
               "org_unit": _MAP, "report_year": _YEAR, "periods": _YEARS, "catalogue": _TEXT,
               "catalogue_root": _TEXT, "outline_version": _TEXT, "outline": _TEXT, "report_type": _TEXT, "school_outline": _TEXT,
               "values": _TEXT, "engine": _TEXT, "database": _TEXT, "synthetic": _FLAG, "empty_sections": _TEXT}
ORG_FIELDS = {"code": _CODE, "zh": _TEXT, "en": _TEXT, "level": _TEXT, "parent": _CODE}
REQUIRED = (("org_unit",), ("report_year",), ("org_unit", "code"), ("org_unit", "zh"))


def _text(path: Path, root: Path, notes: list[Finding]) -> str:
    """A narrative or a table: text for print (GB18030 read with a warning)."""
    text, found = read_text(path, root, for_print=True)
    notes.extend(found)
    return text


def read_meta(meta_path: Path) -> dict:
    """dataset.yaml, each entry of the right type; else FindingsError ``dataset.unreadable``
    naming the entry and its line (bad_field) or what YAML could not read (bad_meta)."""
    text, _ = read_text(meta_path, meta_path.parent)
    try:
        meta = yaml.safe_load(text)
        root = yaml.compose(text)
    except yaml.YAMLError as exc:
        raise read_error(meta_path, "bad_meta", error=str(exc)) from None
    meta = {} if meta is None else meta
    if not isinstance(meta, dict):
        raise _bad_field(meta_path, "dataset.yaml", 1, _MAP, meta)
    lines = _lines(root)
    for key, rule in META_FIELDS.items():
        if key in meta and meta[key] is not None and not rule[0](meta[key]):
            raise _bad_field(meta_path, key, lines.get((key,), 1), rule, meta[key])
    if isinstance(meta.get("org_unit"), dict):
        for key, rule in ORG_FIELDS.items():
            value = meta["org_unit"].get(key)
            if value is not None and not rule[0](value):
                raise _bad_field(meta_path, f"org_unit.{key}", lines.get(("org_unit", key), 1), rule, value)
    if meta.get("periods") and meta.get("report_year") is not None \
            and int(meta["report_year"]) not in [int(y) for y in meta["periods"]]:
        raise _bad_field(meta_path, "periods", lines.get(("periods",), 1),
                         (None, f"包含报告年度 {meta['report_year']} 的年份列表",
                          f"a list of years that holds the report year {meta['report_year']}"), meta["periods"])
    for path in REQUIRED:
        node = meta
        for k in path:
            node = node.get(k) if isinstance(node, dict) else None
        if node is None or node == "":
            key = ".".join(path)
            raise _bad_field(meta_path, key, lines.get(path[:1], 1), META_FIELDS.get(key) or ORG_FIELDS[path[-1]],
                             "（缺）")
    return meta


def _lines(root) -> dict[tuple, int]:
    """(key,) and (key, subkey) of a YAML mapping → the line of the value (1-based)."""
    out: dict[tuple, int] = {}
    if not isinstance(root, yaml.MappingNode):
        return out
    for k, v in root.value:
        out[(k.value,)] = v.start_mark.line + 1
        if isinstance(v, yaml.MappingNode):
            for k2, v2 in v.value:
                out[(k.value, k2.value)] = v2.start_mark.line + 1
    return out


def _bad_field(meta_path: Path, key: str, line: int, rule, value):
    got = value if isinstance(value, str) else yaml.safe_dump(value, allow_unicode=True, default_flow_style=True,
                                                               width=200).strip().removesuffix("...").strip()
    err = read_error(meta_path, "bad_field", field=key, line=line, expected=rule[1], expected_en=rule[2],
                     got=str(got)[:60])
    err.findings[0].location.cell = phrase("where.row", row=line)
    return err


def _majors(ds: Dataset) -> tuple[list[MajorPoint], list[Finding]]:
    """The major points of a dataset: majors.csv, where the majors lists imported from school
    workbooks (the store) replace a school's rows."""
    path = ds.path / "majors.csv"
    exists = path.exists() or path.is_symlink()
    points, findings = read_majors(path, ds.catalogue, ds.orgs) if exists else ([], [])
    try:
        stored = stored_major_points(ds.path, ds.catalogue)
    except StoreError:
        stored = {}  # an unreadable store is reported once, by merge_into (store.unreadable)
    points = [p for p in points if p.org_unit not in stored] + [p for ps in stored.values() for p in ps]
    return points, findings


