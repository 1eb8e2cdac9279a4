"""Deterministic roster search: a full-model prover for the bound beside neighbourhood steps on sub-models.

Phase 1: one worker runs CP-SAT on the whole model (stronger LP, hinted with
the start) to get a lower bound, or a proof; the other workers run chains of
neighbourhood steps. Phase 2: every worker runs steps; each round takes the
best step. A step frees a seeded random choice of agents (their whole week, a
few days of more agents, agents who share a skill, or agents who could cover
one of the worst under-covered intervals, around its day) and solves their sub-model (scheduler/roster/neighbourhood.py) to
optimality or its deterministic-time limit. Sizes adapt: a neighbourhood grows
after a step proved optimal and shrinks after one that ran out of time.

Every solve is single-threaded and stopped by deterministic time, and results
are merged by fixed rules, so the same model, start, seed and worker count give
the same roster on every run, while all workers are busy.
"""
from __future__ import annotations

import logging
import math
import random
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from ortools.sat.python import cp_model

from scheduler.roster import lns
from scheduler.roster.bound import AggregateBound, aggregate_bound
from scheduler.roster.model import COST_SCALE, RosterModel
from scheduler.roster.neighbourhood import Neighbourhoods, agent_costs, value_of

log = logging.getLogger(__name__)

# The stronger LP (linearization 2) gives the bound; probing and symmetry detection in presolve cost the
# full model seconds of wall time that do not move it.
PROVER = {"linearization_level": 2, "cp_model_probing_level": 0, "symmetry_level": 0}
PROVER_SHARE = 0.4          # of the time limit, in phase 1
# Deterministic time per wall second of one single-threaded worker on the project's 2-core machine with both
# busy (measured on the sample week and the 300-agent scale site; at 0.3 the 300-agent prover ran past its
# phase at 300 s and the wall clock cut the stage at 317 s). Budgets are deterministic time, so the roster
# never depends on the clock; the wall time only follows it.
PROVER_DET_PER_S = 0.2
# A step's CP-SAT time runs at 1.9 (sample) to 2.7 (300 agents) wall seconds per deterministic second, and each
# step also spends wall time CP-SAT does not count, about 7e-5 s per variable of its model (building it in
# Python, loading it): measured per step on both sites at 60 s, e.g. 0.5 s of a 0.95 s sample step. The
# overhead is charged per step at this rate, so the budget follows the wall clock on small and large steps.
# At 0.37 the 300-agent stage ended at 56.6, 59.1 and 65.0 s of a 60 s limit in three runs (the last cut by
# the wall clock, its setup 2 s slower); 0.35 leaves it that margin (56.2 s) and gave the sample the same roster.
STEP_DET_PER_S = 0.35
STEP_OVERHEAD_S_PER_VARIABLE = 7e-5
STEP_DET_PER_LIMIT_S = 1 / 160     # a step's own deterministic limit per second of the time limit ...
# ... up to this: with 1.0 at 300 s the 300-agent site's steps grew to 8-18 agents, took 1.4 s each and stalled
# (seeds 7/8/11: 344,566 / 338,642 / 335,288); at 0.5, 337,034 / 337,348 / 337,181, all within 2% of the bound.
# The sample at 300 s gave 75,349 against 75,254. Limits up to 80 s are not touched.
STEP_DET_MAX = 0.5
# Steps skip probing and symmetry detection in presolve and use the stronger LP: on the sample and scale
# sites' small neighbourhoods that halves the deterministic (and wall) time to a proved-optimal step.
STEP = {"cp_model_probing_level": 0, "symmetry_level": 0, "linearization_level": 2}


@dataclass
class Roster:
    values: list[int]               # a value per full-model variable (decisions exact; others may be stale)
    costs: dict[str, int]           # each agent's own terms
    objective: int                  # integer cost units


@dataclass
class _Step:
    kind: str
    free: set[str]
    fixed_days: set
    seed: int


@dataclass
class _Outcome:
    status: int
    roster: Roster | None
    det_time: float


@dataclass
class _Sizes:
    """Neighbourhood sizes in agents, adapted per kind. They start small whatever the site's size: a step
    on a handful of agents' weeks (with their breaks) is solved to optimality in well under a second of
    deterministic time, and a step that runs out of time rarely improves anything."""

    agents: dict[str, float] = field(default_factory=lambda: {"agents": 4.0, "skill": 5.0, "days": 12.0,
                                                               "short": 12.0})

    def update(self, kind: str, proved: bool, most: int) -> None:
        grown = self.agents[kind] * (1.15 if proved else 0.85)
        self.agents[kind] = min(float(most), max(2.0, grown))


def _shortfalls(full: RosterModel, values: list[int]) -> list[tuple[int, str, int]]:
    """(missing units, queue, interval start) of every under-covered queue interval, worst first."""
    missing: dict[tuple[str, int], int] = {}
    for term in full.terms:
        if term.name == "under_coverage":
            key = (term.queue, term.start_min)
            missing[key] = missing.get(key, 0) + value_of(term.variable, values)
    return sorted(((units, q, t) for (q, t), units in missing.items() if units > 0), key=lambda x: (-x[0], x[1], x[2]))


def _plan(nb: Neighbourhoods, kind: str, size: float, rng: random.Random, seed: int, values: list[int]) -> _Step:
    """Which agents (and days) a step frees. "short" aims at an under-covered interval: agents with its
    skill, free only around its day, so the step can move shifts, days off and breaks onto it."""
    full = nb.full
    agents = full.agents
    count = max(2, round(size))
    window: set | None = None
    pool = [a.agent_id for a in agents]
    if kind == "skill":
        skill = rng.choice(sorted({s for agent in agents for s in agent.skills}))
        pool = [a.agent_id for a in agents if skill in a.skills]
    elif kind == "short":
        worst = _shortfalls(full, values)[:10]
        if worst:
            _, queue, start_min = worst[rng.randrange(len(worst))]
            day = (full.interval_start(start_min)).date()
            pool = [a.agent_id for a in agents if queue in a.skills]
            window = {d for d in full.dates if abs((d - day).days) <= 1}
    if kind == "days" or (kind == "short" and window is None):
        span = min(len(full.dates), 2 + rng.randrange(2))
        first = rng.randrange(len(full.dates) - span + 1)
        window = set(full.dates[first:first + span])
    free = set(rng.sample(pool, min(count, len(pool))))
    fixed_days = {(a, d) for a in free for d in full.dates if d not in window} if window is not None else set()
    return _Step(kind, free, fixed_days, seed)


def _run_step(nb: Neighbourhoods, current: Roster, step: _Step, det_limit: float, wall_limit: float) -> _Outcome:
    sub = nb.build(step.free, current.values, current.costs, step.fixed_days)
    solver = lns._single_thread(det_limit, step.seed, wall_limit)
    lns.apply_parameters(solver, STEP)
    status = solver.Solve(sub.model)
    # Building and loading the sub-model is work CP-SAT's deterministic time does not count: charged by its size.
    overhead = STEP_DET_PER_S * STEP_OVERHEAD_S_PER_VARIABLE * len(sub.model.proto.variables)
    det = solver.ResponseProto().deterministic_time + overhead
    log.debug("    step %s on %d agents: %s in %.2f det, sub-cost %.0f", step.kind, len(step.free),
              solver.StatusName(status), det, solver.ObjectiveValue() / COST_SCALE if status in (2, 4) else -1)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return _Outcome(status, None, det)
    sub_values = list(solver.ResponseProto().solution)
    values = list(current.values)
    for i, j in sub.to_full:
        values[j] = sub_values[i]
    costs = dict(current.costs)
    for agent_id in step.free:
        costs[agent_id] = 0
    costs.update(agent_costs(sub.roster_model, sub_values))
    objective = round(solver.ObjectiveValue()) + sub.fixed_cost
    return _Outcome(status, Roster(values, costs, objective), det)


def _better(outcomes: list[_Outcome], current: Roster) -> Roster | None:
    """The lowest-cost improvement among a round's outcomes, first in order on ties."""
    best = None
    for outcome in outcomes:
        if outcome.roster is not None and outcome.roster.objective < (best or current).objective:
            best = outcome.roster
    return best


def _prove(full: RosterModel, current: Roster, det_limit: float, seed: int, wall_limit: float):
    """The whole model, hinted with the current roster: its LP gives the bound (asking it for a strictly
    better roster instead made the hint infeasible, and the repair ate the budget before the LP)."""
    sub = full.model.clone()
    proto = sub.proto
    proto.solution_hint.vars.clear()
    proto.solution_hint.values.clear()
    proto.solution_hint.vars.extend(range(len(current.values)))
    proto.solution_hint.values.extend(current.values)
    solver = lns._single_thread(det_limit, seed, wall_limit)
    lns.apply_parameters(solver, PROVER)
    status = solver.Solve(sub)
    return status, solver


def search_roster(full: RosterModel, start: list[int], *, time_limit_s: float, workers: int,
                  seed: int, deadline: lns.Deadline | None = None,
                  aggregate: AggregateBound | None = None, compute_aggregate: bool = True,
                  settled_start: bool = False) -> lns.SearchResult:
    """Minimise the roster model's objective from a complete feasible start. `settled_start`: the start is at
    its own cost, from a solve of the full model (start_roster's), so a search with no step returns it as it
    is; any other start is settled at the end. `time_limit_s` sizes the
    deterministic budgets (0: no search, the start as it is); `deadline` is the wall-clock backstop (by
    default WALL_BACKSTOP times the limit from now), and the result says when it cut the search short.
    `aggregate` is the aggregate bound when the caller has it already (then not computed again)."""
    started = time.perf_counter()
    deadline = deadline or lns.Deadline(started + time_limit_s * lns.WALL_BACKSTOP)
    current = Roster(list(start), agent_costs(full, start), 0)
    current.objective = _objective(full, start)
    result = lns.SearchResult("FEASIBLE", None, None, None, 0.0, 0.0, time.perf_counter() - started)
    log.info("  roster cost %.0f from the start", current.objective / COST_SCALE)
    rng = random.Random(seed)
    sizes = _Sizes()
    kinds = ("agents", "short", "skill", "days")
    step_limit = min(max(time_limit_s * STEP_DET_PER_LIMIT_S, 0.1), STEP_DET_MAX)
    bound = -math.inf

    def next_step() -> _Step:
        kind = kinds[result.steps % len(kinds)]
        result.steps += 1
        return _plan(nb, kind, sizes.agents[kind], rng, seed + result.steps, current.values)

    def out_of_time() -> bool:
        if deadline.passed() and not result.backstop_hit:
            result.backstop_hit = True
            log.warning("  the wall-clock backstop stopped the search %.1f s after it began: the result may "
                        "differ between runs", time.perf_counter() - started)
        return result.backstop_hit

    def chain(det_budget: float) -> float:
        """Steps one after another from the current roster; returns the deterministic time spent."""
        nonlocal current
        spent = 0.0
        while spent < det_budget and not out_of_time():
            step = next_step()
            outcome = _run_step(nb, current, step, step_limit, deadline.left())
            spent += outcome.det_time
            sizes.update(step.kind, outcome.status == cp_model.OPTIMAL, len(full.agents))
            improved = _better([outcome], current)
            if improved is not None:
                current = improved
                _found(improved)
        return spent

    def _found(roster: Roster) -> None:
        result.improvements += 1
        result.time_to_best_s = time.perf_counter() - started

    if time_limit_s <= 0 or out_of_time():     # no search: the start, with the aggregate bound if the caller has it
        if aggregate is not None:
            result.bound_source = "aggregate LP"
        return _finish(full, current, aggregate.bound if aggregate is not None else -math.inf, result, started,
                       settled_start)
    nb = Neighbourhoods(full)
    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        # Phase 1: the prover beside one chain of steps (run one after the other with a single worker).
        prover_det = PROVER_SHARE * time_limit_s * PROVER_DET_PER_S
        chain_det = PROVER_SHARE * time_limit_s * STEP_DET_PER_S
        proof = pool.submit(_prove, full, current, prover_det, seed, deadline.left())
        relaxed_soon = (pool.submit(aggregate_bound, full, deadline.left())    # beside the prover
                        if compute_aggregate else None)
        chain_spent = chain(chain_det) if workers >= 2 else 0.0
        status, prover = proof.result()
        result.deterministic_time += max(prover.ResponseProto().deterministic_time, chain_spent)
        bound = prover.BestObjectiveBound()     # its roster's cost when it proved optimality
        result.bound_source = "full model"
        relaxed = relaxed_soon.result() if relaxed_soon is not None else aggregate
        if relaxed is not None and relaxed.bound > bound:
            bound, result.bound_source = relaxed.bound, "aggregate LP"
        if status in (cp_model.OPTIMAL, cp_model.FEASIBLE) and prover.ObjectiveValue() < current.objective:
            values = list(prover.ResponseProto().solution)
            current = Roster(values, agent_costs(full, values), round(prover.ObjectiveValue()))
            _found(current)
        log.info("  roster cost %.0f, bound %.0f after %.1f s (%d steps)", current.objective / COST_SCALE,
                 bound / COST_SCALE, time.perf_counter() - started, result.steps)
        if workers < 2 and current.objective > bound:
            chain(chain_det)

        # Phase 2: rounds of one step per worker from the same roster; the best step wins.
        budget = (1 - PROVER_SHARE) * time_limit_s * STEP_DET_PER_S
        spent, last_log = 0.0, time.perf_counter()
        while spent < budget and current.objective > bound and not out_of_time():
            steps = [next_step() for _ in range(max(1, workers))]
            outcomes = list(pool.map(lambda s: _run_step(nb, current, s, step_limit, deadline.left()), steps))
            spent += max(o.det_time for o in outcomes)
            for step, outcome in zip(steps, outcomes):
                sizes.update(step.kind, outcome.status == cp_model.OPTIMAL, len(full.agents))
            improved = _better(outcomes, current)
            if improved is not None:
                current = improved
                _found(improved)
            if time.perf_counter() - last_log >= 5.0:
                last_log = time.perf_counter()
                log.info("  roster cost %.0f (bound %.0f) after %.1f s", current.objective / COST_SCALE,
                         bound / COST_SCALE, time.perf_counter() - started)
        result.deterministic_time += spent
    out_of_time()       # the prover, the bound or a last step may have been stopped by the clock
    return _finish(full, current, bound, result, started, settled_start)


def _finish(full: RosterModel, current: Roster, bound: float, result: lns.SearchResult,
            started: float, settled_start: bool) -> lns.SearchResult:
    """The search's roster, settled by a solve of the full model unless it is the settled start itself: the
    roster returned is one the whole model accepted, so it can be read out without solving again."""
    if result.improvements or not settled_start:
        current = _tightened(full, current)
    result.solution = current.values
    result.objective = current.objective
    result.bound = min(bound, current.objective) if bound > -math.inf else None
    result.status = "OPTIMAL" if result.bound is not None and result.bound >= current.objective - 1e-9 else "FEASIBLE"
    result.wall_s = time.perf_counter() - started
    return result


TIGHTEN_DET_S = 0.5     # deterministic seconds to settle a roster's cost counters


def settled(full: RosterModel, decisions: dict[int, int], hint: list[int] | None = None) -> list[int] | None:
    """The roster these decisions (shifts, breaks, activities) make, at its own cost: the cost counters (a
    shortfall, an over-coverage, a soft rule's count) and the queue split at their least. A roster completed to
    its first solution can leave a counter above what the roster costs, and the report would charge the
    planner for it. None when the decisions break the model."""
    return lns.complete(full.model, decisions, time_limit_s=TIGHTEN_DET_S, first_solution=False, hint=hint)


def resettled(full: RosterModel, values: list[int]) -> list[int] | None:
    """A whole roster (a value per variable) settled again, its decisions kept."""
    decisions = {i: values[i] for ids in full.decision_groups().values() for i in ids}
    return settled(full, decisions, values)


def _tightened(full: RosterModel, current: Roster) -> Roster:
    """The current roster settled (a step stopped by its limit may leave a counter high)."""
    values = resettled(full, current.values)
    if values is None:
        raise RuntimeError("the search's own roster breaks its model")
    return Roster(values, agent_costs(full, values), _objective(full, values))   # from its hint: no dearer


def _objective(full: RosterModel, values: list[int]) -> int:
    """The model's objective, constant offsets included (as CP-SAT's ObjectiveValue counts them)."""
    return sum(term.coefficient * value_of(term.variable, values) for term in full.terms)
