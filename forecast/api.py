"""The forecasting engine's entry point: history frame in, forecast frame out.

forecast_queues is the contract the plan pipeline and the batch build on:
`queue, start, contacts, contacts_lo, contacts_hi, aht_s, model` for every open
interval of the horizon (80% interval in contacts_lo/hi).
"""
from __future__ import annotations

import logging

import numpy as np
import pandas as pd

from common.errors import InputError
from forecast.calendar import DayCalendar, local_wall_start
from forecast.engine import FORECAST_COLUMNS, ForecastSettings, forecast_panel
from forecast.history import infer_interval_min
from forecast.models.registry import BASELINES, DEFAULT_MODELS
from forecast.panel import Panel, build_panel
from forecast.threads import blas_threads

log = logging.getLogger(__name__)


def make_calendar(holidays: tuple[str, str | None] | None, special_days=()) -> DayCalendar:
    """Holidays as (country, subdivision) for the holidays package, plus planner special days."""
    if holidays is None:
        return DayCalendar(special_days=tuple(special_days))
    country, subdivision = holidays
    return DayCalendar(country=country, subdivision=subdivision, special_days=tuple(special_days))


def build_panels(history: pd.DataFrame, interval_min: int, timezone: str,
                 calendar: DayCalendar) -> dict[str, Panel]:
    """One Panel per queue (history's starts converted to `timezone` first)."""
    history = history.copy()
    history["start"] = history["start"].dt.tz_convert(timezone)
    return {str(queue): build_panel(rows, str(queue), interval_min, calendar)
            for queue, rows in history.groupby("queue", sort=True)}


def horizon_dates(start: pd.Timestamp, days: int, timezone: str) -> np.ndarray:
    """Local dates touched by [start, start + days local days)."""
    wall0 = local_wall_start(start, timezone)
    wall_end = wall0 + pd.Timedelta(days=days)
    first = np.datetime64(wall0.normalize().date(), "D")
    last = np.datetime64(wall_end.normalize().date(), "D")
    return np.arange(first, last + np.timedelta64(1, "D"), dtype="datetime64[D]")


def check_horizon(history: pd.DataFrame, start: pd.Timestamp, days: int, timezone: str) -> None:
    """The horizon must be at least a day and must not start before the history's last day."""
    if days < 1:
        raise InputError("forecast horizon", f"{days} day(s) is not a horizon", "ask for at least 1 day")
    last = history["start"].max()
    wall0 = local_wall_start(start, timezone)
    first_day = pd.Timestamp(wall0.normalize().date())
    if first_day < last.tz_convert(timezone).tz_localize(None).normalize():
        raise InputError("forecast start", f"the horizon starts {wall0.date()}, before the history's last day "
                         f"{last.tz_convert(timezone).date()}",
                         "start the forecast after the history ends, or cut the history at the start date")


ACCURACY_COLUMNS = ["queue", "model", "backtest_wape", "naive_wape", "coverage80", "loses_to_naive"]


def forecast_queues(history: pd.DataFrame, start: pd.Timestamp, days: int, interval_min: int, timezone: str,
                    holidays: tuple[str, str | None] | None = None, *, special_days=(),
                    models: tuple[str, ...] = DEFAULT_MODELS, origins: int = 3,
                    model: str | None = None) -> pd.DataFrame:
    """Forecast every queue in `history` for `days` local days from `start` (see forecast_with_accuracy)."""
    return forecast_with_accuracy(history, start, days, interval_min, timezone, holidays, special_days=special_days,
                                  models=models, origins=origins, model=model)[0]


def backtest_accuracy(queue: str, result) -> dict:
    """One queue's chosen model and its backtest accuracy over all horizon days (ACCURACY_COLUMNS)."""
    table = result.backtest.metrics
    overall = table[table["horizon_day"] == 0].set_index("model") if len(table) else pd.DataFrame()
    pick = lambda name, column: (float(overall.loc[name, column])
                                 if name in overall.index and column in overall else float("nan"))
    return {"queue": queue, "model": result.model, "backtest_wape": pick(result.model, "wape"),
            "naive_wape": pick(BASELINES[0], "wape"), "coverage80": pick(result.model, "coverage80"),
            "loses_to_naive": bool(result.backtest.loses_to_naive)}


def forecast_with_accuracy(history: pd.DataFrame, start: pd.Timestamp, days: int, interval_min: int, timezone: str,
                           holidays: tuple[str, str | None] | None = None, *, special_days=(),
                           models: tuple[str, ...] = DEFAULT_MODELS, origins: int = 3,
                           model: str | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Forecast every queue in `history` for `days` local days from `start`, and each queue's backtest accuracy.

    Each queue's model is chosen by a rolling-origin backtest (`origins` weekly
    origins) among `models`, or forced with `model`. Intervals never seen in
    the history at that weekday and local time of day are closed and get no
    row; holidays the history shows closed get no row either.
    """
    if history.empty:
        raise InputError("history", "there are no history rows to forecast from", "pass a non-empty history")
    check_horizon(history, start, days, timezone)
    inferred = infer_interval_min(history)
    if interval_min is None:
        interval_min = inferred
    elif inferred > interval_min:
        raise InputError("history", f"the history has {inferred}-minute intervals but {interval_min}-minute "
                         "intervals were asked for", f"export the history at {interval_min} minutes or finer "
                         "(finer intervals are added up), or plan in longer intervals")
    calendar = make_calendar(holidays, special_days)
    panels = build_panels(history, interval_min, timezone, calendar)
    dates = horizon_dates(start, days, timezone)
    settings = ForecastSettings(start=pd.Timestamp(start), days=days, timezone=timezone, models=models,
                                origins=origins, model=model)
    frames, accuracy = [], []
    with blas_threads(1):
        for queue, panel in panels.items():
            result = forecast_panel(panel, settings, dates)
            frames.append(result.frame[FORECAST_COLUMNS])
            accuracy.append(backtest_accuracy(str(queue), result))
            log.debug("forecast %s with %s in %.2fs", queue, result.model, result.seconds)
    result_frame = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=FORECAST_COLUMNS)
    return (result_frame.sort_values(["queue", "start"], kind="stable").reset_index(drop=True),
            pd.DataFrame(accuracy, columns=ACCURACY_COLUMNS))
