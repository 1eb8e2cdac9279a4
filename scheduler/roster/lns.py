"""Deterministic CP-SAT helpers shared by the roster and Curtois searches: single-threaded solves stopped by
deterministic time, completing a partial solution, pinning, and the wall-clock deadline.

CP-SAT's multi-threaded search is strong but its result depends on thread timing. Every solve here is
single-threaded and stopped by deterministic time, so the same inputs, seed and worker count give the same
result on any run; the searches themselves (scheduler/roster/search.py, scheduler/curtois/window_search.py)
run such solves side by side and merge them by a fixed rule.
"""
from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import Any

from ortools.sat.python import cp_model

log = logging.getLogger(__name__)

WALL_BACKSTOP = 2.0        # wall clock stops the search past this multiple of the limit (logged)
COMPLETE_WALL_FLOOR_S = 60.0   # the least wall-clock cap of a completion (its deterministic limit decides)


@dataclass
class SearchResult:
    status: str                   # OPTIMAL, FEASIBLE, INFEASIBLE, UNKNOWN, MODEL_INVALID
    solution: list[int] | None    # a value for every model variable
    objective: float | None
    bound: float | None
    deterministic_time: float
    wall_s: float
    time_to_best_s: float | None
    steps: int = 0
    improvements: int = 0
    backstop_hit: bool = False
    bound_source: str = ""        # which relaxation gave `bound` (the full model's prover, an aggregate LP)


class Deadline:
    """The wall-clock end of a solve (time.perf_counter() seconds) and whether it had to cut anything short."""

    def __init__(self, at: float):
        self.at = at
        self.cut = False            # set when the wall clock, not the deterministic budget, ended some work

    def left(self) -> float:
        return self.at - time.perf_counter()

    def passed(self) -> bool:
        return time.perf_counter() >= self.at

    def note(self, solver: cp_model.CpSolver, det_limit: float) -> None:
        """Record a cut when `solver` stopped on the clock before spending its deterministic budget."""
        if solver.ResponseProto().deterministic_time < det_limit * 0.999 and self.left() <= 0.05:
            self.cut = True


def _single_thread(det_limit: float, seed: int, wall_limit: float) -> cp_model.CpSolver:
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.random_seed = seed
    solver.parameters.max_deterministic_time = det_limit
    solver.parameters.max_time_in_seconds = max(wall_limit, 0.1)
    return solver


def _response_values(solver: cp_model.CpSolver) -> list[int]:
    return list(solver.ResponseProto().solution)


def pin(proto, index: int, value: int) -> None:
    domain = proto.variables[index].domain
    domain.clear()
    domain.extend([value, value])


def complete(model: cp_model.CpModel, partial: dict[int, int], time_limit_s: float = 10.0,
             first_solution: bool = True, hint: list[int] | None = None) -> list[int] | None:
    """Values for some variables (e.g. a heuristic roster's decisions) extended to a full solution: the first
    one found, or with `first_solution=False` the best the rest can do within the deterministic
    `time_limit_s` (give a full solution as `hint` so there is always one); None if impossible."""
    completed = complete_with_gap(model, partial, time_limit_s, first_solution, hint)
    return completed[0] if completed is not None else None


def complete_with_gap(model: cp_model.CpModel, partial: dict[int, int], time_limit_s: float = 10.0,
                      first_solution: bool = True, hint: list[int] | None = None,
                      presolve: bool = True) -> tuple[list[int], float] | None:
    """`complete`, with how far the completion may be from the best the rest can do (relative gap to its
    bound; 0 when proved), so a caller can tell whether improving it is worth a second solve. `presolve=False`
    suits a completion whose decisions are all given: presolving the whole model then costs more than the
    search it would shorten."""
    pinned = model.clone()
    for index, value in partial.items():
        pin(pinned.proto, index, value)
    if hint is not None:
        pinned.proto.solution_hint.vars.clear()
        pinned.proto.solution_hint.values.clear()
        pinned.proto.solution_hint.vars.extend(range(len(hint)))
        pinned.proto.solution_hint.values.extend(hint)
    # The wall clock only backs the deterministic limit up: a small budget's cap must not bind on a loaded
    # machine, or the start (and so the roster) would depend on the load.
    solver = _single_thread(time_limit_s, 0, max(time_limit_s * WALL_BACKSTOP * 3, COMPLETE_WALL_FLOOR_S))
    solver.parameters.stop_after_first_solution = first_solution
    solver.parameters.cp_model_presolve = presolve
    status = solver.Solve(pinned)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    objective, bound = solver.ObjectiveValue(), solver.BestObjectiveBound()
    gap = 0.0 if status == cp_model.OPTIMAL else abs(objective - bound) / max(abs(objective), 1e-9)
    return _response_values(solver), gap


def apply_parameters(solver: cp_model.CpSolver, parameters: dict[str, Any] | None) -> None:
    """Set CP-SAT parameters by name; list values extend repeated fields (e.g. extra_subsolvers)."""
    for name, value in (parameters or {}).items():
        if isinstance(value, (list, tuple)):
            getattr(solver.parameters, name).extend(value)
        else:
            setattr(solver.parameters, name, value)


def fixed_solver(model: cp_model.CpModel, solution: list[int]) -> cp_model.CpSolver:
    """A solver whose response is exactly `solution`, so Value() works on any expression of the model."""
    pinned = model.clone()
    for index, value in enumerate(solution):
        pin(pinned.proto, index, value)
    solver = _single_thread(10.0, 0, 60.0)
    status = solver.Solve(pinned)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        raise RuntimeError(f"the search's own solution does not satisfy its model (status {solver.StatusName(status)})")
    return solver
