"""``annex: all`` (or ``annex: ID``) — the indicator tables of the catalogue's annex.yaml (附件1:
the “中等职业教育指标” of 2022, the “6张指标表” from 2023年度), printed at the end of the report.
One row a figure: its name, unit, value and definition, filled from the same facts as the text
(a row's ``fact`` is an indicator or data element, as in sentences). A row without ``fact`` (an
item the catalogue has no figure for) prints its own name, unit and definition and an empty
value.

Rows marked ``graduates: true`` concern the year's graduates: a school that had none that year
(毕业生数 0) gets them printed 无须填写 with the notice's wording in a note, not an error
(“没有当年毕业生的学校无须填写与毕业生相关的数据”, 沪教委职〔2024〕46号)."""

from __future__ import annotations

import re

from nianbao.report.blocks import block
from nianbao.report.document import Cell, Paragraph, Table
from nianbao.report.runs import figure, text
from nianbao.report.sentences import render_text

_UNVERIFIED = re.compile(r"\s*\[unverified[^\]]*\]")  # the catalogue's own marks, not for readers
GRADUATES = "graduates"  # the element whose value 0 means: no graduates that year


def annex_tables(cat, key: str = "all") -> list[dict]:
    tables = (cat.annex or {}).get("tables") or []
    return tables if key == "all" else [t for t in tables if t.get("id") == key]


def no_graduates(b) -> bool:
    """True when the unit reported 0 graduates for the report year."""
    fact = b.facts.get(GRADUATES, b.year)
    return fact is not None and fact.value == 0


def row_label(b, row: dict) -> tuple[str, str, str, object]:
    """Name, unit, definition and the placeholder of an annex row."""
    if not row.get("fact"):
        unit = row.get("unit") or {}
        return row.get("zh", ""), unit.get("zh", "") if isinstance(unit, dict) else str(unit), row.get("definition", ""), None
    ph = b.ref(str(row["fact"]), b.words("annex.where"))
    ind = b.cat.indicator(ph.code)
    el = b.cat.elements.get(ph.code)
    definition = row.get("definition") or ind.definition or (el.definition if el else "") or ind.zh
    unit = row.get("unit", {}).get("zh") if row.get("unit") else ind.unit_zh
    return row.get("zh") or b.header_name(ph), unit, _UNVERIFIED.sub("", definition), ph


@block("annex")
def annex(b, req) -> None:
    tables = annex_tables(b.cat, str(req.key))
    if not tables:
        b.error("report.undefined", req.section, group="annex", key=req.key)
        return
    w = b.words
    skip_graduates = no_graduates(b)
    status = (b.cat.annex or {}).get("status_zh")
    for n, spec in enumerate(tables, 1):
        rows, facts, marked = [], [], False
        where = spec.get("number_zh") or spec.get("zh", "")
        for i, row in enumerate(spec.get("rows") or [], 1):
            name, unit, definition, ph = row_label(b, row)
            if row.get("graduates"):
                name += w("annex.graduate_mark")
                marked = True
            if row.get("graduates") and skip_graduates:
                value = [text(w("annex.no_graduates"))]
            else:
                fact = b.cell_fact(ph, b.year, where, req.section) if ph is not None else None
                facts.append(fact)
                value = [figure(fact)] if fact else [text(w.no_data)]
            rows.append([Cell([text(str(i))]), Cell([text(name)], align="left"), Cell([text(unit or "")]),
                         Cell(value), Cell([text(definition)], align="left")])
        notes = []
        if marked:
            notes.append(w("annex.graduate_rows"))
        if marked and skip_graduates:
            notes.append(w("annex.no_graduates_note", year=b.year))
        if status and n == len(tables):
            notes.append(w("annex.status"))
        title = render_text(spec.get("zh", ""), b.context())
        number = spec.get("number_zh") or b.next_table_number(spec)
        b.add(Table(f"annex:{spec.get('id', '')}", number, title, list(w.entry("annex.header")), rows, notes,
                    caption=b.caption(number, title)))
    if not tables:
        b.add(Paragraph([text(w.no_data)], "note"))
