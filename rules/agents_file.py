"""Read the agents and time-off CSVs into Agent and TimeOff objects, checking each row."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

from common.errors import InputError
from common.io import parse_number, read_csv, row_label
from rules.loader import parse_clock
from rules.site import WEEKDAYS, Agent, Site, TimeOff

AGENT_COLUMNS = ["agent_id", "name", "contract", "skills"]
OPTIONAL_AGENT_COLUMNS = ["available_from", "available_to", "unavailable_days"]
TIME_OFF_COLUMNS = ["agent_id", "date"]


def parse_skills(text: str, where: str, queue_ids: list[str]) -> tuple[str, ...]:
    """'voice;chat' -> ('voice', 'chat'); every skill must name a queue of the site."""
    skills = [s.strip() for s in text.replace(",", ";").split(";") if s.strip()]
    if not skills:
        raise InputError(where, "the agent has no skills", f"list the queues they can take, e.g. {';'.join(queue_ids[:2])}")
    for skill in skills:
        if skill not in queue_ids:
            raise InputError(where, f"skill '{skill}' names an unknown queue",
                             f"use queue ids from the site YAML: {', '.join(queue_ids)}")
    if len(set(skills)) != len(skills):
        raise InputError(where, f"a skill is listed twice in '{text}'", "list each queue once")
    return tuple(skills)


def load_agents(path: Path, site: Site) -> list[Agent]:
    frame = read_csv(path, "agents", AGENT_COLUMNS)
    queue_ids = [q.id for q in site.queues]
    contract_ids = [c.id for c in site.contracts]
    agents: list[Agent] = []
    seen: dict[str, int] = {}
    for index, row in frame.iterrows():
        where = row_label(path, int(index))
        agent_id = row["agent_id"].strip()
        if not agent_id:
            raise InputError(f"{where}, column 'agent_id'", "the agent id is empty", "give every agent a unique id")
        if agent_id in seen:
            raise InputError(f"{where}, column 'agent_id'", f"agent '{agent_id}' also appears at row {seen[agent_id] + 2}",
                             "give every agent a unique id")
        seen[agent_id] = int(index)
        contract = row["contract"].strip()
        if contract not in contract_ids:
            raise InputError(f"{where}, column 'contract'", f"unknown contract '{contract}'",
                             f"use a contract id from the site YAML: {', '.join(contract_ids)}")
        skills = parse_skills(row["skills"], f"{where}, column 'skills'", queue_ids)
        available_from = row.get("available_from", "").strip()
        available_to = row.get("available_to", "").strip()
        from_min = parse_clock(available_from, f"{where}, column 'available_from'") if available_from else 0
        to_min = parse_clock(available_to, f"{where}, column 'available_to'", allow_24=True) if available_to else 24 * 60
        if to_min <= from_min:
            raise InputError(f"{where}, column 'available_to'", "is not after available_from",
                             "give a daily window such as 09:00 to 15:00, or leave both blank")
        days_text = row.get("unavailable_days", "").strip().lower()
        days = tuple(d.strip() for d in days_text.replace(",", ";").split(";") if d.strip())
        for day in days:
            if day not in WEEKDAYS:
                raise InputError(f"{where}, column 'unavailable_days'", f"unknown weekday '{day}'",
                                 f"use {', '.join(WEEKDAYS)} separated by ';'")
        agents.append(Agent(agent_id=agent_id, name=row["name"].strip() or agent_id, contract=contract,
                            skills=skills, available_from_min=from_min, available_to_min=to_min,
                            unavailable_days=days))
    if not agents:
        raise InputError(str(path), "the agents file has no agents", "add one row per agent")
    return agents


def load_time_off(path: Path, agents: list[Agent]) -> list[TimeOff]:
    frame = read_csv(path, "time-off", TIME_OFF_COLUMNS)
    known = {a.agent_id for a in agents}
    requests: list[TimeOff] = []
    for index, row in frame.iterrows():
        where = row_label(path, int(index))
        agent_id = row["agent_id"].strip()
        if agent_id not in known:
            raise InputError(f"{where}, column 'agent_id'", f"unknown agent '{agent_id}'",
                             "use an agent_id from the agents file, or delete the row")
        try:
            date = dt.date.fromisoformat(row["date"].strip())
        except ValueError:
            raise InputError(f"{where}, column 'date'", f"'{row['date']}' is not a date",
                             "write the date as YYYY-MM-DD") from None
        requests.append(TimeOff(agent_id=agent_id, date=date, reason=row.get("reason", "").strip()))
    return requests


LEDGER_REQUIRED = ["agent_id", "weeks", "weekends_worked", "late_shifts"]
LEDGER_COUNTS = ["weeks", "weekends_worked", "late_shifts", "preferences_asked", "preferences_unmet"]
LEDGER_HOURS = ["extra_hours"]
LEDGER_COLUMNS = ["agent_id", *LEDGER_COUNTS, *LEDGER_HOURS]


def load_ledger(path: Path) -> dict[str, dict[str, float]]:
    """Past fairness counts per agent (carried week to week; `plan` writes the updated ledger).

    Columns added since the first ledgers (preferences_asked, preferences_unmet,
    extra_hours) may be missing and count as 0, so an older ledger still loads.
    """
    frame = read_csv(path, "fairness ledger", LEDGER_REQUIRED)
    ledger: dict[str, dict[str, float]] = {}
    for index, row in frame.iterrows():
        where = row_label(path, int(index))
        agent_id = row["agent_id"].strip()
        if agent_id in ledger:
            raise InputError(f"{where}, column 'agent_id'", f"agent '{agent_id}' appears twice",
                             "keep one row per agent (add the counts together)")
        counts: dict[str, float] = {}
        for column in LEDGER_COUNTS + LEDGER_HOURS:
            if column not in frame.columns:
                counts[column] = 0
                continue
            value = parse_number(row[column], where, column, integer=column in LEDGER_COUNTS, minimum=0)
            counts[column] = int(value) if column in LEDGER_COUNTS else value
        if counts["preferences_unmet"] > counts["preferences_asked"]:
            raise InputError(f"{where}, column 'preferences_unmet'",
                             f"{counts['preferences_unmet']} unmet is more than the {counts['preferences_asked']} "
                             "requests made (preferences_asked)", "unmet requests are counted among those made; "
                             "correct one of the two")
        ledger[agent_id] = counts
    return ledger
