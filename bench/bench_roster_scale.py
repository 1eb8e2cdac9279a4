"""Roster stage at contact-centre scale: the bundled sample site (90 agents, 30-minute intervals) and the
300-agent, 3-queue, 15-minute site with breaks and lunches (bench/scale_site.py).

Each site and limit runs the whole roster stage as `plan` does (model build, aggregate LP, start, search,
proof: scheduler.roster.solve.solve_roster), ours deterministic beside CP-SAT's own parallel search from the
same start within the same limit (not reproducible run to run; ours is). Reported: the time to the first
roster, the cost, the bound and which relaxation gave it, the gap, and the stage's wall time against the limit.

    python -m bench.bench_roster_scale     # limits from WFM_BENCH_SCALE_LIMITS (default "60,300"), and the
                                           # sample's from WFM_BENCH_SAMPLE_LIMITS (default "5,60,300")
"""
from __future__ import annotations

import dataclasses
import logging
import os

import pandas as pd

from bench.scale_site import scale_problem
from scheduler.roster.model import RosterProblem
from scheduler.roster.solve import SolveReport, solve_roster

log = logging.getLogger(__name__)


def sample_problem() -> RosterProblem:
    """The bundled sample site's next week with the requirements `plan` computes for it."""
    from pipeline.inputs import load_inputs
    from pipeline.plan import choose_dates, forecast_on_grid, make_forecast
    from scheduler.staffing.requirements import requirements_frame

    inputs = load_inputs()
    dates = choose_dates(inputs, None)
    forecast = forecast_on_grid(inputs, dates, make_forecast(inputs, dates, None).raw)
    problem = RosterProblem(inputs.site, inputs.agents, inputs.time_off, dates, inputs.rules)
    problem.requirements = requirements_frame(forecast, inputs.site.queues, inputs.site.interval_min)
    return problem


def _stage(problem: RosterProblem, limit: float, deterministic: bool) -> SolveReport:
    solver = dataclasses.replace(problem.site.solver, time_limit_s=limit, deterministic=deterministic)
    site = dataclasses.replace(problem.site, solver=solver)
    return solve_roster(dataclasses.replace(problem, site=site, requirements=pd.DataFrame(problem.requirements))).report


def _number(value: float | None) -> str:
    return f"{value:,.0f}" if value is not None else "-"


def _share(value: float | None) -> str:
    return f"{value:.2%}" if value is not None else "-"


def _limits(name: str, default: str) -> list[float]:
    return [float(x) for x in os.environ.get(name, default).split(",") if x.strip()]


def run() -> list[dict]:
    rows = []
    sites = [("sample", sample_problem, _limits("WFM_BENCH_SAMPLE_LIMITS", "5,60,300")),
             ("300 agents", scale_problem, _limits("WFM_BENCH_SCALE_LIMITS", "60,300"))]
    print(f"  {'site':<11}{'limit':>6}{'first s':>8}{'cost':>10}{'bound':>10}  {'bound from':<13}{'gap':>7}"
          f"{'wall s':>8}{'wall/limit':>11}  | CP-SAT parallel: cost, bound, gap, wall s")
    for name, make, limits in sites:
        problem = make()
        for limit in limits:
            ours = _stage(problem, limit, True)
            theirs = _stage(problem, limit, False)
            note = " (cut by the wall clock)" if ours.wall_clock_cut else ""
            note += " (no search: the limit only allowed the first roster)" if not ours.searched else ""
            print(f"  {name:<11}{limit:>6g}{ours.setup_s:>8.1f}{_number(ours.objective):>10}"
                  f"{_number(ours.best_bound):>10}  {ours.bound_source:<13}{_share(ours.gap):>7}{ours.wall_s:>8.1f}"
                  f"{ours.wall_s / limit:>11.2f}  | {_number(theirs.objective)}, {_number(theirs.best_bound)}, "
                  f"{_share(theirs.gap)}, {theirs.wall_s:.1f}{note}", flush=True)
            rows.append({"name": f"{name}: roster cost at {limit:g} s (deterministic)", "value": ours.objective,
                         "unit": "", "baseline_name": "CP-SAT parallel search from the same start, same limit",
                         "baseline_value": theirs.objective,
                         "ratio": ours.objective / theirs.objective if theirs.objective else float("nan")})
            rows.append({"name": f"{name}: gap to the {ours.bound_source} bound at {limit:g} s", "unit": "%",
                         "value": (ours.gap or 0.0) * 100, "baseline_name": "CP-SAT parallel's gap to its own bound",
                         "baseline_value": (theirs.gap or 0.0) * 100,
                         "ratio": (ours.gap or 0.0) / theirs.gap if theirs.gap else float("nan")})
            rows.append({"name": f"{name}: roster stage wall time at {limit:g} s", "value": ours.wall_s, "unit": "s",
                         "baseline_name": "the limit plus 10%", "baseline_value": limit * 1.1,
                         "ratio": ours.wall_s / (limit * 1.1)})
            rows.append({"name": f"{name}: time to the first roster at {limit:g} s", "value": ours.setup_s,
                         "unit": "s", "baseline_name": "aim", "baseline_value": 30.0, "ratio": ours.setup_s / 30.0})
    return rows


if __name__ == "__main__":
    logging.basicConfig(level=logging.WARNING)
    for row in run():
        print(row)
