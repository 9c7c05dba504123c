"""Benchmark: nianbao's commands on a Spark cluster, beside Spark's local mode and DuckDB.

    .venv/bin/python bench/bench_spark_cluster.py [--scale 0.01] [--workers 2] [--cores 1] [--data DIR]

Generates a national-shaped dataset of records (nianbao.synth.national, Parquet) once into DIR,
starts a standalone Spark cluster on this machine (a master and ``--workers`` workers of
``--cores`` cores each: nianbao.store.engines.spark.standalone), then runs each command as a user
runs it, in a process of its own, on DuckDB, on Spark local[2] and on the cluster (``--engine
spark --master spark://…``) twice: with the cluster's settings (Spark's defaults: 200 shuffle
partitions, adaptive execution), as nianbao leaves them on a cluster, and with the settings
nianbao gives one machine (2 partitions, no adaptive execution, set by ``--conf``). The output of
every run is compared with DuckDB's before the times are printed;
the wall time is the whole command (the start of Spark's driver and, on the cluster, of its
executors included), the applications are those the master registered for the command.
On one machine the cluster is the slowest of the three: what it shows is that the commands run
there, with the same output, and what a command costs in Spark's fixed overheads (jobs, tasks,
a JVM for the executors).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

COMMANDS = {
    "indicators, provinces": ("indicators", "--level", "province", "--format", "csv"),
    "indicators, schools": ("indicators", "--level", "school", "--format", "csv"),
    "check": ("check", "--format", "csv"),
}


ONE_MACHINE = "--conf spark.sql.shuffle.partitions=2 --conf spark.sql.adaptive.enabled=false pyspark-shell"


def run(args: list[str], cwd: Path, submit: str | None = None) -> tuple[subprocess.CompletedProcess, float]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("NIANBAO_") and k != "PYSPARK_SUBMIT_ARGS"}
    if submit:
        env["PYSPARK_SUBMIT_ARGS"] = submit
    t = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "nianbao.cli.main", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=3600)
    return done, time.perf_counter() - t


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--scale", type=float, default=0.01, help="share of the national registry (1 = 13 M students)")
    ap.add_argument("--workers", type=int, default=2, help="workers of the cluster")
    ap.add_argument("--cores", type=int, default=1, help="cores of each worker")
    ap.add_argument("--data", type=Path, help="folder of the generated dataset (default: a temporary folder)")
    args = ap.parse_args()
    from nianbao.store.engines import spark
    from nianbao.synth.national import generate

    data = args.data or Path(tempfile.gettempdir()) / f"nianbao-bench-cluster-{args.scale:g}"
    if not (data / "dataset.yaml").exists():
        sizes = generate(data, scale=args.scale, year=2022)
        print(f"generated: {sizes}")
    work = Path(tempfile.mkdtemp(prefix="nianbao-cluster-"))
    with spark.standalone(work / "cluster", cores=args.cores, workers=args.workers) as (url, master_log):
        print(f"cluster: {url}, {args.workers} workers of {args.cores} cores\n")
        print(f"{'command':24} {'DuckDB s':>9} {'local[2] s':>11} {'cluster s':>10} {'apps':>5} "
              f"{'cluster, 2 partitions s':>24}  output")
        for name, command in COMMANDS.items():
            cmd = [command[0], str(data), *command[1:]]
            ref, t_duck = run([*cmd, "--engine", "duckdb"], work)
            local, t_local = run([*cmd, "--engine", "spark", "--master", "local[2]"], work)
            apps = master_log.read_text(errors="replace").count("Registering app")
            on, t_cluster = run([*cmd, "--engine", "spark", "--master", url], work)
            apps = master_log.read_text(errors="replace").count("Registering app") - apps
            fixed, t_fixed = run([*cmd, "--engine", "spark", "--master", url], work, ONE_MACHINE)
            runs = (ref, local, on, fixed)
            same = all(r.stdout == ref.stdout and r.returncode == ref.returncode for r in runs)
            lines = len(ref.stdout.splitlines())
            print(f"{name:24} {t_duck:9.1f} {t_local:11.1f} {t_cluster:10.1f} {apps:5} {t_fixed:24.1f}  "
                  f"{'the same' if same else 'DIFFERENT'} ({lines} lines, exit {ref.returncode})", flush=True)
            if not same:
                for label, r in (("local", local), ("cluster", on), ("cluster, 2 partitions", fixed)):
                    if r.stdout != ref.stdout or r.returncode != ref.returncode:
                        print(f"  {label}: exit {r.returncode}: {r.stderr[-1500:]}")
                return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
