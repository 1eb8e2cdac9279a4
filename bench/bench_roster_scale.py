"""Roster solver at contact-centre scale: 300 agents, 3 queues, 7 days of 15-minute intervals,
breaks and lunches (bench/scale_site.py). Reports time to the first feasible roster, then cost,
bound and gap after each time limit, beside CP-SAT's own multi-threaded search on the same model,
start and limit (not reproducible run to run; ours is).

    python -m bench.bench_roster_scale          # limits from WFM_BENCH_SCALE_LIMITS, default "60,300"
"""
from __future__ import annotations

import dataclasses
import logging
import os
import time

from bench.scale_site import scale_problem
from scheduler.roster import lns
from scheduler.roster.model import RosterModel
from scheduler.roster.solve import solve, start_roster

log = logging.getLogger(__name__)


def _build(problem):
    started = time.perf_counter()
    rm = RosterModel(problem)
    rm.add_rules()
    rm.add_coverage()
    rm.minimize()
    return rm, time.perf_counter() - started


def run() -> list[dict]:
    limits = [float(x) for x in os.environ.get("WFM_BENCH_SCALE_LIMITS", "60,300").split(",")]
    problem = scale_problem()
    rows = []
    print(f"  {len(problem.agents)} agents, {len(problem.requirements)} queue-intervals, "
          f"{problem.requirements['agents'].sum() * problem.site.interval_min / 60:,.0f} agent-hours required")
    rm, build_s = _build(problem)
    print(f"  model: {len(rm.model.proto.variables):,} variables, {len(rm.model.proto.constraints):,} constraints, "
          f"built in {build_s:.1f} s")
    started = time.perf_counter()
    start = start_roster(rm)
    first_s = time.perf_counter() - started
    start_cost = lns._objective_of(rm.model, start) / 100 if start is not None else float("nan")
    total_s = build_s + first_s
    rows.append({"name": "time to first feasible roster (model build + greedy + break placement)", "value": total_s,
                 "unit": "s", "baseline_name": "aim", "baseline_value": 30.0, "ratio": total_s / 30.0})
    print(f"  first roster: cost {start_cost:,.0f} after {first_s:.1f} s (+{build_s:.1f} s model build)")
    for limit in limits:
        settings = dataclasses.replace(problem.site.solver, time_limit_s=limit, deterministic=True)
        ours = solve(rm, settings, start).report
        theirs = solve(rm, dataclasses.replace(settings, deterministic=False), start).report
        print(f"  {limit:g} s: ours {ours.status} cost {ours.objective:,.0f} bound {ours.best_bound:,.0f} "
              f"gap {ours.gap:.2%} ({ours.wall_s:.0f} s wall) | CP-SAT parallel {theirs.status} cost "
              f"{theirs.objective if theirs.objective is not None else float('nan'):,.0f} bound "
              f"{theirs.best_bound if theirs.best_bound is not None else float('nan'):,.0f} "
              f"gap {(theirs.gap if theirs.gap is not None else float('nan')):.2%}")
        if ours.objective is not None:
            rows.append({"name": f"cost after {limit:g} s (deterministic)", "value": ours.objective, "unit": "",
                         "baseline_name": "CP-SAT parallel search from the same start, same limit",
                         "baseline_value": theirs.objective if theirs.objective is not None else float("nan"),
                         "ratio": ours.objective / theirs.objective if theirs.objective else float("nan")})
            rows.append({"name": f"gap to bound after {limit:g} s", "value": (ours.gap or 0.0) * 100, "unit": "%",
                         "baseline_name": "aim (5 min)", "baseline_value": 2.0,
                         "ratio": (ours.gap or 0.0) * 100 / 2.0})
            rows.append({"name": f"lower bound after {limit:g} s", "value": ours.best_bound, "unit": "",
                         "baseline_name": "CP-SAT parallel bound",
                         "baseline_value": theirs.best_bound if theirs.best_bound is not None else float("nan"),
                         "ratio": (ours.best_bound / theirs.best_bound) if theirs.best_bound else float("nan")})
    return rows


if __name__ == "__main__":
    logging.basicConfig(level=logging.WARNING)
    for row in run():
        print(row)
