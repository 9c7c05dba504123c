"""Notes (注) under tables and sentences: the scope (口径) of the figures, figures whose
numerator and denominator differ in scope, figures printed as published for lack of data, and
years or rows left out. The words are the outline's phrases (``notes``, ``scope``)."""

from __future__ import annotations

from nianbao.compute import scopes
from nianbao.compute.facts import Fact
from nianbao.core.formula import refs


def scope_phrase(scope: str, catalogue, words) -> str:
    """按不含技工学校统计 / 未注明口径 / 口径不一."""
    if scope in ("unstated", "mixed"):
        return words(f"scope.{scope}")
    return words("scope.by", scope=catalogue.scope_label(scope))


def _mixed_description(f: Fact, catalogue, words) -> str:
    if f.kind == "change":
        years = words.join(words.year(i.period) + scope_phrase(i.scope, catalogue, words) for i in f.inputs)
        return words("notes.mixed_change", years=years)
    ind = catalogue.indicators.get(f.indicator)
    num_refs = {r.key for r in refs(ind.numerator_ast)} if ind and ind.derived else set()
    num = [i for i in f.inputs if i.ref in num_refs]
    den = [i for i in f.inputs if i.ref not in num_refs]
    num_scopes = {i.scope for i in num}
    den_scopes = {i.scope for i in den}
    if len(num_scopes) != 1 or len(den_scopes) != 1:
        return words("notes.mixed_inputs", note=f.scope_note)
    return words("notes.mixed_ratio", numerator=scope_phrase(num_scopes.pop(), catalogue, words),
                 denominator=words.join(dict.fromkeys(i.label_zh for i in den)),
                 denominator_scope=scope_phrase(den_scopes.pop(), catalogue, words))


def scope_notes(facts, catalogue, words) -> list[str]:
    """One note per kind of scope mismatch, naming every figure it concerns."""
    groups: dict[tuple, list[str]] = {}
    suffix = words("notes.change_suffix")
    for f in dict.fromkeys(f for f in facts if f is not None and f.scope == "mixed"):
        change = f.kind == "change"
        when = words.years(f.base_period, f.period) if change else words.year(f.period)
        name = f.name_zh.removesuffix(suffix) if change else f.name_zh
        groups.setdefault((change, when, _mixed_description(f, catalogue, words)), []).append(name)
    return [words("notes.mixed_change_note" if change else "notes.mixed_note",
                  names=words.join(dict.fromkeys(names)), when=when, description=desc)
            for (change, when, desc), names in groups.items()]


def scope_label(scope: str, b) -> str:
    """The words of a scope as this dataset's figures are: 全口径 only says 含技工学校 when the
    dataset's figures distinguish 技工学校 (some are given without them, or its registry has any)."""
    from_cat = b.cat.scope_label(scope)
    if scope == "unstated":
        return b.words("scope.unstated_label")
    if scope == "all" and not distinguishes_technical(b.ds):
        return b.words("scope.all_plain")
    return from_cat


def distinguishes_technical(dataset) -> bool:
    """Whether a dataset's figures tell 技工学校 apart: a figure without them, or a 技工学校 in
    its registry. Where the figures are in their table the table is asked, no object made."""
    distinct = getattr(dataset, "distinct", None)
    if distinct is not None:
        return "excl_technical" in distinct("scope") or scopes.distinguishes_technical((), dataset.orgs)
    return scopes.distinguishes_technical(dataset.observations, dataset.orgs)


def series_scope(facts) -> str | None:
    """The scope of a printed series (one figure over the years): that of most of its years, the
    latest year's on a tie; None for a series without a scope of its own (mixed ratios only)."""
    scopes = [f.scope for f in sorted((f for f in facts if f is not None), key=lambda f: f.period)
              if f.scope != "mixed"]
    if not scopes:
        return None
    return max(dict.fromkeys(reversed(scopes)), key=scopes.count)


def other_scope_facts(facts) -> set[str]:
    """The keys of the figures of a series printed in another scope than the series' own (a year
    counted without 技工学校 among years with them): marked in the table, named in its note."""
    main = series_scope(facts)
    return {f.key for f in facts if f is not None and f.scope not in (main, "mixed")} if main else set()


def scope_mark(fact, marked: set[str], words) -> list:
    """The mark after a figure of another scope (*), or nothing."""
    from nianbao.report.runs import text
    return [text(words("notes.other_scope_mark"), fact)] if fact is not None and fact.key in marked else []


def years_without_data(periods, kept, words) -> list[str]:
    missing = [p for p in periods if p not in kept]
    return [words("notes.years_missing", years=words.join(words.year(p) for p in missing))] if missing else []


def table_notes(facts, catalogue, refs, b) -> list[str]:
    """The notes of a table of figures: scopes of its columns or rows, figures taken as
    published, scope mismatches and what “—” means."""
    words = b.words
    missing = any(f is None for f in facts)
    facts = [f for f in facts if f is not None]
    notes = []
    by_scope: dict[str, list[str]] = {}
    others: dict[tuple, list[str]] = {}  # (years, scope) -> names of series with years in another scope
    quiet = ("unstated", "mixed", "all") if b.school else ("unstated", "mixed")
    for ph in refs:
        series = [f for f in facts if f.indicator == ph.code and f.dims == ph.dims and f.kind != "change"]
        scopes = {f.scope for f in series} - {"mixed"}
        main = series_scope(series)
        if len(scopes) > 1:
            for s in sorted(scopes - {main}):
                years = tuple(sorted(f.period for f in series if f.scope == s))
                others.setdefault((years, s), []).append(b.header_name(ph))
        if main is not None and main not in quiet and (len(scopes) > 1 or {f.scope for f in series} == {main}):
            by_scope.setdefault(main, []).append(b.header_name(ph))
    for s, names in by_scope.items():
        notes.append(words("notes.table_scope", names=words.join(names), scope=scope_label(s, b)))
    for (years, s), names in others.items():
        notes.append(words("notes.other_scope", mark=words("notes.other_scope_mark"), names=words.join(names),
                           years=words.join(words.year(y) for y in years), scope=scope_label(s, b)))
    reported: dict[str, list[int]] = {}
    for f in facts:
        if f.kind == "reported":
            reported.setdefault(f.name_zh, []).append(f.period)
    by_years: dict[tuple, list[str]] = {}
    for name, years in reported.items():
        by_years.setdefault(tuple(years), []).append(name)
    for years, names in by_years.items():
        notes.append(words("notes.reported", years=words.join(str(y) for y in years), names=words.join(names)))
    notes.extend(scope_notes(facts, catalogue, words))
    if missing:
        notes.append(no_data_note(words))
    return notes


def definition_notes(refs, periods, b) -> list[str]:
    """Figures of a table whose definition changed within its years (catalogue
    ``definition_changed``): one note per change, naming them and the first year of the new
    definition; the years either side are not compared."""
    if not periods:
        return []
    lo, hi = min(periods), max(periods)
    words = b.words
    groups: dict[tuple, list[str]] = {}
    for ph in refs:
        for c in b.cat.definition_breaks(ph.code):
            if lo < c.year <= hi:
                what = words("notes.definition_changed_what", text=c.zh) if c.zh else ""
                groups.setdefault((c.year, what), []).append(b.header_name(ph))
    return [words("notes.definition_changed", names=words.join(dict.fromkeys(names)), year=year, what=what)
            for (year, what), names in sorted(groups.items())]


def no_data_note(words) -> str:
    """“—”表示无数据。"""
    return words("notes.no_data", no_data=words.no_data)
