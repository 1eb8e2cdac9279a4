"""Meetings and training: a set length, so many times a week, for given agents, placed by the solver.

The activity takes the agent off contacts, so the solver puts it where the
queues can spare them (low demand), inside one of their shifts and inside the
window the YAML gives.

YAML:
    - {rule: activity, name: team training, length_min: 60, per_week: 1, window: ["10:00", "16:00"],
       contracts: [FT40]}                         # scope with agents: [...] / contracts: [...]
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from common.errors import InputError
from rules.base import EncodeContext, Penalty, RosterView, Rule, Violation, check_keys, enforce, param
from rules.site import Agent, RuleSpec, Site

STEP_MIN = 30


class ScheduledActivity(Rule):
    kind = "activity"

    def __init__(self, spec: RuleSpec, site: Site):
        from rules.loader import parse_clock
        check_keys(spec, {"name", "length_min", "per_week", "window", "agents", "contracts", "deferrable_cost"})
        self.where = spec.where
        # Set by the intraday planner (scheduler.intraday.variants): a session may be deferred out of the week
        # at this cost, rather than held; None means every session must be held.
        self.deferrable_cost = param(spec, "deferrable_cost", low=0, integer=False, default=None)
        self.name = str(spec.params.get("name", "activity"))
        self.length_min = param(spec, "length_min", low=15)
        self.per_week = param(spec, "per_week", low=1, default=1)
        window = spec.params.get("window", ["00:00", "24:00"])
        if not isinstance(window, list) or len(window) != 2:
            raise InputError(f"{spec.where}.window", f"{window!r} is not a [from, to] pair of times",
                             'write e.g. window: ["10:00", "16:00"]')
        self.window_from = parse_clock(window[0], f"{spec.where}.window")
        self.window_to = parse_clock(window[1], f"{spec.where}.window", allow_24=True)
        if self.window_to - self.window_from < self.length_min:
            raise InputError(f"{spec.where}.window", f"the window is shorter than the {self.length_min}-minute {self.name}",
                             "widen the window or shorten the activity")

    def describe(self) -> str:
        return (f"{self.per_week} × {self.length_min}-min {self.name} per week between "
                f"{self.window_from // 60:02d}:{self.window_from % 60:02d} and "
                f"{self.window_to // 60:02d}:{self.window_to % 60:02d}")

    def encode(self, ctx: EncodeContext, agent: Agent, literal: Any | None = None) -> None:
        chosen = []
        held = sum(1 for date in ctx.dates for a in ctx.fixed_activities(agent.agent_id, date) if a.name == self.name)
        local: dict[int, dt.datetime] = {}      # epoch minute -> local time (shifts of a day overlap)
        for date in ctx.open_dates:
            candidates: dict[dt.datetime, list[Any]] = defaultdict(list)
            for shift, var in ctx.options(agent.agent_id, date):
                first = int(shift.start.timestamp()) // 60
                for offset in range(0, shift.minutes - self.length_min + 1, STEP_MIN):
                    start = local.get(first + offset)
                    if start is None:
                        start = local[first + offset] = dt.datetime.fromtimestamp((first + offset) * 60,
                                                                                   shift.start.tzinfo)
                    clock = start.hour * 60 + start.minute
                    if self.window_from <= clock and clock + self.length_min <= self.window_to:
                        candidates[start].append(var)
            for start, shift_vars in sorted(candidates.items()):
                var = ctx.model.NewBoolVar(f"{self.name}[{agent.agent_id},{start:%m%d%H%M}]")
                ctx.add_absence(agent.agent_id, date, self.name, start, self.length_min, var, shift_vars,
                                True, literal)
                chosen.append(var)
        if self.deferrable_cost is not None:
            deferred = ctx.model.NewIntVar(0, self.per_week, f"deferred[{agent.agent_id},{self.name}]")
            enforce(ctx.model.Add(sum(chosen) + held + deferred == self.per_week), literal)
            ctx.penalize("defer_training", deferred, self.deferrable_cost, agent.agent_id)
            return
        ctx.choose_absences(chosen, self.per_week - held, literal)

    def check(self, roster: RosterView) -> list[Violation]:
        found = []
        for agent_id in roster.agents:
            held = [a for r in roster.shifts if r.agent_id == agent_id for a in r.activities if a.name == self.name]
            short = len(held) < self.per_week and self.deferrable_cost is None
            if short or len(held) > self.per_week:
                found.append(Violation(self.kind, agent_id, None,
                                       f"{len(held)} × {self.name} this week (needs {self.per_week})"))
            for activity in held:
                start = activity.start.hour * 60 + activity.start.minute
                if activity.minutes != self.length_min or start < self.window_from or start + activity.minutes > self.window_to:
                    found.append(Violation(self.kind, agent_id, activity.start.date(),
                                           f"{self.name} {activity.start:%H:%M}-{activity.end:%H:%M} is not "
                                           f"{self.length_min} min inside its window"))
        return found

    def penalties(self, roster: RosterView) -> list[Penalty]:
        """Sessions deferred out of the week, where the intraday planner allowed it."""
        if self.deferrable_cost is None:
            return []
        out = []
        for agent_id in roster.agents:
            held = sum(1 for r in roster.shifts if r.agent_id == agent_id for a in r.activities if a.name == self.name)
            if held < self.per_week and self.deferrable_cost:
                out.append(Penalty("defer_training", agent_id, None, (self.per_week - held) * self.deferrable_cost,
                                   f"{self.per_week - held} × {self.name} deferred"))
        return out
