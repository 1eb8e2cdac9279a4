"""Command line of the WFM engine: parses arguments and hands over to the library.

Each subcommand lives beside the code it drives (a `cli.py` module with
`register(subparsers)`); this file only collects them and turns a planner's
mistake (InputError) into a clear message and exit code 2.
"""
from __future__ import annotations

import argparse
import importlib
import logging
import sys

from common.errors import EXIT_USER_ERROR, InputError

# Modules that each add one or more subcommands, in the order --help lists them.
COMMAND_MODULES = [
    "reports.cli",             # plan, validate
    "reports.surge",           # surge
    "scheduler.staffing.cli",  # erlang
    "scheduler.calibration.cli",  # calibrate, calls-history
    "forecast.cli",            # forecast
    "scheduler.curtois.cli",   # curtois
    "scenarios.cli",           # scenarios
]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="run_schedule.py",
        description="Contact-centre workforce management: forecast, staffing, roster, report.",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="show debug logging")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(message)s", datefmt="%H:%M:%S",
        stream=sys.stderr,
    )
    if not getattr(args, "func", None):
        parser.print_help()
        return EXIT_USER_ERROR
    try:
        return int(args.func(args) or 0)
    except InputError as exc:
        print(f"error: {exc.message}", file=sys.stderr)
        return EXIT_USER_ERROR
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
