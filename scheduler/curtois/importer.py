"""Map a Curtois instance onto the rule catalogue: contracts, agents, time off and YAML rule entries.

- each staff line is its own contract (min/max paid hours from the total minutes over the horizon,
  the shift types it may work) and one agent;
- shift types become shift templates with a synthetic 00:00 start (Curtois shifts have lengths only);
  successions are the catalogue's forbidden_succession rule (scoped to the employees who may work both
  shifts), so no rest rule is needed;
- per-employee limits become rule entries scoped to the contracts that share a value
  (`contracts: [..]`): shifts_per_period per type, max_consecutive_days, min_consecutive_days and
  min_consecutive_days_off with edge runs exempt, max_weekends_worked;
- days off are approved time off; shift on/off requests one `preferences` entry;
- cover rows stay instance data (model.py turns them into objective terms).

The planning period (`problem.dates`) is the whole horizon, starting on a Monday.
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from common.errors import InputError
from rules.catalogue import site_rules
from rules.site import Agent, Contract, OpeningHours, RuleSpec, ShiftTemplate, Site, SolverSettings, TimeOff, WEEKDAYS
from scheduler.curtois.instance import Instance
from scheduler.roster.model import RosterProblem

FIRST_DAY = dt.date(2024, 1, 1)     # a Monday: day 0 of every instance


@dataclass(frozen=True)
class CoverRow:
    date: dt.date
    shift: str
    requirement: int
    under_weight: int
    over_weight: int


@dataclass
class CurtoisProblem:
    instance: Instance
    problem: RosterProblem
    cover: list[CoverRow]

    @property
    def dates(self) -> tuple[dt.date, ...]:
        return self.problem.dates

    def day(self, index: int) -> dt.date:
        return self.problem.dates[index]


def rule_entries(instance: Instance) -> list[dict[str, Any]]:
    """The instance's rules as YAML rule entries (what a planner would write in the site YAML)."""
    entries: list[dict[str, Any]] = []
    horizon = instance.horizon
    works = {s.id: {t.id for t in instance.shifts if s.max_shifts.get(t.id, horizon) > 0} for s in instance.staff}
    for shift in instance.shifts:
        for other in shift.cannot_follow:
            # Scoped to the employees who may work both shifts: for the others it cannot bind, and an unscoped
            # entry costs every employee's encoding a pass over every day (32 shift types: ~500 entries).
            bound = [s.id for s in instance.staff if {shift.id, other} <= works[s.id]]
            if not bound:
                continue
            entry = {"rule": "forbidden_succession", "first": shift.id, "then": other}
            if len(bound) < len(instance.staff):
                entry["contracts"] = bound
            entries.append(entry)

    def grouped(kind: str, value_of, **extra) -> None:
        by_value: dict[tuple, list[str]] = defaultdict(list)
        for staff in instance.staff:
            value = value_of(staff)
            if value is not None:
                by_value[tuple(value.items())].append(staff.id)
        for value, contracts in by_value.items():
            entries.append({"rule": kind, **dict(value), **extra, "contracts": contracts})

    for shift in instance.shifts:
        grouped("shifts_per_period", lambda s, t=shift.id: (
            {"shift": t, "max": s.max_shifts[t]} if 0 < s.max_shifts.get(t, horizon) < horizon else None))
    grouped("max_consecutive_days",
            lambda s: {"days": s.max_consecutive} if s.max_consecutive < horizon else None)
    grouped("min_consecutive_days",
            lambda s: {"days": s.min_consecutive} if s.min_consecutive > 1 else None, exempt_edges=True)
    grouped("min_consecutive_days_off",
            lambda s: {"days": s.min_days_off} if s.min_days_off > 1 else None, exempt_edges=True)
    weekends = (horizon + 1) // 7 + 1
    grouped("max_weekends_worked", lambda s: {"max": s.max_weekends} if s.max_weekends < weekends else None)
    requests = [{"agent": r.staff, "date": FIRST_DAY + dt.timedelta(days=r.day), "shift": r.shift,
                 "weight": r.weight} for r in instance.on_requests]
    requests += [{"agent": r.staff, "date": FIRST_DAY + dt.timedelta(days=r.day), "shift": r.shift,
                  "want": False, "weight": r.weight} for r in instance.off_requests]
    if requests:
        entries.append({"rule": "preferences", "requests": requests})
    return entries


def build_site(instance: Instance, entries: list[dict[str, Any]]) -> Site:
    always_open = {day: OpeningHours(0, 24 * 60) for day in WEEKDAYS}
    templates = tuple(ShiftTemplate(s.id, s.id, s.minutes, 0, 0, 60) for s in instance.shifts)
    contracts = tuple(
        Contract(staff.id, f"Curtois {instance.name} {staff.id}", staff.min_minutes / 60, staff.max_minutes / 60,
                 tuple(s.id for s in instance.shifts if staff.max_shifts.get(s.id, instance.horizon) > 0))
        for staff in instance.staff)
    specs = tuple(RuleSpec(entry["rule"], {k: v for k, v in entry.items() if k != "rule"},
                           f"{instance.path} rules[{k}]") for k, entry in enumerate(entries))
    return Site(name=f"Curtois {instance.name}", timezone="UTC", interval_min=60, week_starts_on="mon",
                opening_hours=always_open, queues=(), shift_templates=templates, contracts=contracts,
                rule_specs=specs, solver=SolverSettings(time_limit_s=60.0, workers=2, seed=7), source=instance.path)


def check_complete(instance: Instance) -> list[str]:
    """Refuse an instance file that is cut off or missing a section (a truncated download is otherwise solved
    as 'OPTIMAL, objective 0'); return warnings for what only looks cut off.

    Every published instance has all seven sections, a cover row for every day and shift, and ends with a line
    break; generated instances may skip cover rows, so a cover that stops early only warns."""
    from scheduler.curtois.instance import SECTIONS

    path = instance.path
    text = path.read_text()
    present = {line.strip()[len("SECTION_"):] for line in text.splitlines() if line.strip().startswith("SECTION_")}
    missing = [name for name in SECTIONS if name not in present]
    if missing:
        raise InputError(str(path), f"SECTION_{missing[0]} is missing"
                         + (f" (and {', '.join('SECTION_' + m for m in missing[1:])})" if len(missing) > 1 else "")
                         + ": the file looks cut off or incomplete",
                         "download or copy the whole instance again; every Curtois instance has the sections "
                         + ", ".join("SECTION_" + s for s in SECTIONS))
    if not instance.cover:
        raise InputError(str(path), "SECTION_COVER has no rows: there is nothing to cover, so any roster scores 0",
                         "download or copy the whole instance again (the cover rows are at the end of the file)")
    if text and not text.endswith("\n"):
        last = text.splitlines()[-1]
        raise InputError(f"{path} line {len(text.splitlines())}", f"the file ends in the middle of a line "
                         f"({last.strip()!r}, no line break): it looks cut off, and a cut number still parses",
                         "download or copy the whole instance again; if the file is complete, end it with a line break")
    last_day = max(c.day for c in instance.cover)
    if last_day < instance.horizon - 1:
        return [f"{path}: the cover rows stop at day {last_day} of a {instance.horizon}-day horizon; if the file "
                "was cut off, the days after that are scored as needing nobody"]
    return []


def import_instance(instance: Instance) -> CurtoisProblem:
    entries = rule_entries(instance)
    site = build_site(instance, entries)
    dates = tuple(FIRST_DAY + dt.timedelta(days=d) for d in range(instance.horizon))
    agents = [Agent(s.id, s.id, s.id, ()) for s in instance.staff]
    time_off = [TimeOff(staff, dates[day], "Curtois day off") for staff, days in instance.days_off.items()
                for day in days]
    problem = RosterProblem(site, agents, time_off, dates, site_rules(site, time_off))
    cover = [CoverRow(dates[c.day], c.shift, c.requirement, c.under_weight, c.over_weight) for c in instance.cover]
    return CurtoisProblem(instance, problem, cover)
