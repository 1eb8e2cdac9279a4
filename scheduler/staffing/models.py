"""Pick the model a service goal asks for, and evaluate it.

One place decides which formulas serve a goal, so requirements, the CLI and
the report can never disagree about it:

- deadline_s set            → backlog (email, tickets; whole series in time order)
- concurrency > 1           → chat slot model (with patience_s: abandonment too)
- patience_s set            → Erlang A
- otherwise                 → Erlang C

A goal's after_call_s (agents unavailable after each contact, e.g. measured by
`calibrate`) is added to the handle time here, once, for every model.
"""
from __future__ import annotations

import numpy as np

from rules.service_goal import ServiceGoal
from scheduler.staffing import backlog, chat, erlang_a, erlang_c

__all__ = ["model_name", "agents_required", "metrics", "service_level"]


def model_name(goal: ServiceGoal) -> str:
    """Short name of the model serving this goal, for logs and reports."""
    if goal.deadline_s:
        return "backlog"
    if goal.concurrency > 1:
        return "chat+abandon" if goal.patience_s else "chat"
    return goal.model


def _work_s(aht_s: np.ndarray, goal: ServiceGoal) -> np.ndarray:
    """Seconds an agent is taken per contact: handle time plus the pause after it."""
    return np.asarray(aht_s, dtype=float) + goal.after_call_s if goal.after_call_s else aht_s


def _sl_args(goal: ServiceGoal) -> dict:
    return {"service_level": goal.service_level, "target_s": goal.target_s}


def agents_required(contacts: np.ndarray, aht_s: np.ndarray, interval_s: float, goal: ServiceGoal,
                    starts_s: np.ndarray | None = None) -> np.ndarray:
    """Net agents meeting every target of the goal (rows with contacts > 0, or the whole series for backlog)."""
    aht_s = _work_s(aht_s, goal)
    if goal.deadline_s:
        return backlog.plan(contacts, aht_s, interval_s, goal.deadline_s, goal.deadline_share or 1.0,
                            goal.deadline_final_s, starts_s, goal.deadline_clock).agents
    load = erlang_c.offered_load(contacts, aht_s, interval_s)
    if goal.concurrency > 1:
        return chat.agents_required(load, aht_s, goal.concurrency, goal.concurrency_slowdown, **_sl_args(goal),
                                    asa_s=goal.asa_s, max_occupancy=goal.max_occupancy,
                                    max_abandon=goal.max_abandon, patience_s=goal.patience_s,
                                    convention=goal.sl_convention, short_abandon_s=goal.short_abandon_s)
    if goal.patience_s:
        return erlang_a.agents_required(load, aht_s, goal.patience_s, **_sl_args(goal), asa_s=goal.asa_s,
                                        max_abandon=goal.max_abandon, max_occupancy=goal.max_occupancy,
                                        convention=goal.sl_convention, short_abandon_s=goal.short_abandon_s)
    return erlang_c.agents_required(load, aht_s, **_sl_args(goal), asa_s=goal.asa_s,
                                    max_occupancy=goal.max_occupancy)


def metrics(contacts: np.ndarray, aht_s: np.ndarray, interval_s: float, agents: np.ndarray,
            goal: ServiceGoal) -> dict[str, np.ndarray]:
    """Queueing metrics at whole numbers of agents (not for backlog goals)."""
    aht_s = _work_s(aht_s, goal)
    load = erlang_c.offered_load(contacts, aht_s, interval_s)
    target = goal.target_s if goal.target_s is not None else 0.0
    if goal.concurrency > 1:
        return chat.metrics(agents, load, aht_s, goal.concurrency, goal.concurrency_slowdown, target,
                            goal.patience_s, goal.sl_convention, goal.short_abandon_s)
    if goal.patience_s:
        return erlang_a.metrics(agents, load, aht_s, goal.patience_s, target, goal.sl_convention,
                                goal.short_abandon_s)
    return erlang_c.metrics(agents, load, aht_s, target)


def service_level(contacts: np.ndarray, aht_s: np.ndarray, interval_s: float, agents: np.ndarray,
                  goal: ServiceGoal, starts_s: np.ndarray | None = None) -> np.ndarray:
    """Service level within goal.target_s (queueing: whole agents; backlog: any agents, whole series)."""
    if goal.deadline_s:
        return backlog.simulate(contacts, _work_s(aht_s, goal), interval_s, agents, goal.deadline_s,
                                goal.deadline_share or 1.0, goal.deadline_final_s, starts_s,
                                goal.deadline_clock).on_time_share
    return metrics(contacts, aht_s, interval_s, agents, goal)["service_level"]
