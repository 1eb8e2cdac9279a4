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
from scheduler.curtois.model import catalogue_model


def employee_by_employee(cp: CurtoisProblem, det_limit_per_employee: float = 2.0, seed: int = 0,
                         passes: int = 3) -> dict[str, list[str | None]] | None:
    """Employee -> shift id (or None) per day; None when some employee has no feasible roster of their own.

    The first pass rosters employees in the instance's order against the cover still short; each later pass
    re-rosters every employee against everyone else's current shifts (an exact best response), until a pass
    changes nothing or `passes` are done.
    """
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
    models = {}
    roster: dict[str, list[str | None]] = {}
    for number in range(passes):
        changed = False
        for agent in problem.agents:
            if agent.agent_id not in models:
                models[agent.agent_id] = catalogue_model(cp, agents=[agent])
            rm = models[agent.agent_id]
            previous = roster.get(agent.agent_id)
            for date, shift_id in zip(rm.dates, previous or ()):
                if shift_id is not None:
                    need[(date, shift_id)] += 1          # this employee's own shifts are open again
            terms = []
            for date in rm.dates:
                for shift, var in rm.options(agent.agent_id, date):
                    key = (date, shift.template_id)
                    cover_value = under.get(key, 0) if need.get(key, 0) > 0 else -over.get(key, 0)
                    value = cover_value + wishes[(agent.agent_id, index[date], shift.template_id)]
                    if value:
                        terms.append(value * var)
            rm.model.Maximize(sum(terms))
            if previous is not None:
                rm.model.ClearHints()
                for date, shift_id in zip(rm.dates, previous):
                    for shift, var in rm.options(agent.agent_id, date):
                        rm.model.AddHint(var, shift.template_id == shift_id)
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
            changed |= days != previous
            roster[agent.agent_id] = days
        if not changed:
            break
    return roster
