"""At least N days off in a row: no single loose days off between working stretches.

YAML:
    - {rule: min_consecutive_days_off, days: 2}                      # runs touching the period's ends are exempt
    - {rule: min_consecutive_days_off, days: 2, exempt_edges: false} # those count too, cut at the period's ends
    - {rule: min_consecutive_days_off, days: 2, soft: true, weight: 20}   # 20 per short stretch off
"""
from __future__ import annotations

import datetime as dt
from typing import Any

from rules.base import (EncodeContext, Penalty, RosterView, Rule, Violation, bool_param, check_keys, param,
                        soft_settings)
from rules.min_consecutive_days import short_runs
from rules.min_runs import encode_min_run
from rules.site import Agent, RuleSpec, Site


class MinConsecutiveDaysOff(Rule):
    kind = "min_consecutive_days_off"

    def __init__(self, spec: RuleSpec, site: Site):
        check_keys(spec, {"days", "exempt_edges"}, soft_allowed=True)
        self.where = spec.where
        self.days = param(spec, "days", low=1)
        self.exempt_edges = bool_param(spec, "exempt_edges", True)
        self.soft, self.weight = soft_settings(spec)

    def describe(self) -> str:
        edges = " (stretches touching the period's first or last day exempt)" if self.exempt_edges else ""
        return f"at least {self.days} days off in a row{edges}"

    def encode(self, ctx: EncodeContext, agent: Agent, literal: Any | None = None) -> None:
        encode_min_run(ctx, agent, days=self.days, exempt_edges=self.exempt_edges, working=False, kind=self.kind,
                       soft=self.soft, weight=self.weight, literal=literal)

    def _short(self, roster: RosterView) -> list[tuple[str, dt.date, int]]:
        found = []
        for agent_id in roster.agents:
            worked = {s.date for s in roster.shifts_of(agent_id)}
            for a, b in short_runs([d not in worked for d in roster.dates], self.days, self.exempt_edges):
                found.append((agent_id, roster.dates[a], b - a + 1))
        return found

    def check(self, roster: RosterView) -> list[Violation]:
        if self.soft:
            return []
        return [Violation(self.kind, agent_id, date, f"only {length} day(s) off in a row from {date} "
                          f"(min {self.days})") for agent_id, date, length in self._short(roster)]

    def penalties(self, roster: RosterView) -> list[Penalty]:
        if not self.soft:
            return []
        return [Penalty(self.kind, agent_id, date, self.weight, f"only {length} day(s) off in a row from {date}")
                for agent_id, date, length in self._short(roster)]
