"""A linear CP-SAT model solved as an LP by GLOP: its optimum as a bound certified from the duals alone, and
its values made whole by diving. The aggregate roster model (scheduler/roster/bound.py) is solved this way:
its bound is the roster's lower bound and its whole counts are the greedy start's plan."""
from __future__ import annotations

import logging
import math
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Callable, Hashable

import numpy as np
from ortools.linear_solver import linear_solver_pb2, pywraplp
from ortools.sat.python import cp_model

from common.cpsat import readable_proto

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class LinearRows:
    """A linear CP-SAT model's rows and bounds as arrays, read off its proto once: what the LP is loaded
    from and what its bound is certified on."""
    row_ptr: np.ndarray      # row i's entries are [row_ptr[i], row_ptr[i + 1])
    columns: np.ndarray
    coefficients: np.ndarray
    low: np.ndarray          # each row's range, ±inf where the model leaves a side open
    high: np.ndarray
    var_low: np.ndarray
    var_high: np.ndarray
    cost: np.ndarray         # the objective's coefficient of each variable
    offset: float


def linear_rows(proto: Any) -> LinearRows:
    """Raises ValueError when a constraint is not a plain linear range (the LP would not be the model's)."""
    lengths, columns, coefficients, low, high = [], [], [], [], []
    for c in proto.constraints:
        if c.WhichOneof("constraint") != "linear" or len(c.enforcement_literal) or len(c.linear.domain) != 2:
            raise ValueError("the model has a constraint that is not a plain linear range")
        lo, hi = c.linear.domain
        low.append(-math.inf if lo <= cp_model.INT_MIN else lo)
        high.append(math.inf if hi >= cp_model.INT_MAX else hi)
        lengths.append(len(c.linear.vars))
        columns.extend(c.linear.vars)
        coefficients.extend(c.linear.coeffs)
    row_ptr = np.zeros(len(lengths) + 1, dtype=np.int64)
    np.cumsum(lengths, out=row_ptr[1:])
    domains = [list(v.domain) for v in proto.variables]
    cost = np.zeros(len(domains))
    np.add.at(cost, np.asarray(proto.objective.vars, dtype=np.int64),
              np.asarray(proto.objective.coeffs, dtype=float))
    return LinearRows(row_ptr, np.asarray(columns, dtype=np.int64), np.asarray(coefficients, dtype=float),
                      np.asarray(low, dtype=float), np.asarray(high, dtype=float),
                      np.array([d[0] for d in domains], dtype=float), np.array([d[-1] for d in domains], dtype=float),
                      cost, float(proto.objective.offset))


def certified_bound(rows: LinearRows, duals: list[float]) -> float:
    """A lower bound on the LP's optimum from its dual values alone (one per constraint), valid for any duals
    (Lagrangian duality): Σ_i y_i·(the side of row i its sign selects) + Σ_j min over x_j's bounds of its
    reduced cost × x_j. It does not trust the LP solver's tolerances: rounding in its duals can only weaken
    it."""
    y = np.asarray(duals, dtype=float)
    side = np.where(y > 0, rows.low, rows.high)
    usable = (y != 0) & np.isfinite(side)          # no usable side: this row's dual counts as 0
    y = np.where(usable, y, 0.0)
    row_of = np.repeat(np.arange(len(y)), np.diff(rows.row_ptr))
    reduced = rows.cost - np.bincount(rows.columns, weights=y[row_of] * rows.coefficients,
                                      minlength=len(rows.cost))
    total = [rows.offset] + (y[usable] * side[usable]).tolist()
    total += (reduced * np.where(reduced > 0, rows.var_low, rows.var_high))[reduced != 0].tolist()
    # fsum adds exactly; each product is within a relative 2^-52 of its true value, so the error is below
    # 1e-12 of the magnitudes summed.
    return math.fsum(total) - 1e-12 * math.fsum(abs(x) for x in total)


def solve_lp(model: cp_model.CpModel, time_limit_s: float, meanwhile: Callable[[], None] | None = None):
    """The model's LP relaxation, solved by GLOP (deterministic simplex): (status, solver, variables,
    constraints, rows). `meanwhile` runs on this thread while GLOP solves on another: the solve releases the
    GIL. Only the solve is overlapped: the whole aggregate built and solved beside other Python work took
    longer than the two one after the other (sample: 3.6 s against 3.1 s). The LP is loaded as one proto
    (row by row through pywraplp, the sample's 165 k coefficients took 0.7 s)."""
    proto = readable_proto(model)
    rows = linear_rows(proto)
    lp = linear_solver_pb2.MPModelProto()
    for v, low, high, cost in zip(proto.variables, rows.var_low.tolist(), rows.var_high.tolist(), rows.cost.tolist()):
        var = lp.variable.add()
        var.lower_bound, var.upper_bound, var.name = low, high, v.name
        if cost:
            var.objective_coefficient = cost
    for c, lo, hi in zip(proto.constraints, rows.low.tolist(), rows.high.tolist()):
        row = lp.constraint.add()
        row.lower_bound, row.upper_bound = lo, hi
        row.var_index.extend(c.linear.vars)
        row.coefficient.extend(c.linear.coeffs)
    lp.objective_offset = rows.offset
    solver = pywraplp.Solver.CreateSolver("GLOP")
    error = solver.LoadModelFromProto(lp)
    if error:
        raise ValueError(f"the LP could not be loaded: {error}")
    solver.SetTimeLimit(max(1, round(time_limit_s * 1000)))
    variables, constraints = solver.variables(), solver.constraints()
    if meanwhile is None:
        return solver.Solve(), solver, variables, constraints, rows
    with ThreadPoolExecutor(max_workers=1) as pool:
        solving = pool.submit(solver.Solve)
        meanwhile()
        return solving.result(), solver, variables, constraints, rows


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
