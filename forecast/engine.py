"""One queue end to end: backtest the candidates, pick one, fit it on all history, forecast the horizon.

This is the unit of work the batch ships to a process or a Dask worker, so it
takes plain data (a Panel) and returns plain data (frames and a summary).
"""
from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from forecast.aht import aht_table
from forecast.backtest import BacktestResult, run_backtest
from forecast.calendar import horizon_grid
from forecast.models.base import Prediction
from forecast.models.registry import DEFAULT_MODELS, make_model
from forecast.panel import Panel, weekday_of

log = logging.getLogger(__name__)

FORECAST_COLUMNS = ["queue", "start", "contacts", "contacts_lo", "contacts_hi", "aht_s", "model"]
STORED_COLUMNS = FORECAST_COLUMNS + ["contacts_lo95", "contacts_hi95"]


@dataclass
class ForecastSettings:
    """How a run forecasts: horizon, candidates, backtest depth."""

    start: pd.Timestamp
    days: int
    timezone: str
    models: tuple[str, ...] = DEFAULT_MODELS
    origins: int = 3
    model: str | None = None          # force one model (skips the choice, still backtests it)


@dataclass
class QueueForecast:
    queue: str
    frame: pd.DataFrame                # STORED_COLUMNS
    model: str
    backtest: BacktestResult
    seconds: float
    notes: list[str] = field(default_factory=list)


def prediction_frame(panel: Panel, prediction: Prediction, model_name: str, start: pd.Timestamp,
                     days: int, timezone: str) -> pd.DataFrame:
    """Rows for the horizon's open intervals from a day × slot prediction (80% and 95% bounds)."""
    grid, dates = horizon_grid(start, days, panel.interval_min, timezone, panel.open)
    assert np.array_equal(prediction.dates, dates)
    day, slot = grid["day"].to_numpy(), grid["slot"].to_numpy()
    keep = ~prediction.closed[day]
    day, slot = day[keep], slot[keep]
    lo, hi = prediction.interval(80.0)
    lo95, hi95 = prediction.interval(95.0)
    aht = aht_table(panel)[weekday_of(dates[day]), slot] if len(day) else np.array([])
    return pd.DataFrame({
        "queue": panel.queue,
        "start": grid["start"][keep].reset_index(drop=True),
        "contacts": prediction.mean[day, slot],
        "contacts_lo": lo[day, slot],
        "contacts_hi": hi[day, slot],
        "aht_s": aht,
        "model": model_name,
        "contacts_lo95": lo95[day, slot],
        "contacts_hi95": hi95[day, slot],
    })


def forecast_panel(panel: Panel, settings: ForecastSettings, horizon_dates: np.ndarray) -> QueueForecast:
    """Backtest, choose, refit on the whole history and forecast one queue."""
    t0 = time.perf_counter()
    candidates = (settings.model,) if settings.model else settings.models
    if settings.model and "seasonal_naive" not in candidates:
        candidates = ("seasonal_naive", settings.model)
    backtest = run_backtest(panel, candidates, settings.days, origins=settings.origins)
    if settings.model and len(backtest.metrics):
        # Forced model: record it as the choice; the naive comparison still stands.
        table = backtest.metrics
        table["chosen"] = table["model"] == settings.model
        forced = table[(table["model"] == settings.model) & (table["horizon_day"] == 0)]
        backtest.loses_to_naive = bool(len(forced) and forced["loses_to_naive"].iloc[0])
        backtest.chosen = settings.model
    chosen = settings.model or backtest.chosen
    notes = [backtest.note] if backtest.note else []
    if not np.nansum(panel.y) > 0:
        # Nothing to beat: every model forecasts zero; flagging would only be noise.
        backtest.loses_to_naive = False
        notes.append("history is all zeros: forecast is zero")
    if backtest.loses_to_naive:
        notes.append("no model beat seasonal naive in the backtest")
    try:
        prediction = make_model(chosen).fit(panel).predict(horizon_dates)
    except Exception as exc:
        log.warning("%s: %s failed on the full history (%s); using seasonal_average", panel.queue, chosen, exc)
        notes.append(f"{chosen} failed on full history: {exc}")
        chosen = "seasonal_average"
        prediction = make_model(chosen).fit(panel).predict(horizon_dates)
    prediction.scales = backtest.scales.get(chosen, {})
    frame = prediction_frame(panel, prediction, chosen, settings.start, settings.days, settings.timezone)
    if np.isnan(frame["aht_s"]).all() and len(frame):
        notes.append("no aht_s in history")
    return QueueForecast(panel.queue, frame, chosen, backtest, time.perf_counter() - t0, notes)
