"""Record-level files (个案数据) counted into figures, school by school, in DuckDB.

A dataset's ``records/`` folder holds the records of a kind and year as one file
(``students-2020.csv``, ``graduates-2020.parquet``) or in parts — one file a province, say, as the
registers are exported: ``students-2020-14.csv``, ``students-2020-山西.parquet``, or every CSV and
Parquet file in a folder ``students-2020/`` (as Spark and DuckDB write a partitioned table:
``province=14/part-0.parquet``; names beginning with ``.`` or ``_`` are skipped). Each part is read
and checked as a file of its own, its findings naming it; its counts by school are added to the
other parts' before the breakdowns, means and figures are made, so a school whose records lie
in two parts is counted once, whole. The catalogue's ``records.yaml`` (``nianbao.catalogue.records``)
says which columns each kind has and which data elements are counted from it. For each file
one query scans the records once and groups them by school and the raw values the breakdowns
read, giving every count, mean and the number of invalid records; the breakdowns are then
summed from that small result (GROUPING SETS). Python never loops over the records. The counts
become the dataset's figures (one long table ``org_unit, element, dims, period, scope, value``
in the engine, or :class:`Observation` objects), each with its provenance: the file and the
condition counted.

Every column a count reads is read as text (school codes keep their leading zeros) and checked
(a choice as an ENUM, a number cast once); the others change no figure and are not read. A CSV
that is not UTF-8 is decoded as GBK (GB 18030) in Python into a UTF-8 copy, since DuckDB reads
no GBK. A record with an invalid value, or whose school is not in the registry, is not counted;
it is a finding naming the file and line (CSV: the line of the file, header on line 1, one
record a line; Parquet: the record's number) — listed up to :data:`LISTED` a file, the rest summed up.
"""

from __future__ import annotations

import codecs
import filecmp
import os
import re
import tempfile
from dataclasses import dataclass, field, replace
from pathlib import Path

from nianbao.catalogue.records import Column, Count, Kind, Records
from nianbao.core.findings import Finding, Location
from nianbao.core.messages import finding, phrase
from nianbao.core.observations import Observation
from nianbao.ingest.files import kind_of
from nianbao.store import engines
from nianbao.store.engines.dialects import DIALECTS, Dialect

FOLDER = "records"
NAME = re.compile(r"^(?P<kind>[A-Za-z_]+)-(?P<year>\d{4})(?:-(?P<part>\w[\w-]*))?\.(?P<ext>csv|parquet)$",
                  re.IGNORECASE)
PARTS = re.compile(r"^(?P<kind>[A-Za-z_]+)-(?P<year>\d{4})$", re.IGNORECASE)  # a folder of parts
EXTENSIONS = (".csv", ".parquet")
LISTED = 50  # invalid records listed one by one in a file; the others are counted in one finding
FIGURES = (("org_unit", "text"), ("element", "text"), ("dims", "text"), ("period", "int"), ("scope", "text"),
           ("value", "float"), ("origin", "text"))


@dataclass(frozen=True)
class RecordFile:
    path: Path
    kind: str
    period: int
    format: str  # csv / parquet
    name: str = ""  # as findings name it: records/students-2022.csv, records/students-2022/p1.csv
    group: str = ""  # the name of all the parts of its kind and year (the file's own when whole)

    def __post_init__(self):
        if not self.name:
            object.__setattr__(self, "name", f"{FOLDER}/{self.path.name}")
        if not self.group:
            object.__setattr__(self, "group", self.name)


@dataclass
class Counted:
    """What counting the record files gave: the figures (in the engine's table, and as rows),
    the files read and the findings."""
    files: list[RecordFile] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    rows: list[tuple] = field(default_factory=list)  # FIGURES, when fetched

    def observations(self) -> list[Observation]:
        return [Observation(element=e, dims=_dims(d), period=int(p), scope=s, value=float(v), org_unit=o,
                            source=src, origin=origin)
                for o, e, d, p, s, v, origin, src in self.rows]


def _dims(text: str) -> tuple[tuple[str, str], ...]:
    return tuple(sorted(tuple(p.split("=", 1)) for p in text.split(","))) if text else ()


WORKBOOKS = (".xlsx", ".xlsm", ".xls", ".et")


def discover(folder: Path, records: Records) -> tuple[list[RecordFile], list[Finding]]:
    """The record files of a dataset's ``records/`` folder, by name: whole files, parts named
    ``kind-year-PART.ext`` and the files of folders ``kind-year/`` (a link to such a folder
    followed: the records may lie on another disk), in the order of their names. Findings, the
    files not read: a name that says no known kind and year; a workbook; what is not a regular
    file (a pipe, a device, a broken link: never opened); a link to a folder inside a folder of
    parts (not followed); a kind and year given in two forms at once (a whole file and parts, a
    CSV and a Parquet file, a folder and parts named beside it: which holds which records is not
    known, so none is counted); the same part as CSV and as Parquet. A part whose bytes are those
    of another part (a copy) is counted once."""
    files: list[RecordFile] = []
    findings: list[Finding] = []
    if not folder.is_dir():
        return files, findings
    kinds = {"kinds": list(records.kinds)}

    def regular(path: Path, name: str) -> bool:
        kind = kind_of(path)
        if kind:
            findings.append(finding("records.unreadable:not_a_file", Location(file=name), file=name,
                                    text={"kind": phrase(f"dataset.kind.{kind}"),
                                          "kind_en": phrase(f"dataset.kind.{kind}", "en")}))
        return not kind

    forms: dict[tuple[str, int], dict[str, list[RecordFile]]] = {}  # kind, year → form → files
    for p in sorted(folder.iterdir()):
        if p.name.startswith("."):
            continue
        name = f"{FOLDER}/{p.name}"
        if p.is_dir():
            m = PARTS.match(p.name)
            if not m or m.group("kind").lower() not in records.kinds:
                findings.append(finding("records.unreadable:name", Location(file=name + "/"), file=name + "/",
                                        text=kinds))
                continue
            key = (m.group("kind").lower(), int(m.group("year")))
            parts = forms.setdefault(key, {}).setdefault(name + "/", [])
            for part, shown, linked in _parts_of(p, name):
                if linked:
                    findings.append(finding("records.unreadable:linked_folder", Location(file=shown + "/"),
                                            file=shown + "/", folder=name + "/"))
                elif not part.name.lower().endswith(EXTENSIONS):
                    findings.append(finding("records.skipped_file", Location(file=shown), file=shown,
                                            folder=name + "/"))
                elif regular(part, shown):
                    ext = "parquet" if part.name.lower().endswith(".parquet") else "csv"
                    parts.append(RecordFile(part, *key, ext, name=shown, group=name + "/"))
            continue
        if p.name.lower().endswith(WORKBOOKS):
            findings.append(finding("records.unreadable:workbook", Location(file=name), file=name,
                                    stem=p.name.rsplit(".", 1)[0]))
            continue
        m = NAME.match(p.name)
        if not m or m.group("kind").lower() not in records.kinds:
            findings.append(finding("records.unreadable:name", Location(file=name), file=name, text=kinds))
            continue
        if not regular(p, name):
            continue
        key = (m.group("kind").lower(), int(m.group("year")))
        ext = m.group("ext").lower()
        form = name if m.group("part") is None else f"{FOLDER}/{m.group('kind')}-{m.group('year')}-*"
        forms.setdefault(key, {}).setdefault(form, []).append(RecordFile(p, *key, ext, name=name, group=form))
    for (kind, year), by_form in forms.items():
        given = {form: f for form, f in by_form.items() if f}
        if len(given) > 1:  # two forms at once: none of them is counted
            # a whole file (its form is its own name) first: the finding is placed at it
            whole = sorted(given, key=lambda form: form != given[form][0].name)
            zh = [form if form == given[form][0].name else f"{form}（{len(given[form])} 份）" for form in whole]
            en = [form if form == given[form][0].name else f"{form} ({len(given[form])} files)" for form in whole]
            findings.append(finding("records.duplicate_files", Location(file=whole[0]), period=year, file=whole[0],
                                    kind=kind, files="、".join(zh),
                                    text={"files_en": ", ".join(en), "kind_zh": records.kinds[kind].zh,
                                          "kind_en": records.kinds[kind].en}))
            continue
        for f in given.values():
            files.extend(_distinct_parts(f, findings))
    files.sort(key=lambda rf: rf.name)
    return files, findings


def _distinct_parts(parts: list[RecordFile], findings: list[Finding]) -> list[RecordFile]:
    """The parts of a kind and year but a part given as CSV and as Parquet (both refused) and a
    copy of another part (the first by name kept)."""
    by_stem: dict[str, list[RecordFile]] = {}
    for rf in parts:
        by_stem.setdefault(rf.name.rsplit(".", 1)[0].lower(), []).append(rf)
    kept = []
    for same in by_stem.values():
        if len(same) > 1:
            names = [rf.name for rf in same]
            findings.append(finding("records.duplicate_part", Location(file=names[0]), period=same[0].period,
                                    file=names[0], files="、".join(names), text={"files_en": ", ".join(names)}))
        else:
            kept.append(same[0])
    if len(kept) < 2:
        return kept
    out, seen = [], {}
    for rf in sorted(kept, key=lambda r: r.name):
        try:
            size = rf.path.stat().st_size
        except OSError:
            out.append(rf)
            continue
        twin = next((other for other in seen.get(size, []) if _same_bytes(other.path, rf.path)), None)
        if twin is not None:
            findings.append(finding("records.copied_part", Location(file=rf.name), period=rf.period, file=rf.name,
                                    other=twin.name))
            continue
        seen.setdefault(size, []).append(rf)
        out.append(rf)
    return out


def _same_bytes(a: Path, b: Path) -> bool:
    try:
        return filecmp.cmp(a, b, shallow=False)
    except OSError:
        return False


def _parts_of(folder: Path, name: str):
    """The files under a folder of parts with the names findings give them, and whether each
    is a link to a folder (not followed: a link back up would never end), in order; names
    beginning with ``.`` or ``_`` (Spark's _SUCCESS and .crc files) skipped."""
    for root, dirs, names in os.walk(folder):
        here = Path(root)
        rel = here.relative_to(folder)
        dirs[:] = sorted(d for d in dirs if not d.startswith((".", "_")))
        for d in [d for d in dirs if (here / d).is_symlink()]:
            yield here / d, f"{name}/{(rel / d).as_posix()}", True
        dirs[:] = [d for d in dirs if not (here / d).is_symlink()]
        for n in sorted(names):
            if not n.startswith((".", "_")):
                yield here / n, f"{name}/{(rel / n).as_posix()}", False


# -- reading ------------------------------------------------------------------------------------

def _text(value: str) -> str:
    return "'" + str(value).replace("'", "''") + "'"


def _decodes(path: Path, encoding: str = "utf-8", size: int = 1 << 20, whole: bool = False) -> bool:
    """Whether the file's first ``size`` bytes (``whole``: all of it) are text in ``encoding``."""
    decoder = codecs.getincrementaldecoder(encoding)()
    try:
        with path.open("rb") as f:
            while chunk := f.read(size):
                decoder.decode(chunk, final=False)
                if not whole:
                    return True
            decoder.decode(b"", final=True)
        return True
    except UnicodeDecodeError:
        return False


def _transcode(path: Path, into: Path) -> Path | None:
    """A UTF-8 copy of a GBK (GB 18030) file, decoded in chunks; None if it is not GBK either."""
    out = into / (path.stem + ".utf8.csv")
    decoder = codecs.getincrementaldecoder("gb18030")()
    try:
        with path.open("rb") as src, out.open("w", encoding="utf-8", newline="") as dst:
            while chunk := src.read(1 << 22):
                dst.write(decoder.decode(chunk))
            dst.write(decoder.decode(b"", final=True))
    except UnicodeDecodeError:
        return None
    return out


class _Unreadable(Exception):
    def __init__(self, finding_: Finding):
        self.finding = finding_


def _unreadable(rf: RecordFile, exc: Exception) -> _Unreadable:
    return _Unreadable(finding("records.unreadable:format", Location(file=rf.name), file=rf.name,
                               error=_first_line(exc)))


def _open(con, rf: RecordFile, tmp: Path, table: str) -> engines.FileScan:
    """The file as the engine reads it (UTF-8 or Parquet; a GBK file transcoded first, or read as
    GB 18030 by an engine that can: Spark, whose executors then read the file itself, not a
    copy in the driver's temporary folder). DuckDB is handed a CSV file whose first megabyte is
    UTF-8, and the file transcoded should it fail on a later byte; another engine reads a CSV
    file checked to its end here (Spark would read a bad byte as U+FFFD)."""
    readable, encoding = rf.path, "utf-8"
    if rf.path.stat().st_size == 0:  # not even a header: one finding, not one a missing column
        raise _Unreadable(finding("records.empty", Location(file=rf.name), file=rf.name))

    def bad_encoding() -> _Unreadable:
        return _Unreadable(finding("records.unreadable:encoding", Location(file=rf.name), file=rf.name))

    if rf.format == "csv" and not _decodes(rf.path, whole=con.name != "duckdb"):
        if "gb18030" in con.encodings:  # the engine reads it itself, once it is known to decode
            if not _decodes(rf.path, "gb18030", whole=True):
                raise bad_encoding()
            encoding = "gb18030"
        else:
            readable = _transcode(rf.path, tmp)
            if readable is None:
                raise bad_encoding()
    try:
        return con.scan_file(readable, rf.format, table, encoding=encoding)
    except engines.EngineError:
        raise
    except Exception as exc:  # noqa: BLE001 — the driver's error, reported as a finding
        if rf.format == "csv" and readable == rf.path and encoding == "utf-8" and "unicode" in str(exc).lower():
            readable = _transcode(rf.path, tmp)
            if readable is None:
                raise bad_encoding() from None
            try:
                return con.scan_file(readable, rf.format, table)
            except Exception as again:  # noqa: BLE001
                raise _unreadable(rf, again) from None
        raise _unreadable(rf, exc) from None


def _first_line(exc: Exception) -> str:
    """The first line of a driver's message; of a Spark job's failure, its cause (the error class
    and its message, not the Java call that failed)."""
    text = str(exc).strip()
    named = re.findall(r"\[[A-Z][A-Z_.]+\][^\n]*", text)
    return (named[-1] if named and text.startswith("An error occurred") else text.split("\n")[0])[:200]


# -- the SQL of one file -------------------------------------------------------------------------

NUMERIC = ("int", "year", "number")


def _valid(col: Column, v: str) -> str:
    """SQL: the text ``c_<key>`` is a valid value of ``col`` (NULL is an empty cell); a number
    column's value is ``n_<key>``."""
    checks = []
    if col.type == "code" and col.length:
        checks.append(f"length({v}) = {int(col.length)}")
    elif col.type in NUMERIC:
        cast = f"n_{col.key}"
        lo, hi = (1900, 2100) if col.type == "year" else (col.min, col.max)
        checks.append(f"{cast} IS NOT NULL")
        if col.type != "number":
            checks.append(f"{cast} = round({cast})")
        if lo is not None:
            checks.append(f"{cast} >= {float(lo)!r}")
        if hi is not None:
            checks.append(f"{cast} <= {float(hi)!r}")
    elif col.type == "choice":
        checks.append(f"e_{col.key} IS NOT NULL")
    check = " AND ".join(checks) or "TRUE"
    if col.required:
        return f"({v} IS NOT NULL AND {check})"
    return f"({v} IS NULL OR ({check}))"


def _condition(count: Count, kind: Kind, period: int) -> str:
    parts = []
    for c in count.where:
        col = kind.columns[c.column]
        if c.other:
            other = kind.columns[c.other]
            numeric = col.type in NUMERIC and other.type in NUMERIC
            parts.append(f"n_{c.column} = n_{c.other}" if numeric else f"c_{c.column} = c_{c.other}")
        elif c.period is not None:
            parts.append(f"n_{c.column} = {int(period + c.period)}" if col.type in NUMERIC
                         else f"c_{c.column} = {_text(str(period + c.period))}")
        elif col.type == "choice":  # an ENUM compares as an integer
            parts.append(f"e_{c.column} IN ({', '.join(_text(v) for v in c.values)})")
        else:
            parts.append(f"c_{c.column} IN ({', '.join(_text(v) for v in c.values)})")
    return " AND ".join(["ok"] + parts)


def _dim_expr(b, catalogue) -> str:
    if b.first:
        return f"left(c_{b.column}, {int(b.first)})"
    cats = catalogue.dimensions[b.dim].get("categories") or {}
    whens = " ".join(f"WHEN {_text(label)} THEN {_text(code)}"
                     for code, spec in cats.items() for label in {code, str(spec.get("zh", code))})
    return f"CASE c_{b.column} {whens} ELSE c_{b.column} END"


@dataclass
class _Plan:
    rf: RecordFile
    kind: Kind
    counts: list[Count]
    columns: dict[str, str]  # key → header in the file
    dims: list  # Breakdown, one per dimension used
    used: list[str] = field(default_factory=list)  # the columns the counts read (school first)
    file: engines.FileScan | None = None  # the file as the engine reads it
    dialect: Dialect = DIALECTS["duckdb"]


def _plan(rf: RecordFile, kind: Kind, file: engines.FileScan, records: Records,
          dialect: Dialect = DIALECTS["duckdb"]) -> tuple[_Plan | None, list[Finding]]:
    by_name = {h.strip().lower(): h for h in file.header}
    columns, missing = {}, []
    for key, col in kind.columns.items():
        h = by_name.get(key.lower()) or by_name.get(col.zh.lower())
        if h is not None:
            columns[key] = h
        elif col.required:
            missing.append(col)
    if missing:
        return None, [finding("records.missing_column", Location(file=rf.name), file=rf.name, column=c.zh,
                              column_key=c.key, text={"column_en": c.en}) for c in missing]
    counts = [c for c in records.counts_of(kind.code)
              if all(w.column in columns or not kind.columns[w.column].required for w in c.where)]
    dims = list({b.dim: b for c in counts for b in c.dims}.values())
    used = ["school"] + [w.column for c in counts for w in c.where] + [w.other for c in counts for w in c.where if w.other]
    used += [b.column for b in dims] + [c.mean for c in counts if c.mean]
    used = [k for k in kind.columns if k in set(used)]  # in the file's order of the catalogue
    return _Plan(rf, kind, counts, columns, dims, used, file, dialect), []


def _source(plan: _Plan, lines: str | None = None) -> str:
    """One row a record: ``c_<column>`` (trimmed text, NULL when empty), ``n_<column>`` (a number
    column's value), ``e_<column>`` (a choice's value, NULL if not one of them), ``ok_<column>``
    and ``ok`` (every column valid) — for the columns the counts read: a column no count reads
    changes no figure, and is not checked. ``lines``: read from that relation of the file
    (``FileScan.lines``), with each record's ``line``. ``blank``: a CSV record of no field at all
    (``,,,,,``: what a spreadsheet writes for its empty rows) — not a record, neither counted nor
    a finding."""
    d = plan.dialect
    cols = ["line"] if lines else []
    if plan.rf.format == "csv" and plan.file.columns:
        cols.append("(" + " AND ".join(f"COALESCE(TRIM({d.text(c)}), '') = ''" for c in plan.file.columns.values())
                    + ") AS blank")
    else:
        cols.append("FALSE AS blank")
    for key in plan.used:
        cols.append(f"NULLIF(TRIM({d.text(plan.file.columns[plan.columns[key]])}), '') AS c_{key}"
                    if key in plan.columns else f"{d.text('NULL')} AS c_{key}")
    nums = "".join(f", {d.number('c_' + k)} AS n_{k}" for k in plan.used if plan.kind.columns[k].type in NUMERIC)
    nums += "".join(f", {d.choice('c_' + k, plan.kind.columns[k].values)} AS e_{k}"
                    for k in plan.used if plan.kind.columns[k].type == "choice")
    scan = lines or plan.file.relation
    oks = [f"{_valid(plan.kind.columns[key], 'c_' + key)} AS ok_{key}" for key in plan.used]
    return (f"SELECT *, {' AND '.join('ok_' + k for k in plan.used)} AS ok FROM (\n"
            f"  SELECT *, {', '.join(oks)} FROM (SELECT *{nums} FROM (SELECT {', '.join(cols)} FROM {scan}) r) n\n) v")


def fine_sql(plans: list[_Plan]) -> str:
    """The one scan of a file, or of the parts of a kind and year together (``plans``, one a
    part, in order; ``part_no`` is a record's part): the records grouped by part, school and the
    raw values of the columns the breakdowns read, with every count (a mean as its sum and
    number) and the number of invalid records. Its rows are few; the breakdowns are summed from
    them. Every part's plan reads the same columns — the catalogue's counts of the kind — whatever
    its header, so the parts' rows line up."""
    plan = plans[0]
    cols = list(dict.fromkeys(b.column for b in plan.dims))
    aggs = ["COUNT(*) AS n_records", "COUNT(*) FILTER (WHERE NOT ok) AS n_bad"]
    for c in plan.counts:
        cond = _condition(c, plan.kind, plan.rf.period)
        if c.mean:
            value = f"n_{c.mean}"
            aggs.append(f"SUM({value}) FILTER (WHERE {cond}) AS s_{c.element}")
            aggs.append(f"COUNT({value}) FILTER (WHERE {cond}) AS x_{c.element}")
        else:
            aggs.append(f"COUNT(*) FILTER (WHERE {cond}) AS x_{c.element}")
    keys = ", ".join(["part_no", "c_school"] + [f"c_{k}" for k in cols])
    scans = "\n  UNION ALL\n".join(f"SELECT {n} AS part_no, * FROM ({_source(p)}) s{n}" for n, p in enumerate(plans))
    return f"SELECT {keys},\n  " + ",\n  ".join(aggs) + f"\nFROM ({scans}) s\nWHERE NOT blank\nGROUP BY {keys}"


def wide_sql(plan: _Plan, fine: str, catalogue) -> str:
    """The counts by school, and by school and each breakdown (GROUPING SETS over the rows of
    :func:`fine_sql`); ``gg_<dim>`` is 1 on the rows that are not of that breakdown."""
    g = "".join(f", {_dim_expr(b, catalogue)} AS g_{b.dim}" for b in plan.dims)
    aggs = ["SUM(n_records) AS n_records", "SUM(n_bad) AS n_bad", "MIN(part_no) AS p_lo", "MAX(part_no) AS p_hi"]
    for c in plan.counts:
        if c.mean:
            aggs.append(f"SUM(s_{c.element}) / NULLIF(SUM(x_{c.element}), 0) AS x_{c.element}")
        else:
            aggs.append(f"SUM(x_{c.element}) AS x_{c.element}")
    sets = ["(c_school)"] + [f"(c_school, g_{b.dim})" for b in plan.dims]
    grouping = "".join(f", GROUPING(g_{b.dim}) AS gg_{b.dim}" for b in plan.dims)
    return (f"SELECT c_school AS school{''.join(', g_' + b.dim for b in plan.dims)}{grouping},\n  "
            + ",\n  ".join(aggs) + f"\nFROM (SELECT *{g} FROM {fine}) f\n"
            + f"GROUP BY GROUPING SETS ({', '.join(sets)})")


def figures_sql(plan: _Plan, wide: str, scope: str, catalogue, names: list[str] | None = None) -> str:
    """The long rows (``FIGURES`` and the source) of a file's counts, known schools only. Of
    several parts (``names``, by ``part_no``), a figure's origin names the part its records came
    from, or the parts together where they came from more than one."""
    base = " AND ".join(["k.code IS NOT NULL"] + [f"gg_{b.dim} = 1" for b in plan.dims])
    parts = []
    for c in plan.counts:
        where = _where_text(c, plan.rf.period)
        origin = _text(f"{plan.rf.name}: {where}")
        if names and len(names) > 1:
            whens = " ".join(f"WHEN {n} THEN {_text(f'{name}: {where}')}" for n, name in enumerate(names))
            origin = f"CASE WHEN p_lo = p_hi THEN CASE p_lo {whens} END ELSE {origin} END"
        src = _text(c.source)
        parts.append(f"SELECT school, {_text(c.element)}, '', {plan.rf.period}, {_text(scope)}, x_{c.element}, "
                     f"{origin}, {src} FROM {wide} w LEFT JOIN record_schools k ON k.code = w.school "
                     f"WHERE {base} AND x_{c.element} IS NOT NULL")
        for b in c.dims:
            cats = list((catalogue.dimensions[b.dim].get("categories") or {}))
            others = " AND ".join(f"gg_{o.dim} = 1" for o in plan.dims if o.dim != b.dim) or "TRUE"
            parts.append(f"SELECT school, {_text(c.element)}, {_text(b.dim + '=')} || g_{b.dim}, {plan.rf.period}, "
                         f"{_text(scope)}, x_{c.element}, {origin}, {src} FROM {wide} w "
                         f"JOIN record_schools k ON k.code = w.school WHERE gg_{b.dim} = 0 AND {others} "
                         f"AND g_{b.dim} IN ({', '.join(_text(x) for x in cats)}) AND x_{c.element} > 0")
    return "\nUNION ALL\n".join(parts)


def _where_text(c: Count, period: int) -> str:
    out = []
    for w in c.where:
        if w.other:
            out.append(f"{w.column}={w.other}")
        elif w.period is not None:
            out.append(f"{w.column}={period + w.period}")
        else:
            out.append(f"{w.column}={'|'.join(w.values)}")
    text = ",".join(out) or "全部记录"
    return f"mean({c.mean}) {text}" if c.mean else text


# -- counting --------------------------------------------------------------------------------

def count_into(con, files: list[RecordFile], catalogue, schools, table: str = "record_figures") -> Counted:
    """Count ``files`` on the connection ``con`` (DuckDB, PostgreSQL or Spark: the same SQL, the
    dialect's differences from ``con.dialect``) into ``table`` (``FIGURES`` and the source of
    each count); ``schools`` are the registered school codes. The files of a kind and year (one,
    or its parts) are scanned in one query into their counts by part and school (``fine_sql``)
    and checked part by part; the counts are then summed by school and breakdown
    (``wide_sql``) and written as figures."""
    records = catalogue.records
    out = Counted(files=list(files))
    con.load("record_schools", [("code", "text")], [(str(s),) for s in schools])
    groups: dict[tuple[str, int], list[RecordFile]] = {}  # in the order of the files: parts are neighbours
    for rf in files:
        groups.setdefault((rf.kind, rf.period), []).append(rf)
    selects = []
    n_file = 0
    with tempfile.TemporaryDirectory(prefix="nianbao-records-") as tmp:
        for j, parts in enumerate(groups.values()):
            plans = []
            for rf in parts:
                kind = records.kinds[rf.kind]
                try:
                    file = _open(con, rf, Path(tmp), f"record_file_{n_file}")
                except _Unreadable as exc:
                    out.findings.append(exc.finding)
                    continue
                finally:
                    n_file += 1
                plan, problems = _plan(rf, kind, file, records, con.dialect)
                out.findings.extend(problems)
                if plan is not None:
                    plans.append(plan)
            fine = f"record_fine_{j}"
            plans = _scanned(con, plans, fine, out.findings)
            if not plans:
                continue
            out.findings.extend(_problems(con, plans, fine, catalogue))
            plan = plans[0]
            if not plan.counts:
                continue
            if len(plans) > 1:  # the figures name the parts together
                plan = replace(plan, rf=replace(plan.rf, name=plan.rf.group))
            wide = f"record_counts_{j}"
            con.materialize(wide, wide_sql(plan, fine, catalogue))
            selects.append(figures_sql(plan, wide, records.scope, catalogue, [p.rf.name for p in plans]))
    columns = FIGURES + (("source", "text"),)
    if selects:
        con.materialize(table, "SELECT * FROM (\n" + "\nUNION ALL\n".join(selects) + "\n) f("
                        + ", ".join(c for c, _ in columns) + ")")
    else:
        con.load(table, columns, [])
    return out


def _scanned(con, plans: list[_Plan], fine: str, findings: list[Finding]) -> list[_Plan]:
    """Scan the parts of ``plans`` into ``fine`` in one query; the plans scanned. Should the
    engine fail on a file (a CSV it cannot parse to the end), each part is scanned alone to
    find which: that one is a finding, the others are counted."""
    if not plans:
        return []
    try:
        con.materialize(fine, fine_sql(plans))
        return plans
    except Exception as exc:  # noqa: BLE001 — a file the engine cannot parse to the end
        if len(plans) == 1:
            findings.append(_unreadable(plans[0].rf, exc).finding)
            return []
    good = []
    for plan in plans:
        try:
            con.query(f"SELECT COUNT(*) FROM ({fine_sql([plan])}) t")
            good.append(plan)
        except Exception as exc:  # noqa: BLE001
            findings.append(_unreadable(plan.rf, exc).finding)
    return _scanned(con, good, fine, findings)


def _problems(con, plans: list[_Plan], fine: str, catalogue) -> list[Finding]:
    """Findings of the parts of ``plans`` (or of one file), part by part, from their counts by
    part and school (``fine``, of :func:`fine_sql`): invalid values and unknown schools (listed
    with their lines, up to LISTED a part), and breakdown values that are no category."""
    totals = {int(n): (bad, unknown) for n, bad, unknown in con.query(
        f"SELECT part_no, COALESCE(SUM(n_bad), 0), COALESCE(SUM(n_records) FILTER (WHERE k.code IS NULL), 0) "
        f"FROM {fine} w LEFT JOIN record_schools k ON k.code = w.c_school GROUP BY part_no")}
    findings: list[Finding] = [finding("records.empty", Location(file=plan.rf.name), file=plan.rf.name)
                               for n, plan in enumerate(plans) if n not in totals]  # a header, no record
    odd: dict[tuple[int, str], list] = {}  # (part, dimension) → [(value, records)]
    for b in plans[0].dims:
        for n, raw, count in con.query(
                f"SELECT part_no, g, SUM(n_records - n_bad) FROM (SELECT part_no, {_dim_expr(b, catalogue)} AS g, "
                f"n_records, n_bad FROM {fine}) f WHERE g IS NOT NULL GROUP BY part_no, g"):
            odd.setdefault((int(n), b.dim), []).append((raw, count))
    for n, plan in enumerate(plans):
        n_bad, n_unknown = totals.get(n, (0, 0))
        values = {b.dim: odd.get((n, b.dim), []) for b in plan.dims}
        findings.extend(_part_problems(con, plan, n_bad, n_unknown, values, catalogue))
    return findings


def _part_problems(con, plan: _Plan, n_bad, n_unknown, values: dict, catalogue) -> list[Finding]:
    """The findings of one part: ``values``, the breakdown values of its valid records and their
    number, by dimension."""
    rf, kind = plan.rf, plan.kind
    findings: list[Finding] = []
    for b in plan.dims:
        cats = set(catalogue.dimensions[b.dim].get("categories") or {})
        rows = values[b.dim]
        col, dim = kind.columns[b.column], catalogue.dimensions[b.dim]
        for raw, count in sorted(rows):  # in the order of the text's characters, on every engine
            if raw not in cats and count:
                findings.append(finding("records.unknown_category", Location(file=rf.name), file=rf.name,
                                        count=int(count), raw=raw, text={"column": col.zh, "column_en": col.en,
                                                                     "dim": dim.get("zh", b.dim),
                                                                     "dim_en": dim.get("en", b.dim)}))
    if not n_bad and not n_unknown:
        return findings
    # the records at fault, in file order: numbered by the engine where it can (FileScan.lines),
    # else (DuckDB, CSV) a record's line is its position in a table filled in order
    flag = "(NOT blank AND (NOT ok OR k.code IS NULL))"
    keys = list(plan.used)
    numbered = plan.file.lines
    if numbered is not None:
        detail = (f"SELECT line, {', '.join('c_' + k for k in keys)}, {', '.join('ok_' + k for k in keys)}, "
                  f"k.code IS NOT NULL FROM ({_source(plan, numbered())}) s LEFT JOIN record_schools k "
                  f"ON k.code = s.c_school WHERE {flag} ORDER BY line LIMIT {LISTED}")
    else:
        con.materialize("record_lines", f"SELECT {flag} AS flag, "
                        + ", ".join(f"CASE WHEN {flag} THEN c_{k} END AS c_{k}, ok_{k}" for k in keys)
                        + f", k.code IS NOT NULL AS known FROM ({_source(plan)}) s "
                        f"LEFT JOIN record_schools k ON k.code = s.c_school")
        detail = (f"SELECT rowid + 2, {', '.join('c_' + k for k in keys)}, {', '.join('ok_' + k for k in keys)}, "
                  f"known FROM record_lines WHERE flag ORDER BY rowid LIMIT {LISTED}")
    listed = 0
    rows = list(con.query(detail))
    at = _file_lines(rf.path, [int(r[0]) for r in rows]) if rf.format == "csv" else {}
    for row in rows:
        line, values, oks, known = row[0], row[1:1 + len(keys)], row[1 + len(keys):1 + 2 * len(keys)], row[-1]
        line = at.get(int(line), line)
        where = phrase("where.row" if rf.format == "csv" else "where.record", row=int(line))
        where_en = phrase("where.row" if rf.format == "csv" else "where.record", "en", row=int(line))
        loc = Location(file=rf.name, cell=where)
        shown = False
        for key, value, ok in zip(keys, values, oks):
            if not ok:
                col = kind.columns[key]
                findings.append(finding("records.bad_value", loc, period=rf.period, file=rf.name, column=col.zh,
                                        raw=value or "", text={"where": where, "where_en": where_en,
                                                               "column_en": col.en, "allowed": col.allowed(),
                                                               "allowed_en": col.allowed("en")}))
                shown = True
        if not known and values[0] is not None and (not shown or oks[0]):
            findings.append(finding("records.unknown_school", loc, period=rf.period, file=rf.name, raw=values[0],
                                    text={"where": where, "where_en": where_en}))
        listed += 1
    total = int(con.query(f"SELECT COUNT(*) FROM ({_source(plan)}) s LEFT JOIN record_schools k "
                          f"ON k.code = s.c_school WHERE {flag}")[0][0]) if numbered is not None else \
        int(con.query("SELECT COUNT(*) FROM record_lines WHERE flag")[0][0])
    if total > listed:
        findings.append(finding("records.more_bad", Location(file=rf.name), period=rf.period, file=rf.name,
                                count=total - listed, total=total))
    return findings


def _file_lines(path: Path, numbers: list[int], size: int = 1 << 22) -> dict[int, int]:
    """The lines of the file at which the records numbered ``numbers`` lie (counted as the
    engines count them: the header 1, then one a line, empty lines skipped — every engine skips
    them): {number: line}, only where an empty line comes before. Read only when records are
    listed, and only as far as the last of them."""
    if not numbers:
        return {}
    last = max(numbers)
    out: dict[int, int] = {}
    with path.open("rb") as f:
        before = b"\n"  # the file's start is as after a line's end
        while chunk := f.read(size):
            if re.search(rb"\n\r?\n", before + chunk):
                break
            before = chunk[-2:]
        else:
            return out  # no empty line: the numbers are the lines
        f.seek(0)
        wanted = set(numbers)
        number = 0
        for line, raw in enumerate(f, 1):
            if raw.removesuffix(b"\n") not in engines.EMPTY_LINES:
                number += 1
                if number in wanted and number != line:
                    out[number] = line
                if number >= last:
                    break
    return out


SQL_ENGINES = ("duckdb", "postgres", "spark")  # the engines that count records
DEFAULT_ENGINE = "duckdb"


def engine_of(meta: dict, name: str | None = None) -> str:
    """The engine that counts a dataset's records: the one a command names, else the dataset's
    (``engine:`` in dataset.yaml) — where it is one that counts records; else DuckDB (the
    Python evaluator and SQLite count none: records are counted in SQL, on the embedded engine)."""
    chosen = name or meta.get("engine")
    return chosen if chosen in SQL_ENGINES else DEFAULT_ENGINE


def count_records(folder: Path, catalogue, schools, con=None, engine: str = DEFAULT_ENGINE,
                  url: str | None = None) -> Counted:
    """Count the record files of ``folder`` (a dataset's ``records/``) on ``con``, or on a
    connection to ``engine`` (``url``: its database or master URL), and fetch the figures; the
    dataset's figures then include them. An engine that cannot be used raises EngineError."""
    files, findings = discover(folder, catalogue.records)
    if not files:
        return Counted(findings=findings)
    own = con is None
    con = con or engines.connect(engine, url)
    try:
        out = count_into(con, files, catalogue, schools)
        rows = con.query("SELECT org_unit, element, dims, period, scope, value, origin, source FROM record_figures "
                         "ORDER BY org_unit, element, dims, period")
        # in the order of the characters on every engine (PostgreSQL sorts text by its locale)
        out.rows = sorted((tuple(r) for r in rows), key=lambda r: r[:4])
    finally:
        if own:
            con.close()
    out.findings = findings + out.findings
    return out


def replace_counted(observations: list[Observation], counted: list[Observation]) -> tuple[list[Observation], set]:
    """The observations with those of the (unit, element, period) counted from records removed,
    the counted ones added; and the keys replaced."""
    keys = {(o.org_unit, o.element, o.period) for o in counted}
    replaced = {(o.org_unit, o.element, o.period) for o in observations if (o.org_unit, o.element, o.period) in keys}
    return [o for o in observations if (o.org_unit, o.element, o.period) not in keys] + counted, replaced


