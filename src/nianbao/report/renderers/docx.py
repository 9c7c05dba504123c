"""Word output (.docx) from the document model and an editable template.

The template (templates/report-template.docx, or ``--template PATH``) supplies all typography
through named styles; this module only places content and names styles, so restyling the
template restyles the report. Word specifics written here: a table of contents field (filled
with the headings and their page references, refreshed by Word on opening), bookmarks on the
headings, real tables with a repeating header row, pictures for charts.
"""

from __future__ import annotations

import io
from pathlib import Path
from xml.sax.saxutils import escape

from docx import Document as open_docx
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Cm

from nianbao.core import inputs
from nianbao.core.findings import Finding, FindingsError
from nianbao.core.messages import finding
from nianbao.report.document import Chart, Document, Heading, Paragraph, Table, problem_text
from nianbao.report.renderers import caption_of, renderer

TEMPLATE = Path(__file__).parent.parent / "templates" / "report-template.docx"
KEEP_TOGETHER_ROWS = 15  # a table of at most this many rows is not split across pages
PARAGRAPH_STYLES = {"body": "Normal", "note": "Note", "placeholder": "Placeholder", "bullet": "List Bullet"}
REQUIRED_STYLES = ("Normal", "Title", "Subtitle", "Heading 1", "Heading 2", "Heading 3", "Caption",
                   "TOC Heading", "toc 1", "toc 2", "Table Text", "Table Text Left", "Table Heading",
                   "Table Note", "Figure", "Note", "Placeholder", "List Bullet", "Report Table")
TEXT_WIDTH_CM = 15.0
CHART_WIDTH_CM = 14.5


class TemplateError(ValueError):
    """A template that cannot be used (missing file, not a .docx, missing styles); ``finding``
    says why (a finding of the safe opener, nianbao.core.inputs, when the file was refused)."""

    def __init__(self, code: str, **values):
        self.finding = finding(code, **values)
        super().__init__(problem_text(self.finding))

    @classmethod
    def of(cls, found: Finding) -> "TemplateError":
        """The error of a finding made elsewhere (the safe opener's)."""
        exc = cls.__new__(cls)
        exc.finding = found
        ValueError.__init__(exc, problem_text(found))
        return exc


def open_template(path: str | Path | None = None):
    """The Word template, opened through the safe opener (a regular file, no zip bomb, no
    DOCTYPE, within the time limit), its body emptied; TemplateError when it cannot be used."""
    path = Path(path) if path else TEMPLATE
    if not path.exists() and not path.is_symlink():
        raise TemplateError("report.template_missing", path=str(path))
    try:
        src = inputs.open_package(path, "docx")
        with inputs.time_limit(src.deadline):
            doc = open_docx(src.stream())
    except FindingsError as exc:
        raise TemplateError.of(exc.findings[0]) from None
    except Exception as exc:  # python-docx raises several kinds for a non-docx file
        (f,) = inputs.translate(exc, path.name, "docx")[:1]
        if f.code == "file.bad_content" and f.values.get("error"):  # no more specific finding than that
            raise TemplateError("report.template_unreadable", path=str(path)) from None
        raise TemplateError.of(f) from None
    body = doc.element.find(qn("w:body")) if doc.element.tag == qn("w:document") else None
    if body is None:  # the main part is some other XML: no Word document
        raise TemplateError("report.template_unreadable", path=str(path))
    names = {s.name for s in doc.styles}
    missing = [s for s in REQUIRED_STYLES if s not in names]
    if missing:
        raise TemplateError("report.template_styles", name=path.name, styles=", ".join(missing))
    for el in list(body):
        if el.tag != qn("w:sectPr"):
            body.remove(el)
    return doc


class WordWriter:
    def __init__(self, doc, printed: list, words):
        self.doc = doc
        self.words = words
        self.body = doc.element.body
        self.sect = self.body.find(qn("w:sectPr"))
        self.printed = printed
        self.style_ids = {s.name: s.style_id for s in doc.styles}
        self.bookmark = 0

    # low-level ---------------------------------------------------------------------------
    def append(self, el):
        if self.sect is not None:
            self.sect.addprevious(el)
        else:
            self.body.append(el)

    def sid(self, name: str) -> str:
        return self.style_ids[name]

    def p_xml(self, style: str, inner: str, extra_ppr: str = "") -> str:
        return f'<w:p {nsdecls("w")}><w:pPr><w:pStyle w:val="{self.sid(style)}"/>{extra_ppr}</w:pPr>{inner}</w:p>'

    @staticmethod
    def r_xml(text: str, bold: bool = False) -> str:
        rpr = "<w:rPr><w:b/></w:rPr>" if bold else ""
        return f'<w:r>{rpr}<w:t xml:space="preserve">{escape(text)}</w:t></w:r>'

    def runs_xml(self, runs) -> str:
        out = []
        for r in runs:
            if r.is_figure:
                self.printed.append((r.fact.key, r.text, "docx"))
            out.append(self.r_xml(r.text, r.bold))
        return "".join(out)

    @staticmethod
    def field_xml(instr: str, result: str = "") -> str:
        return ('<w:r><w:fldChar w:fldCharType="begin"/></w:r>'
                f'<w:r><w:instrText xml:space="preserve"> {escape(instr)} </w:instrText></w:r>'
                '<w:r><w:fldChar w:fldCharType="separate"/></w:r>'
                f'<w:r><w:t xml:space="preserve">{escape(result)}</w:t></w:r>'
                '<w:r><w:fldChar w:fldCharType="end"/></w:r>')

    def paragraph(self, style: str, inner: str, extra_ppr: str = ""):
        self.append(parse_xml(self.p_xml(style, inner, extra_ppr)))

    def page_break(self):
        self.append(parse_xml(f'<w:p {nsdecls("w")}><w:r><w:br w:type="page"/></w:r></w:p>'))

    # parts -------------------------------------------------------------------------------
    def title_page(self, doc: Document):
        for _ in range(3):
            self.paragraph("Title", "")
        self.paragraph("Title", self.r_xml(doc.title))
        if doc.subtitle and doc.subtitle != doc.publisher:
            self.paragraph("Subtitle", self.r_xml(doc.subtitle))
        for _ in range(10):  # the issuing body and the date low on the cover
            self.paragraph("Normal", "")
        for line in (doc.publisher, doc.issued):
            if line:
                self.paragraph("Subtitle", self.r_xml(line))
        self.page_break()

    def toc(self, headings: list[Heading]):
        """A TOC field whose cached result already lists the headings with PAGEREF fields, so
        the contents show before Word refreshes them (settings: updateFields)."""
        self.paragraph("TOC Heading", self.r_xml(self.words("docx.contents")))
        entries = [h for h in headings if h.level <= 2]
        begin = ('<w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText xml:space="preserve">'
                 ' TOC \\o "1-2" \\h \\z \\u </w:instrText></w:r><w:r><w:fldChar w:fldCharType="separate"/></w:r>')
        end = '<w:r><w:fldChar w:fldCharType="end"/></w:r>'
        for i, h in enumerate(entries):
            inner = (begin if i == 0 else "") + self.r_xml(h.text) + "<w:r><w:tab/></w:r>" + \
                self.field_xml(f"PAGEREF {h.bookmark} \\h", "") + (end if i == len(entries) - 1 else "")
            self.paragraph(f"toc {h.level}", inner)
        self.page_break()

    def heading(self, h: Heading):
        style = f"Heading {min(h.level, 3)}"
        if h.level <= 2:
            self.bookmark += 1
            inner = (f'<w:bookmarkStart w:id="{self.bookmark}" w:name="{h.bookmark}"/>' + self.r_xml(h.text)
                     + f'<w:bookmarkEnd w:id="{self.bookmark}"/>')
        else:
            inner = self.r_xml(h.text)
        self.paragraph(style, inner)

    def table(self, t: Table):
        # the caption stays with its table, and a short table on one page (keep with next)
        self.paragraph("Caption", self.r_xml(caption_of(t)), "<w:keepNext/>")
        widths = column_widths(t)
        grid = "".join(f'<w:gridCol w:w="{int(w * 567)}"/>' for w in widths)
        together = len(t.rows) <= KEEP_TOGETHER_ROWS

        def cell(inner: str, w: float, style: str, span: int = 1, keep: bool = False) -> str:
            merge = f'<w:gridSpan w:val="{span}"/>' if span > 1 else ""
            keep_xml = "<w:keepNext/>" if keep else ""
            return (f'<w:tc><w:tcPr><w:tcW w:w="{int(w * 567)}" w:type="dxa"/>{merge}<w:vAlign w:val="center"/>'
                    f'</w:tcPr><w:p><w:pPr><w:pStyle w:val="{self.sid(style)}"/>{keep_xml}</w:pPr>{inner}</w:p></w:tc>')
        head = "".join(cell(self.r_xml(h), w, "Table Heading", keep=True) for h, w in zip(t.header, widths))
        rows = [f'<w:tr><w:trPr><w:cantSplit/><w:tblHeader/></w:trPr>{head}</w:tr>']
        for i, row in enumerate(t.rows):
            cells, col = [], 0
            keep = together and i < len(t.rows) - 1
            for c in row:
                w = sum(widths[col:col + c.span])
                style = "Table Text Left" if c.align == "left" else "Table Text"
                cells.append(cell(self.runs_xml(c.runs), w, style, c.span, keep))
                col += c.span
            rows.append(f"<w:tr><w:trPr><w:cantSplit/></w:trPr>{''.join(cells)}</w:tr>")
        xml = (f'<w:tbl {nsdecls("w")}><w:tblPr><w:tblStyle w:val="{self.sid("Report Table")}"/>'
               f'<w:tblW w:w="{int(sum(widths) * 567)}" w:type="dxa"/><w:jc w:val="center"/>'
               '<w:tblLayout w:type="fixed"/>'
               '<w:tblLook w:val="0020" w:firstRow="1" w:lastRow="0" w:firstColumn="0" w:lastColumn="0" '
               'w:noHBand="1" w:noVBand="1"/></w:tblPr>'
               f'<w:tblGrid>{grid}</w:tblGrid>{"".join(rows)}</w:tbl>')
        self.append(parse_xml(xml))
        for note in t.notes:
            self.paragraph("Table Note", self.r_xml(self.words("note_prefix") + note))
        if not t.notes:
            self.paragraph("Table Note", "")

    def chart(self, c: Chart):
        for r in c.printed:
            self.printed.append((r.fact.key, r.text, "chart"))
        p = OxmlElement("w:p")
        self.append(p)
        from docx.text.paragraph import Paragraph as DocxParagraph
        para = DocxParagraph(p, self.doc._body)
        para.style = self.doc.styles["Figure"]
        para.add_run().add_picture(io.BytesIO(c.png), width=Cm(CHART_WIDTH_CM))
        self.paragraph("Caption", self.r_xml(caption_of(c)))

    def block(self, b):
        if isinstance(b, Heading):
            self.heading(b)
        elif isinstance(b, Paragraph):
            self.paragraph(PARAGRAPH_STYLES.get(b.style, "Normal"), self.runs_xml(b.runs))
        elif isinstance(b, Table):
            self.table(b)
        elif isinstance(b, Chart):
            self.chart(b)


def text_width(s: str) -> float:
    """Width of a text in characters of a CJK font (Latin letters and digits about half)."""
    return sum(1.0 if ord(ch) >= 0x2E80 else 0.55 for ch in s)


def column_widths(t: Table) -> list[float]:
    """Column widths (cm) in proportion to what the columns hold; headers may wrap to two lines."""
    ncols = len(t.header)
    if t.key == "appendix_facts":
        return [2.4, 2.8, TEXT_WIDTH_CM - 5.2]
    need = [min(text_width(h), 12) / 2 for h in t.header]
    for row in t.rows:
        col = 0
        for c in row:
            if c.span == 1 and col < ncols:
                need[col] = max(need[col], min(text_width("".join(r.text for r in c.runs)), 14))
            col += c.span
    need = [n + 1.5 for n in need]
    scale = TEXT_WIDTH_CM / sum(need)
    return [n * scale for n in need]


# w:settings children that must follow w:updateFields (schema order; Word rejects disorder)
_AFTER_UPDATE_FIELDS = ("hdrShapeDefaults", "footnotePr", "endnotePr", "compat", "docVars", "rsids", "mathPr",
                        "attachedSchema", "themeFontLang", "clrSchemeMapping", "doNotIncludeSubdocsInStats",
                        "doNotAutoCompressPictures", "forceUpgrade", "captions", "readModeInkLockDown",
                        "smartTagType", "schemaLibrary", "shapeDefaults", "doNotEmbedSmartTags",
                        "decimalSymbol", "listSeparator")


def set_update_fields(settings) -> None:
    """Ask Word to refresh fields (the contents' page numbers) when the file is opened."""
    upd = settings.find(qn("w:updateFields"))
    if upd is not None:
        settings.remove(upd)
    upd = OxmlElement("w:updateFields")
    upd.set(qn("w:val"), "true")
    successor = next((el for el in settings if el.tag.rsplit("}", 1)[-1] in _AFTER_UPDATE_FIELDS), None)
    if successor is not None:
        successor.addprevious(upd)
    else:
        settings.append(upd)


def write_docx(document: Document, path: str | Path, template: str | Path | None = None,
               printed: list | None = None) -> list:
    """Write the report; returns the figures printed as (fact key, text, where)."""
    printed = [] if printed is None else printed
    doc = open_template(template)
    words = document.words
    w = WordWriter(doc, printed, words)
    w.title_page(document)
    w.toc(document.headings)
    for b in document.blocks:
        w.block(b)
    set_update_fields(doc.settings.element)
    props = doc.core_properties
    props.title = document.title
    props.author = document.subtitle or "nianbao"
    props.language = "zh-CN"
    props.comments = f"{words('docx.generated')} / {words.en('docx.generated')}"
    doc.save(str(path))
    return printed


@renderer("docx")
def write(document: Document, path: Path, job) -> list:
    """report.docx, styled by the template (``job.template``, default the bundled one)."""
    return write_docx(document, path, job.template)
