"""Minimum rest between the end of one shift and the start of the next (e.g. 11 hours)."""
from __future__ import annotations

import datetime as dt
from typing import Any

from rules.base import EncodeContext, RosterView, Rule, Violation, check_keys, enforce, param
from rules.site import Agent, RuleSpec, Site


class MinRestBetweenShifts(Rule):
    kind = "min_rest_between_shifts"

    def __init__(self, spec: RuleSpec, site: Site):
        check_keys(spec, {"hours"})
        self.where = spec.where
        self.hours = param(spec, "hours", low=0, integer=False)

    def describe(self) -> str:
        return f"at least {self.hours:g} h rest between shifts"

    def encode(self, ctx: EncodeContext, agent: Agent, literal: Any | None = None) -> None:
        rest = dt.timedelta(hours=self.hours)
        dates = list(ctx.dates)
        for first, today in enumerate(dates):
            options = ctx.options(agent.agent_id, today)
            if not options:
                continue
            # A rest longer than a day reaches past tomorrow: every later day whose shifts may start too soon.
            reach = max(s.end for s, _ in options) + rest
            for later_day in dates[first + 1:]:
                if later_day > reach.date():        # its shifts start on it, after the reach
                    break
                later = [(s, v) for s, v in ctx.options(agent.agent_id, later_day) if s.start < reach]
                for shift, var in options:
                    # One clique per shift: this shift, or any later shift that starts too soon.
                    clashes = [v for s, v in later if s.start < shift.end + rest]
                    if clashes:
                        enforce(ctx.model.Add(var + sum(clashes) <= 1), literal)

    def check(self, roster: RosterView) -> list[Violation]:
        found = []
        for agent_id in roster.agents:
            shifts = roster.shifts_of(agent_id)
            for first, second in zip(shifts, shifts[1:]):
                rest_h = (second.start - first.end).total_seconds() / 3600
                if rest_h < self.hours:
                    found.append(Violation(self.kind, agent_id, second.date,
                                           f"only {rest_h:g} h rest before {second.start:%a %H:%M} (needs {self.hours:g} h)"))
        return found
