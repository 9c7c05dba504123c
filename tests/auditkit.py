"""Helpers of the audit tests: a DOCX made from the seed text, numeric figures counted by a
simple tokenizer independent of the extractor (for the coverage measure)."""

from __future__ import annotations

import re
from pathlib import Path

SEED = Path(__file__).parent / "fixtures" / "seed" / "datong-2020.txt"

NOT_QUANTITY = re.compile(
    r"\d{4}\s*[-—–~至到]\s*\d{4}|\d{4}\s*(?:年|学年)|\d{1,2}月\d{1,2}日|\d{1,2}月|[〔【\[(]\s*\d{4}\s*[〕】\])]\s*\d+\s*号"
    r"|第\s*\d+|\d+\+X|\d+▪\d+|^\s*\d+[.、]|[(（]\d+[)）]|\d+(?:\.\d+)+(?=[\u4e00-\u9fff【])|\d+号")


def figures_in_paragraph(text: str) -> list[tuple[int, int]]:
    """Spans of the numbers of a paragraph that are quantities (not years, dates, document
    numbers, ordinals, list markers or section numbers)."""
    blocked = [m.span() for m in NOT_QUANTITY.finditer(text)]
    out = []
    for m in re.finditer(r"\d+(?:,\d{3})*(?:\.\d+)?", text):
        if any(a <= m.start() < b for a, b in blocked):
            continue
        out.append(m.span())
    return out


def figure_coverage(result) -> tuple[int, int]:
    """(figures read as claims, numeric figures) of an audit: the numbers of paragraphs that are
    quantities, every numeric cell of tables and each value of chart data."""
    covered = total = 0
    blocks = result.source.blocks
    spans = {}
    for c in result.claims:
        spans.setdefault(c.block, []).append(c)
    for bi, b in enumerate(blocks):
        mine = spans.get(bi, [])
        if b.kind == "para":
            if b.heading:
                continue
            for s, e in figures_in_paragraph(b.text):
                total += 1
                covered += any(c.span[0] <= s < c.span[1] or (c.span[0] <= s <= c.span[1]) for c in mine
                               if not c.where.table)
        elif b.kind == "table":
            for r, row in enumerate(b.rows[1:], start=1):
                for col, cell in enumerate(row[1:], start=1):
                    if cell and any(ch.isdigit() for ch in cell) and "-" not in cell.replace("%-", "%"):
                        total += 1
                        covered += any(c.span == (r, col) for c in mine)
        elif b.kind == "chart":
            total += len(b.series)
            covered += min(len(b.series), sum(1 for c in mine if c.note != "图表分类标签中的数字"))
    return covered, total


def seed_docx(path: Path) -> Path:
    """A Word file of the seed text: its paragraphs and tables (chart data as paragraphs)."""
    import docx

    from nianbao.audit.readers import read

    source = read(SEED)
    d = docx.Document()
    for b in source.blocks:
        if b.kind == "para":
            d.add_paragraph(b.text)
        elif b.kind == "table":
            rows = b.rows
            t = d.add_table(rows=len(rows), cols=max(len(r) for r in rows))
            for i, row in enumerate(rows):
                for j, cell in enumerate(row):
                    t.cell(i, j).text = cell or ""
        elif b.kind == "chart":
            if b.caption:
                d.add_paragraph(b.caption)
            heads = []
            for h, lab, v in b.series:
                heads.append("\t".join(x for x in (h, lab, v) if x))
            d.add_paragraph("\t".join(heads) + "\t")
    d.save(str(path))
    return path
