"""Rules that tie agents together: a cap or a floor on how many agents do something at the same moment.

Such a rule is a sum over agents: each agent contributes a 0/1 expression per moment (in training then, on
shift then) and the sum must stay within bounds. The roster model adds the sum over the agents it holds plus,
in a neighbourhood's sub-model, the constant contribution of every agent it keeps fixed (computed from the
current roster), so a step can never break the rule by moving the agents it frees.

YAML:
    - {rule: max_concurrent_activity, name: team training, max: 2}      # at most 2 agents in training at once
    - {rule: min_agents_present, min: 1, agents: [A003, A017, A044]}    # a team lead on every open interval
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any, Hashable

from rules.base import EncodeContext, RosterView, Rule, Violation, check_keys, param
from rules.site import WEEKDAYS, Agent, RuleSpec, Site

STEP_MIN = 15


def _minutes(moment: dt.datetime) -> int:
    return int(moment.timestamp()) // 60


class CouplingRule(Rule):
    """Σ over the agents in scope of contributions(agent)[key] within bounds(key), for every key."""

    couples_agents = True

    def contributions(self, ctx: EncodeContext, agent: Agent) -> dict[Hashable, Any]:
        raise NotImplementedError

    def bounds(self, key: Hashable) -> tuple[int | None, int | None]:
        raise NotImplementedError

    def required_keys(self, dates) -> list[Hashable]:
        """Keys bounded even where no agent contributes (a floor must hold when nobody could meet it)."""
        return []


class MaxConcurrentActivity(CouplingRule):
    kind = "max_concurrent_activity"

    def __init__(self, spec: RuleSpec, site: Site):
        check_keys(spec, {"name", "max"})
        self.where = spec.where
        self.name = str(spec.params.get("name", "training"))
        self.max = param(spec, "max", low=0)

    def describe(self) -> str:
        return f"at most {self.max} agent(s) in {self.name} at the same time"

    def contributions(self, ctx: EncodeContext, agent: Agent) -> dict[Hashable, Any]:
        """Per quarter hour, whether the agent is in this activity then (its placements are exclusive)."""
        out: dict[Hashable, list[Any]] = defaultdict(list)
        for date in ctx.open_dates:
            for name, start, var, minutes in ctx.absence_vars(agent.agent_id, date):
                if name != self.name:
                    continue
                first = _minutes(start)
                for m in range(first - first % STEP_MIN, first + minutes, STEP_MIN):
                    out[m].append(var)
        for date in ctx.dates:
            for activity in ctx.fixed_activities(agent.agent_id, date):
                if activity.name == self.name:
                    first = _minutes(activity.start)
                    for m in range(first - first % STEP_MIN, _minutes(activity.end), STEP_MIN):
                        out[m].append(1)
        return {m: sum(v) for m, v in out.items()}

    def bounds(self, key: Hashable) -> tuple[int | None, int | None]:
        return None, self.max

    def check(self, roster: RosterView) -> list[Violation]:
        busy: dict[int, set[str]] = defaultdict(set)
        for entry in roster.shifts:
            for activity in entry.activities:
                if activity.name != self.name:
                    continue
                first = _minutes(activity.start)
                for m in range(first - first % STEP_MIN, _minutes(activity.end), STEP_MIN):
                    busy[m].add(entry.agent_id)
        found = []
        for m, agents in sorted(busy.items()):
            if len(agents) > self.max:
                moment = dt.datetime.fromtimestamp(m * 60, dt.timezone.utc).astimezone(roster.shifts[0].shift.start.tzinfo)
                found.append(Violation(self.kind, None, moment.date(),
                                       f"{len(agents)} agents in {self.name} at {moment:%a %H:%M} "
                                       f"({', '.join(sorted(agents))}); at most {self.max}"))
        return found


class MinAgentsPresent(CouplingRule):
    """At least `min` of the agents in scope on shift in every interval the site is open."""

    kind = "min_agents_present"

    def __init__(self, spec: RuleSpec, site: Site):
        check_keys(spec, {"min"})
        self.where = spec.where
        self.min = param(spec, "min", low=1)
        self.site = site

    def describe(self) -> str:
        return f"at least {self.min} of the named agents on shift whenever the site is open"

    def contributions(self, ctx: EncodeContext, agent: Agent) -> dict[Hashable, Any]:
        out: dict[Hashable, list[Any]] = defaultdict(list)
        step = self.site.interval_min
        for date in ctx.dates:
            for shift, var in ctx.options(agent.agent_id, date):
                for m in range(_minutes(shift.start), _minutes(shift.end) - step + 1, step):
                    out[m].append(var)
        return {m: sum(v) for m, v in out.items()}

    def required_keys(self, dates) -> list[Hashable]:
        return self.open_keys(dates)

    def open_keys(self, dates) -> list[int]:
        """Every open interval of the week, as epoch minutes (the keys the floor applies to)."""
        from zoneinfo import ZoneInfo
        tz = ZoneInfo(self.site.timezone)
        keys = []
        for date in dates:
            hours = self.site.opening_hours.get(WEEKDAYS[date.weekday()])
            if hours is None:
                continue
            for minute in range(hours.open_min, hours.close_min, self.site.interval_min):
                # The wall clock the site opens by (as shifts and requirements are built), not elapsed time
                # from midnight, which is an hour off it on the day the clocks change.
                moment = dt.datetime(date.year, date.month, date.day, minute // 60, minute % 60, tzinfo=tz)
                keys.append(_minutes(moment))
        return keys

    def bounds(self, key: Hashable) -> tuple[int | None, int | None]:
        return self.min, None

    def check(self, roster: RosterView) -> list[Violation]:
        present: dict[int, int] = defaultdict(int)
        step = self.site.interval_min
        for entry in roster.shifts:
            for m in range(_minutes(entry.shift.start), _minutes(entry.shift.end) - step + 1, step):
                present[m] += 1
        found = []
        for m in self.open_keys(roster.dates):
            if present[m] < self.min:
                moment = dt.datetime.fromtimestamp(m * 60, dt.timezone.utc)
                found.append(Violation(self.kind, None, moment.date(),
                                       f"{present[m]} of the named agents on shift at {moment:%a %H:%M} UTC; "
                                       f"at least {self.min}"))
        return found
