"""Limits that name a shift template: a weekly maximum per type, and forbidden successions."""
from __future__ import annotations

import datetime as dt
from typing import Any

from rules.base import EncodeContext, RosterView, Rule, Violation, check_keys, enforce, param, template_param
from rules.site import Agent, RuleSpec, Site


class MaxShiftsOfTypePerWeek(Rule):
    kind = "max_shifts_of_type_per_week"

    def __init__(self, spec: RuleSpec, site: Site):
        check_keys(spec, {"shift", "max"})
        self.where = spec.where
        self.template_id = template_param(spec, "shift", site)
        self.max = param(spec, "max", low=0)

    def describe(self) -> str:
        return f"at most {self.max} {self.template_id} shifts per week"

    def encode(self, ctx: EncodeContext, agent: Agent, literal: Any | None = None) -> None:
        chosen = [var for d in ctx.dates for shift, var in ctx.options(agent.agent_id, d)
                  if shift.template_id == self.template_id]
        if len(chosen) > self.max:
            enforce(ctx.model.Add(sum(chosen) <= self.max), literal)

    def check(self, roster: RosterView) -> list[Violation]:
        found = []
        for agent_id in roster.agents:
            count = sum(1 for s in roster.shifts_of(agent_id) if s.template_id == self.template_id)
            if count > self.max:
                found.append(Violation(self.kind, agent_id, None, f"{count} {self.template_id} shifts (max {self.max})"))
        return found


class ForbiddenSuccession(Rule):
    """Shift type `after` may not be worked the day after shift type `first` (e.g. late then early)."""

    kind = "forbidden_succession"

    def __init__(self, spec: RuleSpec, site: Site):
        check_keys(spec, {"first", "then"})
        self.where = spec.where
        self.first = template_param(spec, "first", site)
        self.then = template_param(spec, "then", site)

    def describe(self) -> str:
        return f"no {self.then} shift the day after a {self.first} shift"

    def encode(self, ctx: EncodeContext, agent: Agent, literal: Any | None = None) -> None:
        dates = list(ctx.dates)
        for today, tomorrow in zip(dates, dates[1:]):
            first = [v for s, v in ctx.options(agent.agent_id, today) if s.template_id == self.first]
            then = [v for s, v in ctx.options(agent.agent_id, tomorrow) if s.template_id == self.then]
            if first and then:
                enforce(ctx.model.Add(sum(first) + sum(then) <= 1), literal)

    def check(self, roster: RosterView) -> list[Violation]:
        found = []
        for agent_id in roster.agents:
            by_date = {s.date: s.template_id for s in roster.shifts_of(agent_id)}
            for date, template_id in by_date.items():
                if template_id == self.first and by_date.get(date + dt.timedelta(days=1)) == self.then:
                    found.append(Violation(self.kind, agent_id, date + dt.timedelta(days=1),
                                           f"{self.then} on {date + dt.timedelta(days=1)} follows {self.first}"))
        return found
