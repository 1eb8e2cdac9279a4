"""Solve a roster model under a time limit and report what the solver proved."""
from __future__ import annotations

import datetime as dt
import logging
import time
from dataclasses import dataclass, field

import pandas as pd
from ortools.sat.python import cp_model

from common.memory import collector_paused
from rules.base import Activity, RosterShift
from rules.site import SolverSettings
from scheduler.roster import lns
from scheduler.roster.bound import AggregateBound, aggregate_bound
from scheduler.roster.greedy import agent_models, greedy_roster
from scheduler.roster.placement import place_absences
from scheduler.roster.search import resettled, search_roster, settled
from scheduler.roster.model import COST_SCALE, RosterModel, RosterProblem, hinted_values
from scheduler.roster.neighbourhood import value_of

log = logging.getLogger(__name__)

START_DET_S = 2.0    # deterministic seconds to place the greedy roster's breaks and activities
START_SHARE = 0.05   # ... but no more than this share of the time limit (a 1 s plan cannot spend 2 det s here)
FIRST_COMPLETION_DET_S = (10.0, 60.0)   # deterministic budgets for the start's first complete roster, in turn
# The time limit is the whole roster stage's: building the model and the start come out of it. The search's
# deterministic budgets are sized for the limit less the setup this machine is expected to need for a model of
# this size (idle 2-core machine, seconds per model variable), so they never depend on the clock. The setup now
# takes 11-13 s for the 300-agent site's 169k variables and 5.1-5.8 s for the sample's 54k; 1.1e-4 gave the
# 300-agent site's 60 s search so much that it ended at 61.8 s (its steps run behind their budget), for no
# better roster on either site, so the budget keeps the older, larger share for setup. The wall clock stops the
# search at the limit plus STAGE_SLACK, leaving the rest of the promised 10% for reading the roster out, and the
# report says when it had to.
SETUP_S_PER_VARIABLE = 1.3e-4
STAGE_SLACK = 0.05
AGGREGATE_WALL_S = 120.0     # backstop for the aggregate LP (GLOP; a few seconds on the 300-agent site)
# A first completion this close to its own bound keeps its breaks: placing them again gained nothing on the
# sample (2.1% gap) for 6 s, and the search moves breaks anyway. A far worse one (everyone's breaks stacked
# in one quarter hour) is placed again.
START_GAP = 0.05

@dataclass
class SolveReport:
    status: str                 # OPTIMAL, FEASIBLE, INFEASIBLE, UNKNOWN, MODEL_INVALID
    objective: float | None     # in objective units (weights as written in the YAML)
    best_bound: float | None
    wall_s: float
    time_to_best_s: float | None
    time_limit_s: float
    workers: int
    seed: int
    wall_clock_cut: bool = False    # the wall-clock backstop stopped the search: another run may differ
    bound_source: str = "full model"    # which relaxation proved best_bound ("aggregate LP": scheduler/roster/bound.py)
    setup_s: float = 0.0        # wall time to build the model and the start roster, within wall_s
    expected_setup_s: float = 0.0   # what the search's budget was sized to leave for that (deterministic)

    @property
    def searched(self) -> bool:
        """False when the limit left the deterministic search no time at all: the roster is the first one."""
        return self.expected_setup_s < self.time_limit_s

    @property
    def proved_optimal(self) -> bool:
        return self.status == "OPTIMAL"

    @property
    def gap(self) -> float | None:
        """Relative gap between the roster's cost and the best bound the solver proved."""
        if self.objective is None or self.best_bound is None:
            return None
        if self.proved_optimal:
            return 0.0
        return abs(self.objective - self.best_bound) / max(abs(self.objective), 1e-9)


@dataclass
class RosterResult:
    report: SolveReport
    shifts: list[RosterShift] = field(default_factory=list)
    coverage: pd.DataFrame = field(default_factory=pd.DataFrame)     # queue, start, required, scheduled
    allocation: pd.DataFrame = field(default_factory=pd.DataFrame)   # skills, queue, start, agents
    breakdown: dict[str, float] = field(default_factory=dict)        # objective by term name
    agent_breakdown: pd.DataFrame = field(default_factory=pd.DataFrame)  # agent_id, term, cost


class _Progress(cp_model.CpSolverSolutionCallback):
    """Logs each better roster, so a planner sees a long solve moving."""

    def __init__(self, started: float):
        super().__init__()
        self.started = started
        self.last_log = 0.0
        self.time_to_best: float | None = None

    def on_solution_callback(self) -> None:
        now = time.perf_counter() - self.started
        self.time_to_best = now
        if now - self.last_log >= 5.0 or self.last_log == 0.0:
            self.last_log = now
            log.info("  roster cost %.0f (bound %.0f) after %.1f s", self.ObjectiveValue() / COST_SCALE,
                     self.BestObjectiveBound() / COST_SCALE, now)


def solve(roster_model: RosterModel, settings: SolverSettings, start: list[int] | None = None,
          started: float | None = None, aggregate: AggregateBound | None = None,
          compute_aggregate: bool = True, settled_start: bool = False) -> RosterResult:
    """Deterministic search by default; CP-SAT's own parallel search when the site asks for it. `started`
    (a time.perf_counter() value) is when the limit began, before the model was built: by default, now.
    `settled_start`: the start is start_roster's, at its own cost (else the search settles what it returns)."""
    setup_s = 0.0 if started is None else time.perf_counter() - started
    started = time.perf_counter() - setup_s
    deadline = lns.Deadline(started + settings.time_limit_s * (1 + STAGE_SLACK))
    model = roster_model.model
    expected_setup_s = SETUP_S_PER_VARIABLE * len(model.proto.variables) if setup_s else 0.0
    if settings.deterministic:
        search_s = max(0.0, settings.time_limit_s - expected_setup_s)
        if search_s <= 0:
            log.warning("  building this model and its first roster is expected to take the whole %g s limit "
                        "(%.0f s): the roster is the first one, not searched", settings.time_limit_s,
                        expected_setup_s)
        found = search_roster(roster_model, start, time_limit_s=search_s, workers=settings.workers,
                              seed=settings.seed, deadline=deadline, aggregate=aggregate,
                              compute_aggregate=compute_aggregate, settled_start=settled_start)
        solver = _Solution(found.solution)      # the full model accepted it (the settled start or roster)
        status, objective, bound = found.status, found.objective, found.bound
        time_to_best = setup_s + (found.time_to_best_s or 0.0)     # the start's, when no step improved it
        cut = found.backstop_hit
        source = found.bound_source or "full model"
    else:
        if start is not None:   # a complete feasible start, as CP-SAT's hint
            hint = model.proto.solution_hint
            hint.vars.clear()
            hint.values.clear()
            hint.vars.extend(range(len(start)))
            hint.values.extend(start)
        solver = cp_model.CpSolver()
        solver.parameters.num_workers = settings.workers
        solver.parameters.random_seed = settings.seed
        solver.parameters.max_time_in_seconds = max(deadline.left(), 0.1)
        progress = _Progress(started)
        code = solver.Solve(model, progress)
        status, time_to_best = solver.StatusName(code), progress.time_to_best
        has_solution = code in (cp_model.OPTIMAL, cp_model.FEASIBLE)
        objective = solver.ObjectiveValue() if has_solution else None
        bound = solver.BestObjectiveBound() if has_solution else None
        solver = solver if has_solution else None
        cut, source = False, "full model"
        if not has_solution and start is not None:     # no time left after the start: the start is the roster
            solver, status, time_to_best = lns.fixed_solver(model, start), "FEASIBLE", setup_s
            objective, bound = solver.ObjectiveValue(), None
            if aggregate is not None:
                bound, source = aggregate.bound, "aggregate LP"
            cut = True
        elif aggregate is not None and bound is not None and aggregate.bound > bound:
            bound, source = aggregate.bound, "aggregate LP"
    report = SolveReport(
        status=status,
        objective=objective / COST_SCALE if objective is not None else None,
        best_bound=bound / COST_SCALE if bound is not None else None,
        wall_s=time.perf_counter() - started, time_to_best_s=time_to_best,
        time_limit_s=settings.time_limit_s, workers=settings.workers, seed=settings.seed, wall_clock_cut=cut,
        bound_source=source, setup_s=setup_s, expected_setup_s=expected_setup_s,
    )
    if solver is None:
        return RosterResult(report)
    return RosterResult(report, _shifts(roster_model, solver), _coverage(roster_model, solver),
                        _allocation(roster_model, solver), _breakdown(roster_model, solver),
                        _agent_breakdown(roster_model, solver))


def start_roster(roster_model: RosterModel, plan: AggregateBound | None = None,
                 models: list[RosterModel] | None = None) -> list[int]:
    """The problem's start roster (else the greedy one), completed with breaks and activities placed for
    coverage, at its own cost (settled): the search's start. `models`: the greedy's agent models, when the
    caller built them already.

    The greedy's breaks are placed in Python (scheduler/roster/placement.py). Where the model refuses that
    placement, CP-SAT completes the shifts; a first completion that its own bound shows may be far from the
    best breaks for its shifts gets a short optimising solve: a first completion once stacked everyone's breaks
    in the same quarter hour (the 300-agent scale site's start cost 9.0 M instead of 0.97 M). One within
    START_GAP of its bound does not."""
    # No hint on the model itself: a shifts-only hint steered the completion's break placement badly
    # (sample start 1.56 M instead of 0.15 M, scale 9.0 M instead of 0.97 M).
    given = roster_model.problem.start
    if given is not None:    # a published roster: its own breaks and activities, as far as the model allows
        shifts = hinted_values(roster_model, given)
        start = lns.complete(roster_model.model, shifts, hint=_activity_hint(roster_model, given, shifts))
        if start is None:
            raise RuntimeError("the given start roster breaks the model's hard rules")
        return _settled(roster_model, start)
    shifts = hinted_values(roster_model, greedy_roster(roster_model.problem, plan=plan, models=models))
    placed = place_absences(roster_model, shifts)
    if placed is not None:     # breaks placed in Python: CP-SAT only settles the cost counters and the split
        start = settled(roster_model, {**shifts, **placed})
        if start is not None:
            return start
        log.info("  the placed breaks and activities break a rule that ties agents together; CP-SAT places them")
    completed = None
    # The first budget is the deterministic one; the larger one is for a loaded machine, where the first
    # completion's wall-clock cap can stop it before any roster (seen on scenario runs at load 12).
    for budget_det_s in FIRST_COMPLETION_DET_S:
        completed = lns.complete_with_gap(roster_model.model, shifts, time_limit_s=budget_det_s, presolve=False)
        if completed is None:    # the greedy roster, built an agent at a time, breaks a rule that couples agents
            hint = [0] * len(roster_model.model.proto.variables)
            for index, value in shifts.items():
                hint[index] = value
            completed = lns.complete_with_gap(roster_model.model, {}, hint=hint, time_limit_s=budget_det_s)
            if completed is not None:    # the breaks below are placed around this start's shifts, not the greedy's
                shifts = {index: completed[0][index] for index in shifts}
        if completed is not None:
            break
        log.warning("  no first roster within %g deterministic s; trying a larger budget", budget_det_s)
    if completed is None:
        raise RuntimeError("no roster completes the greedy one within the start's budget")
    start, gap = completed
    log.info("  first roster completed: its breaks are within %.1f%% of the best for its shifts", 100 * gap)
    if gap <= START_GAP:
        return _settled(roster_model, start)
    budget = min(START_DET_S, START_SHARE * roster_model.problem.site.solver.time_limit_s)
    placed = lns.complete(roster_model.model, shifts, time_limit_s=budget, first_solution=False, hint=start)
    return _settled(roster_model, placed if placed is not None else start)   # the clock may stop it first


def _settled(roster_model: RosterModel, start: list[int]) -> list[int]:
    """The start at its own cost (the search counts on it: a search with no step keeps it as it is)."""
    return resettled(roster_model, start) or start


def _activity_hint(roster_model: RosterModel, roster, shifts: dict[int, int]) -> list[int]:
    """A value per variable: the roster's shifts and its activities where the model has them, else 0."""
    taken = {(r.agent_id, r.shift.date, a.name, a.start) for r in roster for a in r.activities}
    values = [0] * len(roster_model.model.proto.variables)
    for index, value in shifts.items():
        values[index] = value
    for absence in roster_model.absences:
        if (absence.agent_id, absence.date, absence.name, absence.start) in taken:
            values[absence.var.Index()] = 1
    return values


def solve_roster(problem: RosterProblem) -> RosterResult:
    """Build the model, start it from the greedy roster, and solve under the site's limits: all of it within
    the time limit."""
    started = time.perf_counter()
    # The model's objects live for the whole stage: the cyclic collector is paused while they are made
    # (common/memory.py), and runs again through the search, whose step models come and go.
    with collector_paused():
        roster_model = RosterModel(problem)
        roster_model.add_rules()
        roster_model.add_coverage()
        roster_model.minimize()
        # The aggregate LP, before the start: its bound serves the search, and its roster in counts guides the
        # greedy start (None where it would not be a relaxation, e.g. an intraday re-plan with its own start).
        # The greedy's agent models do not need the plan: they are built while GLOP solves.
        models: list[RosterModel] = []
        aggregate = aggregate_bound(roster_model, AGGREGATE_WALL_S,
                                    meanwhile=(lambda: models.extend(agent_models(problem)))
                                    if problem.start is None else None)
        start = start_roster(roster_model, aggregate, models or None)
    return solve(roster_model, problem.site.solver, start, started, aggregate, compute_aggregate=False,
                 settled_start=True)


class _Solution:
    """A roster's value per model variable, read as a solver's response is (Value, BooleanValue)."""

    def __init__(self, values: list[int]):
        self.values = values

    def Value(self, expr) -> int:
        return value_of(expr, self.values)

    def BooleanValue(self, var) -> bool:
        return bool(self.values[var.Index()])


def _shifts(rm: RosterModel, solver: cp_model.CpSolver) -> list[RosterShift]:
    taken: dict[tuple[str, object], list[Activity]] = {}
    for absence in rm.absences:
        if solver.BooleanValue(absence.var):
            end = (absence.start.astimezone(dt.timezone.utc) + dt.timedelta(minutes=absence.minutes)).astimezone(
                absence.start.tzinfo)
            taken.setdefault((absence.agent_id, absence.date), []).append(
                Activity(absence.name, absence.start, end, absence.paid))
    chosen = []
    for agent in rm.agents:
        for date in rm.dates:
            for shift, var in rm.options(agent.agent_id, date):
                if solver.BooleanValue(var):
                    placed = taken.get((agent.agent_id, date), []) + list(rm.fixed_activities(agent.agent_id, date))
                    activities = tuple(sorted(placed, key=lambda a: a.start))
                    chosen.append(RosterShift(agent.agent_id, shift, activities))
    return chosen


def _agents(rm: RosterModel, solver: cp_model.CpSolver, expr) -> float:
    """Coverage units in an interval as average agents present over it."""
    units = int(solver.Value(expr)) if not isinstance(expr, int) else expr
    return units * rm.coverage_unit_min / rm.site.interval_min


def _start(rm: RosterModel, t: int) -> pd.Timestamp:
    return pd.Timestamp(t * 60, unit="s", tz="UTC").tz_convert(rm.site.timezone)


def _coverage(rm: RosterModel, solver: cp_model.CpSolver) -> pd.DataFrame:
    rows = [{"queue": q, "start": _start(rm, t), "required": rm.requirement[(q, t)],
             "scheduled": _agents(rm, solver, expr)} for (q, t), expr in rm.coverage.items()]
    return pd.DataFrame(rows, columns=["queue", "start", "required", "scheduled"])


def _allocation(rm: RosterModel, solver: cp_model.CpSolver) -> pd.DataFrame:
    rows = [{"skills": ";".join(group), "queue": q, "start": _start(rm, t), "agents": _agents(rm, solver, expr)}
            for (group, q, t), expr in rm.allocation.items()]
    return pd.DataFrame(rows, columns=["skills", "queue", "start", "agents"])


def _breakdown(rm: RosterModel, solver: cp_model.CpSolver) -> dict[str, float]:
    totals: dict[str, float] = {}
    for term in rm.terms:
        totals[term.name] = totals.get(term.name, 0.0) + term.coefficient * solver.Value(term.variable) / COST_SCALE
    return totals


def _agent_breakdown(rm: RosterModel, solver: cp_model.CpSolver) -> pd.DataFrame:
    """The objective's per-agent terms (paid hours, fairness, preferences): agent_id, term, cost."""
    totals: dict[tuple[str, str], float] = {}
    for term in rm.terms:
        if term.agent_id is not None:
            key = (term.agent_id, term.name)
            totals[key] = totals.get(key, 0.0) + term.coefficient * solver.Value(term.variable) / COST_SCALE
    rows = [{"agent_id": a, "term": name, "cost": cost} for (a, name), cost in sorted(totals.items()) if cost]
    return pd.DataFrame(rows, columns=["agent_id", "term", "cost"])
