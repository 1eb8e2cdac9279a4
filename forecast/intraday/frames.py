"""Today's forecast and actuals lined up interval by interval, and the forecast band split into its parts.

Detection and reforecasting both need the same two things: for each queue,
which of today's intervals are finished (and what arrived in them), and how
much of the forecast's stated uncertainty is Poisson noise, how much is a
whole-day level error (shared by every interval of the day) and how much is
interval-to-interval noise. Both live here so the two agree.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np
import pandas as pd

from forecast.history import infer_interval_min

log = logging.getLogger(__name__)

Z80 = 1.2815515655446004   # the 90% normal quantile: an 80% central band is mean ± Z80·sd
MIN_VARIANCE = 1.0         # contacts²: a floor so an interval forecast at ~0 does not give infinite z


@dataclass(frozen=True)
class QueueDay:
    """One queue on `now`'s local date: every forecast interval, and actuals where finished.

    Arrays are aligned with `start` (ascending). `observed` marks intervals that
    ended at or before `now` and have data; elsewhere `actual` is NaN.
    """

    queue: str
    start: pd.DatetimeIndex        # tz-aware interval starts (forecast's time zone)
    contacts: np.ndarray           # day-ahead forecast
    contacts_lo: np.ndarray
    contacts_hi: np.ndarray
    aht_s: np.ndarray              # forecast AHT (NaN if unknown)
    model: str
    actual: np.ndarray             # contacts arrived (NaN if not finished or no data)
    actual_aht_s: np.ndarray       # volume-weighted actual AHT (NaN if none)
    observed: np.ndarray           # bool
    interval_min: int
    now: pd.Timestamp

    @property
    def end(self) -> pd.DatetimeIndex:
        return self.start + pd.Timedelta(minutes=self.interval_min)

    def minutes_after_now(self, at: pd.DatetimeIndex) -> np.ndarray:
        return np.asarray((at - self.now) / pd.Timedelta(minutes=1), dtype=float)


@dataclass(frozen=True)
class BandParts:
    """The variance an 80% band implies, split into Poisson, whole-day level and interval noise.

    level_sd is a standard deviation because level errors add up linearly over
    a run of intervals (they are the same error), while noise variances add.
    """

    total_var: np.ndarray          # contacts², at least Poisson (the forecast itself)
    level_sd: np.ndarray           # contacts, shared by every interval of the day
    noise_var: np.ndarray          # contacts², Poisson + the independent rest
    poisson_var: np.ndarray        # contacts², the Poisson part of noise_var

    def take(self, index: np.ndarray | slice) -> "BandParts":
        return BandParts(self.total_var[index], self.level_sd[index], self.noise_var[index],
                         self.poisson_var[index])


def band_parts(contacts: np.ndarray, lo: np.ndarray, hi: np.ndarray, level_share: float) -> BandParts:
    """Split the band: sd from its wider half (lo is clipped at 0 on quiet intervals), Poisson first.

    `level_share` is the share of the beyond-Poisson variance that is a
    whole-day level error; on the bank data (fpp2) the day-ahead forecast's
    day-level variance is about 0.7 of it.
    """
    contacts = np.maximum(np.asarray(contacts, dtype=float), 0.0)
    half = np.maximum(np.asarray(hi, dtype=float) - contacts, contacts - np.asarray(lo, dtype=float))
    sd = np.where(np.isfinite(half), np.maximum(half, 0.0), 0.0) / Z80
    poisson = np.maximum(contacts, MIN_VARIANCE)
    total = np.maximum(sd ** 2, poisson)
    level_var = level_share * (total - poisson)
    return BandParts(total_var=total, level_sd=np.sqrt(level_var), noise_var=total - level_var,
                     poisson_var=poisson)


def local_now(now: pd.Timestamp | str, tz) -> pd.Timestamp:
    """`now` in the forecast's time zone; a naive time is read as local wall-clock time there."""
    stamp = pd.Timestamp(now)
    return stamp.tz_localize(tz) if stamp.tzinfo is None else stamp.tz_convert(tz)


def forecast_interval_min(forecast: pd.DataFrame, interval_min: int | None) -> int:
    """The forecast's interval length: as given, or the commonest step between its starts."""
    if interval_min is not None:
        return int(interval_min)
    return infer_interval_min(forecast, where="forecast")


def _per_interval_actuals(starts_ns: np.ndarray, interval_ns: int, rows: pd.DataFrame,
                          now_ns: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, int | None]:
    """Contacts, volume-weighted AHT and row count per forecast interval, from actual rows before now.

    Actual rows may be finer than the forecast (5-minute actuals, 15-minute
    forecast): each row counts in the forecast interval that contains its start.
    """
    n = len(starts_ns)
    contacts = np.zeros(n)
    handle = np.zeros(n)
    handled = np.zeros(n)
    count = np.zeros(n, dtype=int)
    if rows.empty:
        return contacts, np.full(n, np.nan), count, None
    t = rows["start"].dt.tz_convert("UTC").dt.as_unit("ns").astype("int64").to_numpy()
    before = t < now_ns
    t = t[before]
    volume = rows["contacts"].to_numpy(dtype=float)[before]
    aht = rows["aht_s"].to_numpy(dtype=float)[before] if "aht_s" in rows else np.full(len(t), np.nan)
    latest = int(t.max()) if len(t) else None
    idx = np.searchsorted(starts_ns, t, side="right") - 1
    inside = (idx >= 0) & (t < starts_ns[np.maximum(idx, 0)] + interval_ns) & np.isfinite(volume)
    idx, volume, aht = idx[inside], volume[inside], aht[inside]
    np.add.at(contacts, idx, volume)
    np.add.at(count, idx, 1)
    has_aht = np.isfinite(aht) & (volume > 0)
    np.add.at(handle, idx[has_aht], volume[has_aht] * aht[has_aht])
    np.add.at(handled, idx[has_aht], volume[has_aht])
    with np.errstate(invalid="ignore", divide="ignore"):
        mean_aht = np.where(handled > 0, handle / handled, np.nan)
    return contacts, mean_aht, count, latest


def queue_days(forecast: pd.DataFrame, actuals: pd.DataFrame, now: pd.Timestamp | str,
               interval_min: int | None = None) -> dict[str, QueueDay]:
    """Every forecast queue on now's local date, with its finished intervals' actuals.

    An interval is finished when it ends at or before `now`; actual rows that
    start at or after `now` are never read. A finished interval with no actual
    row counts as zero contacts if the queue has a later actual row (exports
    often leave out empty intervals) and as missing otherwise (the feed has not
    caught up yet) — a late feed must not look like a lull.
    """
    tz = forecast["start"].dt.tz
    now_local = local_now(now, tz)
    step = forecast_interval_min(forecast, interval_min)
    interval_ns = step * 60 * 10 ** 9
    now_ns = now_local.as_unit("ns").value
    today = now_local.date()
    local_start = forecast["start"].dt.tz_convert(tz)
    todays = forecast[local_start.dt.date == today]
    actual_queues = set(actuals["queue"].astype(str)) if len(actuals) else set()
    missing = actual_queues - set(forecast["queue"].astype(str))
    if missing:
        log.warning("actuals for queue(s) %s have no forecast; they are left out", ", ".join(sorted(missing)))
    by_queue = {str(q): rows for q, rows in actuals.groupby(actuals["queue"].astype(str))} if len(actuals) else {}
    days: dict[str, QueueDay] = {}
    for queue, rows in todays.groupby(todays["queue"].astype(str), sort=True):
        rows = rows.sort_values("start")
        start = pd.DatetimeIndex(rows["start"]).tz_convert(tz)
        starts_ns = start.as_unit("ns").asi8
        contacts, mean_aht, count, latest = _per_interval_actuals(
            starts_ns, interval_ns, by_queue.get(queue, actuals.iloc[:0]), now_ns)
        finished = starts_ns + interval_ns <= now_ns
        no_row_but_later_data = (count == 0) & (latest is not None) & (starts_ns < (latest or 0))
        observed = finished & ((count > 0) | no_row_but_later_data)
        days[queue] = QueueDay(
            queue=queue, start=start,
            contacts=rows["contacts"].to_numpy(dtype=float),
            contacts_lo=rows["contacts_lo"].to_numpy(dtype=float),
            contacts_hi=rows["contacts_hi"].to_numpy(dtype=float),
            aht_s=rows["aht_s"].to_numpy(dtype=float) if "aht_s" in rows else np.full(len(rows), np.nan),
            model=str(rows["model"].iloc[0]) if "model" in rows else "forecast",
            actual=np.where(observed, contacts, np.nan),
            actual_aht_s=np.where(observed, mean_aht, np.nan),
            observed=observed, interval_min=step, now=now_local)
    return days
