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

# Each subcommand and the module that adds it, in the order --help lists them. A command imports only its
# own module: importing every room took seconds that a time-limited command (curtois, surge) does not have.
COMMANDS = {
    "plan": "reports.cli", "validate": "reports.cli", "explain": "reports.cli",
    "surge": "reports.surge",
    "erlang": "scheduler.staffing.cli",
    "calibrate": "scheduler.calibration.cli", "calls-history": "scheduler.calibration.cli",
    "forecast": "forecast.cli",
    "curtois": "scheduler.curtois.cli",
    "scenarios": "scenarios.cli",
}
COMMAND_MODULES = list(dict.fromkeys(COMMANDS.values()))


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The parser with `command`'s module registered, or every module's when no known command is asked."""
    parser = argparse.ArgumentParser(
        prog="run_schedule.py",
        description="Contact-centre workforce management: forecast, staffing, roster, report.",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="show debug logging")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in [COMMANDS[command]] if command in COMMANDS else COMMAND_MODULES:
        importlib.import_module(name).register(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    command = next((a for a in argv if not a.startswith("-")), None)
    parser = build_parser(command)
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
