"""Weekend rules: a cap on weekends worked, and weekends worked whole or not at all.

A weekend is a Saturday and the Sunday after it; a weekend of which only one
day lies in the planning period counts with that day alone.

YAML:
    - {rule: max_weekends_worked, max: 2}                # a weekend is worked if its Saturday or Sunday is
    - {rule: max_weekends_worked, max: 1, soft: true, weight: 30}   # 30 per weekend over the cap
    - {rule: complete_weekends}                          # work both days of a weekend or neither
    - {rule: complete_weekends, soft: true, weight: 10}  # 10 per weekend worked on one day only
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any, Sequence

from rules.base import (EncodeContext, Penalty, RosterView, Rule, Violation, check_keys, enforce, param,
                        soft_settings)
from rules.site import Agent, RuleSpec, Site

SATURDAY, SUNDAY = 5, 6


def weekends(dates: Sequence[dt.date]) -> list[list[dt.date]]:
    """The period's Saturday/Sunday dates grouped per weekend, in date order."""
    groups: dict[dt.date, list[dt.date]] = defaultdict(list)
    for date in dates:
        if date.weekday() in (SATURDAY, SUNDAY):
            saturday = date - dt.timedelta(days=date.weekday() - SATURDAY)
            groups[saturday].append(date)
    return [sorted(groups[key]) for key in sorted(groups)]


class MaxWeekendsWorked(Rule):
    kind = "max_weekends_worked"

    def __init__(self, spec: RuleSpec, site: Site):
        check_keys(spec, {"max"}, soft_allowed=True)
        self.where = spec.where
        self.max = param(spec, "max", low=0)
        self.soft, self.weight = soft_settings(spec)

    def describe(self) -> str:
        return f"at most {self.max} weekend(s) worked in the planning period (Saturday or Sunday)"

    def encode(self, ctx: EncodeContext, agent: Agent, literal: Any | None = None) -> None:
        worked = []
        for group in weekends(ctx.dates):
            days = [ctx.works(agent.agent_id, d) for d in group]
            if all(isinstance(w, int) for w in days):      # no shift possible that weekend
                continue
            weekend = ctx.model.NewBoolVar(f"weekend[{agent.agent_id},{group[0]}]")
            for works in days:
                ctx.model.Add(weekend >= works)
            worked.append(weekend)
        if len(worked) <= self.max:
            return
        if self.soft:
            excess = ctx.model.NewIntVar(0, len(worked) - self.max, f"weekends_over[{agent.agent_id}]")
            ctx.model.Add(excess >= sum(worked) - self.max)
            ctx.penalize(self.kind, excess, self.weight, agent.agent_id)
        else:
            enforce(ctx.model.Add(sum(worked) <= self.max), literal)

    def _over(self, roster: RosterView) -> list[tuple[str, int]]:
        found = []
        for agent_id in roster.agents:
            worked_days = {s.date for s in roster.shifts_of(agent_id)}
            count = 0
            for date in roster.dates:
                if date.weekday() == SATURDAY or (date.weekday() == SUNDAY and
                                                  (date - dt.timedelta(days=1)) not in roster.dates):
                    pair = {date, date + dt.timedelta(days=1)} if date.weekday() == SATURDAY else {date}
                    count += bool(pair & worked_days)
            if count > self.max:
                found.append((agent_id, count))
        return found

    def check(self, roster: RosterView) -> list[Violation]:
        if self.soft:
            return []
        return [Violation(self.kind, agent_id, None, f"works {count} weekends (max {self.max})")
                for agent_id, count in self._over(roster)]

    def penalties(self, roster: RosterView) -> list[Penalty]:
        if not self.soft:
            return []
        return [Penalty(self.kind, agent_id, None, self.weight * (count - self.max),
                        f"works {count} weekends (max {self.max})") for agent_id, count in self._over(roster)]


class CompleteWeekends(Rule):
    kind = "complete_weekends"

    def __init__(self, spec: RuleSpec, site: Site):
        check_keys(spec, set(), soft_allowed=True)
        self.where = spec.where
        self.soft, self.weight = soft_settings(spec)

    def describe(self) -> str:
        return "weekends worked whole (Saturday and Sunday) or not at all"

    def encode(self, ctx: EncodeContext, agent: Agent, literal: Any | None = None) -> None:
        for group in weekends(ctx.dates):
            if len(group) != 2:
                continue
            saturday, sunday = (ctx.works(agent.agent_id, d) for d in group)
            if self.soft:
                broken = ctx.model.NewBoolVar(f"half_weekend[{agent.agent_id},{group[0]}]")
                ctx.model.Add(broken >= saturday - sunday)
                ctx.model.Add(broken >= sunday - saturday)
                ctx.penalize(self.kind, broken, self.weight, agent.agent_id)
            elif not (isinstance(saturday, int) and isinstance(sunday, int)):
                enforce(ctx.model.Add(saturday == sunday), literal)
            elif saturday != sunday:
                enforce(ctx.model.AddBoolOr([]), literal)     # cannot hold (never with 0/1 constants)

    def _half(self, roster: RosterView) -> list[tuple[str, dt.date]]:
        found = []
        dates = set(roster.dates)
        for agent_id in roster.agents:
            worked = {s.date for s in roster.shifts_of(agent_id)}
            for date in roster.dates:
                sunday = date + dt.timedelta(days=1)
                if date.weekday() == SATURDAY and sunday in dates and (date in worked) != (sunday in worked):
                    found.append((agent_id, date))
        return found

    def check(self, roster: RosterView) -> list[Violation]:
        if self.soft:
            return []
        return [Violation(self.kind, agent_id, date, f"works only one day of the weekend of {date}")
                for agent_id, date in self._half(roster)]

    def penalties(self, roster: RosterView) -> list[Penalty]:
        if not self.soft:
            return []
        return [Penalty(self.kind, agent_id, date, self.weight, f"works only one day of the weekend of {date}")
                for agent_id, date in self._half(roster)]
