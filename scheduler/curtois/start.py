"""A feasible first roster, one employee at a time (every hard rule binds one employee).

Each employee's own small model is solved exactly: pick the shifts that fill the
cover still short (WeightUnder each), avoid surplus (WeightOver each) and honour
their requests. Finding any feasible roster of the full model is the hard part
on month-long horizons (each employee's minutes must land in a narrow window),
and this per-employee pass gets one in well under a second. Single-threaded and
stopped by deterministic time, so it is reproducible.
"""
from __future__ import annotations

from collections import defaultdict

from ortools.sat.python import cp_model

from scheduler.curtois.importer import CurtoisProblem
from scheduler.roster.model import RosterModel


def employee_by_employee(cp: CurtoisProblem, det_limit_per_employee: float = 2.0,
                         seed: int = 0) -> dict[str, list[str | None]] | None:
    """Employee -> shift id (or None) per day; None when some employee has no feasible roster of their own."""
    problem = cp.problem
    need: dict[tuple, int] = {(row.date, row.shift): row.requirement for row in cp.cover}
    under = {(row.date, row.shift): row.under_weight for row in cp.cover}
    over = {(row.date, row.shift): row.over_weight for row in cp.cover}
    wishes: dict[tuple, int] = defaultdict(int)
    index = {d: i for i, d in enumerate(problem.dates)}
    for r in cp.instance.on_requests:
        wishes[(r.staff, r.day, r.shift)] += r.weight
    for r in cp.instance.off_requests:
        wishes[(r.staff, r.day, r.shift)] -= r.weight
    roster: dict[str, list[str | None]] = {}
    for agent in problem.agents:
        rm = RosterModel(problem, agents=[agent])
        rm.add_rules()
        terms = []
        for date in rm.dates:
            for shift, var in rm.options(agent.agent_id, date):
                key = (date, shift.template_id)
                cover_value = under.get(key, 0) if need.get(key, 0) > 0 else -over.get(key, 0)
                value = cover_value + wishes[(agent.agent_id, index[date], shift.template_id)]
                if value:
                    terms.append(value * var)
        rm.model.Maximize(sum(terms))
        solver = cp_model.CpSolver()
        solver.parameters.num_workers = 1
        solver.parameters.random_seed = seed
        solver.parameters.max_deterministic_time = det_limit_per_employee
        status = solver.Solve(rm.model)
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            return None
        days = []
        for date in rm.dates:
            chosen = [s.template_id for s, var in rm.options(agent.agent_id, date) if solver.BooleanValue(var)]
            days.append(chosen[0] if chosen else None)
            if chosen:
                need[(date, chosen[0])] = need.get((date, chosen[0]), 0) - 1
        roster[agent.agent_id] = days
    return roster
