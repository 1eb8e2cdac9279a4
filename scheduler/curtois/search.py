"""Solve a Curtois instance: per-employee start, then the deterministic prover + neighbourhood search."""
from __future__ import annotations

import logging
import time
from dataclasses import dataclass

from common.errors import InputError
from scheduler.curtois.importer import CurtoisProblem
from scheduler.curtois.model import CurtoisModel
from scheduler.curtois import window_search
from scheduler.curtois.start import employee_by_employee
from scheduler.roster import lns
from scheduler.roster.model import COST_SCALE

log = logging.getLogger(__name__)

# Deterministic search (window_search): a single-threaded prover on the full model with CP-SAT's "max_lp"
# settings (every constraint in the LP, added up front), whose LP the per-employee path graphs make nearly
# tight, beside chains of neighbourhood steps (windows of days, employees' months) on the lean model without
# those graphs, where each step is solved fast.
MAX_LP = {"linearization_level": 2, "add_lp_constraints_lazily": False}
LIN2 = {"linearization_level": 2}
# Steps on the lean model with every constraint's LP relaxation (linearization level 2) are solved to
# optimality more often, and their chains end much lower (Instance8: 1451 against 1859 at 25 deterministic s).
CHAIN_PARAMETERS = LIN2
# Deterministic time per wall second of each single-threaded worker on this 2-core machine with both busy
# (measured on Instance5-10: 0.5-1.3 for the prover, 0.4-0.7 for a chain of LIN2 steps, copying charged; lower
# when other work shares the cores). Budgets are deterministic time, so the roster never depends on the
# clock; the wall time only follows it. Instance6's proof takes the prover about 37 deterministic seconds.
PROVER_DET_PER_S = 0.75
CHAIN_DET_PER_S = 0.4
# Above this many variables the path graphs make the prover's LP too slow for a one-minute solve (Instance7-10):
# the prover then works on the lean model, whose level-2 root LP gives its bound after about 16 deterministic s on
# Instance10 (0.15 of the limit left its bound at 12), for a share of the limit only; the rest goes to chains
# on every worker, synchronised every EPOCH_S seconds.
FLOW_MAX_VARIABLES = 12_000
LARGE_PROVER_SHARE = 0.4
EPOCH_S = 6.0


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
    lean = CurtoisModel(cp, flow=None)        # the chain's model: no path graphs, so each step is solved fast
    cm = CurtoisModel(cp)                     # with the path graphs: the prover's model, when not too large
    prover = MAX_LP
    if len(cm.model.proto.variables) > FLOW_MAX_VARIABLES:
        cm, prover = lean, LIN2
    first = employee_by_employee(cp, seed=seed)
    if first is None:
        return CurtoisResult(None, "INFEASIBLE", None, None, time.perf_counter() - started, None, None)
    start = lns.complete(cm.model, cm.hint_values(first))
    if start is None:
        raise RuntimeError("the per-employee roster does not satisfy the full model")
    start_objective = lns.fixed_solver(cm.model, start).ObjectiveValue() / COST_SCALE
    log.info("  per-employee start roster: cost %.0f after %.1f s", start_objective, time.perf_counter() - started)
    if parallel_cpsat:
        remaining = max(0.5, time_limit_s - (time.perf_counter() - started))
        return _parallel(cm, start, remaining, workers, seed, started, start_objective)
    # The search's budget comes from the limit alone, never from the clock (that would break reproducibility);
    # building the models and the start roster (a second or two) comes on top.
    found = window_search.search(cm.model, lean.model, lean.groups(), start, time_limit_s=time_limit_s,
                                 workers=workers, seed=seed, prover=prover, chain_parameters=CHAIN_PARAMETERS,
                                 prover_share=1.0 if cm is not lean else LARGE_PROVER_SHARE, epoch_s=EPOCH_S,
                                 prover_det_per_s=PROVER_DET_PER_S, chain_det_per_s=CHAIN_DET_PER_S,
                                 scale=COST_SCALE, label=cp.instance.name)
    roster = cm.roster(found.solution) if found.solution is not None else None
    scaled = (lambda v: v / COST_SCALE if v is not None else None)
    offset = time.perf_counter() - started - found.wall_s      # model building and the start roster
    time_to_best = found.time_to_best_s + offset if found.time_to_best_s is not None else offset
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
