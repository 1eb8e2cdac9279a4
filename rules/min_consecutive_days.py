"""At least N working days in a row: no short stretches of work between days off.

YAML:
    - {rule: min_consecutive_days, days: 2}                      # runs touching the period's ends are exempt
    - {rule: min_consecutive_days, days: 2, exempt_edges: false} # those runs count too, cut at the period's ends
    - {rule: min_consecutive_days, days: 2, soft: true, weight: 50, contracts: [PT]}   # 50 per short run
"""
from __future__ import annotations

import datetime as dt
from typing import Any

from rules.base import (EncodeContext, Penalty, RosterView, Rule, Violation, bool_param, check_keys, param,
                        soft_settings)
from rules.min_runs import encode_min_run
from rules.site import Agent, RuleSpec, Site


def runs_of(flags: list[bool]) -> list[tuple[int, int]]:
    """(first, last) index of every maximal run of True."""
    runs, first = [], None
    for i, flag in enumerate(flags + [False]):
        if flag and first is None:
            first = i
        elif not flag and first is not None:
            runs.append((first, i - 1))
            first = None
    return runs


def short_runs(flags: list[bool], days: int, exempt_edges: bool) -> list[tuple[int, int]]:
    """Runs shorter than `days`, leaving out those touching either end when exempt."""
    last = len(flags) - 1
    return [(a, b) for a, b in runs_of(flags)
            if b - a + 1 < days and not (exempt_edges and (a == 0 or b == last))]


class MinRun(Rule):
    """At least `days` in a row of working days (working=True) or of days off (working=False)."""

    working: bool = True
    run_text = "working days in a row"           # describe(): "at least N <run_text>"
    short_text = "works only {n} day(s) in a row"  # a short run, in check and penalty messages

    def __init__(self, spec: RuleSpec, site: Site):
        check_keys(spec, {"days", "exempt_edges"}, soft_allowed=True)
        self.where = spec.where
        self.days = param(spec, "days", low=1)
        self.exempt_edges = bool_param(spec, "exempt_edges", True)
        self.soft, self.weight = soft_settings(spec)

    def describe(self) -> str:
        edges = " (runs touching the period's first or last day exempt)" if self.exempt_edges else ""
        return f"at least {self.days} {self.run_text}{edges}"

    def encode(self, ctx: EncodeContext, agent: Agent, literal: Any | None = None) -> None:
        encode_min_run(ctx, agent, days=self.days, exempt_edges=self.exempt_edges, working=self.working,
                       kind=self.kind, soft=self.soft, weight=self.weight, literal=literal)

    def _short(self, roster: RosterView) -> list[tuple[str, dt.date, int]]:
        found = []
        for agent_id in roster.agents:
            worked = {s.date for s in roster.shifts_of(agent_id)}
            flags = [(d in worked) == self.working for d in roster.dates]
            for a, b in short_runs(flags, self.days, self.exempt_edges):
                found.append((agent_id, roster.dates[a], b - a + 1))
        return found

    def check(self, roster: RosterView) -> list[Violation]:
        if self.soft:
            return []
        return [Violation(self.kind, agent_id, date, f"{self.short_text.format(n=length)} from {date} "
                          f"(min {self.days})") for agent_id, date, length in self._short(roster)]

    def penalties(self, roster: RosterView) -> list[Penalty]:
        if not self.soft:
            return []
        return [Penalty(self.kind, agent_id, date, self.weight, f"{self.short_text.format(n=length)} from {date}")
                for agent_id, date, length in self._short(roster)]


class MinConsecutiveDays(MinRun):
    kind = "min_consecutive_days"
