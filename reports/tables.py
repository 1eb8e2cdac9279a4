"""The plan's outputs as tables: the files a planner opens in a spreadsheet."""
from __future__ import annotations

import pandas as pd

from pipeline.plan import PlanOutcome, roster_view
from rules.agents_file import LEDGER_COLUMNS, load_ledger
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
    return roster_frame(outcome.roster.shifts, outcome.inputs.agents)


def roster_frame(shifts, agent_list) -> pd.DataFrame:
    """roster.csv's rows: one per agent-day worked, activities inline (surge reads it back)."""
    agents = {a.agent_id: a for a in agent_list}
    rows = []
    for entry in sorted(shifts, key=lambda r: (r.agent_id, r.shift.start)):
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
    view = roster_view(outcome.inputs, outcome.dates, outcome.roster.shifts)
    return pd.DataFrame(updated_ledger(_past_ledger(outcome), view), columns=LEDGER_COLUMNS)


def _past_ledger(outcome: PlanOutcome) -> dict[str, dict[str, float]]:
    files = outcome.inputs.site.files
    return load_ledger(files["fairness_ledger"]) if "fairness_ledger" in files else {}


def _spread(measure: str, over: str, values: pd.Series) -> dict[str, object]:
    values = values.astype(float)
    if values.empty:
        return {"measure": measure, "over": over, "agents": 0, "agents with any": 0, "max": float("nan"),
                "min": float("nan"), "spread (max-min)": float("nan"), "std": float("nan")}
    return {"measure": measure, "over": over, "agents": len(values), "agents with any": int((values > 0).sum()),
            "max": values.max(), "min": values.min(), "spread (max-min)": values.max() - values.min(),
            "std": values.std(ddof=0)}


def fairness_summary(outcome: PlanOutcome) -> pd.DataFrame:
    """Spread across agents of each fairness measure, this week and including past weeks.

    This week's values are the new ledger less the past one, so the table says what the
    ledger will carry forward. Unmet preferences are a share of the requests made (agents
    who made any); extra hours count agents on a contract with an hours band, and over
    past weeks are averaged per week, as the fairness rule compares them.
    """
    ledger = fairness_ledger_table(outcome).set_index("agent_id")
    past = pd.DataFrame.from_dict(_past_ledger(outcome), orient="index").reindex(
        index=ledger.index, columns=LEDGER_COLUMNS[1:]).fillna(0)
    week = ledger - past
    site = outcome.inputs.site
    banded = [a.agent_id for a in outcome.inputs.agents
              if site.contract(a.contract).max_hours_week > site.contract(a.contract).min_hours_week]
    rows = []
    for column in ("weekends_worked", "late_shifts"):
        rows.append(_spread(column.replace("_", " "), "this week", week[column]))
        rows.append(_spread(column.replace("_", " "), "including past weeks", ledger[column]))
    for label, frame in (("this week", week), ("including past weeks", ledger)):
        asked = frame[frame["preferences_asked"] > 0]
        rows.append(_spread("unmet preferences (share of requests)", label,
                            asked["preferences_unmet"] / asked["preferences_asked"]))
    rows.append(_spread("extra hours above contract minimum", "this week", week.loc[banded, "extra_hours"]))
    rows.append(_spread("extra hours above contract minimum", "including past weeks (a week)",
                        ledger.loc[banded, "extra_hours"] / ledger.loc[banded, "weeks"]))
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
