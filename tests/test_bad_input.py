"""A planner's mistakes get one clear message naming the place, exit code 2, no traceback, no output."""
from __future__ import annotations

import pytest

from run_schedule import main
from tests.site_factory import SMALL_AGENTS_CSV, SMALL_SITE_YAML, small_history_csv, write_small_site

HISTORY = small_history_csv()
HEADER, FIRST_ROW = HISTORY.splitlines()[0], HISTORY.splitlines()[1]


def _history_with(first_row: str) -> str:
    lines = HISTORY.splitlines()
    lines[1] = first_row
    return "\n".join(lines) + "\n"


CASES = {
    "unreachable service goal": (dict(site_yaml=SMALL_SITE_YAML.replace("{service_level: 0.8, target_s: 20, max_occupancy: 0.9}",
                                                                         "{service_level: 1.0, target_s: 20, max_occupancy: 0.9}")), [],
                                 ["queues[0].service_goal.service_level", "unreachable"]),
    "missing file": (dict(), ["--agents", "no_such_agents.csv"], ["no_such_agents.csv", "does not exist"]),
    "history missing column": (dict(history_csv=HISTORY.replace("contacts,", "calls,", 1)), [],
                               ["history.csv", "missing column", "'contacts'"]),
    "non-numeric volume": (dict(history_csv=_history_with(FIRST_ROW.replace(FIRST_ROW.split(",")[2], "lots"))), [],
                           ["history.csv row 2", "'contacts'", "'lots' is not a number"]),
    "negative contacts": (dict(history_csv=_history_with(FIRST_ROW.replace(FIRST_ROW.split(",")[2], "-4", 1))), [],
                          ["history.csv row 2", "negative"]),
    "duplicate interval": (dict(history_csv=HISTORY + FIRST_ROW + "\n"), [],
                           ["history.csv rows", "two rows for the interval"]),
    "unknown shift in rule": (dict(site_yaml=SMALL_SITE_YAML.replace("days: 5}", "days: 5}\n  - {rule: max_shifts_of_type_per_week, shift: LATE9, max: 2}")), [],
                              ["rules[2].shift", "'LATE9', which does not exist", "D8, P4"]),
    "unknown skill": (dict(agents_csv=SMALL_AGENTS_CSV.replace("T02,Bo Chan,FT,voice", "T02,Bo Chan,FT,voice;email")), [],
                      ["agents.csv row 3", "'skills'", "skill 'email' names an unknown queue", "voice, chat"]),
    "yaml syntax": (dict(site_yaml=SMALL_SITE_YAML.replace("interval_min: 60", "interval_min: [60")), [],
                    ["site.yaml line", "YAML syntax error"]),
    "rules cannot hold": (dict(agents_csv=SMALL_AGENTS_CSV.replace("T06,Flo Gee,PT,chat,,,", "T06,Flo Gee,PT,chat,09:00,12:00,")), [],
                          ["agent T06", "contract PT needs 12-20 paid hours a week", "available only 09:00-12:00", "cannot all hold", "P4 = 4 h"]),
    "unknown contract": (dict(agents_csv=SMALL_AGENTS_CSV.replace("T04,Di Eve,FT", "T04,Di Eve,FT50")), [],
                         ["agents.csv row 5", "unknown contract 'FT50'"]),
    "history queue not in site": (dict(history_csv=HISTORY.replace("chat,", "webchat,")), [],
                                  ["queue 'webchat' is not in the site YAML"]),
}


@pytest.mark.parametrize("case", sorted(CASES))
@pytest.mark.parametrize("command", ["plan", "validate"])
def test_bad_input_gets_a_clear_message_and_exit_2(tmp_path, capsys, case, command):
    overrides, extra, expected = CASES[case]
    files = write_small_site(tmp_path / "site", **overrides)
    out = tmp_path / "out"
    out.mkdir()
    (out / "roster.csv").write_text("last week's roster\n")
    args = [command, "--site", str(files.site), *extra]
    if command == "plan":
        args += ["--out", str(out)]
    code = main(args)
    captured = capsys.readouterr()
    assert code == 2
    assert "Traceback" not in captured.err
    for text in expected:
        assert text in captured.err, f"{text!r} not in: {captured.err}"
    assert "how to fix:" in captured.err
    # Nothing half-written: the old output is untouched and no staging folder is left behind.
    assert sorted(p.name for p in out.iterdir()) == ["roster.csv"]
    assert (out / "roster.csv").read_text() == "last week's roster\n"
    assert not [p for p in tmp_path.iterdir() if "staging" in p.name]
