"""Neighbourhood sub-models: a few agents' rosters free, everyone else's fixed.

A neighbourhood step of the roster search used to clone the whole CP-SAT model
and pin the fixed agents; CP-SAT then spent most of each step presolving the
pinned variables away (seconds on a 300-agent week). Here the step's model is
built for the free agents only, and the fixed agents enter it as constant
presence per skill group and interval, so its size follows the neighbourhood,
not the site. How a multi-skilled group splits across its queues stays free.
A free agent's days outside the step's window are built with their current
shift alone, so a variable must mean the same whatever options a model has
(tests/test_neighbourhood_kept_days.py).

Every cost term of a site roster belongs either to a queue interval (coverage)
or to one agent (hours, fairness, preferences, soft rules), so a full roster's
cost is the sub-model's objective plus the fixed agents' own terms.
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from ortools.sat.python import cp_model, cp_model_helper

from scheduler.roster.lns import pin
from scheduler.roster.model import RosterModel


@dataclass
class SubModel:
    roster_model: RosterModel
    to_full: list[tuple[int, int]]     # (sub-model variable, its full-model namesake) for every variable
    fixed_cost: int                    # the fixed agents' own terms, in the model's integer cost units

    @property
    def model(self) -> cp_model.CpModel:
        return self.roster_model.model


def value_of(expr, values: list[int] | dict[int, int]) -> int:
    """An integer expression of a model's variables, evaluated on a value per variable (a list, or a dict by
    variable index: a variable it lacks raises KeyError)."""
    if isinstance(expr, int):
        return expr
    flat = cp_model_helper.FlatIntExpr(expr)
    return flat.offset + sum(coeff * values[var.index] for var, coeff in zip(flat.vars, flat.coeffs))


def agent_costs(roster_model: RosterModel, values: list[int]) -> dict[str, int]:
    """Each agent's own objective terms, in the model's integer cost units."""
    costs: dict[str, int] = defaultdict(int)
    for term in roster_model.terms:
        if term.agent_id is not None:
            costs[term.agent_id] += term.coefficient * value_of(term.variable, values)
    return dict(costs)


class Neighbourhoods:
    """Builds sub-models of a full roster model around a current roster (a value per full-model variable)."""

    def __init__(self, full: RosterModel):
        loose = [t.name for t in full.terms if t.agent_id is None and t.queue is None]
        if loose:
            raise ValueError(f"objective terms {sorted(set(loose))} belong to no agent and no queue interval: "
                             "a sub-model could not account for them")
        self.full = full
        self.index = {var.name: i for i, var in enumerate(full.model.proto.variables)}
        if len(self.index) != len(full.model.proto.variables):
            raise ValueError("the roster model's variable names are not unique: sub-models are matched by name")
        self.agent_ids = [agent.agent_id for agent in full.agents]
        self._totals: tuple[list[int], dict] | None = None     # (roster values, everyone's presence on it)
        self.presence: dict[str, list[tuple[tuple[str, ...], int, int, int]]] = defaultdict(list)
        for agent_id, group, t, units, var in full.presence_terms:
            self.presence[agent_id].append((group, t, units, var.Index()))

    def fixed_units(self, free: set[str], values: list[int]) -> dict[tuple[tuple[str, ...], int], int]:
        """Presence of the agents a step keeps fixed: everyone's on this roster (counted once per roster) less
        the free agents' own (a scan of every agent per step was a tenth of a 1,000-agent re-plan)."""
        cached = self._totals          # read once: steps of a round build in parallel threads
        if cached is None or cached[0] is not values:
            totals: dict[tuple[tuple[str, ...], int], int] = defaultdict(int)
            for agent_id in self.agent_ids:
                for group, t, count, index in self.presence[agent_id]:
                    if values[index]:
                        totals[(group, t)] += count
            cached = self._totals = (values, totals)
        units = defaultdict(int, cached[1])
        for agent_id in free:
            for group, t, count, index in self.presence[agent_id]:
                if values[index]:
                    units[(group, t)] -= count
        return units

    def fixed_couplings(self, free: set[str], values: list[int]) -> dict[tuple[str, object], int]:
        """What the agents a step keeps fixed contribute to each coupling rule's sums, on the current roster."""
        return {key: sum(value_of(expr, values) for agent_id, expr in parts if agent_id not in free)
                for key, parts in self.full.coupling_terms.items()}

    def build(self, free: set[str], values: list[int], costs: dict[str, int],
              fixed_days: set[tuple[str, dt.date]] = frozenset()) -> SubModel:
        """A model of the `free` agents (their days in `fixed_days` kept as they are), hinted with the current roster.

        `values` is a full solution; every sub-model variable has a namesake in the full model (the same
        shift, break, coverage shortfall or agent's count), so the hint is complete and a sub-model's
        solution writes back into a full solution."""
        full = self.full
        # A day the step keeps is built with its current shift alone: its other options, and their breaks,
        # would only be pinned to 0 (most of a "days" step's model, and of its build time).
        kept = {key: next((shift for shift, var in full.options(*key) if values[var.Index()]), None)
                for key in fixed_days}
        sub = RosterModel(full.problem, agents=[a for a in full.agents if a.agent_id in free], kept=kept)
        sub.fixed_couplings = self.fixed_couplings(free, values)
        sub.add_rules()
        sub.add_coverage(self.fixed_units(free, values), unit_min=full.coverage_unit_min)
        sub.minimize()
        proto = sub.model.proto
        pairs = []
        for i, var in enumerate(proto.variables):
            j = self.index.get(var.name) if var.name else None
            if j is not None:
                pairs.append((i, j))
            elif var.name or len(set(var.domain)) != 1:
                raise RuntimeError(f"sub-model variable '{var.name}' has no namesake in the full model")
            # else a constant CP-SAT made for a literal written as a number (a kept day off has no shift
            # variable): nothing to write back
        groups = sub.decision_groups()
        for key in fixed_days:
            for var in groups.get(key, []):
                pin(proto, var, values[self.index[proto.variables[var].name]])
        proto.solution_hint.vars.extend(i for i, _ in pairs)
        proto.solution_hint.values.extend(values[j] for _, j in pairs)
        fixed_cost = sum(cost for agent_id, cost in costs.items() if agent_id not in free)
        return SubModel(sub, pairs, fixed_cost)
