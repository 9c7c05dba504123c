"""PDF with a text layer (pdfplumber): the text of each page outside its ruled tables, joined
into paragraphs, and the tables' cells. A PDF whose fonts carry no Unicode map ("(cid:N)"), a
scanned PDF (pictures, no text), a password-protected or a huge one is refused, never guessed."""

from __future__ import annotations

import re
from pathlib import Path

from nianbao.audit.model import Block, Source, Where, input_error
from nianbao.audit.readers.common import caption_of, clean, heading_number

MAX_PAGES = 400
_CID = re.compile(r"\(cid:\d+\)")
_END = ("。", "；", "：", "！", "？", ":", "」", "”")


def _open(path: Path):
    import pdfplumber
    from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect
    from pdfminer.pdfparser import PDFSyntaxError
    from pdfminer.psparser import PSException

    try:
        pdf = pdfplumber.open(str(path))
        pages = pdf.pages  # parses the page tree: fails here for a damaged file
    except (PDFPasswordIncorrect, PDFEncryptionError):
        raise input_error("audit.pdf_password", path) from None
    except Exception as exc:  # pdfminer raises many kinds for a damaged file
        if type(exc).__name__ in ("PdfminerException",) and "password" in repr(exc).lower():
            raise input_error("audit.pdf_password", path) from None
        if isinstance(exc, (PDFSyntaxError, PSException, ValueError, KeyError, TypeError)) or True:
            raise input_error("audit.pdf_broken", path, reason=type(exc).__name__) from None
    return pdf, pages


def _word_lines(words: list[dict], below: float) -> list[list[dict]]:
    """The words under a height of the page, grouped into visual lines (by their top)."""
    lines: list[list[dict]] = []
    for w in sorted((w for w in words if w["top"] > below), key=lambda w: (round(w["top"]), w["x0"])):
        if lines and abs(lines[-1][0]["top"] - w["top"]) <= 3:
            lines[-1].append(w)
        else:
            lines.append([w])
    out = []
    for ln in lines:
        merged: list[dict] = []
        for w in sorted(ln, key=lambda w: w["x0"]):
            if merged and w["x0"] - merged[-1]["x1"] < 8:  # a space inside a cell, not a column gap
                last = merged[-1]
                merged[-1] = {**last, "text": f"{last['text']} {w['text']}", "x1": w["x1"],
                              "bottom": max(last["bottom"], w["bottom"])}
            else:
                merged.append(dict(w))
        out.append(merged)
    return out


def unruled_table(words: list[dict], below: float) -> tuple[list[list[str | None]], float]:
    """A table printed without rules under its caption: the first line of words gives the
    columns (where each header starts), each following line a row; a line with one short word
    or a few short words without digits are the rest of the cells above (text wrapped in its cell). The
    table ends at a heading, a caption, a sentence or a line that does not fit the columns.
    Returns the rows and the bottom of the table ([] when the lines do not form a table)."""
    lines = _word_lines(words, below)
    if not lines or len(lines[0]) < 3:
        return [], below
    starts = [w["x0"] for w in lines[0]]

    def column(w):
        return max(i for i, x in enumerate(starts) if x <= w["x0"] + 3) if w["x0"] + 3 >= starts[0] else -1

    rows: list[list[str | None]] = []
    bottom = below
    for ln in lines:
        text = "".join(w["text"] for w in ln)
        if rows and (heading_number(text) or caption_of(text) or "。" in text):
            break
        cols = [column(w) for w in ln]
        if -1 in cols:
            break
        if len(rows) == 1 and not any(ch.isdigit() for ch in text):
            for w, c in zip(ln, cols):  # the header goes on over a second line
                rows[0][c] = f"{rows[0][c] or ''}{w['text']}"
            bottom = max(w["bottom"] for w in ln)
            continue
        if rows and 2 * len(ln) < len(starts) and not any(ch.isdigit() for ch in text) \
                and all(len(w["text"]) <= 8 for w in ln):
            for w, c in zip(ln, cols):  # the rest of cells wrapped onto a second line
                rows[-1][c] = f"{rows[-1][c] or ''}{w['text']}"
            bottom = max(w["bottom"] for w in ln)
            continue
        if len(ln) == 1:
            break
        row: list[str | None] = [""] * len(starts)
        for w, c in zip(ln, cols):
            row[c] = f"{row[c]} {w['text']}".strip()
        rows.append(row)
        bottom = max(w["bottom"] for w in ln)
    if len(rows) < 2:
        return [], below
    return rows, bottom


def _fast_objects(doc, page, number: int):
    """The page's objects from PDFium where its coordinates are pdfplumber's (a media box at
    the origin), else None (pdfminer reads the page)."""
    if doc is None or tuple(page.mediabox[:2]) != (0, 0) or tuple(page.bbox) != tuple(page.mediabox):
        return None
    try:
        from nianbao.audit.readers.pdfium_objects import page_objects

        w, h = doc[number - 1].get_size()
        if abs(w - float(page.width)) > 0.01 or abs(h - float(page.height)) > 0.01:
            return None
        return page_objects(doc, number - 1, float(page.height), float(page.initial_doctop), number)
    except Exception:  # PDFium failed on this page: pdfminer reads it
        return None


def read_pdf(path: Path, engine: str = "pdfium") -> Source:
    """The blocks of a PDF. Pages are interpreted by PDFium where it can (``engine="pdfium"``)
    and by pdfminer otherwise; both give pdfplumber the same kind of objects."""
    pdf, pages = _open(path)
    doc = None
    if engine == "pdfium" and len(pages) <= MAX_PAGES:
        from nianbao.audit.readers.pdfium_objects import open_document

        doc = open_document(path)
    try:
        return _read(path, pdf, pages, doc)
    finally:
        if doc is not None:
            doc.close()


def _read(path: Path, pdf, pages, doc) -> Source:
    with pdf:
        if len(pages) > MAX_PAGES:
            raise input_error("audit.pdf_too_many_pages", path, pages=len(pages), limit=MAX_PAGES)
        blocks: list[Block] = []
        chars = cids = images = 0
        para = 0
        buf: list[str] = []
        buf_page = 1

        def flush():
            nonlocal para, buf
            if buf:
                text = clean("".join(buf))
                if text:
                    para += 1
                    blocks.append(Block(kind="para", text=text, where=Where(para=para, page=buf_page),
                                        heading=bool(heading_number(text))))
            buf = []

        for number, page in enumerate(pages, start=1):
            try:
                fast = _fast_objects(doc, page, number)
                if fast is not None:
                    page._objects = fast
                images += len(page.images)
                tables = page.find_tables()
                boxes = [t.bbox for t in tables]

                def outside(obj, boxes=boxes):
                    if obj.get("object_type") != "char":
                        return True
                    x, y = (obj["x0"] + obj["x1"]) / 2, (obj["top"] + obj["bottom"]) / 2
                    return not any(b[0] <= x <= b[2] and b[1] <= y <= b[3] for b in boxes)

                body = page.filter(outside) if boxes else page
                lines = body.extract_text_lines(return_chars=False)
                ordered = sorted([("line", ln["top"], ln) for ln in lines] + [("table", t.bbox[1], t) for t in tables],
                                 key=lambda x: x[1])
                width = max((ln["x1"] - ln["x0"] for ln in lines), default=0)
                words = None
                skip_to = -1.0
                for k, (what, top, item) in enumerate(ordered):
                    if top < skip_to:
                        continue
                    if what == "table":
                        flush()
                        rows = [[clean(c) if c is not None else None for c in row] for row in item.extract()]
                        if rows:
                            blocks.append(Block(kind="table", rows=rows, where=Where(page=number)))
                        continue
                    text = item["text"]
                    chars += len(text)
                    cids += len(_CID.findall(text))
                    t = text.strip()
                    if re.fullmatch(r"[-—\s\d]*", t) or not t:
                        continue  # page numbers
                    if heading_number(t) or (buf and heading_number("".join(buf))):
                        flush()
                    if caption_of(t).startswith("表") and not (k + 1 < len(ordered) and ordered[k + 1][0] == "table"):
                        # a table without rules under its caption: read its cells from the words
                        words = body.extract_words() if words is None else words
                        rows, skip_to = unruled_table(words, item["bottom"])
                        if rows:
                            flush()
                            buf_page = number
                            buf.append(t)
                            flush()
                            blocks.append(Block(kind="table", rows=rows, where=Where(page=number)))
                            continue
                    if not buf:
                        buf_page = number
                    buf.append(t)
                    short = width and (item["x1"] - item["x0"]) < 0.85 * width
                    if t.endswith(_END) or short or heading_number(t):
                        flush()
            except Exception as exc:  # a damaged page: say which
                raise input_error("audit.pdf_broken", path, reason=f"第{number}页：{type(exc).__name__}") from None
        flush()
    if cids and cids * 4 >= max(1, chars) / 10:
        raise input_error("audit.pdf_cid", path, count=cids)
    if chars < 20 * max(1, len(pages)) / 10 and not any(b.rows for b in blocks):
        if images:
            raise input_error("audit.pdf_scanned", path, pages=len(pages))
        raise input_error("audit.no_text", path)
    return Source(path=str(path), kind="pdf", blocks=blocks, pages=len(pages))
