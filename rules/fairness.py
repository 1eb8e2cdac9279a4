"""Fairness: weekends and late shifts shared out across agents, counting past weeks.

Each agent's load is their count from a ledger of past weeks plus this week's.
The roster pays weight × load² summed over agents (as an increase over the
past: weight × ((past + now)² − past²)). A convex cost like this makes the next
weekend cheapest for whoever has worked fewest, which spreads the load the way
a lexicographic min-max does, and it stays a sum the solver handles well.
"""
from __future__ import annotations

from typing import Any

from common.errors import InputError
from rules.base import EncodeContext, Penalty, RosterView, Rule, Violation, check_keys, param
from rules.site import Agent, RuleSpec, Site

WEEKEND = (5, 6)   # Saturday, Sunday


class Fairness(Rule):
    kind = "fairness"
    soft = True

    def __init__(self, spec: RuleSpec, site: Site, ledger: dict[str, dict[str, int]] | None = None):
        check_keys(spec, {"weekends", "late_shifts"}, soft_allowed=True)
        self.where = spec.where
        self.weekend_weight = param(spec, "weekends", low=0, integer=False, default=0.0)
        self.late_weight = param(spec, "late_shifts", low=0, integer=False, default=0.0)
        self.late_templates = {t.id for t in site.shift_templates if t.late}
        if self.late_weight and not self.late_templates:
            raise InputError(f"{spec.where}.late_shifts", "no shift template is marked late",
                             "add 'late: true' to the late shift templates, or drop late_shifts")
        if ledger is None and "fairness_ledger" in site.files:
            from rules.agents_file import load_ledger
            ledger = load_ledger(site.files["fairness_ledger"])
        self.ledger = ledger or {}

    def describe(self) -> str:
        parts = []
        if self.weekend_weight:
            parts.append(f"weekends worked (weight {self.weekend_weight:g})")
        if self.late_weight:
            parts.append(f"late shifts (weight {self.late_weight:g})")
        return "share out " + " and ".join(parts) + " across agents, counting past weeks"

    def past(self, agent_id: str, what: str) -> int:
        return int(self.ledger.get(agent_id, {}).get(what, 0))

    @staticmethod
    def increase(past: int, now: int) -> int:
        return (past + now) ** 2 - past ** 2

    def encode_site(self, ctx: EncodeContext, agents: list[Agent]) -> None:
        weekend_days = [d for d in ctx.dates if d.weekday() in WEEKEND]
        for agent in agents:
            if not self.applies_to(agent):
                continue
            if self.weekend_weight and weekend_days:
                works = [ctx.works(agent.agent_id, d) for d in weekend_days]
                worked = ctx.model.NewBoolVar(f"weekend[{agent.agent_id}]")
                for day in works:
                    ctx.model.Add(worked >= day)
                ctx.model.Add(worked <= sum(works))
                cost = self.increase(self.past(agent.agent_id, "weekends_worked"), 1)
                ctx.penalize("fairness_weekends", worked, self.weekend_weight * cost, agent.agent_id)
            if self.late_weight:
                lates = [var for d in ctx.dates for shift, var in ctx.options(agent.agent_id, d)
                         if shift.template_id in self.late_templates]
                if not lates:
                    continue
                past = self.past(agent.agent_id, "late_shifts")
                count = ctx.model.NewIntVar(0, len(ctx.dates), f"lates[{agent.agent_id}]")
                ctx.model.Add(count == sum(lates))
                extra = ctx.model.NewIntVar(0, self.increase(past, len(ctx.dates)), f"late_cost[{agent.agent_id}]")
                ctx.model.AddElement(count, [self.increase(past, n) for n in range(len(ctx.dates) + 1)], extra)
                ctx.penalize("fairness_late_shifts", extra, self.late_weight, agent.agent_id)

    def counts(self, roster: RosterView) -> dict[str, tuple[int, int]]:
        """agent -> (weekends worked this week, late shifts this week), from the shifts alone."""
        result = {}
        for agent_id in roster.agents:
            shifts = roster.shifts_of(agent_id)
            weekend = int(any(s.date.weekday() in WEEKEND for s in shifts))
            late = sum(1 for s in shifts if s.template_id in self.late_templates)
            result[agent_id] = (weekend, late)
        return result

    def check(self, roster: RosterView) -> list[Violation]:
        return []

    def penalties(self, roster: RosterView) -> list[Penalty]:
        found = []
        for agent_id, (weekend, late) in self.counts(roster).items():
            if self.weekend_weight and weekend:
                past = self.past(agent_id, "weekends_worked")
                found.append(Penalty(self.kind, agent_id, None, self.weekend_weight * self.increase(past, weekend),
                                     f"works this weekend after {past} past weekend(s)"))
            if self.late_weight and late:
                past = self.past(agent_id, "late_shifts")
                found.append(Penalty(self.kind, agent_id, None, self.late_weight * self.increase(past, late),
                                     f"{late} late shift(s) after {past} in past weeks"))
        return found


def updated_ledger(past: dict[str, dict[str, int]], roster: RosterView) -> list[dict[str, Any]]:
    """The ledger carried into next week: past counts plus this week's, one row per agent."""
    late_templates = {t.id for t in roster.site.shift_templates if t.late}
    rows = []
    for agent_id in sorted(roster.agents):
        shifts = roster.shifts_of(agent_id)
        weekend = int(any(s.date.weekday() in WEEKEND for s in shifts))
        late = sum(1 for s in shifts if s.template_id in late_templates)
        before = past.get(agent_id, {})
        rows.append({"agent_id": agent_id, "weeks": int(before.get("weeks", 0)) + 1,
                     "weekends_worked": int(before.get("weekends_worked", 0)) + weekend,
                     "late_shifts": int(before.get("late_shifts", 0)) + late})
    return rows
