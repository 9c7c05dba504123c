"""The Datong 2020 report built from the example dataset: tables and sentences against values
worked out by hand from the seed report (arithmetic in the comments), the Word file's Chinese
typography, the HTML tooltips, the self-check and the command."""

import copy
import csv
import re
import shutil
import zipfile
from pathlib import Path

import docx
import pytest
from docx.oxml.ns import qn
from docx.text.paragraph import Paragraph as DocxParagraph

from nianbao.app.reporting import build_report
from nianbao.cli.main import main
from nianbao.core.findings import Finding, Location
from nianbao.ingest.dataset import load_dataset
from nianbao.report import selfcheck
from nianbao.report.builder import build_document
from nianbao.report.document import Paragraph, ReportError, Table
from nianbao.report.renderers.docx import TemplateError, open_template

EXAMPLE = Path("examples/datong-2020")


@pytest.fixture(scope="module")
def dataset():
    return load_dataset(EXAMPLE)


@pytest.fixture(scope="module")
def built(dataset, tmp_path_factory):
    return build_report(dataset, tmp_path_factory.mktemp("report"), pdf=False)


@pytest.fixture(scope="module")
def doc(built):
    return built.document


@pytest.fixture(scope="module")
def html(built):
    return built.html.read_text(encoding="utf-8")


def table(doc, number):
    return next(b for b in doc.blocks if isinstance(b, Table) and b.number == number)


def texts(t):
    return [["".join(r.text for r in c.runs) for c in row] for row in t.rows]


def paragraphs(doc):
    return ["".join(r.text for r in b.runs) for b in doc.blocks if isinstance(b, Paragraph)]


# -- tables --------------------------------------------------------------------------------
def test_table_one_scale(doc):
    t = table(doc, "表一")
    assert t.caption == "表一：2018—2020年大同市中等职业学校办学规模"
    assert t.header == ["年份", "学校数（所）", "在校生数（人）", "招生数（人）", "普职招生比", "毕业生数（人）"]
    rows = texts(t)
    # 2020: 普职比 17584 / (17584 + 9165) = 0.6574 → 6.6:3.4 (the seed printed 6.5:3.5)
    assert rows[2] == ["2020年", "34", "22863", "9165", "6.6:3.4", "7163"]
    # 2019: the seed's 表一 printed "7:03"; the ratio is 7:3
    assert rows[1] == ["2019年", "34", "25820", "7598", "7:3", "8631"]
    assert rows[0] == ["2018年", "34", "26853", "8251", "6.9:3.1", "8986"]


def test_table_two_conditions_uses_base_counts_with_scope_note(doc):
    t = table(doc, "表二")
    rows = texts(t)
    # 2020: 34112.37 万元 × 10000 / 22863 = 14920.3 → 14920 元; 544887 / 22863 = 23.83 → 23.8 册
    assert rows[2] == ["2020年", "14920", "0.55", "23.8"]
    assert rows[0] == ["2018年", "20852", "0.51", "29.6"]
    notes = "".join(t.notes)
    assert "不含技工学校" in notes and "未区分是否含技工学校" in notes
    assert "采用此前公布的数值" in notes


def test_table_four_has_signed_changes_in_points(doc):
    rows = texts(table(doc, "表四"))
    assert table(doc, "表四").header[-1] == "比上年增减"
    # 94.88 − 94.63 = +0.25; 96 − 95.77 = +0.23; 95.5 − 95.01 = +0.49; 95 − 90.25 = +4.75
    assert [r[-1] for r in rows] == ["+0.25个百分点", "+0.23个百分点", "+0.49个百分点", "+4.75个百分点"]
    assert rows[0][:4] == ["文化课合格率", "95.10%", "94.63%", "94.88%"]


def test_table_five_employment(doc):
    rows = texts(table(doc, "表五"))
    # 2020: (1365 + 4113) / 5758 = 0.95137 → 95.14%; 2018 and 2019 as printed. The 2020 rate
    # is of graduates 不含技工学校 (5.1), the printed years state no scope: 2020 is marked (*)
    assert rows[0] == ["就业率", "91.14%", "95.58%", "95.14%*"]
    assert "标*者：就业率、对口就业率2020年的统计口径为不含技工学校，与其他年份不同，不作比较。" \
        in table(doc, "表五").notes
    assert rows[2] == ["初次就业月收入（元）", "2000", "2300", "2350"]


def test_table_six_graduates_and_employment(doc):
    t = table(doc, "表六")
    rows = texts(t)
    # 2019: 1531 / 6091 = 0.25135 → 25.14% (seed 26.30%); 916 / 1531 = 0.59830 → 59.83%
    assert rows[0] == ["2019年", "6091", "1531", "25.14%", "916", "59.83%"]
    # 2020: 1365 / 5758 = 0.23706 → 23.71%; 891 / 1365 = 0.65275 → 65.27%
    assert rows[1] == ["2020年", "5758", "1365", "23.71%", "891", "65.27%"]
    assert any("不含技工学校" in n for n in t.notes)


def test_table_three_is_the_static_curriculum(doc):
    with (EXAMPLE / "tables" / "moral_courses.csv").open(encoding="utf-8-sig") as f:
        rows = list(csv.reader(f))
    t = table(doc, "表三")
    assert t.header == rows[0]
    assert texts(t) == rows[1:]


# -- sentences -------------------------------------------------------------------------------
def test_sentences(doc):
    text = "\n".join(paragraphs(doc))
    assert "共有中等职业教育学校34所，与上年持平；在校学生22863人，比上年减少2957人；" \
           "当年招生9165人，比上年增加1567人" in text
    # 499 / 1938 = 25.748% → 25.75% (the seed printed 31%); 22863 / 1938 = 11.797 → 11.80:1
    assert "双师型教师499人，占专任教师的25.75%" in text
    assert "生师比为11.80:1" in text
    # 2020's rate (graduates 不含技工学校) and 2019's printed rate (口径未注明) are of two scopes:
    # no change is printed across the break (95.14 − 95.58 would read −0.44 points)
    assert "就业率为95.14%，与上年口径不同，不作比较" in text
    assert "下降0.44个百分点" not in text
    # 生均图书 2020 = 544887 ÷ 22863 = 23.8 recomputed on all students; 2019's 30.4 is 表二's printed
    # figure on another base: 23.8 − 30.4 = −6.6 is never printed
    assert "生均23.8册，与上年口径不同，不作比较。" in text
    assert "减少6.6册" not in text
    # 4113 / 5758 = 0.71431 → 71.43%
    assert "升入高一级学校的有4113人，占毕业生的71.43%" in text
    # 4.67 / 70.59 = 0.066157 → 6.62%
    assert "占6.62%" in text
    assert "{" not in text


def test_outline_order_and_numbered_headings(doc):
    parts = [h.text for h in doc.headings if h.level == 1 and h.number]
    assert parts == ["1. 基本情况", "2. 学生发展", "3. 质量保障措施", "4. 校企合作", "5. 社会贡献",
                     "6. 政府履责", "7. 特色创新", "8. 学校党建工作情况", "9. 主要问题和改进措施"]
    assert "1.1 规模和结构" in [h.text for h in doc.headings if h.level == 2]
    tail = [h.title for h in doc.headings if h.level == 1 and not h.number]
    assert tail == ["数据说明", "附录一 指标说明"]


def test_appendix_lists_every_figure_with_formula_and_inputs(dataset):
    doc = build_document(dataset, charts=False, full_appendix=True)
    assert "附录一 指标说明与数据来源" in [h.title for h in doc.headings]
    t = table(doc, "附表")
    body = "\n".join("｜".join(r) for r in texts(t))
    for fact in doc.facts.values():
        if fact.kind != "change":
            assert fact.name_zh.split("（")[0] in body
    row = next(r for r in texts(t) if r[:2] == ["2020年", "11.80:1"])
    # 生师比: 在校生数 22863 ÷ 专任教师数 1938
    assert "在校生数 ÷ 专任教师数" in row[2] and "22863" in row[2] and "1938" in row[2]
    mixed = next(r for r in texts(t) if r[:2] == ["2020年", "14920元"])
    assert "口径不一" in mixed[2] and "不含技工学校" in mixed[2]


def test_missing_narrative_leaves_one_official_line_and_no_file_name(dataset):
    ds = copy.copy(dataset)
    ds.narratives = {k: v for k, v in dataset.narratives.items() if k != "8"}
    document = build_document(ds, charts=False)
    text = paragraphs(document)
    assert "本节所涉数据本年度未报送，暂不作分析。" in text  # 8.1 has nothing else
    assert not any("narrative/" in p or ".md" in p for p in text)
    # nianbao check still names the file
    assert any(f.code == "report.missing_narrative" and "narrative/8.md" in f.message_zh for f in document.omitted)


def test_sentence_keeps_the_clauses_it_has_figures_for(dataset):
    ds = copy.copy(dataset)
    ds.observations = [o for o in dataset.observations if o.element != "dual_teachers"]
    document = build_document(ds, charts=False)  # a missing figure is not an error
    assert document.errors == []
    text = "\n".join(paragraphs(document))
    # 1938 / 2492 = 77.77%; the clause of 双师型教师 is left out, the sentence closes with 。
    assert "其中专任教师1938人，占教职工的77.77%；另有兼职教师449人，与专任教师之比为23.17%。生师比为11.80:1。" in text
    assert not any("双师型教师" in p for p in paragraphs(document) if "教职工2492人" in p)
    assert "未报送的项目：" in text and "双师型教师数（2020年）" in text


def test_blocking_findings_refuse_the_report(dataset, tmp_path):
    bad = Finding(code="value.not_number", severity="error", message_zh="“三十四”不是数字",
                  message_en="not a number", location=Location(file="values.csv", cell="第4行"))
    ds = copy.copy(dataset)
    ds.findings = [bad]
    with pytest.raises(ReportError):
        build_report(ds, tmp_path / "refused", pdf=False)
    assert not (tmp_path / "refused" / "report.docx").exists()
    result = build_report(ds, tmp_path / "allowed", allow_errors=True, pdf=False)
    assert "附录二 数据错误清单" in [h.title for h in result.document.headings]


# -- Word ------------------------------------------------------------------------------------
def test_docx_styles_have_east_asian_fonts_and_zh_cn(built):
    d = docx.Document(str(built.docx))
    for name, font in (("Normal", "宋体"), ("Heading 1", "黑体"), ("Heading 2", "黑体"), ("Caption", "黑体")):
        rpr = d.styles[name].element.find(qn("w:rPr"))
        fonts = rpr.find(qn("w:rFonts"))
        assert fonts.get(qn("w:eastAsia")) == font, name
        assert fonts.get(qn("w:ascii")) and fonts.get(qn("w:hAnsi")), name
        assert not any(a.lower().endswith("theme") for a in fonts.attrib), name
        assert rpr.find(qn("w:lang")).get(qn("w:eastAsia")) == "zh-CN", name
    ind = d.styles["Normal"].element.find(qn("w:pPr")).find(qn("w:ind"))
    assert ind.get(qn("w:firstLineChars")) == "200"  # body text indented two characters


def test_docx_has_real_tables_captions_toc_and_page_numbers(built):
    d = docx.Document(str(built.docx))
    assert len(d.tables) == 7  # 表一–表六 and the appendix
    first = d.tables[0]
    assert [c.text for c in first.rows[2].cells] == ["2019年", "34", "25820", "7598", "7:3", "8631"]
    assert first.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None
    assert first.rows[0].cells[1].text == "学校数（所）"
    caption = DocxParagraph(first._tbl.getprevious(), d._body)
    assert caption.text == "表一：2018—2020年大同市中等职业学校办学规模"
    assert caption.style.name == "Caption"
    instr = " ".join(el.text for el in d.element.body.iter(qn("w:instrText")))
    assert "TOC \\o" in instr and "PAGEREF" in instr
    assert d.settings.element.find(qn("w:updateFields")) is not None
    footer = " ".join(el.text for el in d.sections[0].footer._element.iter(qn("w:instrText")))
    assert "PAGE" in footer
    assert len(d.inline_shapes) == 6  # the six charts
    styles = {p.style.name for p in d.paragraphs}
    assert {"Title", "Heading 1", "Heading 2", "Caption", "Normal", "toc 1"} <= styles


def test_template_option_is_checked(tmp_path):
    with pytest.raises(TemplateError):
        open_template(tmp_path / "missing.docx")
    plain = tmp_path / "plain.docx"
    docx.Document().save(str(plain))
    with pytest.raises(TemplateError) as err:
        open_template(plain)
    assert "Report Table" in str(err.value)


# -- HTML ------------------------------------------------------------------------------------
def test_html_is_self_contained_with_fact_tooltips(html):
    assert "<link" not in html and 'src="http' not in html and "<script" not in html
    assert html.count('src="data:image/png;base64,') == 6
    span = re.search(r'<span class="fact" data-fact="140200/dual_teacher_ratio/2020/unstated" title="([^"]+)">'
                     r"([^<]+)</span>", html)
    assert span and span.group(2) == "25.75%"
    tip = span.group(1)
    assert "双师型教师数 ÷ 专任教师数" in tip and "499" in tip and "1938" in tip and "口径" in tip
    assert 'href="#sec-1-1"' in html and 'id="sec-1-1"' in html
    assert "font-family" in html and "Noto Sans CJK SC" in html


# -- self-check ------------------------------------------------------------------------------
def test_self_check_passes_on_the_report(built, doc, html):
    printed = selfcheck.html_printed(html)
    assert selfcheck.check(printed, doc.facts) == len(printed) > 100


def test_self_check_catches_a_planted_inconsistency(doc, html):
    key = "140200/students/2020/unstated"
    target = f'data-fact="{key}"'
    assert target in html
    start = html.index(target)
    end = html.index("</span>", start)
    planted = html[:start] + html[start:end].replace("22863", "22836") + html[end:]
    with pytest.raises(selfcheck.SelfCheckError) as err:
        selfcheck.check(selfcheck.html_printed(html) + selfcheck.html_printed(planted), doc.facts)
    assert key in str(err.value) and "22836" in str(err.value)


def test_self_check_catches_a_non_canonical_text(doc):
    key = "140200/gv_ratio/2019/unstated"
    with pytest.raises(selfcheck.SelfCheckError) as err:
        selfcheck.check([(key, "7:03", "docx")], doc.facts)
    assert key in str(err.value) and "7:3" in str(err.value)


# -- the command -----------------------------------------------------------------------------
def test_command_writes_exactly_the_reports(tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["report", str(EXAMPLE), "-o", str(out), "--no-pdf"]) == 0
    assert sorted(p.name for p in out.iterdir()) == ["report.docx", "report.html"]
    assert zipfile.is_zipfile(out / "report.docx")
    assert "已生成报告" in capsys.readouterr().out


def test_command_on_an_unreadable_dataset(tmp_path, capsys):
    assert main(["report", str(tmp_path / "nothing"), "-o", str(tmp_path / "out"), "--no-pdf"]) == 2
    err = capsys.readouterr().err
    assert "无法读取数据集" in err and "Traceback" not in err
    assert not (tmp_path / "out").exists()


def test_command_with_a_bad_template(tmp_path, capsys):
    code = main(["report", str(EXAMPLE), "-o", str(tmp_path / "out"), "--no-pdf",
                 "--template", str(tmp_path / "none.docx")])
    assert code == 2
    assert "模板" in capsys.readouterr().err


def test_command_refuses_data_errors(tmp_path, capsys):
    data = tmp_path / "data"
    shutil.copytree(EXAMPLE, data)
    values = (data / "values.csv").read_text(encoding="utf-8")
    (data / "values.csv").write_text(values.replace("schools,,2020,unstated,34,", "schools,,2020,unstated,三十四,"),
                                     encoding="utf-8")
    out = tmp_path / "out"
    assert main(["report", str(data), "-o", str(out), "--no-pdf"]) == 1
    err = capsys.readouterr().err
    assert "未生成报告" in err and "三十四" in err and "Traceback" not in err
    assert not (out / "report.docx").exists()
    assert main(["report", str(data), "-o", str(out), "--no-pdf", "--allow-errors"]) == 0
    assert "附录二 数据错误清单" in (out / "report.html").read_text(encoding="utf-8")


def test_pdf_skipped_without_libreoffice(dataset, tmp_path, monkeypatch):
    from nianbao.report.renderers import pdf
    monkeypatch.setattr(pdf, "find_soffice", lambda: None)
    result = build_report(dataset, tmp_path, pdf=True)
    assert result.pdf is None and not (tmp_path / "report.pdf").exists()
    assert "apt-get install" in result.pdf_note and "未生成 PDF" in result.pdf_note


def test_contents_page_numbers_are_written_into_the_word_file(built, tmp_path):
    from nianbao.report.renderers import pdf
    copy_ = tmp_path / "r.docx"
    shutil.copy(built.docx, copy_)
    first = next(h for h in built.document.headings if h.level == 2)
    assert pdf.fill_toc_pages(copy_, {first.bookmark: 3})
    d = docx.Document(str(copy_))
    instr = next(el for el in d.element.body.iter(qn("w:instrText")) if first.bookmark in el.text)
    cached = [t.text for r in instr.getparent().itersiblings() for t in r.iter(qn("w:t"))]
    assert cached[0] == "3"


def test_list_blocks_print_one_bullet_per_sentence(dataset):
    ds = copy.copy(dataset)
    cat = copy.copy(dataset.catalogue)
    cat.outline = copy.deepcopy(dataset.catalogue.outline)
    section = cat.outline["outlines"]["city"]["parts"][0]["sections"][0]
    section["blocks"] = [{"list": ["scale_affiliation", "scale_ownership"]}]
    ds.catalogue = cat
    document = build_document(ds, charts=False)
    bullets = [p for p in document.blocks if isinstance(p, Paragraph) and p.style == "bullet"]
    # 1.1: 省属1所、在校生452人; 公办学校27所、在校生18690人
    assert "省属学校1所、在校生452人" in "".join(r.text for r in bullets[0].runs)
    assert "公办学校27所、在校生18690人" in "".join(r.text for r in bullets[1].runs)


def test_report_from_school_level_data_adds_up_to_the_city():
    # the synthetic schools of examples/datong-2020-schools are made to sum to the seed's totals
    ds = load_dataset("examples/datong-2020-schools")
    document = build_document(ds, charts=False)
    rows = texts(table(document, "表一"))
    # 表一 2020: 34 所, 22863 人, 9165 人, 毕业生 7163 人
    assert [rows[2][i] for i in (1, 2, 3, 5)] == ["34", "22863", "9165", "7163"]
