"""Check a Curtois roster: hard rules by the catalogue's checkers, objective by objective.py.

The roster (employee -> shift id per day, as written) is turned into concrete
shifts on the importer's calendar so every rule checker sees it as it sees any
roster; no solver variable is involved. Every hard rule of the format binds one
employee, so each employee's roster is checked on its own view (one view of
150 employees × 364 days made each checker rescan every shift per employee:
over a minute; per employee it takes seconds).
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


def roster_view(cp: CurtoisProblem, roster: dict[str, list[str | None]],
                agent_ids: list[str] | None = None) -> RosterView:
    """The roster as checkers see it, for every employee or only `agent_ids`."""
    site = cp.problem.site
    agents = [a for a in cp.problem.agents if agent_ids is None or a.agent_id in agent_ids]
    shifts = []
    for agent in agents:
        for date, shift_id in zip(cp.dates, roster[agent.agent_id]):
            if shift_id is None:
                continue
            start = dt.datetime(date.year, date.month, date.day, tzinfo=dt.timezone.utc)
            end = start + dt.timedelta(minutes=site.template(shift_id).length_min)
            shifts.append(RosterShift(agent.agent_id, Shift(shift_id, date, start, end)))
    names = {a.agent_id for a in agents}
    return RosterView(site, {a.agent_id: a for a in agents},
                      tuple(t for t in cp.problem.time_off if t.agent_id in names), cp.dates, tuple(shifts))


def verify(cp: CurtoisProblem, roster: dict[str, list[str | None]]) -> Verdict:
    violations: list[Violation] = []
    penalties: list[Penalty] = []
    for agent in cp.problem.agents:
        view = roster_view(cp, roster, [agent.agent_id])
        violations += hard_violations(cp.problem.rules, view)
        penalties += soft_penalties(cp.problem.rules, view)
    return Verdict(objective(cp.instance, roster), violations, penalties)
