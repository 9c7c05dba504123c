"""Word (.docx): the body's paragraphs and tables in reading order, read from the XML itself —
a merged cell (gridSpan across, vMerge down) is read once, where python-docx would repeat it —
and the data cached in each Word chart (word/charts/chart*.xml)."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

from nianbao.audit.model import AuditInputError, Block, Source, Where, input_error
from nianbao.audit.readers.common import caption_of, chart_series, clean, heading_number, is_number_token
from nianbao.core import inputs
from nianbao.core.findings import FindingsError

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
C = "{http://schemas.openxmlformats.org/drawingml/2006/chart}"
A = "{http://schemas.openxmlformats.org/drawingml/2006/main}"
MAX_XML = 80 * 1024 * 1024


def _etree():
    from lxml import etree  # python-docx's own dependency
    return etree


def para_text(p) -> str:
    out = []
    for el in p.iter(W + "t", W + "tab", W + "br", W + "cr", W + "instrText", W + "delText"):
        tag = el.tag
        if tag == W + "t":
            out.append(el.text or "")
        elif tag == W + "tab":
            out.append("\t")
        elif tag in (W + "br", W + "cr"):
            out.append("\n")
    return "".join(out)


def _style(p) -> str:
    ps = p.find(f"{W}pPr/{W}pStyle")
    return ps.get(W + "val", "") if ps is not None else ""


def _outline(p) -> bool:
    lvl = p.find(f"{W}pPr/{W}outlineLvl")
    return lvl is not None


def read_docx(path: Path) -> Source:
    try:  # a regular file, a sound zip, no zip bomb, no DOCTYPE in any part (core.inputs)
        data = inputs.read_file(path)
        inputs.check_package(data, Path(path).name, "docx")
    except FindingsError as exc:
        raise AuditInputError(exc.findings) from None
    zf = zipfile.ZipFile(io.BytesIO(data))
    with zf:
        names = set(zf.namelist())
        if "word/document.xml" not in names:
            raise input_error("audit.docx_not_word", path)
        info = zf.getinfo("word/document.xml")
        if info.file_size > MAX_XML:
            raise input_error("audit.too_large", path, size_mb=info.file_size // 1048576, limit_mb=MAX_XML // 1048576)
        etree = _etree()
        try:
            root = etree.fromstring(zf.read("word/document.xml"), etree.XMLParser(resolve_entities=False,
                                                                                   huge_tree=False))
        except (etree.XMLSyntaxError, zipfile.BadZipFile, OSError) as exc:
            raise input_error("audit.docx_broken", path, error=type(exc).__name__) from None
        charts = []
        for name in sorted((n for n in names if re.match(r"word/charts/chart\d+\.xml$", n)),
                           key=lambda n: int(re.search(r"(\d+)", n.rsplit("/", 1)[1]).group(1))):
            try:
                charts.append(read_chart(etree.fromstring(zf.read(name))))
            except etree.XMLSyntaxError:
                continue
    body = root.find(W + "body")
    if body is None:
        raise input_error("audit.docx_not_word", path)
    all_p = {id(p): i for i, p in enumerate(body.iter(W + "p"))}
    blocks: list[Block] = []
    para = 0
    ntable = 0

    def walk(parent):
        nonlocal para, ntable
        for el in parent:
            if el.tag == W + "p":
                text = clean(para_text(el))
                if not text:
                    continue
                for line in text.split("\n"):
                    line = clean(line)
                    if not line:
                        continue
                    tokens = [t.strip() for t in line.split("\t") if t.strip()]
                    if line.count("\t") >= 2 and sum(1 for t in tokens if is_number_token(t)) >= 2:
                        caption = ""
                        if blocks and blocks[-1].kind == "para" and len(blocks[-1].text) <= 40 \
                                and "。" not in blocks[-1].text:
                            caption = blocks.pop().text
                        blocks.append(Block(kind="chart", caption=caption, series=chart_series(tokens)))
                        continue
                    para += 1
                    style = _style(el).lower()
                    heading = bool(heading_number(line)) and ("heading" in style or "标题" in style or _outline(el)
                                                             or len(line) <= 30)
                    blocks.append(Block(kind="para", text=line, where=Where(para=para), heading=heading,
                                        anchor=all_p.get(id(el))))
            elif el.tag == W + "tbl":
                ntable += 1
                blocks.append(read_table(el, all_p))
            elif el.tag in (W + "sdt", W + "sdtContent", W + "customXml", W + "smartTag"):
                walk(el)

    def inner(el):
        return el.find(W + "sdtContent") if el.tag == W + "sdt" else el

    for el in body:
        walk([inner(el)] if el.tag == W + "sdt" else [el])
    for chart in charts:
        if chart.series:
            blocks.append(chart)
    return Source(path=str(path), kind="docx", blocks=blocks)


def read_table(tbl, all_p) -> Block:
    rows: list[list[str | None]] = []
    anchors = {}
    down: dict[int, bool] = {}
    for r, tr in enumerate(tbl.findall(W + "tr")):
        row: list[str | None] = []
        col = 0
        for tc in tr.findall(W + "tc"):
            pr = tc.find(W + "tcPr")
            span = 1
            merged_down = False
            if pr is not None:
                gs = pr.find(W + "gridSpan")
                if gs is not None:
                    try:
                        span = max(1, int(gs.get(W + "val", "1")))
                    except ValueError:
                        span = 1
                vm = pr.find(W + "vMerge")
                if vm is not None and vm.get(W + "val", "continue") != "restart":
                    merged_down = True
            paras = tc.findall(".//" + W + "p")
            text = "\n".join(t for t in (clean(para_text(p)) for p in paras) if t)
            if merged_down:
                row.append(None)
            else:
                row.append(text)
                if paras:
                    anchors[(r, len(row) - 1)] = all_p.get(id(paras[0]))
            row.extend([None] * (span - 1))
            col += span
        rows.append(row)
    width = max((len(r) for r in rows), default=0)
    rows = [r + [None] * (width - len(r)) for r in rows]
    del down
    return Block(kind="table", rows=rows, cell_anchors=anchors)


def read_chart(root) -> Block:
    title = " ".join(t.text or "" for t in root.iter(f"{A}t") if _in_title(t)).strip()
    series = []
    for ser in root.iter(C + "ser"):
        name = " ".join(v.text or "" for v in ser.findall(f"{C}tx//{C}v")).strip()
        cats = _points(ser.find(C + "cat"))
        vals = _points(ser.find(C + "val"))
        for idx, value in vals.items():
            series.append((name, cats.get(idx, ""), value))
    return Block(kind="chart", caption=title, series=series)


def _in_title(el) -> bool:
    p = el.getparent()
    while p is not None:
        if p.tag == C + "title":
            return True
        if p.tag == C + "ser":
            return False
        p = p.getparent()
    return False


def _points(node) -> dict[int, str]:
    out: dict[int, str] = {}
    if node is None:
        return out
    for pt in node.iter(C + "pt"):
        v = pt.find(C + "v")
        try:
            out[int(pt.get("idx", "0"))] = (v.text or "").strip() if v is not None else ""
        except ValueError:
            continue
    return out


__all__ = ["read_docx", "caption_of"]
