"""Every roster one agent's CP-SAT model admits, for the brute-force agreement tests."""
from __future__ import annotations

from typing import Callable, Hashable

from ortools.sat.python import cp_model

from rules.base import Shift
from rules.catalogue import site_rules
from scheduler.roster.model import COST_SCALE, RosterModel, RosterProblem


class _Collect(cp_model.CpSolverSolutionCallback):
    def __init__(self, rm: RosterModel, agent_id: str, key_of: Callable[[Shift], Hashable]):
        super().__init__()
        self.rm, self.agent_id, self.key_of, self.found = rm, agent_id, key_of, {}

    def on_solution_callback(self) -> None:
        key = []
        for date in self.rm.dates:
            chosen = [self.key_of(s) for s, v in self.rm.options(self.agent_id, date) if self.Value(v)]
            key.append(chosen[0] if chosen else None)
        cost = sum(t.coefficient * (t.variable if isinstance(t.variable, int) else self.Value(t.variable))
                   for t in self.rm.terms) / COST_SCALE
        self.found[tuple(key)] = min(cost, self.found.get(tuple(key), cost))


def encoded_rosters(site, agent, dates, time_off=(), key_of: Callable[[Shift], Hashable] = lambda s: s.template_id
                    ) -> dict[tuple, float]:
    """Roster key (one entry per day: key_of(shift) or None) -> least penalty over the model's other variables."""
    problem = RosterProblem(site, [agent], list(time_off), dates, site_rules(site, list(time_off)))
    rm = RosterModel(problem)
    rm.add_rules()
    solver = cp_model.CpSolver()
    solver.parameters.enumerate_all_solutions = True
    solver.parameters.num_workers = 1
    collect = _Collect(rm, agent.agent_id, key_of)
    solver.Solve(rm.model, collect)
    return collect.found
