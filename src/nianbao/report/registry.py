"""Registries (登记表): the handlers of one kind — block kinds, table layouts, output formats — by
the name the outline or the command uses.

A module registers its handler with the registry's decorator; the package that holds such
modules imports every module beside its ``__init__`` (``discover``), so adding a block kind, a
table layout or an output format is adding a module::

    # nianbao/report/blocks/quote.py
    from nianbao.report.blocks import block

    @block("quote")
    def quote(b, key, section): ...
"""

from __future__ import annotations

import importlib
import pkgutil
from typing import Any, Callable


class Registry:
    """Handlers by name, in the order they were registered."""

    def __init__(self, what: str):
        self.what = what  # "block kind", "table layout", "output format" (for messages)
        self._items: dict[str, Any] = {}

    def register(self, name: str, **meta) -> Callable:
        """Decorator: ``@registry.register("sentence")``. Keyword ``meta`` are set as attributes
        of the handler (e.g. ``converts="docx"`` for an output format)."""
        def decorate(handler):
            if name in self._items and self._items[name] is not handler:
                raise ValueError(f"{self.what} {name!r} is registered twice")
            for k, v in meta.items():
                setattr(handler, k, v)
            self._items[name] = handler
            return handler
        return decorate

    def unregister(self, name: str) -> None:
        self._items.pop(name, None)

    def get(self, name: str):
        return self._items.get(name)

    def __getitem__(self, name: str):
        return self._items[name]

    def __contains__(self, name: object) -> bool:
        return name in self._items

    def __iter__(self):
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    @property
    def names(self) -> list[str]:
        return list(self._items)

    def items(self):
        return self._items.items()


def discover(package: str, path) -> list[str]:
    """Import every module of ``package`` (whose ``__path__`` is ``path``), so that each
    registers its handlers; returns the modules' names in the order imported."""
    names = sorted(m.name for m in pkgutil.iter_modules(path) if not m.name.startswith("_"))
    for name in names:
        importlib.import_module(f"{package}.{name}")
    return names
