"""Intraday reforecast on real data: does updating on today's actuals beat the day-ahead forecast?

Data: ../shared/data/forecast/fpp2_calls_5min.csv (a North American bank,
weekdays 07:00–21:05). For every evaluation day the day-ahead forecast is the
project's own engine (`forecast.api.forecast_queues`, backtest-chosen model)
fitted on the history before that day; at 10:00, 12:00 and 14:00 the
intraday reforecast (`forecast.intraday.reforecast`, default settings) sees
that day's 5-minute actuals before the update time. Score: rest-of-day WAPE
(intervals starting at or after the update time), pooled over the days, of
the day-ahead forecast (baseline) and of the updated one, same run.

Windows: the standard hold-out 2003-10-13..10-24 (9 weekdays) and the last
8 weeks 2003-09-01..10-24 (38 weekdays with data). Planning intervals of 15
minutes (the history's 5-minute counts added up) and of 5 minutes.
The reforecast's defaults were chosen on May–August 2003 (`--tune` shows
that grid), never on these windows. Literature on the same data (Weinberg,
Brown & Stroud 2007; Shen & Huang 2008) reports that updating beats the
day-ahead forecast; the rows say by how much ours does.

    python -m bench.bench_intraday            # the table and the run() rows
    python -m bench.bench_intraday --tune     # the settings grid on May–August
Set WFM_BENCH_QUICK=1 for 15-minute intervals only.
"""
from __future__ import annotations

import logging
import os
import sys
import time
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from bench.bench_forecast import DATA, TZ_FPP2, load_fpp2

log = logging.getLogger(__name__)

UPDATE_TIMES = ("10:00", "12:00", "14:00")
WINDOWS = {"standard hold-out 2003-10-13..10-24": ("2003-10-13", "2003-10-24"),
           "last 8 weeks 2003-09-01..10-24": ("2003-09-01", "2003-10-24")}
TUNING_WINDOW = ("2003-05-05", "2003-08-29")


@dataclass(frozen=True)
class DayCase:
    """One evaluation day: its day-ahead forecast, its raw 5-minute actuals, and actuals per planning interval."""

    day: pd.Timestamp
    forecast: pd.DataFrame
    actuals_5min: pd.DataFrame
    actuals: pd.Series            # contacts per forecast interval start


def weekdays_with_data(history: pd.DataFrame, first: str, last: str) -> list[pd.Timestamp]:
    local = history["start"].dt.tz_convert(TZ_FPP2).dt.tz_localize(None).dt.normalize()
    days = sorted(set(local[(local >= pd.Timestamp(first)) & (local <= pd.Timestamp(last))]))
    return [pd.Timestamp(day) for day in days]


def day_cases(history: pd.DataFrame, days: list[pd.Timestamp], interval_min: int) -> list[DayCase]:
    """Day-ahead forecast of each day from the history before it (the engine's choice of model)."""
    from forecast.api import forecast_queues

    cases = []
    for day in days:
        start = day.tz_localize(TZ_FPP2)
        end = start + pd.Timedelta(days=1)
        forecast = forecast_queues(history[history["start"] < start], start, 1, interval_min, TZ_FPP2)
        today = history[(history["start"] >= start) & (history["start"] < end)]
        per_interval = today.groupby(today["start"].dt.floor(f"{interval_min}min"))["contacts"].sum()
        cases.append(DayCase(day, forecast, today, per_interval))
    return cases


def rest_of_day_errors(case: DayCase, update: str, settings) -> dict[str, float]:
    """Absolute errors and actual volume after the update time, day-ahead and updated, plus 80% band hits."""
    from forecast.intraday import reforecast

    now = pd.Timestamp(f"{case.day.date()} {update}").tz_localize(TZ_FPP2)
    seen = case.actuals_5min[case.actuals_5min["start"] < now]
    updated = reforecast(case.forecast, seen, now, settings).set_index("start")
    ahead = case.forecast[case.forecast["start"] >= now].set_index("start")
    actual = case.actuals.reindex(ahead.index).fillna(0.0).to_numpy()
    assert updated.index.equals(ahead.index)
    out = {"actual": float(actual.sum())}
    for label, frame in (("day_ahead", ahead), ("updated", updated)):
        out[label] = float(np.abs(frame["contacts"].to_numpy() - actual).sum())
        inside = (actual >= frame["contacts_lo"].to_numpy()) & (actual <= frame["contacts_hi"].to_numpy())
        out[f"{label}_covered"] = float(inside.sum())
    out["intervals"] = float(len(actual))
    return out


def score(cases: list[DayCase], settings=None) -> pd.DataFrame:
    """Per update time: pooled rest-of-day WAPE day-ahead vs updated, 80% coverage, days improved."""
    rows = []
    for update in UPDATE_TIMES:
        per_day = [rest_of_day_errors(case, update, settings) for case in cases]
        total = sum(d["actual"] for d in per_day)
        intervals = sum(d["intervals"] for d in per_day)
        rows.append({"update": update, "days": len(per_day),
                     "day_ahead_wape": sum(d["day_ahead"] for d in per_day) / total,
                     "updated_wape": sum(d["updated"] for d in per_day) / total,
                     "days_better": sum(d["updated"] < d["day_ahead"] for d in per_day),
                     "day_ahead_cov80": sum(d["day_ahead_covered"] for d in per_day) / intervals,
                     "updated_cov80": sum(d["updated_covered"] for d in per_day) / intervals})
    table = pd.DataFrame(rows)
    table["ratio"] = table["updated_wape"] / table["day_ahead_wape"]
    return table


def detection_share(cases: list[DayCase]) -> pd.Series:
    """On real days, how often a check at each update time calls a surge or a lull (not a false-alarm rate:
    real days have real deviations)."""
    from forecast.intraday import detect

    kinds = []
    for case in cases:
        for update in UPDATE_TIMES:
            now = pd.Timestamp(f"{case.day.date()} {update}").tz_localize(TZ_FPP2)
            kinds.append(detect(case.forecast, case.actuals_5min[case.actuals_5min["start"] < now], now)[0].kind)
    return pd.Series(kinds).value_counts(normalize=True)


def print_table(title: str, table: pd.DataFrame) -> None:
    shown = table.copy()
    for column in ("day_ahead_wape", "updated_wape", "day_ahead_cov80", "updated_cov80"):
        shown[column] = shown[column].map(lambda x: f"{100 * x:.2f}%")
    shown["ratio"] = shown["ratio"].map(lambda x: f"{x:.3f}")
    print(title)
    print(shown.to_string(index=False))


def evaluate(history: pd.DataFrame, interval_min: int) -> dict[str, pd.DataFrame]:
    """Tables for every window at one planning interval (forecasts made once for the widest window)."""
    first = min(first for first, _ in WINDOWS.values())
    last = max(last for _, last in WINDOWS.values())
    t0 = time.perf_counter()
    cases = day_cases(history, weekdays_with_data(history, first, last), interval_min)
    forecast_s = time.perf_counter() - t0
    tables = {}
    for name, (lo, hi) in WINDOWS.items():
        window = [c for c in cases if pd.Timestamp(lo) <= c.day <= pd.Timestamp(hi)]
        t0 = time.perf_counter()
        tables[name] = score(window)
        print_table(f"fpp2 {interval_min}-min, {name}: {len(window)} days (day-ahead forecasts {forecast_s:.0f}s for "
                    f"{len(cases)} days; scoring {time.perf_counter() - t0:.1f}s)", tables[name])
    shares = detection_share(cases)
    print(f"detect on the {len(cases)} real days at {', '.join(UPDATE_TIMES)}: "
          + ", ".join(f"{kind} {100 * share:.0f}%" for kind, share in shares.items()))
    return tables


def tune(interval_min: int = 15) -> pd.DataFrame:
    """The grid the defaults were chosen from, on May–August 2003 only: mean updated ÷ day-ahead WAPE."""
    from forecast.intraday import ReforecastSettings

    history = load_fpp2()
    cases = day_cases(history, weekdays_with_data(history, *TUNING_WINDOW), interval_min)
    base = ReforecastSettings()
    rows = []
    for half_life in (15.0, 30.0, 60.0, 120.0):
        for decay in (120.0, 240.0, 480.0, 960.0, None):
            for share in (0.3, 0.5, 0.7, 0.9):
                settings = replace(base, recency_half_life_min=half_life, decay_time_constant_min=decay,
                                   level_share=share)
                table = score(cases, settings)
                rows.append({"half_life_min": half_life, "decay_min": decay, "level_share": share,
                             "mean_ratio": float(table["ratio"].mean()),
                             **{f"ratio_{u}": r for u, r in zip(table["update"], table["ratio"])}})
    grid = pd.DataFrame(rows).sort_values("mean_ratio")
    print(f"tuning window {TUNING_WINDOW[0]}..{TUNING_WINDOW[1]}, {len(cases)} days, {interval_min}-min:")
    print(grid.head(15).to_string(index=False))
    return grid


def rows_for(interval_min: int, tables: dict[str, pd.DataFrame]) -> list[dict]:
    rows = []
    for window, table in tables.items():
        for r in table.itertuples():
            rows.append({"name": f"fpp2 {interval_min}-min rest-of-day WAPE updated at {r.update}, {window} "
                                 f"({r.days} days, better on {r.days_better})",
                         "value": round(100 * float(r.updated_wape), 2), "unit": "%",
                         "baseline_name": "day-ahead forecast (forecast_queues), same run",
                         "baseline_value": round(100 * float(r.day_ahead_wape), 2), "ratio": float(r.ratio)})
        noon = table[table["update"] == "12:00"].iloc[0]
        rows.append({"name": f"fpp2 {interval_min}-min rest-of-day 80% band coverage updated at 12:00, {window}",
                     "value": round(100 * float(noon["updated_cov80"]), 1), "unit": "%",
                     "baseline_name": "day-ahead band, same run",
                     "baseline_value": round(100 * float(noon["day_ahead_cov80"]), 1),
                     "ratio": float(noon["updated_cov80"] / noon["day_ahead_cov80"])})
    return rows


def run() -> list[dict]:
    if not DATA.exists():
        print(f"skipping intraday reforecast: {DATA} not found")
        return []
    history = load_fpp2()
    intervals = (15,) if os.environ.get("WFM_BENCH_QUICK") else (15, 5)
    rows: list[dict] = []
    for interval_min in intervals:
        rows += rows_for(interval_min, evaluate(history, interval_min))
    return rows


if __name__ == "__main__":
    logging.basicConfig(level=logging.WARNING)
    if "--tune" in sys.argv[1:]:
        if not DATA.exists():
            print(f"{DATA} not found")
            sys.exit(0)
        tune()
        sys.exit(0)
    for row in run():
        print(row)
