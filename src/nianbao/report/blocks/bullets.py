"""``list: [KEY, …]`` — bullets, one a sentence of the outline (``list: KEY`` for one)."""

from __future__ import annotations

from nianbao.report.blocks import block
from nianbao.report.document import Paragraph


@block("list")
def bullets(b, key, section: str) -> None:
    keys = key if isinstance(key, list) else [key]
    for k in map(str, keys):
        spec = b.lookup("sentences", k, section)
        runs = spec and b.sentence_runs(spec["zh"], section, b.words("where.list", section=section, key=k),
                                        spec.get("what_zh", b.words("what.list_item")))
        if runs:
            b.add(Paragraph(runs, "bullet"))
