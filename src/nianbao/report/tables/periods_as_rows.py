"""``layout: periods_as_rows`` — one row a year, one column an indicator (``columns``)."""

from __future__ import annotations

from nianbao.report.document import Cell, Table
from nianbao.report.notes import definition_notes, other_scope_facts, scope_mark, table_notes, years_without_data
from nianbao.report.runs import figure, text
from nianbao.report.tables import layout


@layout("periods_as_rows")
def periods_as_rows(b, t):
    """Only the years and columns with data are kept; a year of a column in another scope than
    the column's is marked (*) and named in a note; figures whose definition changed within the
    years shown get a note (the years either side are not compared)."""
    w = b.words
    refs = [b.ref(c, t.section) for c in t.spec["columns"]]
    if (periods := b.left_out_periods(refs, t.periods, t.spec, t.section)) is None:
        return None
    dropped = [b.header_name(ph) for ph in refs if not b.periods_with_data([ph], periods)]
    refs = [ph for ph in refs if b.periods_with_data([ph], periods)]
    header = [w("tables.year_column")] + [b.header_name(ph, with_unit=True) for ph in refs]
    rows, facts = [], []
    where = b.table_name(t.spec)
    cells = {(p, ph.raw): b.cell_fact(ph, p, where, t.section) for p in periods for ph in refs}
    marked = set().union(*(other_scope_facts([cells[(p, ph.raw)] for p in periods]) for ph in refs))
    for p in periods:
        row = [Cell([text(w.year(p))])]
        for ph in refs:
            f = cells[(p, ph.raw)]
            row.append(Cell([figure(f)] + scope_mark(f, marked, w) if f else [text(w.no_data)]))
            facts.append(f)
        rows.append(row)
    return Table(t.key, "", "", header, rows, table_notes(facts, b.cat, refs, b)
                 + years_without_data(t.periods, periods, w)
                 + ([w("notes.columns_missing", names=w.join(dropped))] if dropped else [])
                 + definition_notes(refs, periods, b), periods=periods)
