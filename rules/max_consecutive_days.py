"""No more than N working days in a row."""
from __future__ import annotations

import datetime as dt
from typing import Any

from rules.base import EncodeContext, RosterView, Rule, Violation, check_keys, enforce, param
from rules.site import Agent, RuleSpec, Site


class MaxConsecutiveDays(Rule):
    kind = "max_consecutive_days"

    def __init__(self, spec: RuleSpec, site: Site):
        check_keys(spec, {"days"})
        self.where = spec.where
        self.days = param(spec, "days", low=1)

    def describe(self) -> str:
        return f"at most {self.days} working days in a row"

    def encode(self, ctx: EncodeContext, agent: Agent, literal: Any | None = None) -> None:
        dates = list(ctx.dates)
        window = self.days + 1
        for first in range(0, len(dates) - window + 1):
            works = [ctx.works(agent.agent_id, d) for d in dates[first:first + window]]
            enforce(ctx.model.Add(sum(works) <= self.days), literal)

    def check(self, roster: RosterView) -> list[Violation]:
        found = []
        for agent_id in roster.agents:
            worked = sorted({s.date for s in roster.shifts_of(agent_id)})
            run = 0
            previous: dt.date | None = None
            for date in worked:
                run = run + 1 if previous is not None and (date - previous).days == 1 else 1
                previous = date
                if run == self.days + 1:
                    found.append(Violation(self.kind, agent_id, date, f"works {run} days in a row up to {date} (max {self.days})"))
        return found
