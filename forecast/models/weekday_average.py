"""Recent average daily total per weekday × intraday profile: the robust workhorse of call centres.

Unlike the interval-level seasonal average it averages whole days, so the
intraday shape comes from the smoothed profile and 5-minute noise does not
leak into the forecast.
"""
from __future__ import annotations

import numpy as np

from forecast.models.base import DailySeries, DailyTotalModel
from forecast.panel import weekday_of


class WeekdayAverage(DailyTotalModel):
    name = "weekday_average"

    def __init__(self, weeks: int = 6) -> None:
        super().__init__()
        self.weeks = weeks

    def _fit_daily(self, daily: DailySeries) -> None:
        self.level = {}
        self.spread = {}
        for w in daily.open_weekdays:
            own = daily.values[(daily.weekday == w) & ~daily.missing]
            if own.size == 0:
                own = daily.values[daily.weekday == w]
            recent = own[-self.weeks:]
            self.level[int(w)] = float(recent.mean()) if recent.size else 0.0
            self.spread[int(w)] = own[-3 * self.weeks:]
        # Week-to-week error of a k-week mean: residual sd × sqrt(1 + 1/k), pooled over weekdays.
        resid = []
        for w, values in self.spread.items():
            if values.size >= 3:
                resid.append((values[1:] - values[:-1]) / np.sqrt(2.0))
        pooled = np.concatenate(resid) if resid else np.array([])
        level = np.mean(list(self.level.values())) if self.level else 0.0
        self.sd = float(np.std(pooled)) if pooled.size >= 4 else 0.1 * level
        self.k = max(1, min(self.weeks, int(np.median([v.size for v in self.spread.values()] or [1]))))

    def _predict_daily(self, steps: np.ndarray, dates: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        weekday = weekday_of(dates)
        mean = np.array([self.level.get(int(w), 0.0) for w in weekday])
        weeks_ahead = np.ceil(steps / max(len(self.open_weekdays), 1))
        sd = self.sd * np.sqrt(1.0 + 1.0 / self.k + 0.1 * (weeks_ahead - 1))
        return mean, np.full(len(mean), 1.0) * sd
