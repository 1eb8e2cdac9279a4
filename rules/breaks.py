"""Breaks and lunches: every shift takes its template's breaks, each inside its window.

The solver chooses each break's start (on a 15-minute step) to follow demand:
a break is time off the phones, so it lands where the queue can spare the agent.
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from rules.base import EncodeContext, RosterView, Rule, Shift, Violation, elapsed_min
from rules.site import Agent, Site

BREAK_STEP_MIN = 15


class BreakPlacement(Rule):
    kind = "breaks"
    places_inside_shifts = True

    def __init__(self, site: Site):
        self.templates = {t.id: t for t in site.shift_templates}

    def describe(self) -> str:
        return "each shift takes its template's breaks and lunch, each starting inside its window"

    def _group(self, template_id: str) -> tuple[str, tuple]:
        """Options whose breaks are the same share break variables: an intraday variant of a template (say,
        extended by an hour) keeps its parent's breaks, so it needs no second set."""
        template = self.templates[template_id]
        return (template.parent or template.id, template.breaks)

    def encode(self, ctx: EncodeContext, agent: Agent, literal: Any | None = None) -> None:
        for date in ctx.open_dates:
            by_template: dict[tuple[str, tuple], list[tuple[Shift, Any]]] = defaultdict(list)
            for shift, var in ctx.options(agent.agent_id, date):
                by_template[self._group(shift.template_id)].append((shift, var))
            for (template_id, specs), options in by_template.items():
                if template_id not in self.templates or self.templates[template_id].breaks != specs:
                    template_id = options[0][0].template_id     # a variant with breaks of its own
                zone = options[0][0].start.tzinfo
                firsts = [(int(shift.start.timestamp()) // 60, var) for shift, var in options]
                for index, spec in enumerate(specs):
                    candidates: dict[int, list[Any]] = defaultdict(list)     # epoch minute -> shift variables
                    for first, var in firsts:
                        for offset in range(spec.earliest_after_min, spec.latest_after_min + 1, BREAK_STEP_MIN):
                            candidates[first + offset].append(var)
                    chosen = []
                    prefix = f"break[{agent.agent_id},{date},{template_id},{index},"
                    for minute, shift_vars in sorted(candidates.items()):
                        start = dt.datetime.fromtimestamp(minute * 60, zone)
                        var = ctx.model.new_bool_var(f"{prefix}{start.hour:02d}{start.minute:02d}]")
                        ctx.add_absence(agent.agent_id, date, spec.name, start, spec.length_min, var, shift_vars,
                                        spec.paid, literal)
                        chosen.append(var)
                    ctx.choose_absences(chosen, sum(v for _, v in options), literal)

    def check(self, roster: RosterView) -> list[Violation]:
        found = []
        for entry in roster.shifts:
            shift = entry.shift
            template = self.templates.get(shift.template_id)
            if template is None:
                continue
            breaks = sorted((a for a in entry.activities if a.name in {b.name for b in template.breaks}),
                            key=lambda a: a.start)
            specs = sorted(template.breaks, key=lambda b: b.earliest_after_min)
            label = f"{shift.template_id} on {shift.date}"
            if len(breaks) != len(specs):
                found.append(Violation(self.kind, entry.agent_id, shift.date,
                                       f"{label} has {len(breaks)} breaks, its template needs {len(specs)}"))
                continue
            if _all_matched(breaks, specs, shift):
                continue
            for activity, spec in zip(breaks, specs):
                offset = elapsed_min(shift.start, activity.start)
                if activity.name != spec.name or activity.minutes != spec.length_min or activity.paid != spec.paid:
                    found.append(Violation(self.kind, entry.agent_id, shift.date,
                                           f"{label}: {activity.name} of {activity.minutes} min where the template "
                                           f"has {spec.name} of {spec.length_min} min"))
                elif not spec.earliest_after_min <= offset <= spec.latest_after_min:
                    found.append(Violation(self.kind, entry.agent_id, shift.date,
                                           f"{label}: {spec.name} at {activity.start:%H:%M} is {offset:g} min into the "
                                           f"shift, outside {spec.earliest_after_min}-{spec.latest_after_min}"))
        return found


def _fits(activity, spec, shift: Shift) -> bool:
    offset = elapsed_min(shift.start, activity.start)
    return (activity.name == spec.name and activity.minutes == spec.length_min and activity.paid == spec.paid
            and spec.earliest_after_min <= offset <= spec.latest_after_min)


def _all_matched(breaks: list, specs: list, shift: Shift) -> bool:
    """Can each break taken be paired with its own one of the template's breaks, inside that one's window?
    Windows may overlap, so the breaks need not come in the windows' order (augmenting-path matching)."""
    owner: dict[int, int] = {}      # spec index -> break index

    def place(b: int, seen: set[int]) -> bool:
        for k, spec in enumerate(specs):
            if k not in seen and _fits(breaks[b], spec, shift):
                seen.add(k)
                if k not in owner or place(owner[k], seen):
                    owner[k] = b
                    return True
        return False

    return all(place(b, set()) for b in range(len(breaks)))


class ActivitiesInsideShift(Rule):
    """Breaks, meetings and training lie inside their shift and never overlap each other."""

    kind = "activities_inside_shift"

    def describe(self) -> str:
        return "breaks, meetings and training lie inside the shift and do not overlap"

    def check(self, roster: RosterView) -> list[Violation]:
        found = []
        for entry in roster.shifts:
            ordered = sorted(entry.activities, key=lambda a: a.start)
            for activity in ordered:
                if activity.start < entry.shift.start or activity.end > entry.shift.end:
                    found.append(Violation(self.kind, entry.agent_id, entry.shift.date,
                                           f"{activity.name} {activity.start:%H:%M}-{activity.end:%H:%M} is outside the shift"))
            for first, second in zip(ordered, ordered[1:]):
                if second.start < first.end:
                    found.append(Violation(self.kind, entry.agent_id, entry.shift.date,
                                           f"{second.name} at {second.start:%H:%M} overlaps {first.name}"))
        return found
