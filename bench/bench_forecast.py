"""Forecast accuracy on real call-centre data (fpp2 bank calls) and the nightly batch at scale.

Accuracy: ../shared/data/forecast/fpp2_calls_5min.csv, train up to 2003-10-10,
hold out 2003-10-13 .. 2003-10-24 (10-14 is missing), forecast the whole two
weeks at once. Every model is fitted on the training data and scored on the
hold-out (WAPE, MASE against in-sample seasonal naive, bias, 80%/95% interval
coverage); the model the backtest chooses is reported too. Baselines measured
in the same run: seasonal naive (same interval last week) and statsmodels'
Holt-Winters with a weekly period on the 5-minute series.

Scale: the batch over 1,000 synthetic queues × 8 weeks of 15-minute history
on local processes (one per core), beside a naive-only batch on the same file.
Set WFM_BENCH_QUICK=1 for 200 queues.

    python -m bench.bench_forecast
"""
from __future__ import annotations

import os
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "forecast" / "fpp2_calls_5min.csv"
TZ_FPP2 = "America/New_York"
CUT = "2003-10-13"
HORIZON_DAYS = 14


def load_fpp2(path: Path = DATA) -> pd.DataFrame:
    raw = pd.read_csv(path)
    start = pd.to_datetime(raw["interval_start"]).dt.tz_localize(TZ_FPP2)
    return pd.DataFrame({"queue": "calls", "start": start, "contacts": raw["calls"].astype(float)})


def _holt_winters_interval(panel, dates: np.ndarray) -> np.ndarray:
    """Holt-Winters with a weekly period on the open 5-minute intervals (gap days = the week before)."""
    from statsmodels.tsa.holtwinters import ExponentialSmoothing

    open_days = np.isin(panel.weekday, panel.open_weekdays)
    cols = np.flatnonzero(panel.open.any(axis=0))
    y = panel.y[open_days][:, cols].copy()
    period_days = len(panel.open_weekdays)
    for i in range(len(y)):
        if np.isnan(y[i]).all() and i >= period_days:
            y[i] = y[i - period_days]
    y = np.where(np.isfinite(y), y, 0.0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = ExponentialSmoothing(y.ravel(), seasonal="add", seasonal_periods=period_days * len(cols),
                                   initialization_method="heuristic").fit()
    horizon_open = np.isin(((dates.astype(np.int64) + 3) % 7), panel.open_weekdays)
    fc = fit.forecast(int(horizon_open.sum()) * len(cols)).reshape(-1, len(cols))
    out = np.zeros((len(dates), panel.slots))
    out[np.flatnonzero(horizon_open)[:, None], cols[None, :]] = np.maximum(fc, 0.0)
    return out


def fpp2_table(origins: int = 3) -> tuple[pd.DataFrame, str]:
    """Hold-out accuracy of every model, the backtest's choice, and the same-run baselines."""
    from forecast import metrics
    from forecast.api import build_panels, horizon_dates, make_calendar
    from forecast.backtest import run_backtest
    from forecast.models.registry import DEFAULT_MODELS, make_model
    from forecast.threads import blas_threads

    history = load_fpp2()
    cut = pd.Timestamp(CUT, tz=TZ_FPP2)
    train, test = history[history["start"] < cut], history[history["start"] >= cut]
    calendar = make_calendar(None)
    panel = build_panels(train, 5, TZ_FPP2, calendar)["calls"]
    dates = horizon_dates(cut, HORIZON_DAYS, TZ_FPP2)
    truth = build_panels(test, 5, TZ_FPP2, calendar)["calls"]
    actual = np.full((len(dates), panel.slots), np.nan)
    actual[np.searchsorted(dates, truth.dates)] = truth.y
    scored = np.isfinite(actual)
    a = actual[scored]
    scale = metrics.naive_scale(np.where(panel.open_cells, panel.y, np.nan))
    rows = []
    with blas_threads(1):
        t0 = time.perf_counter()
        backtest = run_backtest(panel, DEFAULT_MODELS, HORIZON_DAYS, origins=origins)
        backtest_s = time.perf_counter() - t0
        for name in DEFAULT_MODELS:
            t0 = time.perf_counter()
            pred = make_model(name).fit(panel).predict(dates)
            pred.scales = backtest.scales.get(name, {})
            seconds = time.perf_counter() - t0
            lo, hi = pred.interval(80)
            lo95, hi95 = pred.interval(95)
            f = pred.mean[scored]
            rows.append({"model": name, "wape": metrics.wape(f, a), "mase": metrics.mase(f, a, scale),
                         "bias": metrics.bias(f, a), "coverage80": metrics.coverage(a, lo[scored], hi[scored]),
                         "coverage95": metrics.coverage(a, lo95[scored], hi95[scored]), "fit_s": seconds})
        t0 = time.perf_counter()
        hw = _holt_winters_interval(panel, dates)[scored]
        rows.append({"model": "holt_winters_interval_weekly (baseline)", "wape": metrics.wape(hw, a),
                     "mase": metrics.mase(hw, a, scale), "bias": metrics.bias(hw, a),
                     "coverage80": np.nan, "coverage95": np.nan, "fit_s": time.perf_counter() - t0})
    table = pd.DataFrame(rows)
    table["chosen"] = table["model"] == backtest.chosen
    print(f"fpp2 hold-out {CUT}..2003-10-24, {int(scored.sum())} intervals; backtest ({origins} origins, "
          f"{backtest_s:.1f}s) chose {backtest.chosen}")
    shown = table.copy()
    for column in ("wape", "bias", "coverage80", "coverage95"):
        shown[column] = shown[column].map(lambda x: "" if pd.isna(x) else f"{100 * x:.2f}%")
    shown["mase"] = shown["mase"].map(lambda x: f"{x:.3f}")
    shown["fit_s"] = shown["fit_s"].map(lambda x: f"{x:.2f}")
    shown["chosen"] = shown["chosen"].map(lambda x: "<- chosen" if x else "")
    print(shown.to_string(index=False))
    return table, backtest.chosen


def synthetic_batch_file(folder: Path, queues: int, seed: int = 20260610) -> Path:
    """1,000 queues (a fifth of them 24/7 with quiet nights), 8 weeks of 15-minute history."""
    from forecast.synthetic import synthetic_history, write_history_csv

    n_all_day = queues // 5
    day = synthetic_history([f"q{i:04d}" for i in range(queues - n_all_day)], weeks=8, interval_min=15,
                            first_day="2024-01-01", seed=seed, daily_volume=600.0)
    all_day = synthetic_history([f"q{i:04d}" for i in range(queues - n_all_day, queues)], weeks=8,
                                interval_min=15, first_day="2024-01-01", seed=seed + 1, open_min=0,
                                close_min=1440, weekday_factor=np.array([1.2, 1.1, 1.0, 1.0, 0.9, 0.6, 0.5]),
                                daily_volume=900.0)
    path = folder / "history_1000.csv"
    write_history_csv(pd.concat([day, all_day], ignore_index=True), path)
    return path


def batch_timing(queues: int) -> dict:
    from forecast.batch import BatchSettings, run_batch
    from forecast.models.registry import BASELINES

    workers = os.cpu_count() or 1
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        t0 = time.perf_counter()
        path = synthetic_batch_file(folder, queues)
        rows = sum(1 for _ in path.open()) - 1
        gen_s = time.perf_counter() - t0
        settings = BatchSettings(timezone="Europe/London", horizon_days=14, origins=3)
        full = run_batch(path, settings, folder / "forecasts.sqlite", workers=workers)
        naive = run_batch(path, BatchSettings(timezone="Europe/London", horizon_days=14, origins=1,
                                              models=BASELINES[:1]), folder / "naive.sqlite", workers=workers)
        db_mb = (folder / "forecasts.sqlite").stat().st_size / 1e6
    chosen = pd.Series([o.model for o in full.outcomes]).value_counts().to_dict()
    cpu = np.array([o.cpu_seconds for o in full.outcomes])
    naive_cpu = np.array([o.cpu_seconds for o in naive.outcomes])
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"batch: {queues} queues, {rows:,} history rows (generated in {gen_s:.0f}s), {workers} local processes: "
          f"{full.seconds:.1f}s wall ({full.seconds / queues * 1000:.0f} ms/queue), worker CPU "
          f"{cpu.mean() * 1000:.0f} ms/queue (p95 {np.quantile(cpu, 0.95) * 1000:.0f} ms); naive-only batch "
          f"{naive.seconds:.1f}s wall, {naive_cpu.mean() * 1000:.0f} ms/queue CPU; store {db_mb:.0f} MB; "
          f"status {full.status}; chosen {chosen}; 1-min load average at the end {load:.1f} on {workers} cores")
    return {"queues": queues, "wall_s": full.seconds, "naive_wall_s": naive.seconds, "workers": workers,
            "per_queue_cpu_s": float(cpu.mean()), "naive_cpu_s": float(naive_cpu.mean()),
            "failed": len(full.failed), "load": load}


def run() -> list[dict]:
    results: list[dict] = []
    if DATA.exists():
        table, chosen = fpp2_table()
        by = table.set_index("model")
        naive = by.loc["seasonal_naive"]
        hw = by.loc["holt_winters_interval_weekly (baseline)"]
        for model, row in by.iterrows():
            if model.endswith("(baseline)"):
                continue
            label = f"fpp2 WAPE {model}" + (" (chosen)" if model == chosen else "")
            results.append({"name": label, "value": round(100 * row["wape"], 2), "unit": "%",
                            "baseline_name": "seasonal naive, same run", "baseline_value": round(100 * naive["wape"], 2),
                            "ratio": row["wape"] / naive["wape"]})
        best = by.loc[chosen]
        results += [
            {"name": "fpp2 WAPE chosen vs Holt-Winters weekly", "value": round(100 * best["wape"], 2), "unit": "%",
             "baseline_name": "statsmodels Holt-Winters weekly, same run", "baseline_value": round(100 * hw["wape"], 2),
             "ratio": best["wape"] / hw["wape"]},
            {"name": "fpp2 MASE chosen", "value": round(best["mase"], 3), "unit": "",
             "baseline_name": "seasonal naive, same run", "baseline_value": round(naive["mase"], 3),
             "ratio": best["mase"] / naive["mase"]},
            {"name": "fpp2 bias chosen", "value": round(100 * best["bias"], 2), "unit": "%",
             "baseline_name": "seasonal naive, same run", "baseline_value": round(100 * naive["bias"], 2),
             "ratio": None},
            {"name": "fpp2 80% interval coverage chosen", "value": round(100 * best["coverage80"], 1), "unit": "%",
             "baseline_name": "nominal", "baseline_value": 80.0, "ratio": best["coverage80"] / 0.80},
            {"name": "fpp2 95% interval coverage chosen", "value": round(100 * best["coverage95"], 1), "unit": "%",
             "baseline_name": "nominal", "baseline_value": 95.0, "ratio": best["coverage95"] / 0.95},
        ]
    else:
        print(f"skipping fpp2 accuracy: {DATA} not found")
    queues = 200 if os.environ.get("WFM_BENCH_QUICK") else 1000
    timing = batch_timing(queues)
    results += [
        {"name": f"batch wall time, {queues} queues × 8 weeks × 15 min, {timing['workers']} local processes",
         "value": round(timing["wall_s"], 1), "unit": "s", "baseline_name": "naive-only batch, same file",
         "baseline_value": round(timing["naive_wall_s"], 1), "ratio": timing["wall_s"] / timing["naive_wall_s"]},
        {"name": "batch cost per queue (worker CPU)", "value": round(1000 * timing["per_queue_cpu_s"]), "unit": "ms",
         "baseline_name": "naive-only batch, CPU per queue", "baseline_value": round(1000 * timing["naive_cpu_s"]),
         "ratio": timing["per_queue_cpu_s"] / max(timing["naive_cpu_s"], 1e-9)},
    ]
    for row in results:
        for key in ("value", "baseline_value", "ratio"):
            if row.get(key) is not None:
                row[key] = float(row[key])
    return results


if __name__ == "__main__":
    import logging

    logging.basicConfig(level=logging.WARNING)
    for row in run():
        print(row)
