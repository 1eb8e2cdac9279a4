"""The least whole staffing meeting monotone targets, for many intervals at once."""
from __future__ import annotations

from typing import Callable

import numpy as np

Feasible = Callable[[np.ndarray, np.ndarray], np.ndarray]


def least_feasible(feasible: Feasible, lo: np.ndarray, hi: np.ndarray, max_growth_steps: int = 64) -> np.ndarray:
    """Smallest integer N in (lo, ∞) with feasible(N) true, per element; feasibility must be monotone in N.

    feasible(n, idx) answers for the elements idx (indices into lo/hi) at
    staffing n. `lo` must be infeasible (or a floor below the answer); `hi` is a
    first guess, grown by half until feasible, then the gap is bisected. All
    intervals move together, so the cost is a few dozen vectorised evaluations.
    """
    lo = np.asarray(lo, dtype=float).copy()
    hi = np.asarray(hi, dtype=float).copy()
    pending = np.arange(lo.size)
    for _ in range(max_growth_steps):
        ok = feasible(hi[pending], pending)
        bad = pending[~ok]
        if bad.size == 0:
            break
        lo[bad] = hi[bad]
        hi[bad] = np.ceil(hi[bad] * 1.5 + 2.0)
        pending = bad
    active = np.flatnonzero(hi - lo > 1)
    while active.size:
        mid = np.floor((lo[active] + hi[active]) / 2.0)
        ok = feasible(mid, active)
        hi[active[ok]] = mid[ok]
        lo[active[~ok]] = mid[~ok]
        active = active[hi[active] - lo[active] > 1]
    return hi.astype(np.int64)
