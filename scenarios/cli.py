"""The `scenarios` subcommand: plan managers' what-ifs beside the base and compare them.

    run_schedule.py scenarios --site SITE.yaml --scenarios WHATIF.yaml --out DIR [--scheduler tcp://HOST:PORT]

Exit codes: 0 every scenario planned; 2 a mistake in the inputs or the scenario
file (nothing written); 3 some scenarios failed (each is reported, the rest are written).
"""
from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from common.args import iso_date, positive_int
from common.errors import InputError

log = logging.getLogger(__name__)

EXIT_SOME_FAILED = 3


def register(subparsers: argparse._SubParsersAction) -> None:
    from forecast.store import DEFAULT_DB
    from pipeline.inputs import DEFAULT_SITE

    parser = subparsers.add_parser(
        "scenarios", help="plan what-if scenarios beside the base site and compare service and cost",
        description="Each scenario (volume, AHT, goals, shrinkage, agents, shifts, contracts, rules, fairness, "
                    "opening hours; or the least headcount that meets the goals) runs the whole pipeline on a "
                    "changed copy of the site; the runs go in parallel and are compared side by side.",
        epilog="Exit codes: 0 all planned, 2 input mistake (nothing written), 3 some scenarios failed.")
    parser.add_argument("--site", type=Path, default=DEFAULT_SITE, help="site YAML (default: the bundled sample site)")
    parser.add_argument("--scenarios", type=Path, required=True, help="YAML file of named what-ifs")
    parser.add_argument("--out", type=Path, default=Path("out/scenarios"), help="output folder (default out/scenarios)")
    parser.add_argument("--history", type=Path, help="contact history CSV (default: the site YAML's)")
    parser.add_argument("--agents", type=Path, help="agents CSV (default: the site YAML's)")
    parser.add_argument("--time-off", type=Path, help="time-off CSV (default: the site YAML's)")
    parser.add_argument("--week-start", type=iso_date, help="first day of the week (default: the week after the history)")
    parser.add_argument("--time-limit", type=float, help="roster time limit per plan in seconds (default: the site's)")
    parser.add_argument("--scheduler", help="Dask scheduler address, e.g. tcp://10.0.0.5:8786 (default: local processes)")
    parser.add_argument("--parallel", type=positive_int,
                        help="local runs at once (default: cores / solver threads; 1 = one after another)")
    parser.add_argument("--solver-threads", type=positive_int, default=1,
                        help="roster search threads per run (default 1; results depend on it, not on --parallel)")
    parser.add_argument("--forecast-db", type=Path, default=DEFAULT_DB,
                        help=f"use the newest stored forecast when it covers the week (default {DEFAULT_DB})")
    parser.add_argument("--fresh-forecast", action="store_true", help="ignore the store and forecast from history")
    parser.set_defaults(func=scenarios_command)


def scenarios_command(args: argparse.Namespace) -> int:
    from common.io import check_output_folder, staged_output
    from pipeline.inputs import load_inputs
    from pipeline.plan import choose_dates
    from pipeline.quality import plan_gate, warnings_text
    from scenarios.compare import comparison_frame, terminal_table
    from scenarios.page import render_page
    from scenarios.runner import folders, run_scenarios
    from scenarios.spec import load_scenarios

    if args.time_limit is not None and args.time_limit <= 0:
        raise InputError("--time-limit", f"{args.time_limit:g} is not a positive number of seconds",
                         "use e.g. --time-limit 20")
    check_output_folder(args.out)
    base = load_inputs(args.site, args.history, args.agents, args.time_off)
    findings = plan_gate(base, choose_dates(base, args.week_start), args.week_start is not None)   # as plan does
    if warnings_text(findings):
        print(warnings_text(findings), file=sys.stderr)
    scenarios = load_scenarios(args.scenarios, base)
    run = run_scenarios(base, scenarios, week_start=args.week_start, time_limit_s=args.time_limit,
                        forecast_db=None if args.fresh_forecast else args.forecast_db, scheduler=args.scheduler,
                        parallel=args.parallel, solver_threads=args.solver_threads)
    names = folders(run.results)
    with staged_output(args.out) as staging:
        comparison_frame(run).to_csv(staging / "scenarios.csv", index=False)
        (staging / "scenarios.html").write_text(render_page(run, names), encoding="utf-8")
        for result in run.results:
            folder = staging / names[result.name]
            folder.mkdir()
            for name, data in result.files.items():
                (folder / name).write_bytes(data)
            if result.steps:
                import pandas as pd
                pd.DataFrame(result.steps).to_csv(folder / "headcount_search.csv", index=False)
    print(terminal_table(run))
    print(f"wrote {args.out / 'scenarios.csv'}, {args.out / 'scenarios.html'} and one plan folder per scenario")
    return EXIT_SOME_FAILED if run.failed else 0
