"""Minimum and maximum number of shifts in the planning period, of all types or of one template.

YAML:
    - {rule: shifts_per_period, min: 3, max: 5}                 # 3 to 5 shifts in the period
    - {rule: shifts_per_period, shift: N, max: 4}               # at most 4 N shifts
    - {rule: shifts_per_period, min: 4, soft: true, weight: 25} # 25 per shift short of 4
"""
from __future__ import annotations

from typing import Any

from common.errors import InputError
from rules.base import (EncodeContext, Penalty, RosterView, Rule, Violation, check_keys, enforce, param,
                        soft_settings, template_param)
from rules.site import Agent, RuleSpec, Site


class ShiftsPerPeriod(Rule):
    kind = "shifts_per_period"

    def __init__(self, spec: RuleSpec, site: Site):
        check_keys(spec, {"min", "max", "shift"}, soft_allowed=True)
        self.where = spec.where
        self.template_id = template_param(spec, "shift", site) if "shift" in spec.params else None
        self.min = param(spec, "min", low=0, default=None)
        self.max = param(spec, "max", low=0, default=None)
        if self.min is None and self.max is None:
            raise InputError(spec.where, f"rule '{self.kind}' needs 'min:' or 'max:' (or both)",
                             "add min: N and/or max: N shifts")
        if self.min is not None and self.max is not None and self.min > self.max:
            raise InputError(f"{spec.where}.min", f"min {self.min} is above max {self.max}", "make min at most max")
        self.soft, self.weight = soft_settings(spec)

    def _what(self) -> str:
        return f"{self.template_id} shifts" if self.template_id else "shifts"

    def describe(self) -> str:
        low = f"at least {self.min}" if self.min is not None else ""
        high = f"at most {self.max}" if self.max is not None else ""
        return f"{' and '.join(p for p in (low, high) if p)} {self._what()} in the planning period"

    def encode(self, ctx: EncodeContext, agent: Agent, literal: Any | None = None) -> None:
        chosen = [var for d in ctx.dates for shift, var in ctx.options(agent.agent_id, d)
                  if self.template_id is None or shift.template_id == self.template_id]
        # Options of one day exclude each other (one shift a day), so the count cannot exceed the days.
        most = min(len(chosen), len(ctx.dates)) if self.template_id is None else len(chosen)
        count = sum(chosen)
        if self.soft:
            if self.min is not None and self.min > 0:
                short = ctx.model.NewIntVar(0, self.min, f"shifts_short[{agent.agent_id},{self.template_id}]")
                ctx.model.Add(short >= self.min - count)
                ctx.penalize(self.kind, short, self.weight, agent.agent_id)
            if self.max is not None and most > self.max:
                over = ctx.model.NewIntVar(0, most - self.max, f"shifts_over[{agent.agent_id},{self.template_id}]")
                ctx.model.Add(over >= count - self.max)
                ctx.penalize(self.kind, over, self.weight, agent.agent_id)
            return
        if self.min is not None and self.min > 0:
            if not chosen:
                enforce(ctx.model.AddBoolOr([]), literal)
            else:
                enforce(ctx.model.Add(count >= self.min), literal)
        if self.max is not None and len(chosen) > self.max:
            enforce(ctx.model.Add(count <= self.max), literal)

    def _counts(self, roster: RosterView) -> list[tuple[str, int, int]]:
        """(agent, count, amount outside the bounds) for every agent outside them."""
        found = []
        for agent_id in roster.agents:
            count = sum(1 for s in roster.shifts_of(agent_id)
                        if s.date in roster.dates and (self.template_id is None or s.template_id == self.template_id))
            miss = max(0, (self.min or 0) - count) + (max(0, count - self.max) if self.max is not None else 0)
            if miss:
                found.append((agent_id, count, miss))
        return found

    def _message(self, count: int) -> str:
        bounds = f"{self.min if self.min is not None else 0}-{self.max if self.max is not None else '∞'}"
        return f"{count} {self._what()} in the period (needs {bounds})"

    def check(self, roster: RosterView) -> list[Violation]:
        if self.soft:
            return []
        return [Violation(self.kind, agent_id, None, self._message(count))
                for agent_id, count, _ in self._counts(roster)]

    def penalties(self, roster: RosterView) -> list[Penalty]:
        if not self.soft:
            return []
        return [Penalty(self.kind, agent_id, None, self.weight * miss, self._message(count))
                for agent_id, count, miss in self._counts(roster)]
