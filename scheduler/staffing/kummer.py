"""log M(a, z) with M(a, z) = 1F1(1; a + 1; z) = Σ_k z^k / ((a+1)(a+2)…(a+k)).

This one function carries all of Erlang A: the queue part of the M/M/N+M
stationary distribution is a geometric-like series whose sum is exactly M, and
every waiting-time probability reduces to M at a scaled argument. It grows like
e^z and can be astronomically large or sit next to 1, so it is returned as a
logarithm and computed two ways:

- through the regularised lower incomplete gamma function,
  M(a, z) = a·e^z·z^(−a)·Γ(a)·P(a, z), where P(a, z) is representable;
- by summing the series where P(a, z) underflows or z < a/2, which is exactly
  where the series converges fast (term ratio z/(a+k) < 1/2 or small).
"""
from __future__ import annotations

import numpy as np
from scipy import special

_MAX_TERMS = 50_000


def log_m(a: np.ndarray, z: np.ndarray) -> np.ndarray:
    """log 1F1(1; a+1; z) for a > 0, z ≥ 0 (broadcast)."""
    a, z = np.broadcast_arrays(np.asarray(a, dtype=float), np.asarray(z, dtype=float))
    out = np.zeros(a.shape, dtype=float)
    pos = z > 0
    if not pos.any():
        return out
    aa, zz = a[pos], z[pos]
    with np.errstate(divide="ignore", invalid="ignore", under="ignore", over="ignore"):
        p = special.gammainc(aa, zz)
        via_gamma = np.log(aa) + special.gammaln(aa) + zz - aa * np.log(zz) + np.log(p)
    use_series = (zz < 0.5 * aa) | ~(p > 1e-280) | ~np.isfinite(via_gamma)
    res = via_gamma
    if use_series.any():
        res = res.copy()
        res[use_series] = _log_m_series(aa[use_series], zz[use_series])
    out[pos] = res
    return out


def _log_m_series(a: np.ndarray, z: np.ndarray) -> np.ndarray:
    total = np.ones_like(a)
    term = np.ones_like(a)
    active = np.arange(a.size)
    for k in range(1, _MAX_TERMS):
        term[active] *= z[active] / (a[active] + k)
        total[active] += term[active]
        active = active[term[active] > 1e-17 * total[active]]
        if active.size == 0:
            break
    return np.log(total)
