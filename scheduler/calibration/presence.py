"""Agents on duty, inferred from the agents' own call activity when no staffing report is given.

An agent's answered calls of one queue, in order of service start, form
*sessions*: a new session starts when the agent has been idle for more than
`session_gap_s` since the end of their last call. The agent counts as on duty
for that queue from the start of a session's first call to the end of its last.
Agents on duty in an interval is the time average over the interval (a
fraction when a session starts or ends inside it).

The gap is a definition, not a fitted number: idle spells up to it (short
breaks, after-call work, other tasks) count as on duty but not available — the
availability model measures them — and longer ones (lunch, end of shift) as
off duty, as a roster's breaks are. The default, 15 minutes, is the shortest
break a roster plans (the sample site's), so on duty here means what a roster's
agents on the floor mean. On the October 1999 bank the calibrated model fits
the fit sample best at 15 minutes among 15, 30 and 60 (README, "Calibration"). Sessions per queue, so time a
multi-skilled agent spends on another queue's calls is time not available here.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

__all__ = ["DEFAULT_SESSION_GAP_S", "epoch_s", "service_spans", "sessions", "on_duty", "Sessions"]

DEFAULT_SESSION_GAP_S = 900.0


def epoch_s(times: pd.Series) -> np.ndarray:
    """tz-aware times → seconds since the epoch (UTC), as floats."""
    return times.dt.tz_convert("UTC").dt.as_unit("ns").astype("int64").to_numpy() / 1e9


def service_spans(calls: pd.DataFrame) -> pd.DataFrame:
    """queue, agent_id, start_s, end_s of every answered call that names its agent (epoch seconds)."""
    done = calls[(calls["outcome"] == "answered") & (calls["agent_id"] != "")]
    start = epoch_s(done["arrival"]) + done["wait_s"].to_numpy(float)
    return pd.DataFrame({"queue": done["queue"].to_numpy(), "agent_id": done["agent_id"].to_numpy(),
                         "start_s": start, "end_s": start + done["handle_s"].to_numpy(float)})


@dataclass(frozen=True)
class Sessions:
    """On-duty spans per queue and agent, and each call's place in them."""

    spans: pd.DataFrame        # queue, agent_id, start_s, end_s (one row per session)
    calls: pd.DataFrame        # service_spans sorted by queue, agent, start, with `session` (row of `spans`)
    gap_s: float


def sessions(spans: pd.DataFrame, gap_s: float = DEFAULT_SESSION_GAP_S) -> Sessions:
    """Group each agent's calls of a queue into sessions separated by idle gaps longer than gap_s."""
    calls = spans.sort_values(["queue", "agent_id", "start_s"], kind="stable").reset_index(drop=True)
    same = ((calls["queue"] == calls["queue"].shift()) & (calls["agent_id"] == calls["agent_id"].shift())).to_numpy()
    # the latest end so far within the agent's run (an overlapping long call keeps the session open)
    run_id = np.cumsum(~same)
    latest_end = calls.groupby(run_id)["end_s"].cummax().to_numpy()
    prev_end = np.r_[np.nan, latest_end[:-1]]
    new = ~same | (calls["start_s"].to_numpy() - prev_end > gap_s)
    calls["session"] = np.cumsum(new) - 1
    grouped = calls.groupby("session", sort=True)
    out = pd.DataFrame({"queue": grouped["queue"].first(), "agent_id": grouped["agent_id"].first(),
                        "start_s": grouped["start_s"].min(), "end_s": grouped["end_s"].max()}).reset_index(drop=True)
    return Sessions(out, calls, float(gap_s))


def on_duty(session_spans: pd.DataFrame, queue: str, starts_s: np.ndarray, interval_s: float) -> np.ndarray:
    """Time-averaged agents on duty for `queue` over each interval [s, s + interval_s).

    F(t) = total on-duty agent-seconds before t = Σ_i clamp(t − a_i, 0, b_i − a_i),
    computed for all t at once from the sorted session starts a and ends b.
    """
    part = session_spans[session_spans["queue"] == queue]
    a = np.sort(part["start_s"].to_numpy(float))
    b = np.sort(part["end_s"].to_numpy(float))
    cum_a, cum_b = np.r_[0.0, np.cumsum(a)], np.r_[0.0, np.cumsum(b)]

    def integral(t: np.ndarray) -> np.ndarray:
        na, nb = np.searchsorted(a, t, side="right"), np.searchsorted(b, t, side="right")
        return (na * t - cum_a[na]) - (nb * t - cum_b[nb])

    starts = np.asarray(starts_s, dtype=float)
    return (integral(starts + interval_s) - integral(starts)) / interval_s
