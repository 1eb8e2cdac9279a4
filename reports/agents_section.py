"""Report section: per agent, paid hours against the contract, weekends, late shifts, preferences and the ledger."""
from __future__ import annotations

import numpy as np
import pandas as pd

from pipeline.plan import PlanOutcome
from reports.htmlkit import collapsed, table
from reports.tables import agent_hours_table, fairness_ledger_table, fairness_summary
from rules.agents_file import LEDGER_COLUMNS, load_ledger

OUTLIER_STD = 1.5   # flagged: more than this many standard deviations above the contract's mean (and above 0)


def agent_frame(outcome: PlanOutcome) -> pd.DataFrame:
    """One row per agent: this week's load and the ledger's totals, with a text column naming the flags."""
    hours = agent_hours_table(outcome).set_index("agent_id")
    ledger = fairness_ledger_table(outcome).set_index("agent_id")
    files = outcome.inputs.site.files
    past = pd.DataFrame.from_dict(load_ledger(files["fairness_ledger"]) if "fairness_ledger" in files else {},
                                  orient="index").reindex(index=ledger.index, columns=LEDGER_COLUMNS[1:]).fillna(0)
    week = ledger - past
    frame = pd.DataFrame({
        "agent": hours["name"], "contract": hours["contract"], "skills": hours["skills"], "days": hours["days"],
        "paid hours": hours["hours"], "contract hours": [f"{lo:g}-{hi:g}" for lo, hi in
                                                         zip(hours["min_hours"], hours["max_hours"])],
        "weekend worked": week["weekends_worked"].reindex(hours.index).fillna(0).astype(int),
        "late shifts": week["late_shifts"].reindex(hours.index).fillna(0).astype(int),
        "wishes made": week["preferences_asked"].reindex(hours.index).fillna(0).astype(int),
        "wishes granted": (week["preferences_asked"] - week["preferences_unmet"]).reindex(hours.index).fillna(0)
        .astype(int),
        "ledger weeks": ledger["weeks"].reindex(hours.index).fillna(0).astype(int),
        "ledger weekends": ledger["weekends_worked"].reindex(hours.index).fillna(0),
        "ledger late shifts": ledger["late_shifts"].reindex(hours.index).fillna(0),
        "ledger unmet share": (ledger["preferences_unmet"] / ledger["preferences_asked"].replace(0, np.nan))
        .reindex(hours.index),
        "ledger extra h/week": (ledger["extra_hours"] / ledger["weeks"].replace(0, np.nan)).reindex(hours.index),
    })
    frame.index.name = "agent_id"
    frame = frame.reset_index()
    flags: list[list[str]] = [[] for _ in range(len(frame))]
    low = hours["min_hours"].to_numpy(float)
    high = hours["max_hours"].to_numpy(float)
    paid = frame["paid hours"].to_numpy(float)
    for i in np.flatnonzero(paid < low - 1e-6):
        flags[i].append("paid hours below contract")
    for i in np.flatnonzero(paid > high + 1e-6):
        flags[i].append("paid hours above contract")
    for column in ("ledger weekends", "ledger late shifts", "ledger unmet share", "ledger extra h/week"):
        values = frame[column].astype(float)
        per_week = values / frame["ledger weeks"].replace(0, np.nan) if column in ("ledger weekends",
                                                                                    "ledger late shifts") else values
        for contract, rows in frame.groupby("contract").groups.items():
            part = per_week.loc[rows]
            mean, std = part.mean(), part.std(ddof=0)
            if not np.isfinite(std) or std == 0:
                continue
            for i in rows:
                if per_week.loc[i] > mean + OUTLIER_STD * std and per_week.loc[i] > 0:
                    flags[i].append(f"{column.replace('ledger ', '')} high for {contract}")
    frame["flags"] = ["; ".join(f) for f in flags]
    return frame


def render(outcome: PlanOutcome) -> str:
    frame = agent_frame(outcome)
    flagged = frame[frame["flags"] != ""]
    marks = {c: frame["flags"].str.contains(key) for c, key in (
        ("paid hours", "paid hours"), ("ledger weekends", "weekends high"), ("ledger late shifts", "late shifts high"),
        ("ledger unmet share", "unmet share high"), ("ledger extra h/week", "extra h/week high"))}
    marks["flags"] = frame["flags"] != ""
    formats = {"paid hours": ".1f", "ledger weekends": "g", "ledger late shifts": "g", "ledger unmet share": ".0%",
               "ledger extra h/week": ".1f"}
    fairness = fairness_summary(outcome)
    return "\n".join([
        '<h2 id="agents">Agents: hours and fairness</h2>',
        f'<p class="note">This week per agent against the contract, and the fairness ledger including this week '
        f'(weekends and late shifts in total over the ledger\'s weeks; unmet wishes as a share of those made; extra '
        f'hours above the contract minimum per week). Flags: paid hours outside the contract, or a ledger measure '
        f'more than {OUTLIER_STD:g} standard deviations above the mean of agents on the same contract. '
        f'{len(flagged)} of {len(frame)} agents flagged.</p>',
        table(fairness, {"max": ".3g", "min": ".3g", "spread (max-min)": ".3g", "std": ".2f"}),
        collapsed(f"Flagged agents ({len(flagged)})", table(flagged, formats, table_id="flagged-agents"),
                  open_=0 < len(flagged) <= 30),
        collapsed(f"All {len(frame)} agents (click a header to sort)", table(frame, formats, flags=marks,
                                                                              table_id="agents-table")),
    ])
