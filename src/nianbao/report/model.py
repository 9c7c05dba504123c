"""The document model (报告文档模型): the outline resolved against a dataset's facts.

``build_document(dataset)`` walks the outline (parts → sections → blocks) and turns every
block into headings, paragraphs of runs, tables of cells and charts of facts. Renderers (Word,
HTML) only lay out this model; none of them looks up or formats a number itself.

Problems met while building (a sentence whose figure has no data, a missing narrative, an empty
table cell) are findings: errors stop the build unless ``allow_errors``; warnings go to the
data notes (数据说明).
"""

from __future__ import annotations

import re

from nianbao.compute.aggregate import observations_for
from nianbao.compute.facts import Fact, FactBook
from nianbao.compute.standards import ALL, attainment, evaluate_school, load_standards, threshold_text
from nianbao.core.findings import Finding
from nianbao.core.formatting import cn_number
from nianbao.core.formula import Ref, refs
from nianbao.report import appendix, charts, phrases
from nianbao.report.document import (
    NO_DATA,
    Cell,
    Chart,
    Document,
    Heading,
    Paragraph,
    ReportError,
    Table,
    report_finding,
)
from nianbao.report.runs import Run, figure, text
from nianbao.report.school import ORDER_ZH, Area, not_applicable_text, profile_label, rank_runs, school_names
from nianbao.report.sentences import Context, SentenceError, parse_placeholder, render, render_text


# -- the builder --------------------------------------------------------------------------
def unit_observations(dataset) -> list:
    """The figures of the report's unit: its own rows, plus the sums of its schools' figures
    when the dataset holds school-level data (nianbao.compute.aggregate)."""
    return observations_for(dataset)



BLOCK_KINDS = ("sentence", "list", "table", "chart", "narrative", "verdicts", "attainment")


class Builder:
    """Builds the document of the dataset's own unit, or — given ``org``, a school of the
    registry — the school's report (outline ``school``), compared with the dataset's unit."""

    def __init__(self, dataset, findings=(), allow_errors: bool = False, charts: bool = True, org=None,
                 outline: str | None = None):
        self.ds = dataset
        self.cat = dataset.catalogue
        self.allow_errors = allow_errors
        self.draw_charts = charts
        self.year = dataset.report_year
        meta = dataset.meta
        self.school = org
        self.area = None
        if org is None:
            self.org_code = dataset.org_unit.code
            self.facts = FactBook(self.cat, self.org_code, unit_observations(dataset), dataset.periods)
            self.names = {"org": dataset.org_unit.zh, "org_en": dataset.org_unit.en or dataset.org_unit.zh,
                          "publisher": meta.get("publisher_zh", ""), "publisher_en": meta.get("publisher_en", "")}
            self.outline_id = outline or meta.get("outline", "city")
            self.narratives = dataset.narratives
        else:
            self.org_code = org.code
            self.area = Area(dataset)
            self.facts = self.area.book_of(org.code)
            self.names = school_names(dataset, org)
            self.outline_id = outline or meta.get("school_outline", "school")
            self.narratives = dataset.school_narratives.get(org.code, {})
        self.plan: dict = {}  # the outline being built
        self.omitted: list[Finding] = []
        self.optional = False  # the block being built may be left out when its data are missing
        self.blocks: list = []
        self.shown: dict[str, Fact] = {}
        self.warnings: list[Finding] = [f for f in findings if not f.blocks_report and f.severity != "info"]
        self.errors: list[Finding] = [f for f in findings if f.blocks_report]
        self.n_tables = 0
        self.n_charts = 0
        self.attainments: dict = {}  # standard → nianbao.compute.standards.Attainment (or None)

    # helpers
    def context(self, periods=None) -> Context:
        periods = periods or self.ds.periods
        if self.area is None:
            return Context(self.facts, self.year, min(periods), max(periods), self.names)
        return Context(self.facts, self.year, min(periods), max(periods), self.names,
                       area_facts=self.area.book, rank=self.rank)

    def rank(self, code: str, period: int, dims=(), scope=None) -> Fact | None:
        """The school's rank among the area's schools, in the order the outline's ``ranks`` give
        (None for an indicator the outline does not rank)."""
        order = (self.plan.get("ranks") or {}).get(code)
        if self.area is None or order is None:
            return None
        return self.area.rank(self.school, code, period, dims, scope, order)

    def omit(self, section: str, what: str, reason: str):
        """An optional block left out for lack of data: listed in the data notes."""
        self.omitted.append(report_finding("report.omitted", "info", f"第{section}节{what}未列入报告（{reason}）",
                                     f"section {section}: {what} left out ({reason})",
                                     "补充数据后重新生成即可列入", section))

    def periods(self, spec) -> list[int]:
        rel = spec.get("periods") if isinstance(spec, dict) else None
        if not rel:
            return list(self.ds.periods)
        return [self.year + int(p) if abs(int(p)) < 1000 else int(p) for p in rel]

    def note_shown(self, runs):
        for r in runs:
            if r.fact is not None:
                self.shown.setdefault(r.fact.key, r.fact)

    def add(self, block):
        if isinstance(block, Paragraph):
            self.note_shown(block.runs)
        elif isinstance(block, Table):
            for row in block.rows:
                for cell in row:
                    self.note_shown(cell.runs)
        elif isinstance(block, Chart):
            self.note_shown(block.printed)
        self.blocks.append(block)

    def outline(self) -> dict:
        outlines = self.cat.outline.get("outlines", {})
        if self.outline_id not in outlines:
            raise ReportError([report_finding("report.outline", "error",
                                        f"目录 {self.cat.id} 中没有提纲“{self.outline_id}”",
                                        f"catalogue {self.cat.id} has no outline '{self.outline_id}'",
                                        f"可用提纲：{'、'.join(outlines) or '无'}（dataset.yaml 的 outline）")])
        return outlines[self.outline_id]

    # build
    def title(self, outline: dict, ctx: Context) -> tuple[str, str]:
        meta = self.ds.meta
        if self.school is None:
            return meta.get("title_zh") or render_text(outline.get("title_zh", "{org}"), ctx), self.names["publisher"]
        subtitle = self.names["publisher"] + ("（示例数据，学校与数值均为虚构）" if meta.get("synthetic") else "")
        return render_text(outline.get("title_zh", "{org}"), ctx), subtitle

    def build(self) -> Document:
        outline = self.plan = self.outline()
        ctx = self.context()
        title, subtitle = self.title(outline, ctx)
        for part in outline["parts"]:
            self.add(Heading(1, part["id"], part["zh"], anchor=f"sec-{part['id']}"))
            for sec in part.get("sections", []):
                sid = sec["id"]
                self.add(Heading(2, sid, sec["zh"], anchor="sec-" + sid.replace(".", "-")))
                before = len(self.blocks)
                for block in sec.get("blocks", []):
                    self.block(block, sid)
                if len(self.blocks) == before and sec.get("blocks"):
                    self.add(Paragraph([text("（本节所需数据暂缺，见“数据说明”）")], "placeholder"))
        if self.errors and not self.allow_errors:
            raise ReportError(self.errors)
        appendix.add_data_notes(self, self.ds)
        appendix.add_fact_appendix(self)
        appendix.add_errors_appendix(self)
        if self.draw_charts:
            self.render_charts()
        doc = Document(title=title, subtitle=subtitle, org=self.names["org"], year=self.year,
                       blocks=self.blocks, facts=self.shown, warnings=self.warnings, errors=self.errors,
                       org_code=self.org_code, omitted=self.omitted)
        return doc

    def block(self, block: dict, section: str):
        kind = next((k for k in block if k in BLOCK_KINDS), None)
        if kind is None:
            kind = next(iter(block), "")
            self.errors.append(report_finding("report.outline", "error", f"提纲第 {section} 节有未知的块类型“{kind}”",
                                        f"section {section}: unknown block kind '{kind}'",
                                        "块类型：" + "、".join(BLOCK_KINDS), section))
            return
        key = block[kind]
        self.optional = bool(block.get("optional"))
        handler = {"sentence": self.sentence, "list": self.list_block, "table": self.table,
                   "chart": self.chart, "narrative": self.narrative, "verdicts": self.verdicts,
                   "attainment": self.attainment_sentence}[kind]
        try:
            handler(key if kind == "list" else str(key), section)
        finally:
            self.optional = False

    def lookup(self, group: str, key: str, section: str) -> dict | None:
        """A sentence, table or chart: the outline's own, else the shared one."""
        spec = (self.plan.get(group) or {}).get(key) or self.cat.outline.get(group, {}).get(key)
        if spec is None:
            self.errors.append(report_finding("report.outline", "error", f"提纲第 {section} 节引用的 {group}.{key} 不存在",
                                        f"section {section}: {group}.{key} is not defined",
                                        f"在 outline.yaml 的 {group} 中定义 {key}", section))
        return spec

    # sentences
    def sentence_runs(self, template: str, section: str, where: str, what: str = "") -> list[Run] | None:
        try:
            return render(template, self.context(), "zh", where)
        except SentenceError as exc:
            if self.optional:
                self.omit(section, what or "的句子", exc.message_zh)
                return None
            self.errors.append(report_finding("report.missing_value", "error", f"{where}：占位符 {{{exc.placeholder}}} "
                                        f"{exc.message_zh}", f"{where}: placeholder {{{exc.placeholder}}} "
                                        f"{exc.message_en}", "在 values.csv 中补充该数据，或修改提纲中的句子", section))
            return None

    def paragraph_with_notes(self, runs: list[Run], style="body"):
        self.add(Paragraph(runs, style))
        notes = scope_notes([r.fact for r in runs if r.is_figure], self.cat)
        if notes:
            self.add(Paragraph([text("注：" + "".join(notes))], "note"))

    def sentence(self, key: str, section: str):
        spec = self.lookup("sentences", key, section)
        if spec is None:
            return
        runs = self.sentence_runs(spec["zh"], section, f"第{section}节句子 {key}", spec.get("what_zh", "的句子"))
        if runs is None:
            if self.optional:
                return
            self.add(Paragraph([text(f"（此处句子“{key}”缺少数据，见附录中的数据错误）")], "placeholder"))
            return
        self.paragraph_with_notes(runs)

    def list_block(self, key, section: str):
        """Bullets, one per sentence: ``list: [a, b]`` names the sentences, ``list: a`` one."""
        keys = key if isinstance(key, list) else [key]
        for k in map(str, keys):
            spec = self.lookup("sentences", k, section)
            runs = spec and self.sentence_runs(spec["zh"], section, f"第{section}节列表 {k}",
                                               spec.get("what_zh", "列表中的一项"))
            if runs:
                self.add(Paragraph(runs, "bullet"))

    # narratives
    def narrative(self, key: str, section: str):
        body = self.narratives.get(key)
        if not body or not strip_comments(body).strip():
            folder = "narrative" if self.school is None else f"narrative/{self.school.code}"
            if self.optional:
                self.omit(section, "的文字", f"{folder}/{key}.md 尚未提供")
                return
            self.warnings.append(report_finding("report.missing_narrative", "warning",
                                          f"第{section}节的文字（{folder}/{key}.md）尚未提供，报告中以待补充标记代替",
                                          f"{folder}/{key}.md for section {section} is missing; a placeholder is printed",
                                          f"在数据集的 {folder} 文件夹中写 {key}.md", section))
            self.add(Paragraph([text("（本节文字待补充）")], "placeholder"))
            return
        self.optional = False  # `optional` concerns a missing text; figures in a text must have data
        for kind, content in markdown_blocks(body):
            if kind == "heading":
                self.add(Heading(3, "", content))
                continue
            runs = self.narrative_runs(content, section, key)
            self.add(Paragraph(runs, "bullet" if kind == "bullet" else "body"))

    def narrative_runs(self, content: str, section: str, key: str) -> list[Run]:
        runs: list[Run] = []
        for i, piece in enumerate(re.split(r"\*\*(.+?)\*\*", content)):
            if not piece:
                continue
            if "{" in piece:
                rendered = self.sentence_runs(piece, section, f"narrative/{key}.md")
                part = rendered if rendered is not None else [text(piece)]
            else:
                part = [text(piece)]
            runs.extend(Run(r.text, r.fact, r.figure, bold=True) if i % 2 else r for r in part)
        return runs

    # tables
    def table(self, key: str, section: str):
        spec = self.lookup("tables", key, section)
        if spec is None:
            return
        periods = self.periods(spec)
        ctx = self.context(periods)
        title = render_text(spec["zh"], ctx)
        layout = spec.get("layout", "periods_as_rows")
        if layout == "static":
            rows = self.ds.static_tables.get(spec.get("source", key))
            if not rows:
                self.warnings.append(report_finding("report.missing_table", "warning",
                                              f"第{section}节{spec.get('number_zh', '')}的表格数据（tables/{spec.get('source', key)}.csv）尚未提供",
                                              f"tables/{spec.get('source', key)}.csv for section {section} is missing",
                                              f"在数据集的 tables 文件夹中提供 {spec.get('source', key)}.csv", section))
                self.add(Paragraph([text(f"（{spec.get('number_zh', '')}{title}：表格数据待补充）")], "placeholder"))
                return
            self.n_tables += 1
            header = list(rows[0].keys())
            body = [[Cell([text(r.get(h, "") or "")]) for h in header] for r in rows]
            self.add(Table(key, spec.get("number_zh") or "表" + cn_number(self.n_tables), title, header, body))
            return
        layouts = {"periods_as_rows": self.periods_as_rows, "indicators_as_rows": self.indicators_as_rows,
                   "comparison": self.comparison, "standards": self.standards, "attainment": self.attainment_table}
        if layout not in layouts:
            self.errors.append(report_finding("report.outline", "error", f"表格 {key} 的版式“{layout}”未知",
                                        f"table {key}: unknown layout '{layout}'",
                                        "版式：" + "、".join(list(layouts) + ["static"]), section))
            return
        table = layouts[layout](key, spec, periods, section)
        if table is None:  # left out: an optional table without data, or a standard that does not apply
            return
        if not isinstance(table, Table):
            self.add(table)
            return
        self.n_tables += 1
        table.number = spec.get("number_zh") or "表" + cn_number(self.n_tables)
        table.title = title
        self.add(table)

    def ref(self, raw: str, section: str):
        ph = parse_placeholder(raw, f"第{section}节")
        self.cat.indicator(ph.code)
        return ph

    def table_name(self, spec) -> str:
        """The number the table being built will get (表一 …)."""
        return spec.get("number_zh") or "表" + cn_number(self.n_tables + 1)

    def cell_fact(self, ph, period, where, section) -> Fact | None:
        fact = self.facts.get(ph.code, period, ph.dims, ph.scope)
        if fact is None and not self.optional:  # an optional table's notes say what “—” means
            self.warnings.append(report_finding("report.missing_cell", "warning",
                                          f"{where}：{self.header_name(ph)} {period}年没有数据，表中印作“{NO_DATA}”",
                                          f"{where}: no data for {ph.raw} {period}; printed as '{NO_DATA}'",
                                          "在 values.csv 中补充该年份的数据", section))
        return fact

    def header_name(self, ph, with_unit=False) -> str:
        ind = self.cat.indicator(ph.code)
        name = ind.zh if ind.derived else self.cat.ref_label(Ref(ph.code, ph.dims))
        if with_unit and ind.unit_zh and ind.style not in phrases.NO_UNIT_STYLES:
            name += f"（{ind.unit_zh}）"
        return name

    def periods_with_data(self, refs, periods) -> list[int]:
        return [p for p in periods if any(self.facts.get(ph.code, p, ph.dims, ph.scope) for ph in refs)]

    def left_out_periods(self, refs, periods, spec, section) -> list[int] | None:
        """An optional table keeps the years that have data; None when no year has any."""
        kept = self.periods_with_data(refs, periods)
        if not kept:
            self.omit(section, f"的表格“{render_text(spec['zh'], self.context(periods))}”", "所列指标均无数据")
            return None
        return kept

    def periods_as_rows(self, key, spec, periods, section) -> Table | None:
        refs = [self.ref(c, section) for c in spec["columns"]]
        all_periods = periods
        if self.optional and (periods := self.left_out_periods(refs, periods, spec, section)) is None:
            return None
        header = ["年份"] + [self.header_name(ph, with_unit=True) for ph in refs]
        rows, facts = [], []
        where = self.table_name(spec)
        for p in periods:
            row = [Cell([text(f"{p}年")])]
            for ph in refs:
                f = self.cell_fact(ph, p, where, section)
                row.append(Cell([figure(f)] if f else [text(NO_DATA)]))
                facts.append(f)
            rows.append(row)
        return Table(key, "", "", header, rows, table_notes(facts, self.cat, refs, self)
                     + years_without_data(all_periods, periods))

    def indicators_as_rows(self, key, spec, periods, section) -> Table | None:
        refs = [self.ref(c, section) for c in spec["rows"]]
        all_periods, dropped = periods, []
        if self.optional:
            if (periods := self.left_out_periods(refs, periods, spec, section)) is None:
                return None
            dropped = [self.header_name(ph) for ph in refs if not self.periods_with_data([ph], periods)]
            refs = [ph for ph in refs if self.periods_with_data([ph], periods)]
        change = bool(spec.get("change"))
        if self.optional and change:
            change = any(self.facts.change(ph.code, max(periods), dims=ph.dims, scope=ph.scope) for ph in refs)
        last = max(periods)
        header = ["指标"] + [f"{p}年" for p in periods] + (["比上年增减"] if change else [])
        rows, facts = [], []
        where = self.table_name(spec)
        for ph in refs:
            row = [Cell([text(self.header_name(ph, with_unit=True))], align="left")]
            for p in periods:
                f = self.cell_fact(ph, p, where, section)
                row.append(Cell([figure(f)] if f else [text(NO_DATA)]))
                facts.append(f)
            if change:
                ch = self.facts.change(ph.code, last, dims=ph.dims, scope=ph.scope)
                row.append(Cell(phrases.signed_change_runs(ch) if ch else [text(NO_DATA)]))
            rows.append(row)
        return Table(key, "", "", header, rows, table_notes(facts, self.cat, refs, self)
                     + years_without_data(all_periods, periods)
                     + ([f"{'、'.join(dropped)}无数据，表中未列出。"] if dropped else []))

    # charts
    def chart(self, key: str, section: str):
        spec = self.lookup("charts", key, section)
        if spec is None:
            return
        periods = self.periods(spec)
        if self.optional and spec.get("series"):
            periods = self.periods_with_data([parse_placeholder(r) for r in spec["series"]], periods) or periods
        title = render_text(spec["zh"], self.context(periods))
        try:
            if spec.get("kind") == "comparison":
                cs = self.comparison_chart(spec)
            else:
                cs = charts.spec_from_outline(spec, periods, self.facts, self.cat, self.header_name_raw)
        except charts.ChartDataError as exc:
            if self.optional:
                self.omit(section, f"的图“{title}”", "图中指标均无数据")
                return
            self.warnings.append(report_finding("report.missing_chart", "warning", f"第{section}节图“{title}”：{exc}",
                                          f"chart '{key}' in section {section}: {exc}", "补充图中指标的数据", section))
            return
        self.n_charts += 1
        self.add(Chart(key, "图" + cn_number(self.n_charts), title, cs, printed=cs.printed_runs()))

    def comparison_chart(self, spec):
        """Bars of the school beside those of its area, one group per indicator."""
        if self.area is None:
            raise charts.ChartDataError("本校与全市的对比图只用于学校报告 / only in a school report")
        refs = [parse_placeholder(r) for r in spec["series"]]
        pairs = [(ph, self.facts.get(ph.code, self.year, ph.dims, ph.scope),
                  self.area.book.get(ph.code, self.year, ph.dims, ph.scope)) for ph in refs]
        pairs = [(ph, own, area) for ph, own, area in pairs if own is not None]
        if not pairs:
            raise charts.ChartDataError("图中所有数字都没有数据 / no figure of this chart has data")
        first = pairs[0][1]
        series = [charts.Series("本校", [own for _, own, _ in pairs]),
                  charts.Series(self.area.zh, [area for _, _, area in pairs])]
        return charts.ChartSpec("bar", [wrap_label(self.header_name(ph)) for ph, _, _ in pairs], series,
                                unit=charts._unit(first), percent=first.style == "percent")

    # school reports: comparison with the area, standards
    def comparison(self, key, spec, periods, section) -> Table | None:
        """Rows of indicators; columns: the school, its area (all schools summed, ratios
        recomputed) and the school's rank among the area's schools."""
        if self.area is None:
            self.errors.append(report_finding("report.outline", "error", f"表格 {key}（与全市比较）只用于学校报告",
                                        f"table {key}: a comparison needs a school report",
                                        "在学校提纲中使用，或用 --school 生成学校报告", section))
            return None
        refs = [self.ref(c, section) for c in spec["rows"]]
        p = max(periods)
        area = self.area.zh
        header = ["指标", "本校", area, f"在{area}的排名"]
        rows, facts, left_out, unranked = [], [], [], []
        for ph in refs:
            own = self.cell_fact(ph, p, self.table_name(spec), section)
            if own is None and self.optional:
                left_out.append(self.header_name(ph))
                continue
            theirs = self.area.book.get(ph.code, p, ph.dims, ph.scope)
            rank = self.rank(ph.code, p, ph.dims, ph.scope)
            if ph.code not in (self.plan.get("ranks") or {}):
                unranked.append(self.header_name(ph))
            rows.append([Cell([text(self.header_name(ph, with_unit=True))], align="left"),
                         Cell([figure(own)] if own else [text(NO_DATA)]),
                         Cell([figure(theirs)] if theirs else [text(NO_DATA)]),
                         Cell(rank_runs(rank) if rank else [text(NO_DATA)])])
            facts += [own, theirs]
        if not rows:
            self.omit(section, f"的表格“{render_text(spec['zh'], self.context(periods))}”", "本校所列指标均无数据")
            return None
        orders = self.rank_orders(refs)
        how = f"按数值{next(iter(orders))}排列" if len(orders) == 1 else \
            "；".join(f"{'、'.join(names)}按数值{order}排列" for order, names in orders.items())
        notes = [f"{area}的数值由{area}所有学校的数据汇总后计算（比率按汇总的分子、分母重算）。",
                 f"排名“m/n”表示在{area}有该项数据的n所学校中居第m位（{how}，印出的数值相同者并列）。"]
        if unranked:
            notes.append(f"{'、'.join(unranked)}不排名（数值并非越高或越低越好），排名栏印作“{NO_DATA}”。")
        if not self.school.counts_as_school:
            notes.append("本单位不计为学校（附设中职班），不参加排名。")
        by_scope: dict[str, list[str]] = {}
        for ph in refs:
            f = self.area.book.get(ph.code, p, ph.dims, ph.scope)
            if f is not None and f.scope not in ("all", "unstated", "mixed") and self.header_name(ph) not in left_out:
                by_scope.setdefault(f.scope, []).append(self.header_name(ph))
        notes += [f"{area}的{'、'.join(n)}{scope_phrase(s, self.cat)}。" for s, n in by_scope.items()]
        notes += scope_notes([f for f in facts if f is not None], self.cat)
        if left_out:
            notes.append(f"本校没有{'、'.join(left_out)}的数据，表中未列出。")
        if any(f is None for f in facts):
            notes.append(f"“{NO_DATA}”表示无数据。")
        return Table(key, "", "", header, rows, notes)

    def rank_orders(self, refs) -> dict[str, list[str]]:
        ranks = self.plan.get("ranks") or {}
        out: dict[str, list[str]] = {}
        for ph in refs:
            if ph.code in ranks:
                out.setdefault(ORDER_ZH.get(ranks[ph.code], ranks[ph.code]), []).append(self.header_name(ph))
        return out

    def standard_definition(self, std_id: str, section: str):
        """A standard of standards.yaml, or None with an error naming the outline's section."""
        std = load_standards(self.ds).get(std_id)
        if std is None:
            self.errors.append(report_finding("report.outline", "error", f"提纲第 {section} 节引用的标准 {std_id} 不存在",
                                        f"section {section}: standard {std_id} is not defined",
                                        "在 standards.yaml 中定义该标准", section))
        return std

    def standard(self, std_id: str, section: str):
        """(standard, the school's result) — or None, with an error for an unknown standard."""
        std = self.standard_definition(std_id, section)
        if std is None:
            return None
        if self.school is None:
            self.errors.append(report_finding("report.outline", "error", f"提纲第 {section} 节的达标情况只用于学校报告",
                                        f"section {section}: standards verdicts need a school report",
                                        "在学校提纲中使用，或用 --school 生成学校报告", section))
            return None
        return std, evaluate_school(self.ds, std_id, std, self.school, self.year, book=self.facts)

    def standards(self, key, spec, periods, section):
        """The school against each criterion of a standard: value, threshold, verdict."""
        found = self.standard(str(spec.get("standard", "")), section)
        if found is None:
            return None
        std, res = found
        if not res.applicable:
            return Paragraph([text(not_applicable_text(std, res.reason_zh, self.school, self.cat))], "note")
        rows, overrides = [], []
        for v in res.verdicts:
            fact = self.facts.get(v.indicator, self.year) if v.value is not None else None
            limit = threshold_text(v)
            if v.threshold_note:
                overrides.append(f"{v.zh}按{profile_label(v.threshold_note, self.plan, self.cat)}的标准")
            rows.append([Cell([text(v.zh)], align="left"),
                         Cell(phrases.value_runs(fact) if fact is not None else [text(NO_DATA)]),
                         Cell([text(limit)]), Cell([text(v.verdict_zh)])])
        if not rows:
            self.omit(section, f"的表格“{std['zh']}”", "没有适用于本校的指标")
            return None
        notes = [f"标准：{std['zh']}" + (f"；文件：{std['document']}。" if std.get("document") else "。")]
        notes += [f"{o}。" for o in overrides]
        if any(v.informative for v in res.verdicts):
            notes.append("“参考”表示标准只给出大致要求，不作达标判断。")
        if any(v.met is None and not v.informative for v in res.verdicts):
            notes.append("“无数据”表示本校未报送该项数据，不作判断。")
        if std.get("not_modelled_zh"):
            notes.append(f"未列入的要求：{std['not_modelled_zh']}。")
        return Table(key, "", "", ["指标", "本校", "标准", "结论"], rows, notes)

    def verdicts(self, key: str, section: str):
        """A sentence naming the criteria of a standard the school does not meet (outline
        ``verdicts``: wording with {standard}, {items}; {criterion}, {value}, {threshold})."""
        spec = self.lookup("verdicts", key, section)
        found = spec and self.standard(str(spec.get("standard", "")), section)
        if not found:
            return
        std, res = found
        names = {**self.names, "standard": std["zh"]}
        if not res.applicable:
            self.omit(section, f"对照《{std['zh']}》的结论", "该标准不适用于本校")
            return
        unmet = [v for v in res.verdicts if v.met is False]
        if not unmet:
            if any(v.met for v in res.verdicts):
                self.add(Paragraph([text(spec["met_zh"].format(**names))]))
            else:
                self.omit(section, f"对照《{std['zh']}》的结论", "本校没有可判断的数据")
            return
        items: list[Run] = []
        for i, v in enumerate(unmet):
            fact = self.facts.get(v.indicator, self.year)
            before, _, after = spec["item_zh"].partition("{value}")
            if i:
                items.append(text("、"))
            items.append(text(before.format(criterion=v.zh)))
            items.extend(phrases.value_runs(fact))
            items.append(text(after.format(threshold=threshold_text(v).replace(" ", ""))))
        head, _, tail = spec["unmet_zh"].partition("{items}")
        runs = [text(head.format(**names))] + items + [text(tail.format(**names))]
        self.add(Paragraph(merge_runs(runs)))

    # the unit's schools against a standard: counts and shares (city report)
    def attainment_of(self, std_id: str, section: str, what: str):
        """The standard across the unit's schools (nianbao.compute.standards.attainment), or
        None — left out with a note when the block is optional, else an error."""
        std = self.standard_definition(std_id, section)
        if std is None:
            return None
        if self.school is not None:
            self.errors.append(report_finding("report.outline", "error", f"提纲第 {section} 节的达标统计只用于地区报告",
                                        f"section {section}: counts of schools meeting a standard need an area report",
                                        "学校报告请用 standards 版式的表格", section))
            return None
        if std_id not in self.attainments:
            self.attainments[std_id] = attainment(self.ds, std_id, self.org_code, self.year)
        found = self.attainments[std_id]
        if found is not None and found.applicable:
            return found
        reason = ("数据集没有学校名录（orgs.csv），无法逐校对照标准" if self.ds.orgs is None else
                  f"名录中没有{self.year}年在办且适用该标准的学校")
        if self.optional:
            self.omit(section, f"对照《{std['zh']}》的{what}", reason)
        else:
            self.errors.append(report_finding("report.missing_value", "error", f"第{section}节对照《{std['zh']}》的{what}："
                                        f"{reason}", f"section {section}: no schools to assess against {std_id}",
                                        "提供学校名录 orgs.csv 和各校数据，或在提纲中把该块标为 optional", section))
        return None

    def attainment_table(self, key, spec, periods, section) -> Table | None:
        """One row per criterion of a standard — schools assessed, meeting it, the share, schools
        without the figure — and a last row for all criteria at once; every number a fact."""
        found = self.attainment_of(str(spec.get("standard", "")), section, "达标统计表")
        if found is None:
            return None
        std = found.std
        rows = []
        for r in found.rows:
            whole = r.criterion == ALL
            rows.append([Cell([Run(r.zh, bold=whole)], align="left"),
                         Cell([text(r.limit or "各项均达到")]),
                         Cell([figure(r.assessed)]), Cell([figure(r.met)]),
                         Cell([figure(r.share)] if r.share is not None else [text(NO_DATA)]),
                         Cell([figure(r.no_data)])])
        notes = [f"标准：{std['zh']}" + (f"；文件：{std['document']}。" if std.get("document") else "。")]
        if int(std.get("issued") or 0) > self.year:
            notes.append(f"该标准{std['issued']}年发布，晚于本报告年度，此处用其指标对照{self.year}年的数据，仅供参考。")
        notes.append("参评学校：适用该标准且有该项数据的学校；达标比例 = 达标学校数 ÷ 参评学校数 × 100；"
                     "无数据：适用该标准但没有该项数据的学校，不计入参评学校。")
        notes.append("“全部指标”一行的参评学校是各项指标都能判断的学校（各项均有数据，或已有一项未达标），"
                     "达标学校是各项均有数据且全部达到要求的学校；各项涉及的学校见附录一。")
        cats = (self.cat.dimensions.get("school_type") or {}).get("categories") or {}
        by_reason: dict[str, list[str]] = {}
        for res in found.not_applicable:
            org = self.ds.orgs.get(res.org_unit) if self.ds.orgs is not None else None
            reason = res.reason_zh
            if org is not None and (cats.get(org.school_type) or {}).get("zh"):
                reason = reason.replace(f"（{org.school_type}）", f"（{cats[org.school_type]['zh']}）")
            by_reason.setdefault(reason, []).append(res.zh)
        notes += [f"{reason}，未计入：{'、'.join(names)}。" for reason, names in by_reason.items()]
        limited: dict[tuple, list[str]] = {}
        for r in found.criteria:
            if r.spec.get("school_types"):
                limited.setdefault(tuple(r.spec["school_types"]), []).append(r.zh)
            for when, limit in r.overrides:
                label = profile_label("、".join(f"{k}={v}" for k, v in when.items()), self.plan, self.cat)
                notes.append(f"{r.zh}：{label}的标准为 {limit}。")
        for types, names in limited.items():
            labels = "、".join((cats.get(t) or {}).get("zh", t) for t in types)
            notes.append(f"{'、'.join(names)}只对{labels}判断。")
        about = [c["zh"] for c in std.get("criteria") or [] if c["op"] == "about"]
        if about:
            notes.append(f"{'、'.join(about)}只是大致要求，不作达标判断，表中未列出。")
        if std.get("not_modelled_zh"):
            notes.append(f"未列入的要求：{std['not_modelled_zh']}。")
        if std.get("targets_zh"):
            notes.append(f"目标：{std['targets_zh']}。")
        if std.get("note_zh"):
            notes.append(f"{std['note_zh']}。")
        if any(r.share is None for r in found.rows):
            notes.append(f"达标比例印作“{NO_DATA}”的指标没有可判断的学校。")
        header = ["指标", "标准", "参评学校", "达标学校", "达标比例", "无数据学校"]
        return Table(key, "", "", header, rows, notes)

    def attainment_sentence(self, key: str, section: str):
        """How many of the unit's schools meet all criteria of a standard, and which criteria
        the most and the fewest meet (outline ``attainment``: wording with {standard}, {org},
        {year}, {assessed}, {met}, {share}, {no_data}, {highest}, {lowest}; item_zh with
        {criterion}, {share})."""
        spec = self.lookup("attainment", key, section)
        found = spec and self.attainment_of(str(spec.get("standard", "")), section, "达标情况")
        if not found:
            return
        whole = found.all
        if whole.share is None:
            self.omit(section, f"对照《{found.std['zh']}》的达标情况", "没有各项指标都能判断的学校")
            return
        values = {**self.names, "standard": found.std["zh"], "year": str(self.year),
                  "assessed": phrases.value_runs(whole.assessed), "met": phrases.value_runs(whole.met),
                  "share": phrases.value_runs(whole.share), "no_data": phrases.value_runs(whole.no_data)}
        try:
            runs = fill_runs(spec["zh"], values)
            if whole.no_data.value:
                runs += fill_runs(spec["no_data_zh"], values)
            rated = [r for r in found.criteria if r.share is not None]
            if rated:
                top = max(r.share.rounded for r in rated)
                low = min(r.share.rounded for r in rated)

                def items(share):
                    out: list[Run] = []
                    for r in (r for r in rated if r.share.rounded == share):
                        out += ([text("、")] if out else []) + fill_runs(
                            spec["item_zh"], {"criterion": r.zh, "share": phrases.value_runs(r.share)})
                    return out
                if top == low:
                    runs += fill_runs(spec["even_zh"], {"share": phrases.value_runs(rated[0].share)})
                else:
                    runs += fill_runs(spec["spread_zh"], {"highest": items(top), "lowest": items(low)})
        except KeyError as exc:
            self.errors.append(report_finding("report.outline", "error", f"提纲 attainment.{key} 的句子缺少 {exc} 或用了未知的占位符",
                                        f"outline attainment.{key}: missing wording or unknown placeholder {exc}",
                                        "句子需有 zh、no_data_zh、spread_zh、even_zh、item_zh", section))
            return
        self.add(Paragraph(merge_runs(runs)))

    def header_name_raw(self, raw: str) -> str:
        return self.header_name(parse_placeholder(raw))

    def render_charts(self):
        for b in self.blocks:
            if isinstance(b, Chart) and not b.png:
                b.png = charts.render_png(b.spec)


# -- notes --------------------------------------------------------------------------------
def wrap_label(label: str, width: int = 7) -> str:
    """A long axis label on two lines (双师型教师占专任教师比例 → 双师型教师占 / 专任教师比例)."""
    if len(label) <= width:
        return label
    half = (len(label) + 1) // 2
    return label[:half] + "\n" + label[half:]


def years_without_data(periods, kept) -> list[str]:
    missing = [p for p in periods if p not in kept]
    return [f"{'、'.join(f'{p}年' for p in missing)}无数据，表中未列出。"] if missing else []


def fill_runs(template: str, values: dict) -> list[Run]:
    """A wording with {name} placeholders, each replaced by words (str) or runs (figures);
    an unknown name raises KeyError."""
    runs: list[Run] = []
    for i, piece in enumerate(re.split(r"\{([a-z_]+)\}", template)):
        if i % 2 == 0:
            runs.append(text(piece))
        else:
            value = values[piece]
            runs.extend([text(value)] if isinstance(value, str) else value)
    return [r for r in runs if r.text]


def merge_runs(runs: list[Run]) -> list[Run]:
    out: list[Run] = []
    for r in runs:
        if not r.text:
            continue
        if out and r.fact is None and out[-1].fact is None and r.bold == out[-1].bold:
            out[-1] = Run(out[-1].text + r.text, bold=r.bold)
        else:
            out.append(r)
    return out


def scope_phrase(scope: str, catalogue) -> str:
    """按不含技工学校统计 / 未注明口径 / 口径不一."""
    if scope == "unstated":
        return "未注明口径"
    if scope == "mixed":
        return "口径不一"
    return f"按{catalogue.scope_label(scope)}统计"


def _mixed_description(f: Fact, catalogue) -> str:
    if f.kind == "change":
        years = "、".join(f"{i.period}年{scope_phrase(i.scope, catalogue)}" for i in f.inputs)
        return f"比上年增减：{years}，增减仅供参考"
    ind = catalogue.indicators.get(f.indicator)
    num_refs = {r.key for r in refs(ind.numerator_ast)} if ind and ind.derived else set()
    num = [i for i in f.inputs if i.ref in num_refs]
    den = [i for i in f.inputs if i.ref not in num_refs]
    num_scopes = {i.scope for i in num}
    den_scopes = {i.scope for i in den}
    if len(num_scopes) != 1 or len(den_scopes) != 1:
        return f"所用数据口径不一（{f.scope_note}）"
    den_names = "、".join(dict.fromkeys(i.label_zh for i in den))
    return (f"分子{scope_phrase(num_scopes.pop(), catalogue)}，分母（{den_names}）"
            f"{scope_phrase(den_scopes.pop(), catalogue)}，两者口径不一")


def scope_notes(facts, catalogue) -> list[str]:
    """One note per kind of scope mismatch, naming every figure it concerns."""
    groups: dict[tuple, list[str]] = {}
    for f in dict.fromkeys(f for f in facts if f is not None and f.scope == "mixed"):
        when = f"{f.base_period}—{f.period}年" if f.kind == "change" else f"{f.period}年"
        name = f.name_zh.removesuffix("变化") if f.kind == "change" else f.name_zh
        groups.setdefault((when, _mixed_description(f, catalogue)), []).append(name)
    return [f"{'、'.join(dict.fromkeys(names))}（{when}）{desc}。" if not desc.startswith("比上年")
            else f"{'、'.join(dict.fromkeys(names))}（{when}）的{desc}。"
            for (when, desc), names in groups.items()]


def table_notes(facts, catalogue, refs, builder) -> list[str]:
    missing = any(f is None for f in facts)
    facts = [f for f in facts if f is not None]
    notes = []
    by_scope: dict[str, list[str]] = {}
    for ph in refs:
        scopes = {f.scope for f in facts if f.indicator == ph.code and f.dims == ph.dims}
        quiet = ("unstated", "mixed", "all") if getattr(builder, "school", None) else ("unstated", "mixed")
        if len(scopes) == 1 and (s := scopes.pop()) not in quiet:
            by_scope.setdefault(s, []).append(builder.header_name(ph))
    for s, names in by_scope.items():
        notes.append(f"{'、'.join(names)}的统计口径：{catalogue.scope_label(s)}。")
    reported: dict[str, list[int]] = {}
    for f in facts:
        if f.kind == "reported":
            reported.setdefault(f.name_zh, []).append(f.period)
    by_years: dict[tuple, list[str]] = {}
    for name, years in reported.items():
        by_years.setdefault(tuple(years), []).append(name)
    for years, names in by_years.items():
        notes.append(f"{'、'.join(str(y) for y in years)}年的{'、'.join(names)}缺少基础数据，按原报告印发值列出。")
    notes.extend(scope_notes(facts, catalogue))
    if missing:
        notes.append(f"“{NO_DATA}”表示无数据。")
    return notes


# -- Markdown (the small subset narratives use) -----------------------------------------
_COMMENT = re.compile(r"<!--.*?-->", re.S)


def strip_comments(body: str) -> str:
    return _COMMENT.sub("", body)


def markdown_blocks(body: str):
    """Paragraphs, "#" headings and "-" bullets of a narrative; comments are dropped and lines
    of one paragraph are joined (Chinese text needs no space between them)."""
    out = []
    for chunk in re.split(r"\n\s*\n", strip_comments(body).strip()):
        lines = [ln.strip() for ln in chunk.splitlines() if ln.strip()]
        if not lines:
            continue
        para: list[str] = []
        for ln in lines:
            if m := re.match(r"^#{1,6}\s+(.*)$", ln):
                if para:
                    out.append(("paragraph", "".join(para)))
                    para = []
                out.append(("heading", m.group(1).strip()))
            elif m := re.match(r"^[-*+]\s+(.*)$", ln):
                if para:
                    out.append(("paragraph", "".join(para)))
                    para = []
                out.append(("bullet", m.group(1).strip()))
            else:
                para.append(ln)
        if para:
            out.append(("paragraph", "".join(para)))
    return out


def build_document(dataset, findings=(), allow_errors: bool = False, charts: bool = True, org=None,
                   outline: str | None = None) -> Document:
    """The document model of a dataset's report (or, given ``org``, of one of its schools).
    ``findings`` come from the check: errors that block a report stop the build (ReportError)
    unless ``allow_errors``; the others are listed in the data notes."""
    return Builder(dataset, findings, allow_errors=allow_errors, charts=charts, org=org, outline=outline).build()
