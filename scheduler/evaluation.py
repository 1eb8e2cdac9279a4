"""How good is a roster for the contacts we expect: coverage and projected service level."""
from __future__ import annotations

import numpy as np
import pandas as pd

from rules.site import Site
from scheduler.staffing import models
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
    for column in ("sim_service_level", "sim_service_level_lo", "sim_service_level_hi", "sim_asa_s",
                   "sim_abandon_rate"):
        merged[column] = simulated[column].to_numpy()
    for column, values in projected_metrics(site, merged).items():
        merged[column] = values
    return merged


def projected_metrics(site: Site, frame: pd.DataFrame) -> dict[str, np.ndarray]:
    """The formulas' ASA, abandon rate and occupancy per row at the agents on the floor (frame's
    `agents_net_on_floor`), interpolated between whole agents as the projected service level is.
    Backlog (deadline) queues have no such measures: NaN there, and where the floor is empty."""
    out = {name: np.full(len(frame), np.nan) for name in ("projected_asa_s", "projected_abandon",
                                                          "projected_occupancy")}
    interval_s = site.interval_min * 60.0
    for queue in site.queues:
        goal = queue.service_goal
        rows = np.flatnonzero((frame["queue"] == queue.id).to_numpy())
        if goal.deadline_s or not len(rows):
            continue
        contacts = frame["contacts"].to_numpy(float)[rows]
        aht = np.where(contacts > 0, frame["aht_s"].to_numpy(float)[rows], 1.0)
        net = frame["agents_net_on_floor"].to_numpy(float)[rows]
        lo, hi = np.floor(net), np.ceil(net)
        with np.errstate(all="ignore"):
            m_lo = models.metrics(contacts, aht, interval_s, np.maximum(lo, 1.0), goal)
            m_hi = models.metrics(contacts, aht, interval_s, np.maximum(hi, 1.0), goal)
        share = net - lo
        for name, key in (("projected_asa_s", "asa_s"), ("projected_abandon", "prob_abandon"),
                          ("projected_occupancy", "occupancy")):
            if key not in m_lo:
                continue
            a, b = np.asarray(m_lo[key], float), np.asarray(m_hi[key], float)
            if key == "asa_s":   # an unstable queue (load at or above the agents) waits without end
                a, b = np.where(np.isfinite(a), a, np.nan), np.where(np.isfinite(b), b, np.nan)
            value = np.where(lo < 1, b, a + share * (b - a))
            value = np.where(net <= 0, np.nan, value)
            value = np.where(contacts > 0, value, 0.0)
            out[name][rows] = value
    return out


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
            "projected_asa_s": _weighted(part["projected_asa_s"], contacts),
            "simulated_asa_s": _weighted(part["sim_asa_s"], contacts),
            "projected_abandon": _weighted(part["projected_abandon"], contacts),
            "simulated_abandon": _weighted(part["sim_abandon_rate"], contacts),
            "projected_occupancy": _weighted(part["projected_occupancy"], contacts),
        })
    return pd.DataFrame(rows)


def _weighted(values: pd.Series, weights: np.ndarray) -> float:
    """Contact-weighted mean over the rows where the measure exists (NaN when none does)."""
    v = values.to_numpy(float)
    ok = np.isfinite(v) & (weights > 0)
    return float((v[ok] * weights[ok]).sum() / weights[ok].sum()) if ok.any() else float("nan")
