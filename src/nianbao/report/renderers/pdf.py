"""PDF from the Word report, with LibreOffice when it is installed.

Each conversion runs with its own LibreOffice profile (two conversions sharing one profile
silently produce one PDF). LibreOffice does not refresh a Word table of contents, so the
page numbers are read from a first PDF (pdftotext, poppler-utils), written into the .docx and
the file converted again; without pdftotext the contents list has no page numbers in the PDF
(Word fills them on opening the .docx either way).

The Word styles name the fonts Word and WPS know (宋体, 黑体, 楷体). Linux has none of them, so
for the conversion only, a fontconfig file maps them to the installed Noto Serif / Sans CJK SC
(the system's own configuration is included unchanged; a real 宋体, if installed, still wins).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

from docx import Document as open_docx
from docx.oxml.ns import qn

from nianbao.core.messages import finding
from nianbao.report.renderers import OutputSkipped, renderer

TIMEOUT = 180


class PdfError(OutputSkipped):
    """No PDF: LibreOffice is missing, timed out or failed (the finding says which)."""

    def __init__(self, code: str, **values):
        super().__init__(finding(code, **values))


FONT_ALIASES = {"宋体": "Noto Serif CJK SC", "SimSun": "Noto Serif CJK SC", "黑体": "Noto Sans CJK SC",
                "SimHei": "Noto Sans CJK SC", "楷体": "Noto Serif CJK SC", "KaiTi": "Noto Serif CJK SC"}
SYSTEM_FONTCONFIG = Path("/etc/fonts/fonts.conf")


def fontconfig_env(folder: Path) -> dict:
    """Environment for LibreOffice with the Chinese font names mapped to installed fonts."""
    env = os.environ.copy()
    if not SYSTEM_FONTCONFIG.exists():
        return env
    aliases = "".join(f'<alias binding="same"><family>{name}</family><accept><family>{font}</family>'
                      f"</accept></alias>" for name, font in FONT_ALIASES.items())
    conf = folder / "fonts.conf"
    conf.write_text('<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd"><fontconfig>'
                    f'<include ignore_missing="yes">{SYSTEM_FONTCONFIG}</include>{aliases}</fontconfig>',
                    encoding="utf-8")
    env["FONTCONFIG_FILE"] = str(conf)
    return env


def find_soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def _convert(soffice: str, docx: Path, outdir: Path, profile: Path, env: dict) -> Path:
    cmd = [soffice, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore",
           "--convert-to", "pdf", "--outdir", str(outdir), str(docx)]
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=TIMEOUT, env=env)
    except subprocess.TimeoutExpired:
        raise PdfError("report.pdf_timeout", seconds=TIMEOUT) from None
    pdf = outdir / (docx.stem + ".pdf")
    if proc.returncode != 0 or not pdf.exists():
        raise PdfError("report.pdf_failed", output=(proc.stderr or proc.stdout).strip()[:300])
    return pdf


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def heading_pages(pdf: Path, headings: list[str]) -> dict[str, int]:
    """Page (1-based) on which each heading is printed, in order, skipping contents lines."""
    if not shutil.which("pdftotext"):
        return {}
    proc = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, timeout=60)
    pages = [[_squash(ln) for ln in page.splitlines()] for page in proc.stdout.split("\f")]
    found: dict[str, int] = {}
    start = 0
    for h in headings:
        target = _squash(h)
        for i in range(start, len(pages)):
            if any(ln.startswith(target) and ".." not in ln and "…" not in ln for ln in pages[i]):
                found[h] = i + 1
                start = i
                break
    return found


def fill_toc_pages(docx: Path, pages_by_bookmark: dict[str, int]) -> bool:
    """Write page numbers into the cached results of the contents' PAGEREF fields."""
    doc = open_docx(str(docx))
    changed = False
    for instr in doc.element.body.iter(qn("w:instrText")):
        m = re.search(r"PAGEREF\s+(\S+)", instr.text or "")
        if not m or m.group(1) not in pages_by_bookmark:
            continue
        run = instr.getparent()
        after_separate = False
        for sib in run.itersiblings():
            fld = sib.find(qn("w:fldChar"))
            if fld is not None and fld.get(qn("w:fldCharType")) == "separate":
                after_separate = True
                continue
            t = sib.find(qn("w:t"))
            if after_separate and t is not None:
                t.text = str(pages_by_bookmark[m.group(1)])
                changed = True
                break
    if changed:
        doc.save(str(docx))
    return changed


def docx_to_pdf(docx: Path, pdf_path: Path, toc: list[tuple[str, str]] = ()) -> Path:
    """Convert ``docx`` to ``pdf_path``. ``toc`` lists (heading text, bookmark) whose page
    numbers are filled into the .docx's contents before the final conversion."""
    soffice = find_soffice()
    if soffice is None:
        raise PdfError("report.pdf_no_soffice")
    with tempfile.TemporaryDirectory(prefix="nianbao-pdf-") as tmp:
        tmp = Path(tmp)
        profile = tmp / "profile"
        env = fontconfig_env(tmp)
        pdf = _convert(soffice, docx, tmp, profile, env)
        if toc:
            pages = heading_pages(pdf, [h for h, _ in toc])
            if pages and fill_toc_pages(docx, {bm: pages[h] for h, bm in toc if h in pages}):
                pdf = _convert(soffice, docx, tmp, profile, env)
        shutil.move(str(pdf), pdf_path)
    return pdf_path


@renderer("pdf", converts="docx")
def write(document, path: Path, job) -> list:
    """report.pdf, converted from the written report.docx, its contents given page numbers."""
    toc = [(h.text, h.bookmark) for h in document.headings if h.level <= 2]
    docx_to_pdf(job.written["docx"], path, toc)
    return []
