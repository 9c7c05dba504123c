"""Synthetic datasets: invented schools whose figures add up to published totals.

``apportion`` splits a total into integers within bounds, close to given weights — the one tool
the generators need to make random figures sum exactly to a printed total.
"""

from __future__ import annotations

import math


def _filled(lam: float, weights, lows, highs) -> list[float]:
    return [min(max(lam * w, lo), hi) for w, lo, hi in zip(weights, lows, highs)]


def apportion(total: int, weights, lows=None, highs=None) -> list[int]:
    """Integers x_i with lows_i ≤ x_i ≤ highs_i and Σ x_i = total, proportional to the weights
    as far as the bounds allow (water-filling, then largest remainders). Deterministic."""
    n = len(weights)
    lows = [0] * n if lows is None else [int(v) for v in lows]
    highs = [total] * n if highs is None else [int(v) for v in highs]
    if any(lo > hi for lo, hi in zip(lows, highs)) or sum(lows) > total or sum(highs) < total:
        raise ValueError(f"cannot split {total} within bounds (Σ low {sum(lows)}, Σ high {sum(highs)})")
    weights = [max(float(w), 1e-9) for w in weights]
    lo_l, hi_l = 0.0, 1.0
    while sum(_filled(hi_l, weights, lows, highs)) < total:
        hi_l *= 2
    for _ in range(200):
        mid = (lo_l + hi_l) / 2
        if sum(_filled(mid, weights, lows, highs)) < total:
            lo_l = mid
        else:
            hi_l = mid
    x = _filled(hi_l, weights, lows, highs)
    ints = [min(max(math.floor(v), lo), hi) for v, lo, hi in zip(x, lows, highs)]
    rest = total - sum(ints)
    order = sorted(range(n), key=lambda i: (-(x[i] - math.floor(x[i])), i))
    while rest:
        step = 1 if rest > 0 else -1
        moved = False
        for i in (order if step > 0 else reversed(order)):
            if rest == 0:
                break
            if lows[i] <= ints[i] + step <= highs[i]:
                ints[i] += step
                rest -= step
                moved = True
        if not moved:
            raise ValueError("apportion: no room left")  # cannot happen when the bounds are feasible
    return ints
