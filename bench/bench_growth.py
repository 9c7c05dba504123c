"""Benchmark: how the cost of the commands grows with the number of schools.

    .venv/bin/python bench/bench_growth.py [--schools 34,400,2000,10000] [--data DIR] [--commands check,...]

For each size it generates (once, into DIR) a synthetic province with nianbao.synth.years
(``province``: cities of invented schools carried through 2021–2024, catalogue cn-2023; a size
is split into cities of at most 200 schools), then runs each command as its own process and
prints its CPU seconds (user + system, from the kernel's accounting of that process), its peak
memory (VmHWM, read by the process itself as it exits: the kernel's ru_maxrss of a child also
counts the parent's pages it was forked with) and CPU per school:

  check        nianbao check DIR
  indicators   nianbao indicators DIR --level province
  by-school    nianbao indicators DIR --level school --format csv -o OUT (a row an indicator a school)
  standards    nianbao standards DIR --summary
  plan         nianbao standards DIR --plan --summary (the 达标 plan's sums)
  report       nianbao report DIR --no-pdf -o OUT
  template     nianbao template DIR --all -o OUT (one workbook a school)

The last column of each size says how the CPU per school moved from the size before (1.00×:
linear). Wall time depends on what else runs on the machine; CPU time is the steadier figure.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT / "src"))

COMMANDS = {
    "check": lambda d, out: ["check", str(d)],
    "indicators": lambda d, out: ["indicators", str(d), "--level", "province"],
    "by-school": lambda d, out: ["indicators", str(d), "--level", "school", "--format", "csv", "-o",
                                 str(out / "by-school.csv")],
    "standards": lambda d, out: ["standards", str(d), "--summary"],
    "plan": lambda d, out: ["standards", str(d), "--plan", "--summary"],
    "report": lambda d, out: ["report", str(d), "--no-pdf", "-o", str(out)],
    "template": lambda d, out: ["template", str(d), "--all", "-o", str(out)],
}
PER_CITY = 200

# runs the command line in this process and, as it exits, writes the peak resident set (VmHWM,
# kB) to the file named by NIANBAO_BENCH_PEAK
WRAPPER = """
import atexit, os, sys
def _peak():
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            open(os.environ["NIANBAO_BENCH_PEAK"], "w").write(line.split()[1])
atexit.register(_peak)
from nianbao.cli.main import main
sys.argv[0] = "nianbao"
sys.exit(main())
"""


def make(folder: Path, schools: int, seed: int = 11) -> None:
    """A province of ``schools`` invented schools in cities of at most PER_CITY (one county a
    city), drawn and carried through the years as nianbao.synth.years.province draws them."""
    if (folder / "dataset.yaml").exists():
        return
    import random

    import yaml

    from nianbao.core.orgs import Org
    from nianbao.synth.years import CHOICES, HEADER, meta_of, sample_city, write_dataset

    c = yaml.safe_load(CHOICES.read_text(encoding="utf-8"))
    years = [int(y) for y in c["years"]]
    prov = Org(code="990000", zh="示例省", en="Sample Province", level="province")
    orgs, states = [prov], []
    cities = max(1, -(-schools // PER_CITY))
    for i in range(1, cities + 1):
        rng = random.Random(seed * 1000 + i)  # each city its own seed: a larger size keeps the first cities
        n = schools // cities + (1 if i <= schools % cities else 0)
        o, s = sample_city(i, n, prov, rng, c)
        orgs += o + [st.org for st in s]
        states += s
    meta = meta_of(prov, "示例省教育厅（示例）", "Sample Province Department of Education (sample)",
                   int(c["report_year"]), years, "province", seed)
    meta["title_zh"] = f"示例省中等职业教育质量报告（{c['report_year']}年度，{schools}所学校，示例数据）"
    write_dataset(folder, meta, HEADER, orgs, states, years, c["narratives"])


def run(args: list[str], out: Path) -> tuple[float, float, float, int]:
    """(CPU s, wall s, peak MB, exit status) of one nianbao command in its own process."""
    with tempfile.NamedTemporaryFile(suffix=".peak", delete=False) as f:
        peak_file = Path(f.name)
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "NIANBAO_BENCH_PEAK": str(peak_file)}
    out.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-c", WRAPPER, *args], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    shutil.rmtree(out, ignore_errors=True)
    text = peak_file.read_text().strip()
    peak_file.unlink()
    peak = int(text) / 1024 if text else float("nan")
    return usage.ru_utime + usage.ru_stime, wall, peak, os.waitstatus_to_exitcode(status)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--schools", default="34,400,2000,10000")
    ap.add_argument("--commands", default="check,indicators,by-school,standards,plan,report,template")
    ap.add_argument("--data", type=Path, default=Path(tempfile.gettempdir()) / "nianbao-bench-growth")
    args = ap.parse_args()
    sizes = [int(x) for x in args.schools.split(",")]
    commands = args.commands.split(",")
    print(f"{'command':11} {'schools':>7} {'CPU s':>8} {'wall s':>8} {'peak MB':>8} {'CPU ms a school':>16} "
          f"{'vs smaller':>10} {'exit':>4}")
    per_school: dict[str, float] = {}
    for n in sizes:
        folder = args.data / f"province-{n}"
        t = time.perf_counter()
        make(folder, n)
        made = time.perf_counter() - t
        if made > 1:
            print(f"  (generated {n} schools in {made:.1f} s: {folder})")
        for cmd in commands:
            out = args.data / f"out-{cmd}-{n}"
            cpu, wall, peak, status = run(COMMANDS[cmd](folder, out), out)
            ms = cpu / n * 1000
            growth = f"{ms / per_school[cmd]:9.2f}×" if cmd in per_school else ""
            per_school[cmd] = ms
            print(f"{cmd:11} {n:7} {cpu:8.2f} {wall:8.2f} {peak:8.0f} {ms:16.1f} {growth:>10} {status:4}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
