"""Table layouts (表格版式): one module a layout, each registering its builder under the name
``layout:`` uses in outline.yaml (``periods_as_rows``, ``indicators_as_rows``, ``static``,
``comparison``, ``standards``, ``attainment`` …).

A layout is called as ``layout(b, t)`` — ``b`` the build context, ``t`` a ``TableRequest`` —
and returns a ``Table`` (the ``table`` block numbers and titles it), another block to print
instead (a note that a standard does not apply), or None when the table is left out.

Adding a layout is adding a module here that uses ``@layout("name")``.
"""

from __future__ import annotations

from dataclasses import dataclass

from nianbao.report.registry import Registry, discover

LAYOUTS = Registry("table layout")
layout = LAYOUTS.register
DEFAULT_LAYOUT = "periods_as_rows"


@dataclass(frozen=True)
class TableRequest:
    key: str  # the table's key in the outline's ``tables``
    spec: dict  # its definition
    periods: list  # the years it covers
    section: str  # the outline section that asks for it
    title: str  # its title, rendered


discover(__name__, __path__)
