"""Caller patience from abandonments and waits (exponential patience, as Erlang A assumes).

With exponential patience every second of waiting carries the same hang-up
hazard θ, so θ̂ = abandoned calls ÷ total seconds all callers waited — the
maximum-likelihood estimate for waits cut short by an answer, with the exact
Poisson (Garwood) interval (scheduler/staffing/patience.py). Mean patience = 1/θ̂.

From per-call records the hazard is also given per band of waiting time, the
check of the exponential assumption: a constant hazard across bands means
exponential patience; a falling one means impatient callers leave early and
the rest wait long (the mean still gives Erlang A's abandonment to first
order, Mandelbaum & Zeltyn 2007).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from scheduler.staffing.patience import estimate_patience

__all__ = ["PatienceFit", "WAIT_BANDS_S", "patience_from_calls", "patience_from_intervals"]

WAIT_BANDS_S = (0.0, 10.0, 30.0, 60.0, 120.0, 300.0, np.inf)


@dataclass(frozen=True)
class PatienceFit:
    mean_s: float
    lower_s: float
    upper_s: float
    abandoned: float
    waiting_s: float
    confidence: float
    hazard_by_wait: tuple[dict, ...] = ()      # per band: from_s, to_s, waiting_s, abandoned, mean_patience_s


def _fit(abandoned: float, waiting_s: float, confidence: float) -> PatienceFit:
    est = estimate_patience(np.array([abandoned]), np.array([1.0]), np.array([waiting_s]), confidence)
    return PatienceFit(est.mean_patience_s, est.lower_s, est.upper_s, est.abandoned, est.waiting_s, confidence)


def patience_from_calls(calls: pd.DataFrame, confidence: float = 0.95) -> PatienceFit:
    """One queue's calls (wait_s, outcome): pooled estimate plus the hazard per band of waiting."""
    wait = calls["wait_s"].to_numpy(float)
    gave_up = calls["outcome"].eq("abandoned").to_numpy()
    fit = _fit(float(gave_up.sum()), float(wait.sum()), confidence)
    bands = []
    for lo, hi in zip(WAIT_BANDS_S, WAIT_BANDS_S[1:]):
        exposure = float(np.clip(wait - lo, 0.0, hi - lo).sum())
        events = float((gave_up & (wait >= lo) & (wait < hi)).sum())
        bands.append({"from_s": lo, "to_s": hi, "waiting_s": exposure, "abandoned": events,
                      "mean_patience_s": exposure / events if events else None})
    return PatienceFit(**{**fit.__dict__, "hazard_by_wait": tuple(bands)})


def patience_from_intervals(history: pd.DataFrame, confidence: float = 0.95) -> PatienceFit:
    """One queue's interval rows with abandoned and wait_s_total."""
    return _fit(float(history["abandoned"].sum()), float(history["wait_s_total"].sum()), confidence)
