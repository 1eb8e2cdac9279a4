"""Seeded generator for the bundled sample site's data files.

`python -m data.generate_sample [--out DIR] [--seed N]` writes history.csv,
agents.csv, time_off.csv, fairness_ledger.csv and preferences.csv (see
data.sample_preferences) for the site in data/sample_site/site.yaml.
The same seed gives the same bytes on every run and machine (for a given
numpy): no wall clock, no hash ordering, fixed float formats, fixed row order.

This file writes the files; each part is made by its own module: the calendar
read from site.yaml (data.sample_calendar), the contact history
(data.sample_history), agents, time off and the fairness ledger
(data.sample_agents), and preferences (data.sample_preferences).
"""
from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import logging
from pathlib import Path
from typing import Sequence

from common.io import atomic_write_text
from data import sample_preferences
from data.sample_agents import agent_rows, make_agents, make_ledger, make_time_off, skill_hours
from data.sample_calendar import PLANNING_WEEK, SAMPLE_DIR, SITE_YAML, load_calendar
from data.sample_history import PROFILES, history_rows

log = logging.getLogger(__name__)

DEFAULT_SEED = 20261123          # the planning week's Monday; any fixed value would do


# --------------------------------------------------------------------------- files


def to_csv(header: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """CSV text with '\\n' line ends and floats at one decimal, whatever the platform."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([f"{v:.1f}" if isinstance(v, float) else v for v in row])
    return buffer.getvalue()


def generate(out_dir: Path = SAMPLE_DIR, seed: int = DEFAULT_SEED, site_yaml: Path = SITE_YAML) -> dict[str, Path]:
    """Write the sample data files into out_dir; returns their paths by name."""
    calendar = load_calendar(site_yaml)
    unknown = [q for q in calendar.queue_ids if q not in PROFILES]
    if unknown:
        raise ValueError(f"no volume profile for queue(s) {unknown}; add them to PROFILES")
    agents = make_agents(calendar, seed)
    time_off = make_time_off(calendar, agents, seed)
    wishes = sample_preferences.make_preferences(
        calendar, agents, {a.agent_id: skill_hours(calendar, a.skills) for a in agents},
        {(agent_id, dt.date.fromisoformat(day)) for agent_id, day, _ in time_off}, PLANNING_WEEK, seed)
    ledger = make_ledger(agents, seed)
    past = sample_preferences.past_columns(calendar, agents, {row[0]: row[1] for row in ledger},
                                           {row[0] for row in wishes}, seed)
    texts = {
        "history": to_csv(("queue", "start", "contacts", "aht_s", "abandoned"), history_rows(calendar, seed)),
        "agents": to_csv(("agent_id", "name", "contract", "skills", "available_from", "available_to",
                          "unavailable_days"), agent_rows(agents)),
        "time_off": to_csv(("agent_id", "date", "reason"), time_off),
        "fairness_ledger": to_csv(("agent_id", "weeks", "weekends_worked", "late_shifts", "preferences_asked",
                                   "preferences_unmet", "extra_hours"), [(*row, *past[row[0]]) for row in ledger]),
        "preferences": to_csv(sample_preferences.HEADER, wishes),
    }
    paths = {}
    for name, text in texts.items():
        path = Path(out_dir) / f"{name}.csv"
        atomic_write_text(path, text)
        log.info("wrote %s (%d rows)", path, text.count("\n") - 1)
        paths[name] = path
    return paths


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m data.generate_sample", description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=SAMPLE_DIR, help="folder to write the CSVs into")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="random seed (default %(default)s)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(message)s")
    generate(args.out, args.seed)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
