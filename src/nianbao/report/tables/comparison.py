"""``layout: comparison`` (school reports) — one row an indicator (``rows``); columns: the
school, its area (all the area's schools summed, ratios recomputed) and the school's rank among
the area's schools, in the order the outline's ``ranks`` give."""

from __future__ import annotations

from nianbao.report.document import Cell, Table
from nianbao.report.notes import no_data_note, scope_notes, scope_phrase
from nianbao.report.runs import figure, text
from nianbao.report.school import rank_runs
from nianbao.report.sentences import render_text
from nianbao.report.tables import layout


@layout("comparison")
def comparison(b, t):
    if b.area is None:
        b.error("report.comparison_needs_school", t.section, key=t.key)
        return None
    w = b.words
    refs = [b.ref(c, t.section) for c in t.spec["rows"]]
    p = max(t.periods)
    area = b.area.zh
    header = [w("tables.indicator_column"), w("comparison.own"), area, w("comparison.rank_column", area=area)]
    rows, facts, left_out, unranked = [], [], [], []
    ranks = b.plan.get("ranks") or {}
    for ph in refs:
        own = b.cell_fact(ph, p, b.table_name(t.spec), t.section)
        if own is None and b.optional:
            left_out.append(b.header_name(ph))
            continue
        theirs = b.area.book.get(ph.code, p, ph.dims, ph.scope)
        rank = b.rank(ph.code, p, ph.dims, ph.scope)
        if ph.code not in ranks:
            unranked.append(b.header_name(ph))
        rows.append([Cell([text(b.header_name(ph, with_unit=True))], align="left"),
                     Cell([figure(own)] if own else [text(w.no_data)]),
                     Cell([figure(theirs)] if theirs else [text(w.no_data)]),
                     Cell(rank_runs(rank) if rank else [text(w.no_data)])])
        facts += [own, theirs]
    if not rows:
        title = render_text(t.spec["zh"], b.context(t.periods))
        b.omit(t.section, w("what.table", title=title), w("reason.school_has_no_data"))
        return None
    return Table(t.key, "", "", header, rows, notes(b, refs, p, facts, left_out, unranked))


def rank_orders(b, refs) -> dict[str, list[str]]:
    """The order words (从高到低 …) with the names of the indicators ranked in that order."""
    ranks = b.plan.get("ranks") or {}
    out: dict[str, list[str]] = {}
    for ph in refs:
        if ph.code in ranks:
            order = ranks[ph.code]
            words = b.words(f"rank_order.{order}") if order in ("desc", "asc") else order
            out.setdefault(words, []).append(b.header_name(ph))
    return out


def notes(b, refs, period, facts, left_out, unranked) -> list[str]:
    w = b.words
    area = b.area.zh
    orders = rank_orders(b, refs)
    how = w("comparison.order", order=next(iter(orders))) if len(orders) == 1 else \
        w("clause_sep").join(w("comparison.order_of", names=w.join(names), order=order)
                             for order, names in orders.items())
    out = [w("comparison.area_note", area=area), w("comparison.rank_note", area=area, how=how)]
    if unranked:
        out.append(w("comparison.unranked", names=w.join(unranked), no_data=w.no_data))
    if not b.school.counts_as_school:
        out.append(w("comparison.not_a_school"))
    by_scope: dict[str, list[str]] = {}
    for ph in refs:
        f = b.area.book.get(ph.code, period, ph.dims, ph.scope)
        if f is not None and f.scope not in ("all", "unstated", "mixed") and b.header_name(ph) not in left_out:
            by_scope.setdefault(f.scope, []).append(b.header_name(ph))
    out += [w("comparison.area_scope", area=area, names=w.join(n), scope=scope_phrase(s, b.cat, w))
            for s, n in by_scope.items()]
    out += scope_notes([f for f in facts if f is not None], b.cat, w)
    if left_out:
        out.append(w("comparison.left_out", names=w.join(left_out)))
    if any(f is None for f in facts):
        out.append(no_data_note(w))
    return out
