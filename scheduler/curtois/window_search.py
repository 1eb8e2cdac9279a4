"""Deterministic neighbourhood search for Curtois instances: windows of days, not only whole employees.

Every cover row couples all employees on one day, so a step that frees a few employees' whole months can
only trade shifts among those few; freeing a window of days for every employee (or a longer window for a
share of them) lets the cover of those days be rebuilt at once. Three kinds of step take turns, each with
its own size, which grows after a step solved to optimality and shrinks after one cut short.

Each step solves a model of its own (submodel.py): the freed employee-days, the auxiliary variables tied to
them and the constraints that touch them, so a step on a 52-week instance costs what its window costs, not
what the year costs.

The search runs in epochs of `workers` single-threaded jobs stopped by deterministic time and merged by a
fixed rule (lowest objective, earlier job on ties): the first epoch is a full-model prover (for its bound,
and on small instances its proof) beside chains of steps, or on large instances beside CP-SAT's local
search over the whole roster (`local_search`); later epochs are all chains, each restarting from the best
roster so far with its own seed. At the end of an epoch the other chains' changes are carried into
the best chain's roster by one more step (`merge`). Same inputs, seed and worker count give the same roster.
"""
from __future__ import annotations

import logging
import math
import random
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from typing import Any, Hashable

import numpy as np
from ortools.sat.python import cp_model

from scheduler.curtois import sat
from scheduler.curtois.submodel import SubModels

log = logging.getLogger(__name__)

STAFF_DAYS_SPAN = 10        # days freed by a "staff_days" step, for its share of the employees
KINDS = ("days", "staff_days", "staff")
STEP_DET_LIMIT = 0.3        # deterministic seconds per step: many small exact steps beat fewer larger ones


@dataclass(frozen=True)
class Sizes:
    """How much each kind of step frees; adapted step by step and handed on from epoch to epoch."""
    days: float = 4.0           # a window of this many days, every employee free
    staff_days: float = 0.5     # this share of the employees free over STAFF_DAYS_SPAN days
    staff: float = 0.2          # this share of the employees free over the whole horizon

    def adapted(self, kind: str, solved: bool, lost: bool = False) -> Sizes:
        """Grow after a step solved to optimality (there is room for a larger one), shrink otherwise, and
        halve after a step `lost` (no solution at all within its budget, not even the one it was hinted)."""
        value = getattr(self, kind)
        if kind == "days":
            value = value + 0.3 if solved else max(1.0, value / 2 if lost else value - 0.3)
        else:
            value = min(1.0, value * 1.1) if solved else max(0.02, value * (0.5 if lost else 0.9))
        return replace(self, **{kind: value})


@dataclass
class ChainResult:
    solution: list[int] | None      # None when no step improved on the start
    objective: float
    sizes: Sizes
    det_time: float = 0.0
    steps: int = 0
    improvements: int = 0
    found_at: float | None = None
    wall_s: float = 0.0
    backstop_hit: bool = False


def free_keys(kind: str, sizes: Sizes, owners: list[Hashable], dates: list[Hashable],
              rng: random.Random) -> tuple[set[Hashable], set[Hashable]]:
    """The (employees, days) a step of this kind frees: every key with both is free, the rest fixed."""
    if kind == "days":
        span = max(1, min(len(dates), round(sizes.days)))
        first = rng.randrange(len(dates) - span + 1)
        return set(owners), set(dates[first:first + span])
    share = sizes.staff_days if kind == "staff_days" else sizes.staff
    chosen = set(rng.sample(owners, min(len(owners), max(2, round(share * len(owners))))))
    if kind == "staff":
        return chosen, set(dates)
    span = min(len(dates), STAFF_DAYS_SPAN)
    first = rng.randrange(len(dates) - span + 1)
    return chosen, set(dates[first:first + span])


# Building a step's model and loading it cost wall time CP-SAT's deterministic time does not count; each step
# is charged this many deterministic seconds per constraint of its model (measured on the 52-week generated
# instance: about 1.7e-5 wall seconds per constraint to build, charged at the chains' deterministic rate), so
# many small steps cannot overrun the budget. A model SubModels cannot read is cloned and pinned whole, and
# charged per variable of the whole model.
STEP_OVERHEAD_PER_CONSTRAINT = 7e-6
STEP_OVERHEAD_PER_VARIABLE = 1.5e-5


class Steps:
    """Builds the model of one step (freed employee-days) around a current solution; shared by the chains."""

    def __init__(self, model: cp_model.CpModel, groups: dict[tuple[Hashable, Hashable], list[int]]):
        self.model = model
        self.groups = {key: np.asarray(indices, dtype=np.int64) for key, indices in groups.items()}
        self.keys = list(self.groups)
        self.decisions = (np.concatenate(list(self.groups.values())) if self.groups else np.zeros(0, dtype=np.int64))
        self.key_of = np.repeat(np.arange(len(self.keys)), [len(v) for v in self.groups.values()])
        self.sub_models = SubModels(model, self.decisions)

    def window(self, who: set[Hashable], days: set[Hashable]) -> list[Hashable]:
        return [key for key in self.keys if key[0] in who and key[1] in days]

    def changed(self, solution: list[int], base: list[int]) -> list[Hashable]:
        """The employee-days whose shift differs between two solutions."""
        differs = np.asarray(solution)[self.decisions] != np.asarray(base)[self.decisions]
        return [self.keys[k] for k in np.unique(self.key_of[differs]).tolist()]

    def build(self, keys: list[Hashable], current: list[int],
              hint: list[int] | None = None) -> tuple[cp_model.CpModel, Any, float]:
        """(the step's model freeing `keys`, how to map its solution back, deterministic seconds to charge for
        building it). `hint`: a solution whose shifts on `keys` to try first (default: `current`'s)."""
        if self.sub_models.supported:
            freed = [self.groups[key] for key in keys]
            step = self.sub_models.step(np.concatenate(freed) if freed else np.zeros(0, dtype=np.int64), current,
                                        hint)
            overhead = STEP_OVERHEAD_PER_CONSTRAINT * len(step.model.proto.constraints)
            return step.model, (lambda values: step.merged(current, values)), overhead
        sub = self.model.clone()
        free = set(keys)
        for key, indices in self.groups.items():
            if key not in free:
                for index in indices.tolist():
                    sat.pin(sub.proto, index, current[index])
        sat.hint(sub, hint or current)
        return sub, (lambda values: values), STEP_OVERHEAD_PER_VARIABLE * len(self.model.proto.variables)


def chain(steps: Steps, current: list[int], objective: float, det_limit: float, seed: int, sizes: Sizes,
          parameters: dict[str, Any] | None, stop: threading.Event, started: float,
          deadline: sat.Deadline) -> ChainResult:
    """Steps one after another from `current` until `det_limit` deterministic seconds are spent (each step's
    building charged per constraint, as CP-SAT does not count it), `stop` is set or the deadline passes.
    A step's result is kept when it is no worse, so the chain drifts along plateaus of equal cost."""
    clock = time.perf_counter()
    rng = random.Random(seed)
    keys = sorted(steps.keys, key=repr)
    owners = sorted({key[0] for key in keys}, key=repr)
    dates = sorted({key[1] for key in keys})
    found = ChainResult(None, objective, sizes)
    while found.det_time < det_limit and not stop.is_set():
        if deadline.passed():
            deadline.cut = found.backstop_hit = True
            break
        kind = KINDS[found.steps % len(KINDS)]
        who, days = free_keys(kind, found.sizes, owners, dates, rng)
        sub, merged, overhead = steps.build(steps.window(who, days), current)
        step_limit = min(STEP_DET_LIMIT, max(0.0, det_limit - found.det_time))
        solver = sat.single_thread(step_limit, rng.randrange(1 << 30), deadline)
        sat.apply_parameters(solver, parameters)
        status = solver.Solve(sub)
        found.det_time += solver.ResponseProto().deterministic_time + overhead
        found.steps += 1
        if deadline.passed():
            deadline.note(solver, step_limit)
        found.sizes = found.sizes.adapted(kind, status == cp_model.OPTIMAL, status == cp_model.UNKNOWN)
        if status in (cp_model.OPTIMAL, cp_model.FEASIBLE) and solver.ObjectiveValue() <= found.objective + 1e-9:
            if solver.ObjectiveValue() < found.objective - 1e-9:
                found.improvements += 1
                found.found_at = time.perf_counter() - started
            current = merged(sat.values(solver))
            found.solution, found.objective = current, solver.ObjectiveValue()
    found.wall_s = time.perf_counter() - clock
    return found


# CP-SAT's violation local search (feasibility-jump moves that keep the objective below the best found) on the
# whole lean model: far from a good roster it gains much faster than exact steps (the generated 12-week case:
# 5,650 to 61 in 62 deterministic s, where chains of steps reached 188 in 100 s), and its "interleaved" mode
# makes it deterministic. Its presolve costs a few seconds, so it runs as one long job, not step by step.
LOCAL_SEARCH_PARAMETERS = {"use_ls_only": True, "interleave_search": True}
STOP_POLL_S = 0.05


def local_search(model: cp_model.CpModel, current: list[int], objective: float, det_limit: float, seed: int,
                 sizes: Sizes, stop: threading.Event, started: float, deadline: sat.Deadline) -> ChainResult:
    """One single-threaded local search on `model` from `current` within `det_limit` deterministic seconds,
    ended early when `stop` is set (the prover has finished the instance)."""
    clock = time.perf_counter()
    sub = model.clone()
    sat.hint(sub, current)
    solver = sat.single_thread(det_limit, seed, deadline)
    sat.apply_parameters(solver, LOCAL_SEARCH_PARAMETERS)
    found = ChainResult(None, objective, sizes)

    class Watch(cp_model.CpSolverSolutionCallback):
        def on_solution_callback(self) -> None:
            if self.ObjectiveValue() < found.objective - 1e-9:
                found.improvements += 1
                found.found_at = time.perf_counter() - started

    done = threading.Event()

    def stop_when_asked() -> None:          # the search may go long without a solution to call back on
        while not done.is_set():
            if stop.wait(STOP_POLL_S):
                solver.stop_search()
                return

    watcher = threading.Thread(target=stop_when_asked, daemon=True)
    watcher.start()
    try:
        status = solver.Solve(sub, Watch())
    finally:
        done.set()
        watcher.join()
    found.det_time = solver.ResponseProto().deterministic_time
    found.steps = 1
    if deadline.passed():
        deadline.note(solver, det_limit)
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE) and solver.ObjectiveValue() < objective - 1e-9:
        found.solution, found.objective = sat.values(solver), solver.ObjectiveValue()
    found.wall_s = time.perf_counter() - clock
    return found


@dataclass
class SearchResult:
    status: str                   # OPTIMAL or FEASIBLE (the search starts from a feasible solution)
    solution: list[int] | None    # a value for every variable of the prover's model
    objective: float | None
    bound: float | None
    deterministic_time: float
    wall_s: float
    time_to_best_s: float | None
    steps: int = 0
    improvements: int = 0
    backstop_hit: bool = False    # the wall clock, not the deterministic budget, ended some of the work
    merges: int = 0               # epochs whose other chains' changes were carried into the best chain's roster


# Two chains from the same roster mostly change different employee-days: at the end of an epoch the others'
# changes are carried into the best one's roster by one step freeing the employee-days they changed, hinted
# with their shifts, within this many deterministic seconds.
MERGE_DET_LIMIT = 0.6


def merge(steps: Steps, into: list[int], other: list[int], base: list[int], seed: int,
          parameters: dict[str, Any] | None, deadline: sat.Deadline) -> tuple[list[int], float] | None:
    """`into` with the employee-days `other` changed since `base` re-solved, trying `other`'s shifts there
    first: (the solution, its objective), or None when the step found nothing."""
    keys = steps.changed(other, base)
    if not keys:
        return None
    sub, merged, _ = steps.build(keys, into, hint=other)
    solver = sat.single_thread(MERGE_DET_LIMIT, seed, deadline)
    sat.apply_parameters(solver, parameters)
    if solver.Solve(sub) not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        deadline.note(solver, MERGE_DET_LIMIT)
        return None
    return merged(sat.values(solver)), solver.ObjectiveValue()


def search(model: cp_model.CpModel, chain_model: cp_model.CpModel, groups: dict[tuple[Hashable, Hashable], list[int]],
           start: list[int], *, time_limit_s: float, workers: int, seed: int, prover: dict[str, Any] | None,
           chain_parameters: dict[str, Any], prover_share: float, epoch_s: float, prover_det_per_s: float,
           chain_det_per_s: float, scale: float = 1.0, label: str = "roster",
           deadline: sat.Deadline | None = None, local_search_share: float = 0.0,
           local_search_det_per_s: float = 1.0) -> SearchResult:
    """Minimise `model` from `start`: epoch one is [prover on `model` | workers − 1 chains] for `prover_share`
    of the limit, the rest epochs of `workers` chains of `epoch_s` each (`prover` None: chains only). With a
    `local_search_share`, epoch one lasts at least that share and its first chain is a local search on
    `chain_model` instead. Chains work on `chain_model`, whose variables are the first ones of `model` with
    the same objective; their rosters are completed to `model`. Budgets are deterministic time converted from
    `time_limit_s` at each job's rate, never read off the clock; `deadline` (default: the limit from now) is
    the wall-clock backstop, and `backstop_hit` says when it cut the search short."""
    started = time.perf_counter()
    deadline = deadline or sat.Deadline(started + time_limit_s)
    steps = Steps(chain_model, groups)
    prefix = len(chain_model.proto.variables)
    current, objective = list(start), sat.objective_value(model, start)
    result = SearchResult("FEASIBLE", current, objective, None, 0.0, 0.0, 0.0)
    bound, sizes = -math.inf, Sizes()
    log.info("  %s cost %.0f from the start", label, objective / scale)
    first_share = max(prover_share if prover is not None else 0.0, local_search_share)
    plan = _epochs(time_limit_s, first_share, epoch_s)
    with ThreadPoolExecutor(max_workers=workers) as pool:
        for epoch, seconds in enumerate(plan):
            if objective <= bound + 1e-9 or seconds <= 0:
                continue
            if deadline.passed():
                deadline.cut = True
                break
            stop = threading.Event()
            base = seed + 1000 * (epoch + 1)
            proving = epoch == 0 and prover is not None
            jobs = []
            if proving:
                jobs.append(pool.submit(_prove, model, current, seconds * prover_det_per_s, base, prover, started,
                                        stop, deadline))
            chains, epoch_start = workers - proving, current[:prefix]
            if epoch == 0 and local_search_share > 0 and chains > 0:
                jobs.append(pool.submit(local_search, chain_model, epoch_start, objective,
                                        seconds * local_search_det_per_s, base + 1, sizes, stop, started,
                                        deadline))
                chains -= 1
            # the merges that follow the epoch (one core) come out of its chains' budget
            chain_det = seconds * chain_det_per_s - (chains - 1) * MERGE_DET_LIMIT * (0 if proving else 1)
            first_chain = len(jobs) - proving         # seeds as before: chain k gets base + 1 + k
            for k in range(first_chain, first_chain + chains):
                jobs.append(pool.submit(chain, steps, epoch_start, objective,
                                        max(0.0, chain_det), base + 1 + k, sizes, chain_parameters, stop,
                                        started, deadline))
            outcomes = [job.result() for job in jobs]
            result.deterministic_time += max([o.det_time for o in outcomes] or [0.0])
            if proving:
                proof, outcomes = outcomes[0], outcomes[1:]
                if proof.status in (cp_model.INFEASIBLE, cp_model.OPTIMAL):
                    bound = proof.objective if proof.status == cp_model.OPTIMAL else objective
                    outcomes = []                    # the chains were stopped: their partial work does not count
                elif proof.bound > -math.inf:
                    bound = max(bound, proof.bound)
                if proof.solution is not None and proof.objective < objective - 1e-9:
                    current, objective = proof.solution, proof.objective
                    result.improvements += 1
                    result.time_to_best_s = proof.found_at
            result.steps += sum(o.steps for o in outcomes)
            if outcomes:
                order = sorted(range(len(outcomes)), key=lambda k: (outcomes[k].objective, k))
                best = order[0]
                sizes = outcomes[best].sizes
                if outcomes[best].solution is not None and outcomes[best].objective < objective - 1e-9:
                    solution, merged_objective = outcomes[best].solution, outcomes[best].objective
                    for k in order[1:]:
                        if outcomes[k].solution is not None and outcomes[k].objective < objective - 1e-9:
                            joined = merge(steps, solution, outcomes[k].solution, epoch_start,
                                           base + 100 + k, chain_parameters, deadline)
                            result.deterministic_time += MERGE_DET_LIMIT
                            if joined is not None and joined[1] < merged_objective - 1e-9:
                                solution, merged_objective = joined
                                result.merges += 1
                    if prefix < len(model.proto.variables):
                        solution = sat.complete(model, dict(enumerate(solution)), 10.0, deadline)
                    if solution is not None:
                        current, objective = solution, sat.objective_value(model, solution)
                        result.improvements += 1
                        result.time_to_best_s = outcomes[best].found_at
            bound = min(bound, objective)
            log.info("  %s epoch %d: cost %.0f, bound %.0f after %.1f s (%s; %d merges so far)", label, epoch + 1,
                     objective / scale, bound / scale, time.perf_counter() - started,
                     ", ".join(f"{o.steps} steps {o.det_time:.1f} det in {o.wall_s:.1f} s" for o in outcomes),
                     result.merges)
    result.backstop_hit = deadline.cut
    if result.backstop_hit:
        log.warning("  the wall clock cut the search short at the limit: the result may differ between runs")
    result.solution, result.objective = current, objective
    result.bound = bound if bound > -math.inf else None
    result.status = "OPTIMAL" if bound >= objective - 1e-9 else "FEASIBLE"
    result.wall_s = time.perf_counter() - started
    return result


def _epochs(time_limit_s: float, prover_share: float, epoch_s: float) -> list[float]:
    """Seconds of the limit per epoch: the prover's epoch, then equal chain epochs of about `epoch_s`."""
    first = prover_share * time_limit_s
    rest = time_limit_s - first
    if rest <= 1e-9:
        return [time_limit_s]
    count = max(1, round(rest / epoch_s))
    return [first] + [rest / count] * count


@dataclass
class _Proof:
    solution: list[int] | None
    objective: float
    bound: float
    status: int
    det_time: float
    steps: int = 0
    found_at: float | None = None
    wall_s: float = 0.0


def _prove(model: cp_model.CpModel, current: list[int], det_limit: float, seed: int, parameters: dict[str, Any],
           started: float, stop: threading.Event, deadline: sat.Deadline) -> _Proof:
    """The full model, hinted with the best solution and asked for a strictly better one; stops the chains
    once it has proved (INFEASIBLE: `current` is optimal; OPTIMAL: its own solution is)."""
    clock = time.perf_counter()
    sub = model.clone()
    proto = sub.proto
    sat.hint(sub, current)
    better = proto.constraints.add().linear
    better.vars.extend(proto.objective.vars)
    better.coeffs.extend(proto.objective.coeffs)
    better.domain.extend([-(2 ** 62), sat.objective_sum(model, current) - 1])
    solver = sat.single_thread(det_limit, seed, deadline)
    sat.apply_parameters(solver, parameters)

    class Clock(cp_model.CpSolverSolutionCallback):
        last: float | None = None

        def on_solution_callback(self) -> None:
            self.last = time.perf_counter() - started

    clock_cb = Clock()
    status = solver.Solve(sub, clock_cb)
    deadline.note(solver, det_limit)
    det = solver.ResponseProto().deterministic_time
    if status in (cp_model.INFEASIBLE, cp_model.OPTIMAL):
        stop.set()
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        found = _Proof(sat.values(solver), solver.ObjectiveValue(), solver.BestObjectiveBound(), status, det,
                       found_at=clock_cb.last)
    else:
        bound = solver.BestObjectiveBound() if status == cp_model.UNKNOWN else math.inf
        found = _Proof(None, math.inf, bound, status, det)
    found.wall_s = time.perf_counter() - clock
    return found
