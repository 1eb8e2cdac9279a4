"""Agents needed per interval: the staffing engine's face to the pipeline.

The forecast says how many contacts arrive and how long they take; a queue's
service goal says what good service means. These functions turn the two into
net agents (on the phones), scheduled agents (after shrinkage and the queue's
floor), and the projected service level of any staffing, one numpy pass per
queue. The queueing maths lives in erlang_c / erlang_a / chat; this module only
picks the model the goal asks for.
"""
from __future__ import annotations

import logging
from typing import Sequence

import numpy as np
import pandas as pd

from common.errors import InputError
from rules.service_goal import ServiceGoal
from rules.site import Queue
from scheduler.staffing import models
from scheduler.staffing.uncertainty import contacts_quantile

log = logging.getLogger(__name__)

__all__ = ["agents_required", "scheduled_agents", "projected_service_level", "requirements_frame"]

REQUIREMENT_COLUMNS = ["queue", "start", "contacts", "aht_s", "agents_net", "agents"]


def _check_inputs(contacts: np.ndarray, aht_s: np.ndarray, interval_s: float,
                  where: str) -> tuple[np.ndarray, np.ndarray]:
    c = np.asarray(contacts, dtype=float)
    h = np.broadcast_to(np.asarray(aht_s, dtype=float), c.shape)
    if not interval_s > 0:
        raise InputError(where, f"interval length {interval_s!r} s is not positive", "use e.g. 900 or 1800")
    bad = ~np.isfinite(c) | (c < 0)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise InputError(f"{where} row {i}", f"contacts {c[i]!r} is negative or missing",
                         "contacts must be a number ≥ 0")
    bad = (c > 0) & ~(np.isfinite(h) & (h > 0))
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise InputError(f"{where} row {i}", f"aht_s {h[i]!r} is not a positive number where contacts > 0",
                         "give a positive average handle time in seconds")
    return c, h


def agents_required(contacts: np.ndarray, aht_s: np.ndarray, interval_s: float,
                    goal: ServiceGoal, starts_s: np.ndarray | None = None) -> np.ndarray:
    """Least whole number of net agents per interval meeting every target of the goal.

    Voice without patience: Erlang C. With goal.patience_s: Erlang A. With
    goal.concurrency > 1 (chat): the chat slot model. 0 where contacts == 0 —
    except for deadline (backlog) goals, where the arrays are one queue's
    intervals in time order and work is carried into quiet intervals
    (starts_s, epoch seconds, is needed only for deadline_clock: calendar).
    """
    c, h = _check_inputs(contacts, aht_s, interval_s, "forecast")
    if goal.deadline_s:
        return models.agents_required(c, h, float(interval_s), goal, starts_s)
    out = np.zeros(c.shape, dtype=np.int64)
    busy = c > 0
    if not busy.any():
        return out
    out[busy] = models.agents_required(c[busy], h[busy], float(interval_s), goal)
    return out


def scheduled_agents(net: np.ndarray, shrinkage: float, min_agents: int = 0) -> np.ndarray:
    """Agents to schedule so that, after shrinkage, `net` are available: ceil(net / (1 − s)).

    A tiny tolerance keeps float noise (e.g. 7 / 0.7) from adding a whole agent.
    """
    if not 0.0 <= shrinkage < 1.0:
        raise InputError("shrinkage", f"{shrinkage!r} is not in [0, 1)", "use a share such as 0.3")
    n = np.asarray(net, dtype=float)
    sched = np.ceil(n / (1.0 - shrinkage) - 1e-9)
    return np.maximum(sched, float(min_agents)).astype(np.int64)


def projected_service_level(contacts: np.ndarray, aht_s: np.ndarray, interval_s: float,
                            agents_net: np.ndarray, goal: ServiceGoal,
                            starts_s: np.ndarray | None = None) -> np.ndarray:
    """Service level (share answered within goal.target_s) with the given net agents.

    Fractional agents (an average over the interval, e.g. from breaks that cover
    part of it) are handled by linear interpolation between the service level at
    floor(n) and at ceil(n): n = 57.25 means a quarter of the interval at 58 and
    the rest at 57. An unstable floor (Erlang C, ≤ load) contributes 0. 1.0
    where contacts == 0. The share uses the goal's service-level convention.
    Deadline goals: the share of each interval's arrivals answered by their
    deadline, from the backlog model run over the whole series (time order;
    fractional agents are capacity, no interpolation needed).
    """
    c, h = _check_inputs(contacts, aht_s, interval_s, "forecast")
    n = np.broadcast_to(np.asarray(agents_net, dtype=float), c.shape)
    if (~np.isfinite(n) | (n < 0)).any():
        raise InputError("agents_net", "agents must be finite and ≥ 0", "pass the agents on the floor")
    if goal.deadline_s:
        return models.service_level(c, h, float(interval_s), n, goal, starts_s)
    out = np.ones(c.shape, dtype=float)
    busy = c > 0
    if not busy.any():
        return out
    cb, hb, nb = c[busy], h[busy], n[busy]
    lo, hi = np.floor(nb), np.ceil(nb)
    sl_lo = models.service_level(cb, hb, float(interval_s), lo, goal)
    sl_hi = models.service_level(cb, hb, float(interval_s), hi, goal)
    out[busy] = sl_lo + (nb - lo) * (sl_hi - sl_lo)
    return out


def requirements_frame(forecast: pd.DataFrame, queues: Sequence[Queue], interval_min: int,
                       interval_level: float = 0.8) -> pd.DataFrame:
    """Requirements per forecast row: queue, start, contacts, aht_s, agents_net, agents.

    Rows keep the forecast's order; extra forecast columns are ignored, except
    that a goal with uncertainty_level staffs for that quantile of contacts
    when the forecast has contacts_lo/contacts_hi (a central interval of
    coverage interval_level); `contacts` stays the point forecast. The forecast
    is expected to hold only open intervals, so min_agents applies to every
    row. Deadline goals see each queue's rows sorted by start.
    """
    missing = [col for col in ("queue", "start", "contacts", "aht_s") if col not in forecast.columns]
    if missing:
        raise InputError("forecast", f"missing column(s): {', '.join(missing)}",
                         "the forecast needs queue, start, contacts and aht_s")
    by_id = {q.id: q for q in queues}
    unknown = sorted(set(forecast["queue"].astype(str)) - set(by_id))
    if unknown:
        raise InputError("forecast", f"queue {unknown[0]!r} is not configured in the site",
                         f"configured queues: {', '.join(sorted(by_id))}")
    interval_s = 60.0 * float(interval_min)
    has_range = {"contacts_lo", "contacts_hi"} <= set(forecast.columns)
    src = forecast.reset_index(drop=True)
    out = src.loc[:, ["queue", "start", "contacts", "aht_s"]].copy()
    net_all = np.zeros(len(out), dtype=np.int64)
    sched_all = np.zeros(len(out), dtype=np.int64)
    queue_col = out["queue"].astype(str).to_numpy()
    for qid in pd.unique(queue_col):
        q, goal = by_id[qid], by_id[qid].service_goal
        rows = np.flatnonzero(queue_col == qid)
        starts_s = None
        if goal.deadline_s:
            starts = pd.to_datetime(src["start"].iloc[rows])
            rows = rows[np.argsort(starts.to_numpy(), kind="stable")]
            starts_s = pd.to_datetime(src["start"].iloc[rows]).map(pd.Timestamp.timestamp).to_numpy(float)
        contacts = src["contacts"].to_numpy(dtype=float)[rows]
        aht = src["aht_s"].to_numpy(dtype=float)[rows]
        if goal.uncertainty_level and has_range:
            contacts = contacts_quantile(contacts, src["contacts_lo"].to_numpy(dtype=float)[rows],
                                         src["contacts_hi"].to_numpy(dtype=float)[rows],
                                         goal.uncertainty_level, interval_level)
        try:
            net = agents_required(contacts, aht, interval_s, goal, starts_s)
        except InputError as exc:
            raise InputError(f"forecast, queue {qid!r}: {exc.where}", exc.problem, exc.fix) from None
        sched = scheduled_agents(net, q.shrinkage, q.min_agents)
        net_all[rows] = net
        sched_all[rows] = sched
        log.debug("staffing %s: %d intervals, peak %d net / %d scheduled (%s)", qid, rows.size,
                  int(net.max(initial=0)), int(sched.max(initial=0)), models.model_name(goal))
    out["agents_net"] = net_all
    out["agents"] = sched_all
    return out
