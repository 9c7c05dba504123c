"""The use case "open a dataset": a dataset folder read completely (figures, registry, majors,
narratives, its own catalogue additions and standards, imported workbooks), or one clear failure."""

from __future__ import annotations

from pathlib import Path

from nianbao.app.errors import UseCaseError
from nianbao.catalogue import CatalogueError
from nianbao.ingest.dataset import Dataset, load_dataset
from nianbao.ingest.rows import catalogue_error

__all__ = ["Dataset", "open_dataset", "at_year"]


def open_dataset(path: str | Path, engine: str | None = None, url: str | None = None) -> Dataset:
    """The dataset of folder ``path``. A folder that cannot be used raises FindingsError, whose
    findings name the file and say what to do — whatever the cause (no dataset.yaml, an unknown
    catalogue version, a dataset catalogue file that clashes with its version). Rows that cannot
    be read do not fail: they are findings of the dataset (``dataset.findings``). ``engine`` and
    ``url``: the engine a command names, that counts the records (``load_dataset``)."""
    try:
        return load_dataset(path, engine=engine, url=url)
    except CatalogueError as exc:
        raise catalogue_error(exc, Path(path)) from None


def at_year(dataset: Dataset, year: int) -> Dataset:
    """The dataset as a report of ``year`` sees it (``nianbao report --year``): that report year,
    the years up to it, and the outlines, annex and workbook of the catalogue version in force
    that year (the one ``outline_version`` names, if dataset.yaml pins one); every element of the
    dataset's catalogue stays known, so the figures of a newer version are not errors. In memory
    only; a year the dataset does not hold is a UseCaseError listing the years it does."""
    if year == dataset.report_year:
        return dataset
    if year not in dataset.periods:
        years = "、".join(str(p) for p in dataset.periods)
        raise UseCaseError(f"数据集没有 {year} 年的数据（dataset.yaml 的 periods：{years}）",
                           f"the dataset holds no figures for {year} (periods in dataset.yaml: "
                           f"{', '.join(str(p) for p in dataset.periods)})",
                           notes=[("改写 --year 为其中一年，或在 periods 中加上该年", "use one of these years with --year, "
                                   "or add the year to periods")])
    pinned = dataset.meta.get("outline_version")
    try:
        catalogue = dataset.catalogue.as_version(pinned) if pinned else dataset.catalogue.in_force(year)
    except CatalogueError as exc:
        raise catalogue_error(exc, dataset.path / "dataset.yaml") from None
    for key in ("title_zh", "title_en"):  # a title dataset.yaml writes names its own report year
        dataset.meta.pop(key, None)
    dataset.meta["report_year"] = year
    dataset.report_year = year
    dataset.periods = [p for p in dataset.periods if p <= year]
    dataset.catalogue = catalogue
    return dataset
