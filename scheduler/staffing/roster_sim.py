"""The "simulated service level" of a roster, per queue and interval, for the report.

The projected service level applies the steady-state formulas interval by
interval; this runs the discrete-event simulation over each open stretch of a
day instead, so queues carried from a busy interval into the next, breaks and
partial presence all count. Net agents per interval may be fractional (scheduled
× (1 − shrinkage)): the simulation puts the extra agent on the floor for the
whole interval with that probability, the formula's floor/ceil mix. Agents on
the floor at the end of a stretch answer the callers still queued at closing.

- voice: the simulation with the goal's handle-time distribution
  (`handle_distribution`, `handle_cv`; exponential unless the site YAML says
  otherwise, or the caller overrides it) and the goal's patience; an agent is
  taken for aht + the goal's after_call_s per call, as the formulas count it.
- chat: simulated as N·c slots with the chat AHT — exact for
  concurrency_slowdown = 0, optimistic otherwise (slots at low concurrency
  would go faster still, so the bias is small and on the safe side only when
  slowdown is 0; the report should say "slots" for chat).
- email/deadline goals: the backlog model's on-time share (it is already an
  interval-by-interval carry-over model; no randomness, no interval).
"""
from __future__ import annotations

from typing import Sequence

import numpy as np
import pandas as pd

from rules.site import Queue
from scheduler.staffing import backlog, simulation

__all__ = ["simulated_service_level"]

COLUMNS = ["queue", "start", "sim_service_level", "sim_service_level_lo", "sim_service_level_hi",
           "sim_asa_s", "sim_abandon_rate"]


def _stretches(starts: pd.Series, interval_s: float) -> list[np.ndarray]:
    """Runs of consecutive intervals (a gap longer than one interval starts a new run)."""
    t = pd.to_datetime(starts).map(pd.Timestamp.timestamp).to_numpy(float)
    breaks = np.flatnonzero(np.diff(t) > interval_s + 1e-6) + 1
    return np.split(np.arange(t.size), breaks)


def simulated_service_level(frame: pd.DataFrame, queues: Sequence[Queue], interval_min: int,
                            net_column: str = "agents_net_on_floor", replications: int = 20, seed: int = 0,
                            handle: str | None = None, handle_cv: float | None = None,
                            confidence: float = 0.95) -> pd.DataFrame:
    """Simulated service level per (queue, start) row of `frame`.

    frame needs queue, start, contacts, aht_s and `net_column` (agents answering
    contacts in the interval, after shrinkage; fractions allowed). Rows come
    back in the frame's order with the COLUMNS above. handle / handle_cv:
    override every queue's handle-time distribution (default: each goal's).
    """
    interval_s = 60.0 * interval_min
    out = pd.DataFrame({"queue": frame["queue"].to_numpy(), "start": frame["start"].to_numpy()})
    for col in COLUMNS[2:]:
        out[col] = np.nan
    by_id = {q.id: q for q in queues}
    for qid, part in frame.reset_index(drop=True).groupby("queue", sort=False):
        q = by_id[str(qid)]
        goal = q.service_goal
        part = part.sort_values("start", kind="stable")
        idx = part.index.to_numpy()
        contacts = part["contacts"].to_numpy(float)
        aht = np.where(contacts > 0, part["aht_s"].to_numpy(float), 1.0)
        net = part[net_column].to_numpy(float)
        if goal.deadline_s:
            starts_s = pd.to_datetime(part["start"]).map(pd.Timestamp.timestamp).to_numpy(float)
            res = backlog.simulate(contacts, aht, interval_s, net, goal.deadline_s, goal.deadline_share or 1.0,
                                   goal.deadline_final_s, starts_s, goal.deadline_clock)
            out.loc[idx, "sim_service_level"] = res.on_time_share
            continue
        servers = net * max(goal.concurrency, 1)
        shape = handle or goal.handle_distribution
        cv = handle_cv if handle_cv is not None else (goal.handle_cv if goal.handle_cv is not None else 1.0)
        work = aht + goal.after_call_s
        target = goal.target_s if goal.target_s is not None else 0.0
        for k, run in enumerate(_stretches(part["start"], interval_s)):
            res = simulation.simulate(contacts[run], work[run], interval_s, agents=servers[run], target_s=target,
                                      patience_s=goal.patience_s, handle=shape, handle_cv=cv,
                                      short_abandon_s=goal.short_abandon_s or 0.0, replications=replications,
                                      seed=seed + 7919 * k, confidence=confidence)
            d = res.per_interval
            sl_key = {"offered": "service_level", "answered": "service_level_answered",
                      "offered_minus_short_abandons": "service_level_short"}[goal.sl_convention]
            rows = idx[run]
            busy = contacts[run] > 0
            out.loc[rows, "sim_service_level"] = np.where(busy, d[sl_key].to_numpy(), 1.0)
            out.loc[rows, "sim_service_level_lo"] = np.where(busy, d[f"{sl_key}_lo"].to_numpy(), 1.0)
            out.loc[rows, "sim_service_level_hi"] = np.where(busy, d[f"{sl_key}_hi"].to_numpy(), 1.0)
            out.loc[rows, "sim_asa_s"] = np.where(busy, d["asa_s"].to_numpy(), 0.0)
            out.loc[rows, "sim_abandon_rate"] = np.where(busy, d["abandon_rate"].to_numpy(), 0.0)
    return out
