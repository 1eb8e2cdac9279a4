"""Check a Curtois roster: hard rules by the catalogue's checkers, objective by objective.py.

The roster (employee -> shift id per day, as written) is turned into concrete
shifts on the importer's calendar so every rule checker sees it as it sees any
roster; no solver variable is involved.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from rules.base import Penalty, RosterShift, RosterView, Shift, Violation
from rules.catalogue import hard_violations, soft_penalties
from scheduler.curtois.importer import CurtoisProblem
from scheduler.curtois.objective import Objective, objective


@dataclass
class Verdict:
    objective: Objective
    violations: list[Violation]
    penalties: list[Penalty]

    @property
    def feasible(self) -> bool:
        return not self.violations


def roster_view(cp: CurtoisProblem, roster: dict[str, list[str | None]]) -> RosterView:
    site = cp.problem.site
    shifts = []
    for agent in cp.problem.agents:
        for date, shift_id in zip(cp.dates, roster[agent.agent_id]):
            if shift_id is None:
                continue
            start = dt.datetime(date.year, date.month, date.day, tzinfo=dt.timezone.utc)
            end = start + dt.timedelta(minutes=site.template(shift_id).length_min)
            shifts.append(RosterShift(agent.agent_id, Shift(shift_id, date, start, end)))
    return RosterView(site, {a.agent_id: a for a in cp.problem.agents}, tuple(cp.problem.time_off), cp.dates,
                      tuple(shifts))


def verify(cp: CurtoisProblem, roster: dict[str, list[str | None]]) -> Verdict:
    view = roster_view(cp, roster)
    return Verdict(objective(cp.instance, roster), hard_violations(cp.problem.rules, view),
                   soft_penalties(cp.problem.rules, view))
