"""How many of the agents on duty are really available: the pause before the next waiting call.

Agents on duty are not all available: between calls they take short breaks,
do after-call work or other tasks. In records where callers waited while some
agent on duty sat idle (in the October 1999 bank, all agents on duty were busy
during only about a fifth of the time callers waited), that is plain to see.
The model: after each call an agent is unavailable for a pause of mean p before
taking the next waiting call, so the effective handle time is aht + p.

Measured, not tuned, from per-call records: when an agent finishes a call
while callers of the queue are waiting, the time until that agent answers
their next call is their pause — provided someone was still waiting when they
came back. If the queue emptied first (other agents took everyone), the pause
is only known to be longer than that: right-censored. The mean pause is the
Kaplan–Meier restricted mean up to the session gap (a longer gap ends the
session: off duty, not a pause). Its interval is a seeded bootstrap over days
(pauses within a day are not independent).

From interval records only (no agent activity), the pause cannot be seen; it
is then fitted: the value whose Erlang A predictions best explain the fit
sample's abandoned and answered-within-target counts (binomial deviance), with
a bootstrap-over-days interval. With per-call records that fitted value is
reported beside the measured one as a cross-check.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np
import pandas as pd
from scipy import optimize

from scheduler.calibration.model import StaffingModel, predict
from scheduler.calibration.presence import Sessions, epoch_s

__all__ = ["PauseSample", "pause_sample", "restricted_mean", "PauseEstimate", "estimate_pause",
           "all_busy_share_of_waiting", "ScalarFit", "fit_scalar"]


@dataclass(frozen=True)
class PauseSample:
    duration_s: np.ndarray       # observed pause, or time until the queue emptied (censored)
    observed: np.ndarray         # True: the agent came back while callers still waited
    day: np.ndarray              # local date of the call end, for the bootstrap


def _waiting_process(calls: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Queue-waiting spans [arrival, arrival + wait] of callers who waited, and the moments it empties."""
    waited = calls[calls["wait_s"] > 0]
    a = epoch_s(waited["arrival"])
    b = a + waited["wait_s"].to_numpy(float)
    times = np.r_[a, b]
    delta = np.r_[np.ones(a.size), -np.ones(b.size)]
    order = np.lexsort((-delta, times))          # at a tie, a new arrival before a departure
    times, delta = times[order], delta[order]
    count = np.cumsum(delta)
    empties = times[count == 0]
    return np.sort(a), np.sort(b), empties


def pause_sample(duty: Sessions, calls: pd.DataFrame, queue: str, timezone: str) -> PauseSample:
    """Pauses after every call of `queue` that ended while one of its callers was waiting."""
    part = calls[calls["queue"] == queue]
    a_sorted, b_sorted, empties = _waiting_process(part)
    own = duty.calls[duty.calls["queue"] == queue]
    same = (own["session"].to_numpy()[1:] == own["session"].to_numpy()[:-1])
    end = own.groupby("session")["end_s"].cummax().to_numpy()[:-1][same]
    nxt = own["start_s"].to_numpy()[1:][same]
    # callers waiting at the moment the call ended: arrived before it, still there at it
    waiting = np.searchsorted(a_sorted, end, side="left") - np.searchsorted(b_sorted, end, side="left")
    busy_end = waiting > 0
    end, nxt = end[busy_end], nxt[busy_end]
    k = np.searchsorted(empties, end, side="left")
    empty_at = np.where(k < empties.size, empties[np.minimum(k, empties.size - 1)], np.inf)
    gap = np.maximum(nxt - end, 0.0)
    observed = nxt <= empty_at
    duration = np.where(observed, gap, np.maximum(empty_at - end, 0.0))
    day = pd.to_datetime(end, unit="s", utc=True).tz_convert(timezone).strftime("%Y-%m-%d").to_numpy()
    return PauseSample(duration, observed, day)


def restricted_mean(duration: np.ndarray, observed: np.ndarray, horizon_s: float) -> float:
    """Kaplan–Meier restricted mean ∫₀^horizon S(t) dt of right-censored durations."""
    if duration.size == 0:
        return float("nan")
    order = np.argsort(duration, kind="stable")
    t, d = duration[order], observed[order]
    times, first = np.unique(t, return_index=True)
    events = np.add.reduceat(d.astype(float), first)
    at_risk = t.size - first
    surv = np.cumprod(1.0 - events / at_risk)
    # S(t) is 1 before the first time, then surv[j] on [times[j], times[j+1])
    edges = np.r_[0.0, np.minimum(times, horizon_s), horizon_s]
    heights = np.r_[1.0, surv]
    return float(np.sum(heights * np.diff(edges)))


@dataclass(frozen=True)
class PauseEstimate:
    mean_s: float
    lower_s: float
    upper_s: float
    pauses: int
    censored: int
    confidence: float


def estimate_pause(sample: PauseSample, horizon_s: float, confidence: float = 0.95, seed: int = 0,
                   bootstrap: int = 200) -> PauseEstimate:
    """Restricted mean pause with a bootstrap-over-days interval."""
    mean = restricted_mean(sample.duration_s, sample.observed, horizon_s)
    days, codes = np.unique(sample.day, return_inverse=True)
    groups = [np.flatnonzero(codes == j) for j in range(days.size)]
    rng = np.random.default_rng(seed)
    boot = []
    for _ in range(bootstrap if days.size > 1 else 0):
        pick = np.concatenate([groups[j] for j in rng.integers(0, days.size, days.size)])
        boot.append(restricted_mean(sample.duration_s[pick], sample.observed[pick], horizon_s))
    alpha = (1.0 - confidence) / 2.0
    lo, hi = (float(np.quantile(boot, alpha)), float(np.quantile(boot, 1 - alpha))) if boot else (np.nan, np.nan)
    return PauseEstimate(mean, lo, hi, int(sample.observed.sum()), int((~sample.observed).sum()), confidence)


def all_busy_share_of_waiting(duty: Sessions, calls: pd.DataFrame, queue: str) -> float:
    """Share of the callers' total waiting time during which every agent on duty was on a call.

    A plain Erlang model says 1: callers wait only when all agents are busy.
    """
    part = calls[calls["queue"] == queue]
    waited = part[part["wait_s"] > 0]
    wa = epoch_s(waited["arrival"])
    sess = duty.spans[duty.spans["queue"] == queue]
    own = duty.calls[duty.calls["queue"] == queue]
    steps = [(wa, wa + waited["wait_s"].to_numpy(float), 0),
             (sess["start_s"].to_numpy(float), sess["end_s"].to_numpy(float), 1),
             (own["start_s"].to_numpy(float), own["end_s"].to_numpy(float), 2)]
    times = np.concatenate([np.r_[a, b] for a, b, _ in steps])
    deltas = np.zeros((times.size, 3))
    pos = 0
    for a, b, col in steps:
        deltas[pos:pos + a.size, col] = 1.0
        deltas[pos + a.size:pos + a.size + b.size, col] = -1.0
        pos += a.size + b.size
    order = np.argsort(times, kind="stable")
    times, deltas = times[order], deltas[order]
    level = np.cumsum(deltas, axis=0)[:-1]
    width = np.diff(times)
    waiting, on_duty, busy = level[:, 0], level[:, 1], level[:, 2]
    total = float((waiting * width).sum())
    if total <= 0:
        return float("nan")
    return float((waiting * width * (busy >= on_duty - 1e-9)).sum() / total)


@dataclass(frozen=True)
class ScalarFit:
    value: float
    lower: float
    upper: float
    confidence: float


def _deviance(count: np.ndarray, n: np.ndarray, p: np.ndarray) -> float:
    p = np.clip(p, 1e-9, 1 - 1e-9)
    with np.errstate(divide="ignore", invalid="ignore"):
        a = np.where(count > 0, count * np.log(count / (n * p)), 0.0)
        b = np.where(n - count > 0, (n - count) * np.log((n - count) / (n * (1 - p))), 0.0)
    return float(2.0 * np.sum(a + b))


def fit_scalar(rows: pd.DataFrame, make_model: Callable[[float], StaffingModel], bounds: tuple[float, float],
               interval_s: float, target_s: float, confidence: float = 0.95, seed: int = 0,
               bootstrap: int = 100) -> ScalarFit:
    """The parameter value whose predictions best explain abandoned and answered-within-target counts.

    rows: interval facts (offered, abandoned, answered_within_target, aht_s,
    agents_on_duty, day). Binomial deviance of both counts, minimised on
    `bounds`; interval by a seeded bootstrap over days.
    """
    offered = rows["offered"].to_numpy(float)
    ab = rows["abandoned"].to_numpy(float)
    ok = rows["answered_within_target"].to_numpy(float)
    aht = rows["aht_s"].to_numpy(float)
    agents = rows["agents_on_duty"].to_numpy(float)

    def best(idx: np.ndarray) -> float:
        def loss(x: float) -> float:
            p = predict(make_model(x), offered[idx], aht[idx], agents[idx], interval_s, target_s)
            return _deviance(ab[idx], offered[idx], p["abandon"]) + _deviance(ok[idx], offered[idx], p["sl"])
        return float(optimize.minimize_scalar(loss, bounds=bounds, method="bounded",
                                              options={"xatol": 1e-3 * (bounds[1] - bounds[0])}).x)

    value = best(np.arange(len(rows)))
    days, codes = np.unique(rows["day"].to_numpy(), return_inverse=True)
    groups = [np.flatnonzero(codes == j) for j in range(days.size)]
    rng = np.random.default_rng(seed)
    boot = [best(np.concatenate([groups[j] for j in rng.integers(0, days.size, days.size)]))
            for _ in range(bootstrap if days.size > 1 else 0)]
    alpha = (1.0 - confidence) / 2.0
    lo, hi = (float(np.quantile(boot, alpha)), float(np.quantile(boot, 1 - alpha))) if boot else (np.nan, np.nan)
    return ScalarFit(value, lo, hi, confidence)
