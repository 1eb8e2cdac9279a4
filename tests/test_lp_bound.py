"""The LP bound certified from duals alone (scheduler/roster/lp.py): equal to the LP's optimum at GLOP's duals,
never above it at any duals (weak duality), and never above the best whole solution, found by enumeration."""
from __future__ import annotations

import itertools
import random

from hypothesis import given, settings, strategies as st
from ortools.linear_solver import pywraplp
from ortools.sat.python import cp_model

from scheduler.roster.lp import certified_bound, solve_lp


def _random_model(seed: int) -> tuple[cp_model.CpModel, list, list]:
    """(model, its variables, their costs): a few whole variables under random linear rows."""
    rng = random.Random(seed)
    model = cp_model.CpModel()
    xs = [model.new_int_var(0, rng.randint(1, 3), f"x{i}") for i in range(4)]
    for _ in range(rng.randint(1, 4)):
        coeffs = [rng.randint(-3, 4) for _ in xs]
        low = rng.randint(-2, 3)
        expr = sum(c * x for c, x in zip(coeffs, xs))
        if rng.random() < 0.5:
            model.add(expr >= low)
        else:
            model.add_linear_constraint(expr, low, low + rng.randint(0, 6))
    cost = [rng.randint(-5, 9) for _ in xs]
    model.minimize(sum(c * x for c, x in zip(cost, xs)) + 7)
    return model, xs, cost


def _whole_optimum(model: cp_model.CpModel, xs: list, cost: list) -> float | None:
    """The best whole solution by enumeration, read against the model's own constraints."""
    proto = model.proto
    best = None
    for values in itertools.product(*[range(int(list(x.proto.domain)[-1]) + 1) for x in xs]):
        ok = all(list(c.linear.domain)[0] <= sum(a * values[j] for j, a in zip(c.linear.vars, c.linear.coeffs))
                 <= list(c.linear.domain)[-1] for c in proto.constraints)
        if ok:
            value = sum(c * v for c, v in zip(cost, values)) + 7
            best = value if best is None else min(best, value)
    return best


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 10_000), st.integers(0, 10_000))
def test_certified_bound_is_the_lp_optimum_and_never_above_any_solution(seed, dual_seed):
    model, xs, cost = _random_model(seed)
    status, solver, _, constraints, rows = solve_lp(model, 10.0)
    whole = _whole_optimum(model, xs, cost)
    if status != pywraplp.Solver.OPTIMAL:
        assert whole is None or status == pywraplp.Solver.UNBOUNDED
        return
    optimum = solver.Objective().Value()
    duals = [row.dual_value() for row in constraints]
    assert abs(certified_bound(rows, duals) - optimum) <= 1e-6 * max(1.0, abs(optimum))
    if whole is not None:
        assert certified_bound(rows, duals) <= whole + 1e-9
    rng = random.Random(dual_seed)
    assert certified_bound(rows, [rng.uniform(-5, 5) for _ in duals]) <= optimum + 1e-9
