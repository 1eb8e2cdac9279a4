"""Discrete-event simulation of one queue across a day: the independent check.

The formulas assume a steady state that no real day has; the simulation
assumes none of it. Calls arrive as a Poisson stream whose rate changes per
interval; handle times follow a chosen distribution (exponential, lognormal
with a chosen coefficient of variation, or deterministic) with the interval's
AHT as mean; callers have exponential patience (or none); agents come and go
per interval as the roster says, breaks included. Service is first come,
first served by whichever agent is free first; an agent whose shift or break
starts mid-call finishes the call first.

How it runs: in FCFS order each caller's start time is fixed by the callers
before it, so callers are taken in arrival order and each takes the agent
that can start earliest (a heap of agents' next free moments, moved forward
past breaks lazily). A caller whose wait would exceed their patience hangs up
and leaves the agent untouched. This is exact for FCFS with abandonment and
needs no event calendar.

Three conventions make it agree with the steady-state formulas where they
apply (tests/test_staffing_simulation.py checks every interval within 2 points):

- The end of the day is not a hang-up. Agents on the floor when the horizon
  ends stay until everyone who arrived before it is answered or has run out
  of patience, as a centre does at closing. (Counting callers still queued at
  the end as abandoned made the last interval of every stretch ~1 point worse.)
  Only if nobody is on the floor at the end are the callers left waiting then
  counted as abandoned at the end.
- Shares are pooled: each interval's service level is Σ answered within
  target ÷ Σ offered over all replications, the per-call probability the
  formulas give. (The mean of per-replication ratios over-weights quiet
  replications and read ~1 point high at ~100 calls an hour.) The confidence
  interval is the ratio estimator's (delta method over replications).
- Fractional agents mean what they mean in the formula: with n = k + f agents
  in an interval, agent k + 1 is on the floor for the whole interval with
  probability f (drawn per replication and interval), so the simulation mixes
  floor and ceil staffing with the same weights as the formula's linear
  interpolation. This is also how shrinkage (net = scheduled × (1 − s)) acts:
  agents missing at random. Explicit `windows` are taken as given.

`warmup_intervals` prepends copies of the first interval (not reported), so a
stationary case starts in steady state rather than with an empty queue.
"""
from __future__ import annotations

import heapq
from bisect import bisect_right
from dataclasses import dataclass, field
from typing import Sequence

import numpy as np
import pandas as pd
from scipy import stats

__all__ = ["HANDLE_DISTRIBUTIONS", "SimulationResult", "windows_from_counts", "draw_handle_times", "simulate"]

HANDLE_DISTRIBUTIONS = ("exponential", "lognormal", "deterministic")

# Per-replication sums kept for each arrival interval.
SUM_NAMES = ("offered", "answered", "in_target", "abandoned", "short_abandoned", "wait_sum", "answered_wait_sum",
             "handle_sum")


@dataclass
class SimulationResult:
    """Per-interval pooled shares with confidence bounds, the same pooled over the chosen intervals,
    and the raw per-replication sums (replications × intervals) for anyone who needs their spread."""

    per_interval: pd.DataFrame
    overall: dict[str, float]
    replications: int
    confidence: float
    sums: dict[str, np.ndarray] = field(default_factory=dict)


def windows_from_counts(agents: np.ndarray, interval_s: float) -> list[list[tuple[float, float]]]:
    """Availability windows per agent from agents-on-the-floor per interval (fractions allowed).

    Agent k works in interval t when agents[t] > k; with agents[t] = k + f the
    k-th agent is there for the first fraction f of the interval (a break or
    shift edge that covers part of it). `simulate` itself draws whole-interval
    presence for fractions (see the module docstring) and passes whole counts.
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


def draw_handle_times(rng: np.random.Generator, mean_s: np.ndarray, handle: str = "exponential",
                      handle_cv: float = 1.0) -> np.ndarray:
    """Handle times with the given means: exponential (cv 1), lognormal with coefficient of variation
    handle_cv, or deterministic (cv 0)."""
    mean_s = np.asarray(mean_s, dtype=float)
    if handle == "exponential":
        return rng.exponential(mean_s)
    if handle == "lognormal":
        if not handle_cv > 0:
            raise ValueError(f"lognormal handle times need a coefficient of variation above 0, got {handle_cv!r}")
        sigma2 = np.log1p(handle_cv ** 2)
        return rng.lognormal(np.log(mean_s) - sigma2 / 2.0, np.sqrt(sigma2))
    if handle == "deterministic":
        return mean_s.copy()
    raise ValueError(f"unknown handle-time distribution {handle!r}; use one of {', '.join(HANDLE_DISTRIBUTIONS)}")


def _next_free(starts: list[float], ends: list[float], x: float) -> float:
    i = bisect_right(starts, x) - 1
    if i >= 0 and x < ends[i]:
        return x
    return starts[i + 1] if i + 1 < len(starts) else np.inf


def _stay_to_drain(windows: Sequence[Sequence[tuple[float, float]]], horizon_s: float) -> list[list[tuple[float, float]]]:
    """Agents on the floor when the horizon ends stay until the queue has drained (no arrivals come after)."""
    out = []
    for spans in windows:
        spans = sorted(spans)
        if spans and spans[-1][1] >= horizon_s - 1e-9:
            spans = spans[:-1] + [(spans[-1][0], np.inf)]
        out.append(spans)
    return out


def _one_day(arrivals, service, patience, windows, horizon_s):
    """Wait (or time to hang up) and outcome of each caller, FCFS, in arrival order."""
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
        if start == np.inf:                     # nobody is on the floor again: left waiting at the end
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
        nxt = _next_free(w_starts[k], w_ends[k], end)
        if nxt < np.inf:
            heapq.heappush(heap, (nxt, k))
    return wait, served


def _whole_counts(agents: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """k + f agents → k, plus one more for the whole interval with probability f."""
    base = np.floor(agents)
    return base + (rng.random(agents.size) < agents - base)


def simulate(contacts: np.ndarray, aht_s: np.ndarray | float, interval_s: float, *,
             agents: np.ndarray | None = None, windows: Sequence[Sequence[tuple[float, float]]] | None = None,
             target_s: float = 20.0, patience_s: float | None = None, handle: str = "exponential",
             handle_cv: float = 1.0, short_abandon_s: float = 0.0, replications: int = 20, seed: int = 0,
             measure: slice | np.ndarray | None = None, confidence: float = 0.95,
             warmup_intervals: int = 0) -> SimulationResult:
    """Simulate a day `replications` times; staffing from `agents` per interval or explicit `windows`.

    contacts: expected arrivals per interval (the Poisson rate × interval_s).
    windows: per agent, sorted (start_s, end_s) spans on the floor, seconds from
    the first interval's start — a roster with its breaks cut out.
    measure: which intervals the pooled `overall` figures cover; default all.
    warmup_intervals: copies of the first interval simulated before it and not
    reported (a steady start instead of an empty floor).
    """
    lam = np.asarray(contacts, dtype=float)
    n_int = lam.size
    aht = np.broadcast_to(np.asarray(aht_s, dtype=float), (n_int,))
    if handle not in HANDLE_DISTRIBUTIONS:
        raise ValueError(f"unknown handle-time distribution {handle!r}; use one of {', '.join(HANDLE_DISTRIBUTIONS)}")
    if windows is None and agents is None:
        raise ValueError("give agents per interval or windows")
    w0 = int(warmup_intervals)
    if w0 < 0:
        raise ValueError("warmup_intervals must be 0 or more")
    lam_all = np.r_[np.full(w0, lam[0] if n_int else 0.0), lam]
    aht_all = np.r_[np.full(w0, aht[0] if n_int else 1.0), aht]
    total = lam_all.size
    horizon = total * interval_s
    counts = None
    if windows is None:
        counts = np.broadcast_to(np.asarray(agents, dtype=float), (n_int,))
        counts = np.r_[np.full(w0, counts[0] if n_int else 0.0), counts]
        fixed_windows = None
    else:
        shift = w0 * interval_s
        fixed_windows = _stay_to_drain([[(a + shift if a > 0 else 0.0, b + shift) for a, b in sorted(w)]
                                        for w in windows], horizon)
    keep = np.zeros(n_int, dtype=bool)
    keep[measure if measure is not None else slice(None)] = True
    rng = np.random.default_rng(seed)
    per = {name: np.zeros((replications, n_int)) for name in SUM_NAMES}
    for r in range(replications):
        n_arr = rng.poisson(lam_all)
        which = np.repeat(np.arange(total), n_arr)
        arrivals = (which + rng.random(which.size)) * interval_s
        order = np.argsort(arrivals, kind="stable")
        arrivals, which = arrivals[order], which[order]
        service = draw_handle_times(rng, aht_all[which], handle, handle_cv)
        patience = rng.exponential(patience_s, which.size) if patience_s else np.full(which.size, np.inf)
        if counts is not None:
            day_windows = _stay_to_drain(windows_from_counts(_whole_counts(counts, rng), interval_s), horizon)
        else:
            day_windows = fixed_windows
        wait, served = _one_day(arrivals, service, patience, day_windows, horizon)
        reported = which >= w0
        idx = which[reported] - w0
        wait, served, svc = wait[reported], served[reported], service[reported]
        ab = ~served
        per["offered"][r] = np.bincount(idx, minlength=n_int)
        per["answered"][r] = np.bincount(idx, weights=served, minlength=n_int)
        per["in_target"][r] = np.bincount(idx, weights=served & (wait <= target_s), minlength=n_int)
        per["abandoned"][r] = np.bincount(idx, weights=ab, minlength=n_int)
        per["short_abandoned"][r] = np.bincount(idx, weights=ab & (wait <= short_abandon_s), minlength=n_int)
        per["wait_sum"][r] = np.bincount(idx, weights=wait, minlength=n_int)
        per["answered_wait_sum"][r] = np.bincount(idx, weights=np.where(served, wait, 0.0), minlength=n_int)
        per["handle_sum"][r] = np.bincount(idx, weights=np.where(served, svc, 0.0), minlength=n_int)
    return _summarise(per, keep, replications, confidence)


# (numerator, denominator) of every reported share, as sums over callers.
RATIOS = {
    "service_level": ("in_target", "offered"),
    "service_level_answered": ("in_target", "answered"),
    "service_level_short": ("in_target", "offered_minus_short"),
    "asa_s": ("wait_sum", "offered"),
    "asa_answered_s": ("answered_wait_sum", "answered"),
    "abandon_rate": ("abandoned", "offered"),
}


def pooled_ratio(num: np.ndarray, den: np.ndarray, confidence: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Σ num ÷ Σ den over replications (axis 0), with the ratio estimator's Student-t interval.

    Var(R̂) ≈ Σ (num_r − R̂·den_r)² / ((n − 1)·n·mean(den)²) — the delta method.
    NaN where no replication had a caller; no interval with fewer than 2 replications.
    """
    n = num.shape[0]
    tot_num, tot_den = num.sum(axis=0), den.sum(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(tot_den > 0, tot_num / tot_den, np.nan)
        if n < 2:
            nan = np.full(ratio.shape, np.nan)
            return ratio, nan, nan
        resid = num - np.where(np.isfinite(ratio), ratio, 0.0) * den
        var = (resid ** 2).sum(axis=0) / ((n - 1) * n * (tot_den / n) ** 2)
        half = stats.t.ppf(0.5 + confidence / 2.0, n - 1) * np.sqrt(var)
    half = np.where(np.isfinite(ratio), half, np.nan)
    return ratio, ratio - half, ratio + half


def _summarise(per: dict[str, np.ndarray], keep: np.ndarray, reps: int, confidence: float) -> SimulationResult:
    sums = dict(per)
    sums["offered_minus_short"] = sums["offered"] - sums["short_abandoned"]
    n_int = keep.size
    rows: dict[str, np.ndarray] = {"interval": np.arange(n_int), "offered": sums["offered"].mean(axis=0)}
    overall: dict[str, float] = {"offered": float(sums["offered"][:, keep].sum(axis=1).mean())}
    for key, (num, den) in RATIOS.items():
        mean, lo, hi = pooled_ratio(sums[num], sums[den], confidence)
        rows[key], rows[f"{key}_lo"], rows[f"{key}_hi"] = mean, lo, hi
        mean, lo, hi = pooled_ratio(sums[num][:, keep].sum(axis=1, keepdims=True),
                                    sums[den][:, keep].sum(axis=1, keepdims=True), confidence)
        overall[key], overall[f"{key}_lo"], overall[f"{key}_hi"] = float(mean[0]), float(lo[0]), float(hi[0])
    return SimulationResult(pd.DataFrame(rows), overall, reps, confidence, {k: per[k] for k in SUM_NAMES})
