"""Mean caller patience from history that has abandonment.

With exponential patience at rate θ, every second a caller spends waiting
carries the same hazard θ of hanging up, whether the call is later answered
or not. So θ = (abandoned calls) ÷ (total seconds all callers spent waiting),
the same as P(abandon) ÷ E[wait] with the wait averaged over all offered calls
(abandoned ones up to their hang-up). It is the maximum-likelihood estimate
for waits censored by service, pools correctly across intervals of different
load, and needs no knowledge of the staffing. Mean patience = 1/θ.

The abandonment count given the waiting exposure is Poisson, so the interval
for θ is the exact chi-square (Garwood) interval; patience's interval is its
reciprocal. Caveats: short abandons (callers hanging up in the first seconds,
often IVR artefacts) inflate θ — drop them first if the data has them; and
patience is rarely truly exponential, so check the abandonment curve if the
data allows.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from common.errors import InputError

__all__ = ["PatienceEstimate", "estimate_patience", "patience_from_history"]


@dataclass(frozen=True)
class PatienceEstimate:
    mean_patience_s: float
    lower_s: float
    upper_s: float
    abandoned: float
    waiting_s: float          # total seconds callers spent waiting (the exposure)
    confidence: float


def estimate_patience(abandoned: np.ndarray, offered: np.ndarray, mean_wait_s: np.ndarray,
                      confidence: float = 0.95) -> PatienceEstimate:
    """Pool intervals: θ̂ = Σ abandoned / Σ offered × mean wait (mean over all offered calls)."""
    ab = np.asarray(abandoned, dtype=float)
    off = np.asarray(offered, dtype=float)
    w = np.asarray(mean_wait_s, dtype=float)
    ok = np.isfinite(ab) & np.isfinite(off) & np.isfinite(w)
    if ((ab[ok] < 0) | (off[ok] < 0) | (w[ok] < 0)).any():
        raise InputError("history", "abandoned, contacts and wait_s must be ≥ 0", "fix the negative values")
    k = float(ab[ok].sum())
    exposure = float((off[ok] * w[ok]).sum())
    if k <= 0 or exposure <= 0:
        raise InputError("history", "no abandoned calls (or no waiting) to estimate patience from",
                         "set patience_s by hand, or use history with abandonment and waiting times")
    alpha = 1.0 - confidence
    theta_lo = stats.chi2.ppf(alpha / 2.0, 2.0 * k) / 2.0 / exposure
    theta_hi = stats.chi2.ppf(1.0 - alpha / 2.0, 2.0 * k + 2.0) / 2.0 / exposure
    upper = float(1.0 / theta_lo) if theta_lo > 0 else float("inf")
    return PatienceEstimate(exposure / k, float(1.0 / theta_hi), upper, k, exposure, confidence)


def patience_from_history(history: pd.DataFrame, queue: str | None = None,
                          confidence: float = 0.95) -> PatienceEstimate:
    """From the history frame: needs contacts, abandoned and wait_s (mean wait over all offered calls)."""
    need = [c for c in ("contacts", "abandoned", "wait_s") if c not in history.columns]
    if need:
        raise InputError("history", f"missing column(s) {', '.join(need)} for a patience estimate",
                         "add abandoned and wait_s (mean seconds waited by all offered contacts, "
                         "abandoned ones up to hang-up)")
    part = history if queue is None else history[history["queue"] == queue]
    return estimate_patience(part["abandoned"].to_numpy(float), part["contacts"].to_numpy(float),
                             part["wait_s"].to_numpy(float), confidence)
