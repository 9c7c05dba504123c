"""Block kinds (块类型): one module a kind, each registering its handler under the name the
outline uses (``sentence``, ``list``, ``narrative``, ``table``, ``chart``, ``verdicts``,
``attainment`` …). A handler is called as ``handler(b, key, section)`` — ``b`` the build
context (nianbao.report.builder.BuildContext), ``key`` the block's value in the outline,
``section`` the outline's section id — and adds blocks to the document with ``b.add``.

Adding a block kind is adding a module here that uses ``@block("name")``.
"""

from nianbao.report.registry import Registry, discover

BLOCKS = Registry("block kind")
block = BLOCKS.register

discover(__name__, __path__)
