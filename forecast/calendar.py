"""Local calendars: public holidays and planner special days, and the horizon's interval grid.

The horizon is built per local day from wall-clock slots, then localised, so a
spring DST day simply lacks the skipped hour and an autumn DST day carries the
repeated hour twice (46 / 50 half-hours) without any special casing elsewhere.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from common.errors import InputError


@dataclass(frozen=True)
class SpecialDay:
    """A day the planner knows is unusual (campaign, outage, bill run) and its expected effect.

    effect: multiplier on the day's volume (1.3 = 30% more; 0 = closed).
    queues: the queues it applies to; empty means all.
    """

    date: dt.date
    name: str
    effect: float
    queues: tuple[str, ...] = ()

    def applies_to(self, queue: str) -> bool:
        return not self.queues or queue in self.queues


@dataclass
class DayCalendar:
    """Which local dates are public holidays (by name) or planner special days."""

    country: str | None = None
    subdivision: str | None = None
    special_days: tuple[SpecialDay, ...] = ()
    _cache: dict = field(default_factory=dict, repr=False)

    def _holidays(self, years: range):
        key = (years.start, years.stop)
        if key not in self._cache:
            import holidays as holidays_pkg

            try:
                self._cache[key] = holidays_pkg.country_holidays(
                    self.country, subdiv=self.subdivision, years=list(years))
            except NotImplementedError:
                raise InputError("site YAML holidays", f"country '{self.country}' is not known to the "
                                 "holidays package", "use an ISO 3166 code such as GB, US, DE or FR") from None
            except Exception as exc:   # holidays raises NotImplementedError or ValueError by version
                raise InputError("site YAML holidays",
                                 f"cannot load holidays for country '{self.country}'"
                                 f" subdivision '{self.subdivision}': {exc}",
                                 "check the country code and the subdivision (e.g. GB / ENG, US / CA)") from None
        return self._cache[key]

    def holiday_names(self, dates: np.ndarray) -> np.ndarray:
        """Holiday name per date ('' when none). Several names on one date are joined."""
        out = np.full(len(dates), "", dtype=object)
        if not self.country or len(dates) == 0:
            return out
        as_dates = pd.to_datetime(dates).date
        years = range(min(d.year for d in as_dates), max(d.year for d in as_dates) + 1)
        table = self._holidays(years)
        for i, day in enumerate(as_dates):
            name = table.get(day)
            if name:
                out[i] = canonical_holiday(str(name))
        return out

    def special_effects(self, dates: np.ndarray, queue: str) -> np.ndarray:
        """Planner multiplier per date (1.0 when the date is ordinary)."""
        out = np.ones(len(dates))
        if not self.special_days:
            return out
        index = {d: i for i, d in enumerate(pd.to_datetime(dates).date)}
        for special in self.special_days:
            if special.applies_to(queue) and special.date in index:
                out[index[special.date]] *= special.effect
        return out


def canonical_holiday(name: str) -> str:
    """'Christmas Day (observed)' and 'Christmas Day' are the same holiday for learning its effect."""
    parts = [re.sub(r"\s*\((?:observed|substitute day|estimated)\)\s*$", "", p.strip(), flags=re.IGNORECASE)
             for p in name.split(";")]
    return "; ".join(sorted(set(parts)))


def local_wall_start(start: pd.Timestamp, timezone: str) -> pd.Timestamp:
    """The horizon start as naive local wall-clock time."""
    start = pd.Timestamp(start)
    if start.tzinfo is not None:
        start = start.tz_convert(timezone).tz_localize(None)
    return start


def horizon_grid(start: pd.Timestamp, days: int, interval_min: int, timezone: str,
                 open_slots: np.ndarray) -> tuple[pd.DataFrame, np.ndarray]:
    """Every open interval of [start, start + days local days) (columns day, slot, start) and the local dates.

    day is the index of the local date from the first horizon date; open_slots
    is the (7, slots) weekday × slot mask. Starts are tz-aware in `timezone`.
    """
    wall0 = local_wall_start(start, timezone)
    first = np.datetime64(wall0.normalize().date(), "D")
    wall_end = wall0 + pd.Timedelta(days=days)
    last = np.datetime64(wall_end.normalize().date(), "D")
    dates = np.arange(first, last + np.timedelta64(1, "D"), dtype="datetime64[D]")
    weekday = ((dates.astype(np.int64) + 3) % 7)
    day_idx, slot_idx = np.nonzero(open_slots[weekday])
    if day_idx.size == 0:
        empty = pd.DataFrame({"day": np.array([], dtype=np.int64), "slot": np.array([], dtype=np.int64),
                              "start": pd.DatetimeIndex([], tz=timezone)})
        return empty, dates
    wall = (dates[day_idx].astype("datetime64[m]")
            + (slot_idx * interval_min).astype("timedelta64[m]"))
    wall_index = pd.DatetimeIndex(wall.astype("datetime64[ns]"))
    first_occ = wall_index.tz_localize(timezone, ambiguous=np.ones(len(wall_index), dtype=bool),
                                       nonexistent="NaT")
    second_occ = wall_index.tz_localize(timezone, ambiguous=np.zeros(len(wall_index), dtype=bool),
                                        nonexistent="NaT")
    keep = ~first_occ.isna()
    repeated = keep & (first_occ != second_occ)
    frame = pd.DataFrame({"day": day_idx[keep], "slot": slot_idx[keep], "start": first_occ[keep],
                          "wall": wall_index[keep]})
    if repeated.any():
        extra = pd.DataFrame({"day": day_idx[repeated], "slot": slot_idx[repeated],
                              "start": second_occ[repeated], "wall": wall_index[repeated]})
        frame = pd.concat([frame, extra], ignore_index=True)
    inside = (frame["wall"] >= wall0) & (frame["wall"] < wall_end)
    frame = frame[inside.to_numpy()].sort_values("start", kind="stable").reset_index(drop=True)
    return frame.drop(columns="wall"), dates
