"""A small call centre written for the calibration tests, independent of the code under test.

FCFS, named agents on the floor all day, Poisson arrivals whose rate changes
per hour, exponential talk times, exponential patience, and after every call
the agent pauses (exponential, mean `pause_s`) before they can take another —
the world the calibrated model describes, with known true values. Returns the
per-call records a centre would export.
"""
from __future__ import annotations

import heapq

import numpy as np
import pandas as pd


def call_records(days: int, calls_per_hour: list[float], agents: int, aht_s: float, patience_s: float,
                 pause_s: float, seed: int = 0, first_day: str = "2024-03-04", open_hour: int = 8,
                 timezone: str = "UTC") -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    rows = []
    for d in range(days):
        day = pd.Timestamp(first_day) + pd.Timedelta(days=d)
        arrivals = []
        for h, rate in enumerate(calls_per_hour):
            n = rng.poisson(rate)
            arrivals.extend(np.sort(rng.uniform(0, 3600, n)) + 3600 * (open_hour + h))
        free = [(3600.0 * open_hour, k) for k in range(agents)]
        heapq.heapify(free)
        for arr in arrivals:
            at, k = free[0]
            start = max(arr, at)
            patience = rng.exponential(patience_s)
            if start - arr > patience:
                rows.append((day + pd.Timedelta(seconds=arr), patience, "abandoned", np.nan, ""))
                continue
            talk = rng.exponential(aht_s)
            heapq.heapreplace(free, (start + talk + rng.exponential(pause_s), k))
            rows.append((day + pd.Timedelta(seconds=arr), start - arr, "answered", talk, f"A{k}"))
    frame = pd.DataFrame(rows, columns=["arrival", "wait_s", "outcome", "handle_s", "agent_id"])
    frame.insert(0, "queue", "voice")
    frame["arrival"] = frame["arrival"].dt.tz_localize(timezone)
    return frame.sort_values("arrival", kind="stable").reset_index(drop=True)


def to_csv(frame: pd.DataFrame) -> str:
    out = frame.copy()
    out["arrival"] = out["arrival"].map(lambda t: t.isoformat())
    out["handle_s"] = out["handle_s"].map(lambda v: "" if pd.isna(v) else f"{v:.3f}")
    out["wait_s"] = out["wait_s"].map(lambda v: f"{v:.3f}")
    return out.to_csv(index=False, lineterminator="\n")
