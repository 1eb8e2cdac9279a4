"""The plan's outputs as tables: the files a planner opens in a spreadsheet."""
from __future__ import annotations

import pandas as pd

from pipeline.plan import PlanOutcome


def iso(series: pd.Series) -> pd.Series:
    return series.map(lambda t: pd.Timestamp(t).isoformat())


def forecast_table(outcome: PlanOutcome) -> pd.DataFrame:
    table = outcome.forecast[["queue", "start", "contacts", "contacts_lo", "contacts_hi", "aht_s", "model"]].copy()
    table["start"] = iso(table["start"])
    return table.round({"contacts": 2, "contacts_lo": 2, "contacts_hi": 2, "aht_s": 1})


def requirements_table(outcome: PlanOutcome) -> pd.DataFrame:
    table = outcome.evaluation[["queue", "start", "contacts", "aht_s", "agents_net", "agents", "scheduled",
                                "projected_sl"]].copy()
    table = table.rename(columns={"agents": "agents_required", "scheduled": "agents_scheduled"})
    goals = {q.id: q.service_goal for q in outcome.inputs.site.queues}
    table["target_sl"] = table["queue"].map(lambda q: goals[q].service_level)
    table["target_s"] = table["queue"].map(lambda q: goals[q].target_s)
    table["start"] = iso(table["start"])
    return table.round({"contacts": 2, "aht_s": 1, "projected_sl": 4})


def roster_table(outcome: PlanOutcome) -> pd.DataFrame:
    agents = {a.agent_id: a for a in outcome.inputs.agents}
    rows = []
    for entry in sorted(outcome.roster.shifts, key=lambda r: (r.agent_id, r.shift.start)):
        agent = agents[entry.agent_id]
        shift = entry.shift
        rows.append({"agent_id": agent.agent_id, "name": agent.name, "contract": agent.contract,
                     "date": shift.date.isoformat(), "shift": shift.template_id,
                     "start": shift.start.isoformat(), "end": shift.end.isoformat(),
                     "paid_hours": shift.minutes / 60, "skills": ";".join(agent.skills)})
    return pd.DataFrame(rows, columns=["agent_id", "name", "contract", "date", "shift", "start", "end",
                                       "paid_hours", "skills"])


def agent_hours_table(outcome: PlanOutcome) -> pd.DataFrame:
    """Per agent: days and hours worked against the contract's weekly band."""
    site = outcome.inputs.site
    roster = roster_table(outcome)
    worked = roster.groupby("agent_id").agg(days=("date", "nunique"), hours=("paid_hours", "sum"))
    rows = []
    for agent in outcome.inputs.agents:
        contract = site.contract(agent.contract)
        days = int(worked["days"].get(agent.agent_id, 0))
        hours = float(worked["hours"].get(agent.agent_id, 0.0))
        rows.append({"agent_id": agent.agent_id, "name": agent.name, "contract": agent.contract,
                     "skills": ";".join(agent.skills), "days": days, "hours": hours,
                     "min_hours": contract.min_hours_week, "max_hours": contract.max_hours_week})
    return pd.DataFrame(rows)
