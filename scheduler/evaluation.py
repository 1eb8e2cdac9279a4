"""How good is a roster for the contacts we expect: coverage and projected service level."""
from __future__ import annotations

import numpy as np
import pandas as pd

from rules.site import Site
from scheduler.staffing.requirements import projected_service_level
from scheduler.staffing.roster_sim import simulated_service_level

SIM_REPLICATIONS = 20


def interval_evaluation(site: Site, requirements: pd.DataFrame, coverage: pd.DataFrame) -> pd.DataFrame:
    """Per queue and interval: required vs scheduled agents and the projected service level.

    Scheduled agents lose the queue's shrinkage before they answer contacts, the
    same allowance the requirement added, so the two are compared like for like.
    `scheduled` is the average number of agents on the queue over the interval, so
    it keeps its fractions: an agent on a 15-minute break in a 30-minute interval
    counts 0.5, not 0 and not 1 (truncating to whole agents understated coverage
    and the projected service level whenever breaks split an interval).
    """
    merged = requirements.merge(coverage[["queue", "start", "scheduled"]], on=["queue", "start"], how="left")
    merged["scheduled"] = merged["scheduled"].fillna(0.0).astype(float).round(6)
    merged["projected_sl"] = np.nan
    for queue in site.queues:
        rows = merged["queue"] == queue.id
        if not rows.any():
            continue
        part = merged.loc[rows]
        net = part["scheduled"].to_numpy(float) * (1.0 - queue.shrinkage)
        merged.loc[rows, "projected_sl"] = projected_service_level(
            part["contacts"].to_numpy(float), part["aht_s"].to_numpy(float), site.interval_min * 60.0,
            net, queue.service_goal)
    merged["gap"] = merged["scheduled"] - merged["agents"]
    # The independent check of the formulas: a seeded discrete-event simulation of the roster's
    # agents on contacts (breaks and training already taken out of `scheduled`).
    shrink = merged["queue"].map({q.id: q.shrinkage for q in site.queues})
    merged["agents_net_on_floor"] = merged["scheduled"].to_numpy(float) * (1.0 - shrink.to_numpy(float))
    simulated = simulated_service_level(merged, site.queues, site.interval_min, replications=SIM_REPLICATIONS,
                                        seed=site.solver.seed)
    for column in ("sim_service_level", "sim_service_level_lo", "sim_service_level_hi"):
        merged[column] = simulated[column].to_numpy()
    return merged


def queue_summary(site: Site, evaluation: pd.DataFrame) -> pd.DataFrame:
    """One row per queue: contacts, coverage of the requirement, projected and target service level."""
    rows = []
    for queue in site.queues:
        part = evaluation[evaluation["queue"] == queue.id]
        required = part["agents"].to_numpy(float)
        scheduled = part["scheduled"].to_numpy(float)
        contacts = part["contacts"].to_numpy(float)
        covered = np.minimum(required, scheduled).sum()
        rows.append({
            "queue": queue.id,
            "channel": queue.channel,
            "contacts": float(contacts.sum()),
            "required_agent_hours": float(required.sum() * site.interval_min / 60),
            "scheduled_agent_hours": float(scheduled.sum() * site.interval_min / 60),
            "coverage": float(covered / required.sum()) if required.sum() else 1.0,
            "intervals_short": int((scheduled < required).sum()),
            "intervals": int(len(part)),
            "projected_sl": float((part["projected_sl"] * contacts).sum() / contacts.sum()) if contacts.sum() else 1.0,
            "simulated_sl": float((part["sim_service_level"].fillna(1.0) * contacts).sum() / contacts.sum())
            if contacts.sum() else 1.0,
            "target_sl": queue.service_goal.service_level,
            "target_s": queue.service_goal.target_s,
        })
    return pd.DataFrame(rows)
