"""Deterministic neighbourhood search for Curtois instances: windows of days, not only whole employees.

Every cover row couples all employees on one day, so a step that frees a few employees' whole months can
only trade shifts among those few; freeing a window of days for every employee (or a longer window for a
share of them) lets the cover of those days be rebuilt at once. Three kinds of step take turns, each with
its own size, which grows after a step solved to optimality and shrinks after one cut short.

The search runs in epochs of `workers` single-threaded jobs stopped by deterministic time and merged by a
fixed rule (lowest objective, earlier job on ties): the first epoch is a full-model prover (for its bound,
and on small instances its proof) beside chains of steps; later epochs are all chains, each restarting from
the best roster so far with its own seed. Same inputs, seed and worker count give the same roster.
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

from ortools.sat.python import cp_model

from scheduler.roster import lns

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

    def adapted(self, kind: str, solved: bool) -> Sizes:
        """Grow after a step solved to optimality (there is room for a larger one), shrink otherwise."""
        value = getattr(self, kind)
        if kind == "days":
            value = value + 0.3 if solved else max(1.0, value - 0.3)
        else:
            value = min(1.0, value * 1.1) if solved else max(0.02, value * 0.9)
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
    chosen = set(rng.sample(owners, max(2, min(len(owners), round(share * len(owners))))))
    if kind == "staff":
        return chosen, set(dates)
    span = min(len(dates), STAFF_DAYS_SPAN)
    first = rng.randrange(len(dates) - span + 1)
    return chosen, set(dates[first:first + span])


def chain(model: cp_model.CpModel, groups: dict[tuple[Hashable, Hashable], list[int]], current: list[int],
          objective: float, det_limit: float, seed: int, sizes: Sizes, parameters: dict[str, Any] | None,
          stop: threading.Event, started: float, wall_limit: float) -> ChainResult:
    """Steps one after another from `current` until `det_limit` deterministic seconds are spent (each step's
    copying charged per model variable, as CP-SAT does not count it) or `stop` is set. A step's result is
    kept when it is no worse, so the chain drifts along plateaus of equal cost."""
    clock = time.perf_counter()
    rng = random.Random(seed)
    keys = sorted(groups, key=repr)
    owners = sorted({key[0] for key in keys}, key=repr)
    dates = sorted({key[1] for key in keys})
    overhead = lns.STEP_OVERHEAD_PER_VARIABLE * len(model.proto.variables)
    found = ChainResult(None, objective, sizes)
    while found.det_time < det_limit and not stop.is_set():
        if time.perf_counter() - started > wall_limit:
            found.backstop_hit = True
            break
        kind = KINDS[found.steps % len(KINDS)]
        who, days = free_keys(kind, found.sizes, owners, dates, rng)
        sub = model.clone()
        for key in keys:
            if key[0] not in who or key[1] not in days:
                for index in groups[key]:
                    lns._pin(sub.proto, index, current[index])
        sub.proto.solution_hint.vars.extend(range(len(current)))
        sub.proto.solution_hint.values.extend(current)
        solver = lns._single_thread(STEP_DET_LIMIT, rng.randrange(1 << 30), wall_limit)
        lns.apply_parameters(solver, parameters)
        status = solver.Solve(sub)
        found.det_time += solver.ResponseProto().deterministic_time + overhead
        found.steps += 1
        found.sizes = found.sizes.adapted(kind, status == cp_model.OPTIMAL)
        if status in (cp_model.OPTIMAL, cp_model.FEASIBLE) and solver.ObjectiveValue() <= found.objective + 1e-9:
            if solver.ObjectiveValue() < found.objective - 1e-9:
                found.improvements += 1
                found.found_at = time.perf_counter() - started
            current = lns._response_values(solver)
            found.solution, found.objective = current, solver.ObjectiveValue()
    found.wall_s = time.perf_counter() - clock
    return found


def search(model: cp_model.CpModel, chain_model: cp_model.CpModel, groups: dict[tuple[Hashable, Hashable], list[int]],
           start: list[int], *, time_limit_s: float, workers: int, seed: int, prover: dict[str, Any],
           chain_parameters: dict[str, Any], prover_share: float, epoch_s: float, prover_det_per_s: float,
           chain_det_per_s: float, scale: float = 1.0, label: str = "roster") -> lns.SearchResult:
    """Minimise `model` from `start`: epoch one is [prover on `model` | workers − 1 chains] for `prover_share`
    of the limit, the rest epochs of `workers` chains of `epoch_s` each. Chains work on `chain_model`, whose
    variables are the first ones of `model` with the same objective; their rosters are completed to `model`.
    Budgets are deterministic time converted from the limit at each job's rate, never read off the clock."""
    started = time.perf_counter()
    wall_limit = time_limit_s * lns.WALL_BACKSTOP
    prefix = len(chain_model.proto.variables)
    current, objective = list(start), lns._objective_of(model, start)
    result = lns.SearchResult("FEASIBLE", current, objective, None, 0.0, 0.0, 0.0)
    bound, sizes = -math.inf, Sizes()
    log.info("  %s cost %.0f from the start", label, objective / scale)
    plan = _epochs(time_limit_s, prover_share, epoch_s)
    with ThreadPoolExecutor(max_workers=workers) as pool:
        for epoch, seconds in enumerate(plan):
            if objective <= bound + 1e-9:
                break
            if time.perf_counter() - started > wall_limit:
                result.backstop_hit = True
                break
            stop = threading.Event()
            base = seed + 1000 * (epoch + 1)
            proving = epoch == 0
            jobs = []
            if proving:
                jobs.append(pool.submit(_prove, model, current, seconds * prover_det_per_s, base, wall_limit, prover,
                                        started, stop))
            for k in range(workers - proving):
                jobs.append(pool.submit(chain, chain_model, groups, current[:prefix], objective,
                                        seconds * chain_det_per_s, base + 1 + k, sizes, chain_parameters, stop,
                                        started, wall_limit))
            outcomes = [job.result() for job in jobs]
            result.deterministic_time += max(o.det_time for o in outcomes)
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
            result.backstop_hit |= any(o.backstop_hit for o in outcomes)
            if outcomes:
                best = min(range(len(outcomes)), key=lambda k: (outcomes[k].objective, k))
                sizes = outcomes[best].sizes
                if outcomes[best].solution is not None and outcomes[best].objective < objective - 1e-9:
                    solution = outcomes[best].solution
                    if prefix < len(model.proto.variables):
                        solution = lns.complete(model, dict(enumerate(solution)), time_limit_s=10.0)
                    if solution is not None:
                        current, objective = solution, lns._objective_of(model, solution)
                        result.improvements += 1
                        result.time_to_best_s = outcomes[best].found_at
            bound = min(bound, objective)
            log.info("  %s epoch %d: cost %.0f, bound %.0f after %.1f s (%s)", label, epoch + 1, objective / scale,
                     bound / scale, time.perf_counter() - started,
                     ", ".join(f"{o.steps} steps {o.det_time:.1f} det in {o.wall_s:.1f} s" for o in outcomes))
    if result.backstop_hit:
        log.warning("  the wall-clock backstop (%.0f s) stopped the search: the result may differ between runs",
                    wall_limit)
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


def _prove(model: cp_model.CpModel, current: list[int], det_limit: float, seed: int, wall_limit: float,
           parameters: dict[str, Any], started: float, stop: threading.Event) -> lns._Found:
    """lns' prover (the full model asked to beat `current`), stopping the chains once it has proved."""
    clock = time.perf_counter()
    found = lns._prove(model, current, det_limit, seed, wall_limit, parameters, started)
    found.wall_s = time.perf_counter() - clock
    if found.status in (cp_model.INFEASIBLE, cp_model.OPTIMAL):
        stop.set()
    return found
