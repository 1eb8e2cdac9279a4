"""Erlang A (M/M/N+M): Poisson arrivals, exponential service, exponential patience.

Callers hang up when their wait exceeds an exponential patience with mean
patience_s (rate θ = 1/patience_s). With λ the arrival rate, μ = 1/AHT and
N agents, let x = Nμ/θ, y = λ/θ and M(·,·) = 1F1(1; ·+1; ·) (kummer.log_m).
Following Mandelbaum & Zeltyn ("Service engineering in action: the Palm/
Erlang-A queue", 2007; derivations restated in the docstrings below):

- π_N = B / (1 + (M(x, y) − 1)·B), B = Erlang B(N, λ/μ): P(exactly N in system).
- P(wait) = π_N·M(x, y); P(abandon) = π_N·[1 + (M(x, y) − 1)(1 − x/y)].
- ASA (mean wait of *all* arrivals, abandoners' waits included) = P(abandon)/θ.
- P(answered within t, having waited) = (P(wait) − P(abandon))·(1 − R(t)),
  R(t) = u^(x+1)·e^(y(1−u))·M(x+1, y·u) / M(x+1, y), u = e^(−θt).
- P(abandoned within s) = P(abandon) − π_N·u^(x+1)·e^(y(1−u))·M(x, y·u)
  + (P(wait) − P(abandon))·R(s), u = e^(−θs).

The generic form takes the "server part" (B and the service capacity rate
when all servers are busy, r = Nμ), so the chat model reuses it with its own
state-dependent service rates.

Service-level conventions (ServiceGoal.sl_convention):
- "offered" (default): answered within t ÷ all offered. Abandoners count as
  not answered within target, however early they hung up (pyworkforce, and
  the usual contract definition).
- "answered": answered within t ÷ answered (abandoned calls ignored).
- "offered_minus_short_abandons": answered within t ÷ (offered − calls
  abandoned within short_abandon_s), the usual "short abandons don't count".
With no abandonment (Erlang C) all three coincide.
"""
from __future__ import annotations

import numpy as np
from scipy import special

from scheduler.staffing import erlang_c
from scheduler.staffing.kummer import log_m
from scheduler.staffing.search import least_feasible, loaded_intervals, meets_targets

SL_CONVENTIONS = ("offered", "answered", "offered_minus_short_abandons")

__all__ = ["SL_CONVENTIONS", "queue_metrics", "metrics", "agents_required", "log_erlang_b"]


def log_erlang_b(agents: np.ndarray, load: np.ndarray) -> np.ndarray:
    """log Erlang B, finite even where B underflows (many agents, small load)."""
    n, a = np.broadcast_arrays(np.asarray(agents, dtype=float), np.asarray(load, dtype=float))
    with np.errstate(divide="ignore", invalid="ignore", under="ignore"):
        cdf = special.pdtr(n, a)
        lb = special.xlogy(n, a) - a - special.gammaln(n + 1.0) - np.log(cdf)
        fallback = ~(cdf > 1e-280) | ~np.isfinite(lb)
        if fallback.any():
            lb = np.where(fallback, np.log(erlang_c.erlang_b(n, a)), lb)
    return np.minimum(lb, 0.0)


def queue_metrics(log_b: np.ndarray, lam: np.ndarray, rate_full: np.ndarray, theta: np.ndarray,
                  target_s: float | np.ndarray | None = None,
                  short_abandon_s: float | None = None) -> dict[str, np.ndarray]:
    """Waiting-room metrics of a birth–death queue with exponential abandonment.

    log_b: log of P(all servers busy) in the same system without a waiting room.
    lam: arrival rate (1/s); rate_full: service rate with all servers busy (1/s);
    theta: abandonment rate 1/patience (1/s). Returns prob_wait, prob_abandon,
    asa_s (all arrivals), and, when asked, answered_within_target (share of
    offered) and abandoned_within_short (share of offered).
    """
    lb, lam, r, th = np.broadcast_arrays(*(np.asarray(v, dtype=float) for v in (log_b, lam, rate_full, theta)))
    x, y = r / th, lam / th
    lm = log_m(x, y)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore", under="ignore"):
        lq = np.log1p(-np.exp(lb)) - lb                     # log(1/B − 1)
        p_wait = special.expit(lm - lq)                      # π_N·M
        log_pin = special.log_expit(lm - lq) - lm            # log π_N
        pin = np.exp(log_pin)
        p_ab = np.clip(p_wait * (1.0 - x / y) + pin * (x / y), 0.0, p_wait)
    served_waited = p_wait - p_ab
    out = {"prob_wait": p_wait, "prob_abandon": p_ab, "asa_s": p_ab / th}
    lm1 = None
    if target_s is not None:
        lm1 = log_m(x + 1.0, y)
        out["answered_within_target"] = (1.0 - p_wait) + served_waited * (1.0 - _ratio(x, y, th, target_s, lm1))
    if short_abandon_s is not None and short_abandon_s > 0:
        lm1 = log_m(x + 1.0, y) if lm1 is None else lm1
        t = np.asarray(short_abandon_s, dtype=float)
        u = np.exp(-th * t)
        with np.errstate(under="ignore"):
            still_waiting = np.exp(log_pin - (x + 1.0) * th * t + y * (1.0 - u) + log_m(x, y * u))
        ab_short = p_ab - still_waiting + served_waited * _ratio(x, y, th, t, lm1)
        out["abandoned_within_short"] = np.clip(ab_short, 0.0, p_ab)
    return out


def _ratio(x: np.ndarray, y: np.ndarray, th: np.ndarray, t: float | np.ndarray, lm1: np.ndarray) -> np.ndarray:
    """R(t): share of eventually-answered waiting calls still waiting at t."""
    t = np.asarray(t, dtype=float)
    u = np.exp(-th * t)
    with np.errstate(under="ignore"):
        return np.clip(np.exp(-(x + 1.0) * th * t + y * (1.0 - u) + log_m(x + 1.0, y * u) - lm1), 0.0, 1.0)


def service_level_share(m: dict[str, np.ndarray], convention: str) -> np.ndarray:
    """Turn answered-within-target (share of offered) into the goal's convention."""
    sl = m["answered_within_target"]
    if convention == "offered":
        return np.clip(sl, 0.0, 1.0)
    if convention == "answered":
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.clip(np.where(m["prob_abandon"] < 1.0, sl / (1.0 - m["prob_abandon"]), 0.0), 0.0, 1.0)
    if convention == "offered_minus_short_abandons":
        short = m.get("abandoned_within_short", np.zeros_like(sl))
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.clip(np.where(short < 1.0, sl / (1.0 - short), 0.0), 0.0, 1.0)
    raise ValueError(f"unknown service-level convention {convention!r}")


def metrics(agents: np.ndarray, load: np.ndarray, aht_s: np.ndarray, patience_s: float | np.ndarray,
            target_s: float | None = None, convention: str = "offered",
            short_abandon_s: float | None = None) -> dict[str, np.ndarray]:
    """Every Erlang A metric for whole numbers of agents (N ≥ 1 where load > 0).

    Keys: agents, offered_load, prob_wait, prob_abandon, asa_s (over all
    arrivals), occupancy, answered_rate / abandoned_rate (per second), and
    service_level (in `convention`) when target_s is given.
    """
    n, a, h, p = np.broadcast_arrays(*(np.asarray(v, dtype=float) for v in (agents, load, aht_s, patience_s)))
    lam = a / h
    safe_n = np.maximum(n, 1.0)
    m = queue_metrics(log_erlang_b(safe_n, a), lam, safe_n / h, 1.0 / p, target_s,
                      short_abandon_s if convention == "offered_minus_short_abandons" else None)
    none = n < 1
    loaded = a > 0
    p_wait = np.where(loaded, np.where(none, 1.0, m["prob_wait"]), 0.0)
    p_ab = np.where(loaded, np.where(none, 1.0, m["prob_abandon"]), 0.0)
    asa = np.where(loaded, np.where(none, p, m["asa_s"]), 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        occ = np.where(n > 0, np.minimum(a * (1.0 - p_ab) / np.maximum(n, 1.0), 1.0), 0.0)
    out = {"agents": n, "offered_load": a, "prob_wait": p_wait, "prob_abandon": p_ab, "asa_s": asa,
           "occupancy": occ, "answered_rate": lam * (1.0 - p_ab), "abandoned_rate": lam * p_ab}
    if target_s is not None:
        sl = service_level_share(m, convention)
        out["service_level"] = np.where(loaded, np.where(none, 0.0, sl), np.where(n > 0, 1.0, 0.0))
    return out


def agents_required(load: np.ndarray, aht_s: np.ndarray, patience_s: float, *,
                    service_level: float | None = None, target_s: float | None = None,
                    asa_s: float | None = None, max_abandon: float | None = None,
                    max_occupancy: float | None = None, convention: str = "offered",
                    short_abandon_s: float | None = None) -> np.ndarray:
    """Least N ≥ 1 meeting every target together (0 where load is 0).

    Each target is monotone in N, so a vectorised bisection finds the first N
    where all hold: an upper bound is grown from the square-root staffing guess
    until it is feasible, then halved.
    """
    out, pos, aa, hh = loaded_intervals(load, aht_s)
    if aa.size == 0:
        return out
    sl_target = service_level if (service_level is not None and target_s is not None) else None

    def feasible(n: np.ndarray, idx: np.ndarray) -> np.ndarray:
        m = metrics(n, aa[idx], hh[idx], patience_s, target_s if sl_target is not None else None,
                    convention, short_abandon_s)
        return meets_targets(m, service_level=sl_target, asa_s=asa_s, max_occupancy=max_occupancy,
                             max_abandon=max_abandon)

    lo = np.zeros(aa.shape)                                  # known infeasible (0 agents)
    hi = np.maximum(1.0, np.ceil(aa + np.sqrt(aa)))
    out[pos] = least_feasible(feasible, lo, hi)
    return out
