"""A linear CP-SAT model solved as an LP by GLOP: its optimum as a bound certified from the duals alone, and
its values made whole by diving. The aggregate roster model (scheduler/roster/bound.py) is solved this way:
its bound is the roster's lower bound and its whole counts are the greedy start's plan."""
from __future__ import annotations

import logging
import math
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Callable, Hashable

from ortools.linear_solver import pywraplp
from ortools.sat.python import cp_model

log = logging.getLogger(__name__)


def certified_bound(proto: Any, duals: list[float]) -> float:
    """A lower bound on the LP's optimum from its dual values alone (one per constraint), valid for any duals
    (Lagrangian duality): Σ_i y_i·(the side of row i its sign selects) + Σ_j min over x_j's bounds of its
    reduced cost × x_j. It does not trust the LP solver's tolerances: rounding in its duals can only weaken
    it."""
    total = [float(proto.objective.offset)]
    reduced = {j: float(c) for j, c in zip(proto.objective.vars, proto.objective.coeffs)}
    for c, y in zip(proto.constraints, duals):
        low, high = list(c.linear.domain)
        side = low if y > 0 else high
        if y == 0 or abs(side) >= cp_model.INT_MAX:      # no usable side: this row's dual counts as 0
            continue
        total.append(y * side)
        for j, a in zip(c.linear.vars, c.linear.coeffs):
            reduced[j] = reduced.get(j, 0.0) - y * a
    for j, rc in reduced.items():
        domain = list(proto.variables[j].domain)
        total.append(rc * (domain[0] if rc > 0 else domain[-1]))
    # fsum adds exactly; each product is within a relative 2^-52 of its true value, so the error is below
    # 1e-12 of the magnitudes summed.
    return math.fsum(total) - 1e-12 * math.fsum(abs(x) for x in total)


def solve_lp(model: cp_model.CpModel, time_limit_s: float, meanwhile: Callable[[], None] | None = None):
    """The model's LP relaxation, solved by GLOP (deterministic simplex): (status, solver, variables,
    rows). `meanwhile` runs on this thread while GLOP solves on another: the solve releases the
    GIL. Only the solve is overlapped: the whole aggregate built and solved beside other Python work took
    longer than the two one after the other (sample: 3.6 s against 3.1 s)."""
    proto = model.proto
    solver = pywraplp.Solver.CreateSolver("GLOP")
    variables = [solver.NumVar(v.domain[0], list(v.domain)[-1], v.name) for v in proto.variables]
    rows = []
    for c in proto.constraints:
        if not c.has_linear() or len(c.enforcement_literal) or len(c.linear.domain) != 2:
            raise ValueError("the model has a constraint that is not a plain linear range")
        low, high = list(c.linear.domain)
        row = solver.Constraint(-solver.infinity() if low <= cp_model.INT_MIN else low,
                                solver.infinity() if high >= cp_model.INT_MAX else high)
        for j, a in zip(c.linear.vars, c.linear.coeffs):
            row.SetCoefficient(variables[j], a)
        rows.append(row)
    objective = solver.Objective()
    for j, c in zip(proto.objective.vars, proto.objective.coeffs):
        objective.SetCoefficient(variables[j], c)
    objective.SetOffset(proto.objective.offset)
    objective.SetMinimization()
    solver.SetTimeLimit(max(1, round(time_limit_s * 1000)))
    if meanwhile is None:
        return solver.Solve(), solver, variables, rows
    with ThreadPoolExecutor(max_workers=1) as pool:
        solving = pool.submit(solver.Solve)
        meanwhile()
        return solving.result(), solver, variables, rows


DIVE_SURE = 0.25     # a fractional count within this of a whole number is rounded to it in the same round


def whole_values(solver, variables: list, counts: dict[Hashable, Any], deadline: float) -> dict[Hashable, float]:
    """The LP's values of `counts` (key -> model variable; in the aggregate, agents per group, day and shift)
    made whole by diving: fix the ones the LP has whole, round the ones nearly whole (else the one nearest a
    whole number), solve again (GLOP starts from the last basis, so a round is quick), until all are whole.
    Rounded to the nearest once, the 300-agent site's counts cost 674 k in the full model against the LP's
    331 k; a count the LP splits (2.4 agents) is where a roster made one agent at a time goes wrong. A round
    with no solution is undone and tried again with the nearest value alone, rounded, then the other way;
    the LP's own values are kept if that fails too or the deadline passes."""
    lp_counts = {key: variables[var.Index()].solution_value() for key, var in counts.items()}
    while time.perf_counter() < deadline:
        values = {key: variables[var.Index()].solution_value() for key, var in counts.items()}
        split = {key: value for key, value in values.items() if abs(value - round(value)) > 1e-6}
        if not split:
            return {key: float(round(value)) for key, value in values.items()}
        for key, value in values.items():
            if key not in split:
                variables[counts[key].Index()].SetBounds(round(value), round(value))
        nearest = min(split, key=lambda k: (abs(split[k] - round(split[k])), str(k)))
        sure = {key: round(value) for key, value in split.items() if abs(value - round(value)) <= DIVE_SURE}
        other = math.floor(split[nearest]) if round(split[nearest]) > split[nearest] else math.ceil(split[nearest])
        attempts = [sure] if len(sure) > 1 else []
        attempts += [{nearest: round(split[nearest])}, {nearest: other}]
        if not any(_fixed_solves(solver, variables, counts, attempt) for attempt in attempts):
            log.info("  LP dive: a rounding round found no whole values; the LP's own values are kept")
            break
    return lp_counts


def _fixed_solves(solver, variables: list, counts: dict, fixed: dict) -> bool:
    """Fix these counts and solve again; undo the fixing if the LP then has no solution."""
    bounds = {key: (variables[counts[key].Index()].lb(), variables[counts[key].Index()].ub()) for key in fixed}
    for key, value in fixed.items():
        variables[counts[key].Index()].SetBounds(value, value)
    if solver.Solve() == pywraplp.Solver.OPTIMAL:
        return True
    for key, (low, high) in bounds.items():
        variables[counts[key].Index()].SetBounds(low, high)
    return False
