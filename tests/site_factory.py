"""A small, fast site written to a temporary folder, for tests that run the real pipeline."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np

SMALL_SITE_YAML = """\
site:
  name: Test Bay
  timezone: Europe/London
  interval_min: 60
  holidays: {country: GB, subdivision: ENG}
  opening_hours:
    mon: ["09:00", "17:00"]
    tue: ["09:00", "17:00"]
    wed: ["09:00", "17:00"]
    thu: ["09:00", "17:00"]
    fri: ["09:00", "17:00"]
files:
  history: history.csv
  agents: agents.csv
  time_off: time_off.csv
queues:
  - id: voice
    channel: voice
    shrinkage: 0.2
    min_agents: 1
    service_goal: {service_level: 0.8, target_s: 20, max_occupancy: 0.9}
  - id: chat
    channel: chat
    shrinkage: 0.2
    service_goal: {service_level: 0.8, target_s: 60, concurrency: 2}
shift_templates:
  - {id: D8, length_min: 480, earliest_start: "09:00", latest_start: "09:00", start_step_min: 60}
  - {id: P4, length_min: 240, earliest_start: "09:00", latest_start: "13:00", start_step_min: 60}
contracts:
  - {id: FT, min_hours_week: 32, max_hours_week: 40, shift_templates: [D8], cost_per_hour: 20}
  - {id: PT, min_hours_week: 12, max_hours_week: 20, shift_templates: [P4], cost_per_hour: 21}
rules:
  - {rule: min_rest_between_shifts, hours: 11}
  - {rule: max_consecutive_days, days: 5}
  - {rule: min_days_off_per_week, days: 2}
objective:
  under_coverage_per_agent_interval: [1000, 2000, 4000]
  over_coverage_per_agent_interval: 20
solver: {time_limit_s: 20, workers: 2, seed: 3}
"""

BREAKS_SITE_YAML = SMALL_SITE_YAML.replace(
    '  - {id: D8, length_min: 480, earliest_start: "09:00", latest_start: "09:00", start_step_min: 60}',
    '  - {id: D8, length_min: 480, earliest_start: "09:00", latest_start: "09:00", start_step_min: 60,\n'
    '     breaks: [{name: break, length_min: 15, start_after_min: [60, 150]},\n'
    '              {name: lunch, length_min: 30, paid: false, start_after_min: [180, 300]}]}').replace(
    "{id: FT, min_hours_week: 32,", "{id: FT, min_hours_week: 30,").replace(
    "  - {rule: min_days_off_per_week, days: 2}\n",
    "  - {rule: min_days_off_per_week, days: 2}\n"
    '  - {rule: activity, name: team training, length_min: 60, per_week: 1, window: ["10:00", "16:00"], contracts: [FT]}\n')

SMALL_AGENTS_CSV = """\
agent_id,name,contract,skills,available_from,available_to,unavailable_days
T01,Ann Lee,FT,voice,,,
T02,Bo Chan,FT,voice,,,
T03,Cy Dee,FT,voice;chat,,,
T04,Di Eve,FT,voice,,,
T05,Ed Fox,PT,voice,,,
T06,Flo Gee,PT,chat,,,
T07,Gus Ho,PT,voice;chat,09:00,13:00,
T08,Hal Ive,FT,chat,,,fri
"""

SMALL_TIME_OFF_CSV = """\
agent_id,date,reason
T05,2026-03-04,dentist
"""

HISTORY_START = dt.date(2026, 2, 2)       # a Monday; four weeks of history
HISTORY_WEEKS = 4


def small_history_csv(seed: int = 11) -> str:
    """Four weeks of hourly history with daily and weekly shape and Poisson noise."""
    rng = np.random.default_rng(seed)
    tz = ZoneInfo("Europe/London")
    shape = {9: 0.8, 10: 1.2, 11: 1.3, 12: 1.0, 13: 1.0, 14: 1.1, 15: 0.9, 16: 0.7}
    weekday = [1.2, 1.0, 1.0, 0.95, 0.85]
    lines = ["queue,start,contacts,aht_s"]
    for queue, level, aht in (("voice", 22.0, 300.0), ("chat", 8.0, 480.0)):
        for day_index in range(HISTORY_WEEKS * 7):
            date = HISTORY_START + dt.timedelta(days=day_index)
            if date.weekday() >= 5:
                continue
            for hour, factor in shape.items():
                start = dt.datetime(date.year, date.month, date.day, hour, tzinfo=tz)
                contacts = rng.poisson(level * factor * weekday[date.weekday()])
                lines.append(f"{queue},{start.isoformat()},{contacts},{aht + rng.normal(0, 15):.1f}")
    return "\n".join(lines) + "\n"


@dataclass
class SiteFiles:
    folder: Path
    site: Path
    agents: Path
    time_off: Path
    history: Path

    def args(self) -> list[str]:
        return ["--site", str(self.site)]


def write_small_site(folder: Path, *, site_yaml: str = SMALL_SITE_YAML, agents_csv: str = SMALL_AGENTS_CSV,
                     time_off_csv: str = SMALL_TIME_OFF_CSV, history_csv: str | None = None) -> SiteFiles:
    folder.mkdir(parents=True, exist_ok=True)
    files = SiteFiles(folder, folder / "site.yaml", folder / "agents.csv", folder / "time_off.csv", folder / "history.csv")
    files.site.write_text(site_yaml)
    files.agents.write_text(agents_csv)
    files.time_off.write_text(time_off_csv)
    files.history.write_text(history_csv if history_csv is not None else small_history_csv())
    return files
