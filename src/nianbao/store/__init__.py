"""The store (数据库): figures imported from school workbooks or entered in the portal, kept in one
DuckDB file inside the dataset folder (``DATASET/nianbao.duckdb``) or, for a bureau's server, in a
PostgreSQL database with the same tables (:func:`locate`: ``NIANBAO_DATABASE``, or
``database: postgresql://…`` in dataset.yaml).

Tables
    observations  org_unit, element, dims, period, scope, value, source, origin, imported_at,
                  workbook_sha256 — one figure a row; ``dims`` is the canonical text
                  ``degree=master`` (empty for a total), the same columns ``compute.sql`` reads.
    majors        org_unit, period, seq, code, name, category, students, entrants, is_new, origin,
                  imported_at, workbook_sha256 — the list of majors of a school's workbook.
    imports       the log of every import attempt: file, sha256, school, year, status
                  (stored / unchanged / rejected / exists), counts of values, errors and warnings.
    removals      the audit record of every school-year removed (``nianbao store --remove``):
                  when, by whom, the school and year, how many figures and majors, the workbook
                  they came from and the reason given.
    store_meta    key / value (schema version).

The unit of writing is a *submission*: one school and one year. Its rows are replaced in one
transaction, and only when they differ from what is stored; so importing the same workbook twice
changes nothing, and a rejected workbook never touches the stored figures. A writer of the
embedded store holds an exclusive lock beside the file (``nianbao.duckdb.lock``) from opening to
closing, so two imports run one after the other: the second waits, then finds what the first
stored (and, unless told to replace, says so instead of replacing it).
"""

from __future__ import annotations

import datetime as _dt
import math
import os
from dataclasses import dataclass, field
from dataclasses import replace as replace_result
from pathlib import Path

from nianbao.catalogue.majors import MajorCatalogue
from nianbao.core.errors import NianbaoError
from nianbao.core.findings import Location
from nianbao.core.messages import finding, message
from nianbao.core.observations import MajorPoint, Observation, dims_text, origin_location, parse_dims  # noqa: F401
from nianbao.store.db import WAIT_DEFAULT, WAIT_ENV, Busy, Database, Error, connect, is_url

STORE_FILE = "nianbao.duckdb"
SCHEMA_VERSION = "1"

OBS_COLUMNS = ("org_unit", "element", "dims", "period", "scope", "value", "source", "origin",
               "imported_at", "workbook_sha256")
MAJOR_COLUMNS = ("org_unit", "period", "seq", "code", "name", "category", "students", "entrants",
                 "is_new", "origin", "imported_at", "workbook_sha256")
IMPORT_COLUMNS = ("imported_at", "file", "workbook_sha256", "org_unit", "period", "template", "status",
                  "n_values", "n_errors", "n_warnings", "added", "changed", "removed", "filled_by", "phone")

SCHEMA = [
    """CREATE TABLE IF NOT EXISTS observations (
        org_unit TEXT NOT NULL, element TEXT NOT NULL, dims TEXT NOT NULL, period INTEGER NOT NULL,
        scope TEXT NOT NULL, value DOUBLE PRECISION NOT NULL, source TEXT NOT NULL, origin TEXT NOT NULL,
        imported_at TIMESTAMP NOT NULL, workbook_sha256 TEXT NOT NULL,
        PRIMARY KEY (org_unit, element, dims, period, scope))""",
    """CREATE TABLE IF NOT EXISTS majors (
        org_unit TEXT NOT NULL, period INTEGER NOT NULL, seq INTEGER NOT NULL, code TEXT NOT NULL,
        name TEXT NOT NULL, category TEXT NOT NULL, students DOUBLE PRECISION, entrants DOUBLE PRECISION,
        is_new BOOLEAN, origin TEXT NOT NULL, imported_at TIMESTAMP NOT NULL,
        workbook_sha256 TEXT NOT NULL, PRIMARY KEY (org_unit, period, seq))""",
    """CREATE TABLE IF NOT EXISTS imports (
        imported_at TIMESTAMP NOT NULL, file TEXT NOT NULL, workbook_sha256 TEXT NOT NULL,
        org_unit TEXT, period INTEGER, template TEXT, status TEXT NOT NULL, n_values INTEGER,
        n_errors INTEGER, n_warnings INTEGER, added INTEGER, changed INTEGER, removed INTEGER,
        filled_by TEXT, phone TEXT)""",
    "CREATE TABLE IF NOT EXISTS store_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
]
# added after schema version 1 without changing it: created by every writer when missing
REMOVALS_COLUMNS = ("removed_at", "org_unit", "period", "observations", "majors", "removed_by", "reason",
                    "workbook_sha256")
REMOVALS_SCHEMA = """CREATE TABLE IF NOT EXISTS removals (
        removed_at TIMESTAMP NOT NULL, org_unit TEXT NOT NULL, period INTEGER NOT NULL,
        observations INTEGER NOT NULL, majors INTEGER NOT NULL, removed_by TEXT NOT NULL,
        reason TEXT NOT NULL, workbook_sha256 TEXT NOT NULL)"""


class StoreError(NianbaoError):
    """The store file cannot be opened or has an unknown layout; ``code`` the message's code."""

    def __init__(self, text: str, code: str = "store.cannot_open", **values):
        super().__init__(text)
        self.code, self.values = code, values


WAIT_SECONDS = WAIT_DEFAULT  # how long a command waits for another process (an import) to release the file


def wait_seconds() -> float:
    """Seconds to wait for a store another process holds (``NIANBAO_STORE_WAIT``, the same wait as a writer's)."""
    try:
        return max(0.0, float(os.environ.get(WAIT_ENV, WAIT_SECONDS)))
    except ValueError:
        return WAIT_SECONDS


_GIVEN_UP: dict[str, float] = {}
_NOT_A_STORE = ("not a valid duckdb database", "could not read from file", "is a directory", "no such file")


def _open_error(location, exc: Error) -> StoreError:
    """Why a store cannot be opened, in the catalogue's words: a folder in the file's place
    (store.not_a_file), a file that is not a database (store.corrupt), else store.cannot_open.
    The library's own text is kept in the values (``detail``), not in the message."""
    if not is_url(location):
        path = Path(location)
        values = {"file": path.name, "detail": str(exc)[:300]}
        if path.is_dir():
            return StoreError(message("store.not_a_file", **values), "store.not_a_file", **values)
        if any(m in str(exc).lower() for m in _NOT_A_STORE):
            return StoreError(message("store.corrupt", **values), "store.corrupt", **values)
    return StoreError(message("store.cannot_open", file=describe(location), error=exc))


def _connect_waiting(location, read_only: bool) -> Database:
    """Connect; while another process holds the DuckDB file (an import writing), wait and retry,
    at most :func:`wait_seconds`, then raise StoreError ``store.busy``."""
    import time

    key = str(location)
    given_up = _GIVEN_UP.get(key)
    # a store this process has just waited for in vain is not waited for again (majors after values)
    deadline = time.monotonic() + (0.0 if given_up and time.monotonic() - given_up < wait_seconds()
                                   else wait_seconds())
    pause = 0.05
    while True:
        try:
            return connect(location, read_only=read_only)
        except Busy as exc:
            if time.monotonic() >= deadline:
                import re

                _GIVEN_UP[key] = time.monotonic()
                holder = re.search(r"PID (\d+)", str(exc))
                values = {"file": describe(location), "seconds": f"{wait_seconds():g}",
                          "pid": holder.group(1) if holder else "?"}
                raise StoreError(message("store.busy", **values), "store.busy", **values) from None
            time.sleep(min(pause, max(0.0, deadline - time.monotonic())))
            pause = min(pause * 2, 1.0)


@dataclass(frozen=True)
class Row:
    """One figure of a submission."""
    element: str
    dims: str  # canonical text: "degree=master" or ""
    period: int
    scope: str
    value: float
    source: str = ""
    origin: str = ""  # file and cell it was read from

    @property
    def identity(self) -> tuple:
        return (self.element, self.dims, self.period, self.scope, self.value)


@dataclass(frozen=True)
class Major:
    seq: int
    code: str
    name: str
    category: str
    students: float | None
    entrants: float | None
    is_new: bool | None
    origin: str = ""

    @property
    def identity(self) -> tuple:
        return (self.seq, self.code, self.name, self.category, self.students, self.entrants, self.is_new)


@dataclass
class Submission:
    """What one workbook brings: the figures of one school for one year."""
    org_unit: str
    period: int
    file: str
    sha256: str
    template: str
    rows: list[Row] = field(default_factory=list)
    majors: list[Major] = field(default_factory=list)
    contact: dict[str, str] = field(default_factory=dict)


@dataclass
class SaveResult:
    status: str  # stored / unchanged / exists (other figures held, not replaced)
    added: int = 0
    changed: int = 0
    removed: int = 0
    previous_file: str = ""  # exists: the workbook the held figures came from, and when
    previous_at: _dt.datetime | None = None


@dataclass(frozen=True)
class Held:
    """One school-year the store holds figures for."""
    org_unit: str
    period: int
    observations: int
    majors: int
    imported_at: _dt.datetime | None
    file: str
    sha256: str


@dataclass(frozen=True)
class Removal:
    """The audit record of a removed school-year."""
    removed_at: _dt.datetime
    org_unit: str
    period: int
    observations: int
    majors: int
    removed_by: str
    reason: str
    sha256: str


def store_path(dataset_dir: str | Path) -> Path:
    """The embedded store's file of a dataset."""
    return Path(dataset_dir) / STORE_FILE


DATABASE_ENV = "NIANBAO_DATABASE"


def locate(dataset_dir: str | Path) -> str | Path:
    """Where a dataset's store is: the URL in the environment variable ``NIANBAO_DATABASE``, else
    the ``database:`` URL that dataset.yaml names, else the file ``DATASET/nianbao.duckdb``."""
    url = os.environ.get(DATABASE_ENV, "").strip()
    if url:
        return url
    meta = Path(dataset_dir) / "dataset.yaml"
    if meta.exists():
        import yaml

        try:
            named = (yaml.safe_load(meta.read_text(encoding="utf-8")) or {}).get("database")
        except yaml.YAMLError:
            named = None  # the dataset's reader reports a broken dataset.yaml
        if isinstance(named, str) and is_url(named):
            return named
    return store_path(dataset_dir)


def describe(location) -> str:
    """A location to print: a file path, or a URL without its password."""
    if is_url(location):
        import re

        return re.sub(r"//([^:/@]+):[^@]*@", r"//\1:***@", location)
    return str(location)


def has_store(dataset_dir: str | Path) -> bool:
    """Whether the dataset has a store for ``merge_into`` to read."""
    return _exists(locate(dataset_dir))


def _exists(location) -> bool:
    """Whether a store is there to read (a server's database may not hold the tables yet)."""
    if not is_url(location):
        return Path(location).exists()
    try:
        db = connect(location, read_only=True)
    except Error:
        return True  # let the reader report why it cannot connect
    try:
        return db.has_table("store_meta")
    finally:
        db.close()


def exists(location) -> bool:
    """Whether the store at ``location`` (a file or a URL) holds nianbao's tables."""
    return _exists(location)


class Store:
    """A dataset's store. Use as a context manager; ``read_only`` for readers."""

    def __init__(self, path: str | Path, read_only: bool = False):
        """``path``: a DuckDB file, or a ``postgresql://`` URL (the same tables on a server)."""
        self.path = path if is_url(path) else Path(path)
        try:
            self.db: Database = _connect_waiting(self.path, read_only=read_only)
        except Error as exc:
            raise _open_error(self.path, exc) from None
        try:
            if not read_only and not self._has_table("store_meta"):
                with self.db.transaction():
                    self.db.lock("nianbao.store.schema")
                    for sql in SCHEMA:
                        self.db.execute(sql)
                    self.db.execute("INSERT INTO store_meta VALUES ('schema_version', ?) ON CONFLICT DO NOTHING",
                                    [SCHEMA_VERSION])
            version = self.db.execute("SELECT value FROM store_meta WHERE key = 'schema_version'") \
                if self._has_table("store_meta") else []
            if not read_only and version and not self._has_table("removals"):
                self.db.execute(REMOVALS_SCHEMA)
        except Error as exc:
            self.db.close()
            raise StoreError(message("store.cannot_open", file=describe(self.path), error=exc)) from None
        if not version or version[0][0] != SCHEMA_VERSION:
            self.db.close()
            raise StoreError(message("store.wrong_schema", file=describe(self.path), version=SCHEMA_VERSION))

    @classmethod
    def of_dataset(cls, dataset_dir: str | Path, read_only: bool = False) -> "Store":
        return cls(locate(dataset_dir), read_only=read_only)

    @property
    def backend(self) -> str:
        return self.db.kind

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def close(self) -> None:
        self.db.close()

    def _has_table(self, name: str) -> bool:
        return self.db.has_table(name)

    # -- writing -------------------------------------------------------------------------
    def save(self, sub: Submission, now: _dt.datetime | None = None, replace: bool = True) -> SaveResult:
        """Replace the school-year of ``sub`` in one transaction, unless nothing differs. With
        ``replace=False``, figures of that school-year already held from another workbook are
        kept and the result says ``exists`` (with the file and time they came from)."""
        return self.save_all([sub], now, replace)[0]

    def save_all(self, subs: list[Submission], now: _dt.datetime | None = None, replace: bool = True,
                 chunk: int = 200) -> list[SaveResult]:
        """:meth:`save` of each submission, in transactions of up to ``chunk`` school-years (each
        school-year wholly old or wholly new whatever happens): the old figures of a chunk read
        in one query, the replaced ones deleted and the new ones written in one statement each.
        A school-year given twice is saved once after the other, as given."""
        now = now or _dt.datetime.now()
        for sub in subs:
            _finite_only(sub)
        results: list[SaveResult] = []
        start = 0
        while start < len(subs):
            part, keys = [], set()
            while start < len(subs) and len(part) < chunk and (subs[start].org_unit, subs[start].period) not in keys:
                keys.add((subs[start].org_unit, subs[start].period))
                part.append(subs[start])
                start += 1
            results += self._save_chunk(part, now, replace)
        return results

    def _save_chunk(self, part: list[Submission], now: _dt.datetime, replace: bool) -> list[SaveResult]:
        keys = {(sub.org_unit, sub.period) for sub in part}
        results = []
        with self.db.transaction():
            for sub in part:
                self.db.lock(f"{sub.org_unit}/{sub.period}")
            old: dict[tuple, dict] = {k: {} for k in keys}
            old_majors: dict[tuple, set] = {k: set() for k in keys}
            for period, orgs in _by_period(keys).items():
                marks = ", ".join("?" * len(orgs))
                for r in self.db.execute(
                        "SELECT org_unit, element, dims, period, scope, value FROM observations "
                        f"WHERE period = ? AND org_unit IN ({marks})", [period, *orgs]):
                    old[(r[0], period)][r[1:5]] = r[5]
                for m in self.db.execute(
                        "SELECT org_unit, seq, code, name, category, students, entrants, is_new FROM majors "
                        f"WHERE period = ? AND org_unit IN ({marks})", [period, *orgs]):
                    old_majors[(m[0], period)].add(tuple(m[1:]))
            stored = []
            for sub in part:
                key = (sub.org_unit, sub.period)
                was, was_majors = old[key], old_majors[key]
                new = {r.identity[:4]: r.value for r in sub.rows}
                new_majors = {m.identity for m in sub.majors}
                result = SaveResult(
                    status="unchanged" if (was == new and was_majors == new_majors) else "stored",
                    added=len(new.keys() - was.keys()), removed=len(was.keys() - new.keys()),
                    changed=sum(1 for k in new.keys() & was.keys() if new[k] != was[k]))
                if result.status == "stored" and not replace and (was or was_majors):
                    held = self._held(sub.org_unit, sub.period)
                    result = replace_result(result, status="exists", previous_file=held.file if held else "",
                                            previous_at=held.imported_at if held else None)
                if result.status == "stored":
                    stored.append(sub)
                results.append(result)
            for period, orgs in _by_period({(s.org_unit, s.period) for s in stored}).items():
                marks = ", ".join("?" * len(orgs))
                for table in ("observations", "majors"):
                    self.db.execute(f"DELETE FROM {table} WHERE period = ? AND org_unit IN ({marks})",
                                    [period, *orgs])
            self.db.insert("observations", OBS_COLUMNS, [
                (sub.org_unit, r.element, r.dims, r.period, r.scope, r.value, r.source, r.origin, now, sub.sha256)
                for sub in stored for r in sub.rows])
            self.db.insert("majors", MAJOR_COLUMNS, [
                (sub.org_unit, sub.period, m.seq, m.code, m.name, m.category, m.students, m.entrants, m.is_new,
                 m.origin, now, sub.sha256) for sub in stored for m in sub.majors])
            self.db.insert("imports", IMPORT_COLUMNS, [
                _log_row(now, sub.file, sub.sha256, sub.org_unit, sub.period, sub.template, result.status,
                         len(sub.rows), 0, 0, result, sub.contact) for sub, result in zip(part, results)])
        return results

    def _held(self, org_unit: str, period: int) -> Held | None:
        found = self.held(org_unit, period)
        return found[0] if found else None

    def held(self, org_unit: str | None = None, period: int | None = None) -> list[Held]:
        """The school-years held (all, or of one school and/or year): how many figures and
        majors, when they were imported and from which workbook."""
        where, params = _filters(org_unit, period)
        counts: dict[tuple, list] = {}
        for table in ("observations", "majors"):
            for org, year, n, at, sha in self.db.execute(
                    f"SELECT org_unit, period, COUNT(*), MAX(imported_at), MAX(workbook_sha256) FROM {table}{where} "
                    "GROUP BY org_unit, period", params):
                entry = counts.setdefault((org, year), [0, 0, None, ""])
                entry[0 if table == "observations" else 1] = n
                times = [x for x in (entry[2], at) if x is not None]
                entry[2] = max(times) if times else None
                entry[3] = entry[3] or sha
        files = {}
        for org, year, file, sha in self.db.execute(
                f"SELECT org_unit, period, file, workbook_sha256 FROM imports{where} "
                "ORDER BY imported_at", params):
            files[(org, year, sha)] = file
        return [Held(org, year, n_obs, n_maj, at, files.get((org, year, sha), ""), sha)
                for (org, year), (n_obs, n_maj, at, sha) in sorted(counts.items())]

    def remove(self, org_unit: str, period: int, removed_by: str, reason: str = "",
               now: _dt.datetime | None = None) -> Removal | None:
        """Remove one school-year's figures and majors in one transaction, with its audit record
        (table ``removals``); None when the store holds nothing for it."""
        now = now or _dt.datetime.now()
        with self.db.transaction():
            self.db.lock(f"{org_unit}/{period}")
            held = self._held(org_unit, period)
            if held is None:
                return None
            for table in ("observations", "majors"):
                self.db.execute(f"DELETE FROM {table} WHERE org_unit = ? AND period = ?", [org_unit, int(period)])
            record = Removal(now, org_unit, int(period), held.observations, held.majors, removed_by, reason,
                             held.sha256)
            self.db.insert("removals", REMOVALS_COLUMNS, [(
                record.removed_at, record.org_unit, record.period, record.observations, record.majors,
                record.removed_by, record.reason, record.sha256)])
        return record

    def removals(self) -> list[Removal]:
        """Every removal recorded, oldest first."""
        if not self._has_table("removals"):
            return []
        listed = ", ".join(REMOVALS_COLUMNS)
        return [Removal(*r) for r in self.db.execute(f"SELECT {listed} FROM removals ORDER BY removed_at")]

    def log_rejected(self, file: str, sha256: str, org_unit: str | None, period: int | None,
                     template: str | None, n_errors: int, n_warnings: int) -> None:
        """Record a rejected workbook in the import log (the figures are not touched)."""
        with self.db.transaction():
            self._log(_dt.datetime.now(), file, sha256, org_unit, period, template, "rejected",
                      0, n_errors, n_warnings, SaveResult("rejected"), {})

    def _log(self, now, file, sha, org, period, template, status, n_values, n_errors, n_warnings,
             result: SaveResult, contact: dict) -> None:
        self.db.insert("imports", IMPORT_COLUMNS, [_log_row(now, file, sha, org, period, template, status, n_values,
                                                            n_errors, n_warnings, result, contact)])

    # -- reading -------------------------------------------------------------------------
    def rows(self, table: str = "observations") -> list[tuple]:
        """Every row of a table, in a stable order (for exports and comparisons)."""
        if table not in ("observations", "majors", "imports"):
            raise ValueError(table)
        cols = {"observations": OBS_COLUMNS, "majors": MAJOR_COLUMNS, "imports": IMPORT_COLUMNS}[table]
        listed = ", ".join(cols)
        return self.db.execute(f"SELECT {listed} FROM {table} ORDER BY {listed}")

    def observations(self, org_unit: str | None = None, period: int | None = None) -> list[tuple[str, Row]]:
        """(org_unit, Row) for every stored figure (or those of one school and/or year)."""
        where, params = _filters(org_unit, period)
        return [(r[0], Row(element=r[1], dims=r[2], period=r[3], scope=r[4], value=r[5],
                           source=r[6], origin=r[7]))
                for r in self.db.execute(
                    "SELECT org_unit, element, dims, period, scope, value, source, origin "
                    f"FROM observations{where} ORDER BY org_unit, period, element, dims, scope", params)]

    def majors(self, org_unit: str | None = None, period: int | None = None) -> list[tuple[str, int, Major]]:
        """(org_unit, period, Major) for the stored lists of majors."""
        where, params = _filters(org_unit, period)
        sql = ("SELECT org_unit, period, seq, code, name, category, students, entrants, is_new, origin "
               f"FROM majors{where} ORDER BY org_unit, period, seq")
        return [(r[0], r[1], Major(*r[2:])) for r in self.db.execute(sql, params)]

    def submissions(self) -> set[tuple[str, int]]:
        """The (school, year) pairs the store holds figures for."""
        return {(r[0], r[1]) for r in self.db.execute(
            "SELECT DISTINCT org_unit, period FROM observations")}


def _log_row(now, file, sha, org, period, template, status, n_values, n_errors, n_warnings,
             result: SaveResult, contact: dict) -> tuple:
    return (now, file, sha, org, period, template, status, n_values, n_errors, n_warnings,
            result.added, result.changed, result.removed, contact.get("filled_by", ""), contact.get("phone", ""))


def _by_period(keys) -> dict[int, list[str]]:
    """School-years (org unit, period) as period → the org units, in a stable order."""
    out: dict[int, list[str]] = {}
    for org, period in sorted(keys):
        out.setdefault(period, []).append(org)
    return out


def _finite_only(sub: Submission) -> None:
    """A submission holding an infinite or NaN figure is refused whole: such a value can come
    only from a reader that failed to reject it, and would break every sum it enters."""
    bad = [r.origin or r.element for r in sub.rows if r.value is not None and not math.isfinite(r.value)]
    bad += [m.origin or m.name for m in sub.majors
            for v in (m.students, m.entrants) if v is not None and not math.isfinite(v)]
    if bad:
        raise StoreError(message("store.not_finite", org=sub.org_unit, year=sub.period, where=bad[:5]))


def _filters(org_unit: str | None, period: int | None) -> tuple[str, list]:
    parts, params = [], []
    if org_unit is not None:
        parts.append("org_unit = ?")
        params.append(org_unit)
    if period is not None:
        parts.append("period = ?")
        params.append(int(period))
    return (" WHERE " + " AND ".join(parts) if parts else ""), params


def merge_into(dataset_dir: str | Path, observations: list, catalogue=None, orgs=None) -> tuple[list, list]:
    """Merge the stored figures into a dataset's observations read from values.csv.

    Policy: the store wins by school-year. Rows of values.csv for an (org unit, year) that the
    store holds are dropped and replaced by the stored ones; where they differed, one ``info``
    finding per school-year says how many. With the ``catalogue`` (and the registry ``orgs``), a
    stored figure that is not finite or lies outside its element's plausible range (written
    before the range was checked) is left out with an error naming its origin and the command
    that removes it. Returns (observations, findings).
    """
    path = locate(dataset_dir)
    if not _exists(path):
        return observations, []
    name = describe(path) if is_url(path) else path.name
    try:
        with Store(path, read_only=True) as store:
            stored = store.observations()
    except StoreError as exc:
        where = Location(file=name)
        if exc.code == "store.busy":
            return observations, [finding("store.busy", where, **exc.values)]
        if exc.code == "store.corrupt":
            return observations, [finding("store.corrupt", where, **exc.values)]
        if exc.code == "store.not_a_file":
            return observations, [finding("store.not_a_file", where, **exc.values)]
        return observations, [finding("store.unreadable", Location(file=name), text={"file": name, "error": exc})]
    except Error as exc:
        return observations, [finding("store.unreadable", Location(file=name),
                                      text={"file": name, "error": exc})]
    findings = []
    if catalogue is not None:
        stored, findings = _plausible(stored, catalogue, orgs, dataset_dir)
    held = {(org, row.period) for org, row in stored}
    kept, replaced = [], {}
    for o in observations:
        if (o.org_unit, o.period) in held:
            replaced.setdefault((o.org_unit, o.period), []).append(o)
        else:
            kept.append(o)
    stored_value = {(org, r.element, r.dims, r.period, r.scope): r.value for org, r in stored}
    merged = kept + [Observation(element=r.element, dims=parse_dims(r.dims), period=r.period, scope=r.scope,
                                 value=r.value, org_unit=org, source=r.source, origin=r.origin)
                     for org, r in stored]
    for (org, period), olds in sorted(replaced.items()):
        differ = [o for o in olds
                  if stored_value.get((org, o.element, dims_text(o.dims), o.period, o.scope)) != o.value]
        if differ:
            findings.append(finding("store.replaces_csv", Location(file="values.csv"), period=period, org_unit=org,
                                    text={"org": org, "year": period}, replaced=len(olds), different=len(differ)))
    return merged, findings


def _plausible(stored: list, catalogue, orgs, dataset_dir) -> tuple[list, list]:
    kept, findings = [], []
    for org, r in stored:
        unit = orgs.get(org) if orgs is not None else None
        bounds = catalogue.bounds(r.element, unit.level if unit is not None else "school")
        if math.isfinite(r.value) and (bounds is None or bounds[0] <= r.value <= bounds[1]):
            kept.append((org, r))
            continue
        el = catalogue.elements.get(r.element)
        findings.append(finding(
            "store.out_of_range", Location(*(origin_location(r.origin) or (r.origin,))), period=r.period, org_unit=org,
            value=repr(r.value), low=bounds[0] if bounds else "—", high=bounds[1] if bounds else "—",
            text={"org": org, "year": r.period, "element": el.zh if el else r.element,
                  "element_en": el.en if el else r.element, "dataset": str(dataset_dir)}))
    return kept, findings


def major_points(dataset_dir: str | Path, catalogue) -> dict[str, list]:
    """The majors of the stored workbook lists as ``MajorPoint`` (nianbao.ingest.majors), by school.

    A list describes one year. Across a school's stored years, a major (same catalogue version
    and name) is opened in the year it was marked new (else before the first list) and closed
    in the year after the last list that names it, unless that list is the school's latest.
    Intended policy for merging with majors.csv: for a school present here, these replace its
    majors.csv rows.
    """
    path = locate(dataset_dir)
    if not _exists(path):
        return {}
    try:
        with Store(path, read_only=True) as store:
            stored = store.majors()
    except Error as exc:
        raise StoreError(message("store.unreadable", file=path, error=exc)) from None
    cat = MajorCatalogue(catalogue.majors or {})
    latest: dict[str, int] = {}
    seen: dict[tuple, dict] = {}
    for org, year, m in stored:
        latest[org] = max(latest.get(org, year), year)
        version = cat.category_version.get(m.category, "")
        entry = seen.setdefault((org, version, m.name), {"years": [], "new": [], "major": m, "version": version})
        entry["years"].append(year)
        if m.is_new:
            entry["new"].append(year)
        entry["major"] = m  # the latest year's record gives code and category
    out: dict[str, list] = {}
    for (org, version, name), e in sorted(seen.items()):
        last = max(e["years"])
        out.setdefault(org, []).append(MajorPoint(
            org_unit=org, name=name, category=e["major"].category, version=version, code=e["major"].code,
            opened=min(e["new"]) if e["new"] else None, closed=None if last == latest[org] else last + 1,
            origin=e["major"].origin))
    return out
