"""The sample generator's view of site.yaml: calendar, shift templates, contracts, rest-day rule.

Read from the YAML so the generated data cannot drift from the config.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import yaml

SAMPLE_DIR = Path(__file__).resolve().parent / "sample_site"
SITE_YAML = SAMPLE_DIR / "site.yaml"
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
PLANNING_WEEK = tuple(dt.date(2026, 11, 23) + dt.timedelta(days=i) for i in range(7))

Hours = dict[str, tuple[int, int]]            # weekday -> (open, close), local minutes after midnight


@dataclass(frozen=True)
class Template:
    id: str
    length_min: int
    start_mins: tuple[int, ...]


@dataclass(frozen=True)
class ContractSpec:
    id: str
    min_hours: float
    max_hours: float
    templates: tuple[str, ...]


@dataclass(frozen=True)
class SiteCalendar:
    """The parts of site.yaml the generator needs."""

    timezone: str
    interval_min: int
    opening: dict[str, tuple[int, int]]       # weekday -> (open, close), local minutes after midnight
    queue_ids: tuple[str, ...]
    queue_opening: dict[str, dict[str, tuple[int, int]]]   # per queue: its override, else the site's
    templates: dict[str, Template]
    contracts: dict[str, ContractSpec]
    max_days_per_week: int
    max_per_template: dict[str, int]


def parse_clock(text: str) -> int:
    hours, minutes = str(text).split(":")
    return int(hours) * 60 + int(minutes)


def clock_text(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def load_calendar(path: Path = SITE_YAML) -> SiteCalendar:
    """Read the generator's view of site.yaml.

    A plain YAML read rather than rules.loader: the generator is a dev tool
    whose output the loader's own tests read, so it should not depend on it.
    """
    raw = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    site = raw["site"]

    def hours(block: dict) -> dict[str, tuple[int, int]]:
        return {day: (parse_clock(v[0]), parse_clock(v[1])) for day, v in block.items()}
    templates = {
        t["id"]: Template(t["id"], int(t["length_min"]),
                          tuple(range(parse_clock(t["earliest_start"]), parse_clock(t["latest_start"]) + 1,
                                      int(t["start_step_min"]))))
        for t in raw["shift_templates"]
    }
    contracts = {
        c["id"]: ContractSpec(c["id"], float(c["min_hours_week"]), float(c["max_hours_week"]),
                              tuple(c["shift_templates"]))
        for c in raw["contracts"]
    }
    min_days_off = 0
    max_per_template: dict[str, int] = {}
    for rule in raw.get("rules", []):
        if rule["rule"] == "min_days_off_per_week":
            min_days_off = int(rule["days"])
        elif rule["rule"] == "max_shifts_of_type_per_week":
            max_per_template[rule["shift"]] = int(rule["max"])
    return SiteCalendar(
        timezone=site["timezone"],
        interval_min=int(site["interval_min"]),
        opening=hours(site["opening_hours"]),
        queue_ids=tuple(q["id"] for q in raw["queues"]),
        queue_opening={q["id"]: hours(q.get("opening_hours") or site["opening_hours"]) for q in raw["queues"]},
        templates=templates,
        contracts=contracts,
        max_days_per_week=7 - min_days_off,
        max_per_template=max_per_template,
    )



def weekday_name(day: dt.date) -> str:
    return WEEKDAYS[day.weekday()]

