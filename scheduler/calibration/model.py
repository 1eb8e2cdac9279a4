"""The staffing model being calibrated, as a prediction per interval.

Erlang A (or C without patience) with the interval's offered calls and handle
time, and the agents on duty. Availability enters as an after-call pause:
each agent, after a call, is unavailable for `after_call_s` on average before
taking the next waiting call, so the effective handle time is aht + pause
(the usual wrap-up treatment; see availability.py for how the pause is
measured). `availability_factor` scales the agents instead — the constant
fitted factor the calibrated model is compared with. Fractional agents: linear
interpolation between floor and ceil, as the projected service level does.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from scheduler.staffing import erlang_a, erlang_c

__all__ = ["StaffingModel", "predict", "effective_agents_share"]


@dataclass(frozen=True)
class StaffingModel:
    name: str
    patience_s: float | None            # None: Erlang C (callers never hang up)
    after_call_s: float = 0.0
    availability_factor: float = 1.0


def _metrics(model: StaffingModel, agents: np.ndarray, load: np.ndarray, aht: np.ndarray,
             target_s: float) -> dict[str, np.ndarray]:
    if model.patience_s:
        m = erlang_a.metrics(agents, load, aht, model.patience_s, target_s)
        return {"sl": m["service_level"], "abandon": m["prob_abandon"], "asa_s": m["asa_s"]}
    m = erlang_c.metrics(agents, load, aht, target_s)
    sl = np.where(load > 0, m["service_level"], 1.0)
    return {"sl": sl, "abandon": np.zeros_like(sl), "asa_s": np.where(load > 0, m["asa_s"], 0.0)}


def predict(model: StaffingModel, offered: np.ndarray, aht_s: np.ndarray, agents_on_duty: np.ndarray,
            interval_s: float, target_s: float) -> dict[str, np.ndarray]:
    """Predicted service level (answered within target ÷ offered), abandonment (÷ offered) and ASA
    (mean wait of all offered calls, s) per interval."""
    offered = np.asarray(offered, dtype=float)
    aht = np.asarray(aht_s, dtype=float) + model.after_call_s
    n = np.maximum(np.asarray(agents_on_duty, dtype=float) * model.availability_factor, 0.0)
    load = offered * aht / interval_s
    lo = np.floor(n)
    frac = n - lo
    m_lo = _metrics(model, lo, load, aht, target_s)
    m_hi = _metrics(model, lo + 1.0, load, aht, target_s)
    out = {}
    for key in m_lo:
        with np.errstate(invalid="ignore"):
            mixed = m_lo[key] + frac * (m_hi[key] - m_lo[key])
        # an unstable floor (Erlang C, agents ≤ load) for part of the interval: the mean wait is infinite
        out[key] = np.where((frac > 0) & np.isfinite(m_lo[key]), mixed, m_lo[key])
    return out


def effective_agents_share(aht_s: float, after_call_s: float) -> float:
    """Share of agents on duty effectively answering: with a pause p after each call of mean length h,
    the agents' capacity is that of N·h/(h + p) agents without pauses."""
    return aht_s / (aht_s + after_call_s)
