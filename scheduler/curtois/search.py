"""Solve a Curtois instance within its time limit: models, a per-employee start, then the deterministic
prover + window search.

The time limit is the whole command's: building the models, the start roster and the search all come out
of it. The search's budgets are deterministic time derived from the limit and the instance's size alone (so
the same inputs give the same roster on any run), calibrated for this 2-core machine; the wall clock is a
backstop at the limit itself, and when it has to cut anything short the result says so (`wall_cut`), as the
roster may then differ between runs.

Statuses: OPTIMAL (proved), FEASIBLE (a roster, not proved optimal), INFEASIBLE (CP-SAT proved some
employee's own exact model has no roster; cover is soft, so nothing else can make an instance infeasible)
and UNKNOWN (no roster found within the limit: the instance may well have one).
"""
from __future__ import annotations

import logging
import time
from dataclasses import dataclass

from common.errors import InputError
from scheduler.curtois import sat, window_search
from scheduler.curtois.importer import CurtoisProblem
from scheduler.curtois.model import CurtoisModel, flow_size
from scheduler.curtois.start import employee_by_employee
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
# (measured on Instance5-10: 0.5-1.3 for the prover, 0.6-0.7 for a chain of LIN2 steps on their own step
# models, building charged; 0.4 on the 52-week generated instance; lower when other work shares the cores).
# At 0.6 the wall clock cut Instance7 and Instance10 at the limit; at 0.5 they end at 53-57 s. Budgets are deterministic time, so the roster never depends on the
# clock; the wall time only follows it. Instance6's proof takes the prover about 37 deterministic seconds.
PROVER_DET_PER_S = 0.75
CHAIN_DET_PER_S = 0.5
START_DET_PER_S = 0.5
# The path graphs make the prover's LP too slow for a one-minute solve when the lean model's variables plus
# flow_size's estimate of the graphs' arcs (about twice the real count) pass this (Instance7-10): the prover
# then works on the lean model, whose level-2 root LP gives its bound after about 16 deterministic s on
# Instance10, for a share of the limit only; the rest goes to chains on every worker, synchronised every
# EPOCH_S seconds. The estimate is made before the graphs are: a 52-week instance's would not fit in the limit.
FLOW_MAX_ESTIMATE = 24_000
LARGE_PROVER_SHARE = 0.4
# Above this many variables even the lean model's root LP does not finish within minutes: no prover, all
# chains (the bound is then unknown).
PROVER_MAX_VARIABLES = 60_000
EPOCH_S = 6.0
# Wall seconds per model variable to build a model (measured on 12- to 52-week generated instances, idle
# machine: about 4e-5), and the share of the limit the start may use; together with the instance's size they
# set the search's budget, so it does not depend on the clock.
BUILD_S_PER_VARIABLE = 4e-5
# Wall seconds per shift choice (employee x day x allowed type) to build the lean model, at the least (idle
# machine; about 2e-4 with other work on both cores): when even that exceeds the limit, nothing is built.
BUILD_S_PER_OPTION = 8e-5
START_SHARE = 0.35
# On large instances with a prover on the lean model, the job beside the prover is CP-SAT's violation local
# search on the lean model (window_search.local_search) rather than a chain, and that first epoch lasts this
# share of the limit: a chain there runs alone for the whole epoch, with no merges, where the local search gains
# much faster far from a good roster. The generated 12-week case (8,400 employee-days): 188 with a chain (120 s
# limit), 78 with the local search at a 0.4 share, 63 at 0.7; at 600 s, 58 proved optimal after 422 s.
# Without a prover the epochs stay chains merged every EPOCH_S: on the 26-week case (no prover) a first epoch of
# [local search | chain] ended worse (1,418 against 1,361 at 600 s; 13,901 against 10,419 at 120 s).
# LOCAL_SEARCH_DET_PER_S: its deterministic seconds per wall second here beside the prover (0.8-1.0).
LOCAL_SEARCH_SHARE = 0.7
LOCAL_SEARCH_DET_PER_S = 0.8
# And only on instances of at least this many employee-days, between the evidence either side: on the 4-week
# Instance7-10 (560-1,120) the chain it replaces does better (Instance8: 1,551 with it against 1,355 without,
# at 60 s); on generated cases of 1,680 and 3,360 it does better (25 against 35, 10 against 42, at 60 s).
LOCAL_SEARCH_MIN_EMPLOYEE_DAYS = 1_500
# Time kept at the end for writing the roster and checking it.
FINISH_RESERVE_S = 0.05


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
    wall_cut: bool = False      # the wall clock, not the deterministic budget, ended some work: may not repeat
    message: str = ""           # why there is no roster, or what limited the search
    time_to_first_s: float | None = None

    @property
    def gap(self) -> float | None:
        if self.objective is None or self.bound is None:
            return None
        return max(0.0, self.objective - self.bound) / max(abs(self.objective), 1e-9)

    @property
    def backstop_hit(self) -> bool:
        return self.wall_cut


def solve_curtois(cp: CurtoisProblem, *, time_limit_s: float = 60.0, workers: int = 2, seed: int = 7,
                  parallel_cpsat: bool = False, started: float | None = None) -> CurtoisResult:
    """Deterministic for a fixed seed and worker count unless `parallel_cpsat` (CP-SAT's own threads) is asked
    or the wall clock cuts the search short (the result says so). `started` (a time.perf_counter() value, e.g.
    when the command began reading the instance) is when the limit began: by default, now."""
    started = time.perf_counter() if started is None else started
    if time_limit_s <= 0:
        raise InputError("--time-limit", f"{time_limit_s:g} is not a positive number of seconds", "give e.g. 60")
    if workers < 1:
        raise InputError("--workers", f"{workers} workers", "use at least 1")
    deadline = sat.Deadline(started + time_limit_s - FINISH_RESERVE_S)
    horizon = cp.instance.horizon

    def elapsed() -> float:
        return time.perf_counter() - started

    def without_roster(status: str, message: str) -> CurtoisResult:
        log.warning("  %s", message)
        return CurtoisResult(None, status, None, None, elapsed(), None, None, wall_cut=deadline.cut,
                             message=message)

    options = sum(cp.instance.horizon * sum(1 for t in cp.instance.shifts if s.max_shifts.get(t.id, horizon) > 0)
                  for s in cp.instance.staff)
    if BUILD_S_PER_OPTION * options > deadline.left():
        deadline.cut = True
        return without_roster("UNKNOWN", f"no roster found within the limit: building the model of "
                                         f"{options} shift choices takes about {BUILD_S_PER_OPTION * options:.0f} s "
                                         f"on this machine, more than the {time_limit_s:g} s limit")
    lean = CurtoisModel(cp, flow=None)        # the chain's model: no path graphs, so each step is solved fast
    lean_variables = len(lean.model.proto.variables)
    estimate = lean_variables + sum(flow_size(s, horizon, True) for s in cp.instance.staff)
    cm, prover, prover_share = lean, LIN2, LARGE_PROVER_SHARE
    if estimate <= FLOW_MAX_ESTIMATE:
        cm, prover, prover_share = CurtoisModel(cp), MAX_LP, 1.0
    elif lean_variables > PROVER_MAX_VARIABLES:
        prover, prover_share = None, 0.0
    built_s = elapsed()
    log.info("  models built after %.1f s (%d variables%s)", built_s, len(cm.model.proto.variables),
             ", path graphs" if cm is not lean else "")

    # The start: its budget (deterministic) and the wall-clock deadline by which it must have a roster.
    expected_build = BUILD_S_PER_VARIABLE * (lean_variables + (len(cm.model.proto.variables) if cm is not lean else 0))
    start_budget = max(0.5, START_SHARE * time_limit_s - expected_build) * START_DET_PER_S
    per_employee = max(0.5, min(5.0, 4 * start_budget / max(1, len(cp.problem.agents))))
    first = employee_by_employee(cp, seed=seed, det_budget=start_budget, deadline=deadline,
                                 det_limit_per_employee=per_employee,
                                 improve_until=started + START_SHARE * time_limit_s)
    if first.roster is None:
        if first.status == "INFEASIBLE":
            return without_roster("INFEASIBLE", first.message)
        deadline.cut = deadline.cut or deadline.passed()
        return without_roster("UNKNOWN", f"no roster found within the limit: {first.message}")
    start = sat.complete(cm.model, cm.hint_values(first.roster), 10.0, deadline)
    if start is None:
        if deadline.passed():
            deadline.cut = True
            return without_roster("UNKNOWN", "no roster found within the limit: the time ran out while the start "
                                             "roster was being completed to the model")
        raise RuntimeError("the per-employee roster does not satisfy the full model (a redundant constraint or "
                           "an encoding cuts off a roster every rule's checker accepts)")
    # A whole roster existed once the first pass was over; later passes only improve it.
    time_to_first = first.first_at - started if first.first_at is not None else elapsed()
    start_objective = sat.objective_value(cm.model, start) / COST_SCALE
    log.info("  per-employee start roster: cost %.0f after %.1f s (%d pass(es); the first roster after %.1f s)",
             start_objective, elapsed(), first.passes, time_to_first)
    if parallel_cpsat:
        return _parallel(cm, start, workers, seed, started, start_objective, deadline, time_to_first)
    # The search's budget comes from the limit and the instance's size, never from the clock (that would break
    # reproducibility): what the models and the start are expected to take is set aside.
    search_s = time_limit_s - expected_build - first.det_time / START_DET_PER_S
    if search_s <= 0.5 or deadline.left() <= 0.1:
        roster = cm.roster(start)
        return CurtoisResult(roster, "FEASIBLE", start_objective, None, elapsed(), time_to_first, start_objective,
                             wall_cut=deadline.cut, message="the limit left no time to improve the start roster",
                             time_to_first_s=time_to_first)
    employee_days = horizon * len(cp.instance.staff)
    local_search = prover is not None and employee_days >= LOCAL_SEARCH_MIN_EMPLOYEE_DAYS
    local_search_share = LOCAL_SEARCH_SHARE if local_search else 0.0
    found = window_search.search(cm.model, lean.model, lean.groups(), start, time_limit_s=search_s,
                                 workers=workers, seed=seed, prover=prover, chain_parameters=CHAIN_PARAMETERS,
                                 prover_share=prover_share, epoch_s=EPOCH_S, prover_det_per_s=PROVER_DET_PER_S,
                                 chain_det_per_s=CHAIN_DET_PER_S, scale=COST_SCALE, label=cp.instance.name,
                                 deadline=deadline, local_search_share=local_search_share,
                                 local_search_det_per_s=LOCAL_SEARCH_DET_PER_S)
    roster = cm.roster(found.solution)
    scaled = (lambda v: v / COST_SCALE if v is not None else None)
    offset = elapsed() - found.wall_s                     # models, the start roster
    time_to_best = found.time_to_best_s + offset if found.time_to_best_s is not None else time_to_first
    message = ("the wall clock cut the search short at the limit: the roster may differ between runs"
               if deadline.cut else "")
    return CurtoisResult(roster, found.status, scaled(found.objective), scaled(found.bound), elapsed(),
                         time_to_best, start_objective, found.steps, deadline.cut, message, time_to_first)


def _parallel(cm: CurtoisModel, start: list[int], workers: int, seed: int, started: float,
              start_objective: float, deadline: sat.Deadline, time_to_first: float) -> CurtoisResult:
    """CP-SAT's own multi-threaded search with the max_lp worker: not reproducible run to run."""
    from ortools.sat.python import cp_model

    model = cm.model.clone()
    sat.hint(model, start)
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = max(workers, 2)
    solver.parameters.random_seed = seed
    solver.parameters.max_time_in_seconds = max(0.1, deadline.left())
    solver.parameters.extra_subsolvers.append("max_lp")
    status = solver.Solve(model)
    elapsed = time.perf_counter() - started
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):      # the start is a roster: keep it
        return CurtoisResult(cm.roster(start), "FEASIBLE", start_objective, None, elapsed, time_to_first,
                             start_objective, time_to_first_s=time_to_first)
    values = list(solver.ResponseProto().solution)
    return CurtoisResult(cm.roster(values), solver.StatusName(status), solver.ObjectiveValue() / COST_SCALE,
                         solver.BestObjectiveBound() / COST_SCALE, elapsed, None, start_objective,
                         time_to_first_s=time_to_first)
