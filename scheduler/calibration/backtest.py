"""Predicted against actual service, per queue and interval, on the fit and the test sample.

Each interval is predicted from what happened in it — the calls offered, their
mean handle time, the agents on duty — so the back-test judges the queueing
model, not the forecast. Measures, all over *offered* calls: service level =
answered within the target ÷ offered; abandonment = abandoned ÷ offered; ASA =
total waiting seconds ÷ offered (abandoned callers' waits up to hang-up, as
Erlang A's ASA counts them).
"""
from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from scheduler.calibration.model import StaffingModel, predict

__all__ = ["BACKTEST_COLUMNS", "MEASURES", "interval_facts", "predict_facts", "backtest_frame", "error_table"]

BACKTEST_COLUMNS = ["queue", "start", "sample", "offered", "agents_on_duty", "actual_sl", "predicted_sl",
                    "actual_abandon", "predicted_abandon", "actual_asa_s", "predicted_asa_s"]
MEASURES = ("sl", "abandon", "asa_s")
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def interval_facts(history: pd.DataFrame, fit_until: dt.date, days: tuple[str, ...], min_offered: float) -> pd.DataFrame:
    """The intervals judged: on the chosen weekdays, with at least `min_offered` calls and agents on duty known.

    Columns: queue, start, day, sample (fit before `fit_until`, test from it),
    offered, answered, abandoned, answered_within_target, wait_s_total, aht_s,
    agents_on_duty, actual_sl, actual_abandon, actual_asa_s.
    """
    start = history["start"]
    weekday = start.dt.day_of_week.map(lambda d: WEEKDAYS[d])
    keep = weekday.isin(days) & (history["contacts"] >= min_offered) & history["agents_staffed"].notna()
    part = history[keep.to_numpy()]
    local_day = part["start"].dt.date
    offered = part["contacts"].to_numpy(float)
    facts = pd.DataFrame({
        "queue": part["queue"].to_numpy(), "start": part["start"].to_numpy(),
        "day": local_day.map(dt.date.isoformat).to_numpy(),
        "sample": np.where((local_day < fit_until).to_numpy(), "fit", "test"),
        "offered": offered,
        "answered": part["answered"].to_numpy(float), "abandoned": part["abandoned"].to_numpy(float),
        "answered_within_target": part["answered_within_target"].to_numpy(float),
        "wait_s_total": part["wait_s_total"].to_numpy(float), "aht_s": part["aht_s"].to_numpy(float),
        "agents_on_duty": part["agents_staffed"].to_numpy(float),
    })
    facts["start"] = pd.to_datetime(facts["start"]).dt.tz_convert(start.dt.tz)
    facts["actual_sl"] = facts["answered_within_target"] / offered
    facts["actual_abandon"] = facts["abandoned"] / offered
    facts["actual_asa_s"] = facts["wait_s_total"] / offered
    return facts.reset_index(drop=True)


def predict_facts(facts: pd.DataFrame, models: dict[str, StaffingModel], fallback_aht_s: dict[str, float],
                  interval_s: float, target_s: float) -> pd.DataFrame:
    """predicted_sl / _abandon / _asa_s per fact row, each queue with its own model."""
    out = pd.DataFrame(index=facts.index, columns=[f"predicted_{m}" for m in MEASURES], dtype=float)
    for queue, rows in facts.groupby("queue", sort=False).groups.items():
        part = facts.loc[rows]
        aht = part["aht_s"].to_numpy(float)
        aht = np.where(np.isfinite(aht) & (aht > 0), aht, fallback_aht_s[queue])
        p = predict(models[queue], part["offered"].to_numpy(float), aht, part["agents_on_duty"].to_numpy(float),
                    interval_s, target_s)
        for m in MEASURES:
            out.loc[rows, f"predicted_{m}"] = p[m]
    return out


def backtest_frame(facts: pd.DataFrame, predicted: pd.DataFrame) -> pd.DataFrame:
    """The backtest.csv table."""
    frame = pd.concat([facts, predicted], axis=1)
    return frame[BACKTEST_COLUMNS].sort_values(["queue", "start"], kind="stable").reset_index(drop=True)


def error_table(facts: pd.DataFrame, predicted: dict[str, pd.DataFrame],
                floor: pd.DataFrame | None = None) -> pd.DataFrame:
    """MAE and bias (predicted − actual) per queue (and all queues), sample, model and measure.

    floor: per fact row the expected absolute error of a perfectly true model
    (noise_floor.py), averaged the same way into `floor_mae`.
    """
    rows = []
    groups = [("all", np.ones(len(facts), dtype=bool))]
    groups += [(q, (facts["queue"] == q).to_numpy()) for q in sorted(facts["queue"].unique())]
    for queue, in_queue in groups:
        for sample in ("fit", "test"):
            mask = in_queue & (facts["sample"] == sample).to_numpy()
            for model, pred in predicted.items():
                for m in MEASURES:
                    err = pred[f"predicted_{m}"].to_numpy(float)[mask] - facts[f"actual_{m}"].to_numpy(float)[mask]
                    row = {"queue": queue, "sample": sample, "model": model, "measure": m,
                           "intervals": int(mask.sum()),
                           "mae": float(np.mean(np.abs(err))) if mask.any() else float("nan"),
                           "bias": float(np.mean(err)) if mask.any() else float("nan")}
                    if floor is not None:
                        row["floor_mae"] = float(floor[f"floor_{m}"].to_numpy(float)[mask].mean()) if mask.any() \
                            else float("nan")
                    rows.append(row)
    return pd.DataFrame(rows)
