"""Benchmark: values.csv read into objects row by row (the reference) against read into one
DuckDB table (``ingest.figures``, the default), on the same folders, and the results of both
compared before anything is timed.

    .venv/bin/python bench/bench_load.py [FOLDER ...] [--schools 400] [--years 5]

Without FOLDER it generates the dataset of bench_check.py (``--schools`` × ``--years``) into a
temporary folder; the folders of bench_growth.py (``/tmp/nianbao-bench-growth/province-N``) can
be given too. For each folder, each way in its own process: ``load_dataset`` (CPU, wall), the
observations made from the table when first asked for, every data rule on DuckDB
(``check_rules``: the compiled kinds read the table, the others the observations), the facts of every unit on DuckDB (``SqlFigures``) and peak memory (VmHWM).
The findings of reading and of the rules, the observations and the facts must be equal.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "bench"))

from benchkit import peak_mb, timed  # noqa: E402


def child(folder: Path, by_rows: bool) -> dict:
    import hashlib

    from nianbao.check.engine import check_rules
    from nianbao.compute import sql_engine
    from nianbao.ingest.dataset import load_dataset

    ds, load = timed(lambda: load_dataset(folder, by_rows=by_rows))
    obs, objects = timed(lambda: ds.observations)  # the table's: made now, from the table
    found, rules = timed(lambda: check_rules(ds, data_only=True, engine="duckdb"))
    figs, facts = timed(lambda: sql_engine.SqlFigures(ds, "duckdb"))

    def digest(items) -> str:
        return hashlib.sha256("\n".join(items).encode()).hexdigest()[:16]

    return {"load": load, "rules": rules, "facts": facts, "objects": objects, "peak_mb": peak_mb(),
            "n": len(obs), "read": digest(map(repr, ds.findings)), "obs": digest(map(repr, obs)),
            "found": digest(sorted(map(repr, found))),
            "computed": digest(sorted(f"{k}|{sorted(v.items())!r}" for k, v in figs.computed.items())),
            "taken": digest(sorted(f"{k}|{sorted(v.items(), key=repr)!r}" for k, v in figs.taken.items()))}


def run(folder: Path, by_rows: bool) -> dict:
    out = subprocess.run([sys.executable, __file__, "--child", str(folder)] + (["--by-rows"] if by_rows else []),
                         capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(ROOT / "src")})
    if out.returncode:
        raise SystemExit(out.stderr)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("folders", nargs="*", type=Path)
    ap.add_argument("--schools", type=int, default=400)
    ap.add_argument("--years", type=int, default=5)
    ap.add_argument("--child", type=Path)
    ap.add_argument("--by-rows", action="store_true")
    args = ap.parse_args()
    if args.child:
        print(json.dumps(child(args.child, args.by_rows)))
        return 0
    folders = list(args.folders)
    tmp = None
    if not folders:
        import bench_check

        tmp = tempfile.TemporaryDirectory()
        ds, orgs = bench_check.generate(args.schools, args.years)
        bench_check.write_folder(ds, orgs, Path(tmp.name))
        folders = [Path(tmp.name)]
    print(f"{'folder':28} {'way':8} {'figures':>8} {'load CPU':>9} {'load wall':>9} {'objects':>8} {'rules CPU':>9} "
          f"{'facts CPU':>9} {'peak MB':>8}")
    status = 0
    for folder in folders:
        ref, table = run(folder, True), run(folder, False)
        same = {k: ref[k] == table[k] for k in ("n", "read", "obs", "found", "computed", "taken")}
        label = folder.name if tmp is None else f"bench_check {args.schools}×{args.years}"
        for way, r in (("rows", ref), ("table", table)):
            print(f"{label:28} {way:8} {r['n']:8} {r['load'][1]:9.2f} {r['load'][0]:9.2f} {r['objects'][1]:8.2f} "
                  f"{r['rules'][1]:9.2f} {r['facts'][1]:9.2f} {r['peak_mb']:8.0f}")
        print(f"{'':28} table ÷ rows: load CPU {table['load'][1] / ref['load'][1]:.2f}×, load + objects "
              f"{(table['load'][1] + table['objects'][1]) / (ref['load'][1] + ref['objects'][1]):.2f}×; "
              f"equal: {', '.join(k for k, v in same.items() if v) or '-'}"
              + (f"; DIFFER: {', '.join(k for k, v in same.items() if not v)}" if not all(same.values()) else ""))
        status |= not all(same.values())
    return status


if __name__ == "__main__":
    sys.exit(main())
