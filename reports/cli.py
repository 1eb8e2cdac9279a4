"""The `plan` and `validate` subcommands."""
from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from common.args import iso_date
from common.errors import InputError
from common.io import check_output_folder
from forecast.store import DEFAULT_DB
from pipeline.inputs import DEFAULT_SITE, load_inputs
from pipeline.plan import choose_dates, raise_if_infeasible, run_plan
from pipeline.quality import plan_gate, warnings_text
from reports.explain import explain_shift
from reports.summary import summary_text
from reports.write import write_plan
from scheduler.roster.model import RosterProblem

log = logging.getLogger(__name__)


def _input_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--site", type=Path, default=DEFAULT_SITE, help="site YAML (default: the bundled sample site)")
    parser.add_argument("--history", type=Path, help="contact history CSV (default: the site YAML's files.history)")
    parser.add_argument("--agents", type=Path, help="agents CSV (default: the site YAML's files.agents)")
    parser.add_argument("--time-off", type=Path, help="time-off CSV (default: the site YAML's files.time_off)")
    parser.add_argument("--week-start", type=iso_date, help="first day of the week to plan (default: the week after the history)")


def register(subparsers: argparse._SubParsersAction) -> None:
    plan = subparsers.add_parser("plan", help="forecast, staff and roster the next week; write CSVs and an HTML report",
                                 description="Run the whole pipeline: forecast -> staffing -> roster -> checks -> report.")
    _input_arguments(plan)
    plan.add_argument("--out", type=Path, default=Path("out"), help="output folder (default: out/)")
    plan.add_argument("--time-limit", type=float, help="roster solver time limit in seconds (default: the site YAML's)")
    plan.add_argument("--forecast-db", type=Path, default=DEFAULT_DB,
                      help=f"use the newest stored forecast from the nightly batch when it covers the week "
                           f"(default {DEFAULT_DB}; forecast from history otherwise)")
    plan.add_argument("--fresh-forecast", action="store_true", help="ignore the store and forecast from history now")
    plan.set_defaults(func=plan_command)

    validate = subparsers.add_parser("validate", help="check the site YAML, agents, time off and history without planning",
                                     description="Validate every input file and that each agent's rules can hold.")
    _input_arguments(validate)
    validate.set_defaults(func=validate_command)

    explain = subparsers.add_parser("explain", help="why does an agent work a given day: coverage served, rules, cost",
                                    description="Explain one shift of a finished plan (reads --out from `plan`).")
    _input_arguments(explain)
    explain.add_argument("--out", type=Path, default=Path("out"), help="the plan's output folder (default: out/)")
    explain.add_argument("--agent", required=True, help="agent_id")
    explain.add_argument("--date", required=True, type=iso_date, help="the day, YYYY-MM-DD")
    explain.set_defaults(func=explain_command)


def plan_command(args: argparse.Namespace) -> int:
    if args.time_limit is not None and args.time_limit <= 0:
        raise InputError("--time-limit", f"{args.time_limit:g} is not a positive number of seconds", "use e.g. --time-limit 60")
    check_output_folder(args.out)
    inputs = load_inputs(args.site, args.history, args.agents, args.time_off)
    outcome = run_plan(inputs, args.week_start, args.time_limit, None if args.fresh_forecast else args.forecast_db)
    files = write_plan(outcome, args.out)
    if warnings_text(outcome.findings):
        print(warnings_text(outcome.findings), file=sys.stderr)
    print(summary_text(outcome))
    print("wrote " + ", ".join(str(f) for f in files))
    return 1 if outcome.violations else 0


def validate_command(args: argparse.Namespace) -> int:
    inputs = load_inputs(args.site, args.history, args.agents, args.time_off)
    dates = choose_dates(inputs, args.week_start)
    findings = plan_gate(inputs, dates, args.week_start is not None)   # the same gate plan runs
    raise_if_infeasible(RosterProblem(inputs.site, inputs.agents, inputs.time_off, dates, inputs.rules))
    history = inputs.history
    print(f"OK: {inputs.site.name}: {len(inputs.site.queues)} queues, {len(inputs.agents)} agents, "
          f"{len(inputs.time_off)} time-off requests, {len(inputs.rules)} rules; history {len(history)} rows "
          f"from {history['start'].min():%Y-%m-%d} to {history['start'].max():%Y-%m-%d}; every agent can be "
          f"rostered for {dates[0]} to {dates[-1]}"
          + (f"; {len(findings)} data-quality warning(s)" if findings else "; no data-quality findings"))
    if warnings_text(findings):
        print(warnings_text(findings), file=sys.stderr)
    return 0


def explain_command(args: argparse.Namespace) -> int:
    inputs = load_inputs(args.site, args.history, args.agents, args.time_off)
    print(explain_shift(inputs, args.out, args.agent, args.date))
    return 0
