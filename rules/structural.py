"""Rules every roster obeys whatever the YAML says: they come from contracts, templates and agents.

One shift per agent per day, shifts that match their template and the opening
hours, contract templates, weekly paid hours by contract, availability windows
and approved time off.
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from rules.base import EncodeContext, RosterView, Rule, Shift, Violation, enforce
from rules.site import WEEKDAYS, Agent, Site, TimeOff


def weekday_name(date: dt.date) -> str:
    return WEEKDAYS[date.weekday()]


def clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def local_minutes(moment: dt.datetime, date: dt.date, tz: dt.tzinfo) -> int:
    """Wall-clock minutes after local midnight of `date` (above 1440 past midnight)."""
    local = moment.astimezone(tz)
    return (local.date() - date).days * 24 * 60 + local.hour * 60 + local.minute


class OneShiftPerDay(Rule):
    kind = "one_shift_per_day"

    def describe(self) -> str:
        return "at most one shift per agent per day, and no overlapping shifts"

    def encode(self, ctx: EncodeContext, agent: Agent, literal: Any | None = None) -> None:
        for date in ctx.dates:
            variables = [var for _, var in ctx.options(agent.agent_id, date)]
            if len(variables) > 1:
                enforce(ctx.model.Add(sum(variables) <= 1), literal)

    def check(self, roster: RosterView) -> list[Violation]:
        found = []
        for agent_id in roster.agents:
            shifts = roster.shifts_of(agent_id)
            per_day: dict[dt.date, int] = defaultdict(int)
            for shift in shifts:
                per_day[shift.date] += 1
            for date, count in sorted(per_day.items()):
                if count > 1:
                    found.append(Violation(self.kind, agent_id, date, f"{count} shifts on {date}"))
            for first, second in zip(shifts, shifts[1:]):
                if second.start < first.end:
                    found.append(Violation(self.kind, agent_id, second.date,
                                           f"shift at {second.start:%a %H:%M} overlaps the one ending {first.end:%a %H:%M}"))
        return found


class ShiftMatchesTemplate(Rule):
    """A rostered shift must be one its template allows, inside the site's opening hours."""

    kind = "shift_matches_template"

    def __init__(self, site: Site):
        self.site = site

    def describe(self) -> str:
        return "shifts follow their template (length, start window and step) and fall inside opening hours"

    def explain(self, agent: Agent) -> str:
        return "shifts must fit the site's opening hours"

    def check(self, roster: RosterView) -> list[Violation]:
        templates = {t.id: t for t in self.site.shift_templates}
        found = []
        for entry in roster.shifts:
            shift, agent_id = entry.shift, entry.agent_id
            template = templates.get(shift.template_id)
            if template is None:
                found.append(Violation(self.kind, agent_id, shift.date, f"unknown template {shift.template_id}"))
                continue
            start_min = shift.start.hour * 60 + shift.start.minute
            problems = []
            if shift.start.date() != shift.date:
                problems.append("starts on another day than its roster date")
            if shift.minutes != template.length_min:
                problems.append(f"lasts {shift.minutes} min, template says {template.length_min}")
            if not (template.earliest_start_min <= start_min <= template.latest_start_min) or \
                    (start_min - template.earliest_start_min) % template.start_step_min:
                problems.append(f"starts at {clock(start_min)}, outside the template's start times")
            hours = self.site.opening_hours.get(weekday_name(shift.date))
            end_local = shift.end.astimezone(shift.start.tzinfo)
            end_min = local_minutes(shift.end, shift.date, shift.start.tzinfo)
            if hours is None:
                problems.append("the site is closed that day")
            elif start_min < hours.open_min or end_min > hours.close_min:
                problems.append(f"{clock(start_min)}-{end_local:%H:%M} is outside opening hours "
                                f"{clock(hours.open_min)}-{clock(hours.close_min)}")
            for problem in problems:
                found.append(Violation(self.kind, agent_id, shift.date, f"{shift.template_id}: {problem}"))
        return found


class ContractTemplates(Rule):
    kind = "contract_shift_templates"

    def __init__(self, site: Site):
        self.allowed = {c.id: set(c.shift_templates) for c in site.contracts}

    def describe(self) -> str:
        return "agents only work the shift templates their contract allows"

    def explain(self, agent: Agent) -> str:
        return f"contract {agent.contract} allows only {', '.join(sorted(self.allowed[agent.contract]))} shifts"

    def option_allowed(self, agent: Agent, shift: Shift) -> bool:
        return shift.template_id in self.allowed[agent.contract]

    def check(self, roster: RosterView) -> list[Violation]:
        return [Violation(self.kind, r.agent_id, r.shift.date,
                          f"works {r.shift.template_id}, not allowed by contract {roster.agents[r.agent_id].contract}")
                for r in roster.shifts
                if r.shift.template_id not in self.allowed[roster.agents[r.agent_id].contract]]


class ContractHours(Rule):
    kind = "contract_weekly_hours"

    def __init__(self, site: Site):
        self.contracts = {c.id: c for c in site.contracts}
        self.paid_min = {t.id: t.paid_min for t in site.shift_templates}

    def describe(self) -> str:
        return "weekly paid hours within the contract's minimum and maximum"

    def explain(self, agent: Agent) -> str:
        contract = self.contracts[agent.contract]
        return f"contract {contract.id} needs {contract.min_hours_week:g}-{contract.max_hours_week:g} paid hours a week"

    def encode(self, ctx: EncodeContext, agent: Agent, literal: Any | None = None) -> None:
        contract = self.contracts[agent.contract]
        minutes = sum(self.paid_min[shift.template_id] * var
                      for date in ctx.dates for shift, var in ctx.options(agent.agent_id, date))
        enforce(ctx.model.Add(minutes >= round(contract.min_hours_week * 60)), literal)
        enforce(ctx.model.Add(minutes <= round(contract.max_hours_week * 60)), literal)

    def check(self, roster: RosterView) -> list[Violation]:
        found = []
        for agent_id, agent in roster.agents.items():
            contract = self.contracts[agent.contract]
            # Paid time from the roster itself: shift length less the unpaid activities it records.
            hours = sum(r.shift.minutes - sum(a.minutes for a in r.activities if not a.paid)
                        for r in roster.shifts if r.agent_id == agent_id) / 60
            if hours < contract.min_hours_week - 1e-9 or hours > contract.max_hours_week + 1e-9:
                found.append(Violation(self.kind, agent_id, None,
                                       f"{hours:g} h this week; contract {contract.id} needs "
                                       f"{contract.min_hours_week:g}-{contract.max_hours_week:g} h"))
        return found


class Availability(Rule):
    kind = "availability"

    def describe(self) -> str:
        return "agents work only inside their daily availability window and not on their unavailable days"

    def explain(self, agent: Agent) -> str:
        parts = []
        if agent.available_from_min > 0 or agent.available_to_min < 24 * 60:
            parts.append(f"available only {clock(agent.available_from_min)}-{clock(agent.available_to_min)}")
        if agent.unavailable_days:
            parts.append(f"never on {', '.join(agent.unavailable_days)}")
        return " and ".join(parts) or "no availability limits"

    @staticmethod
    def _fits(agent: Agent, shift: Shift) -> bool:
        if weekday_name(shift.date) in agent.unavailable_days:
            return False
        start_min = shift.local_start_min     # the window is wall clock, so is the end (as check reads it)
        end_min = local_minutes(shift.end, shift.date, shift.start.tzinfo)
        return agent.available_from_min <= start_min and end_min <= agent.available_to_min

    def option_allowed(self, agent: Agent, shift: Shift) -> bool:
        return self._fits(agent, shift)

    def check(self, roster: RosterView) -> list[Violation]:
        found = []
        for entry in roster.shifts:
            agent = roster.agents[entry.agent_id]
            shift = entry.shift
            if weekday_name(shift.date) in agent.unavailable_days:
                found.append(Violation(self.kind, agent.agent_id, shift.date, f"works on {weekday_name(shift.date)}, an unavailable day"))
            local_end = shift.end.astimezone(shift.start.tzinfo)
            end_min = local_minutes(shift.end, shift.date, shift.start.tzinfo)
            if shift.start.hour * 60 + shift.start.minute < agent.available_from_min or end_min > agent.available_to_min:
                found.append(Violation(self.kind, agent.agent_id, shift.date,
                                       f"{shift.start:%H:%M}-{local_end:%H:%M} is outside availability "
                                       f"{clock(agent.available_from_min)}-{clock(agent.available_to_min)}"))
        return found


class ApprovedTimeOff(Rule):
    kind = "time_off"

    def __init__(self, time_off: list[TimeOff]):
        self.days_off = {(t.agent_id, t.date) for t in time_off}

    def describe(self) -> str:
        return "no shift on a day of approved time off"

    def explain(self, agent: Agent) -> str:
        days = sorted(d for a, d in self.days_off if a == agent.agent_id)
        return f"approved time off on {', '.join(str(d) for d in days)}" if days else self.describe()

    def option_allowed(self, agent: Agent, shift: Shift) -> bool:
        return (agent.agent_id, shift.date) not in self.days_off

    def check(self, roster: RosterView) -> list[Violation]:
        booked = {(t.agent_id, t.date) for t in roster.time_off}
        return [Violation(self.kind, r.agent_id, r.shift.date, f"works on {r.shift.date}, a day of approved time off")
                for r in roster.shifts if (r.agent_id, r.shift.date) in booked]


def structural_rules(site: Site, time_off: list[TimeOff]) -> list[Rule]:
    from rules.breaks import ActivitiesInsideShift, BreakPlacement
    rules: list[Rule] = [OneShiftPerDay(), ShiftMatchesTemplate(site), ContractTemplates(site), ContractHours(site),
                         Availability(), ApprovedTimeOff(time_off)]
    if any(t.breaks for t in site.shift_templates):
        rules.append(BreakPlacement(site))
    rules.append(ActivitiesInsideShift())
    return rules
