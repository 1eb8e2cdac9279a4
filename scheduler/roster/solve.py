"""Solve a roster model under a time limit and report what the solver proved."""
from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field

import pandas as pd
from ortools.sat.python import cp_model

from rules.base import RosterShift
from rules.site import SolverSettings
from scheduler.roster.model import COST_SCALE, RosterModel, RosterProblem

log = logging.getLogger(__name__)


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


def solver_for(settings: SolverSettings) -> cp_model.CpSolver:
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = settings.time_limit_s
    solver.parameters.num_workers = settings.workers
    solver.parameters.random_seed = settings.seed
    return solver


def solve(roster_model: RosterModel, settings: SolverSettings) -> RosterResult:
    solver = solver_for(settings)
    started = time.perf_counter()
    progress = _Progress(started)
    status = solver.Solve(roster_model.model, progress)
    wall = time.perf_counter() - started
    found = status in (cp_model.OPTIMAL, cp_model.FEASIBLE)
    report = SolveReport(
        status=solver.StatusName(status),
        objective=solver.ObjectiveValue() / COST_SCALE if found else None,
        best_bound=solver.BestObjectiveBound() / COST_SCALE if found else None,
        wall_s=wall, time_to_best_s=progress.time_to_best,
        time_limit_s=settings.time_limit_s, workers=settings.workers, seed=settings.seed,
    )
    if not found:
        return RosterResult(report)
    return RosterResult(report, _shifts(roster_model, solver), _coverage(roster_model, solver),
                        _allocation(roster_model, solver), _breakdown(roster_model, solver))


def _shifts(rm: RosterModel, solver: cp_model.CpSolver) -> list[RosterShift]:
    chosen = []
    for agent in rm.agents:
        for date in rm.dates:
            for shift, var in rm.options(agent.agent_id, date):
                if solver.BooleanValue(var):
                    chosen.append(RosterShift(agent.agent_id, shift))
    return chosen


def _value(solver: cp_model.CpSolver, expr) -> int:
    return int(solver.Value(expr)) if not isinstance(expr, int) else expr


def _start(rm: RosterModel, t: int) -> pd.Timestamp:
    return pd.Timestamp(t * 60, unit="s", tz="UTC").tz_convert(rm.site.timezone)


def _coverage(rm: RosterModel, solver: cp_model.CpSolver) -> pd.DataFrame:
    rows = [{"queue": q, "start": _start(rm, t), "required": rm.requirement[(q, t)],
             "scheduled": _value(solver, expr)} for (q, t), expr in rm.coverage.items()]
    return pd.DataFrame(rows, columns=["queue", "start", "required", "scheduled"])


def _allocation(rm: RosterModel, solver: cp_model.CpSolver) -> pd.DataFrame:
    rows = [{"skills": ";".join(group), "queue": q, "start": _start(rm, t), "agents": _value(solver, expr)}
            for (group, q, t), expr in rm.allocation.items()]
    return pd.DataFrame(rows, columns=["skills", "queue", "start", "agents"])


def _breakdown(rm: RosterModel, solver: cp_model.CpSolver) -> dict[str, float]:
    totals: dict[str, float] = {}
    for term in rm.terms:
        totals[term.name] = totals.get(term.name, 0.0) + term.coefficient * solver.Value(term.variable) / COST_SCALE
    return totals
