"""Per-call records → the interval history the forecast and the back-test read.

Each call counts in the interval it arrived in (local wall-clock intervals).
Columns, as forecast.history documents them: queue, start, contacts (offered),
aht_s (mean handle time of the interval's answered calls), answered, abandoned,
answered_within_target (waited ≤ target_s), wait_s_total (all offered calls'
waits, abandoned ones up to hang-up), agents_staffed (on duty, inferred from
the agents' sessions). Intervals without a call are left out.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from scheduler.calibration.presence import Sessions, epoch_s, on_duty

__all__ = ["HISTORY_COLUMNS", "interval_start", "aggregate_calls"]

HISTORY_COLUMNS = ["queue", "start", "contacts", "aht_s", "answered", "abandoned", "answered_within_target",
                   "wait_s_total", "agents_staffed"]


def interval_start(times: pd.Series, interval_min: int) -> pd.Series:
    """The local interval each time falls in: floor the wall-clock time, keep the time's own UTC offset
    (so the repeated hour of an autumn clock change gives two distinct intervals)."""
    offset = times.map(lambda t: t.utcoffset()).astype("timedelta64[ns]")
    wall = times.dt.tz_convert("UTC").dt.tz_localize(None) + offset
    floored = wall.dt.floor(f"{interval_min}min")
    return (floored - offset).dt.tz_localize("UTC").dt.tz_convert(times.dt.tz)


def aggregate_calls(calls: pd.DataFrame, interval_min: int, target_s: float, duty: Sessions) -> pd.DataFrame:
    """One row per queue and interval with at least one call, in HISTORY_COLUMNS."""
    frame = calls.assign(start=interval_start(calls["arrival"], interval_min))
    answered = frame["outcome"].eq("answered")
    frame = frame.assign(
        answered=answered.astype(float),
        abandoned=(~answered).astype(float),
        in_target=(answered & (frame["wait_s"] <= target_s)).astype(float),
        handle=np.where(answered, frame["handle_s"], 0.0),
    )
    grouped = frame.groupby(["queue", "start"], sort=True)
    out = pd.DataFrame({
        "contacts": grouped.size().astype(float),
        "answered": grouped["answered"].sum(),
        "abandoned": grouped["abandoned"].sum(),
        "answered_within_target": grouped["in_target"].sum(),
        "wait_s_total": grouped["wait_s"].sum(),
        "handle_total": grouped["handle"].sum(),
    }).reset_index()
    with np.errstate(invalid="ignore", divide="ignore"):
        out["aht_s"] = np.where(out["answered"] > 0, out["handle_total"] / out["answered"], np.nan)
    out["agents_staffed"] = np.nan
    starts_s = epoch_s(out["start"])
    for queue in out["queue"].unique():
        rows = (out["queue"] == queue).to_numpy()
        out.loc[rows, "agents_staffed"] = on_duty(duty.spans, queue, starts_s[rows], 60.0 * interval_min)
    return out[HISTORY_COLUMNS]
