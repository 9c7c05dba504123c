"""Speed of nianbao audit: the seed report, then 400 reports made with the project's own report
builder (two examples) with one planted error each (a percentage changed in the text), audited
on 2 processes. Prints seconds per report, the total, and how many planted errors were found.
With LibreOffice installed, also the PDFs of the two reports, their pages read by PDFium (the
reader's default) and by pdfminer side by side (``--no-pdf`` leaves them out)."""

from __future__ import annotations

import random
import shutil
import sys
import tempfile
import time
import zipfile
from collections import Counter
from multiprocessing import Pool
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from auditkit import figure_coverage  # noqa: E402

from nianbao.app.audit import audit_file  # noqa: E402
from nianbao.app.reporting import build_report  # noqa: E402
from nianbao.ingest.dataset import load_dataset  # noqa: E402

ARGS = [a for a in sys.argv[1:] if not a.startswith("--")]
N = int(ARGS[0]) if ARGS else 400
PDF = "--no-pdf" not in sys.argv and shutil.which("soffice") is not None


def plant(src: Path, dst: Path, rng: random.Random) -> None:
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == "word/document.xml":
                data = data.replace(b">77.77%<", f">{rng.randint(60, 76)}.{rng.randint(10, 99)}%<".encode(), 1)
            zout.writestr(item, data)


def one(path: str):
    r = audit_file(path)
    return r.seconds, r.errors, len(r.claims)


def pdf_times(paths, runs: int = 3) -> None:
    """Seconds an audit of each built PDF takes, best of ``runs``, PDFium against pdfminer."""
    import nianbao.audit.readers.pdf as pdf_reader

    read_pdf = pdf_reader.read_pdf
    best = {}
    for engine in ("pdfium", "pdfminer"):
        pdf_reader.read_pdf = lambda p, e=engine: read_pdf(p, engine=e)
        best[engine] = [min(audit_file(p).seconds for _ in range(runs)) for p in paths]
    pdf_reader.read_pdf = read_pdf
    for i, p in enumerate(paths):
        a, b = best["pdfium"][i], best["pdfminer"][i]
        print(f"built PDF {p.parent.name}: {a:.2f} s with PDFium, {b:.2f} s with pdfminer ({b / a:.1f}×)")
    a, b = (sum(best[e]) / len(paths) for e in ("pdfium", "pdfminer"))
    print(f"built PDFs: {a:.2f} s a report with PDFium, {b:.2f} s with pdfminer")


def main():
    t = time.perf_counter()
    seed = audit_file(ROOT / "tests" / "fixtures" / "seed" / "datong-2020.txt")
    print(f"seed: {len(seed.claims)} claims, {seed.errors} errors, {seed.warnings} warnings, "
          f"{time.perf_counter() - t:.2f} s")
    kinds = Counter(c.kind for c in seed.claims)
    print("seed claims by kind: " + ", ".join(f"{k} {n}" for k, n in kinds.most_common()))
    covered, total = figure_coverage(seed)
    print(f"seed numeric figures read as claims: {covered}/{total} = {100 * covered / total:.1f}%")
    with tempfile.TemporaryDirectory() as d:
        d = Path(d)
        built = [build_report(load_dataset(ROOT / "examples" / name), d / name, pdf=PDF)
                 for name in ("datong-2020", "datong-2020-schools")]
        bases = [b.docx for b in built]
        if PDF:
            pdf_times([b.pdf for b in built if b.pdf is not None])
        rng = random.Random(7)
        files = []
        for i in range(N):
            f = d / f"r{i:03d}.docx"
            plant(bases[i % len(bases)], f, rng)
            files.append(str(f))
        t = time.perf_counter()
        out = []
        with Pool(2) as pool:
            for done, res in enumerate(pool.imap_unordered(one, files, chunksize=4), start=1):
                out.append(res)
                bar = "#" * (30 * done // N)
                print(f"\r[{bar:<30}] {done}/{N} {time.perf_counter() - t:.0f} s", end="", file=sys.stderr, flush=True)
        print(file=sys.stderr)
        wall = time.perf_counter() - t
    per = [s for s, _, _ in out]
    found = sum(1 for _, e, _ in out if e >= 1)
    print(f"{N} reports on 2 processes: {wall:.1f} s wall, {sum(per) / len(per):.2f} s a report "
          f"(max {max(per):.2f} s); planted errors found in {found}/{N}")


if __name__ == "__main__":
    main()
