"""The plan's outputs as tables: the files a planner opens in a spreadsheet."""
from __future__ import annotations

import pandas as pd

from pipeline.plan import PlanOutcome, roster_view
from rules.agents_file import load_ledger
from rules.fairness import updated_ledger


def iso(series: pd.Series) -> pd.Series:
    return series.map(lambda t: pd.Timestamp(t).isoformat())


def forecast_table(outcome: PlanOutcome) -> pd.DataFrame:
    table = outcome.forecast[["queue", "start", "contacts", "contacts_lo", "contacts_hi", "aht_s", "model"]].copy()
    table["start"] = iso(table["start"])
    return table.round({"contacts": 2, "contacts_lo": 2, "contacts_hi": 2, "aht_s": 1})


def requirements_table(outcome: PlanOutcome) -> pd.DataFrame:
    table = outcome.evaluation[["queue", "start", "contacts", "aht_s", "agents_net", "agents", "scheduled",
                                "projected_sl", "sim_service_level", "sim_service_level_lo",
                                "sim_service_level_hi"]].copy()
    table = table.rename(columns={"agents": "agents_required", "scheduled": "agents_scheduled"})
    goals = {q.id: q.service_goal for q in outcome.inputs.site.queues}
    table["target_sl"] = table["queue"].map(lambda q: goals[q].service_level)
    table["target_s"] = table["queue"].map(lambda q: goals[q].target_s)
    table["start"] = iso(table["start"])
    return table.round({"contacts": 2, "aht_s": 1, "projected_sl": 4, "sim_service_level": 4,
                        "sim_service_level_lo": 4, "sim_service_level_hi": 4})


def roster_table(outcome: PlanOutcome) -> pd.DataFrame:
    agents = {a.agent_id: a for a in outcome.inputs.agents}
    rows = []
    for entry in sorted(outcome.roster.shifts, key=lambda r: (r.agent_id, r.shift.start)):
        agent = agents[entry.agent_id]
        shift = entry.shift
        breaks = "; ".join(f"{a.name} {a.start:%H:%M}-{a.end:%H:%M}" for a in entry.activities)
        rows.append({"agent_id": agent.agent_id, "name": agent.name, "contract": agent.contract,
                     "date": shift.date.isoformat(), "shift": shift.template_id,
                     "start": shift.start.isoformat(), "end": shift.end.isoformat(),
                     "paid_hours": entry.paid_minutes / 60, "skills": ";".join(agent.skills), "activities": breaks})
    return pd.DataFrame(rows, columns=["agent_id", "name", "contract", "date", "shift", "start", "end",
                                       "paid_hours", "skills", "activities"])


def activities_table(outcome: PlanOutcome) -> pd.DataFrame:
    """One row per break, lunch, meeting or training: the roster's activity segments."""
    rows = [{"agent_id": entry.agent_id, "date": entry.shift.date.isoformat(), "activity": a.name,
             "start": a.start.isoformat(), "end": a.end.isoformat(), "paid": a.paid}
            for entry in sorted(outcome.roster.shifts, key=lambda r: (r.agent_id, r.shift.start))
            for a in entry.activities]
    return pd.DataFrame(rows, columns=["agent_id", "date", "activity", "start", "end", "paid"])


def fairness_ledger_table(outcome: PlanOutcome) -> pd.DataFrame:
    """Past counts plus this week's, to feed next week's plan (site YAML files.fairness_ledger)."""
    files = outcome.inputs.site.files
    past = load_ledger(files["fairness_ledger"]) if "fairness_ledger" in files else {}
    view = roster_view(outcome.inputs, outcome.dates, outcome.roster.shifts)
    return pd.DataFrame(updated_ledger(past, view), columns=["agent_id", "weeks", "weekends_worked", "late_shifts"])


def fairness_summary(outcome: PlanOutcome) -> pd.DataFrame:
    """Spread across agents of weekends and late shifts, this week and including past weeks."""
    ledger = fairness_ledger_table(outcome)
    late_ids = {t.id for t in outcome.inputs.site.shift_templates if t.late}
    roster = roster_table(outcome)
    this_week = pd.DataFrame({"agent_id": ledger["agent_id"]})
    weekend = roster[pd.to_datetime(roster["date"]).dt.day_of_week >= 5].groupby("agent_id").size()
    late = roster[roster["shift"].isin(late_ids)].groupby("agent_id").size()
    this_week["weekends_worked"] = this_week["agent_id"].map(weekend).fillna(0).clip(upper=1)
    this_week["late_shifts"] = this_week["agent_id"].map(late).fillna(0)
    rows = []
    for column in ("weekends_worked", "late_shifts"):
        for label, frame in (("this week", this_week), ("including past weeks", ledger)):
            values = frame[column].astype(float)
            rows.append({"measure": column.replace("_", " "), "over": label, "agents with any": int((values > 0).sum()),
                         "max": values.max(), "min": values.min(), "spread (max-min)": values.max() - values.min(),
                         "std": values.std(ddof=0)})
    return pd.DataFrame(rows)


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
