"""The rows of values.csv (or of a values sheet) and of claims.csv, read into observations and
claims; each bad row is a finding naming its file, line and column."""

from __future__ import annotations

import csv
from functools import lru_cache
from pathlib import Path

from nianbao.core.exports import uninert
from nianbao.core.findings import Finding, FindingsError, Location
from nianbao.core.messages import finding, phrases
from nianbao.core.observations import Claim, Observation, parse_dims
from nianbao.core.orgs import Registry
from nianbao.ingest.values import out_of_range, parse_value

VALUE_COLUMNS = ("element", "dims", "period", "scope", "value", "source")
CLAIM_COLUMNS = ("target", "dims", "period", "stated", "location", "scope", "base_period", "note")
# optional columns of claims.csv: how the figure was printed, the unit it is about (学校标识码 or a
# county's code), and what ``nianbao audit --claims-out`` writes beside for the reader
CLAIM_OPTIONAL_COLUMNS = ("form", "org_unit", "label", "kind", "value", "unit", "of")


def read_error(path: Path, case: str, **text) -> FindingsError:
    """The dataset cannot be read at all: one finding ``dataset.unreadable`` of ``case``."""
    return FindingsError([finding(f"dataset.unreadable:{case}", Location(file=str(path)),
                                  text={"path": str(path), **text})])


def catalogue_error(exc, path: Path) -> FindingsError:
    """A catalogue (or a dataset's catalogue addition) that cannot be used: one finding naming
    the file at fault, with the catalogue's own hint where it gives one."""
    where = Path(exc.file) if getattr(exc, "file", "") else Path(path)
    zh, en, hint = exc.zh, exc.en or exc.zh, exc.hint
    if hint:
        return read_error(where, "catalogue_clash", error=zh, error_en=en, hint=hint, hint_en=hint)
    return read_error(where, "bad_catalogue", error=zh, error_en=en)


def csv_location(file, row, column="") -> Location:
    """A row (and column) of a CSV file: 第12行 value列 (made for every row read: the phrase's
    text is looked up once)."""
    if column:
        return Location(file=file, cell=_where("where.row_column").format(row=row, column=column))
    return Location(file=file, cell=_where("where.row").format(row=row))


@lru_cache(maxsize=None)
def _where(key: str) -> str:
    return phrases()[key]["zh"]


def _error(key, file, row, column="", locate=None, text=None, **values) -> Finding:
    return finding(key, (locate or csv_location)(file, row, column), text=text, **values)


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
    return read_error(path, "not_utf8", file=path.name)


def read_value_rows(fieldnames, rows, name: str, catalogue, org_code: str, orgs: Registry | None = None,
                    locate=None) -> tuple[list[Observation], list[Finding]]:
    """Turn rows (row number, {column: raw value}) of values.csv or of a values sheet into
    observations and findings. ``locate(file, row, column)`` gives a finding's Location."""
    locate = locate or csv_location
    observations: list[Observation] = []
    findings: list[Finding] = []
    seen: dict[tuple, int] = {}
    missing = [c for c in ("element", "period", "value") if c not in (fieldnames or [])]
    if missing:
        raise FindingsError([_error("dataset.columns", name, 1, locate=locate,
                                    text={"file": name, "columns": ",".join(VALUE_COLUMNS)}, missing=missing)])
    for row_no, row in rows:
        obs, found = value_row(row_no, row, name, catalogue, org_code, orgs, locate)
        findings.extend(found)
        if obs is None:
            continue
        key = (obs.org_unit, obs.element, obs.dims, obs.period, obs.scope)
        if key in seen:
            findings.append(duplicate(catalogue.elements[obs.element], obs.period, seen[key], name, row_no, locate))
            continue
        seen[key] = row_no
        observations.append(obs)
    return observations, findings


def duplicate(el, period: int, first: int, name: str, row_no: int, locate=None) -> Finding:
    """A row that gives again the figure of an earlier row (``first``): ``dataset.duplicate``."""
    return _error("dataset.duplicate", name, row_no, locate=locate, text={
        "element": el.zh, "element_en": el.en, "year": period, "first": first})


def value_row(row_no: int, row: dict, name: str, catalogue, org_code: str, orgs: Registry | None = None,
              locate=None) -> tuple[Observation | None, list[Finding]]:
    """One row of values.csv or of a values sheet ({column: raw value}, None for a missing
    field): its observation (None for a row skipped or wrong) and its findings, every check of a
    row but the duplicate (which needs the rows before it)."""
    locate = locate or csv_location
    findings: list[Finding] = []
    code = str(row.get("element") or "").strip()
    if not code or code.startswith("#"):
        return None, findings
    el = catalogue.elements.get(code)
    if el is None:
        return None, [_error("dataset.unknown_element", name, row_no, "element", locate=locate, element=code)]
    try:
        dims = parse_dims(str(row.get("dims") or ""))
    except ValueError as exc:
        return None, [_error("dataset.bad_dims:syntax", name, row_no, "dims", locate=locate, text={"dims": str(exc)})]
    bad = [f"{d}={c}" for d, c in dims
           if d not in el.dims or c not in catalogue.dimensions[d]["categories"]]
    if bad:
        return None, [_error("dataset.bad_dims:unknown" if el.dims else "dataset.bad_dims:none", name, row_no,
                             "dims", locate=locate,
                             text={"element": el.zh, "element_en": el.en, "bad": bad, "available": el.dims})]
    try:
        period = int(str(row.get("period", "")).strip())
    except ValueError:
        return None, [_error("dataset.bad_period", name, row_no, "period", locate=locate,
                             text={"raw": str(row.get("period"))})]
    unit = str(row.get("org_unit") or "").strip() or org_code
    if unit != org_code and (orgs is None or unit not in orgs):
        return None, [_error("dataset.unknown_org", name, row_no, "org_unit", locate=locate,
                             text={"unit": unit}, unit=unit)]
    scope = str(row.get("scope") or "").strip() or "unstated"
    if scope not in catalogue.meta.get("scopes", {}):
        return None, [_error("dataset.bad_scope", name, row_no, "scope", locate=locate,
                             text={"scope": scope, "scopes": list(catalogue.meta.get("scopes", {}))})]
    source = str(row.get("source") or "").strip()
    loc = locate(name, row_no, "value")
    loc.section = source
    parsed = parse_value(row.get("value"), el.type, element=el, location=loc, required=True)
    for fd in parsed.findings:
        fd.period = period
        fd.org_unit = unit
    findings.extend(parsed.findings)
    if not parsed.ok:
        return None, findings
    org = orgs.get(unit) if orgs is not None else None
    wrong = out_of_range(parsed.value, el, catalogue, org.level if org is not None else "country", loc)
    if wrong is not None:
        wrong.period, wrong.org_unit = period, unit
        findings.append(wrong)
        return None, findings
    return Observation(element=code, dims=dims, period=period, scope=scope, value=parsed.value, org_unit=unit,
                       source=source, origin=f"{name}:{row_no}", step=parsed.step), findings


def read_claims(path: Path) -> list[Claim]:
    """Read claims.csv (target, dims, period, stated, location, scope, base_period, note[, form,
    org_unit]). A row whose period cannot be read is kept with ``problem`` set, for the check to
    report."""
    return read_claims_checked(path)[0]


def read_claims_checked(path: Path, extra_columns=()) -> tuple[list[Claim], list[Finding]]:
    """Read claims.csv and say which of its columns nothing reads (``claims.unknown_column``, one
    finding a column naming it): a column the check would silently ignore — an org unit typed as
    ``school``, a scope as ``口径`` — is an error, not a figure checked against the wrong unit.
    ``extra_columns``: columns a dataset declares for its own use (``claims_columns`` in
    dataset.yaml)."""
    try:
        claims, fieldnames = _read_claims(path)
    except UnicodeDecodeError:
        raise not_utf8(path) from None
    known = set(CLAIM_COLUMNS) | set(CLAIM_OPTIONAL_COLUMNS) | {str(c) for c in extra_columns or ()}
    findings = [_error("claims.unknown_column", path.name, 1, column or "?", name=column,
                       text={"file": path.name, "column": column,
                             "columns": ",".join(CLAIM_COLUMNS + CLAIM_OPTIONAL_COLUMNS)})
                for column in fieldnames if (column or "").strip() not in known]
    return claims, findings


def _read_claims(path: Path) -> tuple[list[Claim], list[str]]:
    claims = []
    with path.open(encoding="utf-8-sig", newline="") as f:
        reader = csv.DictReader(f)
        missing = [c for c in ("target", "period", "stated") if c not in (reader.fieldnames or [])]
        if missing:
            raise FindingsError([_error("claims.columns", path.name, 1, missing=missing,
                                        text={"file": path.name, "columns": ",".join(CLAIM_COLUMNS)})])
        fieldnames = list(reader.fieldnames or [])
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
            claims.append(Claim(target=target, period=period, stated=uninert((row.get("stated") or "").strip()),
                                location=uninert((row.get("location") or "").strip()),
                                scope=(row.get("scope") or "").strip(), base_period=base_period,
                                note=uninert((row.get("note") or "").strip()), row=row_no,
                                dims=(row.get("dims") or "").strip(), form=(row.get("form") or "").strip(),
                                problem=problem, org_unit=(row.get("org_unit") or "").strip()))
    return claims, fieldnames
