"""At least N days off in the planning week."""
from __future__ import annotations

from typing import Any

from rules.base import EncodeContext, RosterView, Rule, Violation, check_keys, enforce, param
from rules.site import Agent, RuleSpec, Site


class MinDaysOffPerWeek(Rule):
    kind = "min_days_off_per_week"

    def __init__(self, spec: RuleSpec, site: Site):
        check_keys(spec, {"days"})
        self.where = spec.where
        self.days = param(spec, "days", low=0)

    def describe(self) -> str:
        return f"at least {self.days} days off per week"

    def encode(self, ctx: EncodeContext, agent: Agent, literal: Any | None = None) -> None:
        works = [ctx.works(agent.agent_id, d) for d in ctx.dates]
        enforce(ctx.model.Add(sum(works) <= len(ctx.dates) - self.days), literal)

    def check(self, roster: RosterView) -> list[Violation]:
        found = []
        for agent_id in roster.agents:
            off = len(roster.dates) - len({s.date for s in roster.shifts_of(agent_id)})
            if off < self.days:
                found.append(Violation(self.kind, agent_id, None, f"only {off} days off this week (needs {self.days})"))
        return found
