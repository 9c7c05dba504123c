"""Hostile and broken input files, made from a good workbook: each builder writes one file that a
careless clerk or an attacker could send, for the tests (tests/test_hostile_files.py) and the
benchmark (bench/bench_hostile.py)."""

from __future__ import annotations

import os
import re
import zipfile
from pathlib import Path

SHEET = "xl/worksheets/sheet2.xml"  # a topic sheet that the reader reads
XXE = b'<!DOCTYPE r [<!ENTITY h SYSTEM "file:///etc/passwd">]>'
# each entity ten of the one before: &h; is 10**8 bytes once expanded
LAUGHS = b"<!DOCTYPE r [<!ENTITY a \"aaaaaaaaaa\">" + b"".join(
    b"<!ENTITY " + bytes([c]) + b' "' + (b"&" + bytes([c - 1]) + b";") * 10 + b'">' for c in range(ord("b"), ord("i"))
) + b"]>"


def rewrite(src: Path, dst: Path, change) -> Path:
    """A copy of the zip ``src`` whose parts pass through ``change(name, bytes) -> bytes``."""
    with zipfile.ZipFile(src) as zi, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zo:
        for info in zi.infolist():
            zo.writestr(info, change(info.filename, zi.read(info.filename)))
    return dst


def with_doctype(src: Path, dst: Path, doctype: bytes, part: str = SHEET, use: bool = True) -> Path:
    """The workbook with ``doctype`` in the prolog of ``part`` (and the entity &h; used in its
    first text, so that a parser that expands entities would expand it)."""
    def change(name, data):
        if name != part:
            return data
        at = data.index(b"?>") + 2 if data.startswith(b"<?xml") else 0
        data = data[:at] + doctype + data[at:]
        if use:
            data = re.sub(rb"<t>[^<]*</t>", b"<t>&h;</t>", data, count=1)
        return data
    return rewrite(src, dst, change)


def zip_bomb(src: Path, dst: Path, megabytes: int, part: str = SHEET) -> Path:
    """The workbook with ``part`` swollen to about ``megabytes`` MB of rows of one repeated text
    (no <dimension>, so a reader cannot stop early): small on disk, huge unpacked."""
    row = b'<row><c t="inlineStr"><is><t>' + b"A" * 1000 + b"</t></is></c></row>"
    block = row * 1000  # about 1 MB
    with zipfile.ZipFile(src) as zi, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zo:
        for info in zi.infolist():
            data = zi.read(info.filename)
            if info.filename != part:
                zo.writestr(info, data)
                continue
            data = re.sub(rb"<dimension[^>]*/>", b"", data)
            head, _, tail = data.partition(b"</sheetData>")
            with zo.open(part, "w", force_zip64=True) as f:
                f.write(head)
                for _ in range(megabytes):
                    f.write(block)
                f.write(b"</sheetData>" + tail)
    return dst


def truncated(src: Path, dst: Path) -> Path:
    data = src.read_bytes()
    dst.write_bytes(data[: len(data) // 2])
    return dst


def corrupt_part(src: Path, dst: Path, part: str = SHEET) -> Path:
    """The workbook with bytes in the middle of ``part``'s packed data overwritten: its CRC fails."""
    data = bytearray(src.read_bytes())
    with zipfile.ZipFile(src) as z:
        info = z.getinfo(part)
    # local header: 30 bytes + name + extra, then the packed data
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    middle = start + info.compress_size // 2
    data[middle:middle + 16] = b"\x00" * 16
    dst.write_bytes(bytes(data))
    return dst


def broken_xml(src: Path, dst: Path, part: str = SHEET) -> Path:
    """A sound zip whose sheet is not well-formed XML (cut in the middle of a tag)."""
    return rewrite(src, dst, lambda n, d: d[: len(d) // 2] if n == part else d)


def old_excel(dst: Path, encrypted: bool = False) -> Path:
    """The start of an OLE compound file (the container of .xls, and of a password-protected .xlsx)."""
    body = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504
    if encrypted:
        body += "EncryptionInfo".encode("utf-16-le") + b"\0" * 64
    dst.write_bytes(body + b"\0" * 1024)
    return dst


def word_as_xlsx(dst: Path) -> Path:
    """A Word package named .xlsx."""
    with zipfile.ZipFile(dst, "w") as z:
        z.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        z.writestr("word/document.xml", '<?xml version="1.0"?><w:document xmlns:w="x"/>')
    return dst


def plain_zip(dst: Path) -> Path:
    with zipfile.ZipFile(dst, "w") as z:
        z.writestr("readme.txt", "学校数据")
    return dst


def fifo(dst: Path) -> Path:
    os.mkfifo(dst)
    return dst


def device_link(dst: Path) -> Path:
    os.symlink("/dev/zero", dst)
    return dst


def folder(dst: Path) -> Path:
    dst.mkdir()
    return dst


def not_a_zip(dst: Path) -> Path:
    dst.write_text("学校标识码,学生数\n0140200001,22863\n", encoding="utf-8")
    return dst
