"""The least whole staffing meeting monotone targets, for many intervals at once."""
from __future__ import annotations

from typing import Callable

import numpy as np

Feasible = Callable[[np.ndarray, np.ndarray], np.ndarray]


def loaded_intervals(load: np.ndarray, aht_s: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(zeros for the answer, mask of intervals with load, their loads, their AHTs): staffing is 0 without load."""
    a = np.asarray(load, dtype=float)
    h = np.broadcast_to(np.asarray(aht_s, dtype=float), a.shape)
    pos = a > 0
    return np.zeros(a.shape, dtype=np.int64), pos, a[pos], h[pos]


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


def meets_targets(metrics: dict[str, np.ndarray], *, service_level: float | None = None, asa_s: float | None = None,
                  max_occupancy: float | None = None, max_abandon: float | None = None) -> np.ndarray:
    """Element-wise: every given target holds for these queue metrics (a tiny tolerance for float noise)."""
    ok = np.ones(np.shape(metrics["agents"]), dtype=bool)
    if service_level is not None:
        ok &= metrics["service_level"] >= service_level - 1e-12
    if asa_s is not None:
        ok &= metrics["asa_s"] <= asa_s + 1e-12
    if max_occupancy is not None:
        ok &= metrics["occupancy"] <= max_occupancy + 1e-12
    if max_abandon is not None:
        ok &= metrics["prob_abandon"] <= max_abandon + 1e-12
    return ok
