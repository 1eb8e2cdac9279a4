"""Seeded synthetic contact histories for tests and the scale benchmark.

Volumes follow a weekly pattern × a smooth intraday curve × a slow trend with
Poisson noise, on local wall-clock intervals (so DST days come out with
46 / 50 half-hours exactly as real exports do).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

WEEKDAY_FACTOR = np.array([1.25, 1.1, 1.0, 1.0, 0.95, 0.55, 0.0])   # Mon..Sun, 0 = closed


def synthetic_history(queues: int | list[str] = 2, weeks: int = 14, interval_min: int = 30,
                      timezone: str = "Europe/London", first_day: str = "2024-01-01",
                      open_min: int = 8 * 60, close_min: int = 20 * 60, daily_volume: float = 800.0,
                      weekday_factor: np.ndarray | None = None, seed: int = 0,
                      with_aht: bool = True) -> pd.DataFrame:
    """A history frame like load_history returns (tz-aware starts), one row per open interval."""
    rng = np.random.default_rng(seed)
    names = [f"q{i:04d}" for i in range(queues)] if isinstance(queues, int) else list(queues)
    factor = WEEKDAY_FACTOR if weekday_factor is None else np.asarray(weekday_factor, dtype=float)
    dates = pd.date_range(first_day, periods=weeks * 7, freq="D")
    slot_min = np.arange(open_min, close_min, interval_min)
    centre = (open_min + close_min) / 2
    width = max((close_min - open_min) / 3.5, interval_min)
    curve = np.exp(-0.5 * ((slot_min + interval_min / 2 - centre) / width) ** 2) + 0.15
    curve = curve / curve.sum()
    day_idx = np.repeat(np.arange(len(dates)), len(slot_min))
    wall = (dates.values.astype("datetime64[m]")[day_idx]
            + np.tile(slot_min, len(dates)).astype("timedelta64[m]"))
    wall = pd.DatetimeIndex(wall.astype("datetime64[ns]"))
    frames = []
    for qi, name in enumerate(names):
        level = daily_volume * rng.uniform(0.5, 1.5)
        trend = 1.0 + rng.uniform(-0.002, 0.004) * np.arange(len(dates))
        weekday = dates.day_of_week.to_numpy()
        mean_day = level * factor[weekday] * trend
        keep_day = factor[weekday][day_idx] > 0
        lam = mean_day[day_idx] * np.tile(curve, len(dates))
        contacts = rng.poisson(lam[keep_day]).astype(float)
        starts = wall[keep_day].tz_localize(timezone, ambiguous=True, nonexistent="NaT")
        ok = ~starts.isna()
        frame = pd.DataFrame({"queue": name, "start": starts[ok], "contacts": contacts[ok]})
        if with_aht:
            base = rng.uniform(240, 420)
            aht = base * (1 + 0.1 * np.sin(np.tile(slot_min, len(dates))[keep_day][ok] / 1440 * 2 * np.pi))
            noise = rng.normal(0, 15, ok.sum()) / np.sqrt(np.maximum(contacts[ok], 1))
            frame["aht_s"] = np.where(contacts[ok] > 0, np.round(aht + noise, 1), np.nan)
        frames.append(frame)
    out = pd.concat(frames, ignore_index=True)
    out["start"] = out["start"].astype(f"datetime64[ns, {timezone}]")
    return out.sort_values(["queue", "start"], kind="stable").reset_index(drop=True)


def write_history_csv(history: pd.DataFrame, path) -> None:
    """Write a history frame as the planner's CSV (ISO 8601 starts with offsets)."""
    out = history.copy()
    out["start"] = out["start"].map(lambda t: t.isoformat())
    out.to_csv(path, index=False)
