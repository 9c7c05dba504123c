"""Benchmark: aggregation and standards on a province-size dataset.

    .venv/bin/python bench/bench_aggregate.py [--schools 400] [--years 5] [--runs 3]

Uses the in-memory synthetic province of bench_check.py (every data element of the catalogue
for each school and year) and times, best of `--runs`:

  rollup        schools → counties → city → province, with every breakdown (`aggregate.rollup`)
  factbook      every fact of the province (`observations_for` + `FactBook.all_facts`)
  breakdowns    indicators of the city by affiliation, ownership, type and county (groups)
  standards     every school against every standard (`standards.evaluate` + `summarize`)

Goal: rollup well under 1 s for 400 schools × 5 years. The figures are printed.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "src"))
sys.path.insert(0, str(HERE))

from bench_check import CITY, PROVINCE, generate  # noqa: E402

from nianbao.compute.aggregate import observations_for, rollup  # noqa: E402
from nianbao.compute.facts import FactBook  # noqa: E402
from nianbao.compute.standards import evaluate, summarize  # noqa: E402


def best(runs: int, fn):
    times, result = [], None
    for _ in range(runs):
        t = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t)
    return min(times), result


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--schools", type=int, default=400)
    ap.add_argument("--years", type=int, default=5)
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    ds, _ = generate(args.schools, args.years)
    print(f"dataset: {args.schools} schools × {args.years} years, {len(ds.observations)} observations")

    t_roll, r = best(args.runs, lambda: rollup(ds, refresh=True))
    n = sum(len(v) for v in r.values())
    print(f"rollup      {t_roll:6.3f} s   {len(r)} units, {n} aggregated figures, {len(r.findings)} findings")

    def facts():
        return FactBook(ds.catalogue, PROVINCE, observations_for(ds, PROVINCE), ds.periods).all_facts()
    t_facts, fs = best(args.runs, facts)
    print(f"factbook    {t_facts:6.3f} s   {len(fs)} facts of the province")

    def groups():
        out = 0
        for dim in ("affiliation", "ownership", "school_type", "county"):
            for c in r.categories(CITY, dim):
                book = FactBook(ds.catalogue, CITY, r.group_observations(CITY, dim, c), ds.periods)
                out += sum(1 for code in ds.catalogue.indicators if book.get(code, ds.report_year))
        return out
    t_groups, ng = best(args.runs, groups)
    print(f"breakdowns  {t_groups:6.3f} s   {ng} indicator values of the city's categories")

    t_std, res = best(args.runs, lambda: (lambda x: (x, summarize(ds, x)))(evaluate(ds)))
    print(f"standards   {t_std:6.3f} s   {len(res[0])} school × standard results")
    return 0


if __name__ == "__main__":
    sys.exit(main())
