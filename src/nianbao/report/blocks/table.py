"""``table: KEY`` — a table of the outline (``tables``), laid out by the layout its ``layout``
names (nianbao.report.tables), numbered 表一, 表二 … in order."""

from __future__ import annotations

from nianbao.report.blocks import block
from nianbao.report.document import Table
from nianbao.report.sentences import render_text
from nianbao.report.tables import DEFAULT_LAYOUT, LAYOUTS, TableRequest


@block("table", defined_in="tables")
def table(b, req) -> None:
    key, spec, section = req.key, req.spec, req.section
    periods = b.periods(spec)
    title = b.title_text(spec["zh"], periods, section, key)
    if title is None:
        return
    name = spec.get("layout", DEFAULT_LAYOUT)
    build = LAYOUTS.get(name)
    if build is None:
        b.error("report.unknown_layout", section, key=key, layout=name, known=b.words.join(sorted(LAYOUTS)),
                known_en=", ".join(sorted(LAYOUTS)))
        return
    made = build(b, TableRequest(key, spec, periods, section, title))
    if made is None:  # left out: an optional table without data, or a standard that does not apply
        return
    if isinstance(made, Table):
        if made.periods and made.periods != periods:  # the years kept name the title's span
            title = render_text(spec["zh"], b.context(made.periods))
        made.number = b.next_table_number(spec)
        made.title = title
        made.caption = b.caption(made.number, title)
    b.add(made)
