"""The change list a supervisor acts on: the revised roster compared with the published one, in time order,
each change with what it costs in money (pay for hours added or saved, plus the policy's price)."""
from __future__ import annotations

import datetime as dt
from collections import defaultdict

import pandas as pd

from rules.base import RosterShift
from rules.site import Agent, Site
from rules.stability import change_cost, change_kind
from scheduler.intraday.policy import IntradayPolicy

COLUMNS = ["time", "agent_id", "name", "change", "detail", "cost"]


def _hours(a: dt.datetime, b: dt.datetime) -> float:
    return (b - a).total_seconds() / 3600


def shift_changes(reference: list[RosterShift], revised: list[RosterShift], agents: dict[str, Agent], site: Site,
                  date: dt.date, until: dt.datetime, policy: IntradayPolicy) -> list[dict]:
    prices = policy.prices()
    rates = {c.id: c.cost_per_hour for c in site.contracts}
    break_names = {b.name for t in site.shift_templates for b in t.breaks}
    before = {r.agent_id: r for r in reference if r.shift.date == date}
    after = {r.agent_id: r for r in revised if r.shift.date == date}
    rows = []
    for agent_id in sorted(set(before) | set(after)):
        ref, new = before.get(agent_id), after.get(agent_id)
        agent = agents[agent_id]
        rate = rates[agent.contract]
        kind = change_kind(ref.shift if ref else None, new.shift if new else None)
        price = change_cost(kind, ref.shift if ref else None, new.shift if new else None, rate, prices)
        row = {"agent_id": agent_id, "name": agent.name, "change": kind}
        if kind == "call_in":
            rows.append(row | {"time": new.shift.start, "cost": price + rate * _hours(new.shift.start, new.shift.end),
                               "detail": f"call in {new.shift.start:%H:%M}-{new.shift.end:%H:%M}"})
        elif kind == "extend_shift":
            extra = _hours(ref.shift.end, new.shift.end)
            rows.append(row | {"time": ref.shift.end, "cost": price + rate * extra,
                               "detail": f"extend to {new.shift.end:%H:%M} (+{extra:g} h overtime)"})
        elif kind == "voluntary_time_off":
            end = new.shift.end if new else ref.shift.start
            saved = _hours(end, ref.shift.end)
            what = f"leave at {end:%H:%M}" if new else f"day off (was {ref.shift.start:%H:%M}-{ref.shift.end:%H:%M})"
            rows.append(row | {"time": end, "cost": price - rate * saved,
                               "detail": f"voluntary time off: {what} (-{saved:g} h)"})
        if ref is not None and new is not None:
            rows += [r | {"name": agent.name} for r in _activity_changes(ref, new, until, break_names, policy)]
    return rows


def _activity_changes(ref: RosterShift, new: RosterShift, until: dt.datetime, break_names: set[str],
                      policy: IntradayPolicy) -> list[dict]:
    """Moved breaks and activities (paired by name in time order) and training deferred out of the week."""
    rows = []
    keys = lambda r: {(a.name, a.start) for a in r.activities}     # noqa: E731
    gone = [a for a in ref.activities if a.start >= until and (a.name, a.start) not in keys(new)]
    came = [a for a in new.activities if a.start >= until and (a.name, a.start) not in keys(ref)]
    base = {"agent_id": ref.agent_id}
    for name in sorted({a.name for a in gone} | {a.name for a in came}):
        before = sorted((a for a in gone if a.name == name), key=lambda a: a.start)
        after = sorted((a for a in came if a.name == name), key=lambda a: a.start)
        for old, moved in zip(before, after):
            rows.append(base | {"change": "move_break", "time": min(old.start, moved.start),
                                "cost": policy.move_break.cost,
                                "detail": f"{name} {old.start:%H:%M}\u2192{moved.start:%H:%M}"})
        for moved in after[len(before):]:
            rows.append(base | {"change": "move_break", "time": moved.start, "cost": policy.move_break.cost,
                                "detail": f"{name} added at {moved.start:%H:%M}"})
        for old in before[len(after):]:
            if name not in break_names:
                rows.append(base | {"change": "defer_training", "time": old.start, "cost": policy.defer_training.cost,
                                    "detail": f"{name} at {old.start:%H:%M} deferred to another week"})
    return rows


def skill_moves(published: pd.DataFrame, revised: pd.DataFrame, revised_shifts: list[RosterShift],
                agents: dict[str, Agent], interval_min: int, policy: IntradayPolicy) -> list[dict]:
    """Multi-skilled agents who take another queue than the published split gave their group, named.

    The roster model splits each skill group's presence across its queues; where the revised split sends
    more of a group to a queue than the published one, that many of the group's agents on the floor are
    named (in id order, the same agents kept from one interval to the next) and their runs joined."""
    key = ["skills", "queue", "start"]
    merged = published.merge(revised, on=key, how="outer", suffixes=("_before", "_after")).fillna(0.0)
    merged["delta"] = merged["agents_after"] - merged["agents_before"]
    step = dt.timedelta(minutes=interval_min)
    on_floor: dict[tuple[str, dt.datetime], list[str]] = defaultdict(list)
    for r in revised_shifts:
        group = ";".join(sorted(agents[r.agent_id].skills))
        t = r.shift.start
        while t < r.shift.end:
            busy = any(a.start < t + step and a.end > t for a in r.activities)
            if not busy:
                on_floor[(group, t)].append(r.agent_id)
            t = t + step
    runs: dict[tuple[str, str, str], list[dt.datetime]] = defaultdict(list)
    for (group, start), part in merged.groupby(["skills", "start"]):
        if ";" not in group:
            continue
        gains = part[part["delta"] > 0.5]
        losses = part[part["delta"] < -0.5]
        if gains.empty or losses.empty:
            continue
        pool = sorted(on_floor.get((group, pd.Timestamp(start).to_pydatetime()), []))
        source = losses.sort_values("delta").iloc[0]["queue"]
        for _, gain in gains.iterrows():
            for agent_id in pool[:int(round(gain["delta"]))]:
                runs[(agent_id, gain["queue"], source)].append(pd.Timestamp(start).to_pydatetime())
            pool = pool[int(round(gain["delta"])):]
    rows = []
    for (agent_id, queue, source), starts in sorted(runs.items()):
        starts.sort()
        first = last = starts[0]
        for t in starts[1:] + [None]:
            if t is not None and t == last + step:
                last = t
                continue
            hours = _hours(first, last + step)
            rows.append({"time": first, "agent_id": agent_id, "name": agents[agent_id].name, "change": "move_skill",
                         "detail": f"{queue} {first:%H:%M}-{(last + step):%H:%M} (from {source})",
                         "cost": policy.move_skill.cost_per_hour * hours})
            if t is not None:
                first = last = t
    return rows


def change_table(rows: list[dict]) -> pd.DataFrame:
    table = pd.DataFrame(rows, columns=COLUMNS)
    if table.empty:
        return table
    table = table.sort_values(["time", "agent_id", "change"], kind="stable").reset_index(drop=True)
    table["cost"] = table["cost"].astype(float).round(2)
    return table
