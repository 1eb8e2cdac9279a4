"""Model names → constructors, and which models a run tries by default."""
from __future__ import annotations

from typing import Callable

from forecast.models.base import ForecastModel

BASELINES = ("seasonal_naive", "seasonal_average")
DEFAULT_MODELS = BASELINES + ("ets", "mstl", "calendar_regression", "weekday_average", "ensemble")

# Fewest local days of history a model needs to be worth trying.
MIN_DAYS = {"seasonal_naive": 1, "seasonal_average": 1, "weekday_average": 7, "ets": 21, "mstl": 14,
            "calendar_regression": 21, "ensemble": 21}


def _constructors() -> dict[str, Callable[[], ForecastModel]]:
    from forecast.models.ensemble import Ensemble
    from forecast.models.ets import ETSDaily
    from forecast.models.mstl import MSTLModel
    from forecast.models.naive import SeasonalAverage, SeasonalNaive
    from forecast.models.regression import CalendarRegression
    from forecast.models.weekday_average import WeekdayAverage

    return {"seasonal_naive": SeasonalNaive, "seasonal_average": SeasonalAverage, "ets": ETSDaily,
            "mstl": MSTLModel, "calendar_regression": CalendarRegression, "weekday_average": WeekdayAverage,
            "ensemble": Ensemble}


def make_model(name: str) -> ForecastModel:
    constructors = _constructors()
    if name not in constructors:
        raise KeyError(name)
    return constructors[name]()


def known_models() -> tuple[str, ...]:
    return tuple(_constructors())
