"""Run every bad input of tests/bad_input_catalogue.py as a real command (a subprocess, as a planner runs it) and
print a table: exit code, the message's first line, whether a traceback appeared, whether any file was left.

    .venv/bin/python -m bench.bad_inputs_table [--markdown]
"""
from __future__ import annotations

import contextlib
import io
import subprocess
import sys
import tempfile
from pathlib import Path

from tests.bad_input_catalogue import CASES, make_plan, snapshot

ROOT = Path(__file__).resolve().parents[1]


def first_message_line(stdout: str, stderr: str) -> str:
    for line in stderr.splitlines():
        if line.startswith("error:"):
            return line
    lines = [line for line in stdout.splitlines() if line.strip()]
    return lines[0] if lines else (stderr.splitlines() or [""])[-1]


def main(argv: list[str] | None = None) -> int:
    markdown = "--markdown" in (argv or sys.argv[1:])
    rows = []
    with tempfile.TemporaryDirectory() as base:
        with contextlib.redirect_stdout(io.StringIO()):     # the plan explain and surge read; its summary is noise
            plan = make_plan(Path(base) / "plan")
        for number, (name, kind, build, expected, _) in enumerate(CASES, start=1):
            folder = Path(base) / f"case{number}"
            folder.mkdir()
            args = build(folder, plan)
            before, plan_before = snapshot(folder), snapshot(plan)
            run = subprocess.run([sys.executable, str(ROOT / "run_schedule.py"), *args], cwd=folder,
                                 capture_output=True, text=True, timeout=600)
            left = snapshot(folder) != before or snapshot(plan) != plan_before
            rows.append((number, kind, name, run.returncode, expected, "Traceback" in run.stderr, left,
                         first_message_line(run.stdout, run.stderr).replace(str(folder), "DIR").replace(base, "TMP")))
    if markdown:
        print("| # | kind | bad input | exit | traceback | file left | first line of the message |")
        print("|---|---|---|---|---|---|---|")
        for n, kind, name, code, _, tb, left, line in rows:
            print(f"| {n} | {kind} | {name} | {code} | {'yes' if tb else 'no'} | {'yes' if left else 'no'} | "
                  f"`{line.replace('|', '/')[:160]}` |")
    else:
        for n, kind, name, code, _, tb, left, line in rows:
            print(f"{n:>2} {kind:<9} {name:<52} exit {code}  tb {'Y' if tb else '-'}  left {'Y' if left else '-'}  {line[:140]}")
    wrong = [r for r in rows if r[3] != r[4] or r[5] or r[6]]
    print(f"{len(rows)} cases; {len(wrong)} with an unexpected exit code, a traceback or a file left behind")
    return 1 if wrong else 0


if __name__ == "__main__":
    sys.exit(main())
