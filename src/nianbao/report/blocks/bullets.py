"""``list: [KEY, …]`` — bullets, one a sentence of the outline (``list: KEY`` for one)."""

from __future__ import annotations

from nianbao.report.blocks import block
from nianbao.report.document import Paragraph


@block("list")
def bullets(b, req) -> None:
    section = req.section
    for k in map(str, req.key if isinstance(req.key, list) else [req.key]):
        spec = b.lookup("sentences", k, section)
        runs = spec and b.sentence_runs(spec["zh"], section, b.words("where.list", section=section, key=k),
                                        spec.get("what_zh", b.words("what.list_item")))
        if runs:
            b.add(Paragraph(runs, "bullet"))
