"""Bad inputs as a new user makes them, one builder each: the files it writes and the command it runs.

Shared by tests/test_bad_input_catalogue.py (in process, every case asserted) and bench/bad_inputs_table.py
(each case as a real subprocess, printed as the table of exit codes and first message lines).
Each builder gets an empty folder (the command's working folder) and a finished plan folder (for explain and
surge) and returns (argv, expected exit code, text the message must contain).
"""
from __future__ import annotations

import shutil
from pathlib import Path
from typing import Callable

from tests.site_factory import SMALL_AGENTS_CSV, SMALL_SITE_YAML, small_history_csv, write_small_site

HISTORY = small_history_csv()
LINES = HISTORY.splitlines()
HEADER = LINES[0]
INSTANCE1 = Path(__file__).parent / "fixtures" / "curtois" / "Instance1.txt"
READ_ONLY = Path("/proc/wfm-out")          # /proc takes no new files, even for root


def _cells(line: str, **changes: str) -> str:
    names = HEADER.split(",")
    values = line.split(",")
    for key, value in changes.items():
        values[names.index(key)] = value
    return ",".join(values)


def _history(lines: list[str]) -> str:
    return "\n".join(lines) + "\n"


def _site(folder: Path, **overrides) -> list[str]:
    files = write_small_site(folder / "site", **overrides)
    return ["--site", str(files.site)]


def _yaml_with(extra: str) -> str:
    return SMALL_SITE_YAML + extra


def _validate(**overrides) -> Callable:
    def build(folder: Path, plan: Path):
        return ["validate", *_site(folder, **overrides)]
    return build


def _plan(extra: list[str] | None = None, **overrides) -> Callable:
    def build(folder: Path, plan: Path):
        return ["plan", *_site(folder, **overrides), "--out", str(folder / "out"), "--time-limit", "3",
                *(extra or [])]
    return build


Case = tuple[str, str, Callable, int, str]     # name, kind, builder, exit code, expected text

VOICE_ROWS = [line for line in LINES[1:] if line.startswith("voice")]
CHAT_ROWS = [line for line in LINES[1:] if line.startswith("chat")]


def _outlier():
    lines = list(LINES)
    lines[5] = _cells(lines[5], contacts="9000")
    return _history(lines)


def _closed_contacts():
    return HISTORY + "voice,2026-02-03T20:00:00+00:00,14,300\n"


def _week_missing():
    return _history([HEADER] + [l for l in LINES[1:] if not l.split(",")[1].startswith("2026-02-1")])


def _constant_chat():
    return _history([HEADER] + VOICE_ROWS + [_cells(l, contacts="5") for l in CHAT_ROWS])


def _no_fridays():
    import datetime as dt

    keep = [l for l in LINES[1:] if dt.datetime.fromisoformat(l.split(",")[1]).weekday() != 4]
    return _history([HEADER] + keep)


def _escalate(*codes: str) -> str:
    return _yaml_with("data_quality:\n  errors: [" + ", ".join(codes) + "]\n")


def _semicolon():
    rows = [line.replace(",", ";") for line in LINES]
    return _history([rows[0]] + [r.rsplit(";", 1)[0] + ";" + r.rsplit(";", 1)[1].replace(".", ",") for r in rows[1:]])


def _write_bytes(folder: Path, name: str, data: bytes) -> Path:
    path = folder / name
    path.write_bytes(data)
    return path


def _encoded(folder: Path, plan: Path, encoding: str):
    args = _site(folder)
    text = HISTORY.replace("voice,", "voix-é,", 1) if encoding != "utf-16" else HISTORY
    path = _write_bytes(folder, "history_enc.csv", text.encode(encoding))
    return ["validate", *args, "--history", str(path)]


def _curtois(text: str):
    def build(folder: Path, plan: Path):
        path = folder / "Instance.txt"
        path.write_text(text)
        return ["curtois", str(path), "--time-limit", "5"]
    return build


INSTANCE_TEXT = INSTANCE1.read_text() if INSTANCE1.exists() else ""


def _surge_actuals(folder: Path, plan: Path, rows: str):
    site = write_small_site(folder / "site")
    actuals = folder / "actuals.csv"
    actuals.write_text("queue,start,contacts,aht_s\n" + rows)
    return ["surge", "--site", str(site.site), "--roster", str(plan / "roster.csv"), "--actuals", str(actuals),
            "--now", "2026-03-03T11:00", "--out", str(folder / "surge")]


def _file_at(folder: Path, name: str) -> Path:
    path = folder / name
    path.write_text("not a folder\n")
    return path


CASES: list[Case] = [
    # history that parses but makes no sense
    ("history row dated 2030", "history", _plan(history_csv=HISTORY + "voice,2030-03-04T10:00:00+00:00,20,300\n"), 2,
     "[history-future]"),
    ("history row dated 2016", "history", _validate(history_csv=HISTORY + "chat,2016-03-01T10:00:00+00:00,8,480\n"), 2,
     "[history-stray-rows]"),
    ("one day of history", "history", _plan(history_csv=_history([HEADER] + VOICE_ROWS[:8] + CHAT_ROWS[:8])), 2,
     "[history-too-short]"),
    ("all-zero history", "history", _plan(history_csv=_history([HEADER] + [_cells(l, contacts="0") for l in LINES[1:]])), 2,
     "[history-all-zero]"),
    ("one queue all zero", "history", _validate(history_csv=_history([HEADER] + VOICE_ROWS + [_cells(l, contacts="0") for l in CHAT_ROWS])), 2,
     "queue 'chat', column 'contacts': all 160 intervals have 0 contacts"),
    ("history without aht_s", "history", _plan(history_csv=_history([",".join(l.split(",")[:3]) for l in LINES])), 2,
     "[history-aht-missing]"),
    ("aht_s blank for a whole queue", "history", _validate(history_csv=_history([HEADER] + VOICE_ROWS + [_cells(l, aht_s="") for l in CHAT_ROWS])), 2,
     "every aht_s cell of the queue is blank"),
    ("start off the interval grid", "history", _validate(history_csv=_history([LINES[0], LINES[1].replace("T09:00", "T09:07")] + LINES[2:])), 2,
     "[history-off-grid]"),
    ("abandoned above contacts", "history", _validate(history_csv=_history([HEADER + ",abandoned"] + [l + ",0" for l in LINES[1:2]] + [l + ",999" for l in LINES[2:3]] + [l + ",0" for l in LINES[3:]])), 2,
     "is more than contacts"),
    ("weekday never in history (made an error)", "history", _validate(site_yaml=_escalate("history-weekday-missing"), history_csv=_no_fridays()), 2,
     "[history-weekday-missing]"),
    ("outlier interval (made an error)", "history", _validate(site_yaml=_escalate("history-outlier"), history_csv=_outlier()), 2,
     "[history-outlier]"),
    ("contacts while closed (made an error)", "history", _validate(site_yaml=_escalate("history-closed-contacts"), history_csv=_closed_contacts()), 2,
     "[history-closed-contacts]"),
    ("a week missing (made an error)", "history", _validate(site_yaml=_escalate("history-weeks-missing"), history_csv=_week_missing()), 2,
     "[history-weeks-missing]"),
    ("constant queue (made an error)", "history", _validate(site_yaml=_escalate("history-constant"), history_csv=_constant_chat()), 2,
     "[history-constant]"),
    ("two weeks of history (made an error)", "history", _validate(site_yaml=_escalate("history-short"), history_csv=_history([HEADER] + [l for l in LINES[1:] if l.split(",")[1] < "2026-02-14"])), 2,
     "[history-short]"),
    ("negative contacts", "history", _validate(history_csv=_history([LINES[0], _cells(LINES[1], contacts="-4")] + LINES[2:])), 2,
     "negative"),
    ("duplicate interval", "history", _validate(history_csv=HISTORY + LINES[1] + "\n"), 2, "two rows for the interval"),
    ("history queue not in site", "history", _validate(history_csv=HISTORY.replace("chat,", "webchat,")), 2,
     "queue 'webchat' is not in the site YAML"),
    # readers meeting real files
    ("non-UTF-8 history (Windows-1252)", "reader", lambda f, p: _encoded(f, p, "cp1252"), 2, "is not UTF-8 text"),
    ("UTF-16 history (Excel Unicode Text)", "reader", lambda f, p: _encoded(f, p, "utf-16"), 2, "UTF-16"),
    ("pipe-delimited history", "reader", _validate(history_csv=HISTORY.replace(",", "|")), 2, "the header is one column"),
    ("semicolon CSV with decimal commas (read)", "reader", _validate(history_csv=_semicolon()), 0, "OK:"),
    # references, dates and templates
    ("rule names an unknown agent", "reference", _validate(site_yaml=SMALL_SITE_YAML.replace(
        "{rule: max_consecutive_days, days: 5}", "{rule: max_consecutive_days, days: 4, agents: [T01, T99]}")), 2,
     "[unknown-agent-in-rules]"),
    ("preference for an unknown agent (made an error)", "reference", _validate(site_yaml=_escalate("unknown-agent-in-preferences").replace(
        "  - {rule: min_days_off_per_week, days: 2}\n",
        "  - {rule: min_days_off_per_week, days: 2}\n  - rule: preferences\n    requests:\n      - {agent: T9, date: 2026-03-03, weight: 2}\n")), 2,
     "[unknown-agent-in-preferences]"),
    ("time off for an unknown agent", "reference", _validate(time_off_csv="agent_id,date,reason\nT55,2026-03-04,dentist\n"), 2,
     "unknown agent 'T55'"),
    ("time off in 2016 (made an error)", "reference", _validate(site_yaml=_escalate("time-off-far"), time_off_csv="agent_id,date,reason\nT05,2016-03-04,dentist\n"), 2,
     "[time-off-far]"),
    ("unknown data-quality code", "reference", _validate(site_yaml=_escalate("history-outliers")), 2,
     "unknown data-quality check 'history-outliers'"),
    ("shift template outside opening hours (made an error)", "reference", _validate(site_yaml=_escalate("shift-template-unusable").replace(
        "  - {id: P4, length_min: 240,", "  - {id: N8, length_min: 480, earliest_start: \"20:00\", latest_start: \"21:00\", start_step_min: 60}\n  - {id: P4, length_min: 240,")), 2,
     "[shift-template-unusable]"),
    ("--week-start on a Wednesday", "week", lambda f, p: ["plan", *_site(f), "--week-start", "2026-03-04", "--out", str(f / "out")], 2,
     "[week-start-weekday]"),
    ("--week-start a year after the history", "week", lambda f, p: ["validate", *_site(f), "--week-start", "2027-03-01"], 2,
     "[week-far-beyond-history]"),
    ("--week-start before the history", "week", lambda f, p: ["validate", *_site(f), "--week-start", "2026-01-05"], 2,
     "is not after the start of the history"),
    ("unknown contract", "reference", _validate(agents_csv=SMALL_AGENTS_CSV.replace("T04,Di Eve,FT", "T04,Di Eve,FT50")), 2,
     "unknown contract 'FT50'"),
    ("YAML syntax error", "reference", _validate(site_yaml=SMALL_SITE_YAML.replace("interval_min: 60", "interval_min: [60")), 2,
     "YAML syntax error"),
    # output checked before any work
    ("plan --out is a file", "output", lambda f, p: ["plan", *_site(f), "--out", str(_file_at(f, "out.txt"))], 2, "is a file, not a folder"),
    ("plan --out in a read-only place", "output", lambda f, p: ["plan", *_site(f), "--out", str(READ_ONLY)], 2, "cannot be written"),
    ("plan --out under a file", "output", lambda f, p: ["plan", *_site(f), "--out", str(_file_at(f, "x") / "out")], 2, "is a file, not a folder"),
    ("forecast --out is a folder", "output", lambda f, p: ["forecast", "--history", str(write_small_site(f / "s").history), "--out", str(f)], 2,
     "is a folder, not a file"),
    ("forecast --out in a read-only place", "output", lambda f, p: ["forecast", "--history", str(write_small_site(f / "s").history), "--out", str(READ_ONLY / "f.csv")], 2,
     "cannot be written"),
    ("forecast --db in a read-only place", "output", lambda f, p: ["forecast", "--history", str(write_small_site(f / "s").history), "--db", str(READ_ONLY / "f.sqlite")], 2,
     "cannot be written"),
    ("surge --out is a file", "output", lambda f, p: ["surge", *_site(f), "--roster", str(p / "roster.csv"), "--actuals", str(p / "forecast.csv"),
                                                      "--now", "2026-03-03T11:00", "--out", str(_file_at(f, "surge.txt"))], 2, "is a file, not a folder"),
    ("scenarios --out in a read-only place", "output", lambda f, p: ["scenarios", *_site(f), "--scenarios", str(_file_at(f, "w.yaml")), "--out", str(READ_ONLY)], 2,
     "cannot be written"),
    ("curtois --out in a read-only place", "output", lambda f, p: ["curtois", str(INSTANCE1), "--out", str(READ_ONLY / "r.txt")], 2, "cannot be written"),
    # benchmark and calculator inputs
    ("Curtois instance cut after SHIFT_ON_REQUESTS", "benchmark", _curtois(INSTANCE_TEXT.split("SECTION_SHIFT_OFF_REQUESTS")[0]), 2,
     "SECTION_SHIFT_OFF_REQUESTS is missing"),
    ("Curtois instance with an empty COVER", "benchmark", _curtois(INSTANCE_TEXT.split("SECTION_COVER")[0] + "SECTION_COVER\n"), 2,
     "SECTION_COVER has no rows"),
    ("Curtois instance cut mid-number", "benchmark", _curtois(INSTANCE_TEXT.rstrip("\n")), 2, "ends in the middle of a line"),
    ("erlang --sl 1.0", "benchmark", lambda f, p: ["erlang", "--calls", "100", "--interval-s", "1800", "--aht-s", "300", "--sl", "1.0", "--target-s", "20"], 2,
     "unreachable"),
    ("erlang --max-abandon 0", "benchmark", lambda f, p: ["erlang", "--calls", "100", "--interval-s", "1800", "--aht-s", "300", "--max-abandon", "0", "--patience-s", "60"], 2,
     "unreachable"),
    ("explain a date outside the plan", "benchmark", lambda f, p: ["explain", *_site(f), "--out", str(p), "--agent", "T01", "--date", "2026-04-01"], 2,
     "is outside the plan"),
    # intraday actuals
    ("surge actuals off the grid", "surge", lambda f, p: _surge_actuals(f, p, "voice,2026-03-03T09:10:00+00:00,20,300\n"), 2, "[history-off-grid]"),
    ("surge actuals after --now", "surge", lambda f, p: _surge_actuals(f, p, "voice,2026-03-03T12:00:00+00:00,20,300\n"), 2, "ends after --now"),
]


def make_plan(folder: Path) -> Path:
    """A finished plan of the small site (what explain and surge read)."""
    from run_schedule import main

    files = write_small_site(folder / "site")
    out = folder / "out"
    code = main(["plan", "--site", str(files.site), "--out", str(out), "--time-limit", "3"])
    assert code == 0, "the small site's plan failed"
    shutil.rmtree(folder / "site")
    return out


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}
