"""The use case "open a dataset": a dataset folder read completely (figures, registry, majors,
narratives, its own catalogue additions and standards, imported workbooks), or one clear failure."""

from __future__ import annotations

from pathlib import Path

from nianbao.catalogue import CatalogueError
from nianbao.ingest.dataset import Dataset, load_dataset
from nianbao.ingest.rows import catalogue_error

__all__ = ["Dataset", "open_dataset"]


def open_dataset(path: str | Path) -> Dataset:
    """The dataset of folder ``path``. A folder that cannot be used raises FindingsError, whose
    findings name the file and say what to do — whatever the cause (no dataset.yaml, an unknown
    catalogue version, a dataset catalogue file that clashes with its version). Rows that cannot
    be read do not fail: they are findings of the dataset (``dataset.findings``)."""
    try:
        return load_dataset(path)
    except CatalogueError as exc:
        raise catalogue_error(exc, Path(path)) from None
