"""What every command shares: one way to say that the input cannot be used, to open a dataset
and to write a text result to the screen or a file."""

from __future__ import annotations

from nianbao.cli.console import emit, fail, fail_use, refuse_output, unreadable  # noqa: F401
from nianbao.core.findings import FindingsError


def load(command: str, path):
    """``(dataset, None)``, or ``(None, 2)`` after saying why the dataset cannot be used."""
    from nianbao.app.datasets import open_dataset
    try:
        dataset = open_dataset(path)
    except FindingsError as exc:
        return None, unreadable(command, exc.findings)
    store = [f for f in dataset.findings if f.code.startswith("store.") and f.severity == "error"]
    if store:  # the imported figures cannot be read: a table without them would be silently short
        return None, unreadable(command, store)
    return dataset, None
