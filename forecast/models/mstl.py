"""MSTL at interval level: daily and weekly seasonality decomposed together (statsmodels MSTL).

The series is the queue's open days laid end to end (closed weekdays left
out, so a Monday–Friday week has a weekly period of 5 days), on log1p scale
so the intraday shape scales with the level and night zeros stay finite.
Loess jumps keep a fit under ~0.1 s even for 5-minute data.
"""
from __future__ import annotations

import warnings

import numpy as np

from forecast.models.base import ForecastModel, Prediction, open_day_index, prepare_daily
from forecast.panel import Panel, weekday_of


class MSTLModel(ForecastModel):
    name = "mstl"
    min_days = 14

    def __init__(self, weeks: int = 16, windows: tuple[int, int] = (51, 21)) -> None:
        self.weeks = weeks
        self.windows = windows

    def fit(self, panel: Panel) -> "MSTLModel":
        from statsmodels.tsa.seasonal import MSTL

        self.panel = panel
        profile, _, daily, self.holiday_effects, self.default_effect = prepare_daily(panel)
        self.open_weekdays = daily.open_weekdays
        self.columns = np.flatnonzero(panel.open.any(axis=0))
        p, s = len(self.open_weekdays), len(self.columns)
        on_open = np.isin(panel.weekday, self.open_weekdays)
        y = panel.y[on_open][:, self.columns]
        open_cells = panel.open_cells[on_open][:, self.columns]
        expected = profile.shares[daily.weekday][:, self.columns] * daily.values[:, None]
        # Gaps, holidays and outliers take their expectation so they neither vanish nor drag.
        replace = ~np.isfinite(y) | daily.missing[:, None]
        y = np.where(replace, expected, y)
        y = np.where(open_cells, np.maximum(y, 0.0), 0.0)
        keep = min(len(y), self.weeks * p)
        y = y[-keep:]
        self.last_index = int(open_day_index(daily.dates[-1:], self.open_weekdays)[0])
        self.last_weekday_pos = np.searchsorted(self.open_weekdays, daily.weekday[-keep:])
        self.zero = not np.any(y > 0)
        if self.zero or len(y) < 2 * p or len(y) < 2:
            self.zero = True
            return self
        x = np.log1p(y).ravel()
        periods = (s, p * s) if p > 1 else (s,)
        windows = self.windows if p > 1 else self.windows[:1]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            jump = max(1, s // 20)
            result = MSTL(x, periods=periods, windows=windows, iterate=1,
                          stl_kwargs=dict(seasonal_jump=jump, trend_jump=jump * 5, low_pass_jump=jump * 5,
                                          inner_iter=1)).fit()
        seasonal = np.asarray(result.seasonal).reshape(len(x), -1).sum(axis=1).reshape(-1, s)
        adjusted = (np.asarray(result.trend) + np.asarray(result.resid)).reshape(-1, s)
        day_level = adjusted.mean(axis=1)
        # Last p days' seasonal pattern, indexed by weekday position.
        self.season = np.zeros((p, s))
        for row in range(len(seasonal) - p, len(seasonal)):
            self.season[self.last_weekday_pos[row]] = seasonal[row]
        self.level = float(day_level[-p:].mean())
        if len(day_level) > 2 * p:
            # One week ahead error of "mean of the last week" as the level forecast.
            errs = [day_level[t] - day_level[t - p - p:t - p].mean() for t in range(2 * p, len(day_level))]
            self.level_var = float(np.var(errs))
        else:
            self.level_var = float(np.var(day_level)) if len(day_level) > 1 else 0.01
        resid = np.asarray(result.resid).reshape(-1, s)
        self.resid_var = resid.var(axis=0)
        return self

    def predict(self, dates: np.ndarray) -> Prediction:
        panel = self.panel
        weekday = weekday_of(dates)
        mean = np.zeros((len(dates), panel.slots))
        sd = np.zeros_like(mean)
        closed = np.zeros(len(dates), dtype=bool)
        names = panel.calendar.holiday_names(dates)
        effect = np.array([self.holiday_effects.get(n, self.default_effect) if n else 1.0 for n in names])
        effect = effect * panel.calendar.special_effects(dates, panel.queue)
        if self.zero:
            return Prediction(dates, mean, sd, closed=effect == 0.0)
        p = len(self.open_weekdays)
        for i, w in enumerate(weekday):
            if w not in self.open_weekdays:
                continue
            j = int(np.searchsorted(self.open_weekdays, w))
            steps = int(open_day_index(dates[i:i + 1], self.open_weekdays)[0]) - self.last_index
            weeks_ahead = max(1.0, np.ceil(steps / p))
            mu = self.level + self.season[j]
            var = self.resid_var + self.level_var * (1.0 + 0.25 * (weeks_ahead - 1.0))
            m = np.expm1(mu + var / 2.0)
            v = (np.exp(var) - 1.0) * np.exp(2.0 * mu + var)
            cols = self.columns
            open_here = panel.open[w, cols]
            mean[i, cols] = np.where(open_here, np.maximum(m, 0.0), 0.0) * effect[i]
            sd[i, cols] = np.where(open_here, np.sqrt(v), 0.0) * effect[i]
        closed = effect == 0.0
        return Prediction(dates, mean, sd, closed=closed)
