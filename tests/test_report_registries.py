"""The report's registries: a block kind, a table layout or an output format is added by adding a
module (or registering a handler the way such a module does); an unknown name is a finding that
lists the known ones. The report's words come from the catalogue, its messages from the error
catalogue."""

import ast
import copy
import re
import sys
from pathlib import Path

import pytest

from nianbao.app.reporting import build_report
from nianbao.catalogue import CatalogueError
from nianbao.core.messages import catalogue as messages
from nianbao.ingest.dataset import load_dataset
from nianbao.report import blocks, selfcheck
from nianbao.report.blocks import BLOCKS, block
from nianbao.report.builder import build_document
from nianbao.report.document import Cell, Heading, Paragraph, ReportError, Table
from nianbao.report.registry import Registry, discover
from nianbao.report.renderers import RENDERERS, renderer
from nianbao.report.runs import figure, text
from nianbao.report.tables import LAYOUTS, layout

EXAMPLE = Path("examples/datong-2020")
SRC = Path(__file__).resolve().parents[1] / "src" / "nianbao"


@pytest.fixture(scope="module")
def dataset():
    return load_dataset(EXAMPLE)


def with_blocks(dataset, blocks_, **outline):
    """The dataset with the first section of its city outline holding ``blocks_`` (and
    ``outline`` entries added to the shared sections)."""
    ds = copy.copy(dataset)
    cat = copy.copy(dataset.catalogue)
    cat.outline = copy.deepcopy(dataset.catalogue.outline)
    cat.outline["outlines"]["city"]["parts"][0]["sections"][0]["blocks"] = blocks_
    for group, entries in outline.items():
        cat.outline.setdefault(group, {}).update(entries)
    ds.catalogue = cat
    return ds


def section_texts(doc, section="1.1"):
    """The paragraphs and tables printed in a section (up to the next heading)."""
    out, inside = [], False
    for b in doc.blocks:
        if isinstance(b, Heading):
            if inside and b.level <= 2:
                break
            inside = b.number == section
            continue
        if inside:
            out.append(b)
    return out


@pytest.fixture
def registered():
    """Handlers registered by a test are taken out again afterwards."""
    added = []
    yield added
    for registry, name in added:
        registry.unregister(name)


# -- block kinds ---------------------------------------------------------------------------
def test_a_registered_block_kind_is_built_where_the_outline_names_it(dataset, registered):
    @block("headline")
    def headline(b, req):
        fact = b.facts.get(req.key, b.year)
        b.add(Paragraph([text("【"), figure(fact), text(fact.unit_text + "】")]))
    registered.append((BLOCKS, "headline"))

    doc = build_document(with_blocks(dataset, [{"headline": "students"}]), charts=False)
    printed = ["".join(r.text for r in p.runs) for p in section_texts(doc) if isinstance(p, Paragraph)]
    # 在校生数 2020 (values.csv): 22863 人
    assert printed == ["【22863人】"]
    assert "140200/students/2020/unstated" in doc.facts  # its figure is a fact of the document


def test_a_module_beside_the_blocks_registers_its_kind(dataset, tmp_path, registered):
    """What adding a file to nianbao/report/blocks does, with the file in a folder of the
    package's path instead of the source tree."""
    (tmp_path / "motto.py").write_text(
        "from nianbao.report.blocks import block\n"
        "from nianbao.report.document import Paragraph\n"
        "from nianbao.report.runs import text\n\n"
        "@block('motto')\n"
        "def motto(b, req):\n"
        "    b.add(Paragraph([text(req.key)]))\n", encoding="utf-8")
    blocks.__path__.append(str(tmp_path))
    try:
        assert discover(blocks.__name__, [str(tmp_path)]) == ["motto"]
        registered.append((BLOCKS, "motto"))
        assert "motto" in BLOCKS
        doc = build_document(with_blocks(dataset, [{"motto": "产教融合"}]), charts=False)
        assert ["".join(r.text for r in p.runs) for p in section_texts(doc)] == ["产教融合"]
    finally:
        blocks.__path__.remove(str(tmp_path))
        sys.modules.pop(f"{blocks.__name__}.motto", None)


def test_a_kind_defined_in_an_outline_section_gets_its_entry(dataset, registered):
    seen = []

    @block("shout", defined_in="sentences")
    def shout(b, req):
        seen.append((req.key, req.section, req.spec))
    registered.append((BLOCKS, "shout"))

    ds = with_blocks(dataset, [{"shout": "scale_overview"}, {"shout": "no_such_sentence"}])
    with pytest.raises(ReportError) as err:
        build_document(ds, charts=False)
    assert seen == [("scale_overview", "1.1", dataset.catalogue.outline["sentences"]["scale_overview"])]
    [f] = err.value.findings
    assert f.code == "report.undefined" and "sentences.no_such_sentence" in f.message_zh


def test_an_unknown_block_kind_is_a_finding_listing_the_known_kinds(dataset, registered):
    @block("headline")
    def headline(b, req):
        pass
    registered.append((BLOCKS, "headline"))

    ds = with_blocks(dataset, [{"optional": True, "sentense": "scale_overview"}])
    with pytest.raises(ReportError) as err:
        build_document(ds, charts=False)
    [f] = [f for f in err.value.findings if f.code == "report.unknown_block"]
    assert f.location.section == "1.1" and "“sentense”" in f.message_zh and "'sentense'" in f.message_en
    known = f.hint.removeprefix("块类型：").split("、")
    assert sorted(known) == sorted(BLOCKS) and "headline" in known
    assert {"sentence", "list", "narrative", "table", "chart", "verdicts", "attainment"} <= set(known)
    assert f.hint_en == "block kinds: " + ", ".join(sorted(BLOCKS))


def test_the_block_kinds_of_the_package(dataset):
    """Every kind the outline's header documents has its module, and every block of the shipped
    outlines names a registered kind."""
    assert {"sentence", "list", "narrative", "table", "chart", "verdicts", "attainment"} <= set(BLOCKS)
    outlines = dataset.catalogue.outline["outlines"]
    used = {k for o in outlines.values() for part in o["parts"] for sec in part.get("sections", [])
            for blk in sec.get("blocks", []) for k in blk if k != "optional"}
    assert used <= set(BLOCKS)


# -- table layouts -------------------------------------------------------------------------
def test_a_registered_table_layout_is_numbered_and_titled_like_the_others(dataset, registered):
    @layout("one_row")
    def one_row(b, t):
        refs = [b.ref(c, t.section) for c in t.spec["columns"]]
        cells = [[b.words.year(b.year)] + [b.facts.get(ph.code, b.year).text for ph in refs]]
        return Table(t.key, "", "", ["年份"] + [b.header_name(ph) for ph in refs],
                     [[Cell([text(c)]) for c in row] for row in cells])
    registered.append((LAYOUTS, "one_row"))

    tables = {"headline_table": {"zh": "{year}年规模", "layout": "one_row", "columns": ["schools", "students"]},
              "by_year": {"zh": "历年在校生", "layout": "periods_as_rows", "columns": ["students"]}}
    ds = with_blocks(dataset, [{"table": "headline_table"}, {"table": "by_year"}], tables=tables)
    doc = build_document(ds, charts=False)
    first, second = [b for b in section_texts(doc) if isinstance(b, Table)]
    assert (first.number, first.caption) == ("表一", "表一：2020年规模")
    assert [[c.runs[0].text for c in row] for row in first.rows] == [["2020年", "34", "22863"]]
    assert second.caption == "表二：历年在校生"  # numbering goes on after the new layout


def test_an_unknown_table_layout_is_a_finding_listing_the_known_layouts(dataset):
    tables = {"bad": {"zh": "坏表", "layout": "rows_as_periods", "columns": ["students"]}}
    with pytest.raises(ReportError) as err:
        build_document(with_blocks(dataset, [{"table": "bad"}], tables=tables), charts=False)
    [f] = [f for f in err.value.findings if f.code == "report.unknown_layout"]
    assert "rows_as_periods" in f.message_zh
    assert sorted(f.hint.removeprefix("版式：").split("、")) == sorted(LAYOUTS)
    assert {"periods_as_rows", "indicators_as_rows", "static", "comparison", "standards", "attainment"} <= set(LAYOUTS)


# -- output formats ------------------------------------------------------------------------
def test_a_registered_output_format_is_written_and_self_checked(dataset, tmp_path, registered):
    @renderer("txt")
    def write_txt(document, path, job):
        lines, printed = [], []
        for b in document.blocks:
            if isinstance(b, Paragraph):
                lines.append("".join(r.text for r in b.runs))
                printed += [(r.fact.key, r.text, "txt") for r in b.runs if r.is_figure]
        Path(path).write_text("\n".join(lines), encoding="utf-8")
        return printed
    registered.append((RENDERERS, "txt"))

    out = tmp_path / "out"
    out.mkdir()
    (out / "report.docx").write_text("an earlier build")
    result = build_report(dataset, out, formats=["txt"])
    assert sorted(p.name for p in out.iterdir()) == ["report.txt"]  # nothing of the earlier build left
    assert result.files == {"txt": out / "report.txt"}
    assert "在校学生22863人" in (out / "report.txt").read_text(encoding="utf-8")
    paragraph_figures = sum(r.is_figure for b in result.document.blocks if isinstance(b, Paragraph) for r in b.runs)
    assert result.checked == paragraph_figures > 0  # what the new format printed is what was checked


def test_a_format_that_prints_a_figure_another_way_fails_the_self_check(dataset, tmp_path, registered):
    @renderer("bad")
    def write_bad(document, path, job):
        key = "140200/students/2020/unstated"
        Path(path).write_text("22,863")
        return [(key, "22,863", "bad")]
    registered.append((RENDERERS, "bad"))

    with pytest.raises(selfcheck.SelfCheckError) as err:
        build_report(dataset, tmp_path, formats=["html", "bad"])
    assert "22,863" in str(err.value) and "22863" in str(err.value)
    assert not list(tmp_path.iterdir())  # nothing written when the check fails


def test_a_converting_format_brings_its_source_and_is_skipped_with_a_note(dataset, tmp_path, registered):
    from nianbao.core.messages import finding
    from nianbao.report.renderers import OutputSkipped

    @renderer("epub", converts="html")
    def write_epub(document, path, job):
        raise OutputSkipped(finding("report.pdf_no_soffice"))
    registered.append((RENDERERS, "epub"))

    result = build_report(dataset, tmp_path, formats=["epub"])
    assert sorted(result.files) == ["html"] and "未生成 PDF" in result.notes["epub"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.html"]


def test_an_unknown_output_format_is_a_finding(dataset, tmp_path):
    with pytest.raises(ReportError) as err:
        build_report(dataset, tmp_path, formats=["odt"])
    [f] = err.value.findings
    assert f.code == "report.unknown_format" and "odt" in f.message_zh
    assert all(name in f.hint for name in ("docx", "html", "pdf"))


def test_registries_refuse_a_second_handler_of_one_name():
    r = Registry("thing")
    r.register("a")(lambda: 1)
    with pytest.raises(ValueError):
        r.register("a")(lambda: 2)


# -- words and messages as data ------------------------------------------------------------
def test_the_reports_words_come_from_the_catalogue(dataset):
    tables = {"by_year": {"zh": "历年在校生", "layout": "periods_as_rows", "columns": ["students"]}}
    ds = with_blocks(dataset, [{"table": "by_year"}], tables=tables)
    ds.catalogue.outline["phrases"]["tables"]["number"] = "Table {n}"
    ds.catalogue.outline["phrases"]["data_notes"]["title"] = "数据与口径说明"
    doc = build_document(ds, charts=False)
    tables = [b for b in section_texts(doc) if isinstance(b, Table)]
    assert tables[0].caption == "Table 一：历年在校生"
    assert "数据与口径说明" in [h.title for h in doc.headings]


def test_a_missing_phrase_names_its_key(dataset):
    ds = with_blocks(dataset, [{"table": "scale"}])
    ds.catalogue.outline["phrases"] = {k: v for k, v in dataset.catalogue.outline["phrases"].items()
                                       if k != "tables"}
    with pytest.raises(CatalogueError, match=r"phrases\.tables\.year_column") as err:
        build_document(ds, charts=False)
    assert [f.code for f in err.value.findings] == ["report.phrase_missing"]


def _report_sources():
    return [SRC / "app" / "reporting.py"] + sorted((SRC / "report").rglob("*.py"))


def test_every_message_code_of_the_report_is_in_the_error_catalogue_and_used():
    """The codes the report's code names (report.*, sentence.*, chart.*) and the entries of
    core/messages/report.yaml are the same set."""
    code = re.compile(r"""["']((?:report|sentence|chart)\.[a-z_]+)["']""")
    used = {m for p in _report_sources() for m in code.findall(p.read_text(encoding="utf-8"))}
    used -= {"report.html", "report.docx", "report.pdf"}
    listed = {c for c in messages() if c.split(".")[0] in ("report", "sentence", "chart")}
    assert used - listed == set(), "raised but not in the catalogue"
    assert listed - used == set(), "in the catalogue but raised nowhere"
    for c in listed:
        assert {"severity", "zh", "en", "hint", "hint_en"} <= set(messages()[c]), c


CJK = re.compile(r"[\u2e80-\u9fff\u3000-\u303f\uff00-\uffef]")
FONT_NAMES = ("宋体", "黑体", "楷体")  # font families as Word and WPS name them, not words of the report


def test_no_chinese_words_in_the_reports_python():
    """The report's Chinese is catalogue data: no string literal outside docstrings holds Chinese,
    but for the names of fonts."""
    found = []
    for path in _report_sources():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        docs = {id(n.body[0].value) for n in ast.walk(tree)
                if isinstance(n, (ast.Module, ast.ClassDef, ast.FunctionDef)) and n.body
                and isinstance(n.body[0], ast.Expr) and isinstance(n.body[0].value, ast.Constant)}
        for n in ast.walk(tree):
            if isinstance(n, ast.Constant) and isinstance(n.value, str) and id(n) not in docs:
                rest = n.value
                for name in FONT_NAMES:
                    rest = rest.replace(name, "")
                if CJK.search(rest):
                    found.append(f"{path.relative_to(SRC)}:{n.lineno}: {n.value[:40]!r}")
    assert found == []
