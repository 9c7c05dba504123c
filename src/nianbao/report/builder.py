"""The builder (报告生成): walks an outline (parts → sections → blocks) with a build context and
hands every block to the handler registered for its kind (nianbao.report.blocks), which adds
headings, paragraphs of runs, tables of cells and charts of facts to the document model
(nianbao.report.document). Renderers (nianbao.report.renderers) only lay that model out.

Problems met while building (a sentence whose figure has no data, a missing narrative, an empty
table cell) are findings: errors stop the build unless ``allow_errors``; warnings go to the data
notes (数据说明); optional blocks left out for lack of data are listed there too.
"""

from __future__ import annotations

from datetime import date

from nianbao.compute import engines
from nianbao.compute.facts import Fact
from nianbao.core.findings import Finding, Location
from nianbao.core.formatting import cn_number
from nianbao.core.formula import Ref
from nianbao.core.formula import refs as formula_refs
from nianbao.core.messages import finding
from nianbao.report import appendix, charts, phrases
from nianbao.report.blocks import BLOCKS, BlockRequest
from nianbao.report.document import Chart, Document, Heading, Paragraph, ReportError, Table
from nianbao.report.notes import scope_notes
from nianbao.report.runs import Run, text
from nianbao.report.school import Area, school_names
from nianbao.report.sentences import Context, SentenceError, parse_placeholder, render_clauses, render_text
from nianbao.report.wording import Wording

BLOCK_OPTIONS = ("optional",)  # keys of a block that are not its kind


class BuildContext:
    """What the handlers of one build share: the dataset and its catalogue, the facts of the
    report's unit (or of a school and its area), the outline being built, the blocks made so far,
    the facts shown and the findings met. Given ``org``, a school of the registry, the context
    builds the school's report (outline ``school``), compared with the dataset's unit."""

    def __init__(self, dataset, findings=(), allow_errors: bool = False, charts: bool = True, org=None,
                 outline: str | None = None, full_appendix: bool = False):
        self.ds = dataset
        self.full_appendix = full_appendix
        self.cat = dataset.catalogue
        self.words = Wording.of(self.cat)
        self.allow_errors = allow_errors
        self.draw_charts = charts
        self.year = dataset.report_year
        meta = dataset.meta
        self.school = org
        self.area = None
        own = dataset.org_unit
        if org is None and own.level == "school":  # the dataset's own unit is a school: its report, no area
            reg = dataset.orgs
            self.school = reg.get(own.code) if reg is not None else None
            self.org_code = own.code
            self.facts = engines.factbook(dataset, engine=engines.facts_engine(dataset))
            names = school_names(dataset, self.school) if self.school is not None else {}
            names = {k: v for k, v in names.items() if not k.startswith("area")}
            self.names = {"org": own.zh, "org_en": own.en or own.zh, "publisher": meta.get("publisher_zh", own.zh),
                          "publisher_en": meta.get("publisher_en", own.en or own.zh), **names}
            self.outline_id = outline or meta.get("report_type") or meta.get("outline") or "school"
            self.narratives = dataset.narratives
            self.own_school = True
        elif org is None:
            self.org_code = own.code
            self.facts = engines.factbook(dataset, engine=engines.facts_engine(dataset))
            self.names = {"org": own.zh, "org_en": own.en or own.zh,
                          "publisher": meta.get("publisher_zh", ""), "publisher_en": meta.get("publisher_en", "")}
            self.outline_id = outline or meta.get("report_type") or meta.get("outline", "city")
            self.narratives = dataset.narratives
            self.own_school = False
        else:
            self.org_code = org.code
            self.area = Area(dataset)
            self.facts = self.area.book_of(org.code)
            self.names = school_names(dataset, org)
            self.outline_id = outline or meta.get("school_outline", "school")
            self.narratives = dataset.school_narratives.get(org.code, {})
            self.own_school = False
        self.plan: dict = {}  # the outline being built
        self.omitted: list[Finding] = []
        self.missing: dict[str, set] = {}  # figures asked for and not reported → their years
        self.missing_where: dict[str, str] = {}  # … and the first section asking for them
        self.empty_sections: list[str] = []  # sections left with nothing to print
        self.optional = False  # the block being built may be left out when its data are missing
        self.blocks: list = []
        self.shown: dict[str, Fact] = {}
        self.warnings: list[Finding] = [f for f in findings if not f.blocks_report and f.severity != "info"]
        self.errors: list[Finding] = [f for f in findings if f.blocks_report]
        self.n_tables = 0
        self.n_charts = 0
        self.attainments: dict = {}  # standard → nianbao.compute.standards.Attainment (or None)

    # findings ----------------------------------------------------------------------------
    def error(self, code: str, section: str, **values) -> None:
        self.errors.append(finding(code, Location(section=section), section=section, **values))

    def warn(self, code: str, section: str, **values) -> None:
        self.warnings.append(finding(code, Location(section=section), section=section, **values))

    def omit(self, section: str, what: str, reason: str) -> None:
        """An optional block left out for lack of data: listed in the data notes."""
        self.omitted.append(finding("report.omitted", Location(section=section), section=section,
                                    what=what, reason=reason))

    # the document ------------------------------------------------------------------------
    def note_shown(self, runs) -> None:
        for r in runs:
            if r.fact is not None:
                self.shown.setdefault(r.fact.key, r.fact)

    def add(self, block) -> None:
        if isinstance(block, Paragraph):
            self.note_shown(block.runs)
        elif isinstance(block, Table):
            for row in block.rows:
                for cell in row:
                    self.note_shown(cell.runs)
        elif isinstance(block, Chart):
            self.note_shown(block.printed)
        self.blocks.append(block)

    def next_table_number(self, spec) -> str:
        """Count a table and give its number (表一 …), unless the outline names it."""
        self.n_tables += 1
        return spec.get("number_zh") or self.words("tables.number", n=cn_number(self.n_tables))

    def caption(self, number: str, title: str) -> str:
        """表一：… — a table's or chart's number and title as printed above or below it."""
        return self.words("caption", number=number, title=title) if number else title

    def table_name(self, spec) -> str:
        """The number the table being built will get (表一 …)."""
        return spec.get("number_zh") or self.words("tables.number", n=cn_number(self.n_tables + 1))

    # the outline -------------------------------------------------------------------------
    def outline(self) -> dict:
        outlines = self.cat.outline.get("outlines", {})
        if self.outline_id not in outlines:
            raise ReportError([finding("report.unknown_outline", catalogue=self.cat.id, outline=self.outline_id,
                                       known=self.words.join(outlines) or self.words("none"),
                                       known_en=", ".join(outlines) or "none")])
        return outlines[self.outline_id]

    def lookup(self, group: str, key: str, section: str) -> dict | None:
        """A sentence, table or chart: the outline's own, else the shared one."""
        spec = (self.plan.get(group) or {}).get(key) or self.cat.outline.get(group, {}).get(key)
        if spec is None:
            self.error("report.undefined", section, group=group, key=key)
        return spec

    def periods(self, spec) -> list[int]:
        rel = spec.get("periods") if isinstance(spec, dict) else None
        if not rel:
            return list(self.ds.periods)
        return [self.year + int(p) if abs(int(p)) < 1000 else int(p) for p in rel]

    # sentences ---------------------------------------------------------------------------
    def context(self, periods=None) -> Context:
        periods = periods or self.ds.periods
        if self.area is None:
            return Context(self.facts, self.year, min(periods), max(periods), self.names,
                           school_report=self.school is not None or self.own_school)
        return Context(self.facts, self.year, min(periods), max(periods), self.names,
                       area_facts=self.area.book, rank=self.rank)

    def rank(self, code: str, period: int, dims=(), scope=None) -> Fact | None:
        """The school's rank among the area's schools, in the order the outline's ``ranks`` give
        (None for an indicator the outline does not rank)."""
        order = (self.plan.get("ranks") or {}).get(code)
        if self.area is None or order is None:
            return None
        return self.area.rank(self.school, code, period, dims, scope, order)

    def sentence_runs(self, template: str, section: str, where: str, what: str = "") -> list[Run] | None:
        """A template rendered clause by clause: the clauses whose figures have data are kept,
        the others left out and their figures listed as not reported (未报送); None when no
        clause is left. A placeholder the outline writes wrongly is an error."""
        try:
            done = render_clauses(template, self.context(), "zh", where, tuple(self.words.list("clause_continues")))
        except SentenceError as exc:
            self.error("report.missing_value", section, where=where, placeholder="{" + exc.placeholder + "}",
                       problem=exc.message_zh, problem_en=exc.message_en)
            return None
        for exc in done.missing:
            self.not_reported(exc, section)
        if not done.runs:
            self.omit(section, what or self.words("what.sentence"), self.words("reason.no_indicator_data"))
            return None
        return done.runs

    def not_reported(self, exc: SentenceError, section: str) -> None:
        """A figure a sentence asks for and the data do not give: listed in the data notes as
        not reported (a change without the year before, or a school's area figure, is not)."""
        ph = exc.placeholder.strip()
        if ph.endswith(("|change", "|area", "|rank", "|ranked")) or exc.code != "sentence.no_data":
            return
        parsed = parse_placeholder(ph)
        year = exc.values.get("year", self.year)
        ind = self.cat.indicators.get(parsed.code)
        if ind is not None and ind.derived:  # a ratio is not reported: the figures it needs are
            asts = [ind.numerator_ast] + ([ind.denominator_ast] if ind.denominator else [])
            names = [self.cat.ref_label(r) for ast in asts for r in formula_refs(ast)
                     if self.facts.get(r.element, year, r.dims, parsed.scope) is None]
        else:
            names = [exc.values.get("name", ph) + exc.values.get("scope", "")]
        for name in names:
            self.missing.setdefault(name, set()).add(year)
            self.missing_where.setdefault(name, section)

    def paragraph_with_notes(self, runs: list[Run], style="body") -> None:
        self.add(Paragraph(runs, style))
        notes = scope_notes([r.fact for r in runs if r.is_figure], self.cat, self.words)
        if notes:
            self.add(Paragraph([text(self.words("note_prefix") + "".join(notes))], "note"))

    # figures of tables and charts ---------------------------------------------------------
    def title_text(self, template: str, periods, section: str, key: str) -> str | None:
        """A table's or chart's title; None (an error of the outline) when it names what this
        report does not have."""
        try:
            return render_text(template, self.context(periods))
        except SentenceError as exc:
            self.error("report.missing_value", section, where=self.words("where.sentence", section=section, key=key),
                       placeholder="{" + exc.placeholder + "}", problem=exc.message_zh, problem_en=exc.message_en)
            return None

    def ref(self, raw: str, section: str):
        ph = parse_placeholder(raw, self.words("where.section", section=section))
        self.cat.indicator(ph.code)
        return ph

    def header_name(self, ph, with_unit=False) -> str:
        ind = self.cat.indicator(ph.code)
        name = ind.zh if ind.derived else self.cat.ref_label(Ref(ph.code, ph.dims))
        if with_unit and ind.unit_zh and ind.style not in phrases.NO_UNIT_STYLES:
            name += self.words("unit_suffix", unit=ind.unit_zh)
        return name

    def header_name_raw(self, raw: str) -> str:
        return self.header_name(parse_placeholder(raw))

    def cell_fact(self, ph, period, where, section) -> Fact | None:
        """A table's cell; one without data prints “—” (the table's notes say so) and its
        figure is listed as not reported."""
        fact = self.facts.get(ph.code, period, ph.dims, ph.scope)
        if fact is None:
            name = self.header_name(ph)
            if ph.scope:
                name += self.words("paren", text=self.cat.scope_label(ph.scope))
            self.missing.setdefault(name, set()).add(period)
            self.missing_where.setdefault(name, section)
        return fact

    def periods_with_data(self, refs, periods) -> list[int]:
        return [p for p in periods if any(self.facts.get(ph.code, p, ph.dims, ph.scope) for ph in refs)]

    def left_out_periods(self, refs, periods, spec, section) -> list[int] | None:
        """A table keeps the years that have data; None when no year has any (left out)."""
        kept = self.periods_with_data(refs, periods)
        if not kept:
            title = render_text(spec["zh"], self.context(periods))
            self.omit(section, self.words("what.table", title=title), self.words("reason.no_indicator_data"))
            return None
        return kept


# -- the walk ------------------------------------------------------------------------------
def title(b: BuildContext, outline: dict, ctx: Context) -> tuple[str, str]:
    meta = b.ds.meta
    if b.school is None:
        return meta.get("title_zh") or render_text(outline.get("title_zh", "{org}"), ctx), b.names["publisher"]
    subtitle = b.names["publisher"] + (b.words("document.synthetic") if meta.get("synthetic") else "")
    return render_text(outline.get("title_zh", "{org}"), ctx), subtitle


def build_block(b: BuildContext, block: dict, section: str) -> None:
    """Hand one block of the outline to the handler of its kind."""
    kind = next((k for k in block if k in BLOCKS), None)
    if kind is None:
        kind = next((k for k in block if k not in BLOCK_OPTIONS), next(iter(block), ""))
        b.error("report.unknown_block", section, kind=kind, known=b.words.join(sorted(BLOCKS)),
                known_en=", ".join(sorted(BLOCKS)))
        return
    handler, value = BLOCKS[kind], block[kind]
    key = value if isinstance(value, list) else str(value)
    b.optional = bool(block.get("optional"))
    try:
        spec = b.lookup(handler.defined_in, key, section) if handler.defined_in else None
        if spec is None and handler.defined_in:
            return
        handler(b, BlockRequest(key, section, spec))
    finally:
        b.optional = False


def applies(b: BuildContext, item: dict) -> bool:
    """Whether an outline part or section is built: ``years: [2020, 2021]`` limits it to those
    report years; ``needs: area`` to school reports compared with an area."""
    years = item.get("years")
    if years and b.year not in [int(y) for y in years]:
        return False
    return not (item.get("needs") == "area" and (b.school is not None or b.own_school) and b.area is None)


def build(b: BuildContext) -> Document:
    outline = b.plan = b.outline()
    title_, subtitle = title(b, outline, b.context())
    omit_empty = str(b.ds.meta.get("empty_sections", "note")) == "omit"
    for part in outline["parts"]:
        if not applies(b, part):
            continue
        part_start = len(b.blocks)
        b.add(Heading(1, part["id"] if part.get("numbered", True) else "", part["zh"], anchor=f"sec-{part['id']}"))
        for sec in part.get("sections", []):
            if not applies(b, sec):
                continue
            sid = sec["id"]
            b.add(Heading(2, sid if sec.get("numbered", True) else "", sec["zh"], anchor="sec-" + sid.replace(".", "-")))
            before = len(b.blocks)
            for block in sec.get("blocks", []):
                build_block(b, block, sid)
            if len(b.blocks) == before and sec.get("blocks"):
                b.empty_sections.append(sid)
                if omit_empty:
                    b.blocks.pop()
                else:
                    b.add(Paragraph([text(b.words("placeholder.section_empty"))], "body"))
        if omit_empty and len(b.blocks) == part_start + 1:
            b.blocks.pop()
    if b.errors and not b.allow_errors:
        raise ReportError(b.errors)
    for name, years in b.missing.items():  # for nianbao check: what each section lacks
        section = b.missing_where[name]
        b.omitted.append(finding("report.not_reported", Location(section=section), section=section, name=name,
                                 years=b.words.join(b.words.year(y) for y in sorted(years))))
    appendix.add_data_notes(b, b.ds)
    if b.full_appendix:
        appendix.add_fact_appendix(b)
    else:
        appendix.add_indicator_notes(b)
    appendix.add_errors_appendix(b)
    if b.draw_charts:
        render_charts(b.blocks)
    issued = format_issued(b.ds.meta.get("issued") or date.today(), b.words)
    publisher = b.names.get("publisher", "") if b.school is None else b.names.get("org", "")
    return Document(title=title_, subtitle=subtitle, org=b.names["org"], year=b.year, blocks=b.blocks,
                    facts=b.shown, warnings=b.warnings, errors=b.errors, org_code=b.org_code,
                    omitted=b.omitted, words=b.words, publisher=publisher, issued=issued,
                    empty_sections=list(b.empty_sections))


def format_issued(value, words) -> str:
    """dataset.yaml ``issued:`` (a date, 2021-06-30, 2021-06, or text as printed; default the
    build date) as the cover prints it: 2021年6月30日."""
    if isinstance(value, date):
        return words("cover.date", year=value.year, month=value.month, day=value.day)
    raw = str(value).strip()
    parts = raw.replace("/", "-").split("-")
    if all(p.isdigit() for p in parts) and len(parts) in (2, 3):
        if len(parts) == 3:
            return words("cover.date", year=int(parts[0]), month=int(parts[1]), day=int(parts[2]))
        return words("cover.month", year=int(parts[0]), month=int(parts[1]))
    return raw


def render_charts(blocks) -> None:
    for block in blocks:
        if isinstance(block, Chart) and not block.png:
            block.png = charts.render_png(block.spec)


def build_document(dataset, findings=(), allow_errors: bool = False, charts: bool = True, org=None,
                   outline: str | None = None, full_appendix: bool = False) -> Document:
    """The document model of a dataset's report (or, given ``org``, of one of its schools).
    ``findings`` come from the check: errors that block a report stop the build (ReportError)
    unless ``allow_errors``; the others are listed in the data notes."""
    b = BuildContext(dataset, findings, allow_errors=allow_errors, charts=charts, org=org, outline=outline,
                     full_appendix=full_appendix)
    return build(b)
