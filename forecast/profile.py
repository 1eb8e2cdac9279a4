"""Intraday profile (share of the day per interval), daily totals and intraday noise.

Daily-total models forecast one number per day; the profile spreads it over
the day's open intervals. Keeping the two apart is what makes the intervals add
up to a sensible day and lets any daily model work at any interval length.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.optimize import nnls

from forecast.panel import Panel

PROFILE_WEEKS = 26          # recent weeks of each weekday that shape its profile
HALF_LIFE_WEEKS = 16.0      # ... weighted so a week this old counts half as much as the latest
SMOOTH_BELOW_MIN = 15       # intervals shorter than this get their shares smoothed over neighbours
MIN_OBSERVED_SHARE = 0.5    # a day with less of its volume observed counts as missing


@dataclass
class DayProfile:
    shares: np.ndarray          # (7, slots), rows sum to 1 over open slots (0 elsewhere)
    clean: np.ndarray           # (days,) True for complete ordinary days used to estimate it


def ordinary_days(panel: Panel) -> np.ndarray:
    """Days that are neither holidays nor planner special days."""
    names = panel.calendar.holiday_names(panel.dates)
    effects = panel.calendar.special_effects(panel.dates, panel.queue)
    return (names == "") & (effects == 1.0)


def _weighted_mean(rows: np.ndarray, values: np.ndarray, half_life_days: float) -> np.ndarray:
    """Recency-weighted mean of values[rows] (rows are day indices, the last one newest)."""
    age = rows[-1] - rows
    weight = 0.5 ** (age / half_life_days)
    return (values[rows] * weight[:, None]).sum(axis=0) / weight.sum()


def _smooth(shares: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """1-2-1 smoothing over neighbouring open slots (5-minute shares are mostly Poisson noise)."""
    padded = np.where(mask, shares, np.nan)
    left = np.roll(padded, 1)
    right = np.roll(padded, -1)
    left[0] = np.nan
    right[-1] = np.nan
    stack = np.vstack([padded, padded, left, right])
    weights = np.isfinite(stack) * np.array([[1.0], [1.0], [1.0], [1.0]])
    out = np.nansum(stack, axis=0) / np.maximum(weights.sum(axis=0), 1.0)
    return np.where(mask, out, 0.0)


def estimate_profile(panel: Panel, weeks: int = PROFILE_WEEKS, pool_weight: float = 0.3,
                     half_life_weeks: float = HALF_LIFE_WEEKS, smooth: bool = True) -> DayProfile:
    """Average of recent complete days' shares per weekday, shrunk towards the pooled profile.

    Shrinking towards the profile pooled over all weekdays (on the weekday's own
    open slots) tames noise at short intervals where one day's share of a
    5-minute slot is mostly Poisson noise.
    """
    y, open_cells = panel.y, panel.open_cells
    observed = np.isfinite(y)
    complete = (observed | ~open_cells).all(axis=1) & open_cells.any(axis=1)
    totals = np.where(open_cells, np.nan_to_num(y), 0.0).sum(axis=1)
    clean = complete & (totals > 0) & ordinary_days(panel)
    weekday = panel.weekday
    slots = panel.slots
    shares = np.zeros((7, slots))
    day_shares = np.where(open_cells, np.nan_to_num(y), 0.0) / np.where(totals > 0, totals, 1.0)[:, None]
    pooled_rows = np.flatnonzero(clean)[-weeks * 7:]
    half_life_days = half_life_weeks * 7.0
    pooled = _weighted_mean(pooled_rows, day_shares, half_life_days) if pooled_rows.size else np.zeros(slots)
    for w in range(7):
        mask = panel.open[w]
        if not mask.any():
            continue
        rows = np.flatnonzero(clean & (weekday == w))[-weeks:]
        own = _weighted_mean(rows, day_shares, half_life_days) if rows.size else None
        pool = np.where(mask, pooled, 0.0)
        pool = pool / pool.sum() if pool.sum() > 0 else None
        if own is None and pool is None:
            profile = mask / mask.sum()
        elif own is None:
            profile = pool
        elif pool is None:
            profile = own
        else:
            k = min(rows.size, 2.0 * half_life_weeks)
            weight_own = k / (k + pool_weight * weeks) if pool_weight > 0 else 1.0
            profile = weight_own * own + (1 - weight_own) * pool
        profile = np.where(mask, profile, 0.0)
        if panel.interval_min < SMOOTH_BELOW_MIN and smooth:
            profile = _smooth(profile, mask)
        total = profile.sum()
        shares[w] = profile / total if total > 0 else mask / mask.sum()
    return DayProfile(shares=shares, clean=clean)


def daily_totals(panel: Panel, profile: DayProfile) -> np.ndarray:
    """Contacts per day, scaling up partly observed days; NaN for gaps and closed weekdays.

    A day where less than half its usual volume was observed is a gap, not a
    small day, so a truncated export never drags the level down.
    """
    y, open_cells = panel.y, panel.open_cells
    share_table = profile.shares[panel.weekday]
    observed = np.isfinite(y) & open_cells
    seen_share = np.where(observed, share_table, 0.0).sum(axis=1)
    seen_total = np.where(observed, y, 0.0).sum(axis=1)
    open_day = open_cells.any(axis=1)
    n_open = open_cells.sum(axis=1)
    n_seen = observed.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        scaled = seen_total / seen_share
    # Zero-share days (an all-zero profile cannot happen, but an all-zero day can) fall back to counts.
    scaled = np.where(seen_share > 0, scaled, seen_total)
    enough = np.where(seen_share > 0, seen_share >= MIN_OBSERVED_SHARE, n_seen >= MIN_OBSERVED_SHARE * n_open)
    return np.where(open_day & enough & (n_seen > 0), scaled, np.nan)


@dataclass
class Noise:
    """Intraday variance around share × day total: var = poisson·m + extra·m²."""

    poisson: float
    extra: float

    def variance(self, mean: np.ndarray) -> np.ndarray:
        return self.poisson * mean + self.extra * mean ** 2


def estimate_noise(panel: Panel, profile: DayProfile, weeks: int = PROFILE_WEEKS) -> Noise:
    """Fit the interval noise on recent clean days (Poisson-like plus a share of the mean squared)."""
    rows = np.flatnonzero(profile.clean)[-weeks * 7:]
    if rows.size == 0:
        return Noise(1.0, 0.0)
    y = panel.y[rows]
    open_cells = panel.open_cells[rows]
    totals = np.where(open_cells, y, 0.0).sum(axis=1)
    mean = profile.shares[panel.weekday[rows]] * totals[:, None]
    use = open_cells & (mean > 0)
    if use.sum() < 10:
        return Noise(1.0, 0.0)
    m, e2 = mean[use], (y[use] - mean[use]) ** 2
    # Rows weighted by 1/m so the few busiest intervals do not decide the fit alone.
    w = 1.0 / np.sqrt(np.maximum(m, 1.0))
    coef, _ = nnls(np.column_stack([m * w, m ** 2 * w]), e2 * w)
    # Each day's profile was estimated with that day in it, which hides part of the noise.
    k = max(1.0, min(rows.size / 7.0, float(weeks)))
    inflate = k / max(k - 1.0, 1.0)
    return Noise(poisson=max(float(coef[0]), 0.5) * inflate, extra=float(coef[1]) * inflate)
