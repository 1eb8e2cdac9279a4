"""Calibration on a real bank: how well the calibrated Erlang A predicts hours it was not fitted on.

Data: ../shared/data/queueing/anonymous_bank_1999_10_calls.tsv through the
adapter (bench/bank_calls.py: queues `retail` and `internet`, by who answers).
Protocol of issue 13: calibrate on 1-15 October 1999, test on 16-31, hourly,
Sunday-Thursday hours with at least 30 offered calls, target 20 s. Baselines,
measured in the same run on the same hours and inputs (offered calls, handle
time and agents on duty of each hour): uncalibrated Erlang A (patience 150 s,
the sample site's hand estimate; agents on duty as they are) and Erlang C.
Also reported: the noise floor (the MAE a perfectly true model would still
show at these volumes, seeded simulation) and the test biases.

    python -m bench.bench_calibration        (about 30 s)
"""
from __future__ import annotations

import datetime as dt
import logging
import sys

from bench.bank_calls import SOURCE, TIMEZONE, convert
from scheduler.calibration.calibrate import CalibrationResult, CalibrationSettings, calibrate_calls

FIT_UNTIL = dt.date(1999, 10, 16)
DAYS = ("sun", "mon", "tue", "wed", "thu")


def calibrate_bank() -> CalibrationResult:
    calls = convert(SOURCE).calls
    calls["arrival"] = calls["arrival"].dt.tz_localize(TIMEZONE)
    settings = CalibrationSettings(interval_min=60, target_s=20.0, fit_until=FIT_UNTIL, days=DAYS, min_offered=30)
    return calibrate_calls(calls, TIMEZONE, settings, {"file": str(SOURCE)})


def rows_from(result: CalibrationResult) -> list[dict]:
    e = result.errors[(result.errors["queue"] == "all") & (result.errors["sample"] == "test")]
    mae = e.pivot(index="model", columns="measure", values="mae")
    bias = e.pivot(index="model", columns="measure", values="bias")
    floor = e[e["model"] == "calibrated"].set_index("measure")["floor_mae"]
    n = int(e["intervals"].iloc[0])
    labels = {"sl": ("service level", 100.0, "points"), "abandon": ("abandonment", 100.0, "points"),
              "asa_s": ("ASA", 1.0, "s")}
    rows = []
    for measure, (label, scale, unit) in labels.items():
        ours = scale * float(mae.loc["calibrated", measure])
        for base in ("erlang_a_uncalibrated", "erlang_c"):
            theirs = scale * float(mae.loc[base, measure])
            rows.append({"name": f"calibration: bank test-hour {label} MAE ({n} hours)", "value": ours, "unit": unit,
                         "baseline_name": {"erlang_a_uncalibrated": "uncalibrated Erlang A (patience 150 s)",
                                           "erlang_c": "Erlang C (infinite where an hour is unstable)"}[base],
                         "baseline_value": theirs, "ratio": ours / theirs if 0 < theirs < float("inf") else None})
        rows.append({"name": f"calibration: bank test-hour {label} MAE vs noise floor", "value": ours, "unit": unit,
                     "baseline_name": "noise floor of a true model (simulated)",
                     "baseline_value": scale * float(floor[measure]),
                     "ratio": ours / (scale * float(floor[measure]))})
        rows.append({"name": f"calibration: bank test-hour {label} bias", "value": scale * float(bias.loc["calibrated", measure]),
                     "unit": unit, "baseline_name": "uncalibrated Erlang A bias",
                     "baseline_value": scale * float(bias.loc["erlang_a_uncalibrated", measure]), "ratio": None})
    return rows


def run() -> list[dict]:
    if not SOURCE.exists():
        print(f"skipping calibration: {SOURCE} not found")
        return []
    return rows_from(calibrate_bank())


if __name__ == "__main__":
    logging.basicConfig(level=logging.WARNING)
    for row in run():
        print(row)
    sys.exit(0)
