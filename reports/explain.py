"""Why does an agent work a given day? Coverage they serve, rules that need the shift, what it costs.

Works from a finished plan's files (roster.csv, activities.csv, requirements.csv),
so a planner can ask about last night's roster without solving again.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd

from common.errors import InputError
from common.io import require_file
from pipeline.inputs import SiteInputs
from rules.base import Activity, RosterShift, RosterView, Shift
from rules.catalogue import hard_violations, soft_penalties
from rules.site import WEEKDAYS


def read_roster(out_dir: Path) -> list[RosterShift]:
    roster_path = require_file(Path(out_dir) / "roster.csv", "roster (run `plan` first)")
    roster = pd.read_csv(roster_path, dtype=str, keep_default_na=False)
    activities_path = Path(out_dir) / "activities.csv"
    activities = pd.read_csv(activities_path, dtype=str, keep_default_na=False) if activities_path.exists() else None
    by_day: dict[tuple[str, str], list[Activity]] = {}
    if activities is not None:
        for row in activities.itertuples(index=False):
            by_day.setdefault((row.agent_id, row.date), []).append(
                Activity(row.activity, dt.datetime.fromisoformat(row.start), dt.datetime.fromisoformat(row.end),
                         row.paid == "True"))
    shifts = []
    for row in roster.itertuples(index=False):
        start, end = dt.datetime.fromisoformat(row.start), dt.datetime.fromisoformat(row.end)
        shift = Shift(row.shift, dt.date.fromisoformat(row.date), start, end)
        shifts.append(RosterShift(row.agent_id, shift, tuple(by_day.get((row.agent_id, row.date), []))))
    return shifts


def _localise(shifts: list[RosterShift], timezone: str) -> list[RosterShift]:
    from zoneinfo import ZoneInfo
    tz = ZoneInfo(timezone)
    out = []
    for r in shifts:
        s = r.shift
        shift = Shift(s.template_id, s.date, s.start.astimezone(tz), s.end.astimezone(tz))
        activities = tuple(Activity(a.name, a.start.astimezone(tz), a.end.astimezone(tz), a.paid) for a in r.activities)
        out.append(RosterShift(r.agent_id, shift, activities))
    return out


def on_floor_share(entry: RosterShift, start: pd.Timestamp, interval: pd.Timedelta) -> float:
    """Share of the interval [start, start + interval) the agent spends on contacts: inside the shift and
    not in a break, lunch, meeting or training."""
    begin, end = pd.Timestamp(start), pd.Timestamp(start) + interval

    def overlap(a: dt.datetime, b: dt.datetime) -> float:
        lo, hi = max(begin, pd.Timestamp(a)), min(end, pd.Timestamp(b))
        return max((hi - lo) / interval, 0.0)

    share = overlap(entry.shift.start, entry.shift.end) - sum(overlap(a.start, a.end) for a in entry.activities)
    return max(share, 0.0)


def explain_shift(inputs: SiteInputs, out_dir: Path, agent_id: str, date: dt.date) -> str:
    agents = {a.agent_id: a for a in inputs.agents}
    if agent_id not in agents:
        raise InputError("--agent", f"unknown agent '{agent_id}'", "use an agent_id from the agents file")
    shifts = _localise(read_roster(out_dir), inputs.site.timezone)
    dates = tuple(sorted({s.shift.date for s in shifts}))
    if not dates:
        raise InputError(str(out_dir), "the roster is empty", "run `plan` first")
    first = dates[0] - dt.timedelta(days=(dates[0].weekday() - WEEKDAYS.index(inputs.site.week_starts_on)) % 7)
    week = tuple(first + dt.timedelta(days=i) for i in range(7))
    if date not in week:
        raise InputError("--date", f"{date} is outside the plan in {out_dir} ({week[0]} to {week[-1]})",
                         "give a date of that week, or plan the week you mean first")
    target = next((s for s in shifts if s.agent_id == agent_id and s.shift.date == date), None)
    agent = agents[agent_id]
    if target is None:
        worked = sorted(str(s.shift.date) for s in shifts if s.agent_id == agent_id)
        return f"{agent_id} ({agent.name}) does not work on {date}. Days worked: {', '.join(worked) or 'none'}."
    lines = [f"{agent_id} ({agent.name}, contract {agent.contract}, skills {', '.join(agent.skills)}) works "
             f"{target.shift.template_id} on {date:%a %d %b}, {target.shift.start:%H:%M}-{target.shift.end:%H:%M}"]
    for activity in target.activities:
        lines.append(f"  {activity.name} {activity.start:%H:%M}-{activity.end:%H:%M}{'' if activity.paid else ' (unpaid)'}")

    requirements = pd.read_csv(require_file(Path(out_dir) / "requirements.csv", "requirements"))
    requirements["start"] = pd.to_datetime(requirements["start"], utc=True)
    inside = requirements[(requirements["start"] >= pd.Timestamp(target.shift.start).tz_convert("UTC"))
                          & (requirements["start"] < pd.Timestamp(target.shift.end).tz_convert("UTC"))
                          & requirements["queue"].isin(agent.skills)].copy()
    interval = pd.Timedelta(minutes=inputs.site.interval_min)
    inside["present"] = [on_floor_share(target, start, interval) for start in inside["start"]]
    lines.append("Coverage it serves (agents scheduled vs required, per queue it is skilled for):")
    for queue, part in inside.groupby("queue"):
        serving = part[part["present"] > 0]
        away = len(part) - len(serving)
        tight = serving[(serving["agents_scheduled"] - serving["present"]) < serving["agents_required"] - 1e-9]
        lines.append(f"  {queue}: in {len(tight)} of {len(serving)} intervals the queue would be short without them"
                     + (f" (e.g. {pd.Timestamp(tight['start'].iloc[0]).tz_convert(inputs.site.timezone):%H:%M}: "
                        f"{tight['agents_scheduled'].iloc[0]:g} scheduled, {tight['agents_required'].iloc[0]:g} required)"
                        if len(tight) else "")
                     + (f"; {away} interval(s) spent wholly in breaks, training or meetings serve no contacts"
                        if away else ""))

    view = RosterView(inputs.site, agents, tuple(inputs.time_off), week, tuple(shifts))
    without = RosterView(inputs.site, agents, tuple(inputs.time_off), week, tuple(s for s in shifts if s is not target))
    before = {(v.rule, v.message) for v in hard_violations(inputs.rules, view) if v.agent_id == agent_id}
    after = [v for v in hard_violations(inputs.rules, without) if v.agent_id == agent_id and (v.rule, v.message) not in before]
    if after:
        lines.append("Rules that need this shift (dropping it would break them):")
        lines += [f"  {v.rule}: {v.message}" for v in after]
    else:
        lines.append("No hard rule needs this shift: it is there for coverage or cost.")
    contract = inputs.site.contract(agent.contract)
    lines.append(f"Cost: {target.paid_minutes / 60:g} paid hours at {contract.cost_per_hour:g}/h = "
                 f"{target.paid_minutes / 60 * contract.cost_per_hour:,.2f}")
    charges = [p for p in soft_penalties(inputs.rules, view) if p.agent_id == agent_id]
    for charge in charges:
        lines.append(f"  soft rule {charge.rule}: {charge.amount:,.2f} ({charge.message})")
    return "\n".join(lines)
