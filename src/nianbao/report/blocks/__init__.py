"""Block kinds (块类型): one module a kind, each registering its handler under the name the
outline uses (``sentence``, ``list``, ``narrative``, ``table``, ``chart``, ``verdicts``,
``attainment`` …). A handler is called as ``handler(b, req)`` — ``b`` the build context
(nianbao.report.builder.BuildContext), ``req`` a ``BlockRequest`` — and adds blocks to the
document with ``b.add``. A kind registered with ``defined_in="tables"`` names an entry of that
section of outline.yaml; the builder looks it up (an undefined one is a finding) and hands it
over as ``req.spec``.

Adding a block kind is adding a module here that uses ``@block("name")``.
"""

from __future__ import annotations

from dataclasses import dataclass

from nianbao.report.registry import Registry, discover

BLOCKS = Registry("block kind")


def block(name: str, defined_in: str = ""):
    """Register a handler for block kind ``name`` (``defined_in``: the outline section its keys
    name, e.g. ``sentences``)."""
    return BLOCKS.register(name, defined_in=defined_in)


@dataclass(frozen=True)
class BlockRequest:
    key: str | list  # the block's value in the outline (``list`` takes a list of keys)
    section: str  # the outline section that holds the block
    spec: dict | None = None  # the entry ``key`` names, for kinds registered with ``defined_in``


discover(__name__, __path__)
