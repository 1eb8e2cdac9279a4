"""The `curtois` subcommand: solve one Curtois & Qu instance, write the roster, print the checked objective."""
from __future__ import annotations

import argparse
import logging
import time
from pathlib import Path

from common.errors import InputError
from common.io import atomic_write_text, check_output_file
from scheduler.curtois.importer import check_complete, import_instance
from scheduler.curtois.instance import read_instance
from scheduler.curtois.objective import format_roster, read_roster
from scheduler.curtois.search import solve_curtois
from scheduler.curtois.verify import verify

log = logging.getLogger(__name__)


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "curtois", help="solve a Curtois & Qu staff-scheduling benchmark instance",
        description="Map a Curtois & Qu instance (schedulingbenchmarks.org format) onto the rule catalogue, solve it "
                    "(deterministic for a fixed --seed and --workers), write the roster as text and print the "
                    "objective recomputed from the written roster by independent checkers, with the solver's "
                    "status and bound. With --verify, check an existing roster file instead of solving.")
    p.add_argument("instance", type=Path, help="the instance file, e.g. Instance1.txt")
    p.add_argument("--time-limit", type=float, default=60.0, help="seconds for the whole solve (default 60)")
    p.add_argument("--out", type=Path, help="write the roster here: one line per employee, a shift ID or - per day")
    p.add_argument("--workers", type=int, default=2, help="parallel solver workers (default 2)")
    p.add_argument("--seed", type=int, default=7, help="random seed (default 7)")
    p.add_argument("--parallel-cpsat", action="store_true",
                   help="use CP-SAT's own multi-threaded search: often faster, NOT reproducible run to run")
    p.add_argument("--verify", type=Path, metavar="ROSTER", help="check this roster file; do not solve")
    p.set_defaults(func=run)


def _report(cp, roster) -> bool:
    verdict = verify(cp, roster)
    parts = verdict.objective
    print(f"objective {parts.total} (checked from the roster: on-requests {parts.on_requests}, "
          f"off-requests {parts.off_requests}, under-cover {parts.under_cover}, over-cover {parts.over_cover})")
    if verdict.violations:
        print(f"hard rules: {len(verdict.violations)} violation(s)")
        for v in verdict.violations[:20]:
            print(f"  {v.rule}: {v.agent_id} {v.date or ''} {v.message}")
    else:
        print(f"hard rules: all {len(cp.problem.rules)} rules hold")
    return verdict.feasible


def run(args: argparse.Namespace) -> int:
    started = time.perf_counter()          # the limit covers reading, building, the start and the search
    if args.out is not None:
        check_output_file(args.out)
    instance = read_instance(args.instance)
    for warning in check_complete(instance):
        log.warning("%s", warning)
    cp = import_instance(instance)
    if args.verify is not None:
        return 0 if _report(cp, read_roster(instance, args.verify)) else 1
    if args.time_limit <= 0:
        raise InputError("--time-limit", f"{args.time_limit:g} is not a positive number of seconds", "use e.g. 60")
    if args.out is not None and args.out.parent and not args.out.parent.exists():
        raise InputError(str(args.out), "its folder does not exist", "create the folder or choose another --out")
    result = solve_curtois(cp, time_limit_s=args.time_limit, workers=args.workers, seed=args.seed,
                           parallel_cpsat=args.parallel_cpsat, started=started)
    bound = f"{result.bound:.0f}" if result.bound is not None else "-"
    gap = f"{100 * result.gap:.2f} %" if result.gap is not None else "-"
    first = f"{result.time_to_first_s:.1f} s" if result.time_to_first_s is not None else "-"
    best = f"{result.time_to_best_s:.1f} s" if result.time_to_best_s is not None else "-"
    mode = "CP-SAT parallel" if args.parallel_cpsat else (
        "deterministic budget, cut short by the wall clock" if result.wall_cut else "deterministic")
    print(f"{instance.name}: status {result.status}, solver objective "
          f"{result.objective if result.objective is None else f'{result.objective:.0f}'}, bound {bound}, gap {gap}, "
          f"first roster {first}, best {best}, wall {time.perf_counter() - started:.1f} s "
          f"(limit {args.time_limit:g} s, {args.workers} workers, seed {args.seed}, {mode})")
    if result.message:
        print(result.message)
    if result.roster is None:
        if result.status == "UNKNOWN":
            print("no roster found within the limit (the instance may still have one: try a longer --time-limit)")
        return 1
    if args.out is not None:
        atomic_write_text(args.out, format_roster(instance, result.roster))
        print(f"wrote {args.out}")
    return 0 if _report(cp, result.roster) else 1
