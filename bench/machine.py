"""How fast this machine is, printed before the benchmarks: their wall times against a time limit depend on it.

The ratios `make bench` prints compare two things measured in the same run, so they hold on any machine; the
wall times against a limit do not, and the stages' deterministic budgets were calibrated on one machine
(scheduler/roster/solve.py, scheduler/curtois/search.py). Two fixed workloads say how this machine compares:
pure Python (the model builds and the greedy start are Python) and CP-SAT's single-threaded search (its
deterministic seconds per wall second, which the deterministic budgets count on).
"""
from __future__ import annotations

import random
import time

PYTHON_ADDITIONS = 10_000_000
CPSAT_DET_S = 1.0


def python_s() -> float:
    """Wall seconds for a fixed pure-Python loop."""
    started = time.perf_counter()
    total = 0
    for number in range(PYTHON_ADDITIONS):
        total += number
    return time.perf_counter() - started


def cpsat_det_per_s() -> float:
    """CP-SAT's deterministic seconds per wall second on a fixed model (single thread, fixed seed): a
    random multi-knapsack that does not close within the budget."""
    from ortools.sat.python import cp_model

    rng = random.Random(1)
    model = cp_model.CpModel()
    items = [model.new_bool_var(f"x{i}") for i in range(300)]
    for _ in range(30):
        weights = [rng.randint(1, 60) for _ in items]
        model.add(sum(w * x for w, x in zip(weights, items)) <= sum(weights) // 3)
    model.maximize(sum(rng.randint(1, 100) * x for x in items))
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.random_seed = 1
    solver.parameters.max_deterministic_time = CPSAT_DET_S
    started = time.perf_counter()
    solver.solve(model)
    return solver.response_proto.deterministic_time / (time.perf_counter() - started)


def describe() -> str:
    return (f"machine: {python_s():.2f} s for {PYTHON_ADDITIONS:,} Python additions; CP-SAT "
            f"{cpsat_det_per_s():.2f} deterministic s per wall s (one thread)")


if __name__ == "__main__":
    print(describe())
