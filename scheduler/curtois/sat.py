"""Small CP-SAT helpers of the Curtois search: single-threaded solves stopped by deterministic time (and a
wall-clock deadline as a backstop), pinning variables of a cloned model, completing partial solutions.

The deadline-aware solves are the Curtois search's own; the deadline itself, setting parameters and pinning
a variable are shared with the site roster's search (scheduler/roster/lns.py).
"""
from __future__ import annotations

from ortools.sat.python import cp_model

from scheduler.roster.lns import Deadline, apply_parameters, pin  # noqa: F401  (used as sat.Deadline, sat.pin, ...)


def single_thread(det_limit: float, seed: int, deadline: Deadline | None) -> cp_model.CpSolver:
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.random_seed = seed
    solver.parameters.max_deterministic_time = max(det_limit, 0.0)
    if deadline is not None:
        solver.parameters.max_time_in_seconds = max(deadline.left(), 0.01)
    return solver


def values(solver: cp_model.CpSolver) -> list[int]:
    return list(solver.ResponseProto().solution)


def hint(model: cp_model.CpModel, solution: list[int]) -> None:
    proto = model.proto
    proto.solution_hint.vars.clear()
    proto.solution_hint.values.clear()
    proto.solution_hint.vars.extend(range(len(solution)))
    proto.solution_hint.values.extend(solution)


def objective_sum(model: cp_model.CpModel, solution: list[int]) -> int:
    """Σ coeff × value over the objective's own terms (before offset and scaling): an exact integer."""
    objective = model.proto.objective
    return sum(coeff * (solution[ref] if ref >= 0 else -solution[-ref - 1])
               for ref, coeff in zip(objective.vars, objective.coeffs))


def objective_value(model: cp_model.CpModel, solution: list[int]) -> float:
    """The objective of a full solution as CP-SAT reports it, computed without a solve."""
    objective = model.proto.objective
    scale = objective.scaling_factor or 1.0
    return (objective_sum(model, solution) + objective.offset) * scale


def complete(model: cp_model.CpModel, partial: dict[int, int], det_limit: float,
             deadline: Deadline | None) -> list[int] | None:
    """Values for some variables (e.g. the shift choices) extended to a full solution of `model`: the first
    one found; None if none is found (or there is none)."""
    pinned = model.clone()
    for index, value in partial.items():
        pin(pinned.proto, index, value)
    solver = single_thread(det_limit, 0, deadline)
    solver.parameters.stop_after_first_solution = True
    if solver.Solve(pinned) not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        if deadline is not None:
            deadline.note(solver, det_limit)
        return None
    return values(solver)
