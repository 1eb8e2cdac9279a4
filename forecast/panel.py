"""One queue's history laid out on its local calendar: a day × interval-of-day matrix.

Every model works on this layout rather than on the raw rows because it makes
the hard cases explicit: a missing day is a row of NaN (a gap, never zeros), a
closed interval is a column no weekday ever uses, and daylight-saving days
keep their wall-clock slots (the repeated autumn hour is averaged into its
slot, the skipped spring hour is simply missing).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from forecast.calendar import DayCalendar


@dataclass
class Panel:
    """History of one queue on a local calendar.

    dates: every local date from the first to the last history day (datetime64[D]).
    y: contacts per (date, slot); NaN where the history has no row.
    open: (7, slots) True where the weekday/slot occurs anywhere in the history.
    aht_num / aht_den: sum of aht_s × contacts and of contacts with a known aht_s.
    """

    queue: str
    interval_min: int
    dates: np.ndarray
    y: np.ndarray
    open: np.ndarray
    aht_num: np.ndarray
    aht_den: np.ndarray
    calendar: DayCalendar
    extra: dict = field(default_factory=dict)

    @property
    def slots(self) -> int:
        return 1440 // self.interval_min

    @property
    def weekday(self) -> np.ndarray:
        return weekday_of(self.dates)

    @property
    def open_cells(self) -> np.ndarray:
        """(days, slots) True where the interval is open on that date's weekday."""
        return self.open[self.weekday]

    @property
    def open_weekdays(self) -> np.ndarray:
        return np.flatnonzero(self.open.any(axis=1))

    @property
    def last_date(self) -> dt.date:
        return pd.Timestamp(self.dates[-1]).date()

    def truncate(self, end: np.datetime64) -> "Panel":
        """The panel with dates strictly before `end` (a backtest origin)."""
        keep = self.dates < end
        return Panel(self.queue, self.interval_min, self.dates[keep], self.y[keep], self.open,
                     self.aht_num[keep], self.aht_den[keep], self.calendar, {})

    def slice_dates(self, start: np.datetime64, end: np.datetime64) -> np.ndarray:
        return (self.dates >= start) & (self.dates < end)


def weekday_of(dates: np.ndarray) -> np.ndarray:
    """Monday = 0 … Sunday = 6 for datetime64[D] values (1970-01-01 was a Thursday)."""
    return ((dates.astype("datetime64[D]").astype(np.int64) + 3) % 7).astype(np.int64)


def build_panel(rows: pd.DataFrame, queue: str, interval_min: int, calendar: DayCalendar) -> Panel:
    """Lay one queue's history rows (tz-aware `start`) onto its local day × slot matrix."""
    wall = rows["start"].dt.tz_localize(None)
    day = wall.dt.normalize().to_numpy().astype("datetime64[D]")
    minute = (wall.dt.hour * 60 + wall.dt.minute).to_numpy()
    slot = (minute // interval_min).astype(np.int64)
    first, last = day.min(), day.max()
    dates = np.arange(first, last + np.timedelta64(1, "D"), dtype="datetime64[D]")
    n, slots = len(dates), 1440 // interval_min
    row = (day - first).astype(np.int64)
    contacts = rows["contacts"].to_numpy(dtype=float)
    # The same wall-clock minute twice is the repeated autumn DST hour: average it so the
    # cell stays "contacts per interval". Different minutes in one slot (a finer history
    # than interval_min) add up.
    wall_key = row * 1440 + minute
    seen = np.bincount(wall_key, minlength=n * 1440)
    per_minute = np.bincount(wall_key, weights=contacts, minlength=n * 1440) / np.maximum(seen, 1)
    minute_slot = (np.arange(n * 1440) % 1440) // interval_min + (np.arange(n * 1440) // 1440) * slots
    present = seen > 0
    total = np.bincount(minute_slot[present], weights=per_minute[present], minlength=n * slots)
    count = np.bincount(minute_slot[present], minlength=n * slots)
    y = np.where(count > 0, total, np.nan).reshape(n, slots)
    flat = row * slots + slot
    if "aht_s" in rows.columns:
        aht = rows["aht_s"].to_numpy(dtype=float)
        known = np.isfinite(aht) & (contacts > 0)
        num = np.bincount(flat[known], weights=(aht * contacts)[known], minlength=n * slots)
        den = np.bincount(flat[known], weights=contacts[known], minlength=n * slots)
    else:
        num = np.zeros(n * slots)
        den = np.zeros(n * slots)
    is_open = np.zeros((7, slots), dtype=bool)
    is_open[weekday_of(day), slot] = True
    return Panel(queue, interval_min, dates, y, is_open, num.reshape(n, slots), den.reshape(n, slots),
                 calendar)
