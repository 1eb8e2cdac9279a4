"""Staffing under forecast uncertainty: meet the goal with a stated probability.

Staffing to the point forecast meets the service level about half the time.
Every target (service level, ASA, abandonment, occupancy) gets worse as
volume grows, so "P(goal met) ≥ q" is the same as "the goal is met at the
q-quantile of volume": staff for that quantile. The forecast gives a median
(contacts) and a central interval (contacts_lo, contacts_hi, coverage
`interval_level`, 0.8 by default); between and beyond those the volume is
taken as a split normal, one standard deviation per side, so a skewed
interval stays skewed. The randomness meant is the forecast error of the
arrival *rate*; the Poisson noise around a known rate is already inside the
queueing formulas. Handle-time uncertainty is not modelled.
"""
from __future__ import annotations

import numpy as np
from scipy import stats

from rules.service_goal import ServiceGoal
from scheduler.staffing import models

__all__ = ["contacts_quantile", "contacts_cdf", "agents_required_at_level", "probability_goal_met"]


def _sides(point, lo, hi, interval_level):
    z = stats.norm.ppf(0.5 + interval_level / 2.0)
    p = np.asarray(point, dtype=float)
    lo = np.where(np.isfinite(np.asarray(lo, dtype=float)), lo, p)
    hi = np.where(np.isfinite(np.asarray(hi, dtype=float)), hi, p)
    return p, np.maximum(p - lo, 0.0) / z, np.maximum(hi - p, 0.0) / z


def contacts_quantile(point: np.ndarray, lo: np.ndarray, hi: np.ndarray, q: float,
                      interval_level: float = 0.8) -> np.ndarray:
    """The q-quantile of contacts under the split normal through (lo, median, hi); never below 0."""
    p, s_lo, s_hi = _sides(point, lo, hi, interval_level)
    z = stats.norm.ppf(q)
    return np.maximum(p + z * (s_hi if q >= 0.5 else s_lo), 0.0)


def contacts_cdf(x: np.ndarray, point: np.ndarray, lo: np.ndarray, hi: np.ndarray,
                 interval_level: float = 0.8) -> np.ndarray:
    """P(contacts ≤ x) under the same split normal (a step at the median where a side has no spread)."""
    p, s_lo, s_hi = _sides(point, lo, hi, interval_level)
    x = np.asarray(x, dtype=float)
    s = np.where(x >= p, s_hi, s_lo)
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.where(s > 0, (x - p) / s, np.where(x >= p, np.inf, -np.inf))
    return stats.norm.cdf(z)


def agents_required_at_level(contacts: np.ndarray, contacts_lo: np.ndarray, contacts_hi: np.ndarray,
                             aht_s: np.ndarray, interval_s: float, goal: ServiceGoal, level: float,
                             interval_level: float = 0.8) -> np.ndarray:
    """Least agents with P(goal met) ≥ level: the requirement at the level-quantile of contacts."""
    from scheduler.staffing.requirements import agents_required
    q = contacts_quantile(contacts, contacts_lo, contacts_hi, level, interval_level)
    return agents_required(q, aht_s, interval_s, goal)


def probability_goal_met(contacts: np.ndarray, contacts_lo: np.ndarray, contacts_hi: np.ndarray,
                         aht_s: np.ndarray, interval_s: float, agents_net: np.ndarray, goal: ServiceGoal,
                         interval_level: float = 0.8, iterations: int = 40) -> np.ndarray:
    """P(goal met) with the given whole net agents: P(contacts ≤ the most these agents can serve)."""
    c = np.asarray(contacts, dtype=float)
    h = np.broadcast_to(np.asarray(aht_s, dtype=float), c.shape)
    n = np.broadcast_to(np.asarray(agents_net, dtype=float), c.shape)
    upper = np.broadcast_to(np.asarray(contacts_hi, dtype=float), c.shape)
    lo_c = np.zeros(c.shape)
    hi_c = np.maximum(np.nan_to_num(upper, nan=0.0), c) * 4.0 + 10.0
    for _ in range(iterations):                         # bisection on the volume the staffing can take
        mid = 0.5 * (lo_c + hi_c)
        ok = models.agents_required(mid, h, interval_s, goal) <= n
        lo_c = np.where(ok, mid, lo_c)
        hi_c = np.where(ok, hi_c, mid)
    return contacts_cdf(lo_c, c, contacts_lo, contacts_hi, interval_level)
