"""Erlang B and Erlang C (M/M/N), vectorised over intervals.

Why this shape: a week of 15-minute intervals for a dozen queues is tens of
thousands of evaluations, and loads run from a fraction of an Erlang to
thousands. Factorials overflow long before that, so Erlang B is computed from
the Poisson distribution in log space (B = pmf(N; A) / cdf(N; A)), and the
agent search steps N upward with the stable recursion
B(N) = A·B(N-1) / (N + A·B(N-1)), one cheap numpy pass per step.

Conventions (the textbook ones, shared by every published Erlang C table we
check against): load A = calls × AHT ÷ interval length (Erlangs); P(wait) is
the probability an arrival finds all N agents busy; service level is the share
of *all* calls answered within the target time; ASA is the mean wait over all
calls (those answered at once count as zero); occupancy = A / N. With N ≤ A the
queue is unstable: P(wait) = 1, service level 0, ASA infinite.
"""
from __future__ import annotations

import numpy as np
from scipy import special

from scheduler.staffing.search import loaded_intervals

__all__ = [
    "offered_load", "erlang_b", "erlang_c", "service_level", "asa", "occupancy",
    "metrics", "agents_required",
]

# Hard cap on the upward search, far above any sane staffing for 5,000 Erlangs.
_MAX_STEPS = 100_000


def offered_load(contacts: np.ndarray, aht_s: np.ndarray, interval_s: float) -> np.ndarray:
    """Offered load in Erlangs: contacts × AHT ÷ interval length."""
    return np.asarray(contacts, dtype=float) * np.asarray(aht_s, dtype=float) / float(interval_s)


def erlang_b(agents: np.ndarray, load: np.ndarray) -> np.ndarray:
    """Blocking probability of M/M/N/N, for integer agents ≥ 0 and load ≥ 0.

    Log-space Poisson ratio where the Poisson cdf is representable; where it is
    not (N far below A, cdf < 1e-280), the falling-factorial series
    1/B = Σ_j N!/(N-j)!/A^j, which converges fast exactly there.
    """
    n, a = np.broadcast_arrays(np.asarray(agents, dtype=float), np.asarray(load, dtype=float))
    n = np.floor(n)
    out = np.ones(n.shape, dtype=float)
    pos = a > 0
    out[~pos] = np.where(n[~pos] > 0, 0.0, 1.0)
    if not pos.any():
        return out
    nn, aa = n[pos], a[pos]
    with np.errstate(divide="ignore", invalid="ignore", over="ignore", under="ignore"):
        cdf = special.pdtr(nn, aa)
        log_pmf = special.xlogy(nn, aa) - aa - special.gammaln(nn + 1.0)
        b = np.exp(log_pmf - np.log(cdf))
    tiny = ~(cdf > 1e-280)
    if tiny.any():
        b[tiny] = _erlang_b_series(nn[tiny], aa[tiny])
    out[pos] = np.clip(b, 0.0, 1.0)
    return out


def _erlang_b_series(n: np.ndarray, a: np.ndarray) -> np.ndarray:
    """1/B = 1 + N/A + N(N-1)/A² + …, used only where N ≪ A."""
    total = np.ones_like(a)
    term = np.ones_like(a)
    for j in range(int(n.max()) + 1):
        term = term * np.maximum(n - j, 0.0) / a
        total += term
        if not (term > 1e-17 * total).any():
            break
    return 1.0 / total


def _c_from_b(b: np.ndarray, agents: np.ndarray, load: np.ndarray) -> np.ndarray:
    """Erlang C from Erlang B: C = B / (1 − ρ(1 − B)), 1 where N ≤ A."""
    with np.errstate(divide="ignore", invalid="ignore"):
        rho = load / agents
        c = b / (1.0 - rho * (1.0 - b))
    return np.where(agents > load, np.clip(c, 0.0, 1.0), 1.0)


def erlang_c(agents: np.ndarray, load: np.ndarray) -> np.ndarray:
    """Probability an arrival waits (all agents busy); 1 where agents ≤ load."""
    n, a = np.broadcast_arrays(np.asarray(agents, dtype=float), np.asarray(load, dtype=float))
    return np.where(a > 0, _c_from_b(erlang_b(n, a), n, a), np.where(n > 0, 0.0, 1.0))


def _sl_from_c(c: np.ndarray, agents: np.ndarray, load: np.ndarray, aht_s: np.ndarray,
               target_s: float | np.ndarray) -> np.ndarray:
    with np.errstate(over="ignore", invalid="ignore"):
        sl = 1.0 - c * np.exp(-(agents - load) * np.asarray(target_s, dtype=float) / aht_s)
    return np.where(agents > load, np.clip(sl, 0.0, 1.0), 0.0)


def _asa_from_c(c: np.ndarray, agents: np.ndarray, load: np.ndarray, aht_s: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        w = c * aht_s / (agents - load)
    return np.where(agents > load, w, np.inf)


def service_level(agents: np.ndarray, load: np.ndarray, aht_s: np.ndarray,
                  target_s: float | np.ndarray) -> np.ndarray:
    """Share of all calls answered within target_s: 1 − C·exp(−(N − A)·t/AHT)."""
    n, a, h = np.broadcast_arrays(*(np.asarray(v, dtype=float) for v in (agents, load, aht_s)))
    sl = _sl_from_c(erlang_c(n, a), n, a, h, target_s)
    return np.where(a > 0, sl, np.where(n > 0, 1.0, 0.0))


def asa(agents: np.ndarray, load: np.ndarray, aht_s: np.ndarray) -> np.ndarray:
    """Mean wait over all calls in seconds: C·AHT / (N − A); inf where unstable."""
    n, a, h = np.broadcast_arrays(*(np.asarray(v, dtype=float) for v in (agents, load, aht_s)))
    w = _asa_from_c(erlang_c(n, a), n, a, h)
    return np.where(a > 0, w, 0.0)


def occupancy(agents: np.ndarray, load: np.ndarray) -> np.ndarray:
    """Share of agent time busy: A / N, at most 1 (0 with no agents and no load)."""
    n, a = np.broadcast_arrays(np.asarray(agents, dtype=float), np.asarray(load, dtype=float))
    with np.errstate(divide="ignore", invalid="ignore"):
        occ = np.where(n > 0, np.minimum(a / n, 1.0), np.where(a > 0, 1.0, 0.0))
    return occ


def metrics(agents: np.ndarray, load: np.ndarray, aht_s: np.ndarray,
            target_s: float | None = None) -> dict[str, np.ndarray]:
    """Every Erlang C metric at once (shares one Erlang B evaluation)."""
    n, a, h = np.broadcast_arrays(*(np.asarray(v, dtype=float) for v in (agents, load, aht_s)))
    c = erlang_c(n, a)
    out = {
        "agents": n, "offered_load": a, "prob_wait": c,
        "asa_s": np.where(a > 0, _asa_from_c(c, n, a, h), 0.0),
        "occupancy": occupancy(n, a),
    }
    if target_s is not None:
        out["service_level"] = np.where(a > 0, _sl_from_c(c, n, a, h, target_s), np.where(n > 0, 1.0, 0.0))
    return out


def agents_required(load: np.ndarray, aht_s: np.ndarray, *, service_level: float | None = None,
                    target_s: float | None = None, asa_s: float | None = None,
                    max_occupancy: float | None = None) -> np.ndarray:
    """Least integer N meeting every given target (0 where load is 0).

    All three targets are monotone in N, so the answer is the first N, from the
    smallest stable one, where all hold. Each step costs one recursion update.
    """
    out, pos, aa, hh = loaded_intervals(load, aht_s)
    if aa.size == 0:
        return out
    n = np.floor(aa) + 1.0
    if max_occupancy is not None:
        n = np.maximum(n, np.ceil(aa / max_occupancy - 1e-9))
    b = erlang_b(n, aa)
    result = np.zeros(aa.shape, dtype=float)
    active = np.arange(aa.size)
    for _ in range(_MAX_STEPS):
        na, a_act, h_act, b_act = n[active], aa[active], hh[active], b[active]
        c = _c_from_b(b_act, na, a_act)
        ok = np.ones(active.size, dtype=bool)
        if service_level is not None and target_s is not None:
            ok &= _sl_from_c(c, na, a_act, h_act, target_s) >= service_level - 1e-12
        if asa_s is not None:
            ok &= _asa_from_c(c, na, a_act, h_act) <= asa_s + 1e-12
        result[active[ok]] = na[ok]
        active = active[~ok]
        if active.size == 0:
            break
        ab = aa[active] * b[active]
        n[active] += 1.0
        b[active] = ab / (n[active] + ab)
    else:  # pragma: no cover - only for absurd targets such as SL 1.0 within 0 s
        result[active] = n[active]
    out[pos] = result.astype(np.int64)
    return out
