"""The use case "what the store holds": the school-years of figures imported (``nianbao store
list``), one school-year removed (``nianbao store remove``), and the audit record of every
removal (``nianbao store log``).

These work on the dataset folder alone, not on the dataset as read: a store holding a figure
that breaks the dataset must still be listed and repaired. A removal is one transaction (the
figures and the majors of that school and year, and the record of who removed how many, when and
why); the import log is kept, so the history of the school-year stays readable.
"""

from __future__ import annotations

import getpass
from dataclasses import dataclass, field
from pathlib import Path

from nianbao.app.errors import UseCaseError
from nianbao.ingest.orgs import read_orgs
from nianbao.store import Held, Removal, Store, describe, locate
from nianbao.store import exists as store_exists


@dataclass
class Holdings:
    """The store of a dataset: where it is, the school-years it holds and the removals made."""
    location: str
    held: list[Held] = field(default_factory=list)
    removals: list[Removal] = field(default_factory=list)
    names: dict[str, str] = field(default_factory=dict)  # school code → name, from orgs.csv


def _names(dataset: Path) -> dict[str, str]:
    """School names from the registry, where it can be read (the listing works without)."""
    try:
        return {o.code: o.zh for o in read_orgs(dataset / "orgs.csv")}
    except Exception:  # a registry that cannot be read: codes are listed without names
        return {}


def _folder(dataset) -> Path:
    path = Path(dataset)
    if not path.is_dir():
        raise UseCaseError(f"找不到数据集文件夹 {path}", f"no dataset folder {path}",
                           "给出含 dataset.yaml 的文件夹")
    return path


def holdings(dataset) -> Holdings:
    """What the store of ``dataset`` holds (nothing when no figures were ever imported)."""
    path = _folder(dataset)
    where = locate(path)
    out = Holdings(describe(where), names=_names(path))
    if not store_exists(where):
        return out
    with Store(where, read_only=True) as store:
        out.held = store.held()
        out.removals = store.removals()
    return out


def remove(dataset, school: str, year: int, removed_by: str = "", reason: str = "") -> Removal:
    """Remove the figures and majors of ``school`` in ``year`` from the store, with the audit
    record (``removed_by``: the name given, else the login name of the user running nianbao)."""
    path = _folder(dataset)
    where = locate(path)
    who = removed_by.strip() or _login()
    if store_exists(where):
        with Store(where) as store:
            record = store.remove(school, int(year), who, reason.strip())
        if record is not None:
            return record
    raise UseCaseError(f"数据库中没有学校 {school} {year}年度的数据", f"the store holds nothing for {school} in {year}",
                       "用 nianbao store list 查看数据库中已有的学校与年度")


def _login() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no login name in this environment (a container without a user entry)
        return "unknown"
