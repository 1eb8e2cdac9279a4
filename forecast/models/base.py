"""The model interface and the shared machinery of daily-total × profile models.

Every model takes a Panel (one queue on its local calendar) and returns, for
requested horizon dates, a mean and a standard deviation per (date, slot).
Prediction intervals are mean ± z·sd clipped at zero, so every model's
intervals are built and scored the same way.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field

import numpy as np
from scipy.stats import norm

from forecast.panel import Panel, weekday_of
from forecast.profile import DayProfile, Noise, daily_totals, estimate_noise, estimate_profile

log = logging.getLogger(__name__)

OUTLIER_Z = 5.0          # robust z of a day's log ratio to its expectation beyond which it is an outlier


@dataclass
class Prediction:
    """Forecast for horizon dates × slots; closed[d] marks dates forecast closed (e.g. holidays)."""

    dates: np.ndarray
    mean: np.ndarray
    sd: np.ndarray
    closed: np.ndarray = field(default=None)   # type: ignore[assignment]
    scales: dict[float, float] = field(default_factory=dict)   # backtest calibration of sd per level

    def __post_init__(self) -> None:
        if self.closed is None:
            self.closed = np.zeros(len(self.dates), dtype=bool)

    def scale_for(self, level: float) -> float:
        if not self.scales:
            return 1.0
        nearest = min(self.scales, key=lambda lvl: abs(lvl - level))
        return self.scales[nearest]

    def interval(self, level: float) -> tuple[np.ndarray, np.ndarray]:
        """Lower and upper bounds of the central `level`% prediction interval."""
        z = float(norm.ppf(0.5 + level / 200.0)) * self.scale_for(level)
        return np.maximum(self.mean - z * self.sd, 0.0), self.mean + z * self.sd


class ForecastModel:
    """fit(panel) learns from one queue's history; predict(dates) forecasts those local dates."""

    name = "model"

    def fit(self, panel: Panel) -> "ForecastModel":
        raise NotImplementedError

    def predict(self, dates: np.ndarray) -> Prediction:
        raise NotImplementedError


def open_day_index(dates: np.ndarray, open_weekdays: np.ndarray) -> np.ndarray:
    """Position of each date in the sequence of open weekdays counted from 1970-01-05 (a Monday)."""
    days = dates.astype("datetime64[D]").astype(np.int64) - 4
    weeks, wd = np.divmod(days, 7)
    before = np.searchsorted(np.sort(open_weekdays), wd)
    return weeks * len(open_weekdays) + before


@dataclass
class DailySeries:
    """One queue's daily totals on its open weekdays, ready for a daily model.

    values: gap-free series (gaps, outliers, holidays and special days imputed);
    raw: the same with NaN where imputed, except open holidays keep their
    volume so calendar models can learn from them; missing marks imputed days.
    """

    dates: np.ndarray
    weekday: np.ndarray
    values: np.ndarray
    raw: np.ndarray
    missing: np.ndarray
    holiday: np.ndarray            # holiday name per date ('' if none)
    after_closure: np.ndarray      # day after a holiday or after an open weekday with no data (catch-up)
    period: int
    open_weekdays: np.ndarray


class DailyTotalModel(ForecastModel):
    """Forecast daily totals with a time-series model, then spread them with the intraday profile.

    Subclasses implement _fit_daily / _predict_daily on the series of open days
    (gaps, holidays and outliers already imputed, `missing` says which), with
    period = number of open weekdays, so a Sunday–Thursday week is a period of 5.
    """

    learns_holidays = False     # True when the model estimates holiday effects itself

    def __init__(self) -> None:
        self.panel: Panel | None = None

    # --- to implement -------------------------------------------------
    def _fit_daily(self, daily: DailySeries) -> None:
        raise NotImplementedError

    def _predict_daily(self, steps: np.ndarray, dates: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Mean and sd of the daily total `steps` open days after the last history day."""
        raise NotImplementedError

    # --- shared -------------------------------------------------------
    def fit(self, panel: Panel) -> "DailyTotalModel":
        self.panel = panel
        self.profile, self.noise, self.daily, self.holiday_effects, self.default_holiday_effect = \
            prepare_daily(panel)
        daily = self.daily
        self.open_weekdays = daily.open_weekdays
        self.last_index = int(open_day_index(daily.dates[-1:], self.open_weekdays)[0]) if len(daily.dates) else 0
        self.all_zero = bool(np.nansum(daily.raw) == 0)
        if not self.all_zero and len(daily.dates):
            self._fit_daily(daily)
        return self

    def predict(self, dates: np.ndarray) -> Prediction:
        assert self.panel is not None, "fit first"
        weekday = weekday_of(dates)
        open_day = np.isin(weekday, self.open_weekdays)
        mean_t = np.zeros(len(dates))
        sd_t = np.zeros(len(dates))
        if open_day.any() and not self.all_zero and len(self.daily.dates):
            steps = open_day_index(dates[open_day], self.open_weekdays) - self.last_index
            m, s = self._predict_daily(steps, dates[open_day])
            mean_t[open_day] = np.maximum(m, 0.0)
            sd_t[open_day] = s
        effect = self.day_effects(dates)
        mean_t, sd_t = mean_t * effect, sd_t * effect
        return spread_over_day(self.profile, self.noise, dates, mean_t, sd_t, closed=effect == 0.0)

    def day_effects(self, dates: np.ndarray) -> np.ndarray:
        """Multiplier per horizon date from holidays learned in history and planner special days."""
        panel = self.panel
        assert panel is not None
        names = panel.calendar.holiday_names(dates)
        effect = np.ones(len(dates))
        for i, name in enumerate(names):
            if name:
                learned = self.holiday_effects.get(name, self.default_holiday_effect)
                # A calendar model has its own holiday term; only the closure rule is shared.
                effect[i] = (0.0 if learned == 0.0 else 1.0) if self.learns_holidays else learned
        return effect * panel.calendar.special_effects(dates, panel.queue)


def spread_over_day(profile: DayProfile, noise: Noise, dates: np.ndarray, mean_t: np.ndarray,
                    sd_t: np.ndarray, closed: np.ndarray | None = None) -> Prediction:
    """Daily totals (mean, sd) to interval forecasts: share × total, variance from both levels."""
    shares = profile.shares[weekday_of(dates)]
    mean = shares * mean_t[:, None]
    var = shares ** 2 * (sd_t ** 2)[:, None] + noise.variance(mean)
    return Prediction(dates, mean, np.sqrt(var), closed=closed)


def prepare_daily(panel: Panel) -> tuple[DayProfile, Noise, DailySeries, dict[str, float], float]:
    """Profile, intraday noise and the cleaned daily series shared by every daily model.

    Cached on the panel: in a backtest the same truncated panel feeds several
    daily models, and this is a large share of their cost.
    """
    cached = panel.extra.get("daily")
    if cached is not None:
        return cached
    profile = estimate_profile(panel)
    noise = estimate_noise(panel, profile)
    weekday = panel.weekday
    open_weekdays = panel.open_weekdays
    on_open = np.isin(weekday, open_weekdays)
    dates = panel.dates[on_open]
    wd = weekday[on_open]
    totals = daily_totals(panel, profile)[on_open]
    holiday = panel.calendar.holiday_names(dates)
    special = panel.calendar.special_effects(dates, panel.queue)
    clean = totals.copy()
    clean[(holiday != "") | (special != 1.0)] = np.nan
    expected = seasonal_expectation(clean, wd)
    outlier = find_outliers(clean, expected)
    clean[outlier] = np.nan
    expected = seasonal_expectation(clean, wd)
    missing = ~np.isfinite(clean)
    values = np.where(missing, expected, clean)
    no_data = ~np.isfinite(totals)
    after_closure = np.zeros(len(dates), dtype=bool)
    after_closure[1:] = (no_data[:-1] | (holiday[:-1] != "")) & ~no_data[1:]
    # Calendar models see holidays and catch-up days as they were (they have terms for them),
    # unless the day is wildly off (a data error rather than a calendar effect).
    with np.errstate(divide="ignore", invalid="ignore"):
        plausible = np.abs(np.log(totals / expected)) < np.log(3.0)
    explained = ((holiday != "") | (after_closure & plausible)) & (special == 1.0)
    raw = np.where(explained, totals, clean)
    effects, default = holiday_effects(holiday, totals, expected)
    daily = DailySeries(dates=dates, weekday=wd, values=values, raw=raw, missing=missing, holiday=holiday,
                        after_closure=after_closure, period=len(open_weekdays), open_weekdays=open_weekdays)
    if outlier.any():
        log.debug("%s: %d outlier day(s) treated as missing", panel.queue, int(outlier.sum()))
    result = (profile, noise, daily, effects, default)
    panel.extra["daily"] = result
    return result


def seasonal_expectation(values: np.ndarray, weekday: np.ndarray) -> np.ndarray:
    """A gap-free expectation: weekday factor × a level interpolated through the observed days.

    Used to fill gaps (missing days stay missing in the data, but a model needs
    a regular series) and to judge outliers and holiday effects.
    """
    n = len(values)
    seen = np.isfinite(values)
    if not seen.any():
        return np.zeros(n)
    overall = np.nanmean(values)
    if overall <= 0:
        return np.zeros(n)
    factor = np.ones(7)
    for w in np.unique(weekday):
        v = values[seen & (weekday == w)]
        if v.size:
            factor[w] = max(np.median(v), 0.0) / max(np.median(values[seen]), 1e-9)
    factor = np.where(factor > 0, factor, 1e-3)
    level = values / factor[weekday]
    position = np.arange(n)
    # Level smoothed over about two weeks of open days so one noisy day does not set it.
    smooth = np.full(n, np.nan)
    width = 5
    for i in np.flatnonzero(seen):
        lo, hi = max(0, i - width), min(n, i + width + 1)
        smooth[i] = np.nanmedian(level[lo:hi])
    filled = np.interp(position, position[seen], smooth[seen])
    return filled * factor[weekday]


def find_outliers(values: np.ndarray, expected: np.ndarray) -> np.ndarray:
    """Days whose log ratio to expectation is beyond OUTLIER_Z robust standard deviations."""
    seen = np.isfinite(values) & (expected > 0)
    out = np.zeros(len(values), dtype=bool)
    if seen.sum() < 15:
        return out
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.log(np.maximum(values[seen], 0.0) / expected[seen])
    finite = np.isfinite(ratio)
    if finite.sum() < 10:
        return out
    centre = np.median(ratio[finite])
    mad = 1.4826 * np.median(np.abs(ratio[finite] - centre))
    mad = max(mad, 0.02)
    z = np.where(finite, np.abs(ratio - centre) / mad, np.inf)
    out[np.flatnonzero(seen)] = z > OUTLIER_Z
    return out


def holiday_effects(names: np.ndarray, totals: np.ndarray, expected: np.ndarray) -> tuple[dict[str, float], float]:
    """Per holiday name: the observed share of a normal day, or 0 when history shows it closed.

    A holiday never seen in history gets the median effect of holidays that
    were open, or 1 (no evidence) when there were none.
    """
    effects: dict[str, list[float]] = {}
    for name, total, exp in zip(names, totals, expected):
        if not name:
            continue
        if np.isfinite(total) and exp > 0:
            effects.setdefault(name, []).append(float(total / exp))
        else:
            effects.setdefault(name, []).append(0.0)
    result = {name: float(np.median(v)) for name, v in effects.items()}
    open_ones = [v for v in result.values() if v > 0]
    default = float(np.median(open_ones)) if open_ones else 1.0
    return result, default
