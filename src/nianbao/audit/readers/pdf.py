"""PDF with a text layer (pdfplumber): the text of each page outside its ruled tables, joined
into paragraphs, and the tables' cells. A PDF whose fonts carry no Unicode map ("(cid:N)"), a
scanned PDF (pictures, no text), a password-protected or a huge one is refused, never guessed."""

from __future__ import annotations

import re
from pathlib import Path

from nianbao.audit.model import Block, Source, Where, input_error
from nianbao.audit.readers.common import clean, heading_number

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


def read_pdf(path: Path) -> Source:
    pdf, pages = _open(path)
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
                for what, _, item in ordered:
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
