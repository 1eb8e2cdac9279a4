"""The site configuration as typed objects: what the site YAML and agent files say.

Everything downstream (forecast, staffing, roster, reports) reads these objects,
never raw YAML, so a key is validated once, in rules.loader.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rules.service_goal import ServiceGoal

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@dataclass(frozen=True)
class OpeningHours:
    """Local opening time and closing time for one weekday (closing may be 24:00)."""

    open_min: int    # minutes after local midnight
    close_min: int


@dataclass(frozen=True)
class Queue:
    id: str
    name: str
    channel: str                    # voice | chat | email
    service_goal: ServiceGoal
    shrinkage: float = 0.30         # share of paid time not available for contacts
    min_agents: int = 0             # floor on scheduled agents while the queue is open
    opening_hours: dict[str, OpeningHours] | None = None   # overrides the site's
    calibrated: tuple[str, ...] = ()   # service-goal keys taken from the calibration (`auto` in the YAML)
    calibration_queue: str | None = None   # this queue's id in the calibration, when it differs


@dataclass(frozen=True)
class BreakSpec:
    """One break a shift of this template must take, placed by the solver inside its window."""

    name: str                       # "break", "lunch"
    length_min: int
    paid: bool
    earliest_after_min: int         # earliest start, minutes after the shift starts
    latest_after_min: int           # latest start


@dataclass(frozen=True)
class ShiftTemplate:
    id: str
    name: str
    length_min: int                 # from start to end, breaks included
    earliest_start_min: int         # local minutes after midnight
    latest_start_min: int
    start_step_min: int
    breaks: tuple[BreakSpec, ...] = ()
    late: bool = False              # counts as a late shift for fairness
    parent: str | None = None       # an intraday variant (extended, shortened) of this template id

    @property
    def paid_min(self) -> int:
        return self.length_min - sum(b.length_min for b in self.breaks if not b.paid)

    @property
    def paid_hours(self) -> float:
        return self.paid_min / 60.0

    def start_times_min(self) -> list[int]:
        return list(range(self.earliest_start_min, self.latest_start_min + 1, self.start_step_min))


@dataclass(frozen=True)
class Contract:
    id: str
    name: str
    min_hours_week: float
    max_hours_week: float
    shift_templates: tuple[str, ...]
    cost_per_hour: float = 0.0


@dataclass(frozen=True)
class Agent:
    agent_id: str
    name: str
    contract: str
    skills: tuple[str, ...]                     # queue ids, in the file's order
    available_from_min: int = 0                 # earliest local start, minutes after midnight
    available_to_min: int = 24 * 60             # latest local end
    unavailable_days: tuple[str, ...] = ()      # weekday names (mon..sun)


@dataclass(frozen=True)
class TimeOff:
    agent_id: str
    date: dt.date
    reason: str = ""


@dataclass(frozen=True)
class ObjectiveWeights:
    under_coverage: tuple[float, ...] = (1000.0, 2000.0, 4000.0)   # per missing agent-interval, convex
    over_coverage: float = 20.0
    paid_hour_cost_weight: float = 1.0


@dataclass(frozen=True)
class SolverSettings:
    time_limit_s: float = 60.0
    workers: int = 2
    seed: int = 7
    deterministic: bool = True      # same inputs and seed give the same roster


@dataclass(frozen=True)
class RuleSpec:
    """One entry of the YAML `rules:` list, before the catalogue turns it into a rule."""

    kind: str
    params: dict[str, Any]
    where: str                       # e.g. "site.yaml rules[2]"


@dataclass(frozen=True)
class Site:
    name: str
    timezone: str
    interval_min: int
    week_starts_on: str
    opening_hours: dict[str, OpeningHours]
    queues: tuple[Queue, ...]
    shift_templates: tuple[ShiftTemplate, ...]
    contracts: tuple[Contract, ...]
    rule_specs: tuple[RuleSpec, ...]
    objective: ObjectiveWeights = field(default_factory=ObjectiveWeights)
    solver: SolverSettings = field(default_factory=SolverSettings)
    holidays_country: str | None = None
    holidays_subdivision: str | None = None
    files: dict[str, Path] = field(default_factory=dict)   # default data files, resolved
    source: Path | None = None
    special_days: tuple[Any, ...] = ()   # raw `special_days:` entries; the forecast validates them
    currency: str = ""              # what money is counted in (labour cost in reports), e.g. GBP
    calibration: Any = None         # rules.calibration_include.CalibrationInclude, when the YAML names one
    intraday: Any = None            # raw `intraday:` section; scheduler.intraday.policy validates it
    data_quality: Any = None        # raw `data_quality:` section (warnings made errors); pipeline.quality validates it

    def queue(self, queue_id: str) -> Queue:
        return next(q for q in self.queues if q.id == queue_id)

    def template(self, template_id: str) -> ShiftTemplate:
        return next(t for t in self.shift_templates if t.id == template_id)

    def contract(self, contract_id: str) -> Contract:
        return next(c for c in self.contracts if c.id == contract_id)

    def queue_hours(self, queue: Queue) -> dict[str, OpeningHours]:
        return queue.opening_hours if queue.opening_hours is not None else self.opening_hours
