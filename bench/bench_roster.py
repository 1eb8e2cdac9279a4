"""Curtois & Qu staff-scheduling benchmark: Instance1-10 solved through the rule catalogue, against the proven optima.

Each instance is solved deterministically (seed 7, 2 workers) under a time limit of
60 s (WFM_BENCH_CURTOIS_S overrides it; WFM_BENCH_CURTOIS_ONLY=Instance1,Instance4
picks instances). The objective is recomputed from the written roster by the
independent checker and every hard rule is checked; the baseline is the published
optimum from ../shared/data/curtois/best_known.csv, ratio = ours / optimum.

    python -m bench.bench_roster
"""
from __future__ import annotations

import csv
import os
import time
from pathlib import Path

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "curtois"
SEED, WORKERS = 7, 2


def _limit() -> float:
    return float(os.environ.get("WFM_BENCH_CURTOIS_S", "60"))


def run() -> list[dict]:
    from scheduler.curtois.importer import import_instance
    from scheduler.curtois.instance import read_instance
    from scheduler.curtois.search import solve_curtois
    from scheduler.curtois.verify import verify

    best_known = DATA / "best_known.csv"
    if not best_known.exists():
        print(f"  skipped: {DATA} not found (the Curtois instances live in ../shared/data/curtois)")
        return []
    with best_known.open() as handle:
        optima = {row["instance"]: int(row["optimum"])
                  for row in csv.DictReader(line for line in handle if not line.startswith("#"))}
    only = {name.strip() for name in os.environ.get("WFM_BENCH_CURTOIS_ONLY", "").split(",") if name.strip()}
    limit = _limit()
    rows, table = [], []
    print(f"  Curtois & Qu, {limit:g} s per instance, {WORKERS} workers, seed {SEED}, deterministic search")
    header = (f"  {'instance':<11}{'optimum':>8}{'ours':>8}{'gap %':>8}{'bound':>8}{'first s':>8}{'to best s':>10}"
              f"{'wall s':>8}  status")
    print(header)
    for name in sorted(optima, key=lambda n: int(n.removeprefix("Instance"))):
        if only and name not in only:
            continue
        path = DATA / f"{name}.txt"
        if not path.exists():
            print(f"  {name}: file missing, skipped")
            continue
        started = time.perf_counter()
        instance = read_instance(path)          # the limit covers reading and importing, as in the command
        cp = import_instance(instance)
        result = solve_curtois(cp, time_limit_s=limit, workers=WORKERS, seed=SEED, started=started)
        wall = time.perf_counter() - started
        if result.roster is None:
            print(f"  {name:<11}{optima[name]:>8}{'-':>8}{'-':>8}{'-':>8}{'-':>8}{'-':>10}{wall:>8.1f}  {result.status}")
            continue
        verdict = verify(cp, result.roster)
        ours = verdict.objective.total
        status = result.status if verdict.feasible else f"{result.status}, {len(verdict.violations)} HARD VIOLATIONS"
        if result.objective is not None and abs(result.objective - ours) > 1e-6:
            status += f" (solver said {result.objective:.0f})"
        gap = 100.0 * (ours - optima[name]) / optima[name]
        bound = f"{result.bound:.0f}" if result.bound is not None else "-"
        to_best = result.time_to_best_s if result.time_to_best_s is not None else 0.0
        if result.wall_cut:
            status += ", cut short by the wall clock"
        first = result.time_to_first_s if result.time_to_first_s is not None else 0.0
        print(f"  {name:<11}{optima[name]:>8}{ours:>8}{gap:>8.2f}{bound:>8}{first:>8.1f}{to_best:>10.1f}{wall:>8.1f}"
              f"  {status}", flush=True)
        table.append((name, optima[name], ours, gap, to_best, status))
        rows.append({"name": f"curtois {name} objective ({limit:g} s, status {status})", "value": float(ours),
                     "unit": "penalty", "baseline_name": "published optimum", "baseline_value": float(optima[name]),
                     "ratio": ours / optima[name]})
    if table:
        at_optimum = sum(1 for _, opt, ours, *_ in table if ours == opt)
        proved = sum(1 for *_, status in table if status.startswith("OPTIMAL"))
        print(f"  at the optimum: {at_optimum}/{len(table)}; proved optimal by the solver: {proved}/{len(table)}")
    return rows


if __name__ == "__main__":
    for row in run():
        print(row)
