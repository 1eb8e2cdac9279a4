"""Baselines that are always computed: seasonal naive (same interval last week) and a multi-week average.

Both look up the same weekday and wall-clock slot on the calendar (not by row
index), so a missing day or a DST day never shifts the week. Holidays and
planner special days are skipped as donors: last week's bank holiday is not a
good guess for this week's Monday.
"""
from __future__ import annotations

import numpy as np

from forecast.models.base import ForecastModel, Prediction
from forecast.panel import Panel, weekday_of
from forecast.profile import ordinary_days


def recent_same_weekday(panel: Panel, weeks: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per (weekday, slot): mean of the last `weeks` observed ordinary values, their count, last date.

    last date (as datetime64[D] int days) is when the latest donor was seen, for
    widening intervals by how many weeks old the donor is.
    """
    y = panel.y
    ordinary = ordinary_days(panel)
    weekday = panel.weekday
    slots = panel.slots
    mean = np.full((7, slots), np.nan)
    count = np.zeros((7, slots), dtype=int)
    last = np.full((7, slots), np.nan)
    day_num = panel.dates.astype(np.int64)
    for w in range(7):
        rows = np.flatnonzero(ordinary & (weekday == w))
        if rows.size == 0:
            continue
        block = y[rows][::-1]                      # newest first
        seen = np.isfinite(block)
        rank = np.cumsum(seen, axis=0)             # 1 for the newest observed value per slot
        take = seen & (rank <= weeks)
        count[w] = take.sum(axis=0)
        with np.errstate(invalid="ignore"):
            mean[w] = np.where(count[w] > 0, np.where(take, block, 0.0).sum(axis=0) / np.maximum(count[w], 1),
                               np.nan)
        first_seen = np.where(seen.any(axis=0), seen.argmax(axis=0), -1)
        newest = day_num[rows][::-1]
        last[w] = np.where(first_seen >= 0, newest[np.maximum(first_seen, 0)], np.nan)
    return mean, count, last


def weekly_error_variance(panel: Panel, lag_weeks: int = 1) -> tuple[float, float]:
    """Fit var(y_t − y_{t−7·lag}) ≈ a·m + b·m² over the history, the naive forecast's own error."""
    y = panel.y
    lag = 7 * lag_weeks
    if len(y) <= lag:
        return 1.0, 0.05
    now, before = y[lag:], y[:-lag]
    ok = np.isfinite(now) & np.isfinite(before)
    if ok.sum() < 20:
        return 1.0, 0.05
    m = np.maximum(before[ok], 0.0)
    e2 = (now[ok] - before[ok]) ** 2
    big = m > 0
    if big.sum() < 10:
        return float(max(e2.mean(), 1e-6)), 0.0
    from scipy.optimize import nnls

    w = 1.0 / np.sqrt(np.maximum(m[big], 1.0))
    coef, _ = nnls(np.column_stack([m[big] * w, m[big] ** 2 * w]), e2[big] * w)
    return max(float(coef[0]), 0.5), float(coef[1])


class SeasonalNaive(ForecastModel):
    """Same interval on the latest ordinary week with data; sd grows with √(weeks ahead)."""

    name = "seasonal_naive"
    weeks = 1

    def fit(self, panel: Panel) -> "SeasonalNaive":
        self.panel = panel
        self.table, self.count, self.last = recent_same_weekday(panel, self.weeks)
        # A weekday/slot never observed on an ordinary day borrows the slot's mean over all days.
        values = np.where(panel.open_cells, panel.y, np.nan)
        seen = np.isfinite(values).sum(axis=0)
        fallback = np.where(seen > 0, np.nansum(values, axis=0) / np.maximum(seen, 1), 0.0)
        self.table = np.where(np.isfinite(self.table), self.table, fallback[None, :])
        self.a, self.b = weekly_error_variance(panel)
        return self

    def _ahead_weeks(self, dates: np.ndarray) -> np.ndarray:
        weekday = weekday_of(dates)
        gap_days = dates.astype(np.int64)[:, None] - self.last[weekday]
        return np.maximum(np.nan_to_num(np.ceil(gap_days / 7.0), nan=1.0), 1.0)

    def predict(self, dates: np.ndarray) -> Prediction:
        weekday = weekday_of(dates)
        mean = np.where(self.panel.open[weekday], self.table[weekday], 0.0)
        mean = np.maximum(mean, 0.0)
        var = (self.a * mean + self.b * mean ** 2) * self._ahead_weeks(dates)
        return Prediction(dates, mean, np.sqrt(var))


class SeasonalAverage(SeasonalNaive):
    """Mean of the same interval over the last few ordinary weeks: less noise, slower to follow a trend."""

    name = "seasonal_average"
    weeks = 4

    def predict(self, dates: np.ndarray) -> Prediction:
        weekday = weekday_of(dates)
        mean = np.maximum(np.where(self.panel.open[weekday], self.table[weekday], 0.0), 0.0)
        n = np.maximum(self.count[weekday], 1)
        # Error of a k-week mean against a new week: noise of one week plus 1/k of it for the mean,
        # using the naive weekly difference variance (which is twice one week's noise).
        one_week = 0.5 * (self.a * mean + self.b * mean ** 2)
        var = one_week * (1.0 + 1.0 / n) * (1.0 + 0.25 * (self._ahead_weeks(dates) - 1.0))
        return Prediction(dates, mean, np.sqrt(var))
