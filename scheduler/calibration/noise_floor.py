"""The noise floor: the error a perfectly true model would still show at these volumes.

An hour with 60 calls is a small sample: even if the world were exactly the
calibrated Erlang A, its realised service level would scatter around the
formula's. For every judged interval this simulates that world (scheduler.
staffing.simulation: Poisson arrivals at the interval's offered calls,
exponential service with the effective handle time, exponential patience, the
agents on duty — fractions as the formula mixes them — and a warm-up interval
so the hour starts in steady state), and predicts each replication the way the
back-test predicts a real interval (from that replication's offered calls and
mean handle time). The mean absolute difference is the interval's floor. A
back-test MAE near the floor means the model explains all it can.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from scheduler.calibration.model import StaffingModel, predict
from scheduler.staffing.simulation import simulate

__all__ = ["noise_floor"]


def noise_floor(facts: pd.DataFrame, models: dict[str, StaffingModel], fallback_aht_s: dict[str, float],
                interval_s: float, target_s: float, replications: int = 60, seed: int = 0) -> pd.DataFrame:
    """floor_sl, floor_abandon, floor_asa_s per fact row (expected |realised − predicted| under the model)."""
    out = np.full((len(facts), 3), np.nan)
    for i, row in enumerate(facts.itertuples(index=False)):
        model = models[row.queue]
        aht = row.aht_s if np.isfinite(row.aht_s) and row.aht_s > 0 else fallback_aht_s[row.queue]
        service_s = aht + model.after_call_s
        res = simulate(np.array([row.offered]), service_s, interval_s, agents=np.array([row.agents_on_duty]),
                       target_s=target_s, patience_s=model.patience_s, replications=replications,
                       seed=seed + 7919 * i, warmup_intervals=1)
        s = {k: v[:, 0] for k, v in res.sums.items()}
        ok = s["offered"] > 0
        if not ok.any():
            continue
        offered = s["offered"][ok]
        realised_service = np.where(s["answered"][ok] > 0, s["handle_sum"][ok] / np.maximum(s["answered"][ok], 1),
                                    service_s)
        truth = StaffingModel(model.name, model.patience_s)          # service already includes the pause
        p = predict(truth, offered, realised_service, np.full(offered.size, row.agents_on_duty), interval_s, target_s)
        actual = {"sl": s["in_target"][ok] / offered, "abandon": s["abandoned"][ok] / offered,
                  "asa_s": s["wait_sum"][ok] / offered}
        out[i] = [np.mean(np.abs(p[m] - actual[m])) for m in ("sl", "abandon", "asa_s")]
    return pd.DataFrame(out, index=facts.index, columns=["floor_sl", "floor_abandon", "floor_asa_s"])
