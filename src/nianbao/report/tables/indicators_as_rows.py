"""``layout: indicators_as_rows`` — one row an indicator (``rows``), one column a year, and with
``change: true`` a last column of the change on the year before."""

from __future__ import annotations

from nianbao.report import phrases
from nianbao.report.document import Cell, Table
from nianbao.report.notes import definition_notes, other_scope_facts, scope_mark, table_notes, years_without_data
from nianbao.report.runs import figure, text
from nianbao.report.sentences import comparable
from nianbao.report.tables import layout


@layout("indicators_as_rows")
def indicators_as_rows(b, t):
    """Only the years and rows with data are kept; a change across a break of scope or of
    definition prints “—” with a note."""
    w = b.words
    refs = [b.ref(c, t.section) for c in t.spec["rows"]]
    if (periods := b.left_out_periods(refs, t.periods, t.spec, t.section)) is None:
        return None
    dropped = [b.header_name(ph) for ph in refs if not b.periods_with_data([ph], periods)]
    refs = [ph for ph in refs if b.periods_with_data([ph], periods)]
    last = max(periods)
    changes = {ph.raw: b.facts.change(ph.code, last, dims=ph.dims, scope=ph.scope) for ph in refs} \
        if t.spec.get("change") and len(periods) > 1 else {}
    change = any(changes.values())
    header = [w("tables.indicator_column")] + [w.year(p) for p in periods] + \
        ([w("tables.change_column")] if change else [])
    rows, facts, broken = [], [], []
    where = b.table_name(t.spec)
    for ph in refs:
        row = [Cell([text(b.header_name(ph, with_unit=True))], align="left")]
        series = [b.cell_fact(ph, p, where, t.section) for p in periods]
        marked = other_scope_facts(series)  # a year in another scope than the row's: marked (*)
        for f in series:
            row.append(Cell([figure(f)] + scope_mark(f, marked, w) if f else [text(w.no_data)]))
            facts.append(f)
        if change:
            ch = changes[ph.raw]
            if ch is not None and ch.definition_break is not None:  # the years span the change
                ch = None
            elif ch is not None and not comparable(ch):
                broken.append(b.header_name(ph))
                ch = None
            row.append(Cell(phrases.signed_change_runs(ch, words=w) if ch else [text(w.no_data)]))
        rows.append(row)
    notes = table_notes(facts, b.cat, refs, b) + years_without_data(t.periods, periods, w) \
        + ([w("notes.rows_missing", names=w.join(dropped))] if dropped else []) \
        + ([w("notes.change_not_comparable", names=w.join(broken))] if broken else []) \
        + definition_notes(refs, periods, b)  # names the figures whose change is left blank
    return Table(t.key, "", "", header, rows, notes, periods=periods)
