"""``layout: static`` — a table the dataset gives as it is (tables/SOURCE.csv, SOURCE defaulting
to the table's key), printed cell by cell."""

from __future__ import annotations

from nianbao.core.findings import Location
from nianbao.core.messages import finding
from nianbao.report.document import Cell, Table
from nianbao.report.runs import text
from nianbao.report.tables import layout


@layout("static")
def static(b, t):
    source = t.spec.get("source", t.key)
    rows = b.ds.static_tables.get(source)
    number = t.spec.get("number_zh", "")
    if not rows:  # left out of the report; nianbao check lists it
        b.omitted.append(finding("report.missing_table", Location(section=t.section), section=t.section,
                                 number=number, source=source))
        return None
    header = list(rows[0].keys())
    body = [[Cell([text(r.get(h, "") or "")]) for h in header] for r in rows]
    return Table(t.key, "", "", header, body)
