"""The closing parts of a report: data notes (数据说明), the appendix of every figure shown with
its definition, formula and inputs (指标说明与数据来源), and — only when built with
``--allow-errors`` — the list of data errors the report was built in spite of. The words are
the outline's phrases (``data_notes``, ``appendix``)."""

from __future__ import annotations

from nianbao.compute.facts import Fact
from nianbao.compute.standards import fact_group
from nianbao.core.findings import Finding
from nianbao.core.formula import Ref
from nianbao.report import phrases
from nianbao.report.document import Cell, Heading, Paragraph, Table
from nianbao.report.notes import distinguishes_technical, scope_label
from nianbao.report.provenance import inputs_text
from nianbao.report.runs import Run, text
from nianbao.report.school import rank_runs

MAX_LISTED = 40


def finding_text(f: Finding, w) -> str:
    where = str(f.location)
    year = w("appendix.finding_year", year=f.period) if f.period and str(f.period) not in f.message_zh else ""
    return f"{f.message_zh}{year}" + (w("appendix.finding_where", where=where) if where else "")


def add_data_notes(b, dataset):
    """数据说明, in the words of an official report: how figures are rounded and compared, the
    scope (口径) of the figures, where they come from, what was not reported, and what the
    check asks the reader to keep in mind — no file, line or command (those are nianbao check's)."""
    w = b.words

    def say(key: str, style: str = "body", **values):
        b.add(Paragraph([text(w("data_notes." + key, **values))], style))
    b.add(Heading(1, "", w("data_notes.title"), anchor="data-notes"))
    say("how")
    if b.school is not None and b.area is not None:
        say("school", area=dataset.org_unit.zh, code=b.school.code)
    say("scope", text=scope_summary(b))
    source = dataset.meta.get("source_zh") or (
        w("data_notes.source_schools", org=b.names["org"]) if dataset.orgs is not None and dataset.orgs.schools()
        else w("data_notes.source_default", publisher=b.names.get("publisher") or b.names["org"]))
    say("source", source=str(source).strip().rstrip(w("sentence_ends")))
    missing = {name: years for name, years in b.missing.items() if b.missing_where.get(name) not in b.empty_sections}
    if missing:  # the figures of a section left empty are not listed: the section says so itself
        by_years: dict[tuple, list[str]] = {}
        for name, years in missing.items():
            by_years.setdefault(tuple(sorted(years)), []).append(name)
        items = w("clause_sep").join(
            w("data_notes.not_reported_item", names=w.join(names), years=w.join(w.year(y) for y in years))
            for years, names in by_years.items())
        say("not_reported", items=items)
    own_unit = ("", b.org_code)
    warnings = [f for f in b.warnings if f.severity == "warning" and not f.code.startswith("claim.")]
    own = [f for f in warnings if f.org_unit in own_unit]
    members = [f for f in warnings if f.org_unit not in own_unit]
    claims = [f for f in b.warnings if f.code.startswith("claim.")]
    if own:
        say("warnings", n=len(own))
        for f in own[:MAX_LISTED]:
            b.add(Paragraph([text(f.message_zh)], "bullet"))
        if len(own) > MAX_LISTED:
            say("more_warnings", "bullet", n=len(own) - MAX_LISTED)
    if members:
        say("member_warnings", units=len({f.org_unit for f in members}), n=len(members))
    if claims:
        say("claims", n=len(claims))


def scope_summary(b) -> str:
    """The scope of the figures printed: the most common one, then those of other scopes by name."""
    w = b.words
    years: dict[str, dict[str, set[int]]] = {}  # name -> scope -> years printed in it
    for f in b.shown.values():
        if f.kind in ("change", "rank") or f.scope == "mixed":
            continue
        years.setdefault(f.name_zh, {}).setdefault(f.scope, set()).add(f.period)
    by_scope: dict[str, list[str]] = {}
    for name, scopes in years.items():
        own = max(scopes, key=lambda s: (len(scopes[s]), max(scopes[s])))  # the series' own scope
        for s, ys in scopes.items():
            # a year printed in another scope than its series is named with its years
            label = name if s == own else name + w("paren", text=w.join(w.year(y) for y in sorted(ys)))
            by_scope.setdefault(s, []).append(label)
    if not by_scope:
        return w("data_notes.scope_none")
    main = max(by_scope, key=lambda s: len(by_scope[s]))
    out = w("data_notes.scope_main", scope=scope_predicate(main, b))
    others = [w("data_notes.scope_other", names=w.join(names), scope=scope_predicate(s, b))
              for s, names in by_scope.items() if s != main]
    if others:
        out += w("clause_sep").join(others) + w("data_notes.scope_end")
    if any(f.scope == "mixed" and f.kind not in ("change", "rank") for f in b.shown.values()):
        out += w("data_notes.scope_mixed")  # a ratio of two scopes (a change of two is never printed)
    return out


def scope_predicate(scope: str, b) -> str:
    """A scope as the predicate of 数据…: 不含技工学校 / 为全口径统计 / 未区分是否含技工学校."""
    key = "all_plain" if scope == "all" and not distinguishes_technical(b.ds) else scope
    table = b.words.entry("data_notes.scope_predicates")
    return table[key] if key in table else b.words("data_notes.scope_by", scope=scope_label(scope, b))


def add_indicator_notes(b):
    """附录 指标说明: the indicators the report prints, each with its definition in words (the
    full table of every figure with its formula and data is ``--appendix``)."""
    cat, w = b.cat, b.words
    seen: dict[str, Fact] = {}
    for f in b.shown.values():
        if f.kind in ("change", "rank") or fact_group(f) is not None:
            continue
        seen.setdefault(f.indicator, f)
    if not seen:
        return
    b.add(Heading(1, "", w("indicator_notes.title"), anchor="appendix-facts"))
    rows = []
    for code, f in seen.items():
        ind = cat.indicators.get(code)
        name = ind.zh if ind is not None and ind.derived else cat.ref_label(Ref(code, ()))
        el = cat.elements.get(code)
        if ind is not None and not ind.derived and not (el and el.definition):
            definition = w("indicator_notes.reported", unit=ind.unit_zh or w("none"))
        else:
            definition = _definition((code, ()), cat, w)
        rows.append([Cell([Run(name, bold=True)], "left"), Cell([text(definition)], "left")])
    number, title = w("indicator_notes.table_number"), w("indicator_notes.table_title")
    b.add(Table("appendix_facts", number, title, w.list("indicator_notes.header"), rows,
                caption=b.caption(number, title)))


def _definition(key: tuple, catalogue, w) -> str:
    code, dims = key
    ind = catalogue.indicators.get(code)
    if ind is None:
        return ""
    if not ind.derived:
        el = catalogue.elements.get(code)
        definition = el.definition if el and el.definition else w("appendix.reported_element")
        return definition + w("appendix.unit", unit=ind.unit_zh or w("none"))
    unit = w("appendix.unit", unit=ind.unit_zh) if ind.unit_zh and ind.style not in phrases.NO_UNIT_STYLES else ""
    return f"{ind.definition or ind.zh}{unit}"


def _how(f: Fact, catalogue, w) -> str:
    group = fact_group(f)
    if group is not None and f.kind == "count" and f.inputs and not f.indicator.endswith(":no_data"):
        return w("appendix.how_count", formula=f.formula_zh)  # the schools are listed once per criterion
    used = inputs_text(f, catalogue)
    if f.kind == "change":
        how = w("appendix.how_change", inputs=used)
    elif f.kind == "element":
        how = w("appendix.how_element", inputs=used)
    else:
        how = w("appendix.how", formula=f.formula_zh, inputs=used)
    if f.scope == "mixed" and f.scope_note:
        how += w("appendix.how_mixed", note=f.scope_note)
    return how


def _when(f: Fact, own: str, area, w) -> str:
    when = w.years(f.base_period, f.period) if f.kind == "change" else w.year(f.period)
    if f.kind == "rank":
        when += w("appendix.rank")
    elif f.org_unit != own and f.org_unit == area.code:
        when += area.zh
    if (group := fact_group(f)) is not None:
        when += group[2]
    return when


def add_fact_appendix(b):
    """One group per indicator (name and definition), one row per figure printed: year, value,
    and how it was obtained — formula, inputs with their scope and where they come from."""
    cat, w = b.cat, b.words
    b.add(Heading(1, "", w("appendix.title"), anchor="appendix-facts"))
    b.add(Paragraph([text(w("appendix.intro"))]))
    groups: dict[tuple, list[Fact]] = {}
    for f in b.shown.values():
        group = fact_group(f)  # the counts and share of one criterion of a standard go together
        groups.setdefault((group[0], ()) if group else (f.indicator, f.dims), []).append(f)
    own = b.org_code
    area = b.ds.org_unit
    rows = []
    order = {"rank": 2, "change": 1}
    for key, facts in groups.items():
        ind = cat.indicators.get(key[0])
        name = ind.zh if ind and ind.derived else cat.ref_label(Ref(key[0], key[1]))
        if ind is None and key[0] not in cat.elements:  # a figure of its own (达标计划), named by its fact
            name = facts[0].name_zh
        definition = _definition(key, cat, w)
        if (group := fact_group(facts[0])) is not None:
            name, definition = group[1], w("appendix.standard_counts")
        rows.append([Cell([Run(name, bold=True), text(w("appendix.indent") + definition)], "left", span=3)])
        for f in sorted(facts, key=lambda f: (f.org_unit != own, order.get(f.kind, 0), f.period, f.scope)):
            if f.kind == "rank":
                value = rank_runs(f)
            elif f.kind == "change":
                value = phrases.signed_change_runs(f, words=w)
            else:
                value = phrases.value_runs(f, words=w)
            rows.append([Cell([text(_when(f, own, area, w))]), Cell(value), Cell([text(_how(f, cat, w))], "left")])
    number, title = w("appendix.table_number"), w("appendix.table_title")
    b.add(Table("appendix_facts", number, title, w.list("appendix.header"), rows, caption=b.caption(number, title)))


def add_errors_appendix(b):
    if not b.errors:
        return
    w = b.words
    b.add(Heading(1, "", w("appendix.errors_title"), anchor="appendix-errors"))
    b.add(Paragraph([text(w("appendix.errors_intro", n=len(b.errors)))], "placeholder"))
    for e in b.errors:
        hint = w("appendix.errors_hint", hint=e.hint) if e.hint else ""
        b.add(Paragraph([text(finding_text(e, w) + hint)], "bullet"))
