"""Time the build of the example report (compute + charts + Word + HTML, no PDF).

Each run is a fresh Python process, so imports count as a user would see them; the script
prints the wall seconds per stage and in total, median over the runs.

    .venv/bin/python bench/bench_report.py [--runs 5] [--dataset examples/datong-2020]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGET_SECONDS = 3.0


def once(dataset: str, outdir: str) -> dict:
    t0 = time.perf_counter()
    import matplotlib.pyplot  # noqa: F401

    from nianbao.app import reporting  # (import cost counted here)
    from nianbao.ingest.dataset import load_dataset
    t1 = time.perf_counter()
    ds = load_dataset(dataset)
    t2 = time.perf_counter()
    timings: dict[str, float] = {}
    reporting.build_report(ds, outdir, pdf=False, timings=timings)
    t3 = time.perf_counter()
    return {"import": t1 - t0, "load": t2 - t1, **timings, "build": t3 - t2}


def main() -> int:
    ap = argparse.ArgumentParser(description="报告生成计时 / time the report build")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--dataset", default=str(ROOT / "examples" / "datong-2020"))
    ap.add_argument("--once", metavar="OUTDIR", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.once:
        print(json.dumps(once(args.dataset, args.once)))
        return 0
    results, walls = [], []
    with tempfile.TemporaryDirectory(prefix="nianbao-bench-") as tmp:
        for i in range(args.runs):
            start = time.perf_counter()
            proc = subprocess.run([sys.executable, __file__, "--dataset", args.dataset, "--once", f"{tmp}/{i}"],
                                  capture_output=True, text=True, cwd=ROOT, env=os.environ.copy())
            walls.append(time.perf_counter() - start)
            if proc.returncode != 0:
                print(proc.stderr, file=sys.stderr)
                return 1
            results.append(json.loads(proc.stdout.strip().splitlines()[-1]))
    stages = ["import", "load", "check", "compute", "charts", "docx", "html", "selfcheck"]
    print(f"nianbao report — {Path(args.dataset).name}, {args.runs} runs, {os.cpu_count()} cores "
          f"(median seconds, wall)")
    for s in stages:
        values = [r.get(s, 0.0) for r in results]
        print(f"  {s:<10} {statistics.median(values):6.3f}")
    in_process = statistics.median(r["import"] + r["load"] + r["build"] for r in results)
    total = statistics.median(walls)
    print(f"  {'in process':<10} {in_process:6.3f}   (imports + load + build)")
    print(f"  {'total':<10} {total:6.3f}   (whole process, interpreter start included; "
          f"min {min(walls):.3f}, max {max(walls):.3f})")
    print(f"  target     {TARGET_SECONDS:6.3f}   {'met' if total < TARGET_SECONDS else 'NOT met'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
