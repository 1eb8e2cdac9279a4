"""The erlang calculator subcommand and the service-goal keys the staffing engine reads."""
from __future__ import annotations

import argparse
import json

import pytest

from common.errors import InputError
from rules.service_goal import parse_service_goal
from scheduler.staffing import cli


def _run(argv: list[str], capsys) -> tuple[int, str, str]:
    parser = argparse.ArgumentParser()
    cli.register(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["erlang", *argv])
    try:
        code = args.func(args)
    except InputError as exc:
        return 2, "", exc.message
    out = capsys.readouterr()
    return code, out.out, out.err


def test_metrics_for_given_agents_as_json(capsys):
    code, out, _ = _run(["--calls", "400", "--interval-s", "1800", "--aht-s", "257", "--agents", "62", "--json"],
                        capsys)
    data = json.loads(out)
    assert code == 0
    assert {"agents", "offered_load", "prob_wait", "service_level", "asa_s", "occupancy"} <= set(data)
    assert data["agents"] == 62 and data["offered_load"] == pytest.approx(57.1111, abs=1e-4)
    assert data["service_level"] == pytest.approx(0.713, abs=5e-4)      # published: 0.713
    assert data["asa_s"] == pytest.approx(22.1, abs=0.05)               # published: 22.1


def test_agents_for_a_goal_and_erlang_a(capsys):
    code, out, _ = _run(["--calls", "100", "--interval-s", "1800", "--aht-s", "180", "--sl", "0.8", "--target-s",
                         "19.8", "--max-occupancy", "0.85", "--json"], capsys)
    assert code == 0 and json.loads(out)["agents"] == 14                # pyworkforce's published requirement
    code, out, _ = _run(["--calls", "100", "--interval-s", "1800", "--aht-s", "180", "--agents", "14",
                         "--patience-s", "300", "--json"], capsys)
    data = json.loads(out)
    assert data["prob_abandon"] == pytest.approx(0.013984, abs=5e-7)
    assert data["service_level"] == pytest.approx(0.916792, abs=5e-7)
    code, out, _ = _run(["--calls", "400", "--aht-s", "257", "--sl", "0.8", "--target-s", "20", "--patience-s",
                         "60", "--max-abandon", "0.03"], capsys)
    assert code == 0 and "Erlang A" in out and "P(abandon)" in out


@pytest.mark.parametrize("argv", [
    ["--calls", "-1", "--aht-s", "100", "--agents", "3"],
    ["--calls", "10", "--aht-s", "0", "--agents", "3"],
    ["--calls", "400", "--aht-s", "257", "--agents", "57"],               # below the load, Erlang C
    ["--calls", "10", "--aht-s", "100"],                                   # neither agents nor goal
    ["--calls", "10", "--aht-s", "100", "--agents", "3", "--sl", "0.8"],   # both
    ["--calls", "10", "--aht-s", "100", "--sl", "1.5"],
    ["--calls", "10", "--aht-s", "100", "--max-abandon", "0.05"],          # needs patience
    ["--calls", "10", "--aht-s", "100", "--agents", "2.5"],
])
def test_bad_values_are_input_errors(argv, capsys):
    code, _, message = _run(argv, capsys)
    assert code == 2 and message


def test_below_the_load_is_fine_with_abandonment(capsys):
    code, out, _ = _run(["--calls", "400", "--aht-s", "257", "--agents", "50", "--patience-s", "60", "--json"], capsys)
    assert code == 0 and 0 < json.loads(out)["prob_abandon"] < 1


def test_service_goal_keys_parse_and_refuse_mixtures():
    g = parse_service_goal({"service_level": 0.8, "target_s": 20, "patience_s": 90, "max_abandon": 0.05,
                            "sl_convention": "offered_minus_short_abandons", "short_abandon_s": 5,
                            "uncertainty_level": 0.9}, "q")
    assert g.model == "erlang_a" and g.short_abandon_s == 5 and g.uncertainty_level == 0.9
    e = parse_service_goal({"deadline_s": 14400, "deadline_share": 0.9}, "q")
    assert e.model == "backlog" and e.service_level == 0.9 and e.target_s == 14400 and e.deadline_final_s == 28800
    c = parse_service_goal({"service_level": 0.8, "target_s": 60, "concurrency": 3, "concurrency_slowdown": 0.2},
                           "q")
    assert c.concurrency == 3 and c.concurrency_slowdown == 0.2
    for raw in ({"deadline_s": 100, "service_level": 0.8},
                {"service_level": 0.8, "target_s": 20, "deadline_share": 0.9},
                {"service_level": 0.8, "target_s": 20, "sl_convention": "offered_minus_short_abandons"},
                {"service_level": 0.8, "target_s": 20, "sl_convention": "nonsense"},
                {"service_level": 0.8, "target_s": 20, "concurrency_slowdown": 0.2},
                {"deadline_s": 100, "deadline_final_s": 50}):
        with pytest.raises(InputError):
            parse_service_goal(raw, "q")
