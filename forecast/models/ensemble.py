"""Equal-weight combination of daily-total models: steadier than any one of them.

Forecast combination is the most reliable accuracy gain in forecasting
competitions; on the fpp2 bank calls it beats each member on rolling origins.
The sd is the members' average, i.e. their errors are assumed fully
correlated, which keeps the interval honest rather than optimistic.
"""
from __future__ import annotations

import numpy as np

from forecast.models.base import ForecastModel, Prediction
from forecast.panel import Panel


def combine(predictions: list[Prediction]) -> Prediction:
    """Average means and sds of predictions for the same dates."""
    first = predictions[0]
    mean = np.mean([p.mean for p in predictions], axis=0)
    sd = np.mean([p.sd for p in predictions], axis=0)
    closed = np.any([p.closed for p in predictions], axis=0)
    return Prediction(first.dates, mean, sd, closed=closed)


class Ensemble(ForecastModel):
    """Average of member models; the orchestrator reuses members it has already fitted."""

    name = "ensemble"

    def __init__(self, members: tuple[str, ...] = ("ets", "calendar_regression", "weekday_average")) -> None:
        self.members = members

    def fit(self, panel: Panel) -> "Ensemble":
        from forecast.models.registry import make_model

        self.fitted = [make_model(name).fit(panel) for name in self.members]
        return self

    def predict(self, dates: np.ndarray) -> Prediction:
        return combine([m.predict(dates) for m in self.fitted])
