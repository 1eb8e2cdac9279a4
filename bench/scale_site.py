"""A generated contact centre at scale for the roster benchmark: 300 agents, 3 queues,
7 days of 15-minute intervals, breaks and lunches. Seeded; no files needed."""
from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd

from rules.catalogue import site_rules
from rules.service_goal import ServiceGoal
from rules.site import (Agent, BreakSpec, Contract, ObjectiveWeights, OpeningHours, Queue, RuleSpec, ShiftTemplate,
                        Site, SolverSettings)
from scheduler.roster.model import RosterProblem
from scheduler.roster.week import open_interval_starts, planning_dates
from scheduler.staffing.requirements import requirements_frame

WEEK_START = dt.date(2026, 11, 30)
INTERVAL_MIN = 15


def _breaks(length_min: int) -> tuple[BreakSpec, ...]:
    if length_min >= 480:
        return (BreakSpec("break", 15, True, 90, 150), BreakSpec("lunch", 30, False, 210, 300),
                BreakSpec("break", 15, True, 360, 420))
    if length_min >= 360:
        return (BreakSpec("break", 15, True, 90, 150), BreakSpec("lunch", 30, False, 180, 240))
    return (BreakSpec("break", 15, True, 90, 150),)


def scale_site(agents: int = 300, seed: int = 11, time_limit_s: float = 60.0) -> tuple[Site, list[Agent]]:
    weekday = OpeningHours(8 * 60, 20 * 60)
    hours = {d: weekday for d in ("mon", "tue", "wed", "thu", "fri")}
    hours["sat"] = OpeningHours(9 * 60, 18 * 60)
    hours["sun"] = OpeningHours(10 * 60, 16 * 60)
    templates = (
        ShiftTemplate("D9", "Day 8.5h", 510, 8 * 60, 11 * 60 + 30, 30, _breaks(510)),
        ShiftTemplate("L9", "Late 8.5h", 510, 11 * 60 + 30, 11 * 60 + 30, 30, _breaks(510), late=True),
        ShiftTemplate("P6", "Part 6h", 360, 8 * 60, 14 * 60, 30, _breaks(360)),
        ShiftTemplate("P4", "Part 4h", 240, 8 * 60, 16 * 60, 30, _breaks(240)),
    )
    contracts = (Contract("FT40", "Full-time", 40, 40, ("D9", "L9"), 17.5),
                 Contract("PT24", "Part-time", 20, 30, ("P6", "P4"), 18.0))
    queues = (
        Queue("voice", "Voice", "voice", ServiceGoal(0.8, 20.0, max_occupancy=0.85, patience_s=150.0, max_abandon=0.05),
              shrinkage=0.15, min_agents=2),
        Queue("chat", "Chat", "chat", ServiceGoal(0.8, 60.0, max_occupancy=0.85, concurrency=2), shrinkage=0.15, min_agents=1),
        Queue("email", "Email", "email", ServiceGoal(0.9, 14400.0, deadline_s=14400.0, deadline_share=0.9),
              shrinkage=0.15, opening_hours={d: weekday for d in ("mon", "tue", "wed", "thu", "fri")}),
    )
    specs = (RuleSpec("min_rest_between_shifts", {"hours": 11}, "scale"),
             RuleSpec("max_consecutive_days", {"days": 5}, "scale"),
             RuleSpec("min_days_off_per_week", {"days": 2}, "scale"),
             RuleSpec("max_shifts_of_type_per_week", {"shift": "L9", "max": 3}, "scale"))
    site = Site("Scale test", "Europe/London", INTERVAL_MIN, "mon", hours, queues, templates, contracts, specs,
                ObjectiveWeights((1000.0, 2000.0, 4000.0), 20.0, 1.0), SolverSettings(time_limit_s, 2, seed))
    rng = np.random.default_rng(seed)
    people = []
    for i in range(agents):
        contract = "FT40" if i < int(agents * 0.65) else "PT24"
        roll = rng.random()
        skills = ("voice",) if roll < 0.5 else ("chat",) if roll < 0.65 else ("email",) if roll < 0.75 else \
            ("voice", "chat") if roll < 0.9 else ("voice", "email")
        people.append(Agent(f"S{i + 1:03d}", f"Agent {i + 1}", contract, skills))
    return site, people


def scale_requirements(site: Site, seed: int = 11, volume: float = 1.0) -> pd.DataFrame:
    """Agents required from a synthetic forecast (daily and intraday shape) through the staffing engine;
    `volume` scales the contacts (sized for 300 agents at 1)."""
    rng = np.random.default_rng(seed)
    tz = ZoneInfo(site.timezone)
    dates = planning_dates(WEEK_START)
    level = {"voice": 190.0, "chat": 60.0, "email": 45.0}
    aht = {"voice": 330.0, "chat": 540.0, "email": 420.0}
    day_factor = [1.2, 1.05, 1.0, 1.0, 0.9, 0.55, 0.35]
    frames = []
    for queue in site.queues:
        starts = open_interval_starts(site.queue_hours(queue), dates, site.interval_min, tz)
        hour = np.array([s.hour + s.minute / 60 for s in starts])
        shape = 0.55 + 0.6 * np.exp(-((hour - 10.5) / 1.6) ** 2) + 0.35 * np.exp(-((hour - 14.5) / 1.8) ** 2)
        factor = np.array([day_factor[s.weekday()] for s in starts])
        contacts = rng.poisson(level[queue.id] * volume * shape * factor).astype(float)
        frames.append(pd.DataFrame({"queue": queue.id, "start": pd.DatetimeIndex(starts).tz_convert(site.timezone),
                                    "contacts": contacts, "aht_s": aht[queue.id]}))
    forecast = pd.concat(frames, ignore_index=True)
    return requirements_frame(forecast, site.queues, site.interval_min)[["queue", "start", "agents"]]


def scale_problem(agents: int = 300, seed: int = 11, time_limit_s: float = 60.0, volume: float = 1.0) -> RosterProblem:
    site, people = scale_site(agents, seed, time_limit_s)
    return RosterProblem(site, people, [], planning_dates(WEEK_START), site_rules(site, []),
                         scale_requirements(site, seed, volume))
