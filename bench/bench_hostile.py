"""Benchmark: refusing hostile input files — the time and peak memory of `nianbao import` of each
kind of file, each in a fresh process, beside the same for a good workbook.

    .venv/bin/python bench/bench_hostile.py [--bomb-mb 2000]

For every kind (tests/hostile.py builds them from a generated workbook): the exit code, the
finding code, the wall time of the `nianbao import` process (start-up included), the time of
reading the file alone (`workbook.read`, in the same process afterwards) and the peak resident
memory of the import (ru_maxrss of that child alone, taken before the second reading). Goal: no exit 3, every refusal under 500 MB and within a
second, whatever the file says it unpacks to.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
SRC = HERE.parent / "src"
sys.path.insert(0, str(SRC))
sys.path.insert(0, str(HERE.parent / "tests"))

import hostile  # noqa: E402
from test_import import filled  # noqa: E402
from test_workbook import make_dataset  # noqa: E402

RUN = """
import io, json, resource, sys, contextlib
from pathlib import Path
from nianbao.cli.main import main
with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
    code = main(["import", sys.argv[1], sys.argv[2], "--annotated", sys.argv[3]])
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # before the codes are read below
import time
from nianbao.ingest import workbook
from nianbao.ingest.dataset import load_dataset
ds = load_dataset(sys.argv[1])
start = time.perf_counter()
codes = [f.code for f in workbook.read(Path(sys.argv[2]), ds).errors]
print(json.dumps({"exit": code, "mb": peak, "codes": codes, "read": time.perf_counter() - start}))
"""


def kinds(good: Path, bomb_mb: int):
    return {
        "good workbook": lambda p: p.write_bytes(good.read_bytes()),
        "FIFO": hostile.fifo,
        "symlink to /dev/zero": hostile.device_link,
        "folder named .xlsx": hostile.folder,
        f"zip bomb ({bomb_mb} MB sheet)": lambda p: hostile.zip_bomb(good, p, bomb_mb),
        "zip bomb (20 MB, ratio)": lambda p: hostile.zip_bomb(good, p, 20),
        "XXE DOCTYPE": lambda p: hostile.with_doctype(good, p, hostile.XXE),
        "billion laughs": lambda p: hostile.with_doctype(good, p, hostile.LAUGHS),
        "not a zip": hostile.not_a_zip,
        "truncated zip": lambda p: hostile.truncated(good, p),
        "damaged part (CRC)": lambda p: hostile.corrupt_part(good, p),
        "XML not well-formed": lambda p: hostile.broken_xml(good, p),
        "old .xls": hostile.old_excel,
        "Word file named .xlsx": hostile.word_as_xlsx,
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--bomb-mb", type=int, default=2000)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        ds = make_dataset(root)
        (root / "src").mkdir()
        good = filled(ds, root / "src", name="good.xlsx")
        env = dict(os.environ, PYTHONPATH=str(SRC))
        print(f"{'kind':28} {'on disk':>10} {'exit':>4} {'finding':18} {'import s':>8} {'read s':>7} {'peak MB':>8}")
        for i, (label, build) in enumerate(kinds(good, args.bomb_mb).items()):
            folder = root / f"k{i}"
            folder.mkdir()
            path = folder / "school.xlsx"
            build(path)
            size = path.lstat().st_size if not path.is_dir() else 0
            start = time.perf_counter()
            done = subprocess.run([sys.executable, "-c", RUN, str(ds), str(path), str(root / "annotated")],
                                  capture_output=True, text=True, env=env, timeout=600)
            seconds = time.perf_counter() - start
            try:
                r = json.loads(done.stdout.strip().splitlines()[-1])
            except (IndexError, ValueError):
                print(f"{label:28} failed: {done.stderr[-300:]}")
                continue
            found = ",".join(r["codes"]) or "—"
            print(f"{label:28} {size / 2 ** 20:>8.2f}MB {r['exit']:>4} {found:18} {seconds:>8.2f} {r['read']:>7.3f} {r['mb']:>8.1f}")


if __name__ == "__main__":
    main()
