"""Is a queue running above or below its forecast right now, since when, by how much, how sure?

A supervisor watches actuals against the forecast all day; one interval above
the band happens several times a day by chance, a run of them is a signal.
The test is a scan over runs that end at the last finished interval: for each
possible start, the run's excess over forecast divided by its standard
deviation, where the deviation counts Poisson and interval noise as
independent from interval to interval but the band's whole-day level error
as one error shared by the run (so a long run cannot look more certain than
the forecast's own uncertainty allows). The run that maximises that z is
"the current run" and its first interval is "since" — the changepoint
estimate of a mean shift. To make one freak interval unable to raise an
alarm on its own, the z reported is the run's z without its most extreme
interval. Thresholds: with Poisson actuals around a forecast whose band is
only Poisson-wide (the hardest case), checking every 15 minutes from 07:00
to 20:00, a run at z ≥ 3 is found in 0.2% of checks with 15-minute intervals
and 0.6% with 5-minute ones (2.7% and 8.6% of days have one at some check);
with a band 5% wider than Poisson almost never. z ≥ 4 ("clear") is rarer still.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from forecast.intraday.frames import BandParts, QueueDay, band_parts, queue_days

log = logging.getLogger(__name__)

Kind = Literal["surge", "lull", "normal"]


@dataclass(frozen=True)
class DetectSettings:
    """How big and how sure a run must be to be called a surge or a lull."""

    level_share: float = 0.7          # share of the band's beyond-Poisson variance that is a whole-day level error
    min_run_intervals: int = 2        # one interval is never a run
    probable_z: float = 3.0           # robust run z from which a run is a signal
    clear_z: float = 4.0              # ... and from which it is clear


@dataclass(frozen=True)
class QueueSignal:
    """What a supervisor needs about one queue: kind, since when, how large, how sure, in one line."""

    queue: str
    kind: Kind
    since: pd.Timestamp | None        # first interval of the current run (None when normal)
    ratio: float                      # observed ÷ forecast contacts over the run (today so far when normal)
    intervals: int                    # finished intervals in the run (today so far when normal)
    z: float                          # robust z of the run: sd above (+) or below (−) forecast
    certainty: str                    # "likely noise" | "probable" | "clear"
    message: str


@dataclass(frozen=True)
class Run:
    first: int                        # index into the observed intervals
    z: float                          # robust z (without the run's most extreme interval)


def run_z(excess: np.ndarray, parts: BandParts) -> float:
    """Σ excess ÷ sd of that sum: noise variances add, level sds add before squaring."""
    variance = float(parts.noise_var.sum() + parts.level_sd.sum() ** 2)
    return float(excess.sum() / np.sqrt(variance)) if variance > 0 else 0.0


def best_run(excess: np.ndarray, parts: BandParts, sign: int, min_run: int) -> Run | None:
    """The run ending at the last interval with the largest robust z in direction `sign` (+1 surge, −1 lull)."""
    n = len(excess)
    if n < min_run:
        return None
    standardised = sign * excess / np.sqrt(parts.total_var)
    best: Run | None = None
    for first in range(n - min_run, -1, -1):
        run = np.arange(first, n)
        rest = run[run != first + int(np.argmax(standardised[first:]))]
        z = sign * run_z(excess[rest], parts.take(rest))
        if best is None or z > best.z:
            best = Run(first, z)
    return best


def certainty_of(z: float, settings: DetectSettings) -> str:
    size = abs(z)
    return "clear" if size >= settings.clear_z else "probable" if size >= settings.probable_z else "likely noise"


def _percent(ratio: float) -> str:
    return "n/a" if not np.isfinite(ratio) else f"{100 * (ratio - 1):+.0f}%"


def _ratio(actual: np.ndarray, forecast: np.ndarray) -> float:
    total = float(forecast.sum())
    return float(actual.sum() / total) if total > 0 else float("nan")


def signal_for(day: QueueDay, settings: DetectSettings) -> QueueSignal:
    """Detect on one queue's day."""
    obs = day.observed
    n = int(obs.sum())
    if n == 0:
        return QueueSignal(day.queue, "normal", None, float("nan"), 0, 0.0, "likely noise",
                           f"{day.queue}: no finished intervals with actuals yet today")
    forecast, actual = day.contacts[obs], day.actual[obs]
    parts = band_parts(forecast, day.contacts_lo[obs], day.contacts_hi[obs], settings.level_share)
    excess = actual - forecast
    runs = {kind: best_run(excess, parts, sign, settings.min_run_intervals)
            for kind, sign in (("surge", 1), ("lull", -1))}
    found = [(kind, run) for kind, run in runs.items() if run is not None and run.z >= settings.probable_z]
    if found:
        kind, run = max(found, key=lambda item: item[1].z)
        z = run.z if kind == "surge" else -run.z
        span = slice(run.first, n)
        ratio = _ratio(actual[span], forecast[span])
        since = day.start[obs][run.first]
        word = certainty_of(z, settings)
        side = "above" if kind == "surge" else "below"
        size = f"+{100 * (ratio - 1):.0f}%" if kind == "surge" else f"{100 * (1 - ratio):.0f}%"
        intervals = n - run.first
        message = (f"{day.queue}: {kind} since {since:%H:%M}, contacts {size} {side} forecast over "
                   f"{intervals} interval{'s' if intervals != 1 else ''} ({word}: {abs(z):.1f} sd {side} forecast)")
        return QueueSignal(day.queue, kind, since, ratio, intervals, z, word, message)
    ratio = _ratio(actual, forecast)
    z = run_z(excess, parts)
    message = (f"{day.queue}: normal, contacts {_percent(ratio)} vs forecast over {n} "
               f"interval{'s' if n != 1 else ''} today (no run beyond noise; day so far {z:+.1f} sd)")
    return QueueSignal(day.queue, "normal", None, ratio, n, z, "likely noise", message)


def detect(forecast: pd.DataFrame, actuals: pd.DataFrame, now: pd.Timestamp | str,
           settings: DetectSettings | None = None, *, interval_min: int | None = None) -> list[QueueSignal]:
    """One signal per forecast queue for now's local date, from the intervals finished by `now`.

    `forecast`: `queue, start, contacts, contacts_lo, contacts_hi[, aht_s, model]`
    (80% band); `actuals`: `queue, start, contacts[, aht_s]`, rows at or after
    `now` are ignored. A naive `now` is local time in the forecast's time zone.
    """
    settings = settings or DetectSettings()
    signals = [signal_for(day, settings) for day in queue_days(forecast, actuals, now, interval_min).values()]
    for signal in signals:
        if signal.kind != "normal":
            log.info("%s", signal.message)
    return signals
