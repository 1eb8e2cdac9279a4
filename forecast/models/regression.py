"""State-space regression on daily totals with calendar regressors (statsmodels UnobservedComponents).

y_day = level (random walk) + weekday effect + holiday + day after a holiday or closure + AR(1)
noise (the day after a bank holiday or an outage carries the calls that could not get through).
The regression coefficients live in the state vector (mle_regression=False),
so only three variances are optimised: a fit takes ~50 ms where an
equivalent SARIMAX with estimated coefficients took seconds and sometimes
failed to converge. Missing days stay NaN: the Kalman filter skips them.
"""
from __future__ import annotations

import logging
import warnings

import numpy as np
from scipy.stats import norm

from forecast.models.base import DailySeries, DailyTotalModel
from forecast.panel import weekday_of

log = logging.getLogger(__name__)


class CalendarRegression(DailyTotalModel):
    name = "calendar_regression"
    learns_holidays = True

    def _design(self, weekday: np.ndarray, holiday: np.ndarray, after: np.ndarray) -> np.ndarray:
        columns = [(weekday == w).astype(float) for w in self.dummy_weekdays]
        if self.use_holiday:
            columns.append(holiday.astype(float))
        if self.use_after:
            columns.append(after.astype(float))
        return np.column_stack(columns) if columns else np.zeros((len(weekday), 0))

    def _fit_daily(self, daily: DailySeries) -> None:
        from statsmodels.tsa.statespace.structural import UnobservedComponents

        y = daily.raw.copy()
        seen = np.isfinite(y)
        holiday = daily.holiday != ""
        # A regressor needs at least one observed day to be estimable.
        self.use_holiday = bool((holiday & seen).any())
        self.use_after = bool((daily.after_closure & seen).sum() >= 2)
        self.scale = max(float(np.nanmean(y[~holiday])) if (seen & ~holiday).any() else 1.0, 1e-9)
        self.dummy_weekdays = daily.open_weekdays[1:]
        exog = self._design(daily.weekday, holiday, daily.after_closure)
        self.n = len(y)
        self.last_date = daily.dates[-1]
        self.last_no_data = bool((not np.isfinite(daily.raw[-1]) and daily.missing[-1]) or daily.holiday[-1])
        kwargs = dict(level="llevel", autoregressive=1 if seen.sum() >= 15 else None)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model = UnobservedComponents(y / self.scale, exog=exog if exog.shape[1] else None,
                                         mle_regression=False, **kwargs)
            try:
                # 30 iterations reach the optimum's log-likelihood to ~0.1%; the default ~50 add only time.
                self.result = model.fit(disp=False, maxiter=30)
            except (ValueError, np.linalg.LinAlgError) as exc:
                log.debug("calendar regression fit failed (%s); level only", exc)
                model = UnobservedComponents(y / self.scale, level="llevel")
                self.result = model.fit(disp=False)
                self.use_holiday = self.use_after = False
                self.dummy_weekdays = daily.open_weekdays[:0]

    def _predict_daily(self, steps: np.ndarray, dates: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        horizon = int(steps.max())
        # Regressors for every open day up to the furthest step (dates are only the requested ones).
        first = self.last_date + np.timedelta64(1, "D")
        span = np.arange(first, dates.max() + np.timedelta64(1, "D"), dtype="datetime64[D]")
        span = span[np.isin(weekday_of(span), self.open_weekdays)]
        assert len(span) == horizon, (len(span), horizon)
        names = self.panel.calendar.holiday_names(span)
        effects = np.array([self.holiday_effects.get(n, self.default_holiday_effect) if n else 1.0 for n in names])
        closed = effects == 0.0
        after = np.zeros(horizon, dtype=bool)
        was_holiday = closed | (names != "")
        after[1:] = was_holiday[:-1] & ~closed[1:]
        after[0] = self.last_no_data and not closed[0]
        exog = self._design(weekday_of(span), (names != "") & ~closed, after)
        alpha = 0.2
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            forecast = self.result.get_forecast(horizon, exog=exog if exog.shape[1] else None)
            mean = np.asarray(forecast.predicted_mean) * self.scale
            upper = np.asarray(forecast.conf_int(alpha=alpha))[:, 1] * self.scale
        sd = (upper - mean) / norm.ppf(1 - alpha / 2)
        return mean[steps - 1], np.maximum(sd[steps - 1], 0.0)
