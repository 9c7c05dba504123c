"""values.csv read into one DuckDB table, validated column-wise, the provenance of each figure
(file and line) kept as columns; Python objects (``Observation``) made from the table only when
something asks for them.

Reading. The file is read by DuckDB's ``read_csv`` — every field as the text written, a missing
field NULL — when it is plain CSV: no quotes, no blank lines, one line ending throughout, no NUL.
Any other file (or one DuckDB declines) is read by Python's ``csv.DictReader`` exactly as
``ingest.rows.read_values`` reads it, and its columns loaded into the same table ``values_raw``
(line, element, dims, period, scope, value, source, org_unit). Either way the line of a row is
the one ``read_values`` gives it (the header is line 1).

Validation. The meaning of each distinct text of a column (an element code, a disaggregation, a
year, a unit, a scope) is decided once, in Python, by the rules of ``read_values``, and joined
back to the rows in SQL. A value written as plain digits (``12``, ``3.5``) is read in SQL where
its element's type takes it as it is; its range is checked there. Every other row — a finding to
make, a value written otherwise — is handed to ``ingest.rows.value_row``, the per-row reader of
the Python path, so every finding is worded, located and ordered as there. Duplicates (the same
unit, element, disaggregation, year and scope again) are found in SQL; the first row is kept.

The table ``nianbao_figures`` of the database ``Figures.db``::

    rid  org_unit  element  dims  dims_id  period  scope  value  source  origin  step

(``rid`` the figure's position, in the order of the file; ``dims`` the canonical text
``degree=master,title=junior``, ``dims_id`` its tuple in ``Figures.dims``; ``origin``
``values.csv:12``).
"""

from __future__ import annotations

import csv
import gc
import io
import os
import shutil
import tempfile
import weakref
from pathlib import Path

from nianbao.core.findings import Finding, FindingsError
from nianbao.core.observations import Observation, dims_text, parse_dims
from nianbao.core.orgs import Registry
from nianbao.ingest.rows import VALUE_COLUMNS, _error, csv_location, duplicate, not_utf8, value_row
from nianbao.store.db import Error, connect

TABLE = "nianbao_figures"
COLUMNS = (("rid", "int"), ("org_unit", "text"), ("element", "text"), ("dims", "text"), ("dims_id", "int"),
           ("period", "int"), ("scope", "text"), ("value", "float"), ("source", "text"), ("origin", "text"),
           ("step", "float"))
RAW = "values_raw"
READ = ("element", "dims", "period", "scope", "value", "source", "org_unit")  # the columns a row is read from
_SQL_TYPES = {"text": "VARCHAR", "int": "BIGINT", "float": "DOUBLE"}
# a value read in SQL as written, by its element's type (any other is read by parse_value)
_PLAIN = {"count": "[0-9]{1,15}", "amount": "[0-9]{1,15}([.][0-9]{1,15})?", "mean": "[0-9]{1,15}([.][0-9]{1,15})?",
          "rate": "[0-9]{1,15}([.][0-9]{1,15})?"}


class Figures:
    """The figures of a dataset as the table ``TABLE`` of an in-memory DuckDB database ``db``
    (a ``store.db.DuckDBDatabase``); ``dims`` the disaggregation tuples ``dims_id`` points to;
    ``size`` the number of figures."""

    def __init__(self, db, dims: list[tuple], size: int, reader: str = ""):
        self.db, self.dims, self.size = db, dims, size
        self.reader = reader  # how values.csv was read: duckdb (read_csv) or python (csv.DictReader); "" made

    def cursor(self):
        """A connection of its own to the database holding the table."""
        return self.db.cursor()

    def observations(self, units=None, periods=None, elements=None) -> list[Observation]:
        """Every figure as an Observation, in the order of the file (``units``: only the figures
        of those org units; ``periods``: only those of these years; ``elements``: of these)."""
        select = f"SELECT element, dims_id, period, scope, value, org_unit, source, origin, step FROM {TABLE}"
        cur = self.db.cursor()
        where = [] if periods is None else [f"period IN ({', '.join(str(int(p)) for p in periods) or 'NULL'})"]
        if units is not None:  # the units as a table of this connection's own, joined (a list would be scanned a row)
            where.append(f"org_unit IN (SELECT code FROM {_codes(cur, 'wanted_units', units)})")
        if elements is not None:
            where.append(f"element IN (SELECT code FROM {_codes(cur, 'wanted_elements', elements)})")
        batches = cur.batches(f"{select}{' WHERE ' + ' AND '.join(where) if where else ''} ORDER BY rid")
        dims = self.dims
        out: list[Observation] = []
        collecting = gc.isenabled()
        gc.disable()  # a few hundred thousand objects made at once: no collection meanwhile
        try:
            one = {}.setdefault  # a code, unit or source repeated over many figures: one string for all
            for rows in batches:
                out.extend(Observation(element=one(e, e), dims=dims[d], period=p, scope=one(s, s), value=v,
                                       org_unit=one(o, o), source=one(src, src), origin=origin, step=step)
                           for e, d, p, s, v, o, src, origin, step in rows)
            return out
        finally:
            cur.close()
            if collecting:
                gc.enable()

    def elements_of(self, units) -> set[str]:
        """The elements the org units ``units`` give figures of."""
        cur = self.db.cursor()
        try:
            wanted = _codes(cur, "wanted_units", units)
            return {r[0] for r in cur.execute(f"SELECT DISTINCT element FROM {TABLE} "
                                              f"WHERE org_unit IN (SELECT code FROM {wanted})")}
        finally:
            cur.close()

    def picked_columns(self, schools, elements, preference):
        """The figures of the org units ``schools`` (codes, in the order of their index) and
        elements ``elements``, one a unit, element, disaggregation and year: the one in the first
        scope of ``preference`` it is given in (another scope after them; among equals the first
        of the file). As columns, no object made: ``(keys, school, key, value)`` — ``keys`` the
        (element, dims, period) of the figures in the order each first comes in the file;
        ``school`` (the index in ``schools``), ``key`` (in ``keys``) and ``value`` numpy arrays,
        a row a figure, in the order of the figure's first row in the file, whichever scope."""
        import numpy as np

        cur = self.db.cursor()
        try:
            cur.execute("CREATE OR REPLACE TEMP TABLE wanted_units (code VARCHAR, idx BIGINT)")
            cur.load_columns("wanted_units", [("code", "VARCHAR"), ("idx", "BIGINT")],
                             {"code": list(schools), "idx": list(range(len(schools)))})
            _codes(cur, "wanted_elements", elements)
            rank = " ".join(f"WHEN '{sc}' THEN {i}" for i, sc in enumerate(preference) if "'" not in sc)
            cur.execute(f"""CREATE OR REPLACE TEMP TABLE picked AS
SELECT school, element, dims_id, period, value, first FROM (
  SELECT u.idx AS school, f.element, f.dims_id, f.period, f.value,
         MIN(f.rid) OVER w AS first,
         row_number() OVER (w ORDER BY CASE f.scope {rank} ELSE {len(preference)} END, f.rid) AS pick
  FROM {TABLE} f JOIN wanted_units u ON u.code = f.org_unit
  WHERE f.element IN (SELECT code FROM wanted_elements)
  WINDOW w AS (PARTITION BY f.org_unit, f.element, f.dims_id, f.period)) t
WHERE pick = 1""")
            cur.execute("""CREATE OR REPLACE TEMP TABLE picked_keys AS
SELECT element, dims_id, period, CAST(row_number() OVER (ORDER BY MIN(first)) - 1 AS BIGINT) AS kid
FROM picked GROUP BY element, dims_id, period""")
            dims = self.dims
            keys = [(e, dims[d], int(p)) for e, d, p in
                    cur.execute("SELECT element, dims_id, period FROM picked_keys ORDER BY kid")]
            cols = cur.columns("SELECT p.school, k.kid, p.value FROM picked p "
                               "JOIN picked_keys k USING (element, dims_id, period) ORDER BY p.first")
            return (keys, np.asarray(cols["school"], dtype=np.int64), np.asarray(cols["kid"], dtype=np.int64),
                    np.asarray(cols["value"], dtype=float))
        finally:
            cur.close()


def _codes(cur, table: str, codes) -> str:
    """The distinct ``codes`` (org units, elements) as the one-column table ``table`` of the
    connection ``cur`` (a temporary table: that connection's own); its name."""
    cur.execute(f"CREATE OR REPLACE TEMP TABLE {table} (code VARCHAR)")
    cur.load_columns(table, [("code", "VARCHAR")], {"code": sorted(set(codes))})
    return table


def from_observations(observations) -> Figures:
    """A table of figures made from observations (a dataset whose figures came otherwise)."""
    db = connect(":memory:")
    ids: dict[tuple, int] = {}
    dims = [ids.setdefault(o.dims, len(ids)) for o in observations]
    texts = [dims_text(d) for d in ids]
    data = {"rid": list(range(len(observations))), "org_unit": [o.org_unit for o in observations],
            "element": [o.element for o in observations], "dims": [texts[i] for i in dims], "dims_id": dims,
            "period": [int(o.period) for o in observations], "scope": [o.scope for o in observations],
            "value": [float(o.value) for o in observations], "source": [o.source for o in observations],
            "origin": [o.origin for o in observations], "step": [float(o.step) for o in observations]}
    _create(db, TABLE, COLUMNS)
    _fill(db, TABLE, COLUMNS, data)
    return Figures(db, list(ids), len(observations))


def read_values_table(path: Path, catalogue, org_code: str, orgs: Registry | None = None
                      ) -> tuple[Figures, list[Finding]]:
    """values.csv as a table of figures and the findings of its rows — the same findings, in
    the same order, and the same figures as ``ingest.rows.read_values``."""
    data = path.read_bytes()
    try:
        data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise not_utf8(path) from None
    name = path.name
    db, spilled = _database(len(data))
    fieldnames, reader = _read_raw(db, path, data)
    missing = [c for c in ("element", "period", "value") if c not in (fieldnames or [])]
    if missing:
        db.close()
        raise FindingsError([_error("dataset.columns", name, 1, text={"file": name, "columns": ",".join(VALUE_COLUMNS)},
                                    missing=missing)])
    del data
    figures, findings = _validate(db, name, catalogue, org_code, orgs)
    figures = figures if spilled else compacted(figures)
    figures.reader = reader
    return figures, findings


ON_DISK = "NIANBAO_FIGURES_ON_DISK"  # 1: the figures always in a file on disk, 0: never; unset: by size
DISK_FROM = 20 << 20  # bytes of values.csv from which the figures are read into a file on disk


def _free(folder: str) -> int:
    try:
        return shutil.disk_usage(folder).free
    except OSError:
        return 0


def _available() -> int:
    """Bytes of memory available to this process (MemAvailable), 0 where it cannot be read."""
    try:
        with open("/proc/meminfo", encoding="ascii") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return 0


def _database(size: int):
    """The database a values file of ``size`` bytes is read into, and whether it is on disk: a
    DuckDB file in a temporary folder for a file of DISK_FROM bytes or more (about 250 000
    figures) where that folder has room for four times the file, else in memory
    (``NIANBAO_FIGURES_ON_DISK``: 1 always on disk, 0 never). On disk DuckDB keeps what it does
    not use in the file and frees the memory of what reading dropped: at 1.8 M figures a check's
    peak is about 600 MB against 1 GB in memory. Its memory is capped at a quarter of what is
    available (at least 256 MB); the folder is removed when the database is let go or the
    process ends."""
    forced = os.environ.get(ON_DISK, "").strip()
    tmp = tempfile.gettempdir()
    if forced == "0" or (forced != "1" and (size < DISK_FROM or _free(tmp) < 4 * size)):
        return connect(":memory:"), False
    folder = tempfile.mkdtemp(prefix="nianbao-figures-")
    try:
        db = connect(str(Path(folder) / "figures.duckdb"))
        available = _available()
        if available:
            db.execute(f"SET memory_limit = '{max(256 << 20, available // 4) >> 20}MB'")
        db.execute(f"SET temp_directory = '{(Path(folder) / 'spill').as_posix()}'")
    except (OSError, Error):
        shutil.rmtree(folder, ignore_errors=True)
        return connect(":memory:"), False
    weakref.finalize(db, _remove, folder, os.getpid())  # when the database is let go, or at exit
    return db, True


def _remove(folder: str, pid: int) -> None:
    if os.getpid() == pid:  # not by a process forked from the one that made it
        shutil.rmtree(folder, ignore_errors=True)


COMPACT_FROM = 200_000  # figures: below this the working memory of reading them is small anyway


def compacted(figures: Figures, least: int = COMPACT_FROM) -> Figures:
    """The table of figures moved into a database of its own, the one it was validated in
    closed: DuckDB keeps the memory of the tables and joins of reading (at 1.8 M figures about
    three times the table itself) until its database closes. The table goes through an
    uncompressed Parquet file in a temporary folder (the first database closed before it is read
    back); where that cannot be written (a full disk) the figures stay where they are."""
    if figures.size < least:
        return figures
    with tempfile.TemporaryDirectory(prefix="nianbao-figures-") as tmp:
        path = str(Path(tmp) / "figures.parquet").replace("'", "''")
        try:
            figures.db.execute(f"COPY {TABLE} TO '{path}' (FORMAT parquet, COMPRESSION uncompressed)")
        except (OSError, Error):
            return figures
        figures.db.close()  # before the copy is read back: the two are never held at once
        fresh = connect(":memory:")
        fresh.execute(f"CREATE TABLE {TABLE} AS SELECT * FROM read_parquet('{path}')")
    return Figures(fresh, figures.dims, figures.size, figures.reader)


def _read_raw(db, path: Path, data: bytes) -> tuple[list[str] | None, str]:
    """Fill ``RAW`` from the file; the names of its header row (None for an empty file) and the
    reader that read it (duckdb, python)."""
    end = data.find(b"\n")
    first = (data if end < 0 else data[:end]).decode("utf-8-sig").removesuffix("\r")
    crs = data.count(b"\r")
    plain = (b'"' not in data and b"\x00" not in data and b"\x01" not in data
             and (not crs or (crs == data.count(b"\r\n") == data.count(b"\n"))))
    if plain and first:
        header = first.split(",")
        if len(set(header)) == len(header):
            positions = {c: header.index(c) for c in READ if c in header}
            # a blank line each reader may skip or keep: the rows must be the lines after the header
            lines = data.count(b"\n") + (0 if data.endswith(b"\n") else 1) - 1
            if db.read_csv_text(RAW, path, len(header), positions):
                if db.execute(f"SELECT COUNT(*) FROM {RAW}")[0][0] == lines:
                    for c in READ:
                        if c not in positions:
                            db.execute(f"ALTER TABLE {RAW} ADD COLUMN {c} VARCHAR")
                    return header, "duckdb"
    # any other CSV: read by Python as read_values reads it
    reader = csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline=""))
    fieldnames = reader.fieldnames
    columns: dict[str, list] = {c: [] for c in ("line",) + READ}
    for row_no, row in enumerate(reader, start=2):
        columns["line"].append(row_no)
        for c in READ:
            v = row.get(c)
            columns[c].append(v if isinstance(v, str) or v is None else str(v))
    spec = (("line", "int"),) + tuple((c, "text") for c in READ)
    _create(db, RAW, spec)
    _fill(db, RAW, spec, columns)
    return fieldnames, "python"


def _create(db, table: str, columns) -> None:
    db.execute(f"DROP TABLE IF EXISTS {table}")
    db.execute(f"CREATE TABLE {table} ({', '.join(f'{n} {_SQL_TYPES[t]}' for n, t in columns)})")


def _fill(db, table: str, columns, data: dict) -> None:
    db.load_columns(table, [(n, _SQL_TYPES[t]) for n, t in columns], data)


def _load(db, table: str, columns, rows: list[tuple]) -> None:
    _create(db, table, columns)
    if rows:
        _fill(db, table, columns, {n: [r[i] for r in rows] for i, (n, _) in enumerate(columns)})


def _text(v) -> str:
    return "" if v is None else str(v)


def _validate(db, name: str, catalogue, org_code: str, orgs) -> tuple[Figures, list[Finding]]:
    elements, scopes = catalogue.elements, catalogue.meta.get("scopes", {})
    # each distinct text of a column, read once by the rules of read_values
    el_rows = []
    for (raw,) in db.execute(f"SELECT DISTINCT element FROM {RAW}"):
        code = _text(raw).strip()
        state = "skip" if not code or code.startswith("#") else "ok" if code in elements else "unknown"
        el_rows.append((raw, code, state, elements[code].type if state == "ok" else ""))
    _load(db, "v_el", (("raw", "text"), ("code", "text"), ("state", "text"), ("type", "text")), el_rows)
    ids: dict[tuple, int] = {}
    dims_rows = []
    for code, raw in db.execute(f"SELECT DISTINCT e.code, r.dims FROM {RAW} r JOIN v_el e "
                                f"ON e.raw IS NOT DISTINCT FROM r.element WHERE e.state = 'ok'"):
        try:
            dims = parse_dims(_text(raw))
        except ValueError:
            continue
        el = elements[code]
        if any(d not in el.dims or c not in catalogue.dimensions[d]["categories"] for d, c in dims):
            continue
        dims_rows.append((code, raw, ids.setdefault(dims, len(ids)), dims_text(dims)))
    _load(db, "v_dims", (("code", "text"), ("raw", "text"), ("dims_id", "int"), ("dims", "text")), dims_rows)
    period_rows = []
    for (raw,) in db.execute(f"SELECT DISTINCT period FROM {RAW}"):
        try:
            period_rows.append((raw, int(str(raw).strip())))
        except ValueError:
            pass
    _load(db, "v_period", (("raw", "text"), ("period", "int")), period_rows)
    org_rows, levels = [], set()
    for (raw,) in db.execute(f"SELECT DISTINCT org_unit FROM {RAW}"):
        unit = _text(raw).strip() or org_code
        if unit != org_code and (orgs is None or unit not in orgs):
            continue
        org = orgs.get(unit) if orgs is not None else None
        level = org.level if org is not None else "country"
        levels.add(level)
        org_rows.append((raw, unit, level))
    _load(db, "v_org", (("raw", "text"), ("unit", "text"), ("level", "text")), org_rows)
    scope_rows = [(raw, _text(raw).strip() or "unstated") for (raw,) in db.execute(f"SELECT DISTINCT scope FROM {RAW}")]
    _load(db, "v_scope", (("raw", "text"), ("scope", "text")), [r for r in scope_rows if r[1] in scopes])
    source_rows = [(raw, _text(raw).strip()) for (raw,) in db.execute(f"SELECT DISTINCT source FROM {RAW}")]
    _load(db, "v_source", (("raw", "text"), ("source", "text")), source_rows)
    bounds_rows = [(code, level, b[0], b[1]) for code in elements for level in sorted(levels)
                   if (b := catalogue.bounds(code, level)) is not None]
    _load(db, "v_bounds", (("code", "text"), ("level", "text"), ("low", "float"), ("high", "float")), bounds_rows)

    plain = " ".join(f"WHEN '{t}' THEN regexp_full_match(r.value, '{rx}')" for t, rx in _PLAIN.items())
    # value: the figure where the row is read in SQL (NULL: the row is read by value_row)
    db.execute(f"""CREATE TABLE v_rows AS
SELECT line, element, dims_id, dims, period, org_unit, scope, source,
       CASE WHEN (type <> 'rate' OR value = 0 OR (value >= 1 AND value <= 100))
                 AND (low IS NULL OR (value >= low AND value <= high)) THEN value END AS value
FROM (SELECT r.line, e.code AS element, e.type, d.dims_id, d.dims, p.period, o.unit AS org_unit, s.scope,
             src.source, b.low, b.high,
             CASE WHEN d.dims_id IS NOT NULL AND p.period IS NOT NULL AND o.unit IS NOT NULL AND s.scope IS NOT NULL
                       AND r.value IS NOT NULL AND (CASE e.type {plain} ELSE false END)
                  THEN TRY_CAST(r.value AS DOUBLE) END AS value
      FROM {RAW} r
      JOIN v_el e ON e.raw IS NOT DISTINCT FROM r.element AND e.state <> 'skip'
      LEFT JOIN v_dims d ON d.code = e.code AND d.raw IS NOT DISTINCT FROM r.dims
      LEFT JOIN v_period p ON p.raw IS NOT DISTINCT FROM r.period
      LEFT JOIN v_org o ON o.raw IS NOT DISTINCT FROM r.org_unit
      LEFT JOIN v_scope s ON s.raw IS NOT DISTINCT FROM r.scope
      LEFT JOIN v_source src ON src.raw IS NOT DISTINCT FROM r.source
      LEFT JOIN v_bounds b ON b.code = e.code AND b.level = o.level) t""")
    # every other row: read by the Python path's own reader of a row
    found: list[tuple[int, int, Finding]] = []
    slow = []
    names = ("line",) + READ
    for raw in db.execute(f"SELECT {', '.join('r.' + n for n in names)} FROM {RAW} r "
                          f"JOIN v_rows c ON c.line = r.line WHERE c.value IS NULL ORDER BY r.line"):
        row = dict(zip(READ, raw[1:]))
        obs, fs = value_row(raw[0], row, name, catalogue, org_code, orgs, csv_location)
        found.extend((raw[0], 0, f) for f in fs)
        if obs is not None:
            slow.append((raw[0], obs.org_unit, obs.element, dims_text(obs.dims), ids.setdefault(obs.dims, len(ids)),
                         obs.period, obs.scope, obs.value, obs.source, obs.step))
    db.execute(f"DROP TABLE {RAW}")  # every row read: its memory is free for what follows
    _load(db, "v_slow", (("line", "int"), ("org_unit", "text"), ("element", "text"), ("dims", "text"),
                         ("dims_id", "int"), ("period", "int"), ("scope", "text"), ("value", "float"),
                         ("source", "text"), ("step", "float")), slow)
    ok = ("SELECT line, org_unit, element, dims, dims_id, period, scope, value, source, 0.0 AS step FROM v_rows "
          "WHERE value IS NOT NULL")
    if slow:
        ok += " UNION ALL SELECT line, org_unit, element, dims, dims_id, period, scope, value, source, step FROM v_slow"
    key = "org_unit, element, dims_id, period, scope"
    dups = db.execute(f"""WITH ok AS ({ok}),
g AS (SELECT {key}, MIN(line) AS first FROM ok GROUP BY {key} HAVING COUNT(*) > 1)
SELECT o.line, o.element, o.period, g.first FROM ok o JOIN g USING ({key}) WHERE o.line > g.first ORDER BY o.line""")
    for line, element, period, first in dups:
        found.append((line, 1, duplicate(elements[element], period, first, name, line)))
    _load(db, "v_dup", (("line", "int"),), [(d[0],) for d in dups])
    origin = name.replace("'", "''")
    db.execute(f"""CREATE TABLE {TABLE} AS
SELECT CAST(line AS BIGINT) AS rid, org_unit, element, dims, CAST(dims_id AS BIGINT) AS dims_id,
       CAST(period AS BIGINT) AS period, scope, value, source, '{origin}:' || CAST(line AS VARCHAR) AS origin,
       CAST(step AS DOUBLE) AS step
FROM ({ok}) v{' WHERE line NOT IN (SELECT line FROM v_dup)' if dups else ''}
""")
    size = db.execute(f"SELECT COUNT(*) FROM {TABLE}")[0][0]
    for t in (RAW, "v_el", "v_dims", "v_period", "v_org", "v_scope", "v_source", "v_bounds", "v_rows", "v_slow",
              "v_dup"):
        db.execute(f"DROP TABLE IF EXISTS {t}")
    found.sort(key=lambda x: (x[0], x[1]))
    dims = [None] * len(ids)
    for d, i in ids.items():
        dims[i] = d
    return Figures(db, dims, int(size)), [f for _, _, f in found]
