"""Benchmark: the long fuzz run of `nianbao import` — mutated school workbooks (tests/fuzz_workbooks.py)
imported one after the other into one dataset, each judged as the fuzz test judges it.

    .venv/bin/python bench/bench_fuzz.py [--cases 10000] [--seed 1] [--max-size 4] [--sample 100]
                                         [--classes cell,text,...] [--failures fuzz-failures.json]
                                         [--only FIRST-LAST] [--folders]

Prints the cases by mutation class (a case of several mutations counts once in each of its
classes), the exit codes and statuses of the mutated workbook, the findings by code, the peak
resident memory (of this process over the whole run, and of a fresh ``nianbao import`` process
for every ``--sample``-th case, start-up included: each into a fresh copy of the dataset as the
run began, its peak the child's own high-water mark VmHWM) and the time per case. The goal: 0
internal errors, 0 partial imports, 0 silent wrong values; each failing case's mutations are
written to ``--failures`` (JSON) so that it can be replayed as a test.
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
SRC = HERE.parent / "src"
sys.path.insert(0, str(SRC))
sys.path.insert(0, str(HERE.parent / "tests"))

import fuzz_workbooks as fw  # noqa: E402
from hypothesis import HealthCheck, Phase, given, seed, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

# The sampled import in a process of its own; its peak is its own high-water mark (VmHWM of
# /proc/<pid>/status, read by the process itself at the end): ru_maxrss would keep the peak of
# this parent from before the exec.
PEAK = """
import contextlib, io, sys
from nianbao.cli.main import main
with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
    code = main(["import", sys.argv[1], sys.argv[2], "--replace", "--jobs", "1", "--annotated", sys.argv[3]])
with open("/proc/self/status") as f:
    kb = int(next(line for line in f if line.startswith("VmHWM:")).split()[1])
print(code, kb / 1024)
"""


def fresh_copy(dataset: Path, to: Path) -> Path:
    """A copy of the dataset folder as the run began (its store holding the companion alone), so
    that a sampled case sees nothing another case stored."""
    if to.exists():
        shutil.rmtree(to)
    shutil.copytree(dataset, to)
    return to


def _plain(mutations: list[tuple]) -> list[list]:
    return [[x.decode("latin-1") if isinstance(x, bytes) else x for x in m] for m in mutations]


def kind_of(violation: str) -> str:
    if "exit 3" in violation or violation.startswith(("exit ", "internal error")):
        return "internal error"
    if "rejected workbook changed" in violation:
        return "partial import"
    if "not in the message catalogue" in violation:
        return "finding not in the catalogue"
    if "good workbook beside it" in violation:
        return "batch held back"
    if violation.startswith("unnamed"):
        return "problem cell not named"
    if violation.startswith("generic finding"):
        return "exception as a generic finding"
    return "silent wrong value"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--cases", type=int, default=10000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--max-size", type=int, default=4, help="most mutations a case")
    ap.add_argument("--sample", type=int, default=100, help="every n-th case also in a fresh process, for its peak memory")
    ap.add_argument("--classes", default=",".join(fw.CLASSES))
    ap.add_argument("--failures", default="fuzz-failures.json")
    ap.add_argument("--only", default="", metavar="FIRST-LAST",
                    help="run only cases FIRST to LAST (1-based; the others are drawn, not run), to replay a few")
    ap.add_argument("--folders", action="store_true",
                    help="mutate the dataset folder instead (encodings, dataset.yaml types, a corrupt store): "
                         "import, check and report must not end in an internal error")
    args = ap.parse_args()
    classes = tuple(c for c in args.classes.split(",") if c)
    first, _, last = args.only.partition("-")
    first, last = int(first or 1), int(last or first or args.cases)

    by_class = collections.Counter()
    exits = collections.Counter()
    statuses = collections.Counter()
    codes = collections.Counter()
    problems = collections.Counter()
    failures: list[dict] = []
    samples: list[tuple[float, list]] = []
    slowest: list[tuple[float, list]] = []
    n = ran = 0  # cases drawn, cases run (--only)

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "base").mkdir()
        base = fw.build_base(root / "base")
        runner = fw.Runner(base, root / "work", companion_every=1)
        pristine = fresh_copy(base.dataset, root / "pristine")  # the store as the first case finds it
        env = dict(os.environ, PYTHONPATH=str(SRC))
        start = time.perf_counter()

        @seed(args.seed)
        @settings(max_examples=args.cases, deadline=None, database=None, phases=[Phase.generate],
                  suppress_health_check=list(HealthCheck))
        @given(st.data())
        def run(data):
            nonlocal n, ran
            if args.folders:
                mutations = data.draw(fw.folder_cases())
                n += 1
                if not first <= n <= last:
                    return
                ran += 1
                t = time.perf_counter()
                book = None
                out = fw.run_folder(base, mutations, root / "folders", n)
            else:
                mutations = data.draw(fw.cases(base, classes, args.max_size))
                n += 1
                if not first <= n <= last:
                    return
                ran += 1
                t = time.perf_counter()
                try:
                    book = fw.apply(base, mutations)
                except Exception as exc:  # a defect of the generator, not of nianbao: counted, the run goes on
                    problems["generator error"] += 1
                    failures.append({"case": n, "mutations": _plain(mutations),
                                     "violations": [f"generator: {exc!r}"]})
                    return
                out = runner.run(book)
            seconds = time.perf_counter() - t
            slowest.append((seconds, mutations))
            slowest.sort(key=lambda x: -x[0])
            del slowest[5:]
            for c in set(out.classes):
                by_class[c] += 1
            exits[out.exit] += 1
            statuses[out.status] += 1
            codes.update(set(out.codes))
            violations = list(out.violations)
            # an exception translated into the catch-all finding: the file gets no specific finding
            violations += [f"generic finding {c}" for c in out.codes if c.startswith("file.bad_content[")]
            for v in violations:
                problems[kind_of(v)] += 1
            if violations:
                failures.append({"case": n, "mutations": _plain(mutations), "violations": violations,
                                 "codes": out.codes})
            if args.sample and ran % args.sample == 0 and book is not None:
                path = root / "sample.xlsx"
                path.write_bytes(book.zip_bytes())
                dataset = fresh_copy(pristine, root / "sample-dataset")
                shutil.rmtree(root / "s", ignore_errors=True)
                done = subprocess.run([sys.executable, "-c", PEAK, str(dataset), str(path), str(root / "s")],
                                      capture_output=True, text=True, env=env, timeout=600)
                try:
                    samples.append((float(done.stdout.split()[-1]), mutations))
                except (IndexError, ValueError):
                    problems["sample process failed"] += 1
            if ran % 500 == 0:
                print(f"  … {ran} cases, {time.perf_counter() - start:.0f} s, problems {dict(problems)}", flush=True)

        run()
        elapsed = time.perf_counter() - start
    peak_self = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    picked = f", cases {first}–{last}" if args.only else ""
    if args.folders:
        print(f"\nnianbao import, check and report of {ran} mutated dataset folders "
              f"(seed {args.seed}{picked}, 1–2 mutations a case)")
    else:
        print(f"\nnianbao import of {ran} mutated workbooks (seed {args.seed}{picked}, 1–{args.max_size} mutations a case, "
              f"classes {','.join(classes)})")
    print(f"\n{'cases by class':32} {'cases':>7}")
    for c in (*fw.CLASSES, "folder"):
        if c in by_class:
            print(f"  {c:30} {by_class[c]:>7}")
    print(f"\n{'exit code':32} {'cases':>7}")
    for e, k in sorted(exits.items()):
        print(f"  {e:<30} {k:>7}")
    if not args.folders:
        print(f"\n{'status of the mutated workbook':32} {'cases':>7}")
        for s, k in statuses.most_common():
            print(f"  {s:30} {k:>7}")
    print(f"\n{'exit code of each command' if args.folders else 'findings by code (cases with it)':40} {'cases':>7}")
    for c, k in codes.most_common():
        print(f"  {c:38} {k:>7}")
    print(f"\n{'problems':32} {'count':>7}")
    for p in ("internal error", "partial import", "silent wrong value", "finding not in the catalogue",
              "batch held back", "problem cell not named", "exception as a generic finding", "sample process failed",
              "generator error"):
        print(f"  {p:30} {problems.get(p, 0):>7}")
    what = ("import of a good workbook, check and report into the mutated folder" if args.folders
            else "import of the mutated workbook and a good one, store read before and after")
    print(f"\ntime: {elapsed:.0f} s, {elapsed / max(ran, 1) * 1000:.0f} ms a case ({what})")
    print("slowest cases: " + "; ".join(f"{s:.2f} s {m[:2]}" for s, m in slowest[:3]))
    print(f"peak memory: this process {peak_self:.0f} MB over the run", end="")
    if samples:
        top = max(samples, key=lambda x: x[0])
        print(f"; a fresh import process: median {sorted(s for s, _ in samples)[len(samples) // 2]:.0f} MB, "
              f"highest {top[0]:.0f} MB ({len(samples)} sampled cases; highest for {top[1][:2]})")
    else:
        print()
    if failures:
        Path(args.failures).write_text(json.dumps(failures, ensure_ascii=False, indent=1), encoding="utf-8")
        print(f"{len(failures)} failing cases written to {args.failures}")


if __name__ == "__main__":
    main()
