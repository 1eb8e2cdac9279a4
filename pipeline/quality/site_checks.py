"""Checks across the inputs of a plan: agents named that do not exist, dates far from the week, shifts that
can never be used, and a week the history cannot forecast."""
from __future__ import annotations

import datetime as dt

import pandas as pd

from common.quality import Finding, finding
from rules.site import WEEKDAYS, Agent, Site, TimeOff

TIME_OFF_FAR_DAYS = 366
WEEK_AHEAD_WARN_DAYS = 14
WEEK_AHEAD_ERROR_DAYS = 91


def check_references(rules: list, agents: list[Agent], site: Site) -> list[Finding]:
    """Agent ids in rule entries (`agents:`), preference requests and the fairness ledger that are not agents."""
    known = {a.agent_id for a in agents}
    agents_file = site.files.get("agents", "the agents file")
    out: list[Finding] = []
    seen_ledgers: set[int] = set()
    for rule in rules:
        scope = getattr(rule, "scope", None)
        named = sorted(set(getattr(scope, "agents", None) or ()) - known)
        if named:
            out.append(finding("unknown-agent-in-rules", f"{rule.where}.agents",
                               f"agent '{named[0]}' is not in {agents_file}"
                               + (f" (nor {', '.join(named[1:4])})" if len(named) > 1 else ""),
                               "the rule silently binds nobody by that id: a limit meant for that agent does not hold",
                               "correct the id (agent ids are case-sensitive) or remove it from the entry"))
        requests = getattr(rule, "requests", None) if rule.kind == "preferences" else None
        if requests:
            unknown = [r for r in requests if r.agent_id not in known]
            if unknown:
                ids = sorted({r.agent_id for r in unknown})
                out.append(finding("unknown-agent-in-preferences", f"{rule.where} (requests)",
                                   f"{len(unknown)} request(s) for agent(s) not in {agents_file}: "
                                   f"{', '.join(ids[:5])}{' ...' if len(ids) > 5 else ''} (first: {unknown[0].describe()})",
                                   "those wishes are ignored; if the id is a typo an agent's wish goes unheard",
                                   "correct the agent ids, or drop the requests of agents who have left"))
        ledger = getattr(rule, "ledger", None) if rule.kind == "fairness" else None
        if ledger and id(ledger) not in seen_ledgers:
            seen_ledgers.add(id(ledger))
            ids = sorted(set(ledger) - known)
            if ids:
                out.append(finding("unknown-agent-in-ledger", str(site.files.get("fairness_ledger", "fairness ledger")),
                                   f"{len(ids)} ledger row(s) for agent(s) not in {agents_file}: "
                                   f"{', '.join(ids[:5])}{' ...' if len(ids) > 5 else ''}",
                                   "their past weekends and late shifts count for nobody; if an id is mistyped, an "
                                   "agent's history is lost and fairness starts them from zero",
                                   "correct the ids; rows of agents who have left can stay (they are carried forward) "
                                   "or be deleted"))
    return out


def check_week(site: Site, dates: tuple[dt.date, ...], history: pd.DataFrame, history_name: str,
               week_start_given: bool, time_off: list[TimeOff]) -> list[Finding]:
    out: list[Finding] = []
    start = dates[0]
    wanted = site.week_starts_on
    if week_start_given and WEEKDAYS[start.weekday()] != wanted:
        back = start - dt.timedelta(days=(start.weekday() - WEEKDAYS.index(wanted)) % 7)
        out.append(finding("week-start-weekday", "--week-start",
                           f"{start} is a {start:%A}, but the site's week starts on {wanted} (site.week_starts_on)",
                           "weekly rules (days off, hours per week, weekends) count the site's week; a week cut "
                           "elsewhere breaks them across two rosters",
                           f"use --week-start {back} or {back + dt.timedelta(days=7)}, or change site.week_starts_on"))
    last = history["start"].dt.tz_convert(site.timezone).max().date()
    ahead = (start - last).days
    if ahead > WEEK_AHEAD_ERROR_DAYS:
        out.append(finding("week-far-beyond-history", "--week-start",
                           f"the week starts {start}, {ahead} days after the history ends ({last})",
                           f"a forecast more than {WEEK_AHEAD_ERROR_DAYS // 7} weeks past the data is a guess "
                           "(often the year is mistyped)",
                           "plan a week closer to the history, or bring the history up to date"))
    elif ahead > WEEK_AHEAD_WARN_DAYS:
        out.append(finding("week-beyond-history", "--week-start",
                           f"the week starts {start}, {ahead} days after the history ends ({last})",
                           "the further past the data, the wider the forecast's error; recent changes are missed",
                           "bring the history up to date if you can"))
    for request in time_off:
        distance = max((dates[0] - request.date).days, (request.date - dates[-1]).days)
        if distance > TIME_OFF_FAR_DAYS:
            out.append(finding("time-off-far", f"{site.files.get('time_off', 'time off')}, agent {request.agent_id}",
                               f"time off on {request.date} is {distance} days from the week planned "
                               f"({dates[0]} to {dates[-1]})",
                               "it does not affect this plan; a date this far away is often a mistyped year, and "
                               "the day the agent meant is then not protected",
                               "check the year; delete requests that are long past"))
            break
    return out


def check_weekdays(site: Site, dates: tuple[dt.date, ...], history: pd.DataFrame, history_name: str) -> list[Finding]:
    """Every weekday a queue is open in the week must appear in its history, or it is forecast at zero."""
    out: list[Finding] = []
    local = history["start"].dt.tz_convert(site.timezone)
    for queue in site.queues:
        seen = set(local[history["queue"] == queue.id].dt.day_of_week)
        hours = site.queue_hours(queue)
        missing = [d for d in dates if WEEKDAYS[d.weekday()] in hours and d.weekday() not in seen]
        if missing:
            names = ", ".join(f"{d:%a %d %b}" for d in missing)
            out.append(finding("history-weekday-missing", f"{history_name}, queue '{queue.id}'",
                               f"the queue is open on {names} in the planned week, but its history has no "
                               f"{', '.join(dict.fromkeys(f'{d:%A}' for d in sorted(missing, key=lambda d: d.weekday())))}",
                               "a weekday the history never shows is forecast at zero contacts, so only the "
                               "queue's min_agents are rostered for it",
                               "export history covering every weekday the queue opens (several weeks), or close "
                               "the queue on those days in the site YAML"))
    return out


def check_templates(site: Site) -> list[Finding]:
    out: list[Finding] = []
    for index, template in enumerate(site.shift_templates):
        if template.parent is not None:
            continue
        fits = any(window.open_min <= s and s + template.length_min <= window.close_min
                   for window in site.opening_hours.values() for s in template.start_times_min())
        if not fits:
            users = [c.id for c in site.contracts if template.id in c.shift_templates]
            out.append(finding("shift-template-unusable", f"{site.source}: shift_templates[{index}]",
                               f"shift {template.id} ({template.length_min} min, starting "
                               f"{template.earliest_start_min // 60:02d}:{template.earliest_start_min % 60:02d}-"
                               f"{template.latest_start_min // 60:02d}:{template.latest_start_min % 60:02d}) fits "
                               "inside the opening hours of no day",
                               "it can never be rostered" + (f"; contracts {', '.join(users)} lose it" if users else ""),
                               "correct its start window or length, or the opening hours"))
    return out
