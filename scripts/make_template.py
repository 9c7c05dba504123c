"""Generate the Word template of the report: src/nianbao/report/templates/report-template.docx.

Run once (and again after changing the typography here); the .docx is committed. The report
renderer opens the template and uses only its named styles, so a user can restyle the report in
Word or WPS (change the styles, save as a new template, build with --template).

Chinese typography is set explicitly in every style: East Asian font (宋体 for body text,
黑体 for headings), Latin font (Times New Roman / Arial), zh-CN language, first-line indent of
two characters for body text, A4 paper, page numbers in the footer.

    .venv/bin/python scripts/make_template.py [OUT.docx]
"""

from __future__ import annotations

import sys
from pathlib import Path

from docx import Document
from docx.enum.section import WD_SECTION
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING, WD_TAB_ALIGNMENT, WD_TAB_LEADER
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

from nianbao.report.renderers.docx import set_update_fields

OUT = Path(__file__).resolve().parents[1] / "src/nianbao/report/templates/report-template.docx"

SONG, HEI, KAI = "宋体", "黑体", "楷体"
LATIN_SERIF, LATIN_SANS = "Times New Roman", "Arial"
BLACK = RGBColor(0, 0, 0)
STYLES_WITH_EFFECTS = "http://schemas.microsoft.com/office/2007/relationships/stylesWithEffects"

# name: (east asian font, latin font, size pt, bold, alignment, first-line indent in chars,
#        space before pt, space after pt, based on)
PARAGRAPH_STYLES = {
    "Normal": (SONG, LATIN_SERIF, 12, False, "justify", 2, 0, 0, None),
    "Title": (HEI, LATIN_SANS, 22, True, "center", 0, 120, 24, "Normal"),
    "Subtitle": (KAI, LATIN_SERIF, 16, False, "center", 0, 12, 12, "Normal"),
    "Heading 1": (HEI, LATIN_SANS, 16, False, "left", 0, 18, 6, "Normal"),
    "Heading 2": (HEI, LATIN_SANS, 14, False, "left", 0, 12, 6, "Normal"),
    "Heading 3": (HEI, LATIN_SANS, 12, False, "left", 0, 6, 3, "Normal"),
    "Caption": (HEI, LATIN_SANS, 10.5, False, "center", 0, 6, 6, "Normal"),
    "Table Text": (SONG, LATIN_SERIF, 10.5, False, "center", 0, 2, 2, "Normal"),
    "Table Text Left": (SONG, LATIN_SERIF, 10.5, False, "left", 0, 2, 2, "Table Text"),
    "Table Heading": (HEI, LATIN_SANS, 10.5, False, "center", 0, 2, 2, "Table Text"),
    "Table Note": (SONG, LATIN_SERIF, 9, False, "left", 0, 2, 6, "Normal"),
    "Figure": (SONG, LATIN_SERIF, 12, False, "center", 0, 6, 0, "Normal"),
    "Note": (SONG, LATIN_SERIF, 10.5, False, "justify", 2, 0, 0, "Normal"),
    "Placeholder": (KAI, LATIN_SERIF, 12, False, "justify", 2, 0, 0, "Normal"),
    "List Bullet": (SONG, LATIN_SERIF, 12, False, "justify", 0, 0, 0, "Normal"),
    "TOC Heading": (HEI, LATIN_SANS, 16, False, "center", 0, 12, 12, "Normal"),
    "toc 1": (HEI, LATIN_SANS, 12, False, "left", 0, 6, 0, "Normal"),
    "toc 2": (SONG, LATIN_SERIF, 12, False, "left", 0, 0, 0, "Normal"),
    "Footer": (SONG, LATIN_SERIF, 10.5, False, "center", 0, 0, 0, "Normal"),
}
STYLE_IDS = {"toc 1": "TOC1", "toc 2": "TOC2", "Table Text": "TableText", "Table Text Left": "TableTextLeft",
             "Table Heading": "TableHeading", "Table Note": "TableNote", "Figure": "Figure", "Note": "Note",
             "Placeholder": "Placeholder"}
ALIGN = {"left": WD_ALIGN_PARAGRAPH.LEFT, "center": WD_ALIGN_PARAGRAPH.CENTER,
         "justify": WD_ALIGN_PARAGRAPH.JUSTIFY}
KEEP_TABLE_STYLES = {"Normal Table", "Table Grid"}


def set_fonts(rpr, east_asia: str, latin: str):
    """Explicit fonts (theme fonts removed: they would override them) and zh-CN language."""
    rfonts = rpr.find(qn("w:rFonts"))
    if rfonts is None:
        rfonts = OxmlElement("w:rFonts")
        rpr.insert(0, rfonts)
    for attr in list(rfonts.attrib):
        if attr.lower().endswith("theme"):
            del rfonts.attrib[attr]
    for attr, font in (("w:ascii", latin), ("w:hAnsi", latin), ("w:cs", latin), ("w:eastAsia", east_asia)):
        rfonts.set(qn(attr), font)
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.append(lang)
    lang.set(qn("w:val"), "en-US")
    lang.set(qn("w:eastAsia"), "zh-CN")
    lang.set(qn("w:bidi"), "ar-SA")


def set_indent_chars(style, chars: int, size_pt: float):
    ind = style.element.get_or_add_pPr().get_or_add_ind()
    for attr in list(ind.attrib):
        del ind.attrib[attr]
    ind.set(qn("w:firstLineChars"), str(chars * 100))
    ind.set(qn("w:firstLine"), str(int(chars * size_pt * 20)))


def style_paragraphs(doc):
    styles = doc.styles
    for name, (ea, latin, size, bold, align, indent, before, after, base) in PARAGRAPH_STYLES.items():
        try:
            style = styles[name]
        except KeyError:
            style = styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
            if name in STYLE_IDS:
                style.element.set(qn("w:styleId"), STYLE_IDS[name])
            if name.startswith("toc "):  # Word's own TOC styles, not custom ones
                del style.element.attrib[qn("w:customStyle")]
        if base:
            style.base_style = styles[base]
        style.quick_style = True
        font = style.font
        font.size = Pt(size)
        font.bold = bold
        font.italic = False
        font.color.rgb = BLACK
        set_fonts(style.element.get_or_add_rPr(), ea, latin)
        pf = style.paragraph_format
        pf.alignment = ALIGN[align]
        pf.space_before = Pt(before)
        pf.space_after = Pt(after)
        if name in ("Normal", "Note", "Placeholder", "List Bullet"):
            pf.line_spacing_rule = WD_LINE_SPACING.ONE_POINT_FIVE
        elif name != "Title":
            pf.line_spacing_rule = WD_LINE_SPACING.SINGLE
        if name != "List Bullet":
            set_indent_chars(style, indent, size)
        if name.startswith("Heading") or name in ("TOC Heading", "Title", "Figure"):
            pf.keep_with_next = True
        # the default template draws a border under the title and colours headings
        ppr = style.element.get_or_add_pPr()
        for tag in ("w:pBdr",):
            el = ppr.find(qn(tag))
            if el is not None:
                ppr.remove(el)
    styles["Placeholder"].font.color.rgb = RGBColor(0x9C, 0x2A, 0x00)
    styles["Note"].font.color.rgb = RGBColor(0x40, 0x40, 0x40)
    styles["Table Note"].font.color.rgb = RGBColor(0x40, 0x40, 0x40)
    styles["toc 2"].paragraph_format.left_indent = Pt(24)
    for name in ("toc 1", "toc 2"):  # right-aligned page numbers after a dotted leader
        styles[name].paragraph_format.tab_stops.add_tab_stop(Cm(15), WD_TAB_ALIGNMENT.RIGHT, WD_TAB_LEADER.DOTS)
    for level in (1, 2, 3):
        styles[f"Heading {level}"].paragraph_format.keep_together = True


def style_defaults(doc):
    """Document defaults: 宋体 / Times New Roman, zh-CN (what any unstyled text falls back to)."""
    root = doc.styles.element
    defaults = root.find(qn("w:docDefaults"))
    rpr = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
    set_fonts(rpr, SONG, LATIN_SERIF)
    for style in doc.styles:
        if style.type == WD_STYLE_TYPE.CHARACTER:
            rpr = style.element.find(qn("w:rPr"))
            if rpr is not None and rpr.find(qn("w:rFonts")) is not None:
                set_fonts(rpr, SONG, LATIN_SERIF)


def table_style(doc):
    """"Report Table": grid lines, header row shaded; cell text takes the Table Text styles."""
    for style in list(doc.styles):
        if style.type == WD_STYLE_TYPE.TABLE and style.name not in KEEP_TABLE_STYLES:
            style.element.getparent().remove(style.element)
    style = doc.styles.add_style("Report Table", WD_STYLE_TYPE.TABLE)
    style.element.set(qn("w:styleId"), "ReportTable")
    style.base_style = doc.styles["Table Grid"]
    tblpr = style.element.find(qn("w:tblPr"))
    if tblpr is None:
        tblpr = OxmlElement("w:tblPr")
        style.element.append(tblpr)
    jc = OxmlElement("w:jc")
    jc.set(qn("w:val"), "center")
    tblpr.append(jc)
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        b = OxmlElement(f"w:{edge}")
        b.set(qn("w:val"), "single")
        b.set(qn("w:sz"), "8" if edge in ("top", "bottom") else "4")
        b.set(qn("w:space"), "0")
        b.set(qn("w:color"), "000000")
        borders.append(b)
    tblpr.append(borders)
    first = OxmlElement("w:tblStylePr")
    first.set(qn("w:type"), "firstRow")
    tcpr = OxmlElement("w:tcPr")
    shd = OxmlElement("w:shd")
    shd.set(qn("w:val"), "clear")
    shd.set(qn("w:color"), "auto")
    shd.set(qn("w:fill"), "E7ECF2")
    tcpr.append(shd)
    first.append(tcpr)
    style.element.append(first)


def page_setup(doc):
    sec = doc.sections[0]
    sec.page_width, sec.page_height = Cm(21), Cm(29.7)
    sec.top_margin = sec.bottom_margin = Cm(2.54)
    sec.left_margin = sec.right_margin = Cm(3.0)
    sec.footer_distance = Cm(1.5)
    sec.different_first_page_header_footer = True  # no page number on the title page
    footer = sec.footer.paragraphs[0]
    footer.style = doc.styles["Footer"]
    for kind, value in (("begin", None), ("instr", " PAGE "), ("separate", None), ("text", "1"), ("end", None)):
        run = footer.add_run()
        if kind == "instr":
            el = OxmlElement("w:instrText")
            el.set(qn("xml:space"), "preserve")
            el.text = value
        elif kind == "text":
            el = OxmlElement("w:t")
            el.text = value
        else:
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), kind)
        run._r.append(el)
    assert sec.start_type == WD_SECTION.NEW_PAGE


def settings(doc):
    s = doc.settings.element
    set_update_fields(s)
    lang = s.find(qn("w:themeFontLang"))
    if lang is None:
        lang = OxmlElement("w:themeFontLang")
        s.append(lang)
    lang.set(qn("w:val"), "en-US")
    lang.set(qn("w:eastAsia"), "zh-CN")


def drop_leftovers(doc):
    """The python-docx starter file carries a thumbnail and a Word 2010 copy of its old styles."""
    for rels, kind in ((doc.part.package.rels, RT.THUMBNAIL), (doc.part.rels, STYLES_WITH_EFFECTS)):
        for rid, rel in list(rels.items()):
            if rel.reltype == kind:
                del rels[rid]


def main(out: Path = OUT):
    doc = Document()
    style_defaults(doc)
    style_paragraphs(doc)
    table_style(doc)
    page_setup(doc)
    settings(doc)
    drop_leftovers(doc)
    body = doc.element.body
    for el in list(body):
        if el.tag != qn("w:sectPr"):
            body.remove(el)
    doc.core_properties.title = "中等职业教育质量年度报告"
    doc.core_properties.author = "nianbao"
    doc.core_properties.comments = "nianbao 报告模板：修改样式后另存，用 nianbao report --template 使用"
    out.parent.mkdir(parents=True, exist_ok=True)
    doc.save(out)
    print(f"已生成模板 / template written: {out}")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else OUT)
