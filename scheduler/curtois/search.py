"""Solve a Curtois instance: per-employee start, then the deterministic prover + neighbourhood search."""
from __future__ import annotations

import logging
import time
from dataclasses import dataclass

from common.errors import InputError
from scheduler.curtois.importer import CurtoisProblem
from scheduler.curtois.model import CurtoisModel
from scheduler.curtois.start import employee_by_employee
from scheduler.roster import lns
from scheduler.roster.model import COST_SCALE

log = logging.getLogger(__name__)

# The first full-model solve: CP-SAT's own portfolio (its LNS workers, LP-based and no-LP workers, plus the
# "max_lp" worker that puts every Boolean constraint into the LP, which is what proves bounds on these instances,
# see ../shared/data/README.md) run in deterministic batches on `workers` threads (interleave_search). It gets
# FIRST_SHARE of the time; the project's seeded neighbourhood search polishes the rest.
FIRST_SHARE = 0.8
FIRST_DET_PER_WALL_S = 1.2      # deterministic time per wall second of that 2-thread solve on this machine


def first_parameters(workers: int) -> dict:
    return {"interleave_search": True, "num_workers": workers, "extra_subsolvers": ["max_lp"]}


@dataclass
class CurtoisResult:
    roster: dict[str, list[str | None]] | None
    status: str                 # OPTIMAL, FEASIBLE, INFEASIBLE, UNKNOWN
    objective: float | None     # the solver's objective, in the benchmark's units
    bound: float | None
    wall_s: float
    time_to_best_s: float | None
    start_objective: float | None
    steps: int = 0
    backstop_hit: bool = False

    @property
    def gap(self) -> float | None:
        if self.objective is None or self.bound is None:
            return None
        return max(0.0, self.objective - self.bound) / max(abs(self.objective), 1e-9)


def solve_curtois(cp: CurtoisProblem, *, time_limit_s: float = 60.0, workers: int = 2, seed: int = 7,
                  parallel_cpsat: bool = False) -> CurtoisResult:
    """Deterministic for a fixed seed and worker count unless `parallel_cpsat` (CP-SAT's own threads) is asked."""
    started = time.perf_counter()
    if time_limit_s <= 0:
        raise InputError("--time-limit", f"{time_limit_s:g} is not a positive number of seconds", "give e.g. 60")
    if workers < 1:
        raise InputError("--workers", f"{workers} workers", "use at least 1")
    cm = CurtoisModel(cp)
    first = employee_by_employee(cp, seed=seed)
    if first is None:
        return CurtoisResult(None, "INFEASIBLE", None, None, time.perf_counter() - started, None, None)
    start = lns.complete(cm.model, cm.hint_values(first))
    if start is None:
        raise RuntimeError("the per-employee roster does not satisfy the full model")
    start_objective = lns.fixed_solver(cm.model, start).ObjectiveValue() / COST_SCALE
    log.info("  per-employee start roster: cost %.0f after %.1f s", start_objective, time.perf_counter() - started)
    remaining = max(0.5, time_limit_s - (time.perf_counter() - started))
    if parallel_cpsat:
        return _parallel(cm, start, remaining, workers, seed, started, start_objective)
    found = lns.search(cm.model, cm.groups(), time_limit_s=remaining, workers=workers, seed=seed, start=start,
                       scale=COST_SCALE, label=cp.instance.name, first_parameters=first_parameters(workers),
                       first_share=FIRST_SHARE, first_det_per_wall_s=FIRST_DET_PER_WALL_S * workers / 2)
    roster = cm.roster(found.solution) if found.solution is not None else None
    scaled = (lambda v: v / COST_SCALE if v is not None else None)
    time_to_best = found.time_to_best_s + (time.perf_counter() - started - found.wall_s) \
        if found.time_to_best_s is not None else None
    return CurtoisResult(roster, found.status, scaled(found.objective), scaled(found.bound),
                         time.perf_counter() - started, time_to_best, start_objective, found.steps, found.backstop_hit)


def _parallel(cm: CurtoisModel, start: list[int], limit: float, workers: int, seed: int, started: float,
              start_objective: float) -> CurtoisResult:
    """CP-SAT's own multi-threaded search with the max_lp worker: not reproducible run to run."""
    from ortools.sat.python import cp_model

    model = cm.model.clone()
    model.proto.solution_hint.vars.extend(range(len(start)))
    model.proto.solution_hint.values.extend(start)
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = max(workers, 2)
    solver.parameters.random_seed = seed
    solver.parameters.max_time_in_seconds = limit
    solver.parameters.extra_subsolvers.append("max_lp")
    status = solver.Solve(model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return CurtoisResult(None, solver.StatusName(status), None, None, time.perf_counter() - started, None,
                             start_objective)
    values = list(solver.ResponseProto().solution)
    return CurtoisResult(cm.roster(values), solver.StatusName(status), solver.ObjectiveValue() / COST_SCALE,
                         solver.BestObjectiveBound() / COST_SCALE, time.perf_counter() - started, None,
                         start_objective)
