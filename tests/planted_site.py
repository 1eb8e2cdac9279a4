"""Random small contact-centre sites with a planted feasible week.

`planted_site(seed, folder)` draws a site the way a planner would write it (site YAML, agents CSV, time off,
a fairness ledger) and loads it through the product's own loaders. The roster comes first: each agent's
shifts, with their breaks and lunch placed inside the template windows and meetings or training placed
inside the shifts; then every rule of the catalogue is derived from that roster so the roster keeps it:
contract hour bands around each agent's weekly hours, availability windows around their shifts,
unavailable days and time off on days they do not work, rest, runs of days on and off, days off, weekend
caps, forbidden successions the roster does not contain, caps per shift type, shifts per period, activity
rules whose sessions it holds, a cap on concurrent sessions, a floor of named agents present whenever the
site is open (a crew planted to tile every open day), preferences and fairness with a small ledger.

The site varies what the engine must handle: 1-3 queues (own opening hours or the site's), 3-12 agents with
one or several skills, 1-4 shift templates with up to three breaks (windows that may overlap), 30- or
60-minute intervals, opening hours that differ by day (some days closed), weeks that start on any weekday
and weeks over a daylight-saving change.

`PlantedSite.planted_violations()` runs the independent checkers on the planted roster, so a generator
that plants a roster breaking its own rules is caught before anything is blamed on the solver.
"""
from __future__ import annotations

import csv
import datetime as dt
import math
import random
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pandas as pd
import yaml

from rules.agents_file import load_agents
from rules.base import Activity, RosterShift, RosterView, Rule, Shift, Violation
from rules.catalogue import hard_violations, site_rules
from rules.loader import load_site
from rules.min_consecutive_days import runs_of, short_runs
from rules.site import WEEKDAYS, Agent, Site, TimeOff
from scheduler.roster.model import RosterProblem
from scheduler.roster.week import local_time, shift_options

# Weeks to plan: ordinary ones, and ones over a clock change (Europe/London: 29 Mar and 25 Oct 2026;
# America/New_York: 8 Mar and 1 Nov 2026).
ZONES = {
    "Europe/London": [dt.date(2026, 3, 2), dt.date(2026, 6, 8), dt.date(2026, 3, 24), dt.date(2026, 10, 21)],
    "America/New_York": [dt.date(2026, 5, 11), dt.date(2026, 3, 5), dt.date(2026, 10, 28)],
    "UTC": [dt.date(2026, 9, 14)],
}
BREAK_NAMES = [("break", True), ("lunch", False), ("rest", True), ("meal", False)]
ACTIVITY_NAMES = ["team training", "coaching", "huddle"]


def _clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _epoch_min(moment: dt.datetime) -> int:
    return int(moment.timestamp()) // 60


def _plus(moment: dt.datetime, minutes: int) -> dt.datetime:
    return (moment.astimezone(dt.timezone.utc) + dt.timedelta(minutes=minutes)).astimezone(moment.tzinfo)


def _local_end(shift: Shift) -> int:
    """Local wall-clock minutes of the shift's end after midnight of its date (1440 at midnight)."""
    local = shift.end.astimezone(shift.start.tzinfo)
    return (local.date() - shift.date).days * 1440 + local.hour * 60 + local.minute


@dataclass
class PlantedSite:
    seed: int
    folder: Path
    site: Site
    agents: list[Agent]
    time_off: list[TimeOff]
    dates: tuple[dt.date, ...]
    requirements: pd.DataFrame
    planted: tuple[RosterShift, ...]
    rules: list[Rule]
    notes: list[str] = field(default_factory=list)     # what the generator drew, for a failing seed's message

    def problem(self) -> RosterProblem:
        return RosterProblem(self.site, list(self.agents), list(self.time_off), self.dates,
                             site_rules(self.site, list(self.time_off)), self.requirements.copy())

    def view(self, shifts) -> RosterView:
        return RosterView(self.site, {a.agent_id: a for a in self.agents}, tuple(self.time_off), self.dates,
                          tuple(shifts))

    def planted_violations(self) -> list[Violation]:
        return hard_violations(self.rules, self.view(self.planted))

    def describe(self) -> str:
        return f"planted site seed {self.seed} ({self.folder}): " + "; ".join(self.notes)


class _Draw:
    """The generator's state while it draws one site."""

    def __init__(self, seed: int):
        self.seed = seed
        self.rng = random.Random(seed)
        self.notes: list[str] = []

    # --- the site's shape ---------------------------------------------------------------------------
    def shape(self) -> None:
        rng = self.rng
        self.interval = rng.choice([30, 60])
        self.tz_name = rng.choice(["Europe/London", "Europe/London", "America/New_York", "UTC"])
        self.tz = ZoneInfo(self.tz_name)
        self.week_start = rng.choice(ZONES[self.tz_name])
        self.dates = tuple(self.week_start + dt.timedelta(days=i) for i in range(7))
        self.notes.append(f"{self.tz_name} week from {self.week_start:%a %Y-%m-%d}, {self.interval}-min intervals")
        step = self.interval
        hours: dict[str, tuple[int, int]] = {}
        closed = set(rng.sample(WEEKDAYS, rng.choice([0, 0, 1, 2, 3])))
        for day in WEEKDAYS:
            if day in closed:
                continue
            open_min = rng.randrange(6 * 60, 10 * 60 + 1, step)
            close_min = min(24 * 60, rng.randrange(max(open_min + 8 * 60, 16 * 60), 24 * 60 + 1, step))
            hours[day] = (open_min, close_min)
        # Some sites never close on some days: night shifts, and the hour the clocks skip or repeat.
        self.round_the_clock = rng.random() < 0.15
        if self.round_the_clock:
            for day in list(hours):
                if rng.random() < 0.6:
                    hours[day] = (0, 24 * 60)
            self.notes.append("open round the clock on " + ", ".join(d for d, h in hours.items() if h == (0, 1440)))
        self.hours = hours
        self.want_crew = rng.random() < 0.35

    def queues(self) -> None:
        rng = self.rng
        step = self.interval
        hours = self.hours
        self.queue_ids = [f"q{i + 1}" for i in range(rng.randint(1, 3))]
        self.queue_hours: dict[str, dict[str, tuple[int, int]] | None] = {}
        for queue in self.queue_ids:
            if rng.random() < 0.3:
                own = {}
                for day, (o, c) in hours.items():
                    if rng.random() < 0.85:
                        o2 = o + step * rng.randint(0, 2)
                        c2 = c - step * rng.randint(0, 2)
                        if c2 > o2:
                            own[day] = (o2, c2)
                self.queue_hours[queue] = own or None
            else:
                self.queue_hours[queue] = None

    def templates(self) -> None:
        rng = self.rng
        step = self.interval
        spans = [c - o for o, c in self.hours.values()]
        self.template_specs: list[dict[str, Any]] = []
        for index in range(rng.randint(1, 4)):
            for _ in range(50):
                length = rng.randrange(4 * 60, min(10 * 60, max(spans)) + 1, step)
                earliest = rng.randrange(0 if self.round_the_clock else 6 * 60, 14 * 60 + 1, step)
                latest = earliest + step * rng.randint(0, 8)
                start_step = step * rng.choice([1, 1, 2, 3])
                if any(o <= s and s + length <= c for o, c in self.hours.values()
                       for s in range(earliest, latest + 1, start_step)):
                    break
            else:
                continue
            breaks = self._breaks(length)
            spec = {"id": f"T{index + 1}", "length_min": length, "earliest_start": _clock(earliest),
                    "latest_start": _clock(latest), "start_step_min": start_step}
            if breaks:
                spec["breaks"] = breaks
            if rng.random() < 0.3:
                spec["late"] = True
            self.template_specs.append(spec)
        if not self.template_specs:     # always at least one template that fits the longest day
            o, c = max(self.hours.values(), key=lambda h: h[1] - h[0])
            self.template_specs.append({"id": "T1", "length_min": 4 * 60, "earliest_start": _clock(o),
                                        "latest_start": _clock(o), "start_step_min": step})

    def _breaks(self, length: int) -> list[dict[str, Any]]:
        rng = self.rng
        if length < 5 * 60 or rng.random() < 0.25:
            return []
        out = []
        cursor = rng.choice([45, 60, 75, 90])
        names = rng.sample(BREAK_NAMES, rng.randint(1, 3)) if rng.random() < 0.6 else \
            [BREAK_NAMES[0]] * rng.randint(1, 3)        # several breaks of one name
        for name, paid in names:
            minutes = rng.choice([10, 15, 15, 20, 30, 30, 45, 60])
            earliest = cursor
            latest = earliest + 15 * rng.randint(0, 8)
            if latest + minutes > length - 30:
                break
            out.append({"name": name, "length_min": minutes, "paid": paid if rng.random() < 0.8 else not paid,
                        "start_after_min": [earliest, latest]})
            # The next window starts after this one's earliest break ends, and may overlap this window.
            cursor = earliest + minutes + 15 * rng.randint(0, 8)
        return out

    def crew_hours(self) -> None:
        """For a site with a floor of named agents: each open day's hours become the span of a chain of one to
        three template shifts, so a crew of agents can be on shift whenever the site is open."""
        if not self.want_crew:
            return
        rng = self.rng
        starts = [(t["length_min"], s) for t in self.template_specs
                  for s in range(int(t["earliest_start"][:2]) * 60 + int(t["earliest_start"][3:]),
                                 int(t["latest_start"][:2]) * 60 + int(t["latest_start"][3:]) + 1, t["start_step_min"])]
        for day in list(self.hours):
            length, first = rng.choice(starts)
            end = first + length
            for _ in range(rng.randint(0, 2)):
                follow = [(l, s) for l, s in starts if first < s <= end < s + l <= 24 * 60]
                if not follow:
                    break
                length, start = rng.choice(follow)
                end = start + length
            if end > 24 * 60:
                del self.hours[day]
            else:
                self.hours[day] = (first, end)
        if not self.hours:
            raise _Redraw("no day left open")

    def contracts(self) -> None:
        rng = self.rng
        ids = [t["id"] for t in self.template_specs]
        self.contract_templates: dict[str, list[str]] = {}
        for index in range(rng.randint(1, 3)):
            chosen = sorted(rng.sample(ids, rng.randint(1, len(ids))))
            self.contract_templates[f"C{index + 1}"] = chosen
        self.contract_cost = {c: rng.choice([0, 10, 12.5, 15, 20, 25]) for c in self.contract_templates}

    def load_shape(self, folder: Path) -> Site:
        """A first site YAML with the shape only (no rules), so shift options come from the product's code."""
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)
        self.write_site(rules=[], contract_hours={c: (0, 168) for c in self.contract_templates}, ledger=False)
        return load_site(folder / "site.yaml")

    # --- the planted roster -------------------------------------------------------------------------
    def roster(self, site: Site) -> None:
        rng = self.rng
        self.options = {d: shift_options(site, d) for d in self.dates}
        self.agent_ids = [f"A{i + 1:02d}" for i in range(rng.randint(3, 12))]
        self.contract_of = {a: rng.choice(sorted(self.contract_templates)) for a in self.agent_ids}
        self.skills = {a: rng.sample(self.queue_ids, rng.randint(1, len(self.queue_ids))) for a in self.agent_ids}
        self.shifts: dict[str, dict[dt.date, Shift]] = {a: {} for a in self.agent_ids}
        self.crew: list[str] = []
        if self.want_crew:
            self._plant_crew()
        for agent in self.agent_ids:
            allowed = set(self.contract_templates[self.contract_of[agent]])
            days = [d for d in self.dates if any(s.template_id in allowed for s in self.options[d])]
            if not days:
                continue
            wanted = rng.randint(1, len(days)) if rng.random() < 0.9 else 0
            for date in rng.sample(days, wanted):
                if date in self.shifts[agent]:
                    continue
                self.shifts[agent][date] = rng.choice([s for s in self.options[date] if s.template_id in allowed])
        self.activities: dict[tuple[str, dt.date], list[Activity]] = defaultdict(list)
        templates = {t.id: t for t in site.shift_templates}
        for agent, days in self.shifts.items():
            for date, shift in days.items():
                self.activities[(agent, date)] = self._place_breaks(shift, templates[shift.template_id])

    def _plant_crew(self) -> None:
        """Tile every open interval of every open day with shifts of agents, so a floor of named agents
        present whenever the site is open has a roster that keeps it."""
        rng = self.rng
        crew: set[str] = set()
        plan: dict[str, dict[dt.date, Shift]] = defaultdict(dict)
        for date in self.dates:
            hours = self.hours.get(WEEKDAYS[date.weekday()])
            if hours is None:
                continue
            point = _epoch_min(local_time(date, hours[0], self.tz))
            close = _epoch_min(local_time(date, hours[1], self.tz))
            while point < close:
                best = None
                for agent in rng.sample(self.agent_ids, len(self.agent_ids)):
                    if date in plan[agent]:
                        continue
                    allowed = self.contract_templates[self.contract_of[agent]]
                    for shift in self.options[date]:
                        if shift.template_id in allowed and _epoch_min(shift.start) <= point < _epoch_min(shift.end):
                            if best is None or _epoch_min(shift.end) > _epoch_min(best[1].end):
                                best = (agent, shift)
                if best is None:
                    self.notes.append("no crew could tile the open hours")
                    return
                plan[best[0]][date] = best[1]
                crew.add(best[0])
                point = _epoch_min(best[1].end)
        for agent, days in plan.items():
            self.shifts[agent].update(days)
        self.crew = sorted(crew)
        self.notes.append(f"crew {', '.join(self.crew)} present whenever open")

    def _place_breaks(self, shift: Shift, template) -> list[Activity]:
        """The template's breaks in window order, each on the solver's 15-minute grid, none overlapping."""
        rng = self.rng
        for _ in range(30):
            placed, free_from = [], 0
            for spec in sorted(template.breaks, key=lambda b: b.earliest_after_min):
                offsets = [o for o in range(spec.earliest_after_min, spec.latest_after_min + 1, 15) if o >= free_from]
                if not offsets:
                    break
                offset = rng.choice(offsets)
                placed.append(Activity(spec.name, _plus(shift.start, offset), _plus(shift.start, offset + spec.length_min),
                                       spec.paid))
                free_from = offset + spec.length_min
            else:
                return placed
        raise _Redraw(f"template {template.id} has break windows that cannot all be kept")

    def plant_activities(self) -> None:
        """Activity sessions inside shifts, clear of breaks: the activity rules are derived from them."""
        rng = self.rng
        self.activity_rules: list[dict[str, Any]] = []
        for name in rng.sample(ACTIVITY_NAMES, rng.choice([0, 0, 1, 1, 2])):
            length = rng.choice([30, 60, 90])
            holders = [a for a in self.agent_ids if self.shifts[a]]
            holders = rng.sample(holders, rng.randint(1, len(holders))) if holders else []
            per_week = rng.choice([1, 1, 1, 2])
            starts, ends, held_by = [], [], []
            for agent in holders:
                sessions = 0
                for date in rng.sample(sorted(self.shifts[agent]), len(self.shifts[agent])):
                    if sessions == per_week:
                        break
                    shift = self.shifts[agent][date]
                    busy = self.activities[(agent, date)]
                    offsets = [o for o in range(0, shift.minutes - length + 1, 30)
                               if not any(_plus(shift.start, o) < a.end and a.start < _plus(shift.start, o + length)
                                          for a in busy)]
                    if not offsets:
                        continue
                    offset = rng.choice(offsets)
                    session = Activity(name, _plus(shift.start, offset), _plus(shift.start, offset + length), True)
                    busy.append(session)
                    sessions += 1
                    clock = session.start.hour * 60 + session.start.minute
                    starts.append(clock)
                    ends.append(clock + length)
                if sessions == per_week:
                    held_by.append(agent)
                else:       # take back what this agent held: the rule needs per_week sessions of each
                    for date in self.shifts[agent]:
                        self.activities[(agent, date)] = [a for a in self.activities[(agent, date)] if a.name != name]
            if not held_by:
                continue
            kept = [(s, e) for s, e in zip(starts, ends)]
            window_from = max(0, min(s for s, _ in kept) - 30 * rng.randint(0, 4))
            window_to = min(24 * 60, max(e for _, e in kept) + 30 * rng.randint(0, 4))
            self.activity_rules.append({"rule": "activity", "name": name, "length_min": length, "per_week": per_week,
                                        "window": [_clock(window_from), _clock(window_to)], "agents": held_by})
            self.notes.append(f"{per_week} x {length}-min {name} for {len(held_by)} agent(s)")
        for key in self.activities:
            self.activities[key].sort(key=lambda a: a.start)

    # --- what the roster says about each agent ------------------------------------------------------
    def worked(self, agent: str) -> list[bool]:
        return [d in self.shifts[agent] for d in self.dates]

    def paid_hours(self, agent: str) -> float:
        return sum(s.minutes - sum(a.minutes for a in self.activities[(agent, d)] if not a.paid)
                   for d, s in self.shifts[agent].items()) / 60

    def roster_shifts(self) -> tuple[RosterShift, ...]:
        return tuple(RosterShift(a, s, tuple(self.activities[(a, d)]))
                     for a in self.agent_ids for d, s in sorted(self.shifts[a].items()))

    # --- rules derived from the roster --------------------------------------------------------------
    def scope(self) -> tuple[dict[str, Any], list[str]]:
        """A random scope for a rule entry, and the agents it binds."""
        rng = self.rng
        roll = rng.random()
        if roll < 0.6:
            return {}, list(self.agent_ids)
        if roll < 0.8:      # a contract some agent has: the rule's bounds are drawn from the agents it binds
            contract = rng.choice(sorted(set(self.contract_of.values())))
            return {"contracts": [contract]}, [a for a in self.agent_ids if self.contract_of[a] == contract]
        chosen = sorted(rng.sample(self.agent_ids, rng.randint(1, len(self.agent_ids))))
        return {"agents": chosen}, chosen

    def soft(self, entry: dict[str, Any]) -> dict[str, Any]:
        entry.update({"soft": True, "weight": self.rng.choice([5, 10, 25, 40])})
        return entry

    def derive_rules(self) -> list[dict[str, Any]]:
        rng = self.rng
        rules: list[dict[str, Any]] = []

        def maybe(p: float) -> bool:
            return rng.random() < p

        if maybe(0.6):
            scope, agents = self.scope()
            gaps = [(b.start - a.end).total_seconds() / 3600 for x in agents
                    for a, b in zip(sorted(self.shifts[x].values(), key=lambda s: s.start),
                                    sorted(self.shifts[x].values(), key=lambda s: s.start)[1:])]
            hours = min(gaps) if gaps else rng.choice([8, 11, 12])
            hours = max(0.0, int(hours * 2) / 2 - rng.choice([0, 0, 0.5, 1]))
            rules.append({"rule": "min_rest_between_shifts", "hours": hours, **scope})
        if maybe(0.6):
            scope, agents = self.scope()
            longest = max([b - a + 1 for x in agents for a, b in runs_of(self.worked(x))], default=1)
            rules.append({"rule": "max_consecutive_days", "days": max(1, longest + rng.choice([0, 0, 1])), **scope})
        for kind, working in (("min_consecutive_days", True), ("min_consecutive_days_off", False)):
            if maybe(0.5):
                scope, agents = self.scope()
                exempt = rng.random() < 0.6
                if maybe(0.3):
                    rules.append(self.soft({"rule": kind, "days": rng.randint(2, 3), "exempt_edges": exempt, **scope}))
                else:
                    lengths = [b - a + 1 for x in agents
                               for a, b in runs_of([w == working for w in self.worked(x)])
                               if not (exempt and (a == 0 or b == len(self.dates) - 1))]
                    days = min(lengths) if lengths else rng.randint(1, 3)
                    entry = {"rule": kind, "days": days, **scope}
                    if not exempt or rng.random() < 0.5:
                        entry["exempt_edges"] = exempt
                    assert not any(short_runs([w == working for w in self.worked(x)], days,
                                              entry.get("exempt_edges", True)) for x in agents)
                    rules.append(entry)
        if maybe(0.6):
            scope, agents = self.scope()
            least_off = min(7 - sum(self.worked(x)) for x in agents)
            rules.append({"rule": "min_days_off_per_week", "days": max(0, least_off - rng.choice([0, 0, 1])), **scope})
        ids = [t["id"] for t in self.template_specs]
        if maybe(0.5):
            scope, agents = self.scope()
            template = rng.choice(ids)
            most = max(sum(1 for s in self.shifts[x].values() if s.template_id == template) for x in agents)
            rules.append({"rule": "max_shifts_of_type_per_week", "shift": template, "max": most + rng.choice([0, 1]),
                          **scope})
        if maybe(0.6):
            scope, agents = self.scope()
            seen = {(self.shifts[x][d].template_id, self.shifts[x][d + dt.timedelta(days=1)].template_id)
                    for x in agents for d in self.shifts[x] if d + dt.timedelta(days=1) in self.shifts[x]}
            free = [(a, b) for a in ids for b in ids if (a, b) not in seen]
            for first, then in rng.sample(free, min(len(free), rng.randint(1, 2))):
                rules.append({"rule": "forbidden_succession", "first": first, "then": then, **scope})
        if maybe(0.5):
            scope, agents = self.scope()
            template = rng.choice(ids) if maybe(0.4) else None
            counts = [sum(1 for s in self.shifts[x].values() if template in (None, s.template_id)) for x in agents]
            if maybe(0.3):
                entry = self.soft({"rule": "shifts_per_period", "min": rng.randint(0, 4), **scope})
                entry["max"] = entry["min"] + rng.randint(0, 3)
            else:
                entry = {"rule": "shifts_per_period", **scope}
                if maybe(0.7):
                    entry["min"] = max(0, min(counts) - rng.choice([0, 1]))
                if "min" not in entry or maybe(0.7):
                    entry["max"] = max(counts) + rng.choice([0, 1])
            if template is not None:
                entry["shift"] = template
            rules.append(entry)
        if maybe(0.5):
            scope, agents = self.scope()
            if maybe(0.4):
                rules.append(self.soft({"rule": "max_weekends_worked", "max": rng.randint(0, 1), **scope}))
            else:
                rules.append({"rule": "max_weekends_worked", "max": max(self._weekends(x) for x in agents), **scope})
        if maybe(0.4):
            if maybe(0.4):
                scope, _ = self.scope()
                rules.append(self.soft({"rule": "complete_weekends", **scope}))
            else:
                whole = [x for x in self.agent_ids if self._whole_weekends(x)]
                if whole:
                    rules.append({"rule": "complete_weekends", "agents": whole})
        rules += self.activity_rules
        for entry in self.activity_rules:
            if maybe(0.7):
                most = self._most_at_once(entry["name"])
                rules.append({"rule": "max_concurrent_activity", "name": entry["name"],
                              "max": most + rng.choice([0, 0, 1])})
        if self.crew:
            others = [a for a in self.agent_ids if a not in self.crew]
            scope = sorted(self.crew + rng.sample(others, rng.randint(0, len(others))))
            rules.append({"rule": "min_agents_present", "min": 1, "agents": scope})
        has_preferences = maybe(0.5)
        if has_preferences:
            rules.append({"rule": "preferences", "requests": self._requests()})
        if maybe(0.5):
            rules.append(self._fairness(has_preferences))
        rng.shuffle(rules)
        return rules

    def _weekends(self, agent: str) -> int:
        worked = set(self.shifts[agent])
        count = 0
        for date in self.dates:
            if date.weekday() == 5 or (date.weekday() == 6 and date - dt.timedelta(days=1) not in self.dates):
                pair = {date, date + dt.timedelta(days=1)} if date.weekday() == 5 else {date}
                count += bool(pair & worked)
        return count

    def _whole_weekends(self, agent: str) -> bool:
        worked = set(self.shifts[agent])
        return all((d in worked) == (d + dt.timedelta(days=1) in worked)
                   for d in self.dates if d.weekday() == 5 and d + dt.timedelta(days=1) in self.dates)

    def _most_at_once(self, name: str) -> int:
        busy: dict[int, set[str]] = defaultdict(set)
        for (agent, _), activities in self.activities.items():
            for a in activities:
                if a.name == name:
                    first = _epoch_min(a.start)
                    for m in range(first - first % 15, _epoch_min(a.end), 15):
                        busy[m].add(agent)
        return max((len(v) for v in busy.values()), default=0)

    def _requests(self) -> list[dict[str, Any]]:
        rng = self.rng
        out = []
        for _ in range(rng.randint(1, 2 * len(self.agent_ids))):
            agent = rng.choice(self.agent_ids)
            date = rng.choice(self.dates)
            request: dict[str, Any] = {"agent": agent, "date": date.isoformat(), "weight": rng.choice([1, 2, 3, 5])}
            shift = self.shifts[agent].get(date)
            roll = rng.random()
            if roll < 0.3 and shift is not None:
                request["shift"] = shift.template_id
            elif roll < 0.5 and shift is not None:
                request["start"] = _clock(shift.local_start_min)
            elif roll < 0.6:
                request["shift"] = rng.choice(self.template_specs)["id"]
            if rng.random() < 0.4:
                request["want"] = False
            out.append(request)
        return out

    def _fairness(self, has_preferences: bool) -> dict[str, Any]:
        rng = self.rng
        entry: dict[str, Any] = {"rule": "fairness"}
        dims = ["weekends"]
        if any(t.get("late") for t in self.template_specs):
            dims.append("late_shifts")
        if has_preferences:
            dims.append("unmet_preferences")
        if any(low < high for low, high in self.contract_hours.values()):
            dims.append("extra_hours")
        for dim in rng.sample(dims, rng.randint(1, len(dims))):
            entry[dim] = rng.choice([1, 2.5, 4, 15, 40])
        self.ledger = []
        for agent in self.agent_ids:
            if rng.random() < 0.6:
                weeks = rng.randint(1, 6)
                asked = rng.randint(0, 6)
                self.ledger.append({"agent_id": agent, "weeks": weeks, "weekends_worked": rng.randint(0, weeks),
                                    "late_shifts": rng.randint(0, 3 * weeks), "preferences_asked": asked,
                                    "preferences_unmet": rng.randint(0, asked),
                                    "extra_hours": round(rng.uniform(0, 3 * weeks), 2)})
        return entry

    def derive_people(self) -> None:
        """Contract hour bands, availability windows, unavailable days and time off around the roster."""
        rng = self.rng
        self.contract_hours: dict[str, tuple[float, float]] = {}
        for contract in self.contract_templates:
            hours = [self.paid_hours(a) for a in self.agent_ids if self.contract_of[a] == contract] or [0.0]
            low = max(0.0, min(hours) - rng.choice([0, 0, 0.25, 1, 4]))
            high = max(hours) + rng.choice([0, 0, 0.5, 2, 8])
            low = math.floor(low * 4) / 4          # quarter hours, rounded outwards
            high = math.ceil(high * 4) / 4
            if rng.random() < 0.15:
                low = 0.0
            self.contract_hours[contract] = (low, high)
        self.availability: dict[str, tuple[str, str]] = {}
        self.unavailable: dict[str, list[str]] = {}
        self.days_off: list[tuple[str, dt.date]] = []
        for agent in self.agent_ids:
            shifts = list(self.shifts[agent].values())
            if shifts and rng.random() < 0.5:
                first = min(s.local_start_min for s in shifts) - self.interval * rng.randint(0, 2)
                last = max(_local_end(s) for s in shifts) + self.interval * rng.randint(0, 2)
                self.availability[agent] = (_clock(max(0, first)), _clock(min(24 * 60, last)))
            free = [d for d in self.dates if d not in self.shifts[agent]]
            weekdays = sorted({WEEKDAYS[d.weekday()] for d in free})
            self.unavailable[agent] = sorted(rng.sample(weekdays, rng.randint(0, min(2, len(weekdays))))) \
                if rng.random() < 0.4 else []
            left = [d for d in free if WEEKDAYS[d.weekday()] not in self.unavailable[agent]]
            if left and rng.random() < 0.3:
                for date in rng.sample(left, rng.randint(1, min(2, len(left)))):
                    self.days_off.append((agent, date))

    # --- writing the planner's files ----------------------------------------------------------------
    def write_site(self, rules: list[dict[str, Any]], contract_hours: dict[str, tuple[float, float]],
                   ledger: bool) -> None:
        rng = random.Random(self.seed * 7919 + 1)       # objective weights: drawn apart from the roster's draw
        queues = []
        for queue in self.queue_ids:
            entry: dict[str, Any] = {"id": queue, "channel": "voice",
                                     "service_goal": {"service_level": 0.8, "target_s": 20}}
            own = self.queue_hours[queue]
            if own:
                entry["opening_hours"] = {d: [_clock(o), _clock(c)] for d, (o, c) in own.items()}
            queues.append(entry)
        files = {"agents": "agents.csv", "time_off": "time_off.csv"}
        if ledger:
            files["fairness_ledger"] = "fairness_ledger.csv"
        doc = {
            "site": {"name": f"Planted {self.seed}", "timezone": self.tz_name, "interval_min": self.interval,
                     "week_starts_on": WEEKDAYS[self.week_start.weekday()],
                     "opening_hours": {d: [_clock(o), _clock(c)] for d, (o, c) in self.hours.items()}},
            "files": files,
            "queues": queues,
            "shift_templates": self.template_specs,
            "contracts": [{"id": c, "min_hours_week": contract_hours[c][0], "max_hours_week": contract_hours[c][1],
                           "shift_templates": t, "cost_per_hour": self.contract_cost[c]}
                          for c, t in self.contract_templates.items()],
            "rules": rules,
            "objective": {"under_coverage_per_agent_interval": rng.choice([[1000, 2000, 4000], [500], [300, 900]]),
                          "over_coverage_per_agent_interval": rng.choice([0, 20, 35]),
                          "paid_hour_cost_weight": rng.choice([1, 1, 0.5])},
            "solver": {"time_limit_s": 1.0, "workers": 2, "seed": self.seed % 1000},
        }
        (self.folder / "site.yaml").write_text(yaml.safe_dump(doc, sort_keys=False))

    def write_people(self) -> None:
        with open(self.folder / "agents.csv", "w", newline="") as handle:
            out = csv.writer(handle)
            out.writerow(["agent_id", "name", "contract", "skills", "available_from", "available_to",
                          "unavailable_days"])
            for agent in self.agent_ids:
                window = self.availability.get(agent, ("", ""))
                out.writerow([agent, f"Agent {agent}", self.contract_of[agent], ";".join(self.skills[agent]),
                              window[0], window[1], ";".join(self.unavailable[agent])])
        with open(self.folder / "time_off.csv", "w", newline="") as handle:
            out = csv.writer(handle)
            out.writerow(["agent_id", "date", "reason"])
            for agent, date in self.days_off:
                out.writerow([agent, date.isoformat(), "leave"])
        if getattr(self, "ledger", None):
            with open(self.folder / "fairness_ledger.csv", "w", newline="") as handle:
                out = csv.DictWriter(handle, fieldnames=list(self.ledger[0]))
                out.writeheader()
                out.writerows(self.ledger)

    def requirements(self, site: Site) -> pd.DataFrame:
        """Agents required per queue and open interval: around what the planted roster puts there."""
        rng = self.rng
        from scheduler.roster.week import open_interval_starts
        rows = []
        for queue in site.queues:
            for start in open_interval_starts(site.queue_hours(queue), self.dates, site.interval_min, self.tz):
                moment = _epoch_min(start)
                present = sum(1 for a in self.agent_ids if queue.id in self.skills[a]
                              for s in self.shifts[a].values()
                              if _epoch_min(s.start) <= moment and moment + site.interval_min <= _epoch_min(s.end))
                share = present / max(1, len(self.skills))
                rows.append({"queue": queue.id, "start": pd.Timestamp(start),
                             "agents": max(0, round(share * len(site.queues) / 2) + rng.choice([-1, 0, 0, 1, 2]))})
        frame = pd.DataFrame(rows, columns=["queue", "start", "agents"])
        if len(frame):
            frame["start"] = pd.to_datetime(frame["start"], utc=True).dt.tz_convert(site.timezone)
        return frame


class _Redraw(Exception):
    """The draw hit a shape it cannot plant a roster in; the generator draws again from the next sub-seed."""


def planted_site(seed: int, folder: Path) -> PlantedSite:
    """A random site with a planted feasible week (deterministic in `seed`)."""
    for attempt in range(20):
        try:
            return _planted(seed, attempt, folder)
        except _Redraw:
            continue
    raise RuntimeError(f"seed {seed}: no plantable site in 20 draws")


def _planted(seed: int, attempt: int, folder: Path) -> PlantedSite:
    draw = _Draw(seed * 100 + attempt)
    draw.seed = seed
    draw.shape()
    draw.templates()
    draw.crew_hours()
    draw.queues()
    draw.contracts()
    shape_site = draw.load_shape(folder)
    draw.roster(shape_site)
    draw.plant_activities()
    draw.derive_people()
    draw.ledger = []
    rules = draw.derive_rules()
    draw.write_site(rules, draw.contract_hours, ledger=bool(draw.ledger))
    draw.write_people()
    site = load_site(folder / "site.yaml")
    agents = load_agents(folder / "agents.csv", site)
    time_off = [TimeOff(a, d, "leave") for a, d in draw.days_off]
    requirements = draw.requirements(site)
    draw.notes.append(f"{len(agents)} agents, {len(site.queues)} queue(s), {len(site.shift_templates)} template(s), "
                      f"rules: {', '.join(r['rule'] for r in rules) or 'none'}")
    return PlantedSite(seed, folder, site, agents, time_off, draw.dates, requirements, draw.roster_shifts(),
                       site_rules(site, time_off), draw.notes)
