"""The forecasting engine's entry point: history frame in, forecast frame out.

forecast_queues is the contract the plan pipeline and the batch build on:
`queue, start, contacts, contacts_lo, contacts_hi, aht_s, model` for every open
interval of the horizon (80% interval in contacts_lo/hi).
"""
from __future__ import annotations

import logging
from typing import Callable

import numpy as np
import pandas as pd

from common.errors import InputError
from forecast.aht import aht_table
from forecast.calendar import DayCalendar, horizon_grid, local_wall_start
from forecast.history import infer_interval_min
from forecast.models.base import ForecastModel, Prediction
from forecast.panel import Panel, build_panel

log = logging.getLogger(__name__)

FORECAST_COLUMNS = ["queue", "start", "contacts", "contacts_lo", "contacts_hi", "aht_s", "model"]
LEVEL = 80.0


def make_calendar(holidays: tuple[str, str | None] | None, special_days=()) -> DayCalendar:
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


def frame_for_queue(panel: Panel, prediction: Prediction, model_name: str, start: pd.Timestamp,
                    days: int, timezone: str, level: float = LEVEL) -> pd.DataFrame:
    """Turn a model's day × slot prediction into rows for the horizon's open intervals."""
    grid, dates = horizon_grid(start, days, panel.interval_min, timezone, panel.open)
    lo, hi = prediction.interval(level)
    assert np.array_equal(prediction.dates, dates)
    day, slot = grid["day"].to_numpy(), grid["slot"].to_numpy()
    keep = ~prediction.closed[day]
    day, slot = day[keep], slot[keep]
    aht = aht_table(panel)[((dates[day].astype(np.int64) + 3) % 7), slot]
    return pd.DataFrame({
        "queue": panel.queue,
        "start": grid["start"].to_numpy()[keep] if len(grid) else grid["start"],
        "contacts": prediction.mean[day, slot],
        "contacts_lo": lo[day, slot],
        "contacts_hi": hi[day, slot],
        "aht_s": aht,
        "model": model_name,
    })


def horizon_dates(start: pd.Timestamp, days: int, timezone: str) -> np.ndarray:
    """Local dates touched by [start, start + days local days)."""
    wall0 = local_wall_start(start, timezone)
    wall_end = wall0 + pd.Timedelta(days=days)
    first = np.datetime64(wall0.normalize().date(), "D")
    last = np.datetime64(wall_end.normalize().date(), "D")
    return np.arange(first, last + np.timedelta64(1, "D"), dtype="datetime64[D]")


def default_model_for(panel: Panel) -> ForecastModel:
    """ETS when there are at least three weeks of history, else the multi-week average."""
    from forecast.models.ets import ETSDaily
    from forecast.models.naive import SeasonalAverage

    span_days = len(panel.dates)
    return ETSDaily() if span_days >= 21 else SeasonalAverage()


def check_horizon(history: pd.DataFrame, start: pd.Timestamp, days: int, timezone: str) -> None:
    if days < 1:
        raise InputError("forecast horizon", f"{days} day(s) is not a horizon", "ask for at least 1 day")
    last = history["start"].max()
    wall0 = local_wall_start(start, timezone)
    first_day = pd.Timestamp(wall0.normalize().date())
    if first_day < last.tz_convert(timezone).tz_localize(None).normalize():
        raise InputError("forecast start", f"the horizon starts {wall0.date()}, before the history's last day "
                         f"{last.tz_convert(timezone).date()}",
                         "start the forecast after the history ends, or cut the history at the start date")


def forecast_queues(history: pd.DataFrame, start: pd.Timestamp, days: int, interval_min: int, timezone: str,
                    holidays: tuple[str, str | None] | None = None, *, special_days=(),
                    choose: Callable[[Panel], ForecastModel] | None = None) -> pd.DataFrame:
    """Forecast every queue in `history` for `days` local days from `start`.

    Intervals never seen in the history at that weekday and local time of day
    are closed and get no row; holidays the history shows closed get no row.
    """
    if history.empty:
        raise InputError("history", "there are no history rows to forecast from", "pass a non-empty history")
    check_horizon(history, start, days, timezone)
    if interval_min is None:
        interval_min = infer_interval_min(history)
    calendar = make_calendar(holidays, special_days)
    panels = build_panels(history, interval_min, timezone, calendar)
    dates = horizon_dates(start, days, timezone)
    frames = []
    for queue, panel in panels.items():
        model = (choose or default_model_for)(panel).fit(panel)
        prediction = model.predict(dates)
        frames.append(frame_for_queue(panel, prediction, model.name, start, days, timezone))
        log.debug("forecast %s with %s: %d intervals", queue, model.name, len(frames[-1]))
    result = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=FORECAST_COLUMNS)
    return result[FORECAST_COLUMNS].sort_values(["queue", "start"], kind="stable").reset_index(drop=True)
