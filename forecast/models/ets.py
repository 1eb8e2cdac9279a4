"""Holt-Winters / ETS on daily totals with a weekly season (statsmodels ETSModel), × intraday profile.

Additive errors give analytic prediction intervals (no simulation) and
heuristic initial states leave only the smoothing parameters to estimate,
which keeps a fit-and-predict around 10 ms per queue; the damped trend stops
a few busy weeks from being extrapolated for a whole horizon.
"""
from __future__ import annotations

import logging
import warnings

import numpy as np
import pandas as pd
from scipy.stats import norm

from forecast.models.base import DailySeries, DailyTotalModel

log = logging.getLogger(__name__)


class ETSDaily(DailyTotalModel):
    name = "ets"

    def __init__(self, damped_trend: bool = True) -> None:
        super().__init__()
        self.damped_trend = damped_trend

    def _fit_daily(self, daily: DailySeries) -> None:
        from statsmodels.tsa.exponential_smoothing.ets import ETSModel

        series, period = daily.values, daily.period
        n = len(series)
        seasonal = "add" if period > 1 and n >= 2 * period + 2 else None
        trend = "add" if n >= 4 * max(period, 1) + 4 else None
        self.spec = (trend, seasonal)
        scale = max(float(np.mean(series)), 1e-9)
        # Heuristic initial states (from the first cycles) leave only the smoothing parameters to
        # the optimiser: ~5x faster and as accurate on fpp2 and synthetic backtests.
        init = "heuristic" if n >= max(10, 3 * period) else "estimated"
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                model = ETSModel(pd.Series(series / scale), error="add", trend=trend,
                                 damped_trend=self.damped_trend and trend is not None,
                                 seasonal=seasonal, seasonal_periods=period if seasonal else None,
                                 initialization_method=init)
                self.result = model.fit(disp=False, maxiter=200)
            except (ValueError, np.linalg.LinAlgError) as exc:
                log.debug("%s: ETS fit failed (%s); using level-only ETS", self.panel.queue, exc)
                self.result = ETSModel(pd.Series(series / scale), error="add").fit(disp=False)
        self.scale = scale
        self.n = n

    def _predict_daily(self, steps: np.ndarray, dates: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        horizon = int(steps.max())
        alpha = 0.2
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            frame = self.result.get_prediction(start=self.n, end=self.n + horizon - 1).summary_frame(alpha=alpha)
        mean = frame["mean"].to_numpy() * self.scale
        sd = (frame["pi_upper"].to_numpy() * self.scale - mean) / norm.ppf(1 - alpha / 2)
        return mean[steps - 1], np.maximum(sd[steps - 1], 0.0)
