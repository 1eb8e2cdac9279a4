"""Discrete-event simulation of one queue across a day: the independent check.

The formulas assume a steady state that no real day has; the simulation
assumes none of it. Calls arrive as a Poisson stream whose rate changes per
interval; handle times are exponential or lognormal (mean = the interval's
AHT, chosen coefficient of variation); callers have exponential patience (or
none); agents come and go per interval as the roster says, breaks included.
Service is first come, first served by whichever agent is free first; an agent
whose shift or break starts mid-call finishes the call first.

How it runs: in FCFS order each caller's start time is fixed by the callers
before it, so callers are taken in arrival order and each takes the agent
that can start earliest (a heap of agents' next free moments, moved forward
past breaks lazily). A caller whose wait would exceed their patience hangs up
and leaves the agent untouched. This is exact for FCFS with abandonment and
needs no event calendar.

Per arrival interval it reports service level (every convention), ASA over
all callers and over answered ones, abandonment, each as a mean over seeded
independent replications with a Student-t confidence interval.
"""
from __future__ import annotations

import heapq
from bisect import bisect_right
from dataclasses import dataclass
from typing import Sequence

import numpy as np
import pandas as pd
from scipy import stats

__all__ = ["SimulationResult", "windows_from_counts", "simulate"]


@dataclass
class SimulationResult:
    """Per-interval means with confidence bounds, and the same pooled over the chosen intervals."""

    per_interval: pd.DataFrame
    overall: dict[str, float]
    replications: int
    confidence: float


def windows_from_counts(agents: np.ndarray, interval_s: float) -> list[list[tuple[float, float]]]:
    """Availability windows per agent from agents-on-the-floor per interval (fractions allowed).

    Agent k works in interval t when agents[t] > k; with agents[t] = k + f the
    k-th agent is there for the first fraction f of the interval (a break or
    shift edge that covers part of it).
    """
    counts = np.asarray(agents, dtype=float)
    top = int(np.ceil(counts.max(initial=0.0)))
    out: list[list[tuple[float, float]]] = []
    for k in range(top):
        frac = np.clip(counts - k, 0.0, 1.0)
        spans: list[tuple[float, float]] = []
        for t in np.flatnonzero(frac > 0):
            a, b = t * interval_s, t * interval_s + frac[t] * interval_s
            if spans and abs(spans[-1][1] - a) < 1e-9:
                spans[-1] = (spans[-1][0], b)
            else:
                spans.append((a, b))
        out.append(spans)
    return out


def _next_free(starts: list[float], ends: list[float], x: float) -> float:
    i = bisect_right(starts, x) - 1
    if i >= 0 and x < ends[i]:
        return x
    return starts[i + 1] if i + 1 < len(starts) else np.inf


def _one_day(arrivals, service, patience, windows, horizon_s):
    """Wait (or time to hang up) and outcome of each caller, FCFS, in arrival order.

    A caller still queued when no agent will ever be free again counts as
    abandoned at the end of the horizon (or at their patience, if sooner).
    """
    heap: list[tuple[float, int]] = []
    w_starts = [[a for a, _ in spans] for spans in windows]
    w_ends = [[b for _, b in spans] for spans in windows]
    for k in range(len(windows)):
        if w_starts[k]:
            heap.append((w_starts[k][0], k))
    heapq.heapify(heap)
    n = arrivals.size
    wait = np.empty(n)
    served = np.zeros(n, dtype=bool)
    busy_time = 0.0
    for i in range(n):
        arr = arrivals[i]
        start = np.inf
        k = -1
        while heap:
            free, k = heap[0]
            x = free if free > arr else arr
            s = _next_free(w_starts[k], w_ends[k], x)
            if s == x:
                start = s
                heapq.heappop(heap)
                break
            if s == np.inf:
                heapq.heappop(heap)
            else:
                heapq.heapreplace(heap, (s, k))
            k = -1
        w = start - arr
        if start == np.inf:                     # no agent is on the floor again today
            wait[i] = min(patience[i], max(horizon_s - arr, 0.0))
            continue
        if w > patience[i]:
            wait[i] = patience[i]
            if k >= 0:
                heapq.heappush(heap, (start, k))
            continue
        wait[i] = w
        served[i] = True
        end = start + service[i]
        busy_time += service[i]
        nxt = _next_free(w_starts[k], w_ends[k], end)
        if nxt < np.inf:
            heapq.heappush(heap, (nxt, k))
    return wait, served, busy_time


def simulate(contacts: np.ndarray, aht_s: np.ndarray | float, interval_s: float, *,
             agents: np.ndarray | None = None, windows: Sequence[Sequence[tuple[float, float]]] | None = None,
             target_s: float = 20.0, patience_s: float | None = None, handle: str = "exponential",
             handle_cv: float = 1.0, short_abandon_s: float = 0.0, replications: int = 20, seed: int = 0,
             measure: slice | np.ndarray | None = None, confidence: float = 0.95) -> SimulationResult:
    """Simulate a day `replications` times; staffing from `agents` per interval or explicit `windows`.

    contacts: expected arrivals per interval (the Poisson rate × interval_s).
    windows: per agent, sorted (start_s, end_s) spans on the floor, seconds from
    the first interval's start — a roster with its breaks cut out.
    measure: which intervals the pooled `overall` figures cover (e.g. skip a
    warm-up); default all.
    """
    lam = np.asarray(contacts, dtype=float)
    n_int = lam.size
    aht = np.broadcast_to(np.asarray(aht_s, dtype=float), (n_int,))
    if windows is None:
        if agents is None:
            raise ValueError("give agents per interval or windows")
        windows = windows_from_counts(np.broadcast_to(np.asarray(agents, dtype=float), (n_int,)), interval_s)
    windows = [sorted(w) for w in windows]
    keep = np.zeros(n_int, dtype=bool)
    keep[measure if measure is not None else slice(None)] = True
    rng = np.random.default_rng(seed)
    names = ["offered", "answered", "in_target", "abandoned", "short_abandoned", "wait_sum", "answered_wait_sum"]
    per = np.zeros((replications, len(names), n_int))
    busy = np.zeros(replications)
    for r in range(replications):
        counts = rng.poisson(lam)
        which = np.repeat(np.arange(n_int), counts)
        arrivals = (which + rng.random(which.size)) * interval_s
        order = np.argsort(arrivals, kind="stable")
        arrivals, which = arrivals[order], which[order]
        mean = aht[which]
        if handle == "lognormal":
            sigma2 = np.log1p(handle_cv ** 2)
            service = rng.lognormal(np.log(mean) - sigma2 / 2.0, np.sqrt(sigma2))
        elif handle == "exponential":
            service = rng.exponential(mean)
        else:
            raise ValueError(f"unknown handle-time distribution {handle!r}")
        patience = rng.exponential(patience_s, which.size) if patience_s else np.full(which.size, np.inf)
        wait, served, busy[r] = _one_day(arrivals, service, patience, windows, n_int * interval_s)
        ab = ~served
        per[r, 0] = np.bincount(which, minlength=n_int)
        per[r, 1] = np.bincount(which, weights=served, minlength=n_int)
        per[r, 2] = np.bincount(which, weights=served & (wait <= target_s), minlength=n_int)
        per[r, 3] = np.bincount(which, weights=ab, minlength=n_int)
        per[r, 4] = np.bincount(which, weights=ab & (wait <= short_abandon_s), minlength=n_int)
        per[r, 5] = np.bincount(which, weights=wait, minlength=n_int)
        per[r, 6] = np.bincount(which, weights=np.where(served, wait, 0.0), minlength=n_int)
    return _summarise(per, names, keep, replications, confidence)


def _ratios(sums: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    off, ans = sums["offered"], sums["answered"]
    with np.errstate(divide="ignore", invalid="ignore"):
        return {
            "service_level": np.where(off > 0, sums["in_target"] / off, np.nan),
            "service_level_answered": np.where(ans > 0, sums["in_target"] / ans, np.nan),
            "service_level_short": np.where(off - sums["short_abandoned"] > 0,
                                            sums["in_target"] / (off - sums["short_abandoned"]), np.nan),
            "asa_s": np.where(off > 0, sums["wait_sum"] / off, np.nan),
            "asa_answered_s": np.where(ans > 0, sums["answered_wait_sum"] / ans, np.nan),
            "abandon_rate": np.where(off > 0, sums["abandoned"] / off, np.nan),
        }


def _mean_ci(x: np.ndarray, confidence: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Mean over replications (axis 0) with a Student-t interval, ignoring replications without calls."""
    with np.errstate(invalid="ignore", divide="ignore"):
        n = np.sum(np.isfinite(x), axis=0)
        mean = np.nanmean(np.where(np.isfinite(x), x, np.nan), axis=0) if x.size else x
        sd = np.nanstd(x, axis=0, ddof=1)
        half = stats.t.ppf(0.5 + confidence / 2.0, np.maximum(n - 1, 1)) * sd / np.sqrt(np.maximum(n, 1))
    half = np.where(n > 1, half, np.nan)
    return mean, mean - half, mean + half


def _summarise(per: np.ndarray, names: list[str], keep: np.ndarray, reps: int, confidence: float) -> SimulationResult:
    import warnings
    sums = {name: per[:, i, :] for i, name in enumerate(names)}
    rows: dict[str, np.ndarray] = {"interval": np.arange(per.shape[2]), "offered": sums["offered"].mean(axis=0)}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        for key, values in _ratios(sums).items():
            mean, lo, hi = _mean_ci(values, confidence)
            rows[key], rows[f"{key}_lo"], rows[f"{key}_hi"] = mean, lo, hi
        pooled = _ratios({k: v[:, keep].sum(axis=1) for k, v in sums.items()})
        overall: dict[str, float] = {"offered": float(sums["offered"][:, keep].sum(axis=1).mean())}
        for key, values in pooled.items():
            mean, lo, hi = _mean_ci(values[:, None], confidence)
            overall[key], overall[f"{key}_lo"], overall[f"{key}_hi"] = float(mean[0]), float(lo[0]), float(hi[0])
    return SimulationResult(pd.DataFrame(rows), overall, reps, confidence)
