"""Pick the queueing model a service goal asks for, and evaluate it.

One place decides which formulas serve a goal, so requirements, the CLI and
the report can never disagree about it.
"""
from __future__ import annotations

import numpy as np

from rules.service_goal import ServiceGoal
from scheduler.staffing import erlang_c


def agents_required(contacts: np.ndarray, aht_s: np.ndarray, interval_s: float,
                    goal: ServiceGoal) -> np.ndarray:
    """Net agents meeting every target of the goal, for contacts > 0."""
    load = erlang_c.offered_load(contacts, aht_s, interval_s)
    if goal.concurrency > 1:
        # Interim: slots as servers with AHT per slot; replaced by the chat model.
        need = erlang_c.agents_required(load, aht_s, service_level=goal.service_level,
                                        target_s=goal.target_s, asa_s=goal.asa_s,
                                        max_occupancy=goal.max_occupancy)
        return np.ceil(need / goal.concurrency).astype(np.int64)
    return erlang_c.agents_required(load, aht_s, service_level=goal.service_level, target_s=goal.target_s,
                                    asa_s=goal.asa_s, max_occupancy=goal.max_occupancy)


def service_level(contacts: np.ndarray, aht_s: np.ndarray, interval_s: float, agents: np.ndarray,
                  goal: ServiceGoal) -> np.ndarray:
    """Service level within goal.target_s at whole numbers of agents, for contacts > 0."""
    load = erlang_c.offered_load(contacts, aht_s, interval_s)
    target = goal.target_s if goal.target_s is not None else 0.0
    if goal.concurrency > 1:
        return erlang_c.service_level(np.asarray(agents) * goal.concurrency, load, aht_s, target)
    return erlang_c.service_level(agents, load, aht_s, target)
