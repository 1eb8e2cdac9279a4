"""The CP-SAT model of a Curtois instance, built through the rule catalogue's encodings.

Hard rules come from the catalogue (RosterModel.add_rules). The instance's
day-level cover becomes objective terms here: for each cover row an under and
an over variable, tied to the number of employees on that shift that day and
never both positive (so the solver's objective is the true one for any roster).
Redundant constraints strengthen the LP relaxation without changing the set of
rosters.
"""
from __future__ import annotations

import math
from collections import defaultdict
from typing import Any

from ortools.sat.python import cp_model

from scheduler.curtois.importer import CurtoisProblem
from scheduler.roster.model import RosterModel


class CurtoisModel:
    def __init__(self, cp: CurtoisProblem, redundant: bool = True):
        self.cp = cp
        self.rm = RosterModel(cp.problem)
        self.model = self.rm.model
        self.rm.add_rules()
        self.cover_terms: list[tuple[Any, Any]] = []
        self._add_cover()
        if redundant:
            self._add_redundant()
        self.rm.minimize()

    def on_shift(self, date, shift_id: str) -> list[Any]:
        return [var for agent in self.rm.agents for shift, var in self.rm.options(agent.agent_id, date)
                if shift.template_id == shift_id]

    def _add_cover(self) -> None:
        model = self.model
        for row in self.cp.cover:
            staff = self.on_shift(row.date, row.shift)
            working = sum(staff)
            under = model.NewIntVar(0, row.requirement, f"under[{row.date},{row.shift}]")
            over = model.NewIntVar(0, max(0, len(staff) - row.requirement), f"over[{row.date},{row.shift}]")
            model.Add(under - over == row.requirement - working)
            if row.requirement > 0 and len(staff) > row.requirement:
                short = model.NewBoolVar(f"short[{row.date},{row.shift}]")
                model.Add(under == 0).OnlyEnforceIf(short.Not())
                model.Add(over == 0).OnlyEnforceIf(short)
            self.rm.penalize("cover_under", under, row.under_weight)
            self.rm.penalize("cover_over", over, row.over_weight)
            self.cover_terms.append((under, over))

    def _add_redundant(self) -> None:
        """Whole-shift bounds implied by each contract's minutes (the LP only sees the fractional ones)."""
        model, site = self.model, self.cp.problem.site
        for agent in self.rm.agents:
            contract = site.contract(agent.contract)
            lengths = [site.template(t).length_min for t in contract.shift_templates]
            if not lengths:
                continue
            works = [self.rm.works(agent.agent_id, d) for d in self.rm.dates]
            low = math.ceil(round(contract.min_hours_week * 60) / max(lengths))
            high = math.floor(round(contract.max_hours_week * 60) / min(lengths))
            model.Add(sum(works) >= low)
            model.Add(sum(works) <= high)

    def groups(self) -> dict[tuple[str, Any], list[int]]:
        return {key: [var.Index() for _, var in options] for key, options in self.rm.option_groups().items()}

    def hint_values(self, roster: dict[str, list[str | None]]) -> dict[int, int]:
        """Shift-variable index -> 0/1 for a roster given as employee -> shift id per day."""
        values = {}
        for agent in self.rm.agents:
            for day, date in enumerate(self.rm.dates):
                for shift, var in self.rm.options(agent.agent_id, date):
                    values[var.Index()] = int(roster[agent.agent_id][day] == shift.template_id)
        return values

    def roster(self, values: list[int]) -> dict[str, list[str | None]]:
        """Employee -> shift id per day, from a full solution vector."""
        result = {}
        for agent in self.rm.agents:
            days = []
            for date in self.rm.dates:
                chosen = [s.template_id for s, var in self.rm.options(agent.agent_id, date) if values[var.Index()]]
                days.append(chosen[0] if chosen else None)
            result[agent.agent_id] = days
        return result
