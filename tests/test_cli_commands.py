"""The command line imports only the module of the command asked for, so each command's table must be true."""
from __future__ import annotations

import argparse
import importlib

import run_schedule


def _registered(module: str) -> set[str]:
    parser = argparse.ArgumentParser()
    subparsers = parser.add_subparsers(dest="command")
    importlib.import_module(module).register(subparsers)
    return set(subparsers.choices)


def test_every_command_is_registered_by_the_module_the_table_names():
    for module in run_schedule.COMMAND_MODULES:
        named = {c for c, m in run_schedule.COMMANDS.items() if m == module}
        assert _registered(module) == named, module


def test_help_lists_every_command_and_a_command_parses_alone(capsys):
    assert run_schedule.main([]) == 2          # no command: the help, exit 2
    out = capsys.readouterr().out
    for command in run_schedule.COMMANDS:
        assert command in out
    args = run_schedule.build_parser("erlang").parse_args(["erlang", "--calls", "100", "--aht-s", "180",
                                                            "--interval-s", "1800"])
    assert args.command == "erlang"
