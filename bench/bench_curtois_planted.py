"""Large members of the Curtois family with a planted roster: our solver against CP-SAT's own parallel search.

Each case is generated (scheduler/curtois/generate.py, seed 1), so its planted roster's objective is an
upper bound on the optimum. Our solver (deterministic, seed 7, 2 workers) gets the time limit for the whole
solve, reading included; the baseline, measured in the same run, is CP-SAT's own parallel search (2 workers)
on the same lean model with the same limit (its build included), without our start. Rows: our checked
objective against the planted roster's and against CP-SAT's; our time to the first roster against CP-SAT's
(the limit when it found none); CP-SAT's objective against the planted roster's. The table's "best" is the
best known roster: the planted one, or either solver's when it is better (the planted roster is feasible by
construction, not optimal), and "gap %" is ours against it. Every roster is checked by the independent
checker.

    WFM_BENCH_PLANTED_S=60 WFM_BENCH_PLANTED_ONLY=52w python -m bench.bench_curtois_planted
"""
from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path

SEED, WORKERS = 7, 2
CASES = {"12w": (12, 100, 16), "26w": (26, 120, 24), "52w": (52, 150, 32)}    # weeks, staff, shift types


def _limit() -> float:
    return float(os.environ.get("WFM_BENCH_PLANTED_S", "60"))


def _cpsat(path: Path, limit: float) -> tuple[float | None, float | None, str, float]:
    """CP-SAT's own 2-worker search on the lean model: (objective checked, time to first, status, wall)."""
    from ortools.sat.python import cp_model

    from scheduler.curtois.importer import import_instance
    from scheduler.curtois.instance import read_instance
    from scheduler.curtois.model import CurtoisModel
    from scheduler.curtois.verify import verify

    started = time.perf_counter()
    cp = import_instance(read_instance(path))
    cm = CurtoisModel(cp, flow=None)

    class First(cp_model.CpSolverSolutionCallback):
        at: float | None = None

        def on_solution_callback(self) -> None:
            if self.at is None:
                self.at = time.perf_counter() - started

    solver = cp_model.CpSolver()
    solver.parameters.num_workers = WORKERS
    solver.parameters.random_seed = SEED
    solver.parameters.max_time_in_seconds = max(0.1, limit - (time.perf_counter() - started))
    first = First()
    status = solver.Solve(cm.model, first)
    wall = time.perf_counter() - started
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None, None, solver.StatusName(status), wall
    verdict = verify(cp, cm.roster(list(solver.ResponseProto().solution)))
    label = solver.StatusName(status) + ("" if verdict.feasible else f", {len(verdict.violations)} HARD VIOLATIONS")
    return float(verdict.objective.total), first.at, label, wall


def run() -> list[dict]:
    from scheduler.curtois.generate import generate
    from scheduler.curtois.importer import import_instance
    from scheduler.curtois.instance import read_instance
    from scheduler.curtois.search import solve_curtois
    from scheduler.curtois.verify import verify

    limit = _limit()
    only = {name.strip() for name in os.environ.get("WFM_BENCH_PLANTED_ONLY", "").split(",") if name.strip()}
    rows = []
    print(f"  planted Curtois instances, {limit:g} s per solve, {WORKERS} workers; ours seed {SEED} deterministic")
    print(f"  {'case':<16}{'planted':>9}{'best':>9}{'ours':>9}{'gap %':>7}{'bound':>8}{'first s':>8}{'best s':>7}"
          f"{'wall s':>7}  status | {'CP-SAT':>9}{'first s':>8}{'wall s':>7}  status")
    with tempfile.TemporaryDirectory() as folder:
        for key, (weeks, staff, types) in CASES.items():
            if only and key not in only:
                continue
            generated = generate(1, weeks=weeks, staff=staff, shift_types=types)
            path = Path(folder) / f"{generated.name}.txt"
            path.write_text(generated.text)
            started = time.perf_counter()
            cp = import_instance(read_instance(path))
            result = solve_curtois(cp, time_limit_s=limit, workers=WORKERS, seed=SEED, started=started)
            wall = time.perf_counter() - started
            planted = verify(cp, generated.planted)
            assert planted.feasible, planted.violations[:3]
            best_known = planted_objective = planted.objective.total
            ours, status = None, result.status
            if result.roster is not None:
                verdict = verify(cp, result.roster)
                ours = verdict.objective.total
                if not verdict.feasible:
                    status += f", {len(verdict.violations)} HARD VIOLATIONS"
                if result.objective is not None and abs(result.objective - ours) > 1e-6:
                    status += f" (solver said {result.objective:.0f})"
            if result.wall_cut:
                status += ", cut by the wall clock"
            theirs, their_first, their_status, their_wall = _cpsat(path, limit)
            name = f"{weeks}w {staff}e {types}t"
            fmt = (lambda v, spec: format(v, spec) if v is not None else format("-", spec.split(".")[0]))
            # the best known roster: the planted one, or whichever solver beat it in this run
            best_known = min(v for v in (best_known, ours, theirs) if v is not None)
            gap = 100.0 * (ours - best_known) / best_known if ours is not None and best_known else None
            print(f"  {name:<16}{planted_objective:>9}{best_known:>9.0f}{fmt(ours, '>9')}{fmt(gap, '>7.2f')}{fmt(result.bound, '>8.0f')}"
                  f"{fmt(result.time_to_first_s, '>8.1f')}{fmt(result.time_to_best_s, '>7.1f')}{wall:>7.1f}  {status}"
                  f" | {fmt(theirs, '>9.0f')}{fmt(their_first, '>8.1f')}{their_wall:>7.1f}  {their_status}", flush=True)
            if ours is not None:
                rows.append({"name": f"planted {name} objective ({limit:g} s, {status})", "value": float(ours),
                             "unit": "penalty", "baseline_name": "planted roster",
                             "baseline_value": float(planted_objective),
                             "ratio": ours / planted_objective if planted_objective else None})
                if theirs is not None:
                    rows.append({"name": f"planted {name} objective ({limit:g} s)", "value": float(ours),
                                 "unit": "penalty", "baseline_name": "CP-SAT parallel", "baseline_value": theirs,
                                 "ratio": ours / theirs if theirs else None})
            ours_first = result.time_to_first_s if result.time_to_first_s is not None else limit
            their_first_v = their_first if their_first is not None else limit
            rows.append({"name": f"planted {name} time to first roster"
                                 f"{'' if result.time_to_first_s is not None else ' (none within the limit)'}",
                         "value": ours_first, "unit": "s",
                         "baseline_name": "CP-SAT parallel" + ("" if their_first is not None else " (none: the limit)"),
                         "baseline_value": their_first_v, "ratio": ours_first / their_first_v})
            if theirs is not None:
                rows.append({"name": f"planted {name} CP-SAT parallel objective ({their_status})", "value": theirs,
                             "unit": "penalty", "baseline_name": "planted roster",
                             "baseline_value": float(planted_objective),
                             "ratio": theirs / planted_objective if planted_objective else None})
    return rows


if __name__ == "__main__":
    for row in run():
        print(row)
