"""Readers: a report file → a Source of blocks in reading order (paragraphs, tables with merged
cells read once, chart data). The kind is told by the file's first bytes, not only its name;
a file that cannot be audited raises AuditInputError with one finding that says why."""

from __future__ import annotations

from pathlib import Path

from nianbao.audit.model import Source, input_error

MAX_BYTES = 200 * 1024 * 1024  # larger files are refused rather than read for minutes
SUFFIXES = {".docx": "docx", ".pdf": "pdf", ".txt": "txt", ".text": "txt", ".md": "txt", ".html": "html",
            ".htm": "html"}


def kind_of(path: Path, head: bytes) -> str:
    suffix = SUFFIXES.get(path.suffix.lower(), "")
    if head.startswith(b"%PDF"):
        return "pdf"
    if head.startswith(b"PK\x03\x04"):
        return "docx"
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        return "ole"  # an old .doc, or an encrypted .docx (both are OLE compound files)
    if suffix in ("docx", "pdf"):
        return suffix + "-bad"
    low = head[:512].lower()
    if suffix == "html" or b"<html" in low or b"<!doctype html" in low:
        return "html"
    return suffix or "txt"


def read(path: str | Path) -> Source:
    path = Path(path)
    if not path.is_file():
        raise input_error("audit.not_found", path)
    size = path.stat().st_size
    if size == 0:
        raise input_error("audit.empty", path)
    if size > MAX_BYTES:
        raise input_error("audit.too_large", path, size_mb=round(size / 1048576), limit_mb=MAX_BYTES // 1048576)
    with path.open("rb") as f:
        head = f.read(4096)
    kind = kind_of(path, head)
    if kind == "ole":
        raise input_error("audit.encrypted_or_doc", path)
    if kind == "docx-bad":
        raise input_error("audit.docx_not_zip", path)
    if kind == "pdf-bad":
        raise input_error("audit.pdf_broken", path, reason="文件头不是 %PDF")
    if kind == "docx":
        from nianbao.audit.readers.docx import read_docx
        source = read_docx(path)
    elif kind == "pdf":
        from nianbao.audit.readers.pdf import read_pdf
        source = read_pdf(path)
    elif kind == "html":
        from nianbao.audit.readers.html import read_html
        source = read_html(path)
    elif kind == "txt":
        from nianbao.audit.readers.text import read_text
        source = read_text(path)
    else:
        raise input_error("audit.unknown_kind", path, suffix=path.suffix or "（无）")
    if not any((b.text or b.rows or b.series) for b in source.blocks):
        raise input_error("audit.no_text", path)
    return source
