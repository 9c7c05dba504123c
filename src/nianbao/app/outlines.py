"""The use case "which outline": the catalogue versions, the report types each serves (学校年报,
中职地市级年报, 省级年报 …) and their parts and indicator tables (``nianbao outlines``), and the
report type a dataset's report is built to — dataset.yaml's ``report_type`` (or the older
``outline``), overridden by ``nianbao report --outline``."""

from __future__ import annotations

from dataclasses import dataclass

from nianbao import catalogue as cat_mod
from nianbao.app.errors import UseCaseError


@dataclass(frozen=True)
class Part:
    id: str
    zh: str
    en: str
    required: bool
    sections: tuple[tuple[str, str, str], ...]  # (id, zh, en)


@dataclass(frozen=True)
class ReportType:
    id: str
    zh: str
    en: str
    parts: tuple[Part, ...]


@dataclass(frozen=True)
class Version:
    id: str
    zh: str
    en: str
    valid_from: int | None
    valid_to: int | None
    extends: str
    notice: str
    types: tuple[ReportType, ...]
    annex: tuple[tuple[str, str, str, int], ...]  # (number, zh, en, rows)
    annex_status: str


def versions() -> list[str]:
    """The catalogue versions nianbao ships, eldest first."""
    return sorted(cat_mod.available())


def load_version(version: str):
    """The catalogue of ``version``; an unknown one is a UseCaseError listing the known."""
    if version not in versions():
        raise UseCaseError(f"没有目录版本“{version}”；可用：{'、'.join(versions())}",
                           f"unknown catalogue version '{version}'; known: {', '.join(versions())}")
    return cat_mod.load(version)


def describe(version: str) -> Version:
    cat = load_version(version)
    meta = cat.meta
    types = []
    for tid, o in (cat.outline.get("outlines") or {}).items():
        parts = tuple(Part(str(p["id"]), p.get("zh", ""), p.get("en", ""), bool(p.get("required")),
                           tuple((str(s["id"]), s.get("zh", ""), s.get("en", "")) for s in p.get("sections", [])))
                      for p in o.get("parts", []))
        types.append(ReportType(tid, o.get("zh", tid), o.get("en", tid), parts))
    annex = tuple((t.get("number_zh", ""), t.get("zh", ""), t.get("en", ""), len(t.get("rows") or []))
                  for t in (cat.annex or {}).get("tables") or [])
    return Version(cat.id, meta.get("name_zh", ""), meta.get("name_en", ""), meta.get("valid_from"),
                   meta.get("valid_to"), meta.get("extends", ""), meta.get("notice_zh", ""), tuple(types), annex,
                   (cat.annex or {}).get("status_zh", ""))


def report_types(catalogue) -> list[str]:
    return list((catalogue.outline.get("outlines") or {}))


def choose_outline(dataset, override: str | None = None, school: bool = False) -> str:
    """The report type a dataset's report is built to: ``override`` (--outline), else
    dataset.yaml's ``report_type`` (``school_outline`` for a school of a city dataset), else
    ``outline``, else city (school). An unknown type is a UseCaseError naming the known ones."""
    meta = dataset.meta
    if school:
        chosen = override or meta.get("school_outline") or "school"
    else:
        chosen = override or meta.get("report_type") or meta.get("outline") or "city"
    known = report_types(dataset.catalogue)
    if chosen not in known:
        raise UseCaseError(f"目录 {dataset.catalogue.id} 中没有报告类型“{chosen}”；可用：{'、'.join(known)}",
                           f"catalogue {dataset.catalogue.id} has no report type '{chosen}'; known: {', '.join(known)}")
    return chosen


def apply_outline(dataset, chosen: str, school: bool = False) -> None:
    """Make ``chosen`` the report type the builder uses for this dataset (in memory only)."""
    dataset.meta["school_outline" if school else "report_type"] = chosen
