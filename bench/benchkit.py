"""What the benchmarks share: the peak memory of the process measuring itself, and a timed call."""

from __future__ import annotations

import time
from pathlib import Path


def peak_mb() -> float:
    """The process's peak resident set in MB (VmHWM: of this program, not of the parent it was
    forked from, which getrusage would report where /proc is missing)."""
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    import resource
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def timed(fn):
    """``fn()`` and its (wall s, CPU s of this process)."""
    t0, c0 = time.perf_counter(), time.process_time()
    out = fn()
    return out, (time.perf_counter() - t0, time.process_time() - c0)
