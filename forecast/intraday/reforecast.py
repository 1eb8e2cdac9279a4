"""The rest of today: the day-ahead forecast scaled by how today is running, with an honest band.

Method (one a planner can follow): the remaining intervals keep the day-ahead
forecast's shape and are multiplied by today's observed ratio actual ÷
forecast, where
- the ratio weighs recent intervals most (half-life `recency_half_life_min`):
  within a day the bank data's deviations persist for one to two hours, so
  the last hour says more about the afternoon than 07:00 does;
- the ratio is shrunk towards 1 by how little volume it rests on compared
  with the forecast's own day-level uncertainty (normal–normal: weight =
  prior ÷ (prior + sampling variance)). The prior variance is the band's
  whole-day level part, or the observed deviation itself when that is far
  larger (a +40% surge is believed, not shrunk to +10%);
- its excess over 1 fades with the time ahead (time constant
  `decay_time_constant_min`): deviations do not last for ever.
The defaults were chosen on the bank data (fpp2) on May–August 2003 and
tested on September–October (bench/bench_intraday.py). The band keeps its
shape and is rebuilt from the same parts: Poisson and interval noise scaled
with the new level, the level part replaced by the ratio's remaining
uncertainty (which grows back to the day-ahead one as the ratio fades).

AHT is updated the same way without recency or fading: all of today's
contacts, volume-weighted, shrunk towards the forecast as if
`aht_prior_contacts` contacts had been handled at forecast AHT (there is no
public AHT history to tune it on).
"""
from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np
import pandas as pd

from forecast.engine import FORECAST_COLUMNS
from forecast.intraday.frames import BandParts, QueueDay, band_parts, queue_days

log = logging.getLogger(__name__)

METHOD = "intraday_ratio"


@dataclass(frozen=True)
class ReforecastSettings:
    """How today's actuals move the rest of the day (defaults tuned on fpp2, May–Aug 2003)."""

    recency_half_life_min: float = 30.0          # weight of an interval halves every 30 min of age
    decay_time_constant_min: float | None = 480.0  # excess ratio × exp(−minutes ahead / 480); None keeps it all day
    level_share: float = 0.7                     # share of the band's beyond-Poisson variance that is day level
    aht_prior_contacts: float = 400.0            # (per-call AHT CV 1 ÷ day-level AHT CV 0.05)²


@dataclass(frozen=True)
class RatioEstimate:
    """Today's contacts ratio for one queue: the raw recent ratio and what is kept of it."""

    queue: str
    observed: float                   # recency-weighted actual ÷ forecast (1 with no data)
    ratio: float                      # shrunk towards 1
    variance: float                   # its remaining variance (relative²)
    prior_variance: float             # the band's day-level variance (relative²)
    aht_ratio: float                  # shrunk actual ÷ forecast AHT (1 with no data)
    intervals: int                    # finished intervals with actuals


def day_level_variance(day: QueueDay, parts: BandParts) -> float:
    """The band's whole-day level uncertainty, relative to the day's forecast volume."""
    volume = float(day.contacts.sum())
    return float((parts.level_sd.sum() / volume) ** 2) if volume > 0 else 0.0


def shrink(observed: float, sampling_var: float, prior_var: float) -> tuple[float, float]:
    """Normal–normal shrinkage of a ratio towards 1; the prior widens to the deviation when that is larger.

    Using max(prior, (r − 1)² − sampling) — the marginal-likelihood estimate
    of the prior variance from this one ratio — keeps the estimate monotone in
    r and stops a real surge far outside the band being shrunk away.
    """
    if sampling_var <= 0:
        return observed, 0.0
    prior = max(prior_var, (observed - 1.0) ** 2 - sampling_var)
    if prior <= 0:
        return 1.0, 0.0
    weight = prior / (prior + sampling_var)
    return 1.0 + weight * (observed - 1.0), prior * sampling_var / (prior + sampling_var)


def aht_ratio(day: QueueDay, prior_contacts: float) -> float:
    """Volume-weighted actual ÷ forecast AHT over today's finished intervals, shrunk towards 1."""
    volume = np.where(day.observed, day.actual, 0.0)
    usable = day.observed & np.isfinite(day.actual_aht_s) & np.isfinite(day.aht_s) & (volume > 0)
    calls = float(volume[usable].sum())
    if calls <= 0:
        return 1.0
    actual = float((volume[usable] * day.actual_aht_s[usable]).sum())
    forecast = float((volume[usable] * day.aht_s[usable]).sum())
    if forecast <= 0:
        return 1.0
    prior = prior_contacts * forecast / calls
    return (actual + prior) / (forecast + prior)


def estimate_ratio(day: QueueDay, settings: ReforecastSettings) -> RatioEstimate:
    """Today's ratio for one queue from its finished intervals."""
    parts = band_parts(day.contacts, day.contacts_lo, day.contacts_hi, settings.level_share)
    prior_var = day_level_variance(day, parts)
    obs = day.observed
    aht = aht_ratio(day, settings.aht_prior_contacts)
    if not obs.any():
        return RatioEstimate(day.queue, 1.0, 1.0, prior_var, prior_var, aht, 0)
    age_min = -day.minutes_after_now(day.end[obs])
    weight = 0.5 ** (age_min / settings.recency_half_life_min)
    forecast = day.contacts[obs]
    weighted_forecast = float((weight * forecast).sum())
    if weighted_forecast <= 0:
        return RatioEstimate(day.queue, 1.0, 1.0, prior_var, prior_var, aht, int(obs.sum()))
    observed = float((weight * day.actual[obs]).sum()) / weighted_forecast
    sampling_var = float((weight ** 2 * parts.noise_var[obs]).sum()) / weighted_forecast ** 2
    ratio, variance = shrink(observed, sampling_var, prior_var)
    return RatioEstimate(day.queue, observed, ratio, variance, prior_var, aht, int(obs.sum()))


def fade(minutes_ahead: np.ndarray, settings: ReforecastSettings) -> np.ndarray:
    """How much of today's excess ratio is kept this far ahead (1 = all of it)."""
    if settings.decay_time_constant_min is None:
        return np.ones_like(minutes_ahead)
    return np.exp(-np.maximum(minutes_ahead, 0.0) / settings.decay_time_constant_min)


def rest_of_day(day: QueueDay, estimate: RatioEstimate, settings: ReforecastSettings) -> pd.DataFrame:
    """Forecast rows for the intervals starting at or after now, scaled and with the band rebuilt."""
    ahead = day.start >= day.now
    f = day.contacts[ahead]
    lo, hi = day.contacts_lo[ahead], day.contacts_hi[ahead]
    parts = band_parts(f, lo, hi, settings.level_share)
    midpoint = day.start[ahead] + pd.Timedelta(minutes=day.interval_min / 2)
    kept = fade(day.minutes_after_now(midpoint), settings)
    ratio = 1.0 + (estimate.ratio - 1.0) * kept
    ratio_var = kept ** 2 * estimate.variance + (1.0 - kept ** 2) * estimate.prior_variance
    contacts = ratio * f
    # The level part keeps the band's spread over the day, resized to the ratio's variance; a band
    # with no level part (Poisson-wide) takes the ratio's variance in proportion to volume.
    level_shape = parts.level_sd ** 2 / estimate.prior_variance if estimate.prior_variance > 0 else f ** 2
    idiosyncratic = parts.noise_var - parts.poisson_var
    new_var = ratio * parts.poisson_var + ratio ** 2 * idiosyncratic + level_shape * ratio_var
    widen = np.sqrt(np.maximum(new_var, 0.0) / parts.total_var)
    return pd.DataFrame({
        "queue": day.queue,
        "start": day.start[ahead],
        "contacts": contacts,
        "contacts_lo": np.maximum(contacts - np.maximum(f - lo, 0.0) * widen, 0.0),
        "contacts_hi": contacts + np.maximum(hi - f, 0.0) * widen,
        "aht_s": day.aht_s[ahead] * estimate.aht_ratio,
        "model": f"{METHOD}({day.model})",
    })


def estimate_ratios(forecast: pd.DataFrame, actuals: pd.DataFrame, now: pd.Timestamp | str,
                    settings: ReforecastSettings | None = None, *,
                    interval_min: int | None = None) -> dict[str, RatioEstimate]:
    """Per queue, the ratio reforecast applies (for reports: 'running +12%, planning on +9%')."""
    settings = settings or ReforecastSettings()
    return {queue: estimate_ratio(day, settings)
            for queue, day in queue_days(forecast, actuals, now, interval_min).items()}


def reforecast(forecast: pd.DataFrame, actuals: pd.DataFrame, now: pd.Timestamp | str,
               settings: ReforecastSettings | None = None, *, interval_min: int | None = None) -> pd.DataFrame:
    """Today's remaining intervals (start ≥ now, now's local date) in the forecast frame's columns.

    The interval in progress at `now` is neither used nor returned; later days
    are not returned. Actual rows at or after `now` are never read.
    """
    settings = settings or ReforecastSettings()
    frames = []
    for queue, day in queue_days(forecast, actuals, now, interval_min).items():
        estimate = estimate_ratio(day, settings)
        log.debug("%s: observed ratio %.3f over %d intervals, planning on %.3f (sd %.3f), AHT ×%.3f", queue,
                  estimate.observed, estimate.intervals, estimate.ratio, np.sqrt(estimate.variance),
                  estimate.aht_ratio)
        frames.append(rest_of_day(day, estimate, settings))
    if not frames:
        return pd.DataFrame({column: [] for column in FORECAST_COLUMNS})
    return pd.concat(frames, ignore_index=True)[FORECAST_COLUMNS]
