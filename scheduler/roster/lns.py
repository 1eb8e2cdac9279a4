"""Deterministic search helpers on any CP-SAT model, and a prover-plus-neighbourhoods search on a cloned model.

CP-SAT's multi-threaded search is strong but its result depends on thread
timing. Here every solve is single-threaded and stopped by deterministic time,
neighbourhoods come from a seeded generator, and parallel work is merged by a
fixed rule, so the same inputs, seed and worker count give the same result on
any run, while both cores are used. `search_with_prover` frees groups of
variables in a clone of the model (fine for day-level models such as the
Curtois benchmark); a site roster's search builds small sub-models instead
(scheduler/roster/search.py).
"""
from __future__ import annotations

import logging
import math
import random
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Hashable

from ortools.sat.python import cp_model

log = logging.getLogger(__name__)

WALL_BACKSTOP = 2.0        # wall clock stops the search past this multiple of the limit (logged)
COMPLETE_WALL_FLOOR_S = 60.0   # the least wall-clock cap of a completion (its deterministic limit decides)
# Deterministic time is CP-SAT's machine-independent work measure; on the project's 2-core machine a
# single-threaded step takes about 3 s of wall time per unit (setup and presolve included), so the
# budget is set to fit the wall-clock limit there. Same budget -> same search -> same roster.
DET_PER_WALL_S = 0.3


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


class _Clock(cp_model.CpSolverSolutionCallback):
    """Remembers when the solve found its last (best) solution; it does not steer the search."""

    def __init__(self, started: float):
        super().__init__()
        self.started = started
        self.last: float | None = None

    def on_solution_callback(self) -> None:
        self.last = time.perf_counter() - self.started


def _objective_of(model: cp_model.CpModel, solution: list[int]) -> float:
    return fixed_solver(model, solution).ObjectiveValue()


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


# --- a full-model prover beside chains of neighbourhood steps, in epochs ------------------------------------


STEP_OVERHEAD_PER_VARIABLE = 1.5e-5   # deterministic seconds charged per neighbourhood step and model variable


@dataclass
class _Found:
    solution: list[int] | None
    objective: float
    bound: float
    status: int
    det_time: float
    steps: int = 0
    improvements: int = 0
    found_at: float | None = None
    wall_s: float = 0.0


def _objective_sum(model: cp_model.CpModel, solution: list[int]) -> int:
    """Σ coeff × value over the objective's own terms (before offset and scaling): an exact integer."""
    objective = model.proto.objective
    return sum(coeff * (solution[ref] if ref >= 0 else -solution[-ref - 1])
               for ref, coeff in zip(objective.vars, objective.coeffs))


def _prove(model: cp_model.CpModel, current: list[int], det_limit: float, seed: int, wall_limit: float,
           parameters: dict[str, Any], started: float) -> _Found:
    """The full model, hinted with the best solution and asked for a strictly better one."""
    sub = model.clone()
    proto = sub.proto
    proto.solution_hint.vars.clear()
    proto.solution_hint.values.clear()
    proto.solution_hint.vars.extend(range(len(current)))
    proto.solution_hint.values.extend(current)
    better = proto.constraints.add().linear
    better.vars.extend(proto.objective.vars)
    better.coeffs.extend(proto.objective.coeffs)
    better.domain.extend([-(2 ** 62), _objective_sum(model, current) - 1])
    solver = _single_thread(det_limit, seed, wall_limit)
    apply_parameters(solver, parameters)
    clock = _Clock(started)
    status = solver.Solve(sub, clock)
    det = solver.ResponseProto().deterministic_time
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return _Found(_response_values(solver), solver.ObjectiveValue(), solver.BestObjectiveBound(), status, det,
                      found_at=clock.last)
    bound = solver.BestObjectiveBound() if status == cp_model.UNKNOWN else math.inf
    return _Found(None, math.inf, bound, status, det)


def _chain(model: cp_model.CpModel, groups: dict[Hashable, list[int]], current: list[int], objective: float,
           det_limit: float, seed: int, wall_limit: float, owner_share: float, parameters: dict[str, Any] | None,
           stop: threading.Event, started: float) -> _Found:
    """Neighbourhood steps one after another, each freeing a seeded random `owner_share` of the owners (at
    least 3, all their days), until `det_limit` is spent or `stop` is set."""
    clock = time.perf_counter()
    rng = random.Random(seed)
    keys = sorted(groups, key=repr)
    owners = sorted({key[0] for key in keys}, key=repr)
    share = owner_share
    # Copying and presolving the model costs wall time that CP-SAT's deterministic time does not count; charge
    # it per step, in proportion to the model's size, so many tiny steps cannot overrun the wall-clock limit.
    step_overhead = STEP_OVERHEAD_PER_VARIABLE * len(model.proto.variables)
    found = _Found(None, objective, -math.inf, cp_model.UNKNOWN, 0.0)
    step_limit = 0.5
    while found.det_time < det_limit and not stop.is_set():
        # Small neighbourhoods solved to optimality fast beat larger ones that run out of time (Curtois 7-10);
        # every third step frees twice as many, to leave the small steps' local optima.
        size = max(3, round(share * len(owners) * (2 if found.steps % 3 == 2 else 1)))
        chosen = set(rng.sample(owners, min(len(owners), size)))
        sub = model.clone()
        for key in keys:
            if key[0] not in chosen:
                for index in groups[key]:
                    pin(sub.proto, index, current[index])
        sub.proto.solution_hint.vars.extend(range(len(current)))
        sub.proto.solution_hint.values.extend(current)
        solver = _single_thread(step_limit, rng.randrange(1 << 30), wall_limit)
        apply_parameters(solver, parameters)
        status = solver.Solve(sub)
        found.det_time += solver.ResponseProto().deterministic_time + step_overhead
        found.steps += 1
        if status in (cp_model.OPTIMAL, cp_model.FEASIBLE) and solver.ObjectiveValue() < found.objective - 1e-9:
            current = _response_values(solver)
            found.solution, found.objective = current, solver.ObjectiveValue()
            found.improvements += 1
            found.found_at = time.perf_counter() - started
    found.wall_s = time.perf_counter() - clock
    return found


def search_with_prover(model: cp_model.CpModel, groups: dict[Hashable, list[int]], *, time_limit_s: float,
                       workers: int, seed: int, start: list[int], scale: float = 1.0, label: str = "roster",
                       prover: dict[str, Any] | None = None, chain_model: cp_model.CpModel | None = None,
                       chain_parameters: dict[str, Any] | None = None, epochs: tuple[float, ...] = (0.35, 0.65),
                       prover_det_per_wall_s: float = 0.85, chain_det_per_wall_s: float = DET_PER_WALL_S,
                       owner_share: float = 0.1) -> SearchResult:
    """Epochs of [a full-model prover | workers − 1 chains of neighbourhood steps], merged by a fixed rule.

    The prover solves `model` single-threaded with `prover` parameters (e.g. a
    stronger LP), hinted with the best solution and constrained to beat it: if
    it answers INFEASIBLE or OPTIMAL the best solution is proved optimal (and
    the chains are stopped, their work being moot), otherwise its bound is a
    bound of the whole problem. The chains improve the best solution by steps
    that free `owner_share` of the owners, optionally on a leaner `chain_model`
    whose variables are the first ones of `model` and whose objective is the
    same (e.g. `model` less redundant constraints that only help the LP); their
    solutions are extended to `model` by `complete`. `epochs` are the shares of
    the time limit per epoch; each worker's share is converted to
    deterministic time at its own rate. Every solve is single-threaded and
    stopped by deterministic time, each chain has its own seeded generator, and
    the merge takes the lowest objective (prover first on ties, then the chains
    in order): same inputs, seed and worker count give the same result.
    """
    started = time.perf_counter()
    wall_limit = time_limit_s * WALL_BACKSTOP
    prover = prover or {}
    small = chain_model or model
    prefix = len(small.proto.variables)
    if chain_model is not None:
        names = [model.proto.variables[i].name for i in range(prefix)]
        if names != [v.name for v in small.proto.variables]:
            raise ValueError("chain_model's variables must be the first variables of model")
    current, objective = list(start), _objective_of(model, start)
    bound = -math.inf
    result = SearchResult("FEASIBLE", current, objective, None, 0.0, 0.0, time.perf_counter() - started)
    chains = max(0, workers - 1)
    log.info("  %s cost %.0f from the start", label, objective / scale)
    with ThreadPoolExecutor(max_workers=chains + 1) as pool:
        for epoch, share in enumerate(epochs):
            if objective <= bound + 1e-9:
                break
            if time.perf_counter() - started > wall_limit:
                result.backstop_hit = True
                log.warning("  the wall-clock backstop (%.0f s) stopped the search: the result may differ between runs",
                            wall_limit)
                break
            seconds = share * time_limit_s
            stop = threading.Event()
            base = seed + 1000 * (epoch + 1)

            def prove(current=current, seconds=seconds, base=base, stop=stop) -> _Found:
                clock = time.perf_counter()
                found = _prove(model, current, seconds * prover_det_per_wall_s, base, wall_limit, prover, started)
                found.wall_s = time.perf_counter() - clock
                if found.status in (cp_model.INFEASIBLE, cp_model.OPTIMAL):
                    stop.set()
                return found

            proof = pool.submit(prove)
            runs = [pool.submit(_chain, small, groups, current[:prefix], objective, seconds * chain_det_per_wall_s,
                                base + 1 + k, wall_limit, owner_share, chain_parameters, stop, started)
                    for k in range(chains)]
            outcomes = [proof.result()] + [run.result() for run in runs]
            result.deterministic_time += max(o.det_time for o in outcomes)
            proved = outcomes[0]
            if stop.is_set():                   # proved: the chains' partial work does not count
                outcomes = outcomes[:1]
            else:
                result.steps += sum(o.steps for o in outcomes[1:])
            if proved.status in (cp_model.INFEASIBLE, cp_model.OPTIMAL):
                bound = proved.objective if proved.status == cp_model.OPTIMAL else objective
            elif proved.bound > -math.inf:
                bound = max(bound, proved.bound)
            best = min(range(len(outcomes)), key=lambda k: (outcomes[k].objective, k))
            if outcomes[best].solution is not None and outcomes[best].objective < objective - 1e-9:
                solution = outcomes[best].solution
                if best > 0 and chain_model is not None:
                    solution = complete(model, dict(enumerate(solution)), time_limit_s=10.0)
                if solution is not None:
                    current, objective = solution, _objective_of(model, solution)
                    result.improvements += 1
                    result.time_to_best_s = outcomes[best].found_at
            bound = min(bound, objective)
            log.info("  %s epoch %d: cost %.0f, bound %.0f after %.1f s (prover %.1f det in %.1f s; chains %s)",
                     label, epoch + 1, objective / scale, bound / scale, time.perf_counter() - started,
                     proved.det_time, proved.wall_s,
                     ", ".join(f"{o.steps} steps {o.det_time:.1f} det in {o.wall_s:.1f} s" for o in outcomes[1:]))
    result.solution, result.objective = current, objective
    result.bound = bound if bound > -math.inf else None
    result.status = "OPTIMAL" if bound >= objective - 1e-9 else "FEASIBLE"
    result.wall_s = time.perf_counter() - started
    return result
